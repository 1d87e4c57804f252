#include "constraint/security_check.h"

#include <string>

#include "vouch/constraint/reasons.h"

namespace vouch::constraint_internal {
namespace {

// Beyond this, `now` minus a period could overflow 64-bit seconds.
constexpr UnixSeconds kMaxAbsNow = UnixSeconds{1} << 62;

}  // namespace

Status CheckSecurityAndAge(std::string_view subject, const EnclaveSecurityInfo& security,
                           SecuritySummary min_level, const std::optional<Period>& max_age,
                           UnixSeconds now) {
  const std::string who(subject);
  const std::string actual(SecuritySummaryName(security.summary));
  if (min_level == SecuritySummary::kInsecure) {
    if (security.summary != SecuritySummary::kInsecure) {
      return RejectedError(constraint::reasons::kSecurityLevelMismatch,
                           who + " has a security level of " + actual +
                               " which does not match the required level of INSECURE.");
    }
  } else if (static_cast<int>(security.summary) < static_cast<int>(min_level)) {
    return RejectedError(constraint::reasons::kSecurityLevelTooLow,
                         who + " has a security level of " + actual +
                             " which is lower than the required level of " +
                             std::string(SecuritySummaryName(min_level)) + ".");
  }
  if (max_age) {
    if (now > kMaxAbsNow || now < -kMaxAbsNow) {
      return InvalidArgumentError("verification time " + std::to_string(now) +
                                  " is out of range for EXPIRE");
    }
    if (!(max_age->SubtractFrom(now) < security.timestamp)) {
      return RejectedError(constraint::reasons::kAttestationTooOld,
                           who + " attestation data is out of date with an age that exceeds " +
                               max_age->ToString() + ".");
    }
  }
  return OkStatus();
}

}  // namespace vouch::constraint_internal

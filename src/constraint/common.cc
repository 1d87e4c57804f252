#include "constraint/common.h"

#include <string>

#include "vouch/constraint/reasons.h"

namespace vouch::constraint_internal {
namespace {

// Beyond this, `now` minus a period could overflow 64-bit seconds.
constexpr UnixSeconds kMaxAbsNow = UnixSeconds{1} << 62;

}  // namespace

StatusOr<std::vector<std::pair<std::string_view, std::string_view>>> SplitTokens(
    std::string_view descriptor) {
  std::vector<std::pair<std::string_view, std::string_view>> tokens;
  size_t pos = 0;
  while (pos <= descriptor.size()) {
    size_t end = descriptor.find(' ', pos);
    if (end == std::string_view::npos) end = descriptor.size();
    std::string_view piece = descriptor.substr(pos, end - pos);
    pos = end + 1;
    if (piece.empty()) continue;
    size_t colon = piece.find(':');
    if (colon == std::string_view::npos || piece.find(':', colon + 1) != std::string_view::npos) {
      return MalformedError(constraint::reasons::kConstraintMalformed,
                            "Invalid token: " + std::string(piece));
    }
    tokens.emplace_back(piece.substr(0, colon), piece.substr(colon + 1));
  }
  return tokens;
}

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

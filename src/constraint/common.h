// What the SGX enclave constraint and the TDX constraint share: splitting a descriptor into
// KEY:VALUE tokens (spec/constraint-dsl.md §4, steps 1 and 2), and the last two steps of a check
// (§6.1, steps 5 and 6; §8.3): the security summary against SEC:, then the attestation's age
// against EXPIRE:.
#ifndef VOUCH_CONSTRAINT_COMMON_H_
#define VOUCH_CONSTRAINT_COMMON_H_

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch::constraint_internal {

// The six keys of an SGX enclave constraint, in the order their values are parsed
// (spec/constraint-dsl.md §4 step 4): what the parser accepts and what the hints suggest.
inline constexpr std::string_view kEnclaveKeys[] = {"C", "S", "PROD", "REVOKE", "SEC", "EXPIRE"};
inline bool IsEnclaveKey(std::string_view key) {
  return std::ranges::find(kEnclaveKeys, key) != std::end(kEnclaveKeys);
}

// The descriptor split on U+0020 only (empty pieces dropped), each piece split at its one ':'
// into (key, value), viewing `descriptor`. kInvalidArgument, reason constraint_malformed
// ("Invalid token: …"), for a piece with no ':' or more than one.
[[nodiscard]] StatusOr<std::vector<std::pair<std::string_view, std::string_view>>> SplitTokens(
    std::string_view descriptor);

// OK, or kRejected with reason security_level_mismatch (SEC:INSECURE asks for exactly
// INSECURE), security_level_too_low or attestation_too_old; kInvalidArgument when `now` is so
// far from the epoch that now − max_age would overflow. `subject` opens each message
// ("Enclave", "TD"), as Conclave's messages do.
[[nodiscard]] Status CheckSecurityAndAge(std::string_view subject,
                                         const EnclaveSecurityInfo& security,
                                         SecuritySummary min_level,
                                         const std::optional<Period>& max_age, UnixSeconds now);

}  // namespace vouch::constraint_internal

#endif  // VOUCH_CONSTRAINT_COMMON_H_

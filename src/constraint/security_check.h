// The last two steps of a constraint check (spec/constraint-dsl.md §6.1, steps 5 and 6; §8.3),
// shared by the SGX enclave constraint and the TDX constraint: the security summary against SEC:,
// then the attestation's age against EXPIRE:.
#ifndef VOUCH_CONSTRAINT_SECURITY_CHECK_H_
#define VOUCH_CONSTRAINT_SECURITY_CHECK_H_

#include <optional>
#include <string_view>

#include "vouch/base/status.h"
#include "vouch/base/time.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch::constraint_internal {

// OK, or kRejected with reason security_level_mismatch (SEC:INSECURE asks for exactly
// INSECURE), security_level_too_low or attestation_too_old; kInvalidArgument when `now` is so
// far from the epoch that now − max_age would overflow. `subject` opens each message
// ("Enclave", "TD"), as Conclave's messages do.
[[nodiscard]] Status CheckSecurityAndAge(std::string_view subject,
                                         const EnclaveSecurityInfo& security,
                                         SecuritySummary min_level,
                                         const std::optional<Period>& max_age, UnixSeconds now);

}  // namespace vouch::constraint_internal

#endif  // VOUCH_CONSTRAINT_SECURITY_CHECK_H_

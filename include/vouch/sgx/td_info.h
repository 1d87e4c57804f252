// Turns a verified TD quote into the TdInstanceInfo that TDX constraints are checked against
// (docs/td-info.md): the TD report's measurements and attributes, the mode and the security
// summary, mapped as for SGX enclaves (spec/constraint-dsl.md §9.2–§9.5).
#ifndef VOUCH_SGX_TD_INFO_H_
#define VOUCH_SGX_TD_INFO_H_

#include "vouch/constraint/td_instance_info.h"
#include "vouch/sgx/verifier.h"

namespace vouch::sgx {

// Mode SIMULATION (summary INSECURE) for evidence chained to a simulation root; DEBUG
// (INSECURE) for a TD with a TD_ATTRIBUTES.TUD bit set; otherwise RELEASE with UpToDate →
// SECURE and the other non-revoked statuses → STALE. The reason says why, naming the TDX
// level's and the TDX module's advisories and a TD 1.5 relaunch advice; the timestamp is the
// latest collateral issue date; report data is copied raw.
TdInstanceInfo ToTdInstanceInfo(const TdVerificationResult& result);

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_TD_INFO_H_

// Turns a verified DCAP result into the EnclaveInstanceInfo that constraints are checked
// against (spec/constraint-dsl.md §9.2–§9.5, DESIGN.md §3).
#ifndef VOUCH_SGX_ENCLAVE_INFO_H_
#define VOUCH_SGX_ENCLAVE_INFO_H_

#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/sgx/verifier.h"

namespace vouch::sgx {

// Mode SIMULATION (summary INSECURE) for evidence chained to a simulation root; DEBUG
// (INSECURE) for debug enclaves; otherwise RELEASE with UpToDate → SECURE and the other
// non-revoked statuses → STALE. Reasons are Conclave's texts; the timestamp is the latest
// collateral issue date; report data is copied raw.
EnclaveInstanceInfo ToEnclaveInstanceInfo(const VerificationResult& result);

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_ENCLAVE_INFO_H_

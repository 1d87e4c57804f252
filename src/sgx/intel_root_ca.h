#ifndef VOUCH_SGX_INTEL_ROOT_CA_H_
#define VOUCH_SGX_INTEL_ROOT_CA_H_

#include <cstdint>

namespace vouch::sgx::internal {

extern const uint8_t kIntelSgxRootCaDer[659];

}  // namespace vouch::sgx::internal

#endif  // VOUCH_SGX_INTEL_ROOT_CA_H_

// Test support (not part of libvouch): the identity of an enclave as tests and benchmarks give it
// to a simulated or mock platform.
#ifndef VOUCH_PLATFORM_TEST_IDENTITY_H_
#define VOUCH_PLATFORM_TEST_IDENTITY_H_

#include <cstdint>

#include "vouch/platform/platform.h"

namespace vouch::testing {

// MRENCLAVE `mr_enclave` and MRSIGNER `mr_signer`, ISVPRODID `product_id` and ISVSVN `isv_svn`,
// with the default attributes of a debug or a production enclave.
inline platform::EnclaveIdentity TestIdentity(const Sha256Hash& mr_enclave,
                                              const Sha256Hash& mr_signer, uint16_t product_id = 1,
                                              uint16_t isv_svn = 1, bool debug = false) {
  platform::EnclaveIdentity id;
  id.mr_enclave = mr_enclave;
  id.mr_signer = mr_signer;
  id.product_id = product_id;
  id.isv_svn = isv_svn;
  id.attributes = platform::EnclaveIdentity::DefaultAttributes(debug);
  return id;
}

}  // namespace vouch::testing

#endif  // VOUCH_PLATFORM_TEST_IDENTITY_H_

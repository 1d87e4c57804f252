// Mock mode, as Conclave's (spec/constraint-dsl.md §9.6): no SGX at all. Evidence is EII JSON
// with mode MOCK, summary INSECURE and code signer 32 zero bytes; seal keys come from a secret
// that is public unless the caller supplies one. For unit tests and quick local runs only.
#ifndef VOUCH_PLATFORM_MOCK_H_
#define VOUCH_PLATFORM_MOCK_H_

#include <memory>
#include <optional>

#include "vouch/base/secret_bytes.h"
#include "vouch/platform/platform.h"

namespace vouch::platform {

struct MockPlatformOptions {
  // Conclave's mock code hash is SHA-256 of the enclave class name; the caller chooses it.
  Sha256Hash code_hash{};
  uint16_t product_id = 1;
  uint16_t isv_svn = 1;
  // The time mock evidence is stamped with (EII security.timestamp).
  UnixSeconds created_at = 0;
  // Seal-key secret. Unset: SHA-256("vouch mock platform"), the same for every mock platform,
  // so mock sealing protects nothing.
  std::optional<SecretBytes> secret;
};

// The mock enclave's identity has MRSIGNER = 32 zero bytes and non-debug attributes.
std::unique_ptr<Platform> NewMockPlatform(MockPlatformOptions options);

}  // namespace vouch::platform

#endif  // VOUCH_PLATFORM_MOCK_H_

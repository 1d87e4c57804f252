// AES-256-GCM (NIST SP 800-38D) with 12-byte nonces and 16-byte tags.
#ifndef VOUCH_CRYPTO_AES_GCM_H_
#define VOUCH_CRYPTO_AES_GCM_H_

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

// Returns ciphertext ‖ tag. REQUIRES: key is 32 bytes, nonce 12 bytes.
StatusOr<Bytes> Aes256GcmSeal(const SecretBytes& key, ByteSpan nonce, ByteSpan plaintext,
                              ByteSpan aad);
// Opens ciphertext ‖ tag. A wrong key, nonce, aad or any altered byte gives kPermissionDenied
// (reason "aead_open_failed") and no plaintext: the output buffer is wiped, never returned.
StatusOr<SecretBytes> Aes256GcmOpen(const SecretBytes& key, ByteSpan nonce,
                                    ByteSpan ciphertext_and_tag, ByteSpan aad);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_AES_GCM_H_

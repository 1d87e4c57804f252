// AES-256-GCM with a key schedule prepared once (NIST SP 800-38D; 12-byte nonces, 16-byte
// tags), for callers that seal or open many messages under one key (seal/). The one-shot
// functions in aes_gcm.h set the key up on every call; this class keeps two prepared OpenSSL
// contexts and only feeds each message its nonce, so small messages run at OpenSSL's own rate.
//
// Thread-compatible: one object must not be used by two threads at once (it reuses its
// contexts). Movable, not copyable; the key schedule is wiped on destruction.
#ifndef VOUCH_CRYPTO_AES_GCM_KEY_H_
#define VOUCH_CRYPTO_AES_GCM_KEY_H_

#include <cstdint>
#include <memory>
#include <span>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

class Aes256GcmKey {
 public:
  // REQUIRES: `key` is 32 bytes (else kInvalidArgument).
  static StatusOr<Aes256GcmKey> Create(const SecretBytes& key);

  Aes256GcmKey(Aes256GcmKey&&) noexcept;
  Aes256GcmKey& operator=(Aes256GcmKey&&) noexcept;
  ~Aes256GcmKey();

  // Encrypts `plaintext` with `aad` into `out` = ciphertext ‖ tag.
  // REQUIRES: `nonce` is 12 bytes and out.size() == plaintext.size() + 16 (else
  // kInvalidArgument). `out` may not overlap `aad`; it may equal `plaintext` only exactly.
  Status Seal(ByteSpan nonce, ByteSpan plaintext, ByteSpan aad, std::span<uint8_t> out);
  // Decrypts and authenticates ciphertext ‖ tag into `out`.
  // REQUIRES: out.size() + 16 == ciphertext_and_tag.size(). A wrong key, nonce, aad or any
  // altered byte gives kPermissionDenied (reason "aead_open_failed") and `out` is wiped: no
  // unauthenticated plaintext is ever left behind.
  Status Open(ByteSpan nonce, ByteSpan ciphertext_and_tag, ByteSpan aad, std::span<uint8_t> out);

 private:
  struct Impl;
  explicit Aes256GcmKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch

#endif  // VOUCH_CRYPTO_AES_GCM_KEY_H_

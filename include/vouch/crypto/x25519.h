// X25519 key agreement (RFC 7748).
#ifndef VOUCH_CRYPTO_X25519_H_
#define VOUCH_CRYPTO_X25519_H_

#include <array>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

class X25519PrivateKey {
 public:
  static StatusOr<X25519PrivateKey> Generate();
  static StatusOr<X25519PrivateKey> FromBytes(ByteSpan raw32);

  const std::array<uint8_t, 32>& public_key() const { return public_key_; }
  const SecretBytes& private_bytes() const { return private_; }
  // The 32-byte shared secret with `peer_public`. Fails for low-order peer points (all-zero
  // output), which RFC 7748 §6.1 says to reject.
  StatusOr<SecretBytes> Agree(ByteSpan peer_public) const;

  X25519PrivateKey(X25519PrivateKey&&) = default;
  X25519PrivateKey& operator=(X25519PrivateKey&&) = default;

 private:
  X25519PrivateKey(SecretBytes priv, const std::array<uint8_t, 32>& pub)
      : private_(std::move(priv)), public_key_(pub) {}
  SecretBytes private_;
  std::array<uint8_t, 32> public_key_;
};

}  // namespace vouch

#endif  // VOUCH_CRYPTO_X25519_H_

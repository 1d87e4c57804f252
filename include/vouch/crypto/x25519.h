// X25519 key agreement (RFC 7748).
//
// A key is loaded into OpenSSL once, when it is made (which computes its public half); Agree
// then costs one scalar multiplication. Keys are immutable and thread-safe to share.
#ifndef VOUCH_CRYPTO_X25519_H_
#define VOUCH_CRYPTO_X25519_H_

#include <array>
#include <memory>

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
  // The 32-byte shared secret with `peer_public`. kInvalidArgument for a peer key that is not
  // 32 bytes or is a low-order point (all-zero output, which RFC 7748 §6.1 says to reject);
  // another code only when OpenSSL itself fails.
  StatusOr<SecretBytes> Agree(ByteSpan peer_public) const;

  X25519PrivateKey(X25519PrivateKey&&) = default;
  X25519PrivateKey& operator=(X25519PrivateKey&&) = default;

  struct Impl;

 private:
  X25519PrivateKey(std::shared_ptr<const Impl> impl, SecretBytes priv,
                   const std::array<uint8_t, 32>& pub)
      : impl_(std::move(impl)), private_(std::move(priv)), public_key_(pub) {}
  std::shared_ptr<const Impl> impl_;
  SecretBytes private_;
  std::array<uint8_t, 32> public_key_;
};

}  // namespace vouch

#endif  // VOUCH_CRYPTO_X25519_H_

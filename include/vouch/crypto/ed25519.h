// Ed25519 (RFC 8032): key generation, signing and verification. Used for signed notes,
// checkpoints and witness cosignatures.
//
// Keys are immutable and thread-safe to share.
#ifndef VOUCH_CRYPTO_ED25519_H_
#define VOUCH_CRYPTO_ED25519_H_

#include <array>
#include <memory>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

class Ed25519PublicKey {
 public:
  static StatusOr<Ed25519PublicKey> FromBytes(ByteSpan raw32);

  // OK, or kPermissionDenied (reason "signature_invalid"), or kInvalidArgument for a
  // signature that is not 64 bytes.
  Status Verify(ByteSpan message, ByteSpan signature) const;
  const std::array<uint8_t, 32>& bytes() const { return bytes_; }

  struct Impl;

 private:
  Ed25519PublicKey(std::shared_ptr<const Impl> impl, const std::array<uint8_t, 32>& bytes)
      : impl_(std::move(impl)), bytes_(bytes) {}
  std::shared_ptr<const Impl> impl_;
  std::array<uint8_t, 32> bytes_;
};

class Ed25519PrivateKey {
 public:
  static StatusOr<Ed25519PrivateKey> Generate();
  // From the 32-byte RFC 8032 seed.
  static StatusOr<Ed25519PrivateKey> FromSeed(ByteSpan seed32);

  // Returns the 64-byte signature.
  StatusOr<Bytes> Sign(ByteSpan message) const;
  const Ed25519PublicKey& public_key() const { return public_key_; }
  const SecretBytes& seed() const { return *seed_; }

  struct Impl;

 private:
  Ed25519PrivateKey(std::shared_ptr<const Impl> impl, std::shared_ptr<const SecretBytes> seed,
                    Ed25519PublicKey public_key)
      : impl_(std::move(impl)), seed_(std::move(seed)), public_key_(std::move(public_key)) {}
  std::shared_ptr<const Impl> impl_;
  std::shared_ptr<const SecretBytes> seed_;
  Ed25519PublicKey public_key_;
};

}  // namespace vouch

#endif  // VOUCH_CRYPTO_ED25519_H_

// RSA signatures with EMSA-PKCS1-v1_5 encoding and SHA-256 (RFC 8017 §8.2, §9.2), the scheme
// Intel SGX uses for SIGSTRUCT (Intel SDM Vol. 3D, "SIGSTRUCT": RSA-3072, public exponent 3,
// PKCS#1 v1.5 with a DER DigestInfo), plus the two quotients Q1/Q2 that SIGSTRUCT carries so
// that EINIT can check the signature cheaply.
//
// Keys are immutable after construction and thread-safe to share.
#ifndef VOUCH_CRYPTO_RSA_H_
#define VOUCH_CRYPTO_RSA_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"

namespace vouch {

namespace internal {
struct RsaKeyAccess;  // crypto/-internal construction from OpenSSL objects
}  // namespace internal

class RsaPublicKey {
 public:
  // From the big-endian magnitudes of the modulus and the public exponent (leading zero bytes
  // are allowed). Rejects moduli outside 1024..16384 bits, even moduli, and exponents that are
  // even or below 3 (kInvalidArgument).
  static StatusOr<RsaPublicKey> FromModulusAndExponent(ByteSpan modulus_be, ByteSpan exponent_be);

  // OK when `signature_be` (big-endian, exactly as long as the modulus) is a valid
  // RSASSA-PKCS1-v1_5 SHA-256 signature of `message`; kPermissionDenied (reason
  // "signature_invalid") when it is not; kInvalidArgument when its length is wrong.
  Status VerifyPkcs1Sha256(ByteSpan message, ByteSpan signature_be) const;
  Status VerifyPkcs1Sha256Digest(const Sha256Digest& digest, ByteSpan signature_be) const;

  // Big-endian, without leading zero bytes.
  const Bytes& modulus() const { return modulus_; }
  const Bytes& exponent() const { return exponent_; }
  size_t modulus_bits() const { return modulus_bits_; }
  // The modulus length in bytes (the signature length).
  size_t size() const { return (modulus_bits_ + 7) / 8; }

  struct Impl;

 private:
  friend struct internal::RsaKeyAccess;
  RsaPublicKey(std::shared_ptr<const Impl> impl, Bytes modulus, Bytes exponent, size_t bits)
      : impl_(std::move(impl)),
        modulus_(std::move(modulus)),
        exponent_(std::move(exponent)),
        modulus_bits_(bits) {}

  std::shared_ptr<const Impl> impl_;
  Bytes modulus_;
  Bytes exponent_;
  size_t modulus_bits_ = 0;
};

class RsaPrivateKey {
 public:
  // A fresh key of `bits` bits with public exponent `public_exponent` (SGX: 3072 and 3).
  static StatusOr<RsaPrivateKey> Generate(size_t bits, uint32_t public_exponent);
  // From an unencrypted PEM private key: "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY" (PKCS#1,
  // what `openssl genrsa -3 3072` writes). Encrypted keys and other algorithms are rejected
  // (kInvalidArgument); nothing ever prompts for a passphrase.
  static StatusOr<RsaPrivateKey> FromPem(std::string_view pem);

  // Unencrypted PKCS#8 PEM. Store it with mode 0600.
  StatusOr<SecretBytes> ToPkcs8Pem() const;
  const RsaPublicKey& public_key() const { return public_key_; }

  // RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (deterministic), big-endian, as long as
  // the modulus.
  StatusOr<Bytes> SignPkcs1Sha256(ByteSpan message) const;
  StatusOr<Bytes> SignPkcs1Sha256Digest(const Sha256Digest& digest) const;

  struct Impl;

 private:
  friend struct internal::RsaKeyAccess;
  RsaPrivateKey(std::shared_ptr<const Impl> impl, RsaPublicKey public_key)
      : impl_(std::move(impl)), public_key_(std::move(public_key)) {}

  std::shared_ptr<const Impl> impl_;
  RsaPublicKey public_key_;
};

// The quotients SIGSTRUCT stores beside an RSA signature s over modulus n (Intel SDM Vol. 3D,
// SIGSTRUCT fields Q1 and Q2): q1 = floor(s² / n) and q2 = floor((s³ − q1·s·n) / n). Both are
// below n. Inputs and outputs are big-endian; outputs are left-padded to the modulus length.
struct RsaSignatureQuotients {
  Bytes q1;
  Bytes q2;
};
StatusOr<RsaSignatureQuotients> ComputeRsaSignatureQuotients(ByteSpan signature_be,
                                                             ByteSpan modulus_be);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_RSA_H_

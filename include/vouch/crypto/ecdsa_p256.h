// ECDSA over NIST P-256 with SHA-256 (FIPS 186-4): verification from raw r‖s (the encoding of
// SGX quotes and Intel's JSON collateral) and from DER (X.509), key generation and signing.
//
// Keys are immutable after construction and thread-safe to share.
#ifndef VOUCH_CRYPTO_ECDSA_P256_H_
#define VOUCH_CRYPTO_ECDSA_P256_H_

#include <array>
#include <memory>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"

namespace vouch {

namespace internal {
struct EcdsaKeyAccess;  // crypto/-internal construction from OpenSSL objects
}  // namespace internal

class EcdsaP256PublicKey {
 public:
  // From a 64-byte X‖Y (SGX attestation key) or a 65-byte 0x04‖X‖Y uncompressed point.
  // Rejects points not on the curve.
  static StatusOr<EcdsaP256PublicKey> FromPoint(ByteSpan point);
  // From a DER SubjectPublicKeyInfo; rejects other curves and algorithms.
  static StatusOr<EcdsaP256PublicKey> FromSpki(ByteSpan spki_der);

  // Both return OK, or kPermissionDenied (reason "signature_invalid") when the signature does
  // not verify, or kInvalidArgument when it is not a well-formed signature encoding.
  // `signature` is 64 bytes r‖s, each big-endian.
  Status VerifyRaw(ByteSpan message, ByteSpan signature) const;
  Status VerifyRawDigest(const Sha256Digest& digest, ByteSpan signature) const;
  // `signature` is a DER ECDSA-Sig-Value.
  Status VerifyDer(ByteSpan message, ByteSpan signature) const;

  // 65-byte uncompressed point 0x04‖X‖Y.
  const std::array<uint8_t, 65>& point() const { return point_; }
  Bytes SpkiDer() const;

  struct Impl;

 private:
  friend struct internal::EcdsaKeyAccess;
  EcdsaP256PublicKey(std::shared_ptr<const Impl> impl, const std::array<uint8_t, 65>& point)
      : impl_(std::move(impl)), point_(point) {}

  std::shared_ptr<const Impl> impl_;
  std::array<uint8_t, 65> point_;
};

class EcdsaP256PrivateKey {
 public:
  static StatusOr<EcdsaP256PrivateKey> Generate();
  // From a DER PKCS#8 PrivateKeyInfo holding a P-256 key.
  static StatusOr<EcdsaP256PrivateKey> FromPkcs8(ByteSpan der);

  SecretBytes ToPkcs8() const;
  const EcdsaP256PublicKey& public_key() const { return public_key_; }

  // Signs SHA-256(`message`); returns 64 bytes r‖s.
  StatusOr<Bytes> SignRaw(ByteSpan message) const;
  // Signs SHA-256(`message`); returns DER.
  StatusOr<Bytes> SignDer(ByteSpan message) const;

  struct Impl;

 private:
  friend struct internal::EcdsaKeyAccess;
  EcdsaP256PrivateKey(std::shared_ptr<const Impl> impl, EcdsaP256PublicKey public_key)
      : impl_(std::move(impl)), public_key_(std::move(public_key)) {}

  std::shared_ptr<const Impl> impl_;
  EcdsaP256PublicKey public_key_;
};

// DER ECDSA-Sig-Value ↔ 64-byte r‖s.
StatusOr<Bytes> EcdsaRawToDer(ByteSpan raw);
StatusOr<Bytes> EcdsaDerToRaw(ByteSpan der);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_ECDSA_P256_H_

// Signature keys behind two small interfaces (Tink's PublicKeyVerify / PublicKeySign), for
// everything that signs statements: DSSE envelopes (spec/governance.md §1), build provenance,
// root and broker keys. Two algorithms, each with exactly one accepted public-key encoding so
// that one key has one keyid (governance.md §1.2, §1.3):
//
//   algorithm           SubjectPublicKeyInfo DER (the only accepted form)         signature
//   Ed25519 (pure)      44 bytes: 302a300506032b6570032100 ‖ key[32]    (RFC 8410)  64 bytes (RFC
//   8032) ECDSA P-256+SHA256  91 bytes: 3059301306072a8648ce3d020106082a8648ce3d030107    strict
//   DER
//                       034200 ‖ 04 ‖ X[32] ‖ Y[32]                       (RFC 5480)
//                       Ecdsa-Sig-Value
//
// Anything else (compressed points, other curves or algorithms, explicit parameters, trailing
// bytes) is rejected with reason "key_malformed". keyid = lowercase hex SHA-256 of the SPKI DER.
//
// Key files are PEM exactly as `openssl genpkey` writes them: "PRIVATE KEY" (unencrypted PKCS#8)
// and "PUBLIC KEY" (SPKI, as `openssl pkey -pubout` writes). Private key files are written with
// mode 0600.
//
// PublicKeySign is an interface so that a key held elsewhere (an enclave, an HSM) can sign too;
// LocalSigningKey is the implementation for key material held in this process.
//
// Errors: kInvalidArgument with reason "key_malformed" for unusable key encodings;
// Verify() fails with kPermissionDenied, reason "signature_invalid", for a signature that does
// not verify or is not in its algorithm's encoding (64 bytes; strict DER); kUnavailable /
// kNotFound for unreadable files.
//
// Keys are immutable and thread-safe to share.
#ifndef VOUCH_CRYPTO_SIGNER_H_
#define VOUCH_CRYPTO_SIGNER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"

namespace vouch {

enum class SignatureAlgorithm : uint8_t {
  kEd25519 = 1,
  kEcdsaP256Sha256 = 2,
};

// "ed25519" / "ecdsa-p256-sha256".
std::string_view SignatureAlgorithmName(SignatureAlgorithm algorithm);

inline constexpr char kKeyMalformed[] = "key_malformed";
inline constexpr char kSignatureInvalid[] = "signature_invalid";
inline constexpr size_t kEd25519SpkiSize = 44;
inline constexpr size_t kEcdsaP256SpkiSize = 91;

class PublicKeyVerify {
 public:
  virtual ~PublicKeyVerify() = default;

  virtual SignatureAlgorithm algorithm() const = 0;
  // The key's SubjectPublicKeyInfo DER in the one accepted form (table above).
  virtual ByteSpan spki_der() const = 0;
  // OK when `signature` is a valid signature of `message` under this key; otherwise
  // kPermissionDenied with reason "signature_invalid" (also for a signature that is not 64
  // bytes, or not strict DER for ECDSA).
  virtual Status Verify(ByteSpan message, ByteSpan signature) const = 0;

  // SHA-256 of spki_der() and its lowercase hex: the key's keyid (governance.md §1.3).
  const Sha256Digest& key_digest() const { return key_digest_; }
  std::string KeyId() const;

 protected:
  explicit PublicKeyVerify(const Sha256Digest& key_digest) : key_digest_(key_digest) {}

 private:
  Sha256Digest key_digest_;
};

class PublicKeySign {
 public:
  virtual ~PublicKeySign() = default;

  // The public half; lives as long as this object.
  virtual const PublicKeyVerify& verifier() const = 0;
  // A signature of `message` (64 bytes for Ed25519; DER for ECDSA P-256 over SHA-256(message)).
  virtual StatusOr<Bytes> Sign(ByteSpan message) const = 0;
};

// hex(SHA-256(`spki_der`)): the keyid of a key with this SPKI.
std::string KeyIdOf(ByteSpan spki_der);

// Parses an SPKI in one of the two accepted forms; anything else is kInvalidArgument with reason
// "key_malformed" naming what is wrong. Points must lie on P-256.
StatusOr<std::shared_ptr<const PublicKeyVerify>> PublicKeyFromSpki(ByteSpan spki_der);
// Parses one "PUBLIC KEY" PEM block (surrounding white space allowed, nothing else) holding an
// accepted SPKI. kInvalidArgument, reason "key_malformed".
StatusOr<std::shared_ptr<const PublicKeyVerify>> PublicKeyFromPem(std::string_view pem);
// "-----BEGIN PUBLIC KEY-----\n", base64 in 64-character lines, "-----END PUBLIC KEY-----\n"
// (what `openssl pkey -pubout` writes).
std::string PublicKeyToPem(const PublicKeyVerify& key);

// True when `der` is an ECDSA-Sig-Value SEQUENCE { r INTEGER, s INTEGER } in strict DER:
// definite minimal lengths, minimal positive integers of at most 33 bytes, no trailing bytes.
bool IsStrictDerEcdsaSignature(ByteSpan der);

// A signing key held in this process's memory.
class LocalSigningKey final : public PublicKeySign {
 public:
  static StatusOr<std::unique_ptr<LocalSigningKey>> Generate(SignatureAlgorithm algorithm);
  // From the 32-byte RFC 8032 seed.
  static StatusOr<std::unique_ptr<LocalSigningKey>> FromEd25519Seed(ByteSpan seed);
  // From unencrypted PKCS#8 DER holding an Ed25519 or P-256 key (kInvalidArgument, reason
  // "key_malformed", otherwise).
  static StatusOr<std::unique_ptr<LocalSigningKey>> FromPkcs8Der(ByteSpan der);
  // From one "PRIVATE KEY" PEM block (unencrypted PKCS#8, as `openssl genpkey` writes). Other
  // labels ("EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY") are refused with a hint how to convert.
  static StatusOr<std::unique_ptr<LocalSigningKey>> FromPem(std::string_view pem);

  ~LocalSigningKey() override;
  LocalSigningKey(const LocalSigningKey&) = delete;
  LocalSigningKey& operator=(const LocalSigningKey&) = delete;

  const PublicKeyVerify& verifier() const override;
  StatusOr<Bytes> Sign(ByteSpan message) const override;

  // Unencrypted PKCS#8 PEM ("PRIVATE KEY"), readable by `openssl pkey`. Store it with mode 0600.
  StatusOr<SecretBytes> ToPkcs8Pem() const;

  struct Impl;

 private:
  explicit LocalSigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Key files. Reading: at most 64 KiB, else kInvalidArgument; unreadable files kUnavailable or
// kNotFound; malformed contents kInvalidArgument with reason "key_malformed" and the path in
// the message.
StatusOr<std::shared_ptr<const PublicKeyVerify>> ReadPublicKeyFile(const std::string& path);
StatusOr<std::unique_ptr<LocalSigningKey>> ReadSigningKeyFile(const std::string& path);
// Atomic writes: the private key with mode 0600, the public key with mode 0644.
Status WriteSigningKeyFile(const std::string& path, const LocalSigningKey& key);
Status WritePublicKeyFile(const std::string& path, const PublicKeyVerify& key);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_SIGNER_H_

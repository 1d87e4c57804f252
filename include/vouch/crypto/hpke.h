// HPKE, Hybrid Public Key Encryption (RFC 9180), base mode, built from OpenSSL 3.0 primitives
// (3.0 has no HPKE API): X25519 through EVP_PKEY_derive, HKDF-SHA256's two halves through
// HMAC-SHA256 (EVP_MAC), AES-GCM through EVP_CIPHER (spec/provisioning.md §1,
// docs/formats/provisioning-crypto.md).
//
// One KEM and one KDF: DHKEM(X25519, HKDF-SHA256) (0x0020) and HKDF-SHA256 (0x0001). AEADs:
//   Aead::kAes256Gcm  0x0002  Vouch's suite; the default everywhere
//   Aead::kAes128Gcm  0x0001  only so that RFC 9180 Appendix A.1 runs
//   Aead::kExportOnly 0xFFFF  the export interface alone (Seal/Open refuse)
// Auth and PSK modes are deliberately absent (provisioning.md §1.1 says why).
//
// Rules beyond the RFC's pseudo-code: every public key and `enc` is exactly 32 bytes; an
// all-zero X25519 output is refused by sender and recipient, checked here whatever OpenSSL does
// (RFC 9180 §7.1.4); a failed Open leaves no plaintext behind (its buffer is wiped); the sender's
// ephemeral key is DeriveKeyPair(ikmE) with 32 bytes of ikmE drawn from a RandomSource —
// SystemRandom() (the OS CSPRNG) unless a test injects the RFC vectors' ikmE.
//
// Errors (reasons are stable, for `--json`):
//   kInvalidArgument   "hpke_unsupported_suite"  a KEM, KDF or AEAD id other than those above
//   kInvalidArgument   "hpke_malformed"          a key, enc or ikm of the wrong size; a ciphertext
//                                                shorter than the tag; an export length out of
//                                                1..8160
//   kInvalidArgument   "hpke_invalid_key"        the X25519 output is all zero (a low-order
//                                                point) or OpenSSL refuses the key
//   kPermissionDenied  "hpke_open_failed"        authentication failed: wrong key, info, aad,
//                                                sequence number, or altered bytes
//   kFailedPrecondition "hpke_export_only"       Seal/Open on an export-only context
//   kFailedPrecondition "hpke_message_limit"     the sequence number is exhausted
//   kInternal                                    OpenSSL or the RandomSource failed
//
// Thread-safety: free functions are thread-safe. Contexts are thread-compatible (Seal and Open
// advance a sequence number); move-only, and they wipe their keys on destruction.
#ifndef VOUCH_CRYPTO_HPKE_H_
#define VOUCH_CRYPTO_HPKE_H_

#include <array>
#include <cstdint>
#include <memory>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/random_source.h"
#include "vouch/crypto/x25519.h"

namespace vouch::hpke {

inline constexpr uint16_t kKemX25519HkdfSha256 = 0x0020;
inline constexpr uint16_t kKdfHkdfSha256 = 0x0001;
enum class Aead : uint16_t { kAes128Gcm = 0x0001, kAes256Gcm = 0x0002, kExportOnly = 0xFFFF };

inline constexpr size_t kEncSize = 32;           // Nenc
inline constexpr size_t kPublicKeySize = 32;     // Npk
inline constexpr size_t kPrivateKeySize = 32;    // Nsk
inline constexpr size_t kSharedSecretSize = 32;  // Nsecret
inline constexpr size_t kNonceSize = 12;         // Nn (both AES-GCM AEADs)
inline constexpr size_t kTagSize = 16;           // Nt (both AES-GCM AEADs)
inline constexpr size_t kMaxExportSize = 255 * 32;

inline constexpr char kReasonUnsupportedSuite[] = "hpke_unsupported_suite";
inline constexpr char kReasonMalformed[] = "hpke_malformed";
inline constexpr char kReasonInvalidKey[] = "hpke_invalid_key";
inline constexpr char kReasonOpenFailed[] = "hpke_open_failed";
inline constexpr char kReasonExportOnly[] = "hpke_export_only";
inline constexpr char kReasonMessageLimit[] = "hpke_message_limit";

using Enc = std::array<uint8_t, kEncSize>;
using PublicKey = std::array<uint8_t, kPublicKeySize>;

// The AEAD of the suite (kem_id, kdf_id, aead_id), as written in an envelope's `hpke` object;
// any other suite is kInvalidArgument "hpke_unsupported_suite".
StatusOr<Aead> SuiteAead(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id);

// DeriveKeyPair (RFC 9180 §7.1.3): sk = LabeledExpand(LabeledExtract("", "dkp_prk", ikm), "sk",
// "", 32). REQUIRES: `ikm` has at least 32 bytes (else "hpke_malformed").
StatusOr<X25519PrivateKey> DeriveKeyPair(ByteSpan ikm);

// The result of Encap (RFC 9180 §4.1): the KEM shared secret and `enc` (the ephemeral public
// key), with the recipient key they were made for.
struct Encapsulation {
  SecretBytes shared_secret;
  Enc enc{};
  PublicKey recipient{};
};

// Encap(pkR): a fresh ephemeral key DeriveKeyPair(ikmE), ikmE = 32 bytes from `rng`;
// dh = X25519(skE, pkR); shared_secret = ExtractAndExpand(dh, enc ‖ pkR).
StatusOr<Encapsulation> Encap(ByteSpan recipient_public_key, RandomSource& rng = SystemRandom());
// Decap(enc, skR): the same shared secret from the recipient's key.
StatusOr<SecretBytes> Decap(ByteSpan enc, const X25519PrivateKey& recipient_key);

namespace internal {
struct ContextState;
}

// ContextS of RFC 9180 §5.2: Seal with sequence numbers 0, 1, …, and Export.
class SenderContext {
 public:
  // SetupBaseS(pkR, info) = Encap + KeySchedule(mode_base).
  static StatusOr<SenderContext> SetupBase(ByteSpan recipient_public_key, ByteSpan info,
                                           Aead aead = Aead::kAes256Gcm,
                                           RandomSource& rng = SystemRandom());
  // KeySchedule(mode_base) over an earlier Encap, for a sender that must encapsulate before it
  // knows `info` (the broker checks the enclave key at step 10 and seals at step 17).
  static StatusOr<SenderContext> FromEncapsulation(const Encapsulation& encapsulation,
                                                   ByteSpan info, Aead aead = Aead::kAes256Gcm);

  SenderContext(SenderContext&&) noexcept;
  SenderContext& operator=(SenderContext&&) noexcept;
  ~SenderContext();

  const Enc& enc() const;
  // ct ‖ tag of `plaintext` under the next sequence number, which then advances.
  StatusOr<Bytes> Seal(ByteSpan aad, ByteSpan plaintext);
  // LabeledExpand(exporter_secret, "sec", exporter_context, length); 1 <= length <= 8160.
  StatusOr<SecretBytes> Export(ByteSpan exporter_context, size_t length) const;
  uint64_t sequence_number() const;

 private:
  explicit SenderContext(std::unique_ptr<internal::ContextState> state);
  std::unique_ptr<internal::ContextState> state_;
};

// ContextR of RFC 9180 §5.2: Open with sequence numbers 0, 1, …, and Export.
class RecipientContext {
 public:
  // SetupBaseR(enc, skR, info) = Decap + KeySchedule(mode_base).
  static StatusOr<RecipientContext> SetupBase(ByteSpan enc, const X25519PrivateKey& recipient_key,
                                              ByteSpan info, Aead aead = Aead::kAes256Gcm);

  RecipientContext(RecipientContext&&) noexcept;
  RecipientContext& operator=(RecipientContext&&) noexcept;
  ~RecipientContext();

  // The plaintext of ct ‖ tag under the current sequence number, which advances only on
  // success. On failure nothing is returned and the working buffer is wiped.
  StatusOr<SecretBytes> Open(ByteSpan aad, ByteSpan ciphertext);
  StatusOr<SecretBytes> Export(ByteSpan exporter_context, size_t length) const;
  uint64_t sequence_number() const;

 private:
  explicit RecipientContext(std::unique_ptr<internal::ContextState> state);
  std::unique_ptr<internal::ContextState> state_;
};

// Single-shot encryption (RFC 9180 §6.1): `enc` and ct ‖ tag under sequence number 0.
struct Ciphertext {
  Enc enc{};
  Bytes ct;
};
StatusOr<Ciphertext> SealBase(ByteSpan recipient_public_key, ByteSpan info, ByteSpan aad,
                              ByteSpan plaintext, Aead aead = Aead::kAes256Gcm,
                              RandomSource& rng = SystemRandom());
StatusOr<SecretBytes> OpenBase(ByteSpan enc, const X25519PrivateKey& recipient_key, ByteSpan info,
                               ByteSpan aad, ByteSpan ciphertext, Aead aead = Aead::kAes256Gcm);

}  // namespace vouch::hpke

#endif  // VOUCH_CRYPTO_HPKE_H_

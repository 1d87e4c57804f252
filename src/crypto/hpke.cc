#include "vouch/crypto/hpke.h"

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>

#include "crypto/hkdf_internal.h"
#include "crypto/hpke_internal.h"
#include "crypto/ossl_ptr.h"
#include "vouch/base/byte_writer.h"
#include "vouch/crypto/aes_gcm.h"

namespace vouch::hpke {
namespace {

constexpr std::string_view kVersionLabel = "HPKE-v1";

Status Malformed(std::string message) {
  return MalformedError(kReasonMalformed, std::move(message));
}
Status InvalidKey(std::string message) {
  return MalformedError(kReasonInvalidKey, std::move(message));
}

// suite_id inside the KEM: "KEM" ‖ I2OSP(kem_id, 2) (RFC 9180 §4.1).
Bytes KemSuiteId() {
  ByteWriter id;
  id.WriteBytes(AsBytes("KEM"));
  id.WriteU16Be(kKemX25519HkdfSha256);
  return std::move(id).Finish();
}

// suite_id of the key schedule: "HPKE" ‖ kem_id ‖ kdf_id ‖ aead_id (RFC 9180 §5.1).
Bytes HpkeSuiteId(Aead aead) {
  ByteWriter id;
  id.WriteBytes(AsBytes("HPKE"));
  id.WriteU16Be(kKemX25519HkdfSha256);
  id.WriteU16Be(kKdfHkdfSha256);
  id.WriteU16Be(static_cast<uint16_t>(aead));
  return std::move(id).Finish();
}

// Nk of each AEAD; fails for ids outside the three supported.
StatusOr<size_t> KeySize(Aead aead) {
  switch (aead) {
    case Aead::kAes128Gcm:
      return size_t{16};
    case Aead::kAes256Gcm:
      return size_t{32};
    case Aead::kExportOnly:
      return size_t{0};
  }
  return MalformedError(kReasonUnsupportedSuite,
                        "unsupported HPKE AEAD id " + std::to_string(static_cast<int>(aead)));
}

// LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm). The
// labeled input holds the IKM (a DH output or a shared secret), so it is a SecretBytes.
StatusOr<SecretBytes> LabeledExtract(ByteSpan suite_id, ByteSpan salt, std::string_view label,
                                     ByteSpan ikm) {
  SecretBytes labeled(kVersionLabel.size() + suite_id.size() + label.size() + ikm.size());
  uint8_t* p = labeled.mutable_data();
  p = std::copy(kVersionLabel.begin(), kVersionLabel.end(), p);
  p = std::copy(suite_id.begin(), suite_id.end(), p);
  p = std::copy(label.begin(), label.end(), p);
  std::copy(ikm.begin(), ikm.end(), p);
  return vouch::internal::HkdfSha256Extract(salt, labeled.Reveal());
}

// LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label
// ‖ info, L).
StatusOr<SecretBytes> LabeledExpand(ByteSpan suite_id, const SecretBytes& prk,
                                    std::string_view label, ByteSpan info, size_t length) {
  if (length == 0 || length > kMaxExportSize) {
    return Malformed("HPKE output length must be 1.." + std::to_string(kMaxExportSize) +
                     " bytes, got " + std::to_string(length));
  }
  ByteWriter labeled;
  labeled.Reserve(2 + kVersionLabel.size() + suite_id.size() + label.size() + info.size());
  labeled.WriteU16Be(static_cast<uint16_t>(length));
  labeled.WriteBytes(AsBytes(kVersionLabel));
  labeled.WriteBytes(suite_id);
  labeled.WriteBytes(AsBytes(label));
  labeled.WriteBytes(info);
  return vouch::internal::HkdfSha256Expand(prk.Reveal(), labeled.view(), length);
}

// X25519(sk, peer), refusing a low-order peer key (the all-zero check of RFC 9180 §7.1.4).
StatusOr<SecretBytes> Dh(const X25519PrivateKey& sk, ByteSpan peer) {
  if (peer.size() != kPublicKeySize) {
    return Malformed("an X25519 public key must be 32 bytes, got " + std::to_string(peer.size()));
  }
  auto shared = sk.Agree(peer);
  if (shared.status().code() == StatusCode::kInvalidArgument) {
    return InvalidKey("X25519 refused the public key: " + shared.status().message());
  }
  return shared;
}

// ExtractAndExpand(dh, kem_context) of DHKEM (RFC 9180 §4.1), kem_context = enc ‖ pkR.
StatusOr<SecretBytes> ExtractAndExpand(const SecretBytes& dh, const Enc& enc,
                                       const PublicKey& recipient) {
  const Bytes suite = KemSuiteId();
  VOUCH_ASSIGN_OR_RETURN(SecretBytes eae_prk, LabeledExtract(suite, {}, "eae_prk", dh.Reveal()));
  Bytes kem_context(enc.begin(), enc.end());
  Append(kem_context, recipient);
  return LabeledExpand(suite, eae_prk, "shared_secret", kem_context, kSharedSecretSize);
}

// AES-128-GCM for AEAD 0x0001, which Vouch uses only to run RFC 9180 A.1 (aes_gcm.h is
// AES-256 only and stays so). Messages above 1 GiB are refused rather than chunked.
constexpr size_t kMaxAes128Input = size_t{1} << 30;

StatusOr<Bytes> Aes128GcmSeal(const SecretBytes& key, ByteSpan nonce, ByteSpan plaintext,
                              ByteSpan aad) {
  if (plaintext.size() > kMaxAes128Input || aad.size() > kMaxAes128Input) {
    return Malformed("AES-128-GCM input above 1 GiB");
  }
  vouch::internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  Bytes out(plaintext.size() + kTagSize);
  int len = 0;
  int final_len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.Reveal().data(),
                         nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          out.data() + plaintext.size()) != 1) {
    return vouch::internal::OsslError("AES-128-GCM seal");
  }
  return out;
}

StatusOr<SecretBytes> Aes128GcmOpen(const SecretBytes& key, ByteSpan nonce, ByteSpan ciphertext,
                                    ByteSpan aad) {
  if (ciphertext.size() > kMaxAes128Input || aad.size() > kMaxAes128Input) {
    return Malformed("AES-128-GCM input above 1 GiB");
  }
  size_t ct_len = ciphertext.size() - kTagSize;  // REQUIRES: size >= kTagSize (checked by Open)
  vouch::internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  SecretBytes out(ct_len);  // wiped by its destructor on every failure path
  uint8_t tag[kTagSize];
  std::copy_n(ciphertext.data() + ct_len, kTagSize, tag);
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.Reveal().data(),
                         nonce.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out.mutable_data(), &len, ciphertext.data(),
                        static_cast<int>(ct_len)) != 1) {
    return vouch::internal::OsslError("AES-128-GCM open");
  }
  int final_len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.mutable_data() + len, &final_len) != 1) {
    vouch::internal::ClearOsslErrors();
    return RejectedError(kReasonOpenFailed, "HPKE open failed: wrong key or tampered data");
  }
  return out;
}

StatusOr<SecretBytes> ExportFrom(const internal::ContextState& state, ByteSpan exporter_context,
                                 size_t length) {
  return LabeledExpand(HpkeSuiteId(state.schedule.aead), state.schedule.exporter_secret, "sec",
                       exporter_context, length);
}

Status CheckCanEncrypt(const internal::ContextState& state) {
  if (state.schedule.aead == Aead::kExportOnly) {
    return Status(StatusCode::kFailedPrecondition,
                  "an export-only HPKE context cannot seal or open", kReasonExportOnly);
  }
  // RFC 9180 stops at 2^96 - 1 messages; a 64-bit counter stops earlier, never wraps.
  if (state.seq == std::numeric_limits<uint64_t>::max()) {
    return Status(StatusCode::kFailedPrecondition, "HPKE sequence number exhausted",
                  kReasonMessageLimit);
  }
  return OkStatus();
}

}  // namespace

namespace internal {

StatusOr<KeySchedule> KeyScheduleBase(Aead aead, const SecretBytes& shared_secret, ByteSpan info) {
  VOUCH_ASSIGN_OR_RETURN(size_t key_size, KeySize(aead));
  if (shared_secret.size() != kSharedSecretSize) {
    return Malformed("the HPKE shared secret must be 32 bytes");
  }
  const Bytes suite = HpkeSuiteId(aead);
  KeySchedule out;
  out.aead = aead;
  VOUCH_ASSIGN_OR_RETURN(SecretBytes psk_id_hash, LabeledExtract(suite, {}, "psk_id_hash", {}));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes info_hash, LabeledExtract(suite, {}, "info_hash", info));
  out.context.push_back(0x00);  // mode_base
  Append(out.context, psk_id_hash.Reveal());
  Append(out.context, info_hash.Reveal());
  VOUCH_ASSIGN_OR_RETURN(out.secret, LabeledExtract(suite, shared_secret.Reveal(), "secret", {}));
  if (key_size > 0) {
    VOUCH_ASSIGN_OR_RETURN(out.key, LabeledExpand(suite, out.secret, "key", out.context, key_size));
    VOUCH_ASSIGN_OR_RETURN(out.base_nonce,
                           LabeledExpand(suite, out.secret, "base_nonce", out.context, kNonceSize));
  }
  VOUCH_ASSIGN_OR_RETURN(out.exporter_secret,
                         LabeledExpand(suite, out.secret, "exp", out.context, kSharedSecretSize));
  return out;
}

std::array<uint8_t, kNonceSize> ComputeNonce(const SecretBytes& base_nonce, uint64_t seq) {
  std::array<uint8_t, kNonceSize> nonce{};
  std::copy_n(base_nonce.Reveal().begin(), kNonceSize, nonce.begin());
  for (size_t i = 0; i < 8; ++i) {
    nonce[kNonceSize - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  }
  return nonce;
}

}  // namespace internal

StatusOr<Aead> SuiteAead(uint16_t kem_id, uint16_t kdf_id, uint16_t aead_id) {
  if (kem_id != kKemX25519HkdfSha256 || kdf_id != kKdfHkdfSha256) {
    return MalformedError(kReasonUnsupportedSuite,
                          "unsupported HPKE suite: KEM " + std::to_string(kem_id) + ", KDF " +
                              std::to_string(kdf_id) + " (supported: KEM 32, KDF 1)");
  }
  Aead aead = static_cast<Aead>(aead_id);
  VOUCH_RETURN_IF_ERROR(KeySize(aead).status());
  return aead;
}

StatusOr<X25519PrivateKey> DeriveKeyPair(ByteSpan ikm) {
  if (ikm.size() < kPrivateKeySize) {
    return Malformed("DeriveKeyPair needs at least 32 bytes of input keying material, got " +
                     std::to_string(ikm.size()));
  }
  const Bytes suite = KemSuiteId();
  VOUCH_ASSIGN_OR_RETURN(SecretBytes dkp_prk, LabeledExtract(suite, {}, "dkp_prk", ikm));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes sk, LabeledExpand(suite, dkp_prk, "sk", {}, kPrivateKeySize));
  return X25519PrivateKey::FromBytes(sk.Reveal());
}

StatusOr<Encapsulation> Encap(ByteSpan recipient_public_key, RandomSource& rng) {
  if (recipient_public_key.size() != kPublicKeySize) {
    return Malformed("the HPKE recipient public key must be 32 bytes, got " +
                     std::to_string(recipient_public_key.size()));
  }
  SecretBytes ikm_e(kPrivateKeySize);
  VOUCH_RETURN_IF_ERROR(rng.Fill(std::span<uint8_t>(ikm_e.mutable_data(), ikm_e.size())));
  VOUCH_ASSIGN_OR_RETURN(X25519PrivateKey ephemeral, DeriveKeyPair(ikm_e.Reveal()));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes dh, Dh(ephemeral, recipient_public_key));
  Encapsulation out;
  out.enc = ephemeral.public_key();
  std::copy(recipient_public_key.begin(), recipient_public_key.end(), out.recipient.begin());
  VOUCH_ASSIGN_OR_RETURN(out.shared_secret, ExtractAndExpand(dh, out.enc, out.recipient));
  return out;
}

StatusOr<SecretBytes> Decap(ByteSpan enc, const X25519PrivateKey& recipient_key) {
  if (enc.size() != kEncSize) {
    return Malformed("HPKE enc must be 32 bytes, got " + std::to_string(enc.size()));
  }
  VOUCH_ASSIGN_OR_RETURN(SecretBytes dh, Dh(recipient_key, enc));
  Enc e{};
  std::copy(enc.begin(), enc.end(), e.begin());
  return ExtractAndExpand(dh, e, recipient_key.public_key());
}

// ---- SenderContext ----

SenderContext::SenderContext(std::unique_ptr<internal::ContextState> state)
    : state_(std::move(state)) {}
SenderContext::SenderContext(SenderContext&&) noexcept = default;
SenderContext& SenderContext::operator=(SenderContext&&) noexcept = default;
SenderContext::~SenderContext() = default;

StatusOr<SenderContext> SenderContext::SetupBase(ByteSpan recipient_public_key, ByteSpan info,
                                                 Aead aead, RandomSource& rng) {
  VOUCH_RETURN_IF_ERROR(KeySize(aead).status());  // before the costly Encap
  VOUCH_ASSIGN_OR_RETURN(Encapsulation encapsulation, Encap(recipient_public_key, rng));
  return FromEncapsulation(encapsulation, info, aead);
}

StatusOr<SenderContext> SenderContext::FromEncapsulation(const Encapsulation& encapsulation,
                                                         ByteSpan info, Aead aead) {
  auto state = std::make_unique<internal::ContextState>();
  VOUCH_ASSIGN_OR_RETURN(state->schedule,
                         internal::KeyScheduleBase(aead, encapsulation.shared_secret, info));
  state->enc = encapsulation.enc;
  return SenderContext(std::move(state));
}

const Enc& SenderContext::enc() const { return state_->enc; }
uint64_t SenderContext::sequence_number() const { return state_->seq; }

StatusOr<Bytes> SenderContext::Seal(ByteSpan aad, ByteSpan plaintext) {
  VOUCH_RETURN_IF_ERROR(CheckCanEncrypt(*state_));
  const internal::KeySchedule& ks = state_->schedule;
  auto nonce = internal::ComputeNonce(ks.base_nonce, state_->seq);
  StatusOr<Bytes> ct = ks.aead == Aead::kAes256Gcm ? Aes256GcmSeal(ks.key, nonce, plaintext, aad)
                                                   : Aes128GcmSeal(ks.key, nonce, plaintext, aad);
  if (ct.ok()) ++state_->seq;
  return ct;
}

StatusOr<SecretBytes> SenderContext::Export(ByteSpan exporter_context, size_t length) const {
  return ExportFrom(*state_, exporter_context, length);
}

// ---- RecipientContext ----

RecipientContext::RecipientContext(std::unique_ptr<internal::ContextState> state)
    : state_(std::move(state)) {}
RecipientContext::RecipientContext(RecipientContext&&) noexcept = default;
RecipientContext& RecipientContext::operator=(RecipientContext&&) noexcept = default;
RecipientContext::~RecipientContext() = default;

StatusOr<RecipientContext> RecipientContext::SetupBase(ByteSpan enc,
                                                       const X25519PrivateKey& recipient_key,
                                                       ByteSpan info, Aead aead) {
  VOUCH_RETURN_IF_ERROR(KeySize(aead).status());
  VOUCH_ASSIGN_OR_RETURN(SecretBytes shared_secret, Decap(enc, recipient_key));
  auto state = std::make_unique<internal::ContextState>();
  VOUCH_ASSIGN_OR_RETURN(state->schedule, internal::KeyScheduleBase(aead, shared_secret, info));
  std::copy(enc.begin(), enc.end(), state->enc.begin());
  return RecipientContext(std::move(state));
}

uint64_t RecipientContext::sequence_number() const { return state_->seq; }

StatusOr<SecretBytes> RecipientContext::Open(ByteSpan aad, ByteSpan ciphertext) {
  VOUCH_RETURN_IF_ERROR(CheckCanEncrypt(*state_));
  if (ciphertext.size() < kTagSize) {
    return Malformed("HPKE ciphertext of " + std::to_string(ciphertext.size()) +
                     " bytes is shorter than its 16-byte tag");
  }
  const internal::KeySchedule& ks = state_->schedule;
  auto nonce = internal::ComputeNonce(ks.base_nonce, state_->seq);
  StatusOr<SecretBytes> pt = ks.aead == Aead::kAes256Gcm
                                 ? Aes256GcmOpen(ks.key, nonce, ciphertext, aad)
                                 : Aes128GcmOpen(ks.key, nonce, ciphertext, aad);
  if (!pt.ok()) {
    if (pt.status().code() == StatusCode::kPermissionDenied) {
      return RejectedError(kReasonOpenFailed,
                           "HPKE open failed: wrong key, info or aad, or tampered data");
    }
    return pt.status();
  }
  ++state_->seq;
  return pt;
}

StatusOr<SecretBytes> RecipientContext::Export(ByteSpan exporter_context, size_t length) const {
  return ExportFrom(*state_, exporter_context, length);
}

// ---- single shot ----

StatusOr<Ciphertext> SealBase(ByteSpan recipient_public_key, ByteSpan info, ByteSpan aad,
                              ByteSpan plaintext, Aead aead, RandomSource& rng) {
  VOUCH_ASSIGN_OR_RETURN(SenderContext ctx,
                         SenderContext::SetupBase(recipient_public_key, info, aead, rng));
  Ciphertext out;
  VOUCH_ASSIGN_OR_RETURN(out.ct, ctx.Seal(aad, plaintext));
  out.enc = ctx.enc();
  return out;
}

StatusOr<SecretBytes> OpenBase(ByteSpan enc, const X25519PrivateKey& recipient_key, ByteSpan info,
                               ByteSpan aad, ByteSpan ciphertext, Aead aead) {
  VOUCH_ASSIGN_OR_RETURN(RecipientContext ctx,
                         RecipientContext::SetupBase(enc, recipient_key, info, aead));
  return ctx.Open(aad, ciphertext);
}

}  // namespace vouch::hpke

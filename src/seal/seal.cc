#include "vouch/seal/seal.h"

#include <algorithm>
#include <cstring>

#include "seal/nonce_source.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/aes_gcm.h"
#include "vouch/crypto/aes_gcm_key.h"
#include "vouch/crypto/random.h"
#include "vouch/seal/reasons.h"

namespace vouch::seal {
namespace {

constexpr size_t kMaxCachedKeys = 64;

Status Malformed(const std::string& message) {
  return MalformedError(reasons::kSealedBlobMalformed, "sealed blob: " + message);
}

std::string ShortHex(ByteSpan b) { return HexEncode(b.first(8)) + "…"; }

// The identity checks that need no key: the blob must be for this enclave's policy identity
// and product, and its SVN not above this enclave's.
Status CheckFor(const platform::EnclaveIdentity& me, const SealedBlobHeader& h) {
  const auto& mine = h.policy == SealPolicy::kMrEnclave ? me.mr_enclave : me.mr_signer;
  if (h.identity != mine) {
    const char* what = h.policy == SealPolicy::kMrEnclave ? "MRENCLAVE" : "MRSIGNER";
    return RejectedError(reasons::kSealIdentityMismatch,
                         std::string("sealed to ") + what + " " + ShortHex(h.identity) +
                             ", but this enclave's " + what + " is " + ShortHex(mine));
  }
  if (h.product_id != me.product_id) {
    return RejectedError(reasons::kSealProductMismatch,
                         "sealed by product " + std::to_string(h.product_id) +
                             ", but this enclave is product " + std::to_string(me.product_id));
  }
  if (h.isv_svn > me.isv_svn) {
    return RejectedError(reasons::kSealSvnTooNew, "sealed by ISV SVN " + std::to_string(h.isv_svn) +
                                                      "; this enclave has ISV SVN " +
                                                      std::to_string(me.isv_svn) +
                                                      " and cannot derive keys of a higher SVN");
  }
  return OkStatus();
}

Status OpenFailed() {
  return RejectedError(reasons::kSealOpenFailed,
                       "authentication failed: the blob was sealed on another platform or by a "
                       "debug/non-debug twin, the associated data differs, or it was altered");
}

}  // namespace

StatusOr<SealedBlobHeader> SealedBlobHeader::Parse(ByteSpan blob) {
  if (blob.size() < kSealedBlobOverhead) {
    return Malformed("truncated: " + std::to_string(blob.size()) +
                     " bytes, a sealed blob has at least " + std::to_string(kSealedBlobOverhead));
  }
  if (!EqualBytes(kSealedBlobMagic, blob.first(4))) {
    return Malformed("not a Vouch sealed blob (magic is not \"VSL1\")");
  }
  SealedBlobHeader h;
  uint16_t version = LoadU16Le(blob.data() + 4);
  if (version != kSealedBlobVersion) {
    return Malformed("format version " + std::to_string(version) + " is not supported");
  }
  uint8_t policy = blob[6];
  if (policy != static_cast<uint8_t>(SealPolicy::kMrEnclave) &&
      policy != static_cast<uint8_t>(SealPolicy::kMrSigner)) {
    return Malformed("unknown policy " + std::to_string(policy));
  }
  h.policy = static_cast<SealPolicy>(policy);
  if (blob[7] != 0) return Malformed("reserved flags are not zero");
  h.isv_svn = LoadU16Le(blob.data() + 8);
  h.product_id = LoadU16Le(blob.data() + 10);
  std::copy_n(blob.data() + 12, 32, h.identity.begin());
  std::copy_n(blob.data() + 44, 16, h.key_id.begin());
  std::copy_n(blob.data() + 60, 12, h.nonce.begin());
  h.ciphertext_size = LoadU64Le(blob.data() + 72);
  uint64_t present = blob.size() - kSealedBlobOverhead;
  if (h.ciphertext_size != present) {
    return Malformed("the header states " + std::to_string(h.ciphertext_size) +
                     " bytes of ciphertext but the blob holds " + std::to_string(present) +
                     " (truncated or extended)");
  }
  return h;
}

std::array<uint8_t, kSealedBlobHeaderSize> SealedBlobHeader::Encode() const {
  std::array<uint8_t, kSealedBlobHeaderSize> out{};
  std::copy(kSealedBlobMagic.begin(), kSealedBlobMagic.end(), out.begin());
  StoreU16Le(out.data() + 4, kSealedBlobVersion);
  out[6] = static_cast<uint8_t>(policy);
  out[7] = 0;
  StoreU16Le(out.data() + 8, isv_svn);
  StoreU16Le(out.data() + 10, product_id);
  std::copy(identity.begin(), identity.end(), out.begin() + 12);
  std::copy(key_id.begin(), key_id.end(), out.begin() + 44);
  std::copy(nonce.begin(), nonce.end(), out.begin() + 60);
  StoreU64Le(out.data() + 72, ciphertext_size);
  return out;
}

struct Sealer::Impl {
  const platform::Platform* platform;
  std::array<uint8_t, 16> key_id{};
  struct Entry {
    SealPolicy policy;
    uint16_t isv_svn;
    std::array<uint8_t, 16> key_id;
    Aes256GcmKey key;
  };
  std::vector<Entry> keys;  // most recently added last
  Bytes aad_buffer;         // header ‖ caller aad, reused
  internal::NonceSource nonces;

  StatusOr<Aes256GcmKey*> KeyFor(SealPolicy policy, uint16_t svn,
                                 const std::array<uint8_t, 16>& id) {
    for (Entry& e : keys) {
      if (e.policy == policy && e.isv_svn == svn && e.key_id == id) return &e.key;
    }
    VOUCH_ASSIGN_OR_RETURN(SecretBytes raw, platform->SealKey({policy, svn, id}));
    VOUCH_ASSIGN_OR_RETURN(Aes256GcmKey key, Aes256GcmKey::Create(raw));
    if (keys.size() >= kMaxCachedKeys) keys.erase(keys.begin());
    keys.push_back({policy, svn, id, std::move(key)});
    return &keys.back().key;
  }

  ByteSpan Aad(const std::array<uint8_t, kSealedBlobHeaderSize>& header, ByteSpan aad) {
    aad_buffer.assign(header.begin(), header.end());
    aad_buffer.insert(aad_buffer.end(), aad.begin(), aad.end());
    return aad_buffer;
  }
};

Sealer::Sealer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Sealer::Sealer(Sealer&&) noexcept = default;
Sealer& Sealer::operator=(Sealer&&) noexcept = default;
Sealer::~Sealer() = default;

StatusOr<Sealer> Sealer::Create(const platform::Platform& platform) {
  auto impl = std::make_unique<Impl>();
  impl->platform = &platform;
  VOUCH_ASSIGN_OR_RETURN(Bytes id, RandomBytes(16));
  std::copy(id.begin(), id.end(), impl->key_id.begin());
  return Sealer(std::move(impl));
}

Status Sealer::SealTo(SealPolicy policy, ByteSpan plaintext, ByteSpan aad, Bytes& out) {
  const platform::EnclaveIdentity& me = impl_->platform->identity();
  SealedBlobHeader h;
  h.policy = policy;
  h.isv_svn = me.isv_svn;
  h.product_id = me.product_id;
  h.identity = policy == SealPolicy::kMrEnclave ? me.mr_enclave : me.mr_signer;
  h.key_id = impl_->key_id;
  h.ciphertext_size = plaintext.size();
  // A fresh random nonce per blob: the key is shared by this sealer's blobs.
  VOUCH_RETURN_IF_ERROR(impl_->nonces.Next(h.nonce));
  VOUCH_ASSIGN_OR_RETURN(Aes256GcmKey * key, impl_->KeyFor(policy, h.isv_svn, h.key_id));
  std::array<uint8_t, kSealedBlobHeaderSize> header = h.Encode();
  out.resize(kSealedBlobOverhead + plaintext.size());
  std::copy(header.begin(), header.end(), out.begin());
  return key->Seal(h.nonce, plaintext, impl_->Aad(header, aad),
                   std::span<uint8_t>(out).subspan(kSealedBlobHeaderSize));
}

StatusOr<Bytes> Sealer::Seal(SealPolicy policy, ByteSpan plaintext, ByteSpan aad) {
  Bytes out;
  VOUCH_RETURN_IF_ERROR(SealTo(policy, plaintext, aad, out));
  return out;
}

Status Sealer::UnsealTo(ByteSpan blob, ByteSpan aad, SecretBytes& out) {
  auto fail = [&](Status s) {
    if (!out.empty()) SecureWipe(out.mutable_data(), out.size());
    return s;
  };
  auto h = SealedBlobHeader::Parse(blob);
  if (!h.ok()) return fail(h.status());
  if (Status s = CheckFor(impl_->platform->identity(), *h); !s.ok()) return fail(s);
  auto key = impl_->KeyFor(h->policy, h->isv_svn, h->key_id);
  if (!key.ok()) return fail(key.status());
  if (out.size() != h->ciphertext_size) out = SecretBytes(h->ciphertext_size);
  // The header bytes as received (Parse accepted exactly one encoding of them).
  std::array<uint8_t, kSealedBlobHeaderSize> header;
  std::copy_n(blob.begin(), kSealedBlobHeaderSize, header.begin());
  Status opened =
      (*key)->Open(h->nonce, blob.subspan(kSealedBlobHeaderSize), impl_->Aad(header, aad),
                   std::span<uint8_t>(out.mutable_data(), out.size()));
  if (!opened.ok()) return fail(opened.reason() == "aead_open_failed" ? OpenFailed() : opened);
  return OkStatus();
}

StatusOr<SecretBytes> Sealer::Unseal(ByteSpan blob, ByteSpan aad) {
  SecretBytes out;
  VOUCH_RETURN_IF_ERROR(UnsealTo(blob, aad, out));
  return out;
}

StatusOr<Bytes> Seal(const platform::Platform& platform, SealPolicy policy,
                     const SecretBytes& plaintext, ByteSpan aad) {
  VOUCH_ASSIGN_OR_RETURN(Sealer sealer, Sealer::Create(platform));
  return sealer.Seal(policy, plaintext.Reveal(), aad);
}

StatusOr<SecretBytes> Unseal(const platform::Platform& platform, ByteSpan blob, ByteSpan aad) {
  VOUCH_ASSIGN_OR_RETURN(Sealer sealer, Sealer::Create(platform));
  return sealer.Unseal(blob, aad);
}

}  // namespace vouch::seal

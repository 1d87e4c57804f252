#include "vouch/crypto/aes_gcm_key.h"

#include <algorithm>

#include "crypto/ossl_ptr.h"
#include "vouch/crypto/aes_gcm.h"

namespace vouch {

struct Aes256GcmKey::Impl {
  internal::EvpCipherCtxPtr enc;
  internal::EvpCipherCtxPtr dec;
};

namespace {

// EVP lengths are int; feed large inputs in chunks.
constexpr size_t kUpdateChunk = size_t{1} << 30;

bool Overlaps(ByteSpan a, std::span<uint8_t> b) {
  if (a.empty() || b.empty()) return false;
  const uint8_t* a0 = a.data();
  const uint8_t* b0 = b.data();
  return a0 < b0 + b.size() && b0 < a0 + a.size();
}

// Feeds `in` through EVP_CipherUpdate (in chunks), writing to `out` when non-null.
bool Update(EVP_CIPHER_CTX* ctx, ByteSpan in, uint8_t* out) {
  int len = 0;
  size_t written = 0;
  for (size_t off = 0; off < in.size(); off += kUpdateChunk) {
    size_t n = std::min(kUpdateChunk, in.size() - off);
    if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + written, &len, in.data() + off,
                         static_cast<int>(n)) != 1) {
      return false;
    }
    written += static_cast<size_t>(len);
  }
  return true;
}

}  // namespace

Aes256GcmKey::Aes256GcmKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Aes256GcmKey::Aes256GcmKey(Aes256GcmKey&&) noexcept = default;
Aes256GcmKey& Aes256GcmKey::operator=(Aes256GcmKey&&) noexcept = default;
Aes256GcmKey::~Aes256GcmKey() = default;  // EVP_CIPHER_CTX_free cleanses the key schedule

StatusOr<Aes256GcmKey> Aes256GcmKey::Create(const SecretBytes& key) {
  if (key.size() != 32) return InvalidArgumentError("AES-256-GCM key must be 32 bytes");
  auto impl = std::make_unique<Impl>();
  impl->enc.reset(EVP_CIPHER_CTX_new());
  impl->dec.reset(EVP_CIPHER_CTX_new());
  if (!impl->enc || !impl->dec ||
      EVP_EncryptInit_ex(impl->enc.get(), EVP_aes_256_gcm(), nullptr, key.Reveal().data(),
                         nullptr) != 1 ||
      EVP_DecryptInit_ex(impl->dec.get(), EVP_aes_256_gcm(), nullptr, key.Reveal().data(),
                         nullptr) != 1) {
    return internal::OsslError("AES-GCM key setup");
  }
  return Aes256GcmKey(std::move(impl));
}

Status Aes256GcmKey::Seal(ByteSpan nonce, ByteSpan plaintext, ByteSpan aad,
                          std::span<uint8_t> out) {
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgumentError("AES-256-GCM nonce must be 12 bytes");
  }
  if (out.size() != plaintext.size() + kAesGcmTagSize) {
    return InvalidArgumentError("AES-256-GCM output must be plaintext size + 16");
  }
  if (Overlaps(aad, out) || (Overlaps(plaintext, out) && plaintext.data() != out.data())) {
    return InvalidArgumentError("AES-256-GCM output overlaps its input");
  }
  EVP_CIPHER_CTX* ctx = impl_->enc.get();
  // Re-initialising with only a nonce keeps the prepared key schedule.
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      !Update(ctx, aad, nullptr) || !Update(ctx, plaintext, out.data()) ||
      EVP_EncryptFinal_ex(ctx, out.data() + plaintext.size(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                          out.data() + plaintext.size()) != 1) {
    return internal::OsslError("AES-GCM seal");
  }
  return OkStatus();
}

Status Aes256GcmKey::Open(ByteSpan nonce, ByteSpan ciphertext_and_tag, ByteSpan aad,
                          std::span<uint8_t> out) {
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgumentError("AES-256-GCM nonce must be 12 bytes");
  }
  if (ciphertext_and_tag.size() < kAesGcmTagSize ||
      out.size() != ciphertext_and_tag.size() - kAesGcmTagSize) {
    return InvalidArgumentError("AES-256-GCM output must be ciphertext size - 16");
  }
  ByteSpan ciphertext = ciphertext_and_tag.first(out.size());
  if (Overlaps(aad, out) || (Overlaps(ciphertext, out) && ciphertext.data() != out.data())) {
    return InvalidArgumentError("AES-256-GCM output overlaps its input");
  }
  uint8_t tag[kAesGcmTagSize];
  std::copy_n(ciphertext_and_tag.data() + out.size(), kAesGcmTagSize, tag);
  EVP_CIPHER_CTX* ctx = impl_->dec.get();
  int len = 0;
  // GCM's final step writes no bytes; give it a valid pointer even for empty output.
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      !Update(ctx, aad, nullptr) || !Update(ctx, ciphertext, out.data())) {
    if (!out.empty()) SecureWipe(out.data(), out.size());
    return internal::OsslError("AES-GCM open");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx, out.empty() ? tag : out.data() + out.size(), &len) != 1) {
    if (!out.empty()) SecureWipe(out.data(), out.size());
    internal::ClearOsslErrors();
    return RejectedError("aead_open_failed",
                         "AES-GCM authentication failed: wrong key or tampered data");
  }
  return OkStatus();
}

}  // namespace vouch

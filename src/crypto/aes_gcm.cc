#include "vouch/crypto/aes_gcm.h"

#include <algorithm>
#include <climits>

#include "crypto/ossl_ptr.h"

namespace vouch {
namespace {

Status CheckParams(const SecretBytes& key, ByteSpan nonce) {
  if (key.size() != 32) return InvalidArgumentError("AES-256-GCM key must be 32 bytes");
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgumentError("AES-256-GCM nonce must be 12 bytes");
  }
  return OkStatus();
}

// EVP lengths are int; feed large inputs in chunks.
constexpr size_t kChunk = size_t{1} << 30;

}  // namespace

StatusOr<Bytes> Aes256GcmSeal(const SecretBytes& key, ByteSpan nonce, ByteSpan plaintext,
                              ByteSpan aad) {
  VOUCH_RETURN_IF_ERROR(CheckParams(key, nonce));
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.Reveal().data(),
                                 nonce.data()) != 1) {
    return internal::OsslError("AES-GCM init");
  }
  int len = 0;
  for (size_t off = 0; off < aad.size(); off += kChunk) {
    size_t n = std::min(kChunk, aad.size() - off);
    if (EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data() + off, static_cast<int>(n)) != 1) {
      return internal::OsslError("AES-GCM aad");
    }
  }
  Bytes out(plaintext.size() + kAesGcmTagSize);
  size_t written = 0;
  for (size_t off = 0; off < plaintext.size(); off += kChunk) {
    size_t n = std::min(kChunk, plaintext.size() - off);
    if (EVP_EncryptUpdate(ctx.get(), out.data() + written, &len, plaintext.data() + off,
                          static_cast<int>(n)) != 1) {
      return internal::OsslError("AES-GCM encrypt");
    }
    written += static_cast<size_t>(len);
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                          out.data() + plaintext.size()) != 1) {
    return internal::OsslError("AES-GCM final");
  }
  return out;
}

StatusOr<SecretBytes> Aes256GcmOpen(const SecretBytes& key, ByteSpan nonce,
                                    ByteSpan ciphertext_and_tag, ByteSpan aad) {
  VOUCH_RETURN_IF_ERROR(CheckParams(key, nonce));
  if (ciphertext_and_tag.size() < kAesGcmTagSize) {
    return RejectedError("aead_open_failed", "ciphertext shorter than the GCM tag");
  }
  size_t ct_len = ciphertext_and_tag.size() - kAesGcmTagSize;
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.Reveal().data(),
                                 nonce.data()) != 1) {
    return internal::OsslError("AES-GCM init");
  }
  int len = 0;
  for (size_t off = 0; off < aad.size(); off += kChunk) {
    size_t n = std::min(kChunk, aad.size() - off);
    if (EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data() + off, static_cast<int>(n)) != 1) {
      return internal::OsslError("AES-GCM aad");
    }
  }
  SecretBytes out(ct_len);  // wiped on every return path by its destructor
  size_t written = 0;
  for (size_t off = 0; off < ct_len; off += kChunk) {
    size_t n = std::min(kChunk, ct_len - off);
    if (EVP_DecryptUpdate(ctx.get(), out.mutable_data() + written, &len,
                          ciphertext_and_tag.data() + off, static_cast<int>(n)) != 1) {
      return internal::OsslError("AES-GCM decrypt");
    }
    written += static_cast<size_t>(len);
  }
  uint8_t tag[kAesGcmTagSize];
  std::copy_n(ciphertext_and_tag.data() + ct_len, kAesGcmTagSize, tag);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.mutable_data() + written, &len) != 1) {
    internal::ClearOsslErrors();
    return RejectedError("aead_open_failed",
                         "AES-GCM authentication failed: wrong key or tampered data");
  }
  return out;
}

}  // namespace vouch

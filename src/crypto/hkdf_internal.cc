#include "crypto/hkdf_internal.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "crypto/ossl_ptr.h"

namespace vouch::internal {
namespace {

// Fetched once: EVP_KDF_fetch takes a lock and searches the provider store, which costs more
// than the HMACs of a short derivation. EVP_KDF objects are immutable and reference counted,
// so sharing one between threads is safe.
EVP_KDF* HkdfAlgorithm() {
  static EVP_KDF* const kKdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kKdf;
}

// OSSL_PARAM wants non-const pointers; OpenSSL only reads these buffers.
uint8_t* Mutable(ByteSpan b) {
  static const uint8_t kEmpty[1] = {0};
  return const_cast<uint8_t*>(b.empty() ? kEmpty : b.data());  // NOLINT
}

// Runs HKDF in `mode` ("EXTRACT_ONLY" or "EXPAND_ONLY") with `key` (the IKM or the PRK).
StatusOr<SecretBytes> Run(const char* mode, ByteSpan key, const OSSL_PARAM& extra, size_t length) {
  EVP_KDF* kdf = HkdfAlgorithm();
  EvpKdfCtxPtr ctx(kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr);
  if (!ctx) return OsslError("cannot fetch HKDF");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, const_cast<char*>(mode), 0),  // NOLINT
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, Mutable(key), key.size()), extra,
      OSSL_PARAM_construct_end()};
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.mutable_data(), length, params) != 1) {
    return OsslError(std::string("HKDF ") + mode + " failed");
  }
  return out;
}

}  // namespace

StatusOr<SecretBytes> HkdfSha256Extract(ByteSpan salt, ByteSpan ikm) {
  static const uint8_t kZeroSalt[kHkdfSha256PrkSize] = {};
  ByteSpan s = salt.empty() ? ByteSpan(kZeroSalt) : salt;
  return Run("EXTRACT_ONLY", ikm,
             OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, Mutable(s), s.size()),
             kHkdfSha256PrkSize);
}

StatusOr<SecretBytes> HkdfSha256Expand(ByteSpan prk, ByteSpan info, size_t length) {
  if (prk.size() < kHkdfSha256PrkSize) {
    return InvalidArgumentError("HKDF-SHA256 PRK must be at least 32 bytes");
  }
  if (length == 0 || length > 255 * 32) {
    return InvalidArgumentError("HKDF-SHA256 output length must be 1..8160 bytes");
  }
  return Run("EXPAND_ONLY", prk,
             OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, Mutable(info), info.size()),
             length);
}

}  // namespace vouch::internal

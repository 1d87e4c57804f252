#include "vouch/crypto/hkdf.h"

#include <openssl/core_names.h>

#include "crypto/ossl_ptr.h"

namespace vouch {

StatusOr<SecretBytes> HkdfSha256(ByteSpan ikm, ByteSpan salt, ByteSpan info, size_t length) {
  if (length == 0 || length > 255 * 32) {
    return InvalidArgumentError("HKDF-SHA256 output length must be 1..8160 bytes");
  }
  internal::EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  internal::EvpKdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) return internal::OsslError("cannot fetch HKDF");
  // OSSL_PARAM wants non-const pointers; OpenSSL does not modify these buffers.
  char digest[] = "SHA256";
  static const uint8_t kEmpty[1] = {0};
  auto mut = [](ByteSpan b) {
    return const_cast<uint8_t*>(b.empty() ? kEmpty : b.data());  // NOLINT
  };
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, mut(ikm), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, mut(salt), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, mut(info), info.size()),
      OSSL_PARAM_construct_end()};
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.mutable_data(), length, params) != 1) {
    return internal::OsslError("HKDF derivation failed");
  }
  return out;
}

}  // namespace vouch

#include "vouch/crypto/hmac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/hmac_internal.h"
#include "crypto/ossl_ptr.h"

namespace vouch {
namespace internal {
namespace {

// HMAC-SHA256 set up once: the MAC fetched and its digest set in a template context that is
// never used itself; each HMAC duplicates it. EVP_Q_mac, and EVP_KDF's HKDF, look the MAC and
// its digest up by name at every call (a lock and a search of the provider store: about 2 µs,
// a tenth of an HPKE seal's ten HKDF steps); a duplicated context carries what was fetched.
// Reading the template from several threads at once is safe: duplication only reads it.
const EVP_MAC_CTX* HmacSha256Template() {
  static EVP_MAC_CTX* const kTemplate = []() -> EVP_MAC_CTX* {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context holds its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (ctx == nullptr || EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    return ctx;
  }();
  return kTemplate;
}

}  // namespace

Status HmacSha256Into(ByteSpan key, std::initializer_list<ByteSpan> parts, uint8_t* out) {
  // EVP_MAC_init reads a null key as "the previous one": an empty key is passed non-null.
  static const uint8_t kEmpty[1] = {0};
  const EVP_MAC_CTX* tmpl = HmacSha256Template();
  EvpMacCtxPtr ctx(tmpl != nullptr ? EVP_MAC_CTX_dup(tmpl) : nullptr);
  if (!ctx ||
      EVP_MAC_init(ctx.get(), key.empty() ? kEmpty : key.data(), key.size(), nullptr) != 1) {
    return OsslError("cannot set up HMAC-SHA256");
  }
  for (ByteSpan part : parts) {
    if (!part.empty() && EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1) {
      return OsslError("HMAC-SHA256 failed");
    }
  }
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out, &len, 32) != 1 || len != 32) {
    return OsslError("HMAC-SHA256 failed");
  }
  return OkStatus();
}

}  // namespace internal

StatusOr<Sha256Digest> HmacSha256(ByteSpan key, ByteSpan message) {
  Sha256Digest out{};
  VOUCH_RETURN_IF_ERROR(internal::HmacSha256Into(key, {message}, out.data()));
  return out;
}

}  // namespace vouch

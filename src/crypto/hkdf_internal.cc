#include "crypto/hkdf_internal.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <initializer_list>

#include "crypto/ossl_ptr.h"

namespace vouch::internal {
namespace {

// HMAC-SHA256 set up once: the MAC fetched and its digest set in a template context that is
// never used itself; each HMAC duplicates it. EVP_KDF's HKDF looked the digest up by name at
// every derivation (a lock and a search of the provider store: about 2 µs more a step, a tenth
// of an HPKE seal); a duplicated context carries the fetched digest. Reading the template from
// several threads at once is safe: duplication only reads it.
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

// out = HMAC-SHA256(key, parts[0] ‖ parts[1] ‖ …). `key` is never empty here (a salt of 32
// zero bytes stands for none; a PRK is at least 32 bytes): EVP_MAC_init reads a null key as
// "the previous one".
Status Hmac(ByteSpan key, std::initializer_list<ByteSpan> parts, uint8_t* out) {
  const EVP_MAC_CTX* tmpl = HmacSha256Template();
  EvpMacCtxPtr ctx(tmpl != nullptr ? EVP_MAC_CTX_dup(tmpl) : nullptr);
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), nullptr) != 1) {
    return OsslError("cannot set up HMAC-SHA256");
  }
  for (ByteSpan part : parts) {
    if (!part.empty() && EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1) {
      return OsslError("HMAC-SHA256 failed");
    }
  }
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out, &len, kHkdfSha256PrkSize) != 1 || len != kHkdfSha256PrkSize) {
    return OsslError("HMAC-SHA256 failed");
  }
  return OkStatus();
}

}  // namespace

StatusOr<SecretBytes> HkdfSha256Extract(ByteSpan salt, ByteSpan ikm) {
  static const uint8_t kZeroSalt[kHkdfSha256PrkSize] = {};
  SecretBytes prk(kHkdfSha256PrkSize);
  VOUCH_RETURN_IF_ERROR(Hmac(salt.empty() ? ByteSpan(kZeroSalt) : salt, {ikm}, prk.mutable_data()));
  return prk;
}

StatusOr<SecretBytes> HkdfSha256Expand(ByteSpan prk, ByteSpan info, size_t length) {
  if (prk.size() < kHkdfSha256PrkSize) {
    return InvalidArgumentError("HKDF-SHA256 PRK must be at least 32 bytes");
  }
  if (length == 0 || length > 255 * 32) {
    return InvalidArgumentError("HKDF-SHA256 output length must be 1..8160 bytes");
  }
  // T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), T(0) empty; OKM is T(1) ‖ T(2) ‖ … cut to `length`.
  // T(i) is written over T(i-1) in `t`, which Hmac has read in full by then.
  SecretBytes okm(length);
  SecretBytes t(kHkdfSha256PrkSize);
  ByteSpan previous;
  for (size_t done = 0, i = 1; done < length; ++i) {
    const uint8_t counter = static_cast<uint8_t>(i);
    VOUCH_RETURN_IF_ERROR(Hmac(prk, {previous, info, ByteSpan(&counter, 1)}, t.mutable_data()));
    const size_t n = std::min(length - done, kHkdfSha256PrkSize);
    std::copy_n(t.Reveal().data(), n, okm.mutable_data() + done);
    done += n;
    previous = t.Reveal();
  }
  return okm;
}

}  // namespace vouch::internal

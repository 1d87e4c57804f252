#include "vouch/crypto/hmac.h"

#include <openssl/evp.h>

#include "crypto/ossl_ptr.h"

namespace vouch {

StatusOr<Sha256Digest> HmacSha256(ByteSpan key, ByteSpan message) {
  static const uint8_t kEmpty[1] = {0};
  Sha256Digest out{};
  size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.empty() ? kEmpty : key.data(),
                key.size(), message.empty() ? kEmpty : message.data(), message.size(), out.data(),
                out.size(), &len) == nullptr ||
      len != out.size()) {
    return internal::OsslError("HMAC-SHA256 failed");
  }
  return out;
}

}  // namespace vouch

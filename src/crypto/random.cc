#include "vouch/crypto/random.h"

#include <openssl/rand.h>

#include "crypto/ossl_ptr.h"

namespace vouch {

StatusOr<Bytes> RandomBytes(size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return internal::OsslError("RAND_bytes failed");
  }
  return out;
}

StatusOr<SecretBytes> RandomSecret(size_t n) {
  SecretBytes out(n);
  if (n > 0 && RAND_priv_bytes(out.mutable_data(), static_cast<int>(n)) != 1) {
    return internal::OsslError("RAND_priv_bytes failed");
  }
  return out;
}

}  // namespace vouch

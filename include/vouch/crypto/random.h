// Cryptographically secure random bytes (OpenSSL's DRBG).
#ifndef VOUCH_CRYPTO_RANDOM_H_
#define VOUCH_CRYPTO_RANDOM_H_

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

StatusOr<Bytes> RandomBytes(size_t n);
StatusOr<SecretBytes> RandomSecret(size_t n);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_RANDOM_H_

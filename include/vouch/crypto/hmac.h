// HMAC-SHA256 (RFC 2104, FIPS 198-1).
//
// Thread-safe free function.
#ifndef VOUCH_CRYPTO_HMAC_H_
#define VOUCH_CRYPTO_HMAC_H_

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"

namespace vouch {

// The 32-byte tag of `message` under `key` (any length). Errors: kInternal only.
StatusOr<Sha256Digest> HmacSha256(ByteSpan key, ByteSpan message);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_HMAC_H_

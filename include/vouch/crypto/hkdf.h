// HKDF-SHA256 (RFC 5869).
#ifndef VOUCH_CRYPTO_HKDF_H_
#define VOUCH_CRYPTO_HKDF_H_

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"

namespace vouch {

// Extract-then-expand; `length` at most 255 * 32 bytes.
StatusOr<SecretBytes> HkdfSha256(ByteSpan ikm, ByteSpan salt, ByteSpan info, size_t length);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_HKDF_H_

// Internal: the two halves of HKDF-SHA256 (RFC 5869 §2.2, §2.3) as separate calls, each an
// HMAC-SHA256 (OpenSSL's EVP_MAC, set up once and duplicated per use). RFC 9180 (HPKE) needs
// them apart: its LabeledExtract and LabeledExpand feed different inputs to each half, ten of
// them in a seal. hkdf.h's HkdfSha256 stays the one-call form, OpenSSL's own HKDF, for everyone
// else (and is what the tests check these against).
//
// Thread-safe free functions.
#ifndef VOUCH_CRYPTO_HKDF_INTERNAL_H_
#define VOUCH_CRYPTO_HKDF_INTERNAL_H_

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"

namespace vouch::internal {

inline constexpr size_t kHkdfSha256PrkSize = 32;

// PRK = HMAC-SHA256(salt, ikm), 32 bytes. An empty `salt` means 32 zero bytes (RFC 5869 §2.2;
// the HMAC is the same either way, the zeros are passed explicitly). Errors: kInternal only.
StatusOr<SecretBytes> HkdfSha256Extract(ByteSpan salt, ByteSpan ikm);

// OKM = T(1) ‖ T(2) ‖ … truncated to `length` (RFC 5869 §2.3).
// REQUIRES: prk is at least 32 bytes and 1 <= length <= 255 * 32 (else kInvalidArgument).
StatusOr<SecretBytes> HkdfSha256Expand(ByteSpan prk, ByteSpan info, size_t length);

}  // namespace vouch::internal

#endif  // VOUCH_CRYPTO_HKDF_INTERNAL_H_

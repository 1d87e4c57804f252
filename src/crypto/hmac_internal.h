// Internal: HMAC-SHA256 over pieces, without concatenating them, on a context prepared once
// (crypto/hmac.cc). What HmacSha256 and the HKDF halves (hkdf_internal.h) are made of.
//
// Thread-safe free function.
#ifndef VOUCH_CRYPTO_HMAC_INTERNAL_H_
#define VOUCH_CRYPTO_HMAC_INTERNAL_H_

#include <cstdint>
#include <initializer_list>

#include "vouch/base/bytes.h"
#include "vouch/base/status.h"

namespace vouch::internal {

// Writes the 32-byte HMAC-SHA256 of parts[0] ‖ parts[1] ‖ … under `key` (any length, empty
// included) to `out`. Errors: kInternal only.
[[nodiscard]] Status HmacSha256Into(ByteSpan key, std::initializer_list<ByteSpan> parts,
                                    uint8_t* out);

}  // namespace vouch::internal

#endif  // VOUCH_CRYPTO_HMAC_INTERNAL_H_

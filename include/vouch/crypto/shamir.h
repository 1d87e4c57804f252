// Shamir secret sharing over GF(2^8), byte-wise, in HashiCorp Vault's `shamir` share layout
// (spec/provisioning.md §5.1, docs/formats/provisioning-crypto.md §5).
//
//   field   GF(2)[x]/(x⁸+x⁴+x³+x+1) (0x11B, the AES field); addition is XOR
//   share   y[0] ‖ … ‖ y[L−1] ‖ x      (L + 1 bytes; x in 1..255, x = 0 is the secret)
//   y[b]    f_b(x) = s[b] + a1[b]·x + … + a(k−1)[b]·x^(k−1)
//
// Split draws from its RandomSource, in this order: the n x-coordinates, one byte at a time,
// skipping 0 and values already drawn (uniform without replacement); then L·(k−1) coefficient
// bytes, byte b's a1..a(k−1) at offsets b·(k−1) … b·(k−1)+k−2, each uniform over all 256 values
// (zero included, as current Vault does: forcing the top coefficient non-zero skews the shares).
// Tests script these bytes to reproduce published splits.
//
// Combine interpolates each byte at 0 over the shares given. It refuses fewer than 2 shares,
// shares of different lengths or shorter than 2 bytes, x = 0, and a repeated x — naming a
// duplicate (the same share twice) apart from an inconsistency (two different shares claiming
// the same x). It cannot tell a wrong share, or too few, from right ones: it then returns a
// wrong value, which the caller's AEAD must catch (provisioning.md §5.3 does).
//
// Side channels: field multiplication is branch-free and table-free (Vault's loop), and
// inversion is a fixed chain of multiplications (a^254), so timing does not depend on secret
// bytes; only the public x-coordinates and lengths decide control flow.
//
// Errors: kInvalidArgument with reason "shamir_invalid" (arguments, share sets); kInternal when
// the RandomSource fails.
//
// Thread-safe free functions.
#ifndef VOUCH_CRYPTO_SHAMIR_H_
#define VOUCH_CRYPTO_SHAMIR_H_

#include <cstdint>
#include <span>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/random_source.h"

namespace vouch::shamir {

inline constexpr size_t kMinThreshold = 2;
inline constexpr size_t kMaxShares = 255;
inline constexpr char kReasonInvalid[] = "shamir_invalid";

// a·b in GF(2^8) mod 0x11B, in constant time.
uint8_t GfMul(uint8_t a, uint8_t b);
// a^254, the inverse of a non-zero a (0 maps to 0), in constant time.
uint8_t GfInverse(uint8_t a);

// `share_count` shares of `secret`, any `threshold` of which recover it.
// REQUIRES: secret non-empty; 2 <= threshold <= share_count <= 255.
StatusOr<std::vector<SecretBytes>> Split(ByteSpan secret, size_t threshold, size_t share_count,
                                         RandomSource& rng = SystemRandom());

// The secret the shares interpolate to at x = 0 (see above for what is refused).
StatusOr<SecretBytes> Combine(std::span<const SecretBytes> shares);

}  // namespace vouch::shamir

#endif  // VOUCH_CRYPTO_SHAMIR_H_

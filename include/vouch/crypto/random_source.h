// RandomSource: randomness as a parameter (DESIGN.md §4, "Time, trust roots and randomness are
// parameters, never globals"). Code that draws keys, nonces or ids takes a RandomSource&;
// production passes SystemRandom(), the OS CSPRNG through OpenSSL's private DRBG, and tests pass
// a scripted source (src/testing/scripted_random.h) so that published vectors that fix the
// "random" inputs (RFC 9180's ikmE, a Shamir split's coefficients) can be reproduced.
//
// Thread-safety: SystemRandom() is thread-safe; other implementations say what they are.
#ifndef VOUCH_CRYPTO_RANDOM_SOURCE_H_
#define VOUCH_CRYPTO_RANDOM_SOURCE_H_

#include <cstdint>
#include <span>

#include "vouch/base/status.h"

namespace vouch {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills all of `out` with random bytes fit for secret keys, or fails (kInternal) leaving
  // `out` unspecified. Callers never use `out` after a failure.
  virtual Status Fill(std::span<uint8_t> out) = 0;
};

// The OS CSPRNG (OpenSSL's RAND_priv_bytes, seeded from getrandom()). Never fails in practice;
// a failure is reported, never papered over.
RandomSource& SystemRandom();

}  // namespace vouch

#endif  // VOUCH_CRYPTO_RANDOM_SOURCE_H_

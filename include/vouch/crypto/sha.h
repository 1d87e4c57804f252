// SHA-256 and SHA-512 (FIPS 180-4).
//
// Thread-safe free functions; Sha256Hasher is thread-compatible.
#ifndef VOUCH_CRYPTO_SHA_H_
#define VOUCH_CRYPTO_SHA_H_

#include <array>
#include <cstdint>
#include <memory>

#include "vouch/base/bytes.h"

namespace vouch {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha512Digest = std::array<uint8_t, 64>;

Sha256Digest Sha256(ByteSpan data);
Sha512Digest Sha512(ByteSpan data);

// Incremental SHA-256, for hashing several pieces without concatenating them.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(ByteSpan data);
  // Returns the digest and resets the hasher for reuse.
  Sha256Digest Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vouch

#endif  // VOUCH_CRYPTO_SHA_H_

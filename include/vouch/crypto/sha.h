// SHA-256 and SHA-512 (FIPS 180-4), and the domain-separated SHA-256 that hashes a prefix
// naming what is hashed in front of the data (Sha256WithPrefix).
//
// Thread-safe free functions; Sha256Hasher is thread-compatible.
#ifndef VOUCH_CRYPTO_SHA_H_
#define VOUCH_CRYPTO_SHA_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>

#include "vouch/base/bytes.h"

namespace vouch {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha512Digest = std::array<uint8_t, 64>;

Sha256Digest Sha256(ByteSpan data);
Sha512Digest Sha512(ByteSpan data);

// SHA-256(prefix ‖ parts[0] ‖ … ‖ parts[n-1]): a domain-separated hash, the prefix saying what
// is hashed — RFC 6962 §2.1's 0x00 (leaf) and 0x01 (interior node), a C2SP note key name, a
// versioned tag such as "vouch-root-key/v1". The pieces are hashed as if concatenated, with no
// lengths or separators between them: where more than one part varies in length, the caller
// makes the concatenation unambiguous (fixed-size fields, at most one variable part last).
//
// The pieces are streamed, not copied together: like Sha256, on a context this thread keeps.
Sha256Digest Sha256WithPrefix(ByteSpan prefix, std::initializer_list<ByteSpan> parts);

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

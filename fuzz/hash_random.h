// A deterministic RandomSource for fuzz harnesses: SHA-256(SHA-256(seed) ‖ u16le(counter))
// blocks. The same seed gives the same bytes, so a crashing input reproduces, and no seed gives
// a degenerate stream (Shamir's draw of distinct x-coordinates never stalls).
#ifndef VOUCH_FUZZ_HASH_RANDOM_H_
#define VOUCH_FUZZ_HASH_RANDOM_H_

#include <array>
#include <cstdint>
#include <span>

#include "vouch/base/byte_writer.h"
#include "vouch/crypto/random_source.h"
#include "vouch/crypto/sha.h"

namespace vouch::fuzz {

class HashRandom final : public RandomSource {
 public:
  explicit HashRandom(ByteSpan seed) : seed_(Sha256(seed)) {}
  Status Fill(std::span<uint8_t> out) override {
    for (auto& b : out) {
      if (used_ == block_.size()) {
        std::array<uint8_t, 2> counter;
        StoreU16Le(counter.data(), static_cast<uint16_t>(counter_));
        ++counter_;
        block_ = Sha256WithPrefix(seed_, {counter});
        used_ = 0;
      }
      b = block_[used_++];
    }
    return OkStatus();
  }

 private:
  Sha256Digest seed_;
  Sha256Digest block_{};
  size_t used_ = block_.size();
  unsigned counter_ = 0;
};

}  // namespace vouch::fuzz

#endif  // VOUCH_FUZZ_HASH_RANDOM_H_

// A RandomSource for tests that hands out pre-set bytes in order, so that vectors which fix
// their "random" inputs (RFC 9180's ikmE, a Shamir split's x-coordinates and coefficients) can
// be reproduced through the production code paths. Running out is an error (kInternal), and
// tests check remaining() == 0 afterwards, so a change in what the code draws, or in what
// order, fails the test instead of passing silently.
//
// Thread-compatible.
#ifndef VOUCH_TESTING_SCRIPTED_RANDOM_H_
#define VOUCH_TESTING_SCRIPTED_RANDOM_H_

#include <algorithm>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/crypto/random_source.h"

namespace vouch::testing {

class ScriptedRandom final : public RandomSource {
 public:
  ScriptedRandom() = default;
  explicit ScriptedRandom(ByteSpan bytes) { Add(bytes); }

  // Appends `bytes` to what later Fill calls return.
  void Add(ByteSpan bytes) { script_.insert(script_.end(), bytes.begin(), bytes.end()); }

  Status Fill(std::span<uint8_t> out) override {
    if (script_.size() - next_ < out.size()) {
      return InternalError("scripted randomness exhausted: " + std::to_string(out.size()) +
                           " bytes asked, " + std::to_string(script_.size() - next_) + " left");
    }
    std::copy_n(script_.begin() + static_cast<std::ptrdiff_t>(next_), out.size(), out.begin());
    next_ += out.size();
    return OkStatus();
  }

  size_t remaining() const { return script_.size() - next_; }

 private:
  Bytes script_;
  size_t next_ = 0;
};

}  // namespace vouch::testing

#endif  // VOUCH_TESTING_SCRIPTED_RANDOM_H_

// A keyed token-bucket rate limiter: one bucket per key (a remote address, or one fixed key for
// a global limit), each holding up to `burst` tokens and refilled at `rate` tokens a second. A
// request takes one token; a request that finds less than one is refused, with the whole number
// of seconds after which a token will be there (for an HTTP Retry-After header). Used by the
// services' per-address limits (spec/provisioning.md §3.5) and by `serve root`'s POST /sign.
//
// Memory is bounded by `max_keys` buckets, whatever keys callers present. A bucket that has
// refilled to `burst` is exactly what an unseen key would get, so it carries no state: full
// buckets are dropped (each Admit drops those that are full by now, soonest-full first). When
// the map holds `max_keys` buckets none of which is full, a request with a new key is refused
// (fail closed) with the Retry-After of the soonest-full bucket: an attacker who cycles through
// more addresses than `max_keys` can neither grow memory nor reset a bucket by crowding it out;
// while such a flood lasts, new addresses wait.
//
// Time is the Clock's SteadyNow(), read once per Admit.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_BASE_RATE_LIMITER_H_
#define VOUCH_BASE_RATE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "vouch/base/clock.h"
#include "vouch/base/mutex.h"
#include "vouch/base/statusor.h"

namespace vouch {

// The reason of Create's kInvalidArgument.
inline constexpr char kReasonRateLimiterOptions[] = "rate_limiter_options";

struct RateLimiterOptions {
  // Tokens a second added to each bucket: > 0, finite.
  double rate = 10;
  // A bucket's capacity, the largest burst a key may send at once: >= 1, and burst / rate at
  // most kMaxRefillSeconds (so that every time computed here fits the clock).
  double burst = 20;
  // The most buckets kept at once: >= 1.
  size_t max_keys = 65'536;
};

// The longest a bucket may take to refill from empty (about three years).
inline constexpr double kMaxRefillSeconds = 1e8;

// The answer to one request.
struct Admission {
  bool admitted = false;
  // When refused: the whole seconds (at least 1) after which this key's next request can be
  // admitted, rounded up; 0 when admitted.
  std::chrono::seconds retry_after{0};
};

class KeyedRateLimiter {
 public:
  // A limiter whose buckets all start full. kInvalidArgument ("rate_limiter_options") for
  // options out of range. REQUIRES: `clock` outlives the limiter.
  static StatusOr<std::unique_ptr<KeyedRateLimiter>> Create(const RateLimiterOptions& options,
                                                            const Clock& clock);
  KeyedRateLimiter(const KeyedRateLimiter&) = delete;
  KeyedRateLimiter& operator=(const KeyedRateLimiter&) = delete;

  // Takes a token from `key`'s bucket (refilled first for the time since it was last used), or
  // refuses with a retry-after. A new key gets a full bucket if there is room (see the banner).
  [[nodiscard]] Admission Admit(std::string_view key) VOUCH_EXCLUDES(mu_);

  // Buckets kept now (at most max_keys).
  size_t keys() const VOUCH_EXCLUDES(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::SteadyTime refilled{};
    Clock::SteadyTime full_at{};  // when `tokens` will have refilled to `burst`
  };

  KeyedRateLimiter(const RateLimiterOptions& options, const Clock& clock)
      : options_(options), clock_(clock) {}

  // Drops every bucket that is full at `now`.
  void DropFull(Clock::SteadyTime now) VOUCH_REQUIRES(mu_);
  // The whole seconds, at least 1, until `ready`.
  static std::chrono::seconds SecondsUntil(Clock::SteadyTime now, Clock::SteadyTime ready);

  const RateLimiterOptions options_;
  const Clock& clock_;
  mutable Mutex mu_;
  // Ordered maps rather than hashed ones: the keys are chosen by remote parties.
  std::map<std::string, Bucket, std::less<>> buckets_ VOUCH_GUARDED_BY(mu_);
  std::set<std::pair<Clock::SteadyTime, std::string>> by_full_at_ VOUCH_GUARDED_BY(mu_);
};

}  // namespace vouch

#endif  // VOUCH_BASE_RATE_LIMITER_H_

#include "vouch/base/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace vouch {
namespace {

Clock::SteadyTime::duration Seconds(double seconds) {
  return std::chrono::ceil<Clock::SteadyTime::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

StatusOr<std::unique_ptr<KeyedRateLimiter>> KeyedRateLimiter::Create(
    const RateLimiterOptions& options, const Clock& clock) {
  auto invalid = [](const std::string& message) {
    return MalformedError(kReasonRateLimiterOptions, "rate limiter: " + message);
  };
  if (!std::isfinite(options.rate) || options.rate <= 0) {
    return invalid("the rate must be a positive number of tokens a second");
  }
  if (!std::isfinite(options.burst) || options.burst < 1) {
    return invalid("the burst must be at least 1");
  }
  if (options.burst / options.rate > kMaxRefillSeconds) {
    return invalid("a bucket would take longer than 1e8 s to refill");
  }
  if (options.max_keys == 0) return invalid("max_keys must be positive");
  return std::unique_ptr<KeyedRateLimiter>(new KeyedRateLimiter(options, clock));
}

std::chrono::seconds KeyedRateLimiter::SecondsUntil(Clock::SteadyTime now,
                                                    Clock::SteadyTime ready) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(ready - now));
}

void KeyedRateLimiter::DropFull(Clock::SteadyTime now) {
  while (!by_full_at_.empty() && by_full_at_.begin()->first <= now) {
    auto node = by_full_at_.extract(by_full_at_.begin());
    buckets_.erase(node.value().second);
  }
}

Admission KeyedRateLimiter::Admit(std::string_view key) {
  const Clock::SteadyTime now = clock_.SteadyNow();
  MutexLock lock(&mu_);
  DropFull(now);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_keys) {
      return Admission{.admitted = false,
                       .retry_after = SecondsUntil(now, by_full_at_.begin()->first)};
    }
    it = buckets_.emplace(std::string(key), Bucket{options_.burst, now, now}).first;
  } else {
    by_full_at_.erase({it->second.full_at, it->first});
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(std::max(now - b.refilled, {})).count();
  b.tokens = std::min(options_.burst, b.tokens + elapsed * options_.rate);
  b.refilled = now;
  Admission admission;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    admission.admitted = true;
  } else {
    admission.retry_after = SecondsUntil(now, now + Seconds((1 - b.tokens) / options_.rate));
  }
  b.full_at = now + Seconds((options_.burst - b.tokens) / options_.rate);
  by_full_at_.emplace(b.full_at, it->first);
  return admission;
}

size_t KeyedRateLimiter::keys() const {
  MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace vouch

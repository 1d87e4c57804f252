#include "vouch/base/rate_limiter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "testing/concurrently.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::vouch::testing::FakeClock;
using ::vouch::testing::RunConcurrently;

class RateLimiterTest : public ::testing::Test {
 protected:
  std::unique_ptr<KeyedRateLimiter> Make(double rate, double burst, size_t max_keys = 100) {
    auto limiter =
        KeyedRateLimiter::Create({.rate = rate, .burst = burst, .max_keys = max_keys}, clock_);
    EXPECT_THAT(limiter, IsOk());
    return limiter.ok() ? std::move(*limiter) : nullptr;
  }
  // How many of `n` requests for `key` are admitted now.
  static int AdmitN(KeyedRateLimiter& limiter, std::string_view key, int n) {
    int admitted = 0;
    for (int i = 0; i < n; ++i) admitted += limiter.Admit(key).admitted ? 1 : 0;
    return admitted;
  }

  FakeClock clock_;
};

TEST_F(RateLimiterTest, NewKeyMayBurstThenIsRefused) {
  auto limiter = Make(1, 3);
  EXPECT_EQ(AdmitN(*limiter, "10.0.0.1", 3), 3);
  Admission refused = limiter->Admit("10.0.0.1");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, seconds(1));
  Admission admitted = limiter->Admit("10.0.0.2");
  EXPECT_TRUE(admitted.admitted);
  EXPECT_EQ(admitted.retry_after, seconds(0));
}

TEST_F(RateLimiterTest, RefillsAtRateUpToBurst) {
  auto limiter = Make(2, 4);
  EXPECT_EQ(AdmitN(*limiter, "k", 4), 4);
  clock_.Advance(milliseconds(499));  // 0.998 tokens
  EXPECT_FALSE(limiter->Admit("k").admitted);
  clock_.Advance(milliseconds(1));  // 1 token (the refused request took none)
  EXPECT_TRUE(limiter->Admit("k").admitted);
  EXPECT_FALSE(limiter->Admit("k").admitted);
  clock_.Advance(milliseconds(1500));  // 3 tokens
  EXPECT_EQ(AdmitN(*limiter, "k", 10), 3);
  clock_.Advance(seconds(100));  // capped at the burst
  EXPECT_EQ(AdmitN(*limiter, "k", 10), 4);
}

TEST_F(RateLimiterTest, RetryAfterIsWholeSecondsUntilTheNextToken) {
  auto limiter = Make(0.25, 1);  // one token every 4 s
  ASSERT_TRUE(limiter->Admit("k").admitted);
  EXPECT_EQ(limiter->Admit("k").retry_after, seconds(4));
  clock_.Advance(seconds(1));
  EXPECT_EQ(limiter->Admit("k").retry_after, seconds(3));
  clock_.Advance(milliseconds(2500));
  EXPECT_EQ(limiter->Admit("k").retry_after, seconds(1));  // 0.5 s, rounded up
  clock_.Advance(milliseconds(500));
  EXPECT_TRUE(limiter->Admit("k").admitted);

  auto slow = Make(0.001, 2);
  EXPECT_EQ(AdmitN(*slow, "k", 3), 2);
  EXPECT_EQ(slow->Admit("k").retry_after, seconds(1000));
}

TEST_F(RateLimiterTest, FullBucketsAreDropped) {
  auto limiter = Make(1, 2);
  ASSERT_TRUE(limiter->Admit("a").admitted);
  ASSERT_TRUE(limiter->Admit("b").admitted);
  ASSERT_TRUE(limiter->Admit("b").admitted);
  EXPECT_EQ(limiter->keys(), 2u);
  clock_.Advance(seconds(1));  // a is full again, b holds one token
  ASSERT_TRUE(limiter->Admit("c").admitted);
  EXPECT_EQ(limiter->keys(), 2u);  // b and c
  // a's fresh bucket is what its kept one would have been: two tokens.
  EXPECT_EQ(AdmitN(*limiter, "a", 3), 2);
  EXPECT_EQ(AdmitN(*limiter, "b", 3), 1);
  clock_.Advance(seconds(2));
  ASSERT_TRUE(limiter->Admit("d").admitted);
  EXPECT_EQ(limiter->keys(), 1u);
}

TEST_F(RateLimiterTest, KeyMapIsBoundedAndNewKeysWaitWhenNoBucketIsFull) {
  auto limiter = Make(1, 2, /*max_keys=*/3);
  for (const char* key : {"a", "b", "c"}) ASSERT_TRUE(limiter->Admit(key).admitted);
  clock_.Advance(milliseconds(200));
  Admission refused = limiter->Admit("d");
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, seconds(1));  // a, b and c are full in 0.8 s
  EXPECT_EQ(limiter->keys(), 3u);
  // Known keys are still served from their own buckets.
  EXPECT_TRUE(limiter->Admit("a").admitted);
  clock_.Advance(milliseconds(800));  // b and c are full now
  EXPECT_TRUE(limiter->Admit("d").admitted);
  EXPECT_EQ(limiter->keys(), 2u);  // a and d
}

TEST_F(RateLimiterTest, CyclingAddressesNeitherGrowsMemoryNorResetsABucket) {
  auto limiter = Make(1, 1, /*max_keys=*/64);
  ASSERT_TRUE(limiter->Admit("exhausted").admitted);
  int admitted = 0;
  for (int i = 0; i < 10'000; ++i) {
    admitted += limiter->Admit("203.0.113." + std::to_string(i)).admitted ? 1 : 0;
    ASSERT_LE(limiter->keys(), 64u);
    if (i % 100 == 99) clock_.Advance(milliseconds(9));
  }
  // 0.9 s passed: no bucket refilled, so only the 63 free slots were ever admitted...
  EXPECT_EQ(admitted, 63);
  // ...and the exhausted key was not crowded out (which would have given it a full bucket).
  EXPECT_FALSE(limiter->Admit("exhausted").admitted);
  clock_.Advance(milliseconds(100));
  EXPECT_TRUE(limiter->Admit("exhausted").admitted);
}

TEST_F(RateLimiterTest, ConcurrentAdmitsNeverExceedTheBurst) {
  auto limiter = Make(0.001, 100);
  std::atomic<int> admitted{0};
  RunConcurrently(4, [&] {
    for (int i = 0; i < 100; ++i) admitted += limiter->Admit("k").admitted ? 1 : 0;
  });
  EXPECT_EQ(admitted.load(), 100);
}

TEST_F(RateLimiterTest, OptionsOutOfRangeAreRefused) {
  auto refused = [&](const RateLimiterOptions& o) {
    auto limiter = KeyedRateLimiter::Create(o, clock_);
    EXPECT_THAT(limiter, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(limiter.status(), ReasonIs(kReasonRateLimiterOptions));
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  refused({.rate = 0, .burst = 1, .max_keys = 1});
  refused({.rate = -1, .burst = 1, .max_keys = 1});
  refused({.rate = nan, .burst = 1, .max_keys = 1});
  refused({.rate = inf, .burst = 1, .max_keys = 1});
  refused({.rate = 1, .burst = 0.5, .max_keys = 1});
  refused({.rate = 1, .burst = nan, .max_keys = 1});
  refused({.rate = 1, .burst = inf, .max_keys = 1});
  refused({.rate = 1e-9, .burst = 1, .max_keys = 1});
  refused({.rate = 1, .burst = 1, .max_keys = 0});
  EXPECT_THAT(KeyedRateLimiter::Create({.rate = 1e-8, .burst = 1, .max_keys = 1}, clock_), IsOk());
}

}  // namespace
}  // namespace vouch

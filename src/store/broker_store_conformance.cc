// The BrokerStore conformance suite (broker_store_conformance.h): releases durable across a
// reopen, unique and listed newest first; quotes dropped by time with the rows kept; refusals
// pruned by age and by count; the limits of broker_store.h.
#include "store/broker_store_conformance.h"

#include <filesystem>
#include <string>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store::testing {

namespace {

using ::vouch::testing::IsOk;

BrokerRelease Release(uint8_t n, UnixSeconds time) {
  BrokerRelease r;
  r.release_id.fill(n);
  r.envelope_id.fill(static_cast<uint8_t>(n + 100));
  r.time = time;
  r.log_index = 40u + n;
  r.leaf_hash.fill(static_cast<uint8_t>(n + 1));
  r.mrenclave.fill(0xAB);
  r.quote = Bytes(1000, n);
  return r;
}

BrokerRefusal Refusal(UnixSeconds time, const std::string& code) {
  return BrokerRefusal{time, code, std::nullopt, "127.0.0.1"};
}

TEST_P(BrokerStoreConformanceTest, ReleasesSurviveAReopenNewestFirst) {
  ASSERT_THAT(store_->AddRelease(Release(1, 1000)), IsOk());
  ASSERT_THAT(store_->AddRelease(Release(2, 2000)), IsOk());
  ASSERT_THAT(store_->AddRelease(Release(3, 2000)), IsOk());
  EXPECT_EQ(store_->AddRelease(Release(1, 3000)).code(), StatusCode::kAlreadyExists);
  Reopen();
  auto listed = store_->Releases(10);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0], Release(3, 2000));  // same time: the later one first
  EXPECT_EQ((*listed)[1], Release(2, 2000));
  EXPECT_EQ((*listed)[2], Release(1, 1000));
  EXPECT_EQ(store_->Releases(1)->size(), 1u);
}

TEST_P(BrokerStoreConformanceTest, QuotesAreDroppedAfterTheirRetention) {
  for (uint8_t n = 1; n <= 3; ++n) ASSERT_THAT(store_->AddRelease(Release(n, n * 1000)), IsOk());
  auto dropped = store_->DropEvidenceBefore(2500);
  ASSERT_THAT(dropped, IsOk());
  EXPECT_EQ(*dropped, 2u);
  EXPECT_EQ(*store_->DropEvidenceBefore(2500), 0u);
  auto listed = store_->Releases(10);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 3u);  // the rows stay
  EXPECT_EQ((*listed)[0].quote, Bytes(1000, 3));
  EXPECT_TRUE((*listed)[1].quote.empty());
  EXPECT_TRUE((*listed)[2].quote.empty());
  EXPECT_EQ((*listed)[2].log_index, 41u);
  BrokerRelease no_quote = Release(4, 4000);
  no_quote.quote.clear();
  ASSERT_THAT(store_->AddRelease(no_quote), IsOk());
  EXPECT_EQ(store_->Releases(1)->front(), no_quote);
}

TEST_P(BrokerStoreConformanceTest, RefusalsArePrunedByAgeAndCount) {
  Reopen({.max_refusals = 3, .refusal_retention = 100});
  BrokerRefusal named = Refusal(1000, "nonce_unknown");
  named.envelope_id = Id16{};
  named.envelope_id->fill(7);
  ASSERT_THAT(store_->AddRefusal(named), IsOk());
  auto listed = store_->Refusals(10);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], named);
  // Older than the retention before the newest: gone.
  ASSERT_THAT(store_->AddRefusal(Refusal(1101, "constraint_failed")), IsOk());
  listed = store_->Refusals(10);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].code, "constraint_failed");
  // At most max_refusals rows: the oldest go first.
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(store_->AddRefusal(Refusal(1102 + i, "code" + std::to_string(i))), IsOk());
  }
  listed = store_->Refusals(10);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].code, "code4");
  EXPECT_EQ((*listed)[2].code, "code2");
}

TEST_P(BrokerStoreConformanceTest, LimitsAreChecked) {
  BrokerRelease big = Release(1, 1000);
  big.quote = Bytes(kMaxStoredQuote + 1, 0);
  EXPECT_EQ(store_->AddRelease(big).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddRefusal(Refusal(1, "")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddRefusal(Refusal(1, std::string(65, 'x'))).code(),
            StatusCode::kInvalidArgument);
  BrokerRefusal far = Refusal(1, "x");
  far.remote_address = std::string(129, '1');
  EXPECT_EQ(store_->AddRefusal(far).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->Releases(10)->empty());
  EXPECT_TRUE(store_->Refusals(10)->empty());
  store_.reset();
  EXPECT_EQ(GetParam().open(dir_, {.max_refusals = 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GetParam().open(dir_, {.refusal_retention = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vouch::store::testing

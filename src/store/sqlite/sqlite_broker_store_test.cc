// The broker's bookkeeping store (broker_store.h): releases durable across a reopen and unique,
// refusals pruned by age and by count, quotes dropped by time, limits, and a foreign database
// refused rather than written into.
#include "vouch/store/sqlite_broker_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store {
namespace {

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

class BrokerStoreTest : public ::testing::Test {
 protected:
  std::string path_ = vouch::testing::MakeTempDir("broker-store") + "/broker.db";
};

TEST_F(BrokerStoreTest, ReleasesSurviveAReopenNewestFirst) {
  {
    auto store = OpenSqliteBrokerStore(path_);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->AddRelease(Release(1, 1000)), IsOk());
    ASSERT_THAT((*store)->AddRelease(Release(2, 2000)), IsOk());
    auto again = (*store)->AddRelease(Release(1, 3000));
    EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  }
  auto store = OpenSqliteBrokerStore(path_);
  ASSERT_THAT(store, IsOk());
  auto listed = (*store)->Releases(10);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0], Release(2, 2000));
  EXPECT_EQ((*listed)[1], Release(1, 1000));
  EXPECT_EQ((*store)->Releases(1)->size(), 1u);
}

TEST_F(BrokerStoreTest, QuotesAreDroppedAfterTheirRetention) {
  auto store = OpenSqliteBrokerStore(path_);
  ASSERT_THAT(store, IsOk());
  for (uint8_t n = 1; n <= 3; ++n) ASSERT_THAT((*store)->AddRelease(Release(n, n * 1000)), IsOk());
  auto dropped = (*store)->DropEvidenceBefore(2500);
  ASSERT_THAT(dropped, IsOk());
  EXPECT_EQ(*dropped, 2u);
  EXPECT_EQ(*(*store)->DropEvidenceBefore(2500), 0u);
  auto listed = (*store)->Releases(10);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 3u);  // the rows stay
  EXPECT_EQ((*listed)[0].quote, Bytes(1000, 3));
  EXPECT_TRUE((*listed)[1].quote.empty());
  EXPECT_TRUE((*listed)[2].quote.empty());
  EXPECT_EQ((*listed)[2].log_index, 41u);
}

TEST_F(BrokerStoreTest, RefusalsArePrunedByAgeAndCount) {
  auto store = OpenSqliteBrokerStore(path_, {.max_refusals = 3, .refusal_retention = 100});
  ASSERT_THAT(store, IsOk());
  BrokerRefusal named = Refusal(1000, "nonce_unknown");
  named.envelope_id = Id16{};
  named.envelope_id->fill(7);
  ASSERT_THAT((*store)->AddRefusal(named), IsOk());
  auto listed = (*store)->Refusals(10);
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], named);
  // Older than the retention before the newest: gone.
  ASSERT_THAT((*store)->AddRefusal(Refusal(1101, "constraint_failed")), IsOk());
  listed = (*store)->Refusals(10);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].code, "constraint_failed");
  // At most max_refusals rows: the oldest go first.
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT((*store)->AddRefusal(Refusal(1102 + i, "code" + std::to_string(i))), IsOk());
  }
  listed = (*store)->Refusals(10);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].code, "code4");
  EXPECT_EQ((*listed)[2].code, "code2");
}

TEST_F(BrokerStoreTest, LimitsAreChecked) {
  auto store = OpenSqliteBrokerStore(path_);
  ASSERT_THAT(store, IsOk());
  BrokerRelease big = Release(1, 1000);
  big.quote = Bytes(kMaxStoredQuote + 1, 0);
  EXPECT_EQ((*store)->AddRelease(big).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->AddRefusal(Refusal(1, "")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->AddRefusal(Refusal(1, std::string(65, 'x'))).code(),
            StatusCode::kInvalidArgument);
  BrokerRefusal far = Refusal(1, "x");
  far.remote_address = std::string(129, '1');
  EXPECT_EQ((*store)->AddRefusal(far).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenSqliteBrokerStore(path_, {.max_refusals = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(BrokerStoreTest, AForeignDatabaseIsRefused) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE releases (x INTEGER);", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteBrokerStore(path_);
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace vouch::store

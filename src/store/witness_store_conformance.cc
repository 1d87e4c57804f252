// The WitnessStore conformance suite (witness_store_conformance.h).
#include "store/witness_store_conformance.h"

#include <gmock/gmock.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store::testing {

namespace {

// A decision that stores `state` (status 200).
WitnessStore::Decision Store(const tlog::WitnessState& state) {
  return [state](const std::optional<tlog::WitnessState>&) {
    tlog::WitnessResponse out;
    out.status = 200;
    out.new_state = state;
    return StatusOr<tlog::WitnessResponse>(out);
  };
}

TEST_P(WitnessStoreConformanceTest, AnUnknownOriginHasNoState) {
  auto state = store_->Get("nobody");
  ASSERT_THAT(state, IsOk());
  EXPECT_FALSE(state->has_value());
}

TEST_P(WitnessStoreConformanceTest, UpdateStoresTheNewStatePerOrigin) {
  tlog::Hash root{};
  root[0] = 9;
  auto r = store_->Update("a", [&](const std::optional<tlog::WitnessState>& stored) {
    EXPECT_FALSE(stored.has_value());
    tlog::WitnessResponse out;
    out.status = 200;
    out.body = "cosigned";
    out.new_state = tlog::WitnessState{7, root, "note"};
    return StatusOr<tlog::WitnessResponse>(out);
  });
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->body, "cosigned");
  auto a = store_->Get("a");
  ASSERT_THAT(a, IsOk());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->size, 7u);
  EXPECT_EQ((*a)->root, root);
  EXPECT_EQ((*a)->note, "note");
  EXPECT_FALSE(store_->Get("b")->has_value());
}

TEST_P(WitnessStoreConformanceTest, ARefusalOrAFailedDecisionChangesNothing) {
  ASSERT_THAT(store_->Update("o", Store({3, tlog::Hash{}, "three"})), IsOk());
  auto refused = store_->Update("o", [](const std::optional<tlog::WitnessState>& stored) {
    EXPECT_EQ(stored->size, 3u);
    tlog::WitnessResponse out;
    out.status = 409;  // no new state
    return StatusOr<tlog::WitnessResponse>(out);
  });
  ASSERT_THAT(refused, IsOk());
  EXPECT_EQ(refused->status, 409);
  auto failed = store_->Update("o", [](const std::optional<tlog::WitnessState>&) {
    return StatusOr<tlog::WitnessResponse>(InternalError("decision failed"));
  });
  EXPECT_THAT(failed, StatusIs(StatusCode::kInternal));
  EXPECT_EQ((*store_->Get("o"))->size, 3u);
}

TEST_P(WitnessStoreConformanceTest, StatePersistsAcrossReopen) {
  if (!GetParam().durable) GTEST_SKIP() << "not a durable backend";
  ASSERT_THAT(store_->Update("o", Store({7, tlog::Hash{}, "note"})), IsOk());
  Reopen();
  auto state = store_->Get("o");
  ASSERT_THAT(state, IsOk());
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->size, 7u);
  EXPECT_EQ((*state)->note, "note");
}

// Many threads each try to advance the stored size by one from what they read. With an atomic
// read-decide-write every increment lands; with a racy one some would be lost (the rollback the
// spec warns about).
TEST_P(WitnessStoreConformanceTest, UpdatesAreAtomic) {
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store_->Update("o", [](const std::optional<tlog::WitnessState>& stored) {
          tlog::WitnessResponse out;
          out.status = 200;
          out.new_state = tlog::WitnessState{stored ? stored->size + 1 : 1, tlog::Hash{}, ""};
          return StatusOr<tlog::WitnessResponse>(out);
        });
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*store_->Get("o"))->size, uint64_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace vouch::store::testing

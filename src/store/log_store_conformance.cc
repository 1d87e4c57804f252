// The LogStore conformance suite (log_store_conformance.h).
#include "store/log_store_conformance.h"

#include <gmock/gmock.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

// The identity the tests bind (a function: a static std::string may throw before main).
LogIdentity Identity() { return {"example.com/log", "example.com/log+01234567+AAAA"}; }

}  // namespace

AppendBatch BatchBuilder::Build(const std::vector<std::string>& entries,
                                std::vector<StoredTile> tiles) {
  kept_ = entries;
  AppendBatch b;
  b.old_size = range.size();
  for (const std::string& e : kept_) {
    tlog::Hash h = tlog::HashLeaf(AsBytes(e));
    range.Append(h);
    b.entries.push_back(NewEntry{h, AsBytes(e)});
  }
  b.tiles = std::move(tiles);
  b.new_state.size = range.size();
  b.new_state.range.assign(range.hashes().begin(), range.hashes().end());
  b.new_state.checkpoint = "checkpoint " + std::to_string(range.size()) + "\n";
  return b;
}

namespace {

TEST_P(LogStoreConformanceTest, AFreshStoreIsEmpty) {
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 0u);
  EXPECT_TRUE(state->range.empty());
  EXPECT_TRUE(state->checkpoint.empty());
  EXPECT_THAT(store_->ReadTile(0, 0), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->ReadCheckpoint(0), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->ReadEntries(0, 1), StatusIs(StatusCode::kNotFound));
  auto found = store_->ReadEntries(0, 0);
  ASSERT_THAT(found, IsOk());
  EXPECT_TRUE(found->empty());
}

TEST_P(LogStoreConformanceTest, BindRecordsTheIdentityAndRefusesAnother) {
  EXPECT_THAT(store_->Bind(Identity()), IsOk());
  EXPECT_THAT(store_->Bind(Identity()), IsOk());
  EXPECT_THAT(store_->Bind(LogIdentity{"other.example/log", Identity().vkey}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("example.com/log")));
  EXPECT_THAT(store_->Bind(LogIdentity{Identity().origin, "example.com/log+89abcdef+BBBB"}),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(LogStoreConformanceTest, AppendStoresEntriesStateTilesAndCheckpoints) {
  BatchBuilder b;
  StoredTile tile{0, 0, 2, Bytes(64, 7)};
  ASSERT_THAT(store_->Append(b.Build({"one", "two"}, {tile})), IsOk());
  ASSERT_THAT(store_->Append(b.Build({"three"})), IsOk());

  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 3u);
  EXPECT_EQ(state->range.size(), 2u);
  EXPECT_EQ(state->range[0], b.range.hashes()[0]);
  EXPECT_EQ(state->checkpoint, "checkpoint 3\n");

  auto entries = store_->ReadEntries(0, 3);
  ASSERT_THAT(entries, IsOk());
  EXPECT_THAT(*entries, ElementsAre(ToBytes("one"), ToBytes("two"), ToBytes("three")));
  auto middle = store_->ReadEntries(1, 2);
  ASSERT_THAT(middle, IsOk());
  EXPECT_THAT(*middle, ElementsAre(ToBytes("two")));
  EXPECT_THAT(store_->ReadEntries(2, 4), StatusIs(StatusCode::kNotFound));

  auto hashes = store_->ReadLeafHashes(0, 3);
  ASSERT_THAT(hashes, IsOk());
  EXPECT_EQ((*hashes)[2], tlog::HashLeaf(AsBytes("three")));

  auto t = store_->ReadTile(0, 0);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->width, 2);
  EXPECT_EQ(t->data, Bytes(64, 7));

  EXPECT_EQ(store_->ReadCheckpoint(2).value(), "checkpoint 2\n");
  EXPECT_EQ(store_->ReadCheckpoint(3).value(), "checkpoint 3\n");
  EXPECT_THAT(store_->ReadCheckpoint(1), StatusIs(StatusCode::kNotFound));
}

TEST_P(LogStoreConformanceTest, EmptyEntriesAreStoredAsEmpty) {
  BatchBuilder b;
  ASSERT_THAT(store_->Append(b.Build({""})), IsOk());
  auto entries = store_->ReadEntries(0, 1);
  ASSERT_THAT(entries, IsOk());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_TRUE((*entries)[0].empty());
}

TEST_P(LogStoreConformanceTest, FindLeafHashesReturnsStoredIndices) {
  BatchBuilder b;
  ASSERT_THAT(store_->Append(b.Build({"a", "b", "c"})), IsOk());
  std::vector<tlog::Hash> q = {tlog::HashLeaf(AsBytes("c")), tlog::HashLeaf(AsBytes("zzz")),
                               tlog::HashLeaf(AsBytes("a"))};
  auto found = store_->FindLeafHashes(q);
  ASSERT_THAT(found, IsOk());
  ASSERT_EQ(found->size(), 3u);
  EXPECT_THAT((*found)[0], Optional(uint64_t{2}));
  EXPECT_EQ((*found)[1], std::nullopt);
  EXPECT_THAT((*found)[2], Optional(uint64_t{0}));
}

TEST_P(LogStoreConformanceTest, AFencedAppendChangesNothing) {
  BatchBuilder b;
  ASSERT_THAT(store_->Append(b.Build({"a"})), IsOk());
  AppendBatch stale = b.Build({"b"});
  stale.old_size = 0;
  stale.new_state.size = 1;
  stale.new_state.range = {tlog::HashLeaf(AsBytes("b"))};
  EXPECT_THAT(store_->Append(stale), StatusIs(StatusCode::kAborted));
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 1u);
  EXPECT_EQ(state->checkpoint, "checkpoint 1\n");
}

TEST_P(LogStoreConformanceTest, ADuplicateLeafHashFailsTheWholeBatch) {
  BatchBuilder b;
  ASSERT_THAT(store_->Append(b.Build({"a"})), IsOk());
  EXPECT_THAT(store_->Append(b.Build({"b", "a"})), StatusIs(StatusCode::kAlreadyExists));
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 1u);
  EXPECT_THAT(store_->ReadEntries(1, 2), StatusIs(StatusCode::kNotFound));
  auto found = store_->FindLeafHashes(std::vector<tlog::Hash>{tlog::HashLeaf(AsBytes("b"))});
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ((*found)[0], std::nullopt);
}

TEST_P(LogStoreConformanceTest, MalformedBatchesAreRefused) {
  BatchBuilder b;
  AppendBatch bad = b.Build({"a"});
  bad.new_state.size = 2;
  EXPECT_THAT(store_->Append(bad), StatusIs(StatusCode::kInvalidArgument));
  BatchBuilder b2;
  bad = b2.Build({"a"});
  bad.new_state.range.clear();
  EXPECT_THAT(store_->Append(bad), StatusIs(StatusCode::kInvalidArgument));
  BatchBuilder b3;
  bad = b3.Build({"a"});
  bad.new_state.checkpoint.clear();
  EXPECT_THAT(store_->Append(bad), StatusIs(StatusCode::kInvalidArgument));
  BatchBuilder b4;
  bad = b4.Build({"a"}, {StoredTile{8, 0, 1, Bytes(32)}});
  EXPECT_THAT(store_->Append(bad), StatusIs(StatusCode::kInvalidArgument));
  BatchBuilder b5;
  bad = b5.Build({"a"}, {StoredTile{0, 0, 0, Bytes(32)}});
  EXPECT_THAT(store_->Append(bad), StatusIs(StatusCode::kInvalidArgument));
  std::string big(65536, 'x');
  BatchBuilder b6;
  bad = b6.Build({big});
  EXPECT_THAT(store_->Append(bad), StatusIs(StatusCode::kInvalidArgument));
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 0u);
}

TEST_P(LogStoreConformanceTest, ATileIsReplacedOnlyByAWiderOne) {
  BatchBuilder b;
  ASSERT_THAT(store_->Append(b.Build({"a"}, {StoredTile{1, 5, 3, Bytes(96, 1)}})), IsOk());
  ASSERT_THAT(store_->Append(b.Build({"b"}, {StoredTile{1, 5, 2, Bytes(64, 2)}})), IsOk());
  auto t = store_->ReadTile(1, 5);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->width, 3);
  ASSERT_THAT(store_->Append(b.Build({"c"}, {StoredTile{1, 5, 256, Bytes(8192, 3)}})), IsOk());
  t = store_->ReadTile(1, 5);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->width, 256);
  EXPECT_EQ(t->data, Bytes(8192, 3));
  EXPECT_THAT(store_->ReadTile(1, 4), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->ReadTile(2, 5), StatusIs(StatusCode::kNotFound));
}

TEST_P(LogStoreConformanceTest, ReadTileHashesReadsSlots) {
  BatchBuilder b;
  Bytes data;
  for (uint8_t i = 0; i < 10; ++i) Append(data, Bytes(32, i));
  ASSERT_THAT(store_->Append(b.Build({"a"}, {StoredTile{0, 3, 10, data}})), IsOk());
  std::vector<uint32_t> slots = {9, 0, 4};
  std::vector<tlog::Hash> out(3);
  ASSERT_THAT(store_->ReadTileHashes(0, 3, slots, out), IsOk());
  EXPECT_EQ(out[0][0], 9);
  EXPECT_EQ(out[1][31], 0);
  EXPECT_EQ(out[2][17], 4);
  std::vector<uint32_t> beyond = {10};
  std::vector<tlog::Hash> one(1);
  EXPECT_THAT(store_->ReadTileHashes(0, 3, beyond, one), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(store_->ReadTileHashes(0, 4, slots, out), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store_->ReadTileHashes(9, 4, slots, out), StatusIs(StatusCode::kNotFound));
}

TEST_P(LogStoreConformanceTest, LargeTilesRoundTripAndPartialReadsCrossChunks) {
  BatchBuilder b;
  Bytes big;
  for (int i = 0; i < 543; ++i) Append(big, Bytes(32, static_cast<uint8_t>(i % 251)));
  Bytes partial(96, 0xee);
  ASSERT_THAT(store_->Append(b.Build({"a"}, {StoredTile{0, 9, 3, partial}})), IsOk());
  auto t = store_->ReadTile(0, 9);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->data, partial);
  // Widened to a full tile of 17,376 bytes (18 chunks): the old bytes are gone.
  ASSERT_THAT(store_->Append(b.Build({"b"}, {StoredTile{0, 9, 256, big}})), IsOk());
  t = store_->ReadTile(0, 9);
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->width, 256);
  EXPECT_EQ(t->data, big);
  std::vector<uint32_t> slots = {542, 0, 31, 32, 511, 512, 300};
  std::vector<tlog::Hash> out(slots.size());
  ASSERT_THAT(store_->ReadTileHashes(0, 9, slots, out), IsOk());
  for (size_t i = 0; i < slots.size(); ++i) {
    tlog::Hash want;
    want.fill(static_cast<uint8_t>(slots[i] % 251));
    EXPECT_EQ(out[i], want) << "slot " << slots[i];
  }
  // Tiles too big for the store are refused.
  BatchBuilder b2;
  EXPECT_THAT(store_->Append(b2.Build({"z"}, {StoredTile{0, 1, 256, Bytes(32 * 1024 + 32, 1)}})),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(LogStoreConformanceTest, ConcurrentReadersSeeWholeBatches) {
  BatchBuilder b;
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto state = store_->ReadState();
      if (!state.ok()) {
        ++bad;
        continue;
      }
      // Every entry the state counts is readable, and its checkpoint exists.
      if (state->size > 0) {
        if (!store_->ReadEntries(0, state->size).ok()) ++bad;
        auto cp = store_->ReadCheckpoint(state->size);
        if (!cp.ok() || *cp != state->checkpoint) ++bad;
      }
    }
  });
  for (int i = 0; i < 50; ++i) {
    std::vector<std::string> batch;
    batch.reserve(20);
    for (int j = 0; j < 20; ++j) batch.push_back("entry " + std::to_string(i * 20 + j));
    ASSERT_THAT(store_->Append(b.Build(batch)), IsOk());
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_P(LogStoreConformanceTest, DataSurvivesReopening) {
  if (!GetParam().durable) GTEST_SKIP() << "not a durable backend";
  BatchBuilder b;
  ASSERT_THAT(store_->Bind(Identity()), IsOk());
  ASSERT_THAT(store_->Append(b.Build({"one", "two", "three"}, {StoredTile{0, 0, 3, Bytes(96, 9)}})),
              IsOk());
  Reopen();
  EXPECT_THAT(store_->Bind(Identity()), IsOk());
  EXPECT_THAT(store_->Bind(LogIdentity{"x", "y"}), StatusIs(StatusCode::kFailedPrecondition));
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 3u);
  EXPECT_EQ(state->range,
            std::vector<tlog::Hash>(b.range.hashes().begin(), b.range.hashes().end()));
  auto entries = store_->ReadEntries(0, 3);
  ASSERT_THAT(entries, IsOk());
  EXPECT_EQ((*entries)[1], ToBytes("two"));
  ASSERT_THAT(store_->Append(b.Build({"four"})), IsOk());
  EXPECT_EQ(store_->ReadState()->size, 4u);
}

}  // namespace
}  // namespace vouch::store::testing

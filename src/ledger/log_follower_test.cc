// LogFollower: a read-only view of a log that a sequencer (elsewhere) writes, serving the same
// tiles and proofs as the sequencer's own snapshots, refreshed when stale, never going back.
#include "vouch/ledger/log_follower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/memory_log_store.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/tlog/tiles.h"

namespace vouch::ledger {
namespace {

using ::testing::HasSubstr;
using ::vouch::testing::StatusIs;

constexpr auto kFollowWait = std::chrono::seconds(30);

std::shared_ptr<const tlog::NoteSigner> Signer(uint8_t seed_byte = 0x42) {
  Bytes seed(32, seed_byte);
  return std::make_shared<tlog::Ed25519NoteSigner>(
      *tlog::Ed25519NoteSigner::FromSeed("example.com/follower-test", seed));
}

// A log of `n` entries in a new memory store, sequenced and stopped.
std::shared_ptr<store::MemoryLogStore> LogOf(int n, uint8_t seed_byte = 0x42) {
  auto store = std::make_shared<store::MemoryLogStore>();
  SequencerOptions options;
  options.batch_interval = std::chrono::microseconds(200);
  auto seq = Sequencer::Start(store, Signer(seed_byte), RealClock(), options);
  EXPECT_THAT(seq, IsOk());
  std::vector<Bytes> entries;
  for (int i = 0; i < n; ++i) entries.push_back(ToBytes("entry " + std::to_string(i)));
  std::vector<ByteSpan> spans(entries.begin(), entries.end());
  for (const auto& r : (*seq)->AddAll(spans, kFollowWait)) EXPECT_THAT(r, IsOk());
  return store;
}

// Reads through whichever store `target` names (to make a database "go back").
class SwitchedStore final : public store::LogStore {
 public:
  explicit SwitchedStore(std::shared_ptr<store::LogStore> target) : target_(std::move(target)) {}
  void Switch(std::shared_ptr<store::LogStore> target) { target_ = std::move(target); }

  Status Bind(const store::LogIdentity& identity) override { return target_->Bind(identity); }
  StatusOr<store::LogTreeState> ReadState() const override { return target_->ReadState(); }
  Status Append(const store::AppendBatch& batch) override { return target_->Append(batch); }
  StatusOr<std::vector<std::optional<uint64_t>>> FindLeafHashes(
      std::span<const tlog::Hash> leaf_hashes) const override {
    return target_->FindLeafHashes(leaf_hashes);
  }
  StatusOr<std::vector<Bytes>> ReadEntries(uint64_t begin, uint64_t end) const override {
    return target_->ReadEntries(begin, end);
  }
  StatusOr<std::vector<tlog::Hash>> ReadLeafHashes(uint64_t begin, uint64_t end) const override {
    return target_->ReadLeafHashes(begin, end);
  }
  StatusOr<store::StoredTile> ReadTile(uint8_t level, uint64_t index) const override {
    return target_->ReadTile(level, index);
  }
  StatusOr<std::string> ReadCheckpoint(uint64_t size) const override {
    return target_->ReadCheckpoint(size);
  }

 private:
  std::shared_ptr<store::LogStore> target_;  // switched by the test thread only
};

TEST(LogFollowerTest, ServesWhatTheSequencerServesOnceStale) {
  auto store = std::make_shared<store::MemoryLogStore>();
  SequencerOptions options;
  options.batch_interval = std::chrono::microseconds(200);
  auto seq = Sequencer::Start(store, Signer(), RealClock(), options);
  ASSERT_THAT(seq, IsOk());
  ::vouch::testing::FakeClock clock;
  auto follower = LogFollower::Open(store, (*seq)->verifier_key(), clock, {});
  ASSERT_THAT(follower, IsOk());
  ASSERT_NE((*follower)->Latest(), nullptr);  // the size-0 checkpoint
  EXPECT_EQ((*follower)->Latest()->size(), 0u);

  // 600 entries: two full level-0 tiles and a partial one, a partial level-1 tile.
  std::vector<Bytes> entries;
  for (int i = 0; i < 600; ++i) entries.push_back(ToBytes("entry " + std::to_string(i)));
  std::vector<ByteSpan> spans(entries.begin(), entries.end());
  for (const auto& r : (*seq)->AddAll(spans, kFollowWait)) ASSERT_THAT(r, IsOk());
  auto expected = (*seq)->Latest();
  ASSERT_EQ(expected->size(), 600u);

  EXPECT_EQ((*follower)->Latest()->size(), 0u) << "read again before it was stale";
  clock.Advance(std::chrono::milliseconds(250));
  auto got = (*follower)->Latest();
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->size(), expected->size());
  EXPECT_EQ(got->root(), expected->root());
  EXPECT_EQ(got->checkpoint(), expected->checkpoint());

  LogReader reader(store, 1 << 20);
  for (const tlog::TileId& id : tlog::HashTilesForSize(600)) {
    auto a = reader.ReadTile(id, *got);
    auto b = reader.ReadTile(id, *expected);
    ASSERT_THAT(a, IsOk()) << tlog::TilePath(id);
    EXPECT_EQ(*a, *b) << tlog::TilePath(id);
  }
  for (uint64_t index : {0u, 255u, 256u, 599u}) {
    auto a = reader.ProofFile(index, *got);
    ASSERT_THAT(a, IsOk());
    EXPECT_EQ(*a, *reader.ProofFile(index, *expected)) << index;
  }
}

TEST(LogFollowerTest, ALogWithoutACheckpointHasNoSnapshotYet) {
  ::vouch::testing::FakeClock clock;
  auto follower = LogFollower::Open(std::make_shared<store::MemoryLogStore>(),
                                    Signer()->verifier_key(), clock, {});
  ASSERT_THAT(follower, IsOk());
  EXPECT_EQ((*follower)->Latest(), nullptr);
}

TEST(LogFollowerTest, AnotherKeysLogIsRefused) {
  ::vouch::testing::FakeClock clock;
  auto follower = LogFollower::Open(LogOf(3, 0x01), Signer(0x02)->verifier_key(), clock, {});
  EXPECT_THAT(follower, StatusIs(StatusCode::kDataLoss, HasSubstr("not signed by")));
}

TEST(LogFollowerTest, NeverGoesBackAndSaysSoOnce) {
  auto larger = LogOf(300);
  auto switched = std::make_shared<SwitchedStore>(larger);
  ::vouch::testing::FakeClock clock;
  std::vector<std::string> events;
  LogFollowerOptions options;
  options.on_event = [&events](const std::string& e) { events.push_back(e); };
  auto follower = LogFollower::Open(switched, Signer()->verifier_key(), clock, options);
  ASSERT_THAT(follower, IsOk());
  ASSERT_EQ((*follower)->Latest()->size(), 300u);

  switched->Switch(LogOf(100));  // the database restored from an older backup
  for (int i = 0; i < 3; ++i) {
    clock.Advance(std::chrono::seconds(1));
    EXPECT_EQ((*follower)->Latest()->size(), 300u);
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_THAT(events[0], HasSubstr("went back from 300 to 100"));

  const tlog::Hash served = (*follower)->Latest()->root();
  switched->Switch(LogOf(300, 0x07));  // another key's tree: a failed check, also said once
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ((*follower)->Latest()->root(), served);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_THAT(events[1], HasSubstr("not signed by"));

  switched->Switch(larger);  // back to the tree it serves: adopted, nothing to say
  clock.Advance(std::chrono::seconds(1));
  EXPECT_EQ((*follower)->Latest()->size(), 300u);
  EXPECT_EQ(events.size(), 2u);
}

}  // namespace
}  // namespace vouch::ledger

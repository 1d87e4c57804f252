// Sequencer and LogReader: batching, deduplication, durability of acknowledgements, recovery,
// tiles and proofs, and byte-identity with the Tessera test log through storage + sequencer.
#include "vouch/ledger/sequencer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/memory_log_store.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "tlog/test_util.h"
#include "vouch/base/clock.h"
#include "vouch/base/mutex.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/state_anchor.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/proof_file.h"

namespace vouch::ledger {
namespace {

using tlog::Hash;
using tlog::TileId;

constexpr auto kWait = std::chrono::seconds(30);

std::shared_ptr<const tlog::NoteSigner> TestSigner(
    const std::string& origin = "example.com/vouch-test") {
  Bytes seed(32, 0x42);
  return std::make_shared<tlog::Ed25519NoteSigner>(
      *tlog::Ed25519NoteSigner::FromSeed(origin, seed));
}

std::shared_ptr<const tlog::NoteSigner> TesseraSigner() {
  return std::make_shared<tlog::Ed25519NoteSigner>(
      *tlog::Ed25519NoteSigner::ParseGoPrivateKey(tlog::testing::kTesseraSkey));
}

SequencerOptions Fast() {
  SequencerOptions o;
  o.batch_interval = std::chrono::microseconds(200);
  return o;
}

// Verifies a checkpoint note with `vkey` and returns its body.
tlog::Checkpoint VerifiedCheckpoint(const std::string& note, const tlog::VerifierKey& vkey) {
  auto cp = tlog::SignedCheckpoint::Parse(note);
  EXPECT_THAT(cp, IsOk());
  auto keys = *tlog::VerifierSet::Create({*tlog::NewNoteVerifier(vkey)});
  EXPECT_THAT(cp->Verify(keys), IsOk());
  return cp->checkpoint();
}

std::string Entry(int i) { return "entry #" + std::to_string(i); }

class SequencerTest : public ::testing::Test {
 protected:
  void Start(SequencerOptions options = Fast(), const Clock& clock = RealClock()) {
    auto seq = Sequencer::Start(store_, TestSigner(), clock, options);
    ASSERT_THAT(seq, IsOk());
    seq_ = std::move(seq).value();
    reader_ = std::make_unique<LogReader>(store_, 1 << 20);
  }
  StatusOr<AddResult> Add(const std::string& entry) { return seq_->Add(AsBytes(entry), kWait); }

  std::shared_ptr<store::MemoryLogStore> store_ = std::make_shared<store::MemoryLogStore>();
  ::vouch::testing::FakeClock fake_clock_;
  std::unique_ptr<Sequencer> seq_;
  std::unique_ptr<LogReader> reader_;
};

TEST_F(SequencerTest, ANewLogPublishesTheEmptyCheckpoint) {
  Start();
  auto snap = seq_->Latest();
  EXPECT_EQ(snap->size(), 0u);
  EXPECT_EQ(snap->root(), tlog::EmptyRoot());
  tlog::Checkpoint cp = VerifiedCheckpoint(snap->checkpoint(), seq_->verifier_key());
  EXPECT_EQ(cp.origin(), "example.com/vouch-test");
  EXPECT_EQ(cp.size(), 0u);
  // ... durably.
  EXPECT_EQ(store_->ReadState()->checkpoint, snap->checkpoint());
  EXPECT_EQ(seq_->origin(), "example.com/vouch-test");
}

TEST_F(SequencerTest, AddsGetConsecutiveIndicesAndAPublishedCheckpoint) {
  Start();
  for (int i = 0; i < 5; ++i) {
    auto r = Add(Entry(i));
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->index, static_cast<uint64_t>(i));
    EXPECT_EQ(r->leaf_hash, tlog::HashLeaf(AsBytes(Entry(i))));
    EXPECT_FALSE(r->duplicate);
    EXPECT_GE(r->tree_size, r->index + 1);
  }
  auto snap = seq_->Latest();
  EXPECT_EQ(snap->size(), 5u);
  tlog::MemoryTree tree;
  for (int i = 0; i < 5; ++i) tree.AppendEntry(AsBytes(Entry(i)));
  EXPECT_EQ(snap->root(), tree.Root());
  tlog::Checkpoint cp = VerifiedCheckpoint(snap->checkpoint(), seq_->verifier_key());
  EXPECT_EQ(cp.size(), 5u);
  EXPECT_EQ(cp.root(), tree.Root());
  // The acknowledged entries are in the store at their indices.
  auto entries = store_->ReadEntries(0, 5);
  ASSERT_THAT(entries, IsOk());
  EXPECT_EQ((*entries)[3], ToBytes(Entry(3)));
}

TEST_F(SequencerTest, DuplicatesGetTheExistingIndex) {
  Start();
  ASSERT_THAT(Add("a"), IsOk());
  ASSERT_THAT(Add("b"), IsOk());
  auto again = Add("a");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->index, 0u);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(seq_->Latest()->size(), 2u);
  EXPECT_EQ(seq_->stats().duplicates, 1u);
}

TEST_F(SequencerTest, DuplicatesWithinOneBatchShareAnIndex) {
  SequencerOptions o;
  o.batch_size = 6;
  o.batch_interval = std::chrono::seconds(10);  // the batch is cut by size only
  Start(o);
  std::vector<std::future<StatusOr<AddResult>>> f;
  for (const char* e : {"x", "y", "x", "z", "y", "x"}) f.push_back(seq_->Submit(AsBytes(e)));
  std::vector<AddResult> r;
  for (auto& x : f) {
    auto v = x.get();
    ASSERT_THAT(v, IsOk());
    r.push_back(*v);
  }
  EXPECT_EQ(r[0].index, 0u);
  EXPECT_EQ(r[1].index, 1u);
  EXPECT_EQ(r[2].index, 0u);
  EXPECT_EQ(r[3].index, 2u);
  EXPECT_EQ(r[4].index, 1u);
  EXPECT_EQ(r[5].index, 0u);
  EXPECT_FALSE(r[0].duplicate);
  EXPECT_TRUE(r[2].duplicate);
  EXPECT_TRUE(r[5].duplicate);
  EXPECT_EQ(seq_->Latest()->size(), 3u);
  EXPECT_EQ(seq_->stats().batches, 1u);
}

TEST_F(SequencerTest, TheBatchIntervalCutsSmallBatches) {
  SequencerOptions o;
  o.batch_size = 1000;
  o.batch_interval = std::chrono::milliseconds(20);
  Start(o, fake_clock_);
  auto f = seq_->Submit(AsBytes("lonely"));
  // The sequencer waits for the interval to pass: nothing is cut before it has.
  EXPECT_TRUE(fake_clock_.AwaitWaiters(1));
  fake_clock_.Advance(std::chrono::milliseconds(19));
  EXPECT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(seq_->stats().batches, 0u);
  fake_clock_.Advance(std::chrono::milliseconds(1));
  ASSERT_THAT(f.get(), IsOk());
  EXPECT_EQ(seq_->stats().batches, 1u);
}

TEST_F(SequencerTest, OversizedEntriesAreRefusedUpFront) {
  Start();
  std::string big(65536, 'x');
  EXPECT_THAT(Add(big), StatusIs(StatusCode::kInvalidArgument, HasSubstr("65,535")));
  std::string max(65535, 'x');
  EXPECT_THAT(Add(max), IsOk());
  std::string empty;
  EXPECT_THAT(Add(empty), IsOk());
}

TEST_F(SequencerTest, PushbackWhenTooMuchIsWaiting) {
  SequencerOptions o;
  o.batch_size = 1000;
  o.batch_interval = std::chrono::milliseconds(200);
  o.max_pending_entries = 3;
  Start(o, fake_clock_);
  std::vector<std::future<StatusOr<AddResult>>> f;
  for (int i = 0; i < 3; ++i) f.push_back(seq_->Submit(AsBytes(Entry(i))));
  EXPECT_THAT(seq_->Submit(AsBytes(Entry(9))).get(), StatusIs(StatusCode::kResourceExhausted));
  fake_clock_.Advance(o.batch_interval);
  for (auto& x : f) EXPECT_THAT(x.get(), IsOk());
}

TEST_F(SequencerTest, AddTimesOutButTheEntryIsSequencedLater) {
  SequencerOptions o;
  o.batch_size = 1000;
  o.batch_interval = std::chrono::milliseconds(300);
  Start(o, fake_clock_);
  // Once both the sequencer (its batch) and Add (its timeout) wait, 10 ms pass: only Add's
  // timeout has come.
  std::thread first([this] {
    EXPECT_TRUE(fake_clock_.AwaitWaiters(2));
    fake_clock_.Advance(std::chrono::milliseconds(10));
  });
  EXPECT_THAT(seq_->Add(AsBytes("slow"), std::chrono::milliseconds(10)),
              StatusIs(StatusCode::kDeadlineExceeded));
  first.join();
  // Then the batch interval ends, and the entry is sequenced, once.
  std::thread second([this] {
    EXPECT_TRUE(fake_clock_.AwaitWaiters(2));
    fake_clock_.Advance(std::chrono::milliseconds(290));
  });
  auto r = seq_->Add(AsBytes("slow"), kWait);
  second.join();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->index, 0u);
  EXPECT_EQ(seq_->Latest()->size(), 1u);
}

TEST_F(SequencerTest, StopSequencesWhatIsQueuedAndRefusesMore) {
  SequencerOptions o;
  o.batch_size = 1000;
  o.batch_interval = std::chrono::seconds(60);
  Start(o);
  auto f = seq_->Submit(AsBytes("queued"));
  seq_->Stop();
  auto r = f.get();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->index, 0u);
  EXPECT_THAT(seq_->Submit(AsBytes("late")).get(), StatusIs(StatusCode::kUnavailable));
  seq_->Stop();  // idempotent
}

TEST_F(SequencerTest, AFailedCommitIsNotAcknowledgedAndTheLogContinues) {
  SequencerOptions options = Fast();
  Mutex told_mu;
  std::vector<Status> told;
  options.on_commit_failure = [&](const Status& s) {
    MutexLock lock(&told_mu);
    told.push_back(s);
  };
  Start(options);
  ASSERT_THAT(Add("before"), IsOk());
  store_->FailAppends(1, UnavailableError("disk full"));
  EXPECT_THAT(Add("lost"), StatusIs(StatusCode::kUnavailable, HasSubstr("disk full")));
  EXPECT_EQ(seq_->Latest()->size(), 1u);
  auto r = Add("after");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->index, 1u);
  // "lost" was never stored; adding it now appends it.
  auto lost = Add("lost");
  ASSERT_THAT(lost, IsOk());
  EXPECT_EQ(lost->index, 2u);
  EXPECT_FALSE(lost->duplicate);
  EXPECT_EQ(seq_->stats().failed_commits, 1u);
  // The server is told too (it says so on its log), once, with the store's words.
  MutexLock lock(&told_mu);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_THAT(told[0], StatusIs(StatusCode::kUnavailable, HasSubstr("disk full")));
}

TEST_F(SequencerTest, ACommitWhoseAcknowledgementWasLostIsRecognised) {
  Start();
  store_->FailAppends(1, UnavailableError("connection reset"), /*after_commit=*/true);
  auto r = Add("committed anyway");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->index, 0u);
  EXPECT_EQ(seq_->Latest()->size(), 1u);
  ASSERT_THAT(Add("next"), IsOk());
  EXPECT_EQ(seq_->Latest()->size(), 2u);
}

TEST_F(SequencerTest, ConcurrentAddsGetDistinctContiguousIndices) {
  Start();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = Add("t" + std::to_string(t) + "/" + std::to_string(i));
        if (r.ok()) got[t].push_back(r->index);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& g : got) all.insert(g.begin(), g.end());
  ASSERT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads * kPerThread - 1});
  EXPECT_EQ(seq_->Latest()->size(), uint64_t{kThreads * kPerThread});
  EXPECT_LT(seq_->stats().batches, uint64_t{kThreads * kPerThread});  // batching happened
}

TEST_F(SequencerTest, ASecondKeyCannotTakeOverAStore) {
  Start();
  ASSERT_THAT(Add("x"), IsOk());
  seq_->Stop();
  EXPECT_THAT(Sequencer::Start(store_, TestSigner("other.example/log"), RealClock(), Fast()),
              StatusIs(StatusCode::kFailedPrecondition));
}

// A signer that claims one key and signs with another (a misconfigured remote or enclave key).
class MismatchedSigner final : public tlog::NoteSigner {
 public:
  MismatchedSigner()
      : claimed_(*tlog::Ed25519NoteSigner::FromSeed("example.com/vouch-test", Bytes(32, 1))),
        actual_(*tlog::Ed25519NoteSigner::FromSeed("example.com/vouch-test", Bytes(32, 2))) {}
  const std::string& name() const override { return claimed_.name(); }
  uint32_t key_id() const override { return claimed_.key_id(); }
  tlog::VerifierKey verifier_key() const override { return claimed_.verifier_key(); }
  StatusOr<Bytes> Sign(ByteSpan text) const override { return actual_.Sign(text); }

 private:
  tlog::Ed25519NoteSigner claimed_;
  tlog::Ed25519NoteSigner actual_;
};

TEST_F(SequencerTest, ASignerThatDoesNotSignForItsKeyIsRefused) {
  EXPECT_THAT(Sequencer::Start(store_, std::make_shared<MismatchedSigner>(), RealClock(), Fast()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not sign for")));
  EXPECT_THAT(Sequencer::Start(store_, nullptr, RealClock(), Fast()),
              StatusIs(StatusCode::kInvalidArgument));
  // Nothing was bound or written.
  EXPECT_EQ(store_->ReadState()->checkpoint, "");
}

TEST_F(SequencerTest, ListenersHearEveryPublicationUntilTheyUnsubscribe) {
  Start();
  std::atomic<int> heard{0};
  auto subscription = seq_->OnPublish([&heard] { ++heard; });
  ASSERT_THAT(Add("one"), IsOk());
  ASSERT_THAT(Add("two"), IsOk());
  EXPECT_EQ(heard.load(), 2);
  subscription.reset();
  ASSERT_THAT(Add("three"), IsOk());
  EXPECT_EQ(heard.load(), 2);
}

// Builds a log of `n` entries (in uneven batches) and checks every served tile, bundle and a
// sample of proofs against an in-memory tree.
// The tip bundle, kept in memory as it grows (LogReader's banner), is served exactly as the
// store holds it at every width: after each append, for the current snapshot and for older
// (narrower) ones, across the boundary where it fills and the next one starts.
// SubmitThen: the outcome comes to the callback, once per entry — sequenced (in order, a
// duplicate at its first index), refused at once on the calling thread (too big, stopped).
TEST_F(SequencerTest, SubmitThenHandsEachOutcomeToItsCallback) {
  Start();
  Mutex mu;
  CondVar cv;
  std::vector<StatusOr<AddResult>> results(4, Status(StatusCode::kInternal, "not called"));
  int calls = 0;
  auto record = [&](size_t i) {
    return [&, i](StatusOr<AddResult> r) {
      MutexLock lock(&mu);
      results[i] = std::move(r);
      ++calls;
      cv.SignalAll();
    };
  };
  seq_->SubmitThen(AsBytes(Entry(0)), record(0));
  seq_->SubmitThen(AsBytes(Entry(1)), record(1));
  seq_->SubmitThen(AsBytes(Entry(0)), record(2));
  {
    MutexLock lock(&mu);
    const Clock::SteadyTime deadline = RealClock().SteadyNow() + kWait;
    while (calls != 3) ASSERT_TRUE(cv.WaitUntil(&mu, deadline)) << calls << " calls";
  }
  ASSERT_THAT(results[0], IsOk());
  ASSERT_THAT(results[1], IsOk());
  ASSERT_THAT(results[2], IsOk());
  EXPECT_EQ(results[0]->index + 1, results[1]->index);
  EXPECT_TRUE(results[2]->duplicate);
  EXPECT_EQ(results[2]->index, results[0]->index);
  seq_->SubmitThen(Bytes(tlog::kMaxEntrySize + 1, 'x'), record(3));  // refused before it returns
  EXPECT_EQ(calls, 4);
  EXPECT_THAT(results[3], StatusIs(StatusCode::kInvalidArgument));
  seq_->Stop();
  StatusOr<AddResult> after_stop = Status(StatusCode::kInternal, "not called");
  seq_->SubmitThen(AsBytes(Entry(9)), [&](StatusOr<AddResult> r) { after_stop = std::move(r); });
  EXPECT_THAT(after_stop, StatusIs(StatusCode::kUnavailable));
}

TEST_F(SequencerTest, TheTipBundleIsRightAtEveryWidthAsItGrows) {
  Start();
  auto expect_bundle = [this](const LogSnapshot& snap, uint64_t index, uint16_t width) {
    auto data = reader_->ReadTile(TileId::Bundle(index, width), snap);
    ASSERT_THAT(data, IsOk()) << index << "/" << width;
    auto entries = tlog::ParseEntryBundle(*data, width);
    ASSERT_THAT(entries, IsOk());
    for (size_t i = 0; i < entries->size(); ++i) {
      EXPECT_EQ(AsStringView((*entries)[i]), Entry(static_cast<int>(index * 256 + i)));
    }
  };
  std::vector<std::shared_ptr<const LogSnapshot>> snapshots;
  for (int i = 0; i < 300; ++i) {
    ASSERT_THAT(Add(Entry(i)), IsOk());
    auto snap = seq_->Latest();
    snapshots.push_back(snap);
    const uint64_t size = snap->size();
    if (size % 256 != 0) expect_bundle(*snap, size / 256, static_cast<uint16_t>(size % 256));
    if (size >= 256) expect_bundle(*snap, 0, 256);
    if (i % 37 == 0) {  // an older snapshot's narrower tip, after the tip grew
      for (size_t j : {size_t{0}, snapshots.size() / 2}) {
        const uint64_t old = snapshots[j]->size();
        if (old % 256 != 0) {
          expect_bundle(*snapshots[j], old / 256, static_cast<uint16_t>(old % 256));
        }
      }
    }
  }
}

TEST_F(SequencerTest, TilesBundlesAndProofsMatchAnInMemoryTree) {
  SequencerOptions o;
  o.batch_size = 5000;
  o.batch_interval = std::chrono::microseconds(0);
  Start(o);
  constexpr int kN = 70'000;  // spans full and partial tiles at levels 0, 1 and 2
  tlog::MemoryTree tree;
  std::vector<std::shared_ptr<const LogSnapshot>> snapshots;
  int next = 0;
  for (int chunk : {1, 255, 1, 300, 65'279, 3'000, 1'164}) {
    std::vector<std::future<StatusOr<AddResult>>> f;
    for (int i = 0; i < chunk; ++i, ++next) {
      f.push_back(seq_->Submit(AsBytes(Entry(next))));
      tree.AppendEntry(AsBytes(Entry(next)));
    }
    for (auto& x : f) ASSERT_THAT(x.get(), IsOk());
    snapshots.push_back(seq_->Latest());
  }
  ASSERT_EQ(next, kN);
  auto snap = seq_->Latest();
  ASSERT_EQ(snap->size(), uint64_t{kN});
  EXPECT_EQ(snap->root(), tree.Root());

  // Every hash tile at the final size.
  for (const TileId& id : tlog::HashTilesForSize(kN)) {
    auto data = reader_->ReadTile(id, *snap);
    ASSERT_THAT(data, IsOk()) << tlog::TilePath(id);
    ASSERT_EQ(data->size(), size_t{id.width} * 32);
    for (uint16_t i = 0; i < id.width; ++i) {
      tlog::NodeId node{static_cast<uint8_t>(8 * id.level), id.index * 256 + i};
      Hash want;
      ASSERT_THAT(
          tree.ReadHashes(std::span<const tlog::NodeId>(&node, 1), std::span<Hash>(&want, 1)),
          IsOk());
      ASSERT_TRUE(std::equal(want.begin(), want.end(), data->begin() + i * 32))
          << tlog::TilePath(id) << " hash " << i;
    }
  }
  // Bundles, full and partial.
  for (const TileId& id : {TileId::Bundle(0), TileId::Bundle(273, 112), TileId::Bundle(273, 5)}) {
    auto data = reader_->ReadTile(id, *snap);
    ASSERT_THAT(data, IsOk()) << tlog::TilePath(id);
    auto entries = tlog::ParseEntryBundle(*data, id.width);
    ASSERT_THAT(entries, IsOk());
    for (size_t i = 0; i < entries->size(); ++i) {
      EXPECT_EQ(AsStringView((*entries)[i]), Entry(static_cast<int>(id.index * 256 + i)));
    }
  }
  // A narrower partial of a full tile is its prefix; tiles beyond the tree are not served.
  auto prefix = reader_->ReadTile(TileId::HashTile(0, 3, 7), *snap);
  ASSERT_THAT(prefix, IsOk());
  EXPECT_EQ(prefix->size(), 7u * 32);
  EXPECT_THAT(reader_->ReadTile(TileId::HashTile(0, 273), *snap), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(reader_->ReadTile(TileId::HashTile(0, 273, 113), *snap),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(reader_->ReadTile(TileId::HashTile(0, 274, 1), *snap),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(reader_->ReadTile(TileId::HashTile(3, 0, 1), *snap), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(reader_->ReadTile(TileId::Bundle(274, 1), *snap), StatusIs(StatusCode::kNotFound));

  // Inclusion proofs, against the final and an older snapshot.
  for (uint64_t index : {0ull, 1ull, 255ull, 256ull, 65'535ull, 65'536ull, 69'999ull, 12'345ull}) {
    for (const auto& s : {snap, snapshots[4]}) {
      if (index >= s->size()) continue;
      auto proof = reader_->InclusionProof(index, *s);
      ASSERT_THAT(proof, IsOk());
      EXPECT_THAT(tlog::VerifyInclusion(index, s->size(),
                                        tlog::HashLeaf(AsBytes(Entry(static_cast<int>(index)))),
                                        *proof, s->root()),
                  IsOk())
          << index << " in " << s->size();
    }
  }
  EXPECT_THAT(reader_->InclusionProof(kN, *snap), StatusIs(StatusCode::kNotFound));
  // Without a cache, level-0 hashes are read straight from the stored tiles.
  LogReader uncached(store_, /*cache_bytes=*/0);
  // A cache too small for any full tile: level-0 tiles are read block by block, their top
  // blocks cached.
  LogReader small(store_, /*cache_bytes=*/40 << 10);
  for (int pass = 0; pass < 2; ++pass) {
    for (uint64_t index : {0ull, 300ull, 301ull, 65'535ull, 69'999ull, 12'345ull}) {
      auto want = reader_->InclusionProof(index, *snap);
      ASSERT_THAT(want, IsOk());
      EXPECT_EQ(*uncached.InclusionProof(index, *snap), *want) << index;
      EXPECT_EQ(*small.InclusionProof(index, *snap), *want) << index;
    }
  }
  // Consistency proofs between published sizes.
  for (const auto& old : snapshots) {
    if (old->size() == 0 || old->size() == snap->size()) continue;
    auto proof = reader_->ConsistencyProof(old->size(), *snap);
    ASSERT_THAT(proof, IsOk());
    EXPECT_THAT(
        tlog::VerifyConsistency(old->size(), snap->size(), *proof, old->root(), snap->root()),
        IsOk());
  }
  // A receipt verifies with the log's key.
  auto receipt = reader_->ProofFile(12'345, *snap);
  ASSERT_THAT(receipt, IsOk());
  auto file = tlog::ProofFile::Parse(*receipt);
  ASSERT_THAT(file, IsOk());
  auto policy = tlog::Policy::Parse("log " + seq_->verifier_key().ToString() + "\nquorum none\n");
  ASSERT_THAT(policy, IsOk());
  EXPECT_THAT(file->VerifyEntry(AsBytes(Entry(12'345)), *policy), IsOk());
  EXPECT_FALSE(file->VerifyEntry(AsBytes(Entry(12'346)), *policy).ok());
}

// ---- SQLite: restart, recovery, and the Tessera test log ----

class SqliteSequencerTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ::vouch::testing::MakeTempDir("sequencer_test"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::shared_ptr<store::LogStore> OpenStore() {
    auto s = store::SqliteLogStore::Open(dir_ + "/log.db");
    EXPECT_THAT(s, IsOk());
    return std::shared_ptr<store::LogStore>(std::move(s).value());
  }
  std::string dir_;
};

// An anchored log (issue 12): every published checkpoint is in the state anchor before it is
// published, and a database that lost what was signed is refused before anything is signed.
TEST_F(SqliteSequencerTest, EveryPublishedCheckpointIsAnchoredFirst) {
  const std::string anchor = dir_ + "/log.anchor";
  auto created = store::SqliteLogStore::CreateState(dir_ + "/log.db");
  ASSERT_THAT(created, IsOk());
  std::shared_ptr<store::LogStore> store = std::move(created).value();
  auto seq = Sequencer::Start(store, TestSigner(), RealClock(), Fast());
  ASSERT_THAT(seq, IsOk());
  std::atomic<int> published{0};
  std::atomic<int> unanchored{0};
  auto subscription = (*seq)->OnPublish([&] {
    auto latest = (*seq)->Latest();
    auto a = store::ReadStateAnchor(anchor);
    ++published;
    if (!a.ok() || !a->has_value() || (*a)->trees.size() != 1 ||
        (*a)->trees.begin()->second.size < latest->size()) {
      ++unanchored;
    }
  });
  for (int i = 0; i < 40; ++i) ASSERT_THAT((*seq)->Add(AsBytes(Entry(i)), kWait), IsOk());
  subscription.reset();
  EXPECT_GT(published.load(), 0);
  EXPECT_EQ(unanchored.load(), 0);
  auto latest = (*seq)->Latest();
  EXPECT_EQ(store::ReadStateAnchor(anchor)->value().trees.at((*seq)->origin()),
            (store::AnchoredTree{latest->size(), latest->root()}));
  seq->reset();
  store.reset();
  // The database rolled back to an older copy: refused at open, nothing is signed.
  auto reopened = store::SqliteLogStore::OpenState(dir_ + "/log.db");
  ASSERT_THAT(reopened, IsOk());
  reopened->reset();
  std::filesystem::copy_file(dir_ + "/log.db", dir_ + "/backup.db");
  {
    auto s = store::SqliteLogStore::OpenState(dir_ + "/log.db");
    ASSERT_THAT(s, IsOk());
    auto again = Sequencer::Start(std::move(s).value(), TestSigner(), RealClock(), Fast());
    ASSERT_THAT(again, IsOk());
    for (int i = 40; i < 60; ++i) ASSERT_THAT((*again)->Add(AsBytes(Entry(i)), kWait), IsOk());
  }
  std::filesystem::remove(dir_ + "/log.db");
  std::filesystem::rename(dir_ + "/backup.db", dir_ + "/log.db");
  EXPECT_THAT(store::SqliteLogStore::OpenState(dir_ + "/log.db"),
              StatusIs(StatusCode::kDataLoss,
                       HasSubstr("has 40 entries but this log signed a checkpoint for 60")));
}

TEST_F(SqliteSequencerTest, ARestartedLogContinuesWhereItStopped) {
  std::string checkpoint;
  {
    auto store = OpenStore();
    auto seq = Sequencer::Start(store, TestSigner(), RealClock(), Fast());
    ASSERT_THAT(seq, IsOk());
    for (int i = 0; i < 300; ++i) ASSERT_THAT((*seq)->Add(AsBytes(Entry(i)), kWait), IsOk());
    checkpoint = (*seq)->Latest()->checkpoint();
  }
  auto store = OpenStore();
  auto seq = Sequencer::Start(store, TestSigner(), RealClock(), Fast());
  ASSERT_THAT(seq, IsOk());
  EXPECT_EQ((*seq)->Latest()->size(), 300u);
  EXPECT_EQ((*seq)->Latest()->checkpoint(), checkpoint);
  auto dup = (*seq)->Add(AsBytes(Entry(299)), kWait);
  ASSERT_THAT(dup, IsOk());
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->index, 299u);
  for (int i = 300; i < 600; ++i) {
    auto r = (*seq)->Add(AsBytes(Entry(i)), kWait);
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->index, static_cast<uint64_t>(i));
  }
  tlog::MemoryTree tree;
  for (int i = 0; i < 600; ++i) tree.AppendEntry(AsBytes(Entry(i)));
  EXPECT_EQ((*seq)->Latest()->root(), tree.Root());
  LogReader reader(store);
  auto proof = reader.InclusionProof(450, *(*seq)->Latest());
  ASSERT_THAT(proof, IsOk());
  EXPECT_THAT(
      tlog::VerifyInclusion(450, 600, tlog::HashLeaf(AsBytes(Entry(450))), *proof, tree.Root()),
      IsOk());
}

TEST_F(SqliteSequencerTest, AStoreSignedByAnotherKeyIsRefused) {
  {
    auto seq = Sequencer::Start(OpenStore(), TestSigner(), RealClock(), Fast());
    ASSERT_THAT(seq, IsOk());
  }
  Bytes other_seed(32, 7);
  auto other = std::make_shared<tlog::Ed25519NoteSigner>(
      *tlog::Ed25519NoteSigner::FromSeed("example.com/vouch-test", other_seed));
  EXPECT_THAT(Sequencer::Start(OpenStore(), other, RealClock(), Fast()),
              StatusIs(StatusCode::kFailedPrecondition));
}

// A stored checkpoint whose signature was edited (the store's identity still says this key) is
// damage, not another log's store: refused with kDataLoss (`serve log` exit 3, docs/log.md).
TEST_F(SqliteSequencerTest, AnEditedStoredCheckpointSignatureIsDamage) {
  {
    auto seq = Sequencer::Start(OpenStore(), TestSigner(), RealClock(), Fast());
    ASSERT_THAT(seq, IsOk());
    for (int i = 0; i < 3; ++i) ASSERT_THAT((*seq)->Add(AsBytes(Entry(i)), kWait), IsOk());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ + "/log.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT checkpoint FROM tree WHERE id = 1", -1, &read, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
  std::string note(reinterpret_cast<const char*>(sqlite3_column_text(read, 0)));
  sqlite3_finalize(read);
  // A character in the middle of the signature line's base64 (past the key hash).
  const size_t sig = note.rfind(' ');
  ASSERT_NE(sig, std::string::npos);
  ASSERT_GT(note.size(), sig + 40);
  char& c = note[sig + 30];
  c = c == 'A' ? 'B' : 'A';
  sqlite3_stmt* write = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "UPDATE tree SET checkpoint = ? WHERE id = 1", -1, &write, nullptr),
      SQLITE_OK);
  sqlite3_bind_text(write, 1, note.c_str(), static_cast<int>(note.size()), SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(write), SQLITE_DONE);
  sqlite3_finalize(write);
  sqlite3_close(db);
  EXPECT_THAT(Sequencer::Start(OpenStore(), TestSigner(), RealClock(), Fast()),
              StatusIs(StatusCode::kDataLoss, HasSubstr("is not signed by")));
}

// The same entries as the Tessera test log, appended one at a time to a fresh Vouch log with
// the same key, give byte-identical checkpoints at every size and byte-identical tiles and
// bundles, through SQLite storage and the sequencer.
TEST_F(SqliteSequencerTest, TheTesseraTestLogIsReproducedByteForByte) {
  auto store = OpenStore();
  auto seq = Sequencer::Start(store, TesseraSigner(), RealClock(), Fast());
  ASSERT_THAT(seq, IsOk());
  LogReader reader(store);
  const std::string dir = "tlog/tessera-testdata-log/log/";
  EXPECT_EQ((*seq)->Latest()->checkpoint(),
            ::vouch::testing::ReadTestDataString(dir + "checkpoint.0"));
  const auto& entries = tlog::testing::TesseraEntries();
  for (size_t n = 1; n <= entries.size(); ++n) {
    auto r = (*seq)->Add(AsBytes(entries[n - 1]), kWait);
    ASSERT_THAT(r, IsOk());
    ASSERT_EQ(r->index, n - 1);
    auto snap = (*seq)->Latest();
    ASSERT_EQ(snap->size(), n);
    EXPECT_EQ(snap->checkpoint(),
              ::vouch::testing::ReadTestDataString(dir + "checkpoint." + std::to_string(n)));
    for (size_t w = 1; w <= n; ++w) {
      for (TileId id : {TileId::HashTile(0, 0, static_cast<uint16_t>(w)),
                        TileId::Bundle(0, static_cast<uint16_t>(w))}) {
        auto data = reader.ReadTile(id, *snap);
        ASSERT_THAT(data, IsOk());
        EXPECT_EQ(*data, ::vouch::testing::ReadTestData(dir + tlog::TilePath(id)))
            << tlog::TilePath(id) << " at size " << n;
      }
    }
  }
  EXPECT_EQ((*seq)->Latest()->checkpoint(),
            ::vouch::testing::ReadTestDataString(dir + "checkpoint"));
  // And after a restart, from storage alone.
  (*seq)->Stop();
  seq->reset();
  auto again = Sequencer::Start(OpenStore(), TesseraSigner(), RealClock(), Fast());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)->Latest()->checkpoint(),
            ::vouch::testing::ReadTestDataString(dir + "checkpoint"));
  LogReader reader2(OpenStore());
  auto tile = reader2.ReadTile(TileId::HashTile(0, 0, 15), *(*again)->Latest());
  ASSERT_THAT(tile, IsOk());
  EXPECT_EQ(*tile, ::vouch::testing::ReadTestData(dir + "tile/0/000.p/15"));
}

}  // namespace
}  // namespace vouch::ledger

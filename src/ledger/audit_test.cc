// AuditLog against a real sequencer, and against a log that lies.
#include "vouch/ledger/audit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/memory_log_store.h"
#include "testing/status_matchers.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/sequencer.h"

namespace vouch::ledger {
namespace {

using tlog::TileId;

constexpr auto kAuditWait = std::chrono::seconds(30);

tlog::Ed25519NoteSigner AuditSigner(uint8_t seed_byte = 0x42) {
  Bytes seed(32, seed_byte);
  return *tlog::Ed25519NoteSigner::FromSeed("example.com/audit-test", seed);
}

// Serves a log's current snapshot; tests may tamper with what it returns.
class ReaderFetcher : public TileFetcher {
 public:
  ReaderFetcher(const Sequencer& seq, const LogReader& reader) : seq_(seq), reader_(reader) {}
  StatusOr<std::string> FetchCheckpoint() override {
    snapshot_ = seq_.Latest();
    return checkpoint_override_.empty() ? snapshot_->checkpoint() : checkpoint_override_;
  }
  StatusOr<Bytes> FetchTile(const TileId& id) override {
    ++fetches_[tlog::TilePath(id)];
    auto data = reader_.ReadTile(id, *snapshot_);
    if (data.ok() && tamper_) tamper_(id, *data);
    return data;
  }
  // The range itself (as LogClient asks an HTTP log), recorded apart from whole fetches.
  StatusOr<Bytes> FetchTileFrom(const TileId& id, uint64_t offset) override {
    from_[tlog::TilePath(id)] = offset;
    auto data = reader_.ReadTile(id, *snapshot_);
    if (!data.ok()) return data;
    if (data->size() <= offset) return OutOfRangeError("short");
    Bytes tail(data->begin() + static_cast<ptrdiff_t>(offset), data->end());
    if (tamper_) tamper_(id, tail);
    return tail;
  }
  std::function<void(const TileId&, Bytes&)> tamper_;
  std::string checkpoint_override_;
  std::map<std::string, int> fetches_;
  std::map<std::string, uint64_t> from_;

 private:
  const Sequencer& seq_;
  const LogReader& reader_;
  std::shared_ptr<const LogSnapshot> snapshot_;
};

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SequencerOptions o;
    o.batch_size = 100'000;
    o.batch_interval = std::chrono::microseconds(0);
    seq_ =
        std::move(Sequencer::Start(store_, std::make_shared<tlog::Ed25519NoteSigner>(AuditSigner()),
                                   RealClock(), o))
            .value();
    policy_ = std::make_unique<tlog::Policy>(
        *tlog::Policy::Parse("log " + seq_->verifier_key().ToString() + "\nquorum none\n"));
  }
  void AddN(int from, int to) {
    std::vector<std::future<StatusOr<AddResult>>> f;
    for (int i = from; i < to; ++i) f.push_back(seq_->Submit(AsBytes("e" + std::to_string(i))));
    for (auto& x : f) ASSERT_THAT(x.get(), IsOk());
  }
  AuditOptions Options(std::optional<tlog::Checkpoint> trusted = std::nullopt) {
    AuditOptions o;
    o.policy = policy_.get();
    o.trusted = std::move(trusted);
    return o;
  }
  // Options resuming from `r`, collecting in `handed` the indexes of the entries handed on
  // (each checked to be "e<index>").
  AuditOptions ResumeFrom(const AuditResult& r, std::vector<uint64_t>* handed) {
    AuditOptions o = Options(r.checkpoint);
    o.resume = r.range;
    o.on_entry = [handed](uint64_t index, ByteSpan entry) {
      EXPECT_EQ(AsStringView(entry), "e" + std::to_string(index));
      handed->push_back(index);
      return OkStatus();
    };
    return o;
  }
  // `cp` as a note signed by a key of the same name that is not the log's.
  static std::string SignedByAnotherKey(const tlog::Checkpoint& cp) {
    auto other = AuditSigner(0x01);
    const tlog::NoteSigner* signers[] = {&other};
    return *tlog::SignCheckpoint(cp, signers);
  }
  tlog::Checkpoint Current() {
    return tlog::SignedCheckpoint::Parse(seq_->Latest()->checkpoint())->checkpoint();
  }

  std::shared_ptr<store::MemoryLogStore> store_ = std::make_shared<store::MemoryLogStore>();
  std::unique_ptr<Sequencer> seq_;
  LogReader reader_{store_};
  std::unique_ptr<tlog::Policy> policy_;
};

TEST_F(AuditTest, AnHonestLogPasses) {
  AddN(0, 70'000);
  ReaderFetcher fetcher(*seq_, reader_);
  uint64_t last_progress = 0;
  AuditOptions o = Options();
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, 70'000u);
    EXPECT_GT(done, last_progress);
    last_progress = done;
  };
  auto r = AuditLog(fetcher, o);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->checkpoint.size(), 70'000u);
  EXPECT_EQ(last_progress, 70'000u);
  EXPECT_EQ(r->bundles, 274u);
  // 274 level-0 tiles, 2 level-1 tiles, 1 level-2 tile.
  EXPECT_EQ(r->tiles, 277u);
  EXPECT_FALSE(r->consistency_proven);
  // Every tile fetched once.
  for (const auto& [path, count] : fetcher.fetches_) EXPECT_EQ(count, 1) << path;
}

TEST_F(AuditTest, EmptyAndTinyLogsPass) {
  ReaderFetcher fetcher(*seq_, reader_);
  ASSERT_THAT(AuditLog(fetcher, Options()), IsOk());
  AddN(0, 1);
  auto r = AuditLog(fetcher, Options());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->checkpoint.size(), 1u);
}

TEST_F(AuditTest, EveryEntryIsHandedOnInOrderOnceItMatchesItsLeaf) {
  AddN(0, 600);  // two full bundles and a partial one
  ReaderFetcher fetcher(*seq_, reader_);
  AuditOptions o = Options();
  std::vector<std::string> seen;
  o.on_entry = [&](uint64_t index, ByteSpan entry) {
    EXPECT_EQ(index, seen.size());
    seen.emplace_back(entry.begin(), entry.end());
    return OkStatus();
  };
  ASSERT_THAT(AuditLog(fetcher, o), IsOk());
  ASSERT_EQ(seen.size(), 600u);
  // The sequencer orders a concurrent batch; every entry comes exactly once.
  std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), 600u);
  EXPECT_EQ(distinct.count("e599"), 1u);
  // A tampered entry is refused before it is handed on; the entries of its bundle are not.
  seen.clear();
  fetcher.tamper_ = [](const TileId& id, Bytes& d) {
    if (id.is_bundle() && id.index == 1) d[10] ^= 1;
  };
  EXPECT_THAT(AuditLog(fetcher, o), ReasonIs("tile_invalid"));
  EXPECT_EQ(seen.size(), 256u);
  // The callback's error stops the audit.
  fetcher.tamper_ = nullptr;
  o.on_entry = [](uint64_t index, ByteSpan) {
    return index == 300 ? UnavailableError("stop") : OkStatus();
  };
  EXPECT_THAT(AuditLog(fetcher, o), StatusIs(StatusCode::kUnavailable));
}

TEST_F(AuditTest, ConsistencyWithTheTrustedCheckpointIsProven) {
  AddN(0, 1000);
  tlog::Checkpoint old = Current();
  AddN(1000, 1500);
  ReaderFetcher fetcher(*seq_, reader_);
  auto r = AuditLog(fetcher, Options(old));
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->consistency_proven);
  EXPECT_EQ(r->trusted_size, 1000u);
  // The same size again is fine.
  auto same = AuditLog(fetcher, Options(Current()));
  ASSERT_THAT(same, IsOk());
  EXPECT_FALSE(same->consistency_proven);
}

// Resuming from an audited tree reads only what was appended since (from the level-0 tile that
// holds the first new entry), hands on only the new entries, and still proves that they extend
// the trusted tree: a bundle changed in the new part, or a resume range that is not the trusted
// tree's, is refused.
TEST_F(AuditTest, AResumedAuditReadsOnlyWhatWasAppended) {
  AddN(0, 1000);
  ReaderFetcher first(*seq_, reader_);
  auto r1 = AuditLog(first, Options());
  ASSERT_THAT(r1, IsOk());
  EXPECT_EQ(r1->range.size(), 1000u);
  EXPECT_EQ(r1->range.Root(), r1->checkpoint.root());
  AddN(1000, 1300);

  ReaderFetcher fetcher(*seq_, reader_);
  std::vector<uint64_t> handed;
  AuditOptions o = ResumeFrom(*r1, &handed);
  auto r2 = AuditLog(fetcher, o);
  ASSERT_THAT(r2, IsOk());
  ASSERT_EQ(handed.size(), 300u);
  EXPECT_EQ(handed.front(), 1000u);
  EXPECT_EQ(handed.back(), 1299u);
  EXPECT_EQ(r2->range.size(), 1300u);
  EXPECT_EQ(r2->range.Root(), r2->checkpoint.root());
  EXPECT_TRUE(r2->consistency_proven);
  // Level-0 tiles 3 (entries 768..1023, now full) to 5; no earlier bundle.
  EXPECT_EQ(r2->bundles, 3u);
  EXPECT_EQ(fetcher.fetches_.count("tile/entries/000"), 0u);
  EXPECT_EQ(fetcher.fetches_.count("tile/entries/003"), 1u);
  // No consistency proof is read: the recomputation proves it, each tile read once.
  for (const auto& [path, count] : fetcher.fetches_) EXPECT_EQ(count, 1) << path;

  // The same tree: nothing new, nothing handed on.
  handed.clear();
  o.trusted = r2->checkpoint;
  o.resume = r2->range;
  ASSERT_THAT(AuditLog(fetcher, o), IsOk());
  EXPECT_TRUE(handed.empty());

  // A new entry that is not what the tree holds is caught (as in a full audit).
  AddN(1300, 1310);
  o.on_entry = nullptr;
  fetcher.tamper_ = [](const TileId& id, Bytes& data) {
    if (id.is_bundle() && id.index == 5) data.back() ^= 1;  // entry 1309's last byte
  };
  EXPECT_THAT(AuditLog(fetcher, o), ReasonIs("tile_invalid"));
  fetcher.tamper_ = nullptr;

  // A range that is not the trusted tree's is a caller error.
  o.resume = r1->range;
  EXPECT_THAT(AuditLog(fetcher, o), StatusIs(StatusCode::kInvalidArgument));
  o.trusted.reset();
  o.resume = r2->range;
  EXPECT_THAT(AuditLog(fetcher, o), StatusIs(StatusCode::kInvalidArgument));
}

// Only FetchCheckpoint and FetchTile: TileFetcher's own FetchTileFrom.
class PlainFetcher : public TileFetcher {
 public:
  explicit PlainFetcher(TileFetcher& inner) : inner_(inner) {}
  StatusOr<std::string> FetchCheckpoint() override { return inner_.FetchCheckpoint(); }
  StatusOr<Bytes> FetchTile(const TileId& id) override { return inner_.FetchTile(id); }

 private:
  TileFetcher& inner_;
};

TEST_F(AuditTest, AResumedAuditFetchesOnlyTheNewEntriesOfThePartialBundle) {
  AddN(0, 1000);  // tiles 0..2 full, tile 3 holds 232 entries
  ReaderFetcher first(*seq_, reader_);
  auto r1 = AuditLog(first, Options());
  ASSERT_THAT(r1, IsOk());
  auto bundle232 = reader_.ReadTile(TileId::Bundle(3, 232), *seq_->Latest());
  ASSERT_THAT(bundle232, IsOk());
  EXPECT_EQ(r1->tip_bundle_bytes, bundle232->size());
  AddN(1000, 1010);

  ReaderFetcher fetcher(*seq_, reader_);
  std::vector<uint64_t> handed;
  AuditOptions o = ResumeFrom(*r1, &handed);
  o.resume_bundle_bytes = r1->tip_bundle_bytes;
  auto r2 = AuditLog(fetcher, o);
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(handed,
            (std::vector<uint64_t>{1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009}));
  EXPECT_EQ(fetcher.from_["tile/entries/003.p/242"], bundle232->size());
  EXPECT_EQ(fetcher.fetches_.count("tile/entries/003.p/242"), 0u);  // never whole
  auto bundle242 = reader_.ReadTile(TileId::Bundle(3, 242), *seq_->Latest());
  ASSERT_THAT(bundle242, IsOk());
  EXPECT_EQ(r2->tip_bundle_bytes, bundle242->size());

  // A fetcher without a range of its own drops the prefix itself: the same audit.
  PlainFetcher plain(fetcher);
  handed.clear();
  ASSERT_THAT(AuditLog(plain, o), IsOk());
  EXPECT_EQ(handed.size(), 10u);

  // Other bytes than the new entries fail the audit: a flipped byte, a prefix length that is
  // off by one (the entries no longer line up), one past the end.
  o.on_entry = nullptr;
  fetcher.tamper_ = [](const TileId& id, Bytes& data) {
    if (id.is_bundle()) data.back() ^= 1;
  };
  EXPECT_THAT(AuditLog(fetcher, o), ReasonIs("tile_invalid"));
  fetcher.tamper_ = nullptr;
  for (uint64_t bytes : {r1->tip_bundle_bytes - 1, r1->tip_bundle_bytes + 1, bundle242->size()}) {
    o.resume_bundle_bytes = bytes;
    EXPECT_THAT(AuditLog(fetcher, o), ReasonIs("tile_invalid")) << bytes;
    EXPECT_THAT(AuditLog(plain, o), ReasonIs("tile_invalid")) << bytes;
  }

  // Nothing new: no bundle fetched at all, the length carried over.
  fetcher.from_.clear();
  fetcher.fetches_.clear();
  o.trusted = r2->checkpoint;
  o.resume = r2->range;
  o.resume_bundle_bytes = r2->tip_bundle_bytes;
  auto r3 = AuditLog(fetcher, o);
  ASSERT_THAT(r3, IsOk());
  EXPECT_TRUE(fetcher.from_.empty());
  EXPECT_TRUE(fetcher.fetches_.empty());
  EXPECT_EQ(r3->bundles, 0u);
  EXPECT_EQ(r3->tip_bundle_bytes, bundle242->size());

  // Growing into a full tile: its bundle is 256 wide, so no tip length is kept.
  AddN(1010, 1024);
  ReaderFetcher full(*seq_, reader_);
  o.resume_bundle_bytes = r2->tip_bundle_bytes;
  auto r4 = AuditLog(full, o);
  ASSERT_THAT(r4, IsOk());
  EXPECT_EQ(full.from_["tile/entries/003"], bundle242->size());
  EXPECT_EQ(r4->tip_bundle_bytes, 0u);
}

TEST_F(AuditTest, ARollbackIsRefused) {
  AddN(0, 10);
  tlog::Checkpoint small = Current();
  AddN(10, 20);
  tlog::Checkpoint big = Current();
  // A second log with the same key that only got as far as 10 entries: a restored old backup.
  auto other_store = std::make_shared<store::MemoryLogStore>();
  auto other = std::move(Sequencer::Start(other_store,
                                          std::make_shared<tlog::Ed25519NoteSigner>(AuditSigner()),
                                          RealClock(), SequencerOptions{}))
                   .value();
  for (int i = 0; i < 10; ++i)
    ASSERT_THAT(other->Add(AsBytes("e" + std::to_string(i)), kAuditWait), IsOk());
  LogReader other_reader(other_store);
  ReaderFetcher fetcher(*other, other_reader);
  EXPECT_THAT(AuditLog(fetcher, Options(big)), ReasonIs("checkpoint_rollback"));
  EXPECT_THAT(AuditLog(fetcher, Options(small)), IsOk());
}

TEST_F(AuditTest, ASplitViewIsRefused) {
  AddN(0, 300);
  tlog::Checkpoint mine = Current();
  // Same key, same size, different entries.
  auto other_store = std::make_shared<store::MemoryLogStore>();
  SequencerOptions o;
  o.batch_size = 1000;
  o.batch_interval = std::chrono::microseconds(0);
  auto other = std::move(Sequencer::Start(other_store,
                                          std::make_shared<tlog::Ed25519NoteSigner>(AuditSigner()),
                                          RealClock(), o))
                   .value();
  std::vector<std::future<StatusOr<AddResult>>> f;
  for (int i = 0; i < 300; ++i) f.push_back(other->Submit(AsBytes("x" + std::to_string(i))));
  for (auto& x : f) ASSERT_THAT(x.get(), IsOk());
  LogReader other_reader(other_store);
  ReaderFetcher fetcher(*other, other_reader);
  EXPECT_THAT(AuditLog(fetcher, Options(mine)), ReasonIs("checkpoint_fork"));
  // And a bigger fork fails the consistency proof.
  f.clear();
  for (int i = 300; i < 400; ++i) f.push_back(other->Submit(AsBytes("x" + std::to_string(i))));
  for (auto& x : f) ASSERT_THAT(x.get(), IsOk());
  EXPECT_THAT(AuditLog(fetcher, Options(mine)), ReasonIs("consistency_proof_invalid"));
  // So does a resumed audit, which reads the proof only once its recomputation failed.
  ReaderFetcher honest(*seq_, reader_);
  auto trusted = AuditLog(honest, Options());
  ASSERT_THAT(trusted, IsOk());
  ASSERT_EQ(trusted->checkpoint.root(), mine.root());
  AuditOptions resumed = Options(mine);
  resumed.resume = trusted->range;
  EXPECT_THAT(AuditLog(fetcher, resumed), ReasonIs("consistency_proof_invalid"));
}

TEST_F(AuditTest, TamperedTilesAndBundlesAreCaught) {
  AddN(0, 70'000);
  ReaderFetcher fetcher(*seq_, reader_);
  struct Case {
    const char* name;
    std::function<void(const TileId&, Bytes&)> tamper;
    const char* reason;
  };
  std::vector<Case> cases = {
      {"flipped leaf hash",
       [](const TileId& id, Bytes& d) {
         if (!id.is_bundle() && id.level == 0 && id.index == 17) d[5] ^= 1;
       },
       "tile_invalid"},
      {"flipped entry",
       [](const TileId& id, Bytes& d) {
         if (id.is_bundle() && id.index == 100) d[10] ^= 1;
       },
       "tile_invalid"},
      {"flipped level-1 hash",
       [](const TileId& id, Bytes& d) {
         if (!id.is_bundle() && id.level == 1 && id.index == 0) d[200] ^= 1;
       },
       "tile_invalid"},
      {"flipped level-2 hash",
       [](const TileId& id, Bytes& d) {
         if (!id.is_bundle() && id.level == 2) d[0] ^= 1;
       },
       "tile_invalid"},
      {"truncated tile",
       [](const TileId& id, Bytes& d) {
         if (!id.is_bundle() && id.level == 0 && id.index == 3) d.resize(d.size() - 1);
       },
       "tile_invalid"},
      {"truncated bundle",
       [](const TileId& id, Bytes& d) {
         if (id.is_bundle() && id.index == 3) d.resize(d.size() - 1);
       },
       "tile_invalid"},
  };
  for (const Case& c : cases) {
    fetcher.tamper_ = c.tamper;
    EXPECT_THAT(AuditLog(fetcher, Options()), ReasonIs(c.reason)) << c.name;
  }
}

TEST_F(AuditTest, ACheckpointWithAnotherRootIsCaught) {
  AddN(0, 500);
  // A validly signed checkpoint whose root is not the tree's.
  auto signer = AuditSigner();
  const tlog::NoteSigner* signers[] = {&signer};
  auto cp = *tlog::Checkpoint::Create("example.com/audit-test", 500, tlog::HashLeaf(AsBytes("x")));
  ReaderFetcher fetcher(*seq_, reader_);
  fetcher.checkpoint_override_ = *tlog::SignCheckpoint(cp, signers);
  EXPECT_THAT(AuditLog(fetcher, Options()), ReasonIs("root_mismatch"));
}

TEST_F(AuditTest, ACheckpointByAnotherKeyIsRejected) {
  AddN(0, 5);
  ReaderFetcher fetcher(*seq_, reader_);
  fetcher.checkpoint_override_ = SignedByAnotherKey(Current());
  auto r = AuditLog(fetcher, Options());
  EXPECT_THAT(r, StatusIs(StatusCode::kPermissionDenied));
}

// A note the caller verified is not verified again — only when the fetched one is byte for byte
// that note; any other (here: another key's) is verified and refused.
TEST_F(AuditTest, OnlyTheNoteTheCallerVerifiedSkipsVerification) {
  AddN(0, 5);
  ReaderFetcher fetcher(*seq_, reader_);
  fetcher.checkpoint_override_ = SignedByAnotherKey(Current());
  AuditOptions o = Options();
  const std::string vouched = fetcher.checkpoint_override_;
  o.verified_note = &vouched;
  EXPECT_THAT(AuditLog(fetcher, o), IsOk());  // the caller answers for it
  const std::string different = vouched + " ";
  o.verified_note = &different;
  EXPECT_THAT(AuditLog(fetcher, o), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(AuditTest, MissingTilesAreRejected) {
  AddN(0, 600);
  ReaderFetcher fetcher(*seq_, reader_);
  // Pretend the log has more entries than it serves tiles for.
  auto signer = AuditSigner();
  const tlog::NoteSigner* signers[] = {&signer};
  auto cp = *tlog::Checkpoint::Create("example.com/audit-test", 900, tlog::HashLeaf(AsBytes("x")));
  fetcher.checkpoint_override_ = *tlog::SignCheckpoint(cp, signers);
  EXPECT_THAT(AuditLog(fetcher, Options()), ReasonIs("tile_missing"));
}

}  // namespace
}  // namespace vouch::ledger

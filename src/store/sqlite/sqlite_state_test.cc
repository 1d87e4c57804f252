// Lost, replaced, rolled-back and damaged state is refused, never taken for a fresh start
// (issue 12, items 1 and 2): each test reproduces one finding of the reliability probe against
// the SQLite stores and their state anchors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "store/log_store_conformance.h"
#include "store/sqlite/sqlite_db.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/store/open_store.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/sqlite_witness_store.h"
#include "vouch/store/state_anchor.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::store {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using testing::BatchBuilder;

const LogIdentity kIdentity{"example.com/log", "example.com/log+01234567+AAAA"};

// Runs `sql` on the database `path` through a connection of its own, as a tool outside vouch
// would.
void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  ASSERT_EQ(rc, SQLITE_OK);
}

// A test of one state (`kind`: "log" or "witness") in a directory of its own: the database
// DIR/kind.db and its anchor DIR/kind.anchor.
class StateDirTest : public ::testing::Test {
 protected:
  explicit StateDirTest(std::string kind) : kind_(std::move(kind)) {}
  void SetUp() override { dir_ = ::vouch::testing::MakeTempDir(kind_ + "_state_test"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string db() const { return dir_ + "/" + kind_ + ".db"; }
  std::string anchor() const { return dir_ + "/" + kind_ + ".anchor"; }
  // Removes the database with its WAL and shared-memory files.
  void RemoveDatabase() {
    fs::remove(db());
    fs::remove(db() + "-wal");
    fs::remove(db() + "-shm");
  }

  const std::string kind_;
  std::string dir_;
};

// Batches whose checkpoints are this log's checkpoint bodies (an anchored store checks them).
class LogWriter {
 public:
  AppendBatch Next(size_t n, size_t bytes = 16) {
    std::vector<std::string> entries;
    for (size_t i = 0; i < n; ++i) {
      std::string e = "entry " + std::to_string(leaves_.size() + i) + " ";
      e.resize(bytes, 'x');
      entries.push_back(std::move(e));
    }
    AppendBatch batch = builder_.Build(entries);
    for (const NewEntry& e : batch.entries) leaves_.push_back(e.leaf_hash);
    batch.new_state.checkpoint = tlog::Checkpoint::Create(kIdentity.origin, leaves_.size(),
                                                          tlog::RootFromLeafHashes(leaves_))
                                     ->ToText() +
                                 "\n— example.com/log AAAA\n";
    return batch;
  }
  // Appends `n` entries in one batch.
  Status Append(LogStore& store, size_t n, size_t bytes = 16) {
    return store.Append(Next(n, bytes));
  }
  uint64_t size() const { return leaves_.size(); }
  const std::vector<tlog::Hash>& leaves() const { return leaves_; }

 private:
  BatchBuilder builder_;
  std::vector<tlog::Hash> leaves_;
};

class LogStateTest : public StateDirTest {
 protected:
  LogStateTest() : StateDirTest("log") {}

  // A new state with `batches` batches of `entries` entries of `bytes` bytes, closed.
  void MakeLog(int batches, size_t entries = 3, size_t bytes = 16) {
    auto store = SqliteLogStore::CreateState(db());
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
    for (int i = 0; i < batches; ++i) ASSERT_THAT(writer_.Append(**store, entries, bytes), IsOk());
  }

  LogWriter writer_;
};

TEST_F(LogStateTest, CreatesAnchorsAndReopens) {
  MakeLog(2);
  auto a = ReadStateAnchor(anchor());
  ASSERT_THAT(a, IsOk());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->kind, StateKind::kLog);
  ASSERT_EQ((*a)->trees.size(), 1u);
  EXPECT_EQ((*a)->trees.at(kIdentity.origin),
            (AnchoredTree{6, tlog::RootFromLeafHashes(writer_.leaves())}));
  auto store = SqliteLogStore::OpenState(db());
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
  ASSERT_THAT(writer_.Append(**store, 1), IsOk());
  EXPECT_EQ(ReadStateAnchor(anchor())->value().trees.at(kIdentity.origin).size, 7u);
  EXPECT_THAT((*store)->Health(), IsOk());
  // The anchored store appends only this log's checkpoints.
  AppendBatch forged = writer_.Next(1);
  forged.new_state.checkpoint = "checkpoint 8\n";
  EXPECT_THAT((*store)->Append(forged), StatusIs(StatusCode::kInvalidArgument));
  store->reset();
  EXPECT_THAT(SqliteLogStore::CreateState(db()),
              AllOf(StatusIs(StatusCode::kAlreadyExists), ReasonIs("state_exists")));
}

// A crash between a commit and the anchor's update leaves the database ahead: accepted, and the
// anchor catches up before anything newer can be published.
TEST_F(LogStateTest, ADatabaseAheadOfItsAnchorIsAcceptedAndAnchored) {
  MakeLog(1);
  const std::string kept = ReadFileToString(anchor()).value();
  {
    auto store = SqliteLogStore::OpenState(db());
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
    ASSERT_THAT(writer_.Append(**store, 2), IsOk());
  }
  ASSERT_THAT(WriteFileAtomic(anchor(), AsBytes(kept)), IsOk());
  ASSERT_EQ(ReadStateAnchor(anchor())->value().trees.at(kIdentity.origin).size, 3u);
  ASSERT_THAT(SqliteLogStore::OpenState(db()), IsOk());
  EXPECT_EQ(ReadStateAnchor(anchor())->value().trees.at(kIdentity.origin),
            (AnchoredTree{5, tlog::RootFromLeafHashes(writer_.leaves())}));
}

TEST_F(LogStateTest, OpeningWithoutInitIsRefused) {
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kFailedPrecondition, HasSubstr("--init")),
                    ReasonIs("state_missing")));
  EXPECT_FALSE(fs::exists(db()));
  EXPECT_THAT(OpenLogState(dir_), ReasonIs("state_missing"));
  // A database of an older vouch (no anchor) is refused until adopted explicitly.
  {
    auto legacy = SqliteLogStore::Open(db());
    ASSERT_THAT(legacy, IsOk());
    ASSERT_THAT((*legacy)->Bind(kIdentity), IsOk());
    ASSERT_THAT(writer_.Append(**legacy, 4), IsOk());
  }
  EXPECT_FALSE(fs::exists(anchor()));
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kFailedPrecondition, HasSubstr("--init")),
                    ReasonIs("state_not_anchored")));
  ASSERT_THAT(CreateLogState(dir_), IsOk());
  EXPECT_EQ(ReadStateAnchor(anchor())->value().trees.at(kIdentity.origin),
            (AnchoredTree{4, tlog::RootFromLeafHashes(writer_.leaves())}));
  EXPECT_THAT(OpenLogState(dir_), IsOk());
}

TEST_F(LogStateTest, WipedDatabaseIsRefused) {
  MakeLog(2);
  RemoveDatabase();
  std::ofstream(db()).close();  // 0 bytes
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("signed a checkpoint for 6")),
                    ReasonIs("state_lost")));
  // The pre---init path refuses it too once the anchor exists, and creates nothing.
  EXPECT_THAT(SqliteLogStore::Open(db()), ReasonIs("state_lost"));
  EXPECT_EQ(fs::file_size(db()), 0u);
}

TEST_F(LogStateTest, DeletedDatabaseIsRefused) {
  MakeLog(1);
  RemoveDatabase();
  EXPECT_THAT(SqliteLogStore::OpenState(db()), ReasonIs("state_lost"));
  EXPECT_FALSE(fs::exists(db()));
}

TEST_F(LogStateTest, UnrelatedDatabaseIsRefused) {
  MakeLog(1);
  const std::string other = dir_ + "/other";
  fs::create_directory(other);
  {
    auto store = SqliteLogStore::CreateState(other + "/log.db");
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
    LogWriter w;
    for (int i = 0; i < 3; ++i) ASSERT_THAT(w.Append(**store, 5), IsOk());
  }
  RemoveDatabase();
  fs::copy_file(other + "/log.db", db());
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("belongs to another state")),
                    ReasonIs("state_lost")));
}

TEST_F(LogStateTest, RolledBackDatabaseIsRefusedNamingBothSizes) {
  MakeLog(1);
  fs::copy_file(db(), dir_ + "/backup.db");
  {
    auto store = SqliteLogStore::OpenState(db());
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
    ASSERT_THAT(writer_.Append(**store, 1338), IsOk());
  }
  RemoveDatabase();
  fs::copy_file(dir_ + "/backup.db", db());
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss,
                             AllOf(HasSubstr("has 3 entries but this log signed a checkpoint "
                                             "for 1,341"),
                                   HasSubstr("Recovery"))),
                    ReasonIs("state_behind")));
}

TEST_F(LogStateTest, ForkedDatabaseIsRefused) {
  MakeLog(2);
  // Another history of the same size under the same state id: the checkpoint at the anchored
  // size has another root.
  const std::string other = tlog::Checkpoint::Create(kIdentity.origin, 6, tlog::Hash{})->ToText();
  ASSERT_NO_FATAL_FAILURE(
      ExecSql(db(), "UPDATE checkpoints SET note = '" + other + "' WHERE size = 6"));
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("does not extend")),
                    ReasonIs("state_behind")));
}

TEST_F(LogStateTest, TruncatedDatabaseIsRefused) {
  ASSERT_NO_FATAL_FAILURE(MakeLog(10, 200, 200));
  const auto size = fs::file_size(db());
  ASSERT_GT(size, 100u * 4096);
  fs::resize_file(db(), size / 2);
  EXPECT_THAT(SqliteLogStore::OpenState(db()), StatusIs(StatusCode::kDataLoss));
}

// Commits that were still in the WAL when it was lost: the database file alone is behind.
TEST_F(LogStateTest, DeletedWalIsRefused) {
  MakeLog(1);  // closed: checkpointed into log.db
  SqliteOptions o;
  o.background_checkpoint = false;
  auto store = SqliteLogStore::OpenState(db(), o);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
  for (int i = 0; i < 5; ++i) ASSERT_THAT(writer_.Append(**store, 40), IsOk());
  ASSERT_GT(fs::file_size(db() + "-wal"), 0u);
  // What a crash that loses the WAL leaves: log.db and the anchor.
  const std::string lost = dir_ + "/lost";
  fs::create_directory(lost);
  fs::copy_file(db(), lost + "/log.db");
  fs::copy_file(anchor(), lost + "/log.anchor");
  EXPECT_THAT(SqliteLogStore::OpenState(lost + "/log.db"),
              AllOf(StatusIs(StatusCode::kDataLoss,
                             HasSubstr("has 3 entries but this log signed a checkpoint for 203")),
                    ReasonIs("state_behind")));
}

TEST_F(LogStateTest, DroppedTableIsRefusedNeverRecreated) {
  MakeLog(2);
  ASSERT_NO_FATAL_FAILURE(ExecSql(db(), "DROP TABLE leaf_index"));
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("\"leaf_index\" is missing")),
                    ReasonIs("store_schema")));
  fs::remove(anchor());
  EXPECT_THAT(SqliteLogStore::Open(db()), ReasonIs("store_schema"));
  EXPECT_THAT(SqliteLogStore::CreateState(db()), ReasonIs("store_schema"));
}

TEST_F(LogStateTest, ChangedColumnIsRefused) {
  MakeLog(1);
  ASSERT_NO_FATAL_FAILURE(ExecSql(db(), "ALTER TABLE checkpoints ADD COLUMN extra TEXT"));
  EXPECT_THAT(SqliteLogStore::OpenState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("\"checkpoints\"")),
                    ReasonIs("store_schema")));
}

// A random 4 KiB page overwritten: the open refuses it, or the first read that touches it
// fails and from then on nothing is appended; a page nobody reads changes nothing readable.
TEST_F(LogStateTest, DamagedPageIsRefusedOrStopsAppends) {
  ASSERT_NO_FATAL_FAILURE(MakeLog(8, 250, 120));
  const std::string pristine = dir_ + "/pristine.db";
  fs::copy_file(db(), pristine);
  const uint64_t pages = fs::file_size(pristine) / 4096;
  ASSERT_GT(pages, 20u);
  int refused = 0;
  int stopped = 0;
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RemoveDatabase();
    fs::copy_file(pristine, db());
    std::mt19937 rng(seed);
    const uint64_t page = rng() % pages;
    std::string junk(4096, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    {
      std::fstream f(db(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(page * 4096));
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    SqliteOptions o;
    o.warn = [](std::string_view) {};
    auto store = SqliteLogStore::OpenState(db(), o);
    if (!store.ok()) {
      EXPECT_THAT(store, StatusIs(StatusCode::kDataLoss)) << "page " << page;
      ++refused;
      continue;
    }
    // Read everything; any damage seen must be data loss, and must stop appends.
    bool damaged = false;
    auto check = [&](const Status& s) {
      if (s.ok()) return;
      EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s;
      damaged = true;
    };
    auto entries = (*store)->ReadLeafHashes(0, writer_.size());
    check(entries.status());
    if (entries.ok()) {
      EXPECT_EQ(*entries, writer_.leaves());
    }
    auto found = (*store)->FindLeafHashes(writer_.leaves());
    check(found.status());
    if (found.ok()) {
      for (size_t i = 0; i < found->size(); ++i) {
        EXPECT_EQ((*found)[i], i) << i;
      }
    }
    check((*store)->ReadEntries(0, writer_.size()).status());
    for (uint64_t size = 0; size <= writer_.size(); size += 250) {
      check((*store)->ReadCheckpoint(size).status());
    }
    if (damaged) {
      ++stopped;
      EXPECT_THAT((*store)->Health(), ReasonIs("store_damaged"));
      EXPECT_THAT((*store)->Append(writer_.Next(1)),
                  AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("appends stopped")),
                        ReasonIs("store_damaged")));
    } else {
      EXPECT_THAT((*store)->Health(), IsOk());
    }
  }
  // Most pages of this database are in use: most seeds must be caught.
  RecordProperty("refused_at_open", refused);
  RecordProperty("appends_stopped", stopped);
  EXPECT_GE(refused + stopped, 6);
}

// Damage that appears while the store runs (after the check at open): the first read that
// touches it fails with data loss, and from then on nothing is appended.
TEST_F(LogStateTest, DamageSeenWhileRunningStopsAppends) {
  {
    auto store = SqliteLogStore::CreateState(db());
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
    for (int i = 0; i < 4; ++i) ASSERT_THAT(writer_.Append(**store, 250, 120), IsOk());
  }
  auto store = SqliteLogStore::OpenState(db());
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Bind(kIdentity), IsOk());
  const uint64_t pages = fs::file_size(db()) / 4096;
  {
    std::fstream f(db(), std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(4096, '\x5a');
    for (uint64_t page = 2; page < pages; ++page) {
      f.seekp(static_cast<std::streamoff>(page * 4096));
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
  }
  EXPECT_THAT((*store)->ReadEntries(0, writer_.size()), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT((*store)->Health(),
              AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("appends stopped")),
                    ReasonIs("store_damaged")));
  EXPECT_THAT((*store)->Append(writer_.Next(1)), ReasonIs("store_damaged"));
  EXPECT_THAT((*store)->Bind(kIdentity), IsOk());  // a check of what is bound, no write
}

TEST(DamageTrackerTest, FirstDataLossStopsWrites) {
  internal::DamageTracker t;
  EXPECT_THAT(t.Health(), IsOk());
  t.Observe(NotFoundError("absent"));
  t.Observe(UnavailableError("busy"));
  EXPECT_THAT(t.Health(), IsOk());
  t.Observe(DataLossError("page 7 is malformed"));
  t.Observe(DataLossError("later"));
  EXPECT_THAT(t.Health(), StatusIs(StatusCode::kDataLoss,
                                   AllOf(HasSubstr("appends stopped"), HasSubstr("page 7"))));
  EXPECT_TRUE(t.damaged());
}

class WitnessStateTest : public StateDirTest {
 protected:
  WitnessStateTest() : StateDirTest("witness") {}
  static tlog::Hash Root(uint64_t size) {
    tlog::Hash h{};
    h[0] = static_cast<uint8_t>(size);
    h[1] = 0x5a;
    return h;
  }
  static Status Cosign(WitnessStore& store, const std::string& origin, uint64_t size) {
    return store
        .Update(origin,
                [&](const std::optional<tlog::WitnessState>&) -> StatusOr<tlog::WitnessResponse> {
                  tlog::WitnessResponse r;
                  r.status = 200;
                  r.new_state = tlog::WitnessState{size, Root(size), "note"};
                  return r;
                })
        .status();
  }
};

TEST_F(WitnessStateTest, CreatesAnchorsAndReopens) {
  EXPECT_THAT(OpenSqliteWitnessState(db()),
              AllOf(StatusIs(StatusCode::kFailedPrecondition, HasSubstr("--init")),
                    ReasonIs("state_missing")));
  {
    auto store = CreateWitnessState(dir_);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(Cosign(**store, "a", 5), IsOk());
    ASSERT_THAT(Cosign(**store, "b", 2), IsOk());
    ASSERT_THAT(Cosign(**store, "a", 9), IsOk());
  }
  auto a = ReadStateAnchor(anchor());
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ((*a)->kind, StateKind::kWitness);
  EXPECT_EQ((*a)->trees.at("a"), (AnchoredTree{9, Root(9)}));
  EXPECT_EQ((*a)->trees.at("b"), (AnchoredTree{2, Root(2)}));
  auto store = OpenWitnessState(dir_);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->Health(), IsOk());
  EXPECT_THAT(CreateWitnessState(dir_), ReasonIs("state_exists"));
}

TEST_F(WitnessStateTest, WipedOrReplacedDatabaseIsRefused) {
  {
    auto store = CreateSqliteWitnessState(db());
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(Cosign(**store, "a", 5), IsOk());
  }
  fs::copy_file(db(), dir_ + "/kept.db");
  RemoveDatabase();
  std::ofstream(db()).close();
  EXPECT_THAT(OpenSqliteWitnessState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss), ReasonIs("state_lost")));
  // The pre---init path refuses it too.
  EXPECT_THAT(OpenSqliteWitnessStore(db()), ReasonIs("state_lost"));
  RemoveDatabase();
  EXPECT_THAT(OpenSqliteWitnessState(db()), ReasonIs("state_lost"));
  // Another witness's database, even one further ahead.
  const std::string other = dir_ + "/other";
  fs::create_directory(other);
  {
    auto store = CreateSqliteWitnessState(other + "/witness.db");
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(Cosign(**store, "a", 50), IsOk());
  }
  fs::copy_file(other + "/witness.db", db());
  EXPECT_THAT(OpenSqliteWitnessState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss, HasSubstr("belongs to another state")),
                    ReasonIs("state_lost")));
  RemoveDatabase();
  fs::copy_file(dir_ + "/kept.db", db());
  EXPECT_THAT(OpenSqliteWitnessState(db()), IsOk());
}

TEST_F(WitnessStateTest, RolledBackDatabaseIsRefused) {
  {
    auto store = CreateSqliteWitnessState(db());
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(Cosign(**store, "a", 5), IsOk());
  }
  fs::copy_file(db(), dir_ + "/old.db");
  {
    auto store = OpenSqliteWitnessState(db());
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT(Cosign(**store, "a", 7), IsOk());
    ASSERT_THAT(Cosign(**store, "new", 1), IsOk());
  }
  RemoveDatabase();
  fs::copy_file(dir_ + "/old.db", db());
  EXPECT_THAT(OpenSqliteWitnessState(db()),
              AllOf(StatusIs(StatusCode::kDataLoss,
                             AllOf(HasSubstr("holds size 5"), HasSubstr("cosigned size 7"))),
                    ReasonIs("state_behind")));
}

TEST_F(WitnessStateTest, OlderDatabaseIsAdoptedExplicitly) {
  // A database as an older vouch left it: witness_state only.
  ASSERT_NO_FATAL_FAILURE(
      ExecSql(db(),
              "CREATE TABLE IF NOT EXISTS witness_state (origin TEXT PRIMARY KEY, "
              "size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL);"
              "INSERT INTO witness_state VALUES ('a', 3, zeroblob(32), 'n')"));
  EXPECT_THAT(OpenSqliteWitnessState(db()), ReasonIs("state_not_anchored"));
  ASSERT_THAT(CreateSqliteWitnessState(db()), IsOk());
  EXPECT_EQ(ReadStateAnchor(anchor())->value().trees.at("a"), (AnchoredTree{3, tlog::Hash{}}));
  EXPECT_THAT(OpenSqliteWitnessState(db()), IsOk());
}

TEST_F(WitnessStateTest, DroppedTableIsRefused) {
  ASSERT_THAT(CreateSqliteWitnessState(db()), IsOk());
  ASSERT_NO_FATAL_FAILURE(ExecSql(db(), "DROP TABLE witness_state"));
  EXPECT_THAT(OpenSqliteWitnessState(db()), ReasonIs("store_schema"));
}

}  // namespace
}  // namespace vouch::store

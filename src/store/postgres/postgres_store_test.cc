// The PostgreSQL stores against a real, throwaway PostgreSQL server (pg_test_server.h): the
// LogStore and WitnessStore conformance suites, the log store's fencing, schema and damage
// rules (postgres_log_store.h), and the state rules of postgres_witness_store.h.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "store/broker_store_conformance.h"
#include "store/log_store_conformance.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_test_server.h"
#include "store/witness_store_conformance.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/store/postgres_broker_store.h"
#include "vouch/store/postgres_log_store.h"
#include "vouch/store/postgres_witness_store.h"
#include "vouch/store/shared_nonces.h"
#include "vouch/store/state_anchor.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::store {
namespace {

using testing::BatchBuilder;
using testing::BrokerStoreConformanceTest;
using testing::LogStoreConformanceTest;
using testing::PgTestServer;
using testing::SharedPgTestServer;
using testing::WitnessStoreConformanceTest;

// The database of a conformance test's directory: created on the shared server at the
// directory's first open (`created`), the same one when the directory is opened again.
struct DirDatabase {
  std::string uri;
  bool created = false;
};
StatusOr<DirDatabase> DatabaseOfDir(const std::string& dir) {
  static std::map<std::string, std::string>* databases = new std::map<std::string, std::string>;
  PgTestServer* server = SharedPgTestServer();
  if (server == nullptr) return UnavailableError("no PostgreSQL server");
  auto it = databases->find(dir);
  if (it != databases->end()) return DirDatabase{it->second, false};
  VOUCH_ASSIGN_OR_RETURN(std::string uri, server->CreateDatabase());
  databases->emplace(dir, uri);
  return DirDatabase{std::move(uri), true};
}

StatusOr<std::unique_ptr<WitnessStore>> OpenInDir(const std::string& dir) {
  VOUCH_ASSIGN_OR_RETURN(DirDatabase db, DatabaseOfDir(dir));
  const std::string anchor = dir + "/witness.anchor";
  return db.created ? CreatePostgresWitnessState(db.uri, anchor)
                    : OpenPostgresWitnessState(db.uri, anchor);
}

INSTANTIATE_TEST_SUITE_P(Postgres, WitnessStoreConformanceTest,
                         ::testing::Values(testing::WitnessStoreBackend{"postgres", OpenInDir,
                                                                        true}),
                         testing::WitnessStoreBackendName);

StatusOr<std::unique_ptr<BrokerStore>> OpenBrokerInDir(const std::string& dir,
                                                       const BrokerStoreOptions& options) {
  VOUCH_ASSIGN_OR_RETURN(DirDatabase db, DatabaseOfDir(dir));
  return OpenPostgresBrokerStore(db.uri, options);
}

INSTANTIATE_TEST_SUITE_P(Postgres, BrokerStoreConformanceTest,
                         ::testing::Values(testing::BrokerStoreBackend{"postgres",
                                                                       OpenBrokerInDir}),
                         testing::BrokerStoreBackendName);

StatusOr<std::shared_ptr<LogStore>> OpenLogInDir(const std::string& dir) {
  VOUCH_ASSIGN_OR_RETURN(DirDatabase db, DatabaseOfDir(dir));
  VOUCH_ASSIGN_OR_RETURN(auto store, OpenPostgresLogStore(db.uri));
  return std::shared_ptr<LogStore>(std::move(store));
}

INSTANTIATE_TEST_SUITE_P(Postgres, LogStoreConformanceTest,
                         ::testing::Values(testing::LogStoreBackend{"postgres", OpenLogInDir,
                                                                    true}),
                         testing::LogStoreBackendName);

// A test on a database of its own (`uri_`), created on the shared server.
class PgDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgTestServer* server = SharedPgTestServer();
    ASSERT_NE(server, nullptr);
    auto uri = server->CreateDatabase();
    ASSERT_THAT(uri, IsOk());
    uri_ = *uri;
  }
  // Runs `sql` on a connection of its own.
  void Sql(const std::string& sql) {
    auto db = internal::PgConnection::Open(uri_);
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT((*db)->Exec(sql, "test"), IsOk());
  }

  std::string uri_;
};

// The anchor at `path` records a tree of `size` for `origin`.
void ExpectAnchoredSize(const std::string& path, const std::string& origin, uint64_t size) {
  auto anchor = ReadStateAnchor(path);
  ASSERT_THAT(anchor, IsOk());
  ASSERT_TRUE(anchor->has_value());
  EXPECT_EQ((*anchor)->trees.at(origin).size, size);
}

// ---- the log store ----

class PostgresLogStoreTest : public PgDatabaseTest {
 protected:
  std::unique_ptr<LogStore> Open() {
    auto store = OpenPostgresLogStore(uri_);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }
};

TEST_F(PostgresLogStoreTest, TwoSequencersOnOneDatabaseCannotBothAppend) {
  auto first = Open();
  auto second = Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  BatchBuilder a;
  BatchBuilder b;
  ASSERT_THAT(first->Append(a.Build({"one", "two"})), IsOk());
  // The second store object believes the log is still empty: its batch is fenced off.
  AppendBatch stale = b.Build({"three"});
  EXPECT_THAT(second->Append(stale), StatusIs(StatusCode::kAborted));
  auto state = second->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 2u);
  EXPECT_THAT(second->ReadEntries(0, 2), IsOk());
  EXPECT_THAT(second->FindLeafHashes(std::vector<tlog::Hash>{tlog::HashLeaf(AsBytes("three"))}),
              IsOk());

  // Both racing from the same size, at the same time: exactly one wins.
  BatchBuilder c = a;
  BatchBuilder d = a;
  AppendBatch from_c = c.Build({"c"});
  AppendBatch from_d = d.Build({"d"});
  Status rc;
  Status rd;
  std::thread tc([&] { rc = first->Append(from_c); });
  std::thread td([&] { rd = second->Append(from_d); });
  tc.join();
  td.join();
  EXPECT_NE(rc.ok(), rd.ok()) << rc.message() << " / " << rd.message();
  const Status& loser = rc.ok() ? rd : rc;
  EXPECT_EQ(loser.code(), StatusCode::kAborted) << loser.message();
  state = first->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 3u);
}

TEST_F(PostgresLogStoreTest, ANewerSchemaVersionIsRefused) {
  ASSERT_NE(Open(), nullptr);
  Sql("UPDATE vouch_log.schema_version SET version = 2");
  auto opened = OpenPostgresLogStore(uri_);
  EXPECT_THAT(opened, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("newer")));
  EXPECT_EQ(opened.status().reason(), "store_version_newer");
}

TEST_F(PostgresLogStoreTest, AChangedSchemaIsRefusedNotRecreated) {
  ASSERT_NE(Open(), nullptr);
  Sql("ALTER TABLE vouch_log.tiles DROP COLUMN width");
  auto opened = OpenPostgresLogStore(uri_);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(opened.status().reason(), "store_schema") << opened.status().message();
}

TEST_F(PostgresLogStoreTest, DamageStopsAppends) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  BatchBuilder builder;
  ASSERT_THAT(store->Append(builder.Build({"a", "b"})), IsOk());
  EXPECT_THAT(store->Health(), IsOk());
  Sql("UPDATE vouch_log.entries SET leaf_hash = '\\x0102' WHERE idx = 1");
  EXPECT_THAT(store->ReadLeafHashes(0, 2), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(store->Health(), StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(store->Health().reason(), "store_damaged");
  auto append = store->Append(builder.Build({"c"}));
  EXPECT_THAT(append, StatusIs(StatusCode::kDataLoss));
  // Nothing was appended.
  auto state = store->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 2u);
}

TEST_F(PostgresLogStoreTest, TileHashesAreReadAsSlices) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  Bytes data(256 * 32);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i / 32);
  BatchBuilder builder;
  ASSERT_THAT(store->Append(builder.Build({"x"}, {StoredTile{0, 3, 256, data}})), IsOk());
  // The tile's data is kept uncompressed out of line, so substring() fetches only its chunks.
  auto db = internal::PgConnection::Open(uri_);
  ASSERT_THAT(db, IsOk());
  auto storage = (*db)->Query(
      "SELECT attstorage FROM pg_attribute WHERE attrelid = 'vouch_log.tiles'::regclass "
      "AND attname = 'data'",
      {}, "test");
  ASSERT_THAT(storage, IsOk());
  ASSERT_EQ(storage->rows(), 1);
  EXPECT_EQ(storage->Text(0, 0), "e");
  const uint32_t slots[] = {255, 0, 77};
  tlog::Hash out[3];
  ASSERT_THAT(store->ReadTileHashes(0, 3, slots, out), IsOk());
  EXPECT_EQ(out[0][0], 255);
  EXPECT_EQ(out[1][31], 0);
  EXPECT_EQ(out[2][5], 77);
  const uint32_t beyond[] = {256};
  tlog::Hash one[1];
  EXPECT_THAT(store->ReadTileHashes(0, 3, beyond, one), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(store->ReadTileHashes(0, 4, slots, out), StatusIs(StatusCode::kNotFound));
}

// A batch of `entries` whose checkpoint is a parseable note of origin "log.example" for the
// new tree (what an anchored store checks before it appends).
AppendBatch SignedBatch(BatchBuilder& builder, const std::vector<std::string>& entries) {
  AppendBatch batch = builder.Build(entries);
  tlog::Hash root = batch.new_state.range.back();
  for (size_t i = batch.new_state.range.size() - 1; i-- > 0;) {
    root = tlog::HashChildren(batch.new_state.range[i], root);
  }
  auto body = tlog::Checkpoint::Create("log.example", batch.new_state.size, root);
  EXPECT_THAT(body, IsOk());
  batch.new_state.checkpoint = body->ToText() + "\n\u2014 log.example AAAA\n";
  return batch;
}

// OpenPostgresLogState, tried again for up to 5 s while the lock is held: the server ends the
// backend of a closed or terminated session a moment after, and only then frees its lock.
StatusOr<std::unique_ptr<LogStore>> OpenOnceFree(const std::string& uri,
                                                 const std::string& anchor) {
  auto opened = OpenPostgresLogState(uri, anchor);
  for (int i = 0; i < 100 && opened.status().reason() == "store_in_use"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    opened = OpenPostgresLogState(uri, anchor);
  }
  return opened;
}

// One service per state: a second anchored open (another process with a copy of the anchor)
// is refused while the first holds the sequencing lock, and succeeds once it is gone.
TEST_F(PostgresLogStoreTest, OneServiceAtATimeHoldsTheState) {
  const std::string dir = ::vouch::testing::MakeTempDir("pg_log_lock");
  auto first = CreatePostgresLogState(uri_, dir + "/log.anchor");
  ASSERT_THAT(first, IsOk());
  std::filesystem::copy_file(dir + "/log.anchor", dir + "/copy.anchor");
  auto second = OpenPostgresLogState(uri_, dir + "/copy.anchor");
  EXPECT_THAT(second, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("in use")));
  EXPECT_EQ(second.status().reason(), "store_in_use");
  first->reset();
  EXPECT_THAT(OpenOnceFree(uri_, dir + "/copy.anchor"), IsOk());
}

// A standby follows the state while another service holds it: it reads what was committed and
// where the holder advertised itself, checked against its own anchor, and writes nothing.
TEST_F(PostgresLogStoreTest, AFollowerReadsTheHeldStateAndWritesNothing) {
  const std::string dir = ::vouch::testing::MakeTempDir("pg_log_follow");
  auto holder = CreatePostgresLogState(uri_, dir + "/log.anchor");
  ASSERT_THAT(holder, IsOk());
  ASSERT_THAT((*holder)->Bind({"log.example", "log.example+01+AA"}), IsOk());
  BatchBuilder builder;
  ASSERT_THAT((*holder)->Append(SignedBatch(builder, {"a", "b"})), IsOk());
  std::filesystem::copy_file(dir + "/log.anchor", dir + "/copy.anchor");
  EXPECT_THAT(OpenPostgresLogFollower(uri_, dir + "/none.anchor"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("--init")));

  auto follower = OpenPostgresLogFollower(uri_, dir + "/copy.anchor");
  ASSERT_THAT(follower, IsOk());
  EXPECT_THAT((*follower)->ReadSequencerUrl(), IsOkAndHolds(""));
  ASSERT_THAT((*holder)->AdvertiseSequencer("http://127.0.0.1:7381"), IsOk());
  ASSERT_THAT((*holder)->AdvertiseSequencer("http://10.0.0.2:7381"), IsOk());  // replaced
  EXPECT_THAT((*follower)->ReadSequencerUrl(), IsOkAndHolds("http://10.0.0.2:7381"));
  ASSERT_THAT((*holder)->Append(SignedBatch(builder, {"c"})), IsOk());
  auto state = (*follower)->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->size, 3u);

  for (const Status& write : {(*follower)->Bind({"log.example", "log.example+01+AA"}),
                              (*follower)->Append(SignedBatch(builder, {"d"})),
                              (*follower)->AdvertiseSequencer("http://127.0.0.1:1")}) {
    EXPECT_EQ(write.reason(), "store_in_use") << write;
  }
  EXPECT_THAT((*holder)->ReadSequencerUrl(), IsOkAndHolds("http://10.0.0.2:7381"));
  EXPECT_EQ((*holder)->ReadState()->size, 3u);
}

// A session the server ended (a restart, a network cut) loses the lock with it: the store
// reconnects, but appends only once it holds the lock again; meanwhile another service may.
TEST_F(PostgresLogStoreTest, AReconnectedServiceAppendsOnlyWithTheLockAgain) {
  const std::string dir = ::vouch::testing::MakeTempDir("pg_log_relock");
  auto a = CreatePostgresLogState(uri_, dir + "/log.anchor");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT((*a)->Bind({"log.example", "log.example+01+AA"}), IsOk());
  BatchBuilder builder;
  ASSERT_THAT((*a)->Append(SignedBatch(builder, {"a", "b"})), IsOk());
  std::filesystem::copy_file(dir + "/log.anchor", dir + "/copy.anchor");
  Sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  auto b = OpenOnceFree(uri_, dir + "/copy.anchor");
  ASSERT_THAT(b, IsOk());
  const AppendBatch c = SignedBatch(builder, {"c"});
  // The first statement finds the session gone; the reconnected one cannot take the lock.
  Status appended = (*a)->Append(c);
  if (appended.reason() == "store_unreachable") appended = (*a)->Append(c);
  EXPECT_EQ(appended.reason(), "store_in_use") << appended;
  EXPECT_EQ(appended.reason(), (*a)->Append(c).reason());  // tried again, still refused
  b->reset();
  appended = (*a)->Append(c);
  for (int i = 0; i < 100 && appended.reason() == "store_in_use"; ++i) {  // as OpenOnceFree
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    appended = (*a)->Append(c);
  }
  EXPECT_THAT(appended, IsOk());  // the lock is free: taken again, and it appends
}

TEST_F(PostgresLogStoreTest, TheAnchoredStateIsCreatedOnceAndChecked) {
  const std::string dir = ::vouch::testing::MakeTempDir("pg_log_state");
  const std::string anchor = dir + "/log.anchor";
  EXPECT_THAT(OpenPostgresLogState(uri_, anchor),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("--init")));
  BatchBuilder builder;
  {
    auto store = CreatePostgresLogState(uri_, anchor);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Bind({"log.example", "log.example+01+AA"}), IsOk());
    // A checkpoint that is not this log's for the new tree is never anchored.
    BatchBuilder other;
    EXPECT_THAT((*store)->Append(other.Build({"x"})), StatusIs(StatusCode::kInvalidArgument));
    ASSERT_THAT((*store)->Append(SignedBatch(builder, {"a", "b", "c"})), IsOk());
  }
  ASSERT_NO_FATAL_FAILURE(ExpectAnchoredSize(anchor, "log.example", 3));
  EXPECT_THAT(CreatePostgresLogState(uri_, anchor), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(CreatePostgresLogState(uri_, dir + "/other.anchor"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("not anchored")));
  {
    auto reopened = OpenPostgresLogState(uri_, anchor);
    ASSERT_THAT(reopened, IsOk());
    ASSERT_THAT((*reopened)->Append(SignedBatch(builder, {"d"})), IsOk());
  }

  // Rolled back below what was signed: refused, naming both sizes.
  Sql("UPDATE vouch_log.tree SET size = 2");
  auto behind = OpenPostgresLogState(uri_, anchor);
  EXPECT_THAT(behind, StatusIs(StatusCode::kDataLoss, HasSubstr("has 2 entries")));
  EXPECT_EQ(behind.status().reason(), "state_behind");

  // Another log's database under this anchor: refused.
  auto other_uri = SharedPgTestServer()->CreateDatabase();
  ASSERT_THAT(other_uri, IsOk());
  ASSERT_THAT(CreatePostgresLogState(*other_uri, dir + "/other2.anchor"), IsOk());
  auto other = OpenPostgresLogState(*other_uri, anchor);
  EXPECT_THAT(other, StatusIs(StatusCode::kDataLoss, HasSubstr("another state")));
  EXPECT_EQ(other.status().reason(), "state_lost");
  std::filesystem::remove_all(dir);
}

TEST_F(PostgresLogStoreTest, AWipedDatabaseIsNeverAFreshStart) {
  const std::string dir = ::vouch::testing::MakeTempDir("pg_log_wiped");
  const std::string anchor = dir + "/log.anchor";
  {
    auto store = CreatePostgresLogState(uri_, anchor);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Bind({"log.example", "log.example+01+AA"}), IsOk());
    BatchBuilder builder;
    ASSERT_THAT((*store)->Append(SignedBatch(builder, {"a"})), IsOk());
  }
  Sql("DROP SCHEMA vouch_log CASCADE");
  auto opened = OpenPostgresLogState(uri_, anchor);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss, HasSubstr("restore")));
  EXPECT_EQ(opened.status().reason(), "state_lost");
  std::filesystem::remove_all(dir);
}

TEST_F(PostgresLogStoreTest, AnUnreachableServerIsAClearErrorNotAHang) {
  auto store = OpenPostgresLogStore("postgresql://vouch:secret@127.0.0.1:1/db?connect_timeout=2");
  EXPECT_THAT(store, StatusIs(StatusCode::kUnavailable, HasSubstr("cannot connect")));
  EXPECT_EQ(store.status().reason(), "store_unreachable");
  EXPECT_THAT(store.status().message(), ::testing::Not(HasSubstr("secret")));
}

// ---- the state rules ----

// A decision that stores `size` with a root of byte `fill`.
WitnessStore::Decision Store(uint64_t size, uint8_t fill) {
  return [size, fill](const std::optional<tlog::WitnessState>&) {
    tlog::WitnessResponse out;
    out.status = 200;
    tlog::WitnessState state;
    state.size = size;
    state.root.fill(fill);
    state.note = "checkpoint " + std::to_string(size) + "\n";
    out.new_state = state;
    return StatusOr<tlog::WitnessResponse>(out);
  };
}

class PostgresStateTest : public PgDatabaseTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(PgDatabaseTest::SetUp());
    server_ = SharedPgTestServer();
    dir_ = ::vouch::testing::MakeTempDir("postgres_state_test");
    anchor_ = dir_ + "/witness.anchor";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A state with one cosigned tree of `size` for origin "o".
  void CreateWithTree(uint64_t size) {
    auto store = CreatePostgresWitnessState(uri_, anchor_);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Update("o", Store(size, 7)), IsOk());
  }

  PgTestServer* server_ = nullptr;
  std::string dir_;
  std::string anchor_;
};

TEST_F(PostgresStateTest, CreatingIsExplicitAndHappensOnce) {
  EXPECT_THAT(OpenPostgresWitnessState(uri_, anchor_),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("--init")));
  CreateWithTree(5);
  ASSERT_NO_FATAL_FAILURE(ExpectAnchoredSize(anchor_, "o", 5));
  EXPECT_THAT(CreatePostgresWitnessState(uri_, anchor_), StatusIs(StatusCode::kAlreadyExists));
  // Another anchor directory cannot adopt a database that holds a state.
  EXPECT_THAT(CreatePostgresWitnessState(uri_, dir_ + "/other.anchor"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("not anchored")));
  auto reopened = OpenPostgresWitnessState(uri_, anchor_);
  ASSERT_THAT(reopened, IsOk());
  auto state = (*reopened)->Get("o");
  ASSERT_THAT(state, IsOk());
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*state)->size, 5u);
}

TEST_F(PostgresStateTest, AWipedDatabaseIsNeverAFreshStart) {
  CreateWithTree(5);
  Sql("DROP SCHEMA vouch_witness CASCADE");
  auto opened = OpenPostgresWitnessState(uri_, anchor_);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss, HasSubstr("restore")));
  EXPECT_EQ(opened.status().reason(), "state_lost");
}

TEST_F(PostgresStateTest, AnotherStateIsRefused) {
  CreateWithTree(5);
  // The database of another witness, under this witness's anchor.
  auto other_uri = server_->CreateDatabase();
  ASSERT_THAT(other_uri, IsOk());
  ASSERT_THAT(CreatePostgresWitnessState(*other_uri, dir_ + "/other.anchor"), IsOk());
  auto opened = OpenPostgresWitnessState(*other_uri, anchor_);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss, HasSubstr("belongs to another state")));
  EXPECT_EQ(opened.status().reason(), "state_lost");
}

TEST_F(PostgresStateTest, ARolledBackDatabaseIsRefusedNamingBothSizes) {
  CreateWithTree(9);
  Sql("UPDATE vouch_witness.witness_state SET size = 4");
  auto opened = OpenPostgresWitnessState(uri_, anchor_);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss, HasSubstr("holds size 4")));
  EXPECT_THAT(opened.status().message(), HasSubstr("cosigned size 9"));
  EXPECT_EQ(opened.status().reason(), "state_behind");
}

TEST_F(PostgresStateTest, ADamagedOrNewerSchemaIsRefused) {
  CreateWithTree(3);
  Sql("ALTER TABLE vouch_witness.witness_state DROP COLUMN checkpoint");
  auto opened = OpenPostgresWitnessState(uri_, anchor_);
  EXPECT_EQ(opened.status().reason(), "store_schema") << opened.status().message();

  const std::string anchor2 = dir_ + "/w2.anchor";
  auto uri2 = server_->CreateDatabase();
  ASSERT_THAT(uri2, IsOk());
  ASSERT_THAT(CreatePostgresWitnessState(*uri2, anchor2), IsOk());
  {
    auto db = internal::PgConnection::Open(*uri2);
    ASSERT_THAT(db, IsOk());
    ASSERT_THAT((*db)->Exec("UPDATE vouch_witness.schema_version SET version = 2", "test"), IsOk());
  }
  auto newer = OpenPostgresWitnessState(*uri2, anchor2);
  EXPECT_THAT(newer, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("newer")));
  EXPECT_EQ(newer.status().reason(), "store_version_newer");
}

TEST_F(PostgresStateTest, TwoProcessesNeverCosignAFork) {
  CreateWithTree(1);
  // A second connection (as a second witness front-end would have) moves the row on between
  // this store's read and its write: the compare-and-set fails and the store decides again on
  // the new state, never overwriting it.
  auto store = OpenPostgresWitnessState(uri_, anchor_);
  ASSERT_THAT(store, IsOk());
  int decisions = 0;
  auto result = (*store)->Update("o", [&](const std::optional<tlog::WitnessState>& stored) {
    ++decisions;
    if (decisions == 1) {
      EXPECT_EQ(stored->size, 1u);
      auto db = internal::PgConnection::Open(uri_);
      EXPECT_THAT(db, IsOk());
      EXPECT_THAT((*db)->Exec("UPDATE vouch_witness.witness_state SET size = 6", "test"), IsOk());
      return Store(2, 9)(stored);  // decided on the old state: must not be written
    }
    EXPECT_EQ(stored->size, 6u);
    tlog::WitnessResponse conflict;
    conflict.status = 409;
    return StatusOr<tlog::WitnessResponse>(conflict);
  });
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->status, 409);
  EXPECT_EQ(decisions, 2);
  auto state = (*store)->Get("o");
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ((*state)->size, 6u);
}

TEST_F(PostgresStateTest, ABrokenConnectionIsReestablished) {
  CreateWithTree(2);
  auto store = OpenPostgresWitnessState(uri_, anchor_);
  ASSERT_THAT(store, IsOk());
  // The server ends the store's session (as a restart or a failover would).
  Sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  auto first = (*store)->Get("o");
  if (!first.ok()) {
    EXPECT_EQ(first.status().reason(), "store_unreachable") << first.status().message();
  }
  auto second = (*store)->Get("o");
  ASSERT_THAT(second, IsOk());
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->size, 2u);
  // Updates work again too.
  EXPECT_THAT((*store)->Update("o", Store(3, 1)), IsOk());
}

// ---- nonces shared by several broker front-ends (shared_nonces.h) ----

class PostgresSharedNoncesTest : public PgDatabaseTest {
 protected:
  // A front-end: its own connection to the shared database.
  std::unique_ptr<SharedNonces> FrontEnd(const SharedNonceOptions& options) {
    auto nonces = OpenPostgresSharedNonces(uri_, options);
    EXPECT_THAT(nonces, IsOk());
    return nonces.ok() ? *std::move(nonces) : nullptr;
  }
  static Digest32 N(uint8_t b) { return Digest32{b, 0x4e}; }
  static Id16 E(uint8_t b) { return Id16{b, 0xe0}; }

  SharedNonceOptions options_{.ttl = 60, .max_per_envelope = 2, .max_outstanding = 3};
};

TEST_F(PostgresSharedNoncesTest, ANonceIsBurntOnceAcrossFrontEnds) {
  auto a = FrontEnd(options_);
  auto b = FrontEnd(options_);
  ASSERT_TRUE(a && b);
  EXPECT_THAT(a->Issue(N(1), E(1), 1000), IsOkAndHolds(NonceIssue::kKept));
  // Presented with another envelope: refused, and still usable for its own.
  EXPECT_THAT(b->Consume(N(1), E(2), 1001), IsOkAndHolds(NonceConsume::kEnvelopeMismatch));
  EXPECT_THAT(b->Consume(N(1), E(1), 1001), IsOkAndHolds(NonceConsume::kConsumed));
  EXPECT_THAT(a->Consume(N(1), E(1), 1002), IsOkAndHolds(NonceConsume::kUsed));
  EXPECT_THAT(b->Consume(N(1), E(1), 1002), IsOkAndHolds(NonceConsume::kUsed));
  EXPECT_THAT(b->Consume(N(9), E(1), 1002), IsOkAndHolds(NonceConsume::kUnknown));
  // A repeated nonce is the random source's failure, never a second life.
  EXPECT_EQ(a->Issue(N(1), E(1), 1003).status().code(), StatusCode::kInternal);
  // A front-end restarted: the nonces are rows, still there.
  EXPECT_THAT(a->Issue(N(2), E(1), 1004), IsOkAndHolds(NonceIssue::kKept));
  a.reset();
  a = FrontEnd(options_);
  ASSERT_TRUE(a);
  EXPECT_THAT(a->Consume(N(2), E(1), 1005), IsOkAndHolds(NonceConsume::kConsumed));
}

TEST_F(PostgresSharedNoncesTest, ExpiredThenForgotten) {
  auto a = FrontEnd(options_);
  ASSERT_TRUE(a);
  ASSERT_THAT(a->Issue(N(1), E(1), 1000), IsOkAndHolds(NonceIssue::kKept));
  ASSERT_THAT(a->Issue(N(2), E(2), 1000), IsOkAndHolds(NonceIssue::kKept));
  ASSERT_THAT(a->Consume(N(2), E(2), 1001), IsOkAndHolds(NonceConsume::kConsumed));
  EXPECT_THAT(a->Consume(N(1), E(1), 1059), IsOkAndHolds(NonceConsume::kConsumed));
  ASSERT_THAT(a->Issue(N(3), E(1), 1000), IsOkAndHolds(NonceIssue::kKept));
  // From its expiry (1060) for one ttl: expired, used or not; then unknown.
  EXPECT_THAT(a->Consume(N(3), E(1), 1060), IsOkAndHolds(NonceConsume::kExpired));
  EXPECT_THAT(a->Consume(N(2), E(2), 1119), IsOkAndHolds(NonceConsume::kExpired));
  EXPECT_THAT(a->Consume(N(3), E(1), 1120), IsOkAndHolds(NonceConsume::kUnknown));
  // The next Issue deletes them: asked at a time when it would still be valid, it is gone.
  ASSERT_THAT(a->Issue(N(4), E(1), 1120), IsOkAndHolds(NonceIssue::kKept));
  EXPECT_THAT(a->Consume(N(3), E(1), 1001), IsOkAndHolds(NonceConsume::kUnknown));
}

TEST_F(PostgresSharedNoncesTest, TheLimitsCountOutstandingNoncesOfEveryFrontEnd) {
  auto a = FrontEnd(options_);
  auto b = FrontEnd(options_);
  ASSERT_TRUE(a && b);
  EXPECT_THAT(a->Issue(N(1), E(1), 1000), IsOkAndHolds(NonceIssue::kKept));
  EXPECT_THAT(b->Issue(N(2), E(1), 1000), IsOkAndHolds(NonceIssue::kKept));
  EXPECT_THAT(a->Issue(N(3), E(1), 1000), IsOkAndHolds(NonceIssue::kEnvelopeFull));
  EXPECT_THAT(b->Issue(N(4), E(2), 1000), IsOkAndHolds(NonceIssue::kKept));
  EXPECT_THAT(a->Issue(N(5), E(3), 1000), IsOkAndHolds(NonceIssue::kBookFull));
  // A used nonce is no longer outstanding; nor is an expired one.
  ASSERT_THAT(b->Consume(N(1), E(1), 1001), IsOkAndHolds(NonceConsume::kConsumed));
  EXPECT_THAT(a->Issue(N(3), E(1), 1001), IsOkAndHolds(NonceIssue::kKept));
  EXPECT_THAT(a->Issue(N(5), E(3), 1001), IsOkAndHolds(NonceIssue::kBookFull));
  EXPECT_THAT(a->Issue(N(5), E(3), 1060), IsOkAndHolds(NonceIssue::kKept));
}

TEST_F(PostgresSharedNoncesTest, ConcurrentConsumersBurnItOnce) {
  auto issuer = FrontEnd(options_);
  ASSERT_TRUE(issuer);
  ASSERT_THAT(issuer->Issue(N(7), E(7), 1000), IsOkAndHolds(NonceIssue::kKept));
  constexpr int kFrontEnds = 6;
  std::vector<std::unique_ptr<SharedNonces>> fronts;
  for (int i = 0; i < kFrontEnds; ++i) fronts.push_back(FrontEnd(options_));
  std::vector<StatusOr<NonceConsume>> outcomes(kFrontEnds, InternalError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kFrontEnds; ++i) {
    threads.emplace_back([&, i] {
      if (fronts[i]) outcomes[i] = fronts[i]->Consume(N(7), E(7), 1001);
    });
  }
  for (std::thread& t : threads) t.join();
  int consumed = 0, used = 0;
  for (const auto& o : outcomes) {
    ASSERT_THAT(o, IsOk());
    consumed += *o == NonceConsume::kConsumed;
    used += *o == NonceConsume::kUsed;
  }
  EXPECT_EQ(consumed, 1);
  EXPECT_EQ(used, kFrontEnds - 1);
}

// Front-ends started together on a new database: one creates each schema, none fails on the
// others' CREATE SCHEMA (the broker's records and the shared nonces alike).
TEST_F(PostgresSharedNoncesTest, FrontEndsStartingTogetherCreateTheSchemasOnce) {
  constexpr int kFrontEnds = 6;
  std::vector<Status> nonces(kFrontEnds), records(kFrontEnds);
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < kFrontEnds; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      nonces[i] = OpenPostgresSharedNonces(uri_, options_).status();
      records[i] = OpenPostgresBrokerStore(uri_, {}).status();
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  for (int i = 0; i < kFrontEnds; ++i) {
    EXPECT_THAT(nonces[i], IsOk()) << "front-end " << i;
    EXPECT_THAT(records[i], IsOk()) << "front-end " << i;
  }
}

TEST_F(PostgresSharedNoncesTest, OptionsAndSchemaAreChecked) {
  EXPECT_EQ(OpenPostgresSharedNonces(uri_, {.ttl = 0}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      OpenPostgresSharedNonces(uri_, {.max_per_envelope = 4, .max_outstanding = 3}).status().code(),
      StatusCode::kInvalidArgument);
  ASSERT_TRUE(FrontEnd(options_));
  auto db = internal::PgConnection::Open(uri_);
  ASSERT_THAT(db, IsOk());
  ASSERT_THAT((*db)->Exec("UPDATE vouch_nonces.schema_version SET version = 2", "test"), IsOk());
  EXPECT_THAT(OpenPostgresSharedNonces(uri_, options_), ReasonIs("store_version_newer"));
  ASSERT_THAT((*db)->Exec("UPDATE vouch_nonces.schema_version SET version = 1;"
                          "ALTER TABLE vouch_nonces.nonces DROP COLUMN consumed",
                          "test"),
              IsOk());
  EXPECT_THAT(OpenPostgresSharedNonces(uri_, options_), ReasonIs("store_schema"));
}

TEST(PostgresConnectionTest, PasswordsAreRedacted) {
  EXPECT_EQ(internal::RedactPgUri("postgresql://vouch:s3cret@db.example:5432/w"),
            "postgresql://vouch:***@db.example:5432/w");
  EXPECT_EQ(internal::RedactPgUri("postgres://db.example/w?user=v&password=s3cret&sslmode=require"),
            "postgres://db.example/w?user=v&password=***&sslmode=require");
  EXPECT_EQ(internal::RedactPgUri("postgresql://v:a@b@db/w?password=x"),
            "postgresql://v:***@db/w?password=***");
  EXPECT_EQ(internal::RedactPgUri("host=db password=s3cret dbname=w"),
            "host=db password=*** dbname=w");
  // Nothing to hide: unchanged (an '@' in the path is not userinfo).
  EXPECT_EQ(internal::RedactPgUri("postgresql://db.example/w@x"), "postgresql://db.example/w@x");
  EXPECT_EQ(internal::RedactPgUri("postgresql://v@db/w"), "postgresql://v@db/w");
  // A refused connection names the server, never the password.
  auto db = internal::PgConnection::Open(
      "postgresql://127.0.0.1:1/db?user=v&password=s3cret&connect_timeout=2");
  ASSERT_FALSE(db.ok());
  EXPECT_THAT(db.status().message(), ::testing::Not(HasSubstr("s3cret")));
}

TEST(PostgresConnectionTest, AServerWithoutFsyncIsRefused) {
  auto server = PgTestServer::Start("-c fsync=off");
  ASSERT_THAT(server, IsOk());
  // Its database postgres: nothing can be created there by a vouch connection.
  auto store = CreatePostgresWitnessState(
      (*server)->Uri("postgres"), ::vouch::testing::MakeTempDir("pg_no_fsync") + "/w.anchor");
  EXPECT_THAT(store, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("fsync off")));
  EXPECT_EQ(store.status().reason(), "store_not_durable");
}

TEST(PostgresConnectionTest, AnUnreachableServerIsAClearErrorNotAHang) {
  auto store =
      OpenPostgresWitnessState("postgresql://vouch:secret@127.0.0.1:1/db?connect_timeout=2",
                               ::vouch::testing::MakeTempDir("pg_unreachable") + "/w.anchor");
  EXPECT_EQ(store.status().reason(), "state_missing");  // no anchor: refused before connecting
  auto db =
      internal::PgConnection::Open("postgresql://vouch:secret@127.0.0.1:1/db?connect_timeout=2");
  EXPECT_THAT(db, StatusIs(StatusCode::kUnavailable, HasSubstr("cannot connect")));
  EXPECT_EQ(db.status().reason(), "store_unreachable");
  // The password is never in a message.
  EXPECT_THAT(db.status().message(), ::testing::Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace vouch::store

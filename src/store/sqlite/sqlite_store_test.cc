// The SQLite stores pass the conformance suites; plus what only SQLite has: WAL files, the
// reader pool, files that are not databases, and the mapping of SQLite result codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/log_store_conformance.h"
#include "store/sqlite/sqlite_db.h"
#include "store/witness_store_conformance.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/sqlite_witness_store.h"

namespace vouch::store {
namespace {

using testing::BatchBuilder;
using testing::LogStoreConformanceTest;
using testing::WitnessStoreConformanceTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, LogStoreConformanceTest,
                         ::testing::Values(testing::LogStoreBackend{
                             "sqlite",
                             [](const std::string& dir) -> StatusOr<std::shared_ptr<LogStore>> {
                               VOUCH_ASSIGN_OR_RETURN(auto store,
                                                      SqliteLogStore::Open(dir + "/log.db"));
                               return std::shared_ptr<LogStore>(std::move(store));
                             },
                             true}),
                         testing::LogStoreBackendName);

INSTANTIATE_TEST_SUITE_P(
    Sqlite, WitnessStoreConformanceTest,
    ::testing::Values(testing::WitnessStoreBackend{
        "sqlite",
        [](const std::string& dir) { return OpenSqliteWitnessStore(dir + "/witness.db"); }, true}),
    testing::WitnessStoreBackendName);

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ::vouch::testing::MakeTempDir("sqlite_store_test"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return dir_ + "/log.db"; }
  void WriteJunk(const std::string& file) {
    FILE* f = std::fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string junk(4096, 'j');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  std::string dir_;
};

TEST_F(SqliteStoreTest, UsesWalWithFullSynchronousCommits) {
  auto store = SqliteLogStore::Open(path());
  ASSERT_THAT(store, IsOk());
  BatchBuilder b;
  ASSERT_THAT((*store)->Append(b.Build({"x"})), IsOk());
  // The WAL file exists while the database is open in WAL mode.
  EXPECT_TRUE(std::filesystem::exists(path() + "-wal"));
  auto witness = OpenSqliteWitnessStore(dir_ + "/w.db");
  ASSERT_THAT(witness, IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/w.db-wal"));
}

TEST_F(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
  WriteJunk(path());
  EXPECT_THAT(SqliteLogStore::Open(path()), ReasonIs("store_corrupt"));
  WriteJunk(dir_ + "/w.db");
  EXPECT_THAT(OpenSqliteWitnessStore(dir_ + "/w.db"), ReasonIs("store_corrupt"));
}

TEST_F(SqliteStoreTest, ReadersBeyondThePoolWaitForAConnection) {
  SqliteOptions o;
  o.reader_connections = 2;
  auto store = SqliteLogStore::Open(path(), o);
  ASSERT_THAT(store, IsOk());
  BatchBuilder b;
  ASSERT_THAT((*store)->Append(b.Build({"a", "b", "c"})), IsOk());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if ((*store)->ReadEntries(0, 3).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 16 * 50);
  o.reader_connections = 0;
  EXPECT_THAT(SqliteLogStore::Open(path(), o), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(SqliteStoreTest, RefusesAMissingDirectory) {
  EXPECT_THAT(SqliteLogStore::Open(dir_ + "/no/such/dir/log.db"),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(OpenSqliteWitnessStore(dir_ + "/no/such/dir/w.db"),
              StatusIs(StatusCode::kUnavailable));
}

// Each kind of failure keeps its own code: a full disk is not "unavailable", corruption is data
// loss, another writer is a transient busy.
TEST(SqliteErrorTest, MapsResultCodesToDistinctStatuses) {
  using internal::SqliteError;
  EXPECT_THAT(SqliteError(SQLITE_BUSY, nullptr, "x"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("sqlite: x")));
  EXPECT_THAT(SqliteError(SQLITE_BUSY, nullptr, "x"), ReasonIs("store_busy"));
  EXPECT_THAT(SqliteError(SQLITE_LOCKED, nullptr, "x"), ReasonIs("store_busy"));
  EXPECT_THAT(SqliteError(SQLITE_IOERR_FSYNC, nullptr, "x"), ReasonIs("store_io_error"));
  EXPECT_THAT(SqliteError(SQLITE_IOERR, nullptr, "x"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(SqliteError(SQLITE_READONLY, nullptr, "x"), ReasonIs("store_read_only"));
  EXPECT_THAT(SqliteError(SQLITE_FULL, nullptr, "x"), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(SqliteError(SQLITE_FULL, nullptr, "x"), ReasonIs("store_full"));
  EXPECT_THAT(SqliteError(SQLITE_NOMEM, nullptr, "x"), ReasonIs("store_out_of_memory"));
  EXPECT_THAT(SqliteError(SQLITE_CORRUPT, nullptr, "x"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(SqliteError(SQLITE_NOTADB, nullptr, "x"), ReasonIs("store_corrupt"));
  EXPECT_THAT(SqliteError(SQLITE_CONSTRAINT_UNIQUE, nullptr, "x"),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(SqliteError(SQLITE_MISUSE, nullptr, "x"), StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace vouch::store

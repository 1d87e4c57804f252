// The SQLite broker store passes the BrokerStore conformance suite; and a database that is not
// a broker store is refused rather than written into.
#include "vouch/store/sqlite_broker_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/broker_store_conformance.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store {
namespace {

using testing::BrokerStoreConformanceTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, BrokerStoreConformanceTest,
                         ::testing::Values(testing::BrokerStoreBackend{
                             "sqlite",
                             [](const std::string& dir, const BrokerStoreOptions& options) {
                               return OpenSqliteBrokerStore(dir + "/broker.db", options);
                             }}),
                         testing::BrokerStoreBackendName);

TEST(SqliteBrokerStoreTest, AForeignDatabaseIsRefused) {
  const std::string path = vouch::testing::MakeTempDir("broker-store") + "/broker.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE releases (x INTEGER);", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = OpenSqliteBrokerStore(path);
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(store.status().reason(), "store_schema");
}

}  // namespace
}  // namespace vouch::store

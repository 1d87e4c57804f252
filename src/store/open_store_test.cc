// Opening stores from URIs: directories, sqlite: paths, and PostgreSQL refused clearly.
#include "vouch/store/open_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store {
namespace {

TEST(StoreUriTest, DirectoriesAndSqlitePaths) {
  auto dir = StoreUri::Parse("data/log", "log.db");
  ASSERT_THAT(dir, IsOk());
  EXPECT_EQ(dir->backend, StoreUri::Backend::kSqlite);
  EXPECT_EQ(dir->location, "data/log/log.db");
  EXPECT_EQ(StoreUri::Parse("/var/lib/vouch/", "witness.db")->location,
            "/var/lib/vouch/witness.db");
  EXPECT_EQ(StoreUri::Parse("/", "log.db")->location, "/log.db");
  // A colon after a slash or a non-scheme character is part of a path.
  EXPECT_EQ(StoreUri::Parse("./sqlite:x", "log.db")->location, "./sqlite:x/log.db");
  EXPECT_EQ(StoreUri::Parse("a b:c", "log.db")->location, "a b:c/log.db");
  auto file = StoreUri::Parse("sqlite:/tmp/x.db", "log.db");
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ(file->backend, StoreUri::Backend::kSqlite);
  EXPECT_EQ(file->location, "/tmp/x.db");
  EXPECT_EQ(StoreUri::Parse("SQLite:rel.db", "log.db")->location, "rel.db");
}

TEST(StoreUriTest, RefusesWhatItCannotOpen) {
  EXPECT_THAT(StoreUri::Parse("", "log.db"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(StoreUri::Parse("sqlite:", "log.db"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(StoreUri::Parse("mysql://db/log", "log.db"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown scheme")));
  auto pg = StoreUri::Parse("postgres://db.example/vouch", "log.db");
  ASSERT_THAT(pg, IsOk());
  EXPECT_EQ(pg->backend, StoreUri::Backend::kPostgres);
  EXPECT_THAT(StoreUri::Parse("postgres://u:secret-pw@db.example/v", "log.db")->Display(),
              ::testing::Not(HasSubstr("secret-pw")));
  EXPECT_EQ(StoreUri::Parse("sqlite:rel.db", "log.db")->Display(), "rel.db");
  // A PostgreSQL log or witness state needs a local directory for its anchor.
  EXPECT_THAT(OpenLogState("postgresql://u:pw@db.example/vouch"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("anchor")));
  EXPECT_THAT(CreateLogState("postgresql://u:pw@db.example/vouch"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("anchor")));
  EXPECT_THAT(CreateWitnessState("postgres://db.example/vouch"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("anchor")));
}

TEST(OpenStoreTest, OpensTheDefaultFilesOfADirectory) {
  std::string dir = ::vouch::testing::MakeTempDir("open_store_test");
  // A state is created explicitly, never by opening.
  EXPECT_THAT(OpenLogState(dir), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_FALSE(std::filesystem::exists(dir + "/log.db"));
  ASSERT_THAT(CreateLogState(dir), IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir + "/log.db"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/log.anchor"));
  ASSERT_THAT(OpenLogState(dir), IsOk());
  EXPECT_THAT(OpenWitnessState(dir), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_THAT(CreateWitnessState(dir), IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir + "/witness.db"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/witness.anchor"));
  ASSERT_THAT(OpenWitnessState(dir), IsOk());
  ASSERT_THAT(CreateLogState("sqlite:" + dir + "/other.db"), IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir + "/other.db"));
  std::filesystem::remove_all(dir);
}

// Shared nonces are for several front-ends, which share a PostgreSQL database only.
TEST(OpenStoreTest, SharedNoncesNeedPostgres) {
  std::string dir = ::vouch::testing::MakeTempDir("open_store_nonces");
  for (const std::string& uri : {dir, "sqlite:" + dir + "/n.db", std::string()}) {
    EXPECT_THAT(OpenSharedNonces(uri, {}), StatusIs(StatusCode::kInvalidArgument)) << uri;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vouch::store

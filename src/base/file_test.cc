#include "vouch/base/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch {
namespace {

using ::vouch::testing::IsOk;
using ::vouch::testing::StatusIs;

TEST(FileTest, AtomicWriteThenRead) {
  std::string dir = vouch::testing::MakeTempDir("vouch-file-");
  std::string path = dir + "/key";
  ASSERT_THAT(WriteFileAtomic(path, AsBytes("secret"), 0600), IsOk());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFileToString(path), "secret");
  ASSERT_THAT(WriteFileAtomic(path, AsBytes("new"), 0600), IsOk());
  EXPECT_EQ(*ReadFileToString(path), "new");
}

TEST(FileTest, MissingFileIsNotFoundAndLimitIsEnforced) {
  EXPECT_THAT(ReadFile("/nonexistent/vouch"), StatusIs(StatusCode::kNotFound));
  std::string dir = vouch::testing::MakeTempDir("vouch-file-");
  ASSERT_THAT(WriteFileAtomic(dir + "/big", Bytes(100, 'x')), IsOk());
  EXPECT_THAT(ReadFile(dir + "/big", 10), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace vouch

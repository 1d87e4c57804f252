#include "vouch/base/file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch {
namespace {

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

// Piece by piece: nothing at PATH until Commit; abandoned, PATH is as it was and no temp is left.
TEST(FileTest, AtomicFileWriterCommitsOrLeavesNothing) {
  const std::string dir = vouch::testing::MakeTempDir("vouch-file-");
  const std::string path = dir + "/entries.jsonl";
  ASSERT_THAT(WriteFileAtomic(path, AsBytes("old\n")), IsOk());
  {
    auto writer = AtomicFileWriter::Open(path, 0600);
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Append(AsBytes("a\n")), IsOk());
    ASSERT_THAT((*writer)->Append(AsBytes("b\n")), IsOk());
    EXPECT_EQ(*ReadFileToString(path), "old\n");
  }  // abandoned
  EXPECT_EQ(*ReadFileToString(path), "old\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  auto writer = AtomicFileWriter::Open(path, 0600);
  ASSERT_THAT(writer, IsOk());
  ASSERT_THAT((*writer)->Append(AsBytes("a\n")), IsOk());
  ASSERT_THAT((*writer)->Append(AsBytes("b\n")), IsOk());
  ASSERT_THAT((*writer)->Commit(), IsOk());
  EXPECT_EQ(*ReadFileToString(path), "a\nb\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  EXPECT_THAT((*writer)->Append(AsBytes("c")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(AtomicFileWriter::Open(dir + "/missing/f"), StatusIs(StatusCode::kNotFound));
}

// Small pieces are gathered, pieces larger than the gathering buffer written through: whatever
// the mix, the file holds exactly the pieces in order.
TEST(FileTest, AtomicFileWriterKeepsEveryPieceInOrder) {
  const std::string path = vouch::testing::MakeTempDir("vouch-file-") + "/big";
  auto writer = AtomicFileWriter::Open(path);
  ASSERT_THAT(writer, IsOk());
  std::string expected;
  for (size_t size : {size_t{3}, size_t{700'000}, size_t{500'000}, size_t{5}, size_t{3'000'000},
                      size_t{1} << 20, size_t{1}}) {
    std::string piece(size, static_cast<char>('a' + expected.size() % 26));
    ASSERT_THAT((*writer)->Append(AsBytes(piece)), IsOk());
    expected += piece;
  }
  ASSERT_THAT((*writer)->Commit(), IsOk());
  EXPECT_EQ(*ReadFileToString(path, expected.size()), expected);
}

TEST(FileTest, MissingFileIsNotFoundAndLimitIsEnforced) {
  EXPECT_THAT(ReadFile("/nonexistent/vouch"), StatusIs(StatusCode::kNotFound));
  std::string dir = vouch::testing::MakeTempDir("vouch-file-");
  ASSERT_THAT(WriteFileAtomic(dir + "/big", Bytes(100, 'x')), IsOk());
  EXPECT_THAT(ReadFile(dir + "/big", 10), StatusIs(StatusCode::kInvalidArgument));
}

// One rule for every private key: only its owner may read it; anything else is refused with the
// fix in the message.
TEST(FileTest, StreamFileHandsOverChunksAndNoticesAChangedSize) {
  std::string dir = vouch::testing::MakeTempDir("vouch-file-");
  const std::string path = dir + "/f";
  ASSERT_THAT(WriteFileAtomic(path, AsBytes("0123456789")), IsOk());
  std::vector<uint8_t> buffer(4);
  std::string seen;
  size_t chunks = 0;
  auto sink = [&](ByteSpan chunk) {
    seen.append(chunk.begin(), chunk.end());
    ++chunks;
    return OkStatus();
  };
  ASSERT_THAT(StreamFile(path, 10, buffer, sink, "changed"), IsOk());
  EXPECT_EQ(seen, "0123456789");
  EXPECT_EQ(chunks, 3u);

  // Listed as shorter or longer than it is: refused with the caller's reason.
  seen.clear();
  EXPECT_THAT(StreamFile(path, 9, buffer, sink, "changed"), ReasonIs("changed"));
  EXPECT_LE(seen.size(), 9u);
  EXPECT_THAT(StreamFile(path, 11, buffer, sink, "changed"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("changed size")));

  // The sink's failure stops the read and is returned.
  chunks = 0;
  EXPECT_THAT(StreamFile(
                  path, 10, buffer,
                  [&](ByteSpan) {
                    ++chunks;
                    return UnavailableError("sink full");
                  },
                  "changed"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("sink full")));
  EXPECT_EQ(chunks, 1u);

  EXPECT_THAT(StreamFile(dir + "/missing", 0, buffer, sink, "changed"),
              StatusIs(StatusCode::kUnavailable));
  // A final symlink is not followed.
  ASSERT_EQ(::symlink(path.c_str(), (dir + "/link").c_str()), 0);
  EXPECT_THAT(StreamFile(dir + "/link", 10, buffer, sink, "changed"),
              StatusIs(StatusCode::kUnavailable));
}

TEST(FileTest, PrivateFilesMustBeReadableByTheirOwnerOnly) {
  std::string dir = vouch::testing::MakeTempDir("vouch-file-");
  std::string path = dir + "/key";
  ASSERT_THAT(WriteFileAtomic(path, AsBytes("secret"), 0600), IsOk());
  auto key = ReadPrivateFile(path, 4096);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(AsStringView(key->Reveal()), "secret");
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_THAT(ReadPrivateFile(path, 4096), IsOk());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0700 | 0044}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    EXPECT_THAT(ReadPrivateFile(path, 4096),
                StatusIs(StatusCode::kFailedPrecondition, HasSubstr("chmod 600 " + path)))
        << std::oct << mode;
    EXPECT_THAT(ReadPrivateFile(path, 4096), ReasonIs(kKeyFileInsecure));
  }
  // Mode 0000 says nobody may read it: refused, also for root (who could read it).
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  EXPECT_THAT(ReadPrivateFile(path, 4096),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("chmod 600 " + path)));
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_THAT(ReadPrivateFile(path, 3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadPrivateFile(dir + "/missing", 4096), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace vouch

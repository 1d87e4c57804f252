#include "vouch/base/secret_bytes.h"

#include <gtest/gtest.h>

#include <sstream>

namespace vouch {
namespace {

TEST(SecretBytesTest, ComparesAndRedacts) {
  const Bytes raw = {1, 2, 3};
  SecretBytes a(raw);
  SecretBytes b = a.Copy();
  EXPECT_TRUE(a == b);
  b.mutable_data()[0] = 9;
  EXPECT_FALSE(a == b);
  std::ostringstream os;
  os << a;
  EXPECT_EQ(os.str(), "SecretBytes(3 bytes, redacted)");
}

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  SecretBytes a(Bytes{1, 2, 3});
  SecretBytes b = std::move(a);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented behaviour
}

TEST(ConstantTimeEqualsTest, LengthMismatch) {
  EXPECT_FALSE(ConstantTimeEquals(Bytes{1}, Bytes{1, 2}));
  EXPECT_TRUE(ConstantTimeEquals(Bytes{}, Bytes{}));
}

}  // namespace
}  // namespace vouch

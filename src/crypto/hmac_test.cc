#include "vouch/crypto/hmac.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

// RFC 4231 §4.2, §4.3 and §4.7 (a key longer than the block).
TEST(HmacTest, Rfc4231Vectors) {
  auto t1 = HmacSha256(Bytes(20, 0x0b), AsBytes("Hi There"));
  ASSERT_THAT(t1, IsOk());
  EXPECT_EQ(HexEncode(*t1), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  auto t2 = HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"));
  ASSERT_THAT(t2, IsOk());
  EXPECT_EQ(HexEncode(*t2), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto t6 = HmacSha256(Bytes(131, 0xaa),
                       AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"));
  ASSERT_THAT(t6, IsOk());
  EXPECT_EQ(HexEncode(*t6), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacTest, EmptyKeyAndMessage) {
  // HMAC-SHA256("", "") (a well-known value).
  auto t = HmacSha256({}, {});
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(HexEncode(*t), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace vouch

#include "vouch/crypto/hkdf.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

// RFC 5869 Appendix A, test cases 1 and 3.
TEST(HkdfTest, Rfc5869Vectors) {
  Bytes ikm(22, 0x0b);
  auto okm1 = HkdfSha256(ikm, Hex("000102030405060708090a0b0c"), Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm1.ok());
  EXPECT_EQ(HexEncode(okm1->Reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  auto okm3 = HkdfSha256(ikm, {}, {}, 42);
  ASSERT_TRUE(okm3.ok());
  EXPECT_EQ(HexEncode(okm3->Reveal()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfTest, RejectsBadLengths) {
  EXPECT_FALSE(HkdfSha256(AsBytes("k"), {}, {}, 0).ok());
  EXPECT_FALSE(HkdfSha256(AsBytes("k"), {}, {}, 255 * 32 + 1).ok());
}

}  // namespace
}  // namespace vouch

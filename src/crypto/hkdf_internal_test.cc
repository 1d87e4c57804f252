#include "crypto/hkdf_internal.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch::internal {
namespace {

// RFC 5869 Appendix A, test cases 1 and 3 (the PRK and the OKM, step by step).
TEST(HkdfInternalTest, Rfc5869ExtractThenExpand) {
  auto prk1 = HkdfSha256Extract(Hex("000102030405060708090a0b0c"), Bytes(22, 0x0b));
  ASSERT_THAT(prk1, IsOk());
  EXPECT_EQ(HexEncode(prk1->Reveal()),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  auto okm1 = HkdfSha256Expand(prk1->Reveal(), Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_THAT(okm1, IsOk());
  EXPECT_EQ(HexEncode(okm1->Reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

  auto prk3 = HkdfSha256Extract({}, Bytes(22, 0x0b));
  ASSERT_THAT(prk3, IsOk());
  EXPECT_EQ(HexEncode(prk3->Reveal()),
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
  // An empty salt is the same as 32 zero bytes.
  EXPECT_EQ(*prk3, *HkdfSha256Extract(Bytes(32, 0), Bytes(22, 0x0b)));
  auto okm3 = HkdfSha256Expand(prk3->Reveal(), {}, 42);
  ASSERT_THAT(okm3, IsOk());
  EXPECT_EQ(HexEncode(okm3->Reveal()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfInternalTest, ExpandRejectsBadArguments) {
  EXPECT_THAT(HkdfSha256Expand(Bytes(31, 1), {}, 32), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HkdfSha256Expand(Bytes(32, 1), {}, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HkdfSha256Expand(Bytes(32, 1), {}, 255 * 32 + 1),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HkdfSha256Expand(Bytes(32, 1), {}, 255 * 32), IsOk());
}

}  // namespace
}  // namespace vouch::internal

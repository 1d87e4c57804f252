#include "crypto/hkdf_internal.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/hkdf.h"

namespace vouch::internal {
namespace {

// RFC 5869 Appendix A, test cases 1, 2 and 3 (the PRK and the OKM, step by step).
TEST(HkdfInternalTest, Rfc5869ExtractThenExpand) {
  auto prk1 = HkdfSha256Extract(Hex("000102030405060708090a0b0c"), Bytes(22, 0x0b));
  ASSERT_THAT(prk1, IsOk());
  EXPECT_EQ(HexEncode(prk1->Reveal()),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
  auto okm1 = HkdfSha256Expand(prk1->Reveal(), Hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_THAT(okm1, IsOk());
  EXPECT_EQ(HexEncode(okm1->Reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");

  // Test case 2: 80-byte inputs, an output of three HMAC blocks.
  auto range = [](int first, int last) {
    Bytes b;
    for (int v = first; v <= last; ++v) b.push_back(static_cast<uint8_t>(v));
    return b;
  };
  auto prk2 = HkdfSha256Extract(range(0x60, 0xaf), range(0x00, 0x4f));
  ASSERT_THAT(prk2, IsOk());
  EXPECT_EQ(HexEncode(prk2->Reveal()),
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244");
  auto okm2 = HkdfSha256Expand(prk2->Reveal(), range(0xb0, 0xff), 82);
  ASSERT_THAT(okm2, IsOk());
  EXPECT_EQ(HexEncode(okm2->Reveal()),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41"
            "c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");

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

// The two halves (HMAC-SHA256 here) give what OpenSSL's own HKDF gives in one call, at every
// length around the block size and up to the longest.
TEST(HkdfInternalTest, ExtractThenExpandIsOpensslsHkdf) {
  const ByteSpan ikm = AsBytes("input keying material");
  const Bytes salt(80, 0x5a);
  const ByteSpan info = AsBytes("some context");
  auto prk = HkdfSha256Extract(salt, ikm);
  ASSERT_THAT(prk, IsOk());
  for (size_t length : {1u, 31u, 32u, 33u, 64u, 65u, 100u, 255u * 32u}) {
    auto okm = HkdfSha256Expand(prk->Reveal(), info, length);
    ASSERT_THAT(okm, IsOk());
    auto reference = HkdfSha256(ikm, salt, info, length);
    ASSERT_THAT(reference, IsOk());
    EXPECT_EQ(*okm, *reference) << length;
  }
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

#include "vouch/base/encoding.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace vouch {
namespace {

TEST(HexTest, RoundTripsBothCases) {
  Bytes b = {0x00, 0x9a, 0xff};
  EXPECT_EQ(HexEncode(b), "009aff");
  EXPECT_EQ(HexEncodeUpper(b), "009AFF");
  EXPECT_EQ(*HexDecode("009AfF"), b);
  EXPECT_EQ(*HexDecode(""), Bytes{});
}

TEST(HexTest, RejectsOddLengthAndNonHex) {
  EXPECT_THAT(HexDecode("abc"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HexDecode("zz"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HexDecode("0x00"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(HexTest, DecodeArrayChecksLength) {
  EXPECT_TRUE((HexDecodeArray<2>("abcd").ok()));
  EXPECT_FALSE((HexDecodeArray<2>("abcdef").ok()));
}

// RFC 4648 §10 test vectors.
TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> kVectors[] = {{"", ""},
                                                          {"f", "Zg=="},
                                                          {"fo", "Zm8="},
                                                          {"foo", "Zm9v"},
                                                          {"foob", "Zm9vYg=="},
                                                          {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), plain);
  }
}

TEST(Base64Test, RejectsMalformed) {
  for (const char* bad :
       {"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "====", "Zg==Zg==", "Zm-v"}) {
    EXPECT_THAT(Base64Decode(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace vouch

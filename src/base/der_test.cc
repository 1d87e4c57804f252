#include "vouch/base/der.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/base/der_writer.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

TEST(DerTest, IntegersRoundTripMinimally) {
  EXPECT_EQ(HexEncode(DerUnsignedInteger(0)), "020100");
  EXPECT_EQ(HexEncode(DerUnsignedInteger(255)), "020200ff");
  EXPECT_EQ(HexEncode(DerUnsignedInteger(256)), "02020100");
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 255ull, 65535ull, 1ull << 40}) {
    const Bytes encoded = DerUnsignedInteger(v);  // the reader borrows it
    DerReader r(encoded);
    ByteSpan contents;
    ASSERT_THAT(r.Read(kDerTagInteger, &contents, "int"), IsOk());
    EXPECT_EQ(*DerUnsigned(contents, UINT64_MAX, "int"), v);
  }
}

TEST(DerTest, RejectsNonMinimalAndNegative) {
  EXPECT_THAT(DerUnsigned(Bytes{0x00, 0x01}, 255, "x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(DerUnsigned(Bytes{0x80}, 255, "x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(DerUnsigned(Bytes{0x01, 0x00}, 255, "x"), StatusIs(StatusCode::kInvalidArgument));
  ByteSpan v;
  // Long-form length for a short element is not DER.
  const Bytes long_form = {0x04, 0x81, 0x01, 0xaa};
  DerReader r(long_form);
  EXPECT_THAT(r.Read(kDerTagOctetString, &v, "x"), StatusIs(StatusCode::kInvalidArgument));
  const Bytes indefinite_length = {0x30, 0x80, 0x00, 0x00};
  DerReader indefinite(indefinite_length);
  EXPECT_THAT(indefinite.Read(kDerTagSequence, &v, "x"), StatusIs(StatusCode::kInvalidArgument));
  const Bytes too_short = {0x04, 0x05, 0x01};
  DerReader overlong(too_short);
  EXPECT_THAT(overlong.Read(kDerTagOctetString, &v, "x"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(DerTest, OidRoundTrip) {
  for (const char* oid : {"1.2.840.113741.1.13.1", "2.5.4.3", "1.2.840.10045.4.3.2", "2.999.1"}) {
    auto der = DerOid(oid);
    ASSERT_THAT(der, IsOk());
    DerReader r(*der);
    ByteSpan contents;
    ASSERT_THAT(r.Read(kDerTagOid, &contents, "oid"), IsOk());
    EXPECT_EQ(*DerOidText(contents), oid);
  }
  EXPECT_FALSE(DerOid("1").ok());
  EXPECT_FALSE(DerOid("1.40").ok());
  EXPECT_FALSE(DerOid("1.2.x").ok());
}

TEST(DerTest, LongLengths) {
  Bytes big(300, 0xab);
  Bytes tlv = DerOctetString(big);
  EXPECT_EQ(tlv[1], 0x82);
  DerReader r(tlv);
  ByteSpan v;
  ASSERT_THAT(r.Read(kDerTagOctetString, &v, "x"), IsOk());
  EXPECT_EQ(v.size(), 300u);
}

}  // namespace
}  // namespace vouch

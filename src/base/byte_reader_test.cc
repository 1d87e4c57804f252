#include "vouch/base/byte_reader.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace vouch {
namespace {

TEST(ByteReaderTest, ReadsLittleEndianAndAdvances) {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  ByteReader r(data);
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  ASSERT_THAT(r.ReadU8(&u8, "a"), IsOk());
  ASSERT_THAT(r.ReadU16Le(&u16, "b"), IsOk());
  ASSERT_THAT(r.ReadU32Le(&u32, "c"), IsOk());
  ASSERT_THAT(r.ReadU64Le(&u64, "d"), IsOk());
  EXPECT_EQ(u8, 0x01);
  EXPECT_EQ(u16, 0x0302);
  EXPECT_EQ(u32, 0x07060504u);
  EXPECT_EQ(u64, 0x0f0e0d0c0b0a0908u);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReaderTest, TruncationNamesFieldAndDoesNotAdvance) {
  const Bytes data = {0x01, 0x02, 0x03};
  ByteReader r(data);
  uint32_t v;
  EXPECT_THAT(r.ReadU32Le(&v, "signature length"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("signature length")));
  EXPECT_EQ(r.offset(), 0u);
  ByteSpan view;
  EXPECT_THAT(r.ReadBytes(3, &view, "x"), IsOk());
  EXPECT_EQ(view.size(), 3u);
  EXPECT_THAT(r.Skip(1, "y"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ByteReaderTest, HugeLengthDoesNotOverflow) {
  const Bytes data = {0x01};
  ByteReader r(data);
  ByteSpan view;
  EXPECT_THAT(r.ReadBytes(SIZE_MAX, &view, "x"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ByteReaderTest, ReadArray) {
  const Bytes data = {1, 2, 3, 4};
  ByteReader r(data);
  std::array<uint8_t, 3> a;
  ASSERT_THAT(r.ReadArray(&a, "a"), IsOk());
  EXPECT_EQ(a[2], 3);
  EXPECT_FALSE(r.ReadArray(&a, "b").ok());
}

}  // namespace
}  // namespace vouch

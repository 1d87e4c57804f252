#include "vouch/base/byte_writer.h"

#include <gtest/gtest.h>

#include <array>

#include "testing/status_matchers.h"
#include "vouch/base/byte_reader.h"

namespace vouch {
namespace {

TEST(ByteWriterTest, WritesLittleEndianInOrder) {
  ByteWriter w;
  w.WriteU8(0x01);
  w.WriteU16Le(0x0302);
  w.WriteU32Le(0x07060504u);
  w.WriteU64Le(0x0f0e0d0c0b0a0908u);
  EXPECT_EQ(w.size(), 15u);
  const Bytes want = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  EXPECT_EQ(std::move(w).Finish(), want);
}

TEST(ByteWriterTest, WritesBigEndianInOrder) {
  ByteWriter w;
  w.WriteU16Be(0x0102);
  w.WriteU32Be(0x03040506u);
  w.WriteU64Be(0x0708090a0b0c0d0eu);
  const Bytes want = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                      0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
  EXPECT_EQ(std::move(w).Finish(), want);
}

TEST(ByteWriterTest, WritesExtremeValuesAtFullWidth) {
  ByteWriter w;
  w.WriteU16Le(0);
  w.WriteU16Be(0xffff);
  w.WriteU32Le(0x80000001u);
  w.WriteU32Be(0x80000001u);
  w.WriteU64Le(0x8000000000000001u);
  w.WriteU64Be(0xffffffffffffffffu);
  const Bytes want = {0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0x80, 0x80, 0x00,
                      0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(std::move(w).Finish(), want);
}

TEST(ByteWriterTest, AppendsBytesAndZerosAfterInitialContents) {
  const Bytes data = {0xaa, 0xbb};
  ByteWriter w(Bytes{0x11});
  w.WriteBytes(data);
  w.WriteZeros(3);
  w.WriteBytes(ByteSpan());
  w.WriteZeros(0);
  EXPECT_EQ(w.size(), 6u);
  const Bytes want = {0x11, 0xaa, 0xbb, 0x00, 0x00, 0x00};
  EXPECT_TRUE(EqualBytes(w.view(), want));
  EXPECT_EQ(std::move(w).Finish(), want);
}

TEST(ByteWriterTest, ReserveDoesNotChangeContents) {
  ByteWriter w;
  w.Reserve(100);
  EXPECT_EQ(w.size(), 0u);
  w.WriteU8(7);
  w.Reserve(0);
  EXPECT_EQ(std::move(w).Finish(), Bytes{7});
}

TEST(ByteWriterTest, FinishLeavesTheWriterEmpty) {
  ByteWriter w;
  w.WriteU32Le(1);
  Bytes first = std::move(w).Finish();
  EXPECT_EQ(first.size(), 4u);
  EXPECT_EQ(w.size(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  w.WriteU8(2);
  EXPECT_EQ(std::move(w).Finish(), Bytes{2});
}

TEST(ByteWriterTest, RoundTripsThroughByteReader) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x80}, uint64_t{0xdeadbeef},
                     uint64_t{0x0123456789abcdef}, ~uint64_t{0}}) {
    ByteWriter w;
    w.WriteU16Le(static_cast<uint16_t>(v));
    w.WriteU32Le(static_cast<uint32_t>(v));
    w.WriteU64Le(v);
    const Bytes out = std::move(w).Finish();
    ByteReader r(out);
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    ASSERT_THAT(r.ReadU16Le(&u16, "u16"), IsOk());
    ASSERT_THAT(r.ReadU32Le(&u32, "u32"), IsOk());
    ASSERT_THAT(r.ReadU64Le(&u64, "u64"), IsOk());
    EXPECT_EQ(u16, static_cast<uint16_t>(v));
    EXPECT_EQ(u32, static_cast<uint32_t>(v));
    EXPECT_EQ(u64, v);
    EXPECT_TRUE(r.empty());
  }
}

TEST(ByteWriterTest, StoresAtAPointerAndInvertTheLoads) {
  std::array<uint8_t, 8> b{};
  StoreU16Le(b.data(), 0xa1b2);
  EXPECT_EQ(b[0], 0xb2);
  EXPECT_EQ(b[1], 0xa1);
  EXPECT_EQ(LoadU16Le(b.data()), 0xa1b2);
  StoreU32Le(b.data(), 0x01020304u);
  EXPECT_EQ(LoadU32Le(b.data()), 0x01020304u);
  StoreU64Le(b.data(), 0x0102030405060708u);
  EXPECT_EQ(b[0], 0x08);
  EXPECT_EQ(LoadU64Le(b.data()), 0x0102030405060708u);

  b.fill(0);
  StoreU16Be(b.data(), 0xa1b2);
  EXPECT_EQ(b[0], 0xa1);
  EXPECT_EQ(b[1], 0xb2);
  EXPECT_EQ(b[2], 0x00);  // nothing past the width
  StoreU32Be(b.data() + 4, 0x01020304u);
  EXPECT_EQ((std::array<uint8_t, 8>{0xa1, 0xb2, 0, 0, 1, 2, 3, 4}), b);
  StoreU64Be(b.data(), 0x0102030405060708u);
  EXPECT_EQ((std::array<uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8}), b);
  EXPECT_EQ(LoadU16Be(b.data()), 0x0102);
  EXPECT_EQ(LoadU32Be(b.data()), 0x01020304u);
  EXPECT_EQ(LoadU64Be(b.data()), 0x0102030405060708u);
  StoreU64Be(b.data(), 0xfffefdfcfbfaf9f8u);
  EXPECT_EQ(LoadU64Be(b.data()), 0xfffefdfcfbfaf9f8u);
  EXPECT_EQ(LoadU16Be(b.data()), 0xfffe);
}

}  // namespace
}  // namespace vouch

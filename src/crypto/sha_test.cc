#include "vouch/crypto/sha.h"

#include <gtest/gtest.h>

#include "vouch/base/encoding.h"

namespace vouch {
namespace {

// FIPS 180-4 examples ("abc") and the empty string.
TEST(ShaTest, KnownAnswers) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256(AsBytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha512(AsBytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(ShaTest, IncrementalMatchesOneShotAndResets) {
  Sha256Hasher h;
  h.Update(AsBytes("a"));
  h.Update(AsBytes("bc"));
  EXPECT_EQ(h.Finish(), Sha256(AsBytes("abc")));
  h.Update(AsBytes("abc"));
  EXPECT_EQ(h.Finish(), Sha256(AsBytes("abc")));
}

// The prefixed hash equals SHA-256 of the concatenation, short and long (across SHA-256's
// 64-byte blocks), with empty pieces anywhere.
TEST(ShaTest, WithPrefixHashesTheConcatenation) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{31}, size_t{55}, size_t{56}, size_t{64},
                      size_t{4152}, size_t{12480}}) {
    Bytes data(size);
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
    const ByteSpan all(data);
    const ByteSpan head = all.first(size / 2);
    const ByteSpan tail = all.subspan(size / 2);
    Bytes concatenated = ToBytes(std::string_view("tag/v1"));  // 6 bytes
    Append(concatenated, Bytes{0x0a, 0x01});                   // 2 more: total = size + 8
    Append(concatenated, data);
    const Sha256Digest want = Sha256(concatenated);
    EXPECT_EQ(Sha256WithPrefix(AsBytes("tag/v1"), {Bytes{0x0a, 0x01}, head, tail}), want) << size;
    EXPECT_EQ(Sha256WithPrefix(AsBytes("tag/v1"), {Bytes{0x0a}, ByteSpan(), Bytes{0x01}, all}),
              want)
        << size;
    EXPECT_EQ(Sha256WithPrefix(concatenated, {}), want) << size;
    EXPECT_EQ(Sha256WithPrefix(ByteSpan(), {concatenated}), want) << size;
  }
}

// Known answers: RFC 6962's hash of the empty leaf, SHA-256(0x00), and "abc" split between
// the prefix and the parts.
TEST(ShaTest, WithPrefixKnownAnswers) {
  const uint8_t leaf_prefix[] = {0x00};
  EXPECT_EQ(HexEncode(Sha256WithPrefix(leaf_prefix, {})),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(HexEncode(Sha256WithPrefix(AsBytes("a"), {AsBytes("b"), AsBytes("c")})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256WithPrefix(ByteSpan(), {}), Sha256(ByteSpan()));
}

}  // namespace
}  // namespace vouch

#include "vouch/crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

struct GcmVector {
  const char* key;
  const char* iv;
  const char* plaintext;
  const char* aad;
  const char* ciphertext;
  const char* tag;
};

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13, 14 and 16 (AES-256).
constexpr GcmVector kGcmVectors[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b"
     "5"
     "25b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828"
     "838"
     "c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

class AesGcmVectorTest : public ::testing::TestWithParam<GcmVector> {};

TEST_P(AesGcmVectorTest, SealsAndOpensExactly) {
  const GcmVector& v = GetParam();
  SecretBytes key(Hex(v.key));
  auto sealed = Aes256GcmSeal(key, Hex(v.iv), Hex(v.plaintext), Hex(v.aad));
  ASSERT_THAT(sealed, IsOk());
  EXPECT_EQ(HexEncode(*sealed), std::string(v.ciphertext) + v.tag);
  auto opened = Aes256GcmOpen(key, Hex(v.iv), *sealed, Hex(v.aad));
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(HexEncode(opened->Reveal()), v.plaintext);
}

TEST_P(AesGcmVectorTest, AnyChangeFailsToOpen) {
  const GcmVector& v = GetParam();
  SecretBytes key(Hex(v.key));
  Bytes sealed = *Aes256GcmSeal(key, Hex(v.iv), Hex(v.plaintext), Hex(v.aad));
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x80;
    EXPECT_THAT(Aes256GcmOpen(key, Hex(v.iv), bad, Hex(v.aad)), ReasonIs("aead_open_failed"));
  }
  Bytes aad = Hex(v.aad);
  aad.push_back(1);
  EXPECT_THAT(Aes256GcmOpen(key, Hex(v.iv), sealed, aad), ReasonIs("aead_open_failed"));
  Bytes truncated(sealed.begin(), sealed.end() - 1);
  EXPECT_THAT(Aes256GcmOpen(key, Hex(v.iv), truncated, Hex(v.aad)), ReasonIs("aead_open_failed"));
}

INSTANTIATE_TEST_SUITE_P(GcmSpec, AesGcmVectorTest, ::testing::ValuesIn(kGcmVectors));

TEST(AesGcmTest, RejectsBadKeyAndNonceSizes) {
  EXPECT_FALSE(Aes256GcmSeal(SecretBytes(Bytes(16)), Bytes(12), {}, {}).ok());
  EXPECT_FALSE(Aes256GcmSeal(SecretBytes(Bytes(32)), Bytes(8), {}, {}).ok());
}

}  // namespace
}  // namespace vouch

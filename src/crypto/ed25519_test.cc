#include "vouch/crypto/ed25519.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 §7.1, TEST 1, 2 and 3.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46"
     "bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8"
     "c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "65"
     "94a7c15e9716ed28dc027beceea1ec40a"},
};

class Ed25519VectorTest : public ::testing::TestWithParam<Rfc8032Vector> {};

TEST_P(Ed25519VectorTest, SignsAndVerifiesExactly) {
  const Rfc8032Vector& v = GetParam();
  auto key = Ed25519PrivateKey::FromSeed(Hex(v.secret));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(HexEncode(key->public_key().bytes()), v.public_key);
  Bytes message = Hex(v.message);
  EXPECT_EQ(HexEncode(*key->Sign(message)), v.signature);
  auto pub = Ed25519PublicKey::FromBytes(Hex(v.public_key));
  ASSERT_THAT(pub, IsOk());
  EXPECT_THAT(pub->Verify(message, Hex(v.signature)), IsOk());
  Bytes bad = Hex(v.signature);
  bad[10] ^= 1;
  EXPECT_THAT(pub->Verify(message, bad), ReasonIs("signature_invalid"));
  Bytes other = message;
  other.push_back(0);
  EXPECT_THAT(pub->Verify(other, Hex(v.signature)), ReasonIs("signature_invalid"));
}

INSTANTIATE_TEST_SUITE_P(Rfc8032, Ed25519VectorTest, ::testing::ValuesIn(kVectors));

TEST(Ed25519Test, RejectsBadSizes) {
  EXPECT_FALSE(Ed25519PublicKey::FromBytes(Bytes(31)).ok());
  EXPECT_FALSE(Ed25519PrivateKey::FromSeed(Bytes(33)).ok());
  auto key = Ed25519PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  EXPECT_FALSE(key->public_key().Verify(AsBytes("x"), Bytes(63)).ok());
}

}  // namespace
}  // namespace vouch

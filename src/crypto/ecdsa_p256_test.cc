#include "vouch/crypto/ecdsa_p256.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

// RFC 6979 §A.2.5: P-256 key and deterministic signatures with SHA-256.
constexpr char kQx[] = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
constexpr char kQy[] = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
constexpr char kSampleSig[] =
    "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
    "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";
constexpr char kTestSig[] =
    "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367"
    "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083";
// The group order n of P-256.
constexpr char kOrder[] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

EcdsaP256PublicKey Rfc6979Key() {
  auto key = EcdsaP256PublicKey::FromPoint(Hex(std::string(kQx) + kQy));
  EXPECT_THAT(key, IsOk());
  return *key;
}

TEST(EcdsaP256Test, Rfc6979VectorsVerify) {
  EcdsaP256PublicKey key = Rfc6979Key();
  EXPECT_THAT(key.VerifyRaw(AsBytes("sample"), Hex(kSampleSig)), IsOk());
  EXPECT_THAT(key.VerifyRaw(AsBytes("test"), Hex(kTestSig)), IsOk());
  EXPECT_THAT(key.VerifyRaw(AsBytes("test"), Hex(kSampleSig)), ReasonIs("signature_invalid"));
}

TEST(EcdsaP256Test, DerAndRawAgree) {
  EcdsaP256PublicKey key = Rfc6979Key();
  Bytes der = *EcdsaRawToDer(Hex(kSampleSig));
  EXPECT_THAT(key.VerifyDer(AsBytes("sample"), der), IsOk());
  EXPECT_EQ(*EcdsaDerToRaw(der), Hex(kSampleSig));
}

TEST(EcdsaP256Test, EveryFlippedBitIsRejected) {
  EcdsaP256PublicKey key = Rfc6979Key();
  Bytes sig = Hex(kSampleSig);
  for (size_t i = 0; i < sig.size() * 8; i += 7) {
    Bytes bad = sig;
    bad[i / 8] ^= static_cast<uint8_t>(1 << (i % 8));
    EXPECT_FALSE(key.VerifyRaw(AsBytes("sample"), bad).ok()) << "bit " << i;
  }
}

// Wycheproof-style edge cases: zero and out-of-range scalars, wrong lengths.
TEST(EcdsaP256Test, DegenerateSignaturesAreRejected) {
  EcdsaP256PublicKey key = Rfc6979Key();
  const std::string zero(64, '0');
  const std::string sig = kSampleSig;
  for (const std::string& bad :
       {zero + zero, zero + sig.substr(64), sig.substr(0, 64) + zero,
        std::string(kOrder) + sig.substr(64), sig.substr(0, 64) + kOrder, std::string(128, 'F')}) {
    EXPECT_FALSE(key.VerifyRaw(AsBytes("sample"), Hex(bad)).ok()) << bad;
  }
  EXPECT_THAT(key.VerifyRaw(AsBytes("sample"), Hex(sig.substr(0, 126))),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_FALSE(key.VerifyDer(AsBytes("sample"), Bytes{0x30, 0x00}).ok());
}

TEST(EcdsaP256Test, PointsOffTheCurveAreRejected) {
  std::string qy = kQy;
  qy.back() = qy.back() == '9' ? '8' : '9';
  EXPECT_THAT(EcdsaP256PublicKey::FromPoint(Hex(std::string(kQx) + qy)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(EcdsaP256PublicKey::FromPoint(Hex(kQx)), StatusIs(StatusCode::kInvalidArgument));
}

TEST(EcdsaP256Test, GenerateSignVerifyAndPkcs8RoundTrip) {
  auto key = EcdsaP256PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  Bytes sig = *key->SignRaw(AsBytes("hello"));
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_THAT(key->public_key().VerifyRaw(AsBytes("hello"), sig), IsOk());
  auto reloaded = EcdsaP256PrivateKey::FromPkcs8(key->ToPkcs8().Reveal());
  ASSERT_THAT(reloaded, IsOk());
  EXPECT_EQ(reloaded->public_key().point(), key->public_key().point());
  auto from_spki = EcdsaP256PublicKey::FromSpki(key->public_key().SpkiDer());
  ASSERT_THAT(from_spki, IsOk());
  EXPECT_THAT(from_spki->VerifyDer(AsBytes("hello"), *key->SignDer(AsBytes("hello"))), IsOk());
}

}  // namespace
}  // namespace vouch

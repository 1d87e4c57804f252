// RSA PKCS#1 v1.5 SHA-256: a published NIST CAVS vector (SigVer15_186-3.rsp, FIPS 186-4
// RSA validation, public domain), SGX-shaped RSA-3072 e=3 round trips with a checked-in test
// key, PEM handling and the SIGSTRUCT quotients.
#include "vouch/crypto/rsa.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

// NIST CAVS 11.0 SigVer15_186-3.rsp, [mod = 2048], SHAAlg = SHA256.
constexpr char kNistN[] =
    "c9548608087bed6be0a4623b9d849aa0b4b4b6114ad0a7d82578076ceefe26ce48d1448e16d69963"
    "510e1e5fc658f3cf8f32a489b62d93fec1cdea6e1dde3feba04bb6a034518d83fd6138ea999982ab"
    "95d6a03517688ab6f8411c4a96b3e79d4141b8f68338a9baa99f4e2c7845b573981061c5fd29d5fc"
    "21833ff1b030b2deb651e51a291168e2b45ab4202dcd97b891925c75338e0e648d9d9ad325c10884"
    "e1fcdccc1c547b4a9c36aef939e8802b62405d6e3d358ffa88f206b976b87f8b12b827b0ee7823f9"
    "d1955f47f8678f7843b4cd03777e46717060e82bf149b36d4cf3d0bc7e4d0effde51a72f4ced8e8e"
    "5b11bdb135825ff08873e2f776929abb";
constexpr char kNistE[] = "3c7bf9";
// Result = P
constexpr char kNistMsgPass[] =
    "bf082fa4b79f32849e8fae692696fc978ccb648c6e278d9bde4338d7b4632e3228b477e6a0d2cd14"
    "c68d51abdeed7c8c577457ec9fa2eff93cbf03c019d4014e1dfb311502d82f9265689e2d19f91b61"
    "c17a701c9ef50a69a55aae4cd57e67edc763c3f987ba3e46a2a6ffb680c3c25df46716e61228c832"
    "419e9f43916a4959";
constexpr char kNistSigPass[] =
    "621120a71ff2a182dd2997beb2480f54be516b79a4c202d1d6f59270f8e4d4dbd625ac52fe0e49c5"
    "fd69dc0d15fb19ec58c9312a8161a61cb878abcb11399937f28ff0803877c239ce0b7c4cbc1e23ec"
    "a22746b071b2716475424c12944660b929b6240aebe847fcb94f63d212f3aa538515dc061e9810fd"
    "b0adeb374d0f69d24fd52c94e42668a48fc0a57819952a40efb732cfa08b3d2b371780aea97be34e"
    "fb5239994d7ee7c6ab9134b76711e76813ad5f5c3a5c95399e907650534dbfafec900c21be1308dd"
    "ff6eda525f35e4fb3d275de46250ea1e4b96b60bd125b85f6c52b5419a725cd69b10cefd0901abe7"
    "f9e15940594cf811e34c60f38768244c";
// Result = F
constexpr char kNistMsgFail[] =
    "bb40a410b0183b32df12f739506643bdd2fa7e6aed83974918ecda402cfb09dd1932af4fd7f3b1b5"
    "a0e8269c5da268c25e806b204dd34e28653f304cdf6545bfadbe297f6bca7493936b8e91f08bc564"
    "55059c4c8ec36626972414ee0ca04c82e1aebba953e5ab531e62d823f16b7f2a1f51b9f6979b07cb"
    "16602e309bf545ad";
constexpr char kNistSigFail[] =
    "3f6909f674d4c9c2c26b66d8ee3d7702c560b193a8fbfd0ddb3a9dc909a6eb7aa74d446b7993cdd5"
    "b7e272d826281e4cfa08000d2291c2ebe3ee6a77a4e03a79248385359d0885c61c8ade8cf4de7c8e"
    "51e879cc1e6089a91a56dc58d2b239e185e9afebf733e2f0fd061270eee0670122c44fd17af6860b"
    "6f59690a1b2a91e16522e6a75903bf4e6c97237825f0b01e4c236052b173a8d91f910b0c903590e1"
    "6d7104609ff9c0194ffe0c09dac1969ea08b01497c8169c7357e8b1f1040604dc0f8b967bfd07528"
    "4736aa22b0822d3cd13c48a8169413e0b6b26af56c577c829b38e3fb5c4ff78949634d14ff3a40d0"
    "d43584d832d6b51d4065e0900ef197a5";

TEST(RsaTest, NistVectorVerifies) {
  auto key = RsaPublicKey::FromModulusAndExponent(Hex(kNistN), Hex(kNistE));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->modulus_bits(), 2048u);
  EXPECT_EQ(key->size(), 256u);
  EXPECT_THAT(key->VerifyPkcs1Sha256(Hex(kNistMsgPass), Hex(kNistSigPass)), IsOk());
}

TEST(RsaTest, NistFailingVectorIsRejected) {
  auto key = *RsaPublicKey::FromModulusAndExponent(Hex(kNistN), Hex(kNistE));
  EXPECT_THAT(key.VerifyPkcs1Sha256(Hex(kNistMsgFail), Hex(kNistSigFail)),
              ReasonIs("signature_invalid"));
  // The valid signature over another message, and a flipped bit, fail too.
  EXPECT_THAT(key.VerifyPkcs1Sha256(Hex(kNistMsgFail), Hex(kNistSigPass)),
              ReasonIs("signature_invalid"));
  Bytes sig = Hex(kNistSigPass);
  sig[100] ^= 0x01;
  EXPECT_THAT(key.VerifyPkcs1Sha256(Hex(kNistMsgPass), sig), ReasonIs("signature_invalid"));
}

TEST(RsaTest, SignatureOfWrongLengthIsMalformed) {
  auto key = *RsaPublicKey::FromModulusAndExponent(Hex(kNistN), Hex(kNistE));
  Bytes sig = Hex(kNistSigPass);
  sig.insert(sig.begin(), 0);
  EXPECT_THAT(key.VerifyPkcs1Sha256(Hex(kNistMsgPass), sig),
              StatusIs(StatusCode::kInvalidArgument));
  sig.erase(sig.begin(), sig.begin() + 2);
  EXPECT_THAT(key.VerifyPkcs1Sha256(Hex(kNistMsgPass), sig),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(RsaTest, RejectsBadPublicKeys) {
  Bytes n = Hex(kNistN);
  EXPECT_THAT(RsaPublicKey::FromModulusAndExponent(n, Hex("02")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(RsaPublicKey::FromModulusAndExponent(n, Hex("01")),
              StatusIs(StatusCode::kInvalidArgument));
  Bytes even = n;
  even.back() &= 0xfe;
  EXPECT_THAT(RsaPublicKey::FromModulusAndExponent(even, Hex("03")),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(RsaPublicKey::FromModulusAndExponent(Bytes(64, 0xff), Hex("03")),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(RsaTest, SgxShapedKeySignsAndVerifies) {
  auto key = RsaPrivateKey::FromPem(testing::ReadTestDataString("enclave/test_signer_1.pem"));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->public_key().modulus_bits(), 3072u);
  EXPECT_EQ(key->public_key().exponent(), Bytes{3});
  Bytes message = ToBytes("SIGSTRUCT header and body");
  auto sig = key->SignPkcs1Sha256(message);
  ASSERT_THAT(sig, IsOk());
  EXPECT_EQ(sig->size(), 384u);
  EXPECT_THAT(key->public_key().VerifyPkcs1Sha256(message, *sig), IsOk());
  // Deterministic (PKCS#1 v1.5 has no randomness).
  EXPECT_EQ(*key->SignPkcs1Sha256(message), *sig);
  // Another key does not verify it.
  auto other = *RsaPrivateKey::FromPem(testing::ReadTestDataString("enclave/test_signer_2.pem"));
  EXPECT_THAT(other.public_key().VerifyPkcs1Sha256(message, *sig), ReasonIs("signature_invalid"));
}

TEST(RsaTest, PemRoundTrip) {
  auto key = *RsaPrivateKey::FromPem(testing::ReadTestDataString("enclave/test_signer_1.pem"));
  auto pem = key.ToPkcs8Pem();
  ASSERT_THAT(pem, IsOk());
  EXPECT_EQ(AsStringView(pem->Reveal()).substr(0, 27), "-----BEGIN PRIVATE KEY-----");
  auto again = RsaPrivateKey::FromPem(AsStringView(pem->Reveal()));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->public_key().modulus(), key.public_key().modulus());
}

TEST(RsaTest, RejectsNonRsaAndGarbagePem) {
  EXPECT_THAT(RsaPrivateKey::FromPem("not a key"), StatusIs(StatusCode::kInvalidArgument));
  // An EC key in PEM.
  constexpr char kEcPem[] =
      "-----BEGIN PRIVATE KEY-----\n"
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsF5Sk7U3+IubUg70\n"
      "LjrrF/PQxtlWZ+xg0ty5tJnSppOhRANCAATHAJgsW1UE4WVeXj9kOqS/+OjEahXr\n"
      "jXA7BD74aYF6IfHTa3IjWdbTLb+UzTsW3JmVIfiOEw6Od1t0LxZ9CDQL\n"
      "-----END PRIVATE KEY-----\n";
  EXPECT_THAT(RsaPrivateKey::FromPem(kEcPem), StatusIs(StatusCode::kInvalidArgument));
}

TEST(RsaTest, GenerateWithExponentThree) {
  auto key = RsaPrivateKey::Generate(1024, 3);  // small: this only checks the parameters
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->public_key().modulus_bits(), 1024u);
  EXPECT_EQ(key->public_key().exponent(), Bytes{3});
  EXPECT_THAT(RsaPrivateKey::Generate(1024, 4), StatusIs(StatusCode::kInvalidArgument));
}

// The quotients satisfy the defining identities: q1 = floor(s^2/n), q2 = floor((s^3 -
// q1*s*n)/n). Checked on small numbers by hand, and on a real signature by the bounds.
TEST(RsaTest, QuotientsSmallNumbers) {
  // s = 10, n = 33: s^2 = 100 = 3*33 + 1 -> q1 = 3; s^3 - q1*s*n = 1000 - 990 = 10 -> q2 = 0.
  auto q = ComputeRsaSignatureQuotients(Bytes{10}, Bytes{33});
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->q1, Bytes{3});
  EXPECT_EQ(q->q2, Bytes{0});
  // s = 30, n = 33: 900 = 27*33 + 9 -> q1 = 27; 27000 - 26730 = 270 = 8*33 + 6 -> q2 = 8.
  q = ComputeRsaSignatureQuotients(Bytes{30}, Bytes{33});
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->q1, Bytes{27});
  EXPECT_EQ(q->q2, Bytes{8});
  EXPECT_THAT(ComputeRsaSignatureQuotients(Bytes{40}, Bytes{33}),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace vouch

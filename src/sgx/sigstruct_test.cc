// SIGSTRUCT: signing and parsing with the checked-in RSA-3072 e=3 test keys, MRSIGNER computed
// independently (Python: sha256(n.to_bytes(384, "little"))), and every way a SIGSTRUCT can be
// malformed or forged.
#include "vouch/sgx/sigstruct.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"

namespace vouch::sgx {
namespace {

constexpr char kSigner1MrSigner[] =
    "ac15025a11bd1aa99d441fd4fe2f0492de8c40007b1320e63294980081d3a20e";

RsaPrivateKey TestKey(int n) {
  return *RsaPrivateKey::FromPem(
      vouch::testing::ReadTestDataString("enclave/test_signer_" + std::to_string(n) + ".pem"));
}

SigstructBody ExampleBody() {
  SigstructBody b;
  b.date = *SigstructDate(2024, 3, 4);
  b.misc_mask = 0xffffffff;
  b.attributes[0] = kAttributeInit | kAttributeMode64Bit;
  b.attributes[8] = kXfrmLegacy;
  b.attribute_mask.fill(0xff);
  b.enclave_hash = Sha256(AsBytes("an enclave"));
  b.isv_prod_id = 7;
  b.isv_svn = 3;
  return b;
}

TEST(SigstructTest, DateIsBcd) {
  EXPECT_EQ(*SigstructDate(2024, 3, 4), 0x20240304u);
  EXPECT_EQ(*SigstructDate(1999, 12, 31), 0x19991231u);
  EXPECT_THAT(SigstructDate(2024, 13, 1), StatusIs(StatusCode::kInvalidArgument));
}

TEST(SigstructTest, SignedSigstructParses) {
  auto bytes = SignSigstruct(ExampleBody(), TestKey(1));
  ASSERT_THAT(bytes, IsOk());
  ASSERT_EQ(bytes->size(), kSigstructSize);
  // Layout spot checks against the SDM offsets.
  EXPECT_EQ(HexEncode(ByteSpan(*bytes).first(16)), "06000000e10000000000010000000000");
  EXPECT_EQ(HexEncode(ByteSpan(*bytes).subspan(20, 4)), "04032420");  // DATE, little-endian
  EXPECT_EQ((*bytes)[512], 3);                                        // EXPONENT
  EXPECT_EQ(HexEncode(ByteSpan(*bytes).subspan(960, 32)), HexEncode(Sha256(AsBytes("an enclave"))));
  EXPECT_EQ((*bytes)[1024], 7);  // ISVPRODID
  EXPECT_EQ((*bytes)[1026], 3);  // ISVSVN

  auto parsed = Sigstruct::Parse(*bytes);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(HexEncode(parsed->mr_signer()), kSigner1MrSigner);
  EXPECT_EQ(parsed->mr_signer(), *MrSignerOf(TestKey(1).public_key()));
  EXPECT_EQ(parsed->body().enclave_hash, ExampleBody().enclave_hash);
  EXPECT_EQ(parsed->body().isv_prod_id, 7);
  EXPECT_EQ(parsed->body().isv_svn, 3);
  EXPECT_EQ(parsed->body().date, 0x20240304u);
  EXPECT_FALSE(parsed->body().debug());
  // Deterministic.
  EXPECT_EQ(*SignSigstruct(ExampleBody(), TestKey(1)), *bytes);
}

TEST(SigstructTest, DifferentKeysGiveDifferentSigners) {
  auto a = *Sigstruct::Parse(*SignSigstruct(ExampleBody(), TestKey(1)));
  auto b = *Sigstruct::Parse(*SignSigstruct(ExampleBody(), TestKey(2)));
  EXPECT_NE(a.mr_signer(), b.mr_signer());
  EXPECT_EQ(HexEncode(b.mr_signer()),
            "d11cb8ecb0a43fe77e83ab7458890727162ab71927f6e89f1d97e8d0f75daaf1");
}

TEST(SigstructTest, AnySignedByteChangeIsASignatureFailure) {
  Bytes good = *SignSigstruct(ExampleBody(), TestKey(1));
  // Signed bytes outside the checked constants: SWDEFINED, reserved header bytes, and every
  // body field.
  for (size_t off : {40, 44, 100, 900, 904, 910, 920, 930, 950, 970, 1000, 1010, 1024, 1027}) {
    Bytes bad = good;
    bad[off] ^= 0x01;
    EXPECT_THAT(Sigstruct::Parse(bad), ReasonIs("sigstruct_signature_invalid")) << off;
  }
  // The signature itself and the modulus.
  for (size_t off : {516, 700, 899, 129, 300}) {
    Bytes bad = good;
    bad[off] ^= 0x01;
    EXPECT_THAT(Sigstruct::Parse(bad), ReasonIs("sigstruct_signature_invalid")) << off;
  }
}

TEST(SigstructTest, WrongQuotientsAreRejected) {
  Bytes good = *SignSigstruct(ExampleBody(), TestKey(1));
  for (size_t off : {1040, 1300, 1424, 1807}) {
    Bytes bad = good;
    bad[off] ^= 0x01;
    EXPECT_THAT(Sigstruct::Parse(bad), ReasonIs("sigstruct_quotients_invalid")) << off;
  }
}

TEST(SigstructTest, MalformedInputs) {
  Bytes good = *SignSigstruct(ExampleBody(), TestKey(1));
  EXPECT_THAT(Sigstruct::Parse(ByteSpan(good).first(1807)), ReasonIs("sigstruct_malformed"));
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_THAT(Sigstruct::Parse(longer), ReasonIs("sigstruct_malformed"));
  EXPECT_THAT(Sigstruct::Parse({}), ReasonIs("sigstruct_malformed"));
  for (size_t off : {0, 4, 15, 24, 30, 39, 16, 512, 513}) {  // headers, vendor, exponent
    Bytes bad = good;
    bad[off] ^= 0x10;
    EXPECT_THAT(Sigstruct::Parse(bad), ReasonIs("sigstruct_malformed")) << off;
  }
  Bytes small_modulus = good;
  small_modulus[128 + 383] = 0x01;  // top bit clear: not a 3072-bit modulus
  EXPECT_THAT(Sigstruct::Parse(small_modulus), ReasonIs("sigstruct_malformed"));
}

TEST(SigstructTest, SigningRequiresAnSgxKey) {
  auto small = *RsaPrivateKey::Generate(1024, 3);
  EXPECT_THAT(SignSigstruct(ExampleBody(), small), StatusIs(StatusCode::kInvalidArgument));
  SigstructBody b = ExampleBody();
  b.vendor = 1;
  EXPECT_THAT(SignSigstruct(b, TestKey(1)), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace vouch::sgx

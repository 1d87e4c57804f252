#include "vouch/crypto/signer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"

namespace vouch {
namespace {

nlohmann::json Keys() {
  return nlohmann::json::parse(testing::ReadTestDataString("governance/derived/keys.json"));
}

TEST(SignerTest, Ed25519TestKeysHaveTheSpecSpkiAndKeyid) {
  nlohmann::json keys = Keys();
  for (const auto& [name, k] : keys["ed25519"].items()) {
    SCOPED_TRACE(name);
    auto key = LocalSigningKey::FromEd25519Seed(Hex(k["seed"].get<std::string>()));
    ASSERT_THAT(key, IsOk());
    const PublicKeyVerify& v = (*key)->verifier();
    EXPECT_EQ(v.algorithm(), SignatureAlgorithm::kEd25519);
    EXPECT_EQ(HexEncode(v.spki_der()), k["spki_der_hex"].get<std::string>());
    EXPECT_EQ(v.KeyId(), k["keyid"].get<std::string>());
    EXPECT_EQ(KeyIdOf(v.spki_der()), k["keyid"].get<std::string>());
    EXPECT_EQ(PublicKeyToPem(v), k["spki_pem"].get<std::string>());
    auto parsed = PublicKeyFromPem(k["spki_pem"].get<std::string>());
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(HexEncode((*parsed)->spki_der()), k["spki_der_hex"].get<std::string>());
  }
}

TEST(SignerTest, P256KeyAcceptedOnlyUncompressed) {
  nlohmann::json k = Keys()["p256_dsse_spec_key"];
  auto key = PublicKeyFromSpki(Hex(k["spki_der_hex"].get<std::string>()));
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ((*key)->algorithm(), SignatureAlgorithm::kEcdsaP256Sha256);
  EXPECT_EQ((*key)->KeyId(), k["keyid"].get<std::string>());
  EXPECT_EQ(PublicKeyToPem(**key), k["spki_pem"].get<std::string>());
  EXPECT_THAT(PublicKeyFromSpki(Hex(k["spki_compressed_der_hex"].get<std::string>())),
              ReasonIs(kKeyMalformed));
}

TEST(SignerTest, RejectsEveryOtherSpki) {
  Bytes ed =
      Hex("302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f7"
          "07511a");
  Bytes trailing = ed;
  trailing.push_back(0);
  EXPECT_THAT(PublicKeyFromSpki(trailing), ReasonIs(kKeyMalformed));
  Bytes truncated(ed.begin(), ed.end() - 1);
  EXPECT_THAT(PublicKeyFromSpki(truncated), ReasonIs(kKeyMalformed));
  // X25519 (OID 1.3.101.110) has the same shape as Ed25519.
  Bytes x25519 = ed;
  x25519[8] = 0x6e;
  EXPECT_THAT(PublicKeyFromSpki(x25519), ReasonIs(kKeyMalformed));
  // P-256 point not on the curve.
  Bytes p256 = Hex(Keys()["p256_dsse_spec_key"]["spki_der_hex"].get<std::string>());
  Bytes off_curve = p256;
  off_curve.back() ^= 1;
  EXPECT_THAT(PublicKeyFromSpki(off_curve), ReasonIs(kKeyMalformed));
  // secp384r1 key (real SPKI shape, other curve).
  Bytes p384 =
      Hex("3076301006072a8648ce3d020106052b8104002203620004"
          "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e38"
          "72760a"
          "b73617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d"
          "7c90e"
          "a0e5f");
  EXPECT_THAT(PublicKeyFromSpki(p384), ReasonIs(kKeyMalformed));
  EXPECT_THAT(PublicKeyFromSpki({}), ReasonIs(kKeyMalformed));
}

TEST(SignerTest, StrictDerSignatureEncoding) {
  // r = 1, s = 1.
  EXPECT_TRUE(IsStrictDerEcdsaSignature(Hex("3006020101020101")));
  // r with its high bit set needs one leading zero ...
  EXPECT_TRUE(IsStrictDerEcdsaSignature(Hex("300702020080020101")));
  // ... and no more.
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("30080203000080020101")));
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("300702020001020101")));  // non-minimal
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("3006020181020101")));    // negative
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("3005020100020101")));    // wrong outer length
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("300602010102010100")));  // trailing byte
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("308106020101020101")));  // long-form length
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("3006020101020100")));    // s = 0
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("30050201010200")));      // empty integer
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("3003020101")));          // one integer
  EXPECT_FALSE(IsStrictDerEcdsaSignature(Hex("31060201010201")));
  EXPECT_FALSE(IsStrictDerEcdsaSignature({}));
}

TEST(SignerTest, DsseHelloWorldVerifiesAsDerButNotRaw) {
  nlohmann::json v =
      nlohmann::json::parse(testing::ReadTestDataString("governance/dsse-spec/hello-world.json"));
  auto key = PublicKeyFromSpki(Hex(v["key"]["spki_der_hex"].get<std::string>()));
  ASSERT_THAT(key, IsOk());
  ByteSpan pae = AsBytes(v["pae"].get_ref<const std::string&>());
  Bytes der = *Base64Decode(v["sig_der_b64"].get<std::string>());
  EXPECT_THAT((*key)->Verify(pae, der), IsOk());
  Bytes raw = Hex(v["sig_raw_r_s_hex"].get<std::string>());
  EXPECT_THAT((*key)->Verify(pae, raw), ReasonIs(kSignatureInvalid));
  // (r, n - s) also verifies with OpenSSL's ECDSA: malleability is why keys, not signatures,
  // are counted. Here: a flipped byte fails.
  der[10] ^= 1;
  EXPECT_THAT((*key)->Verify(pae, der), ReasonIs(kSignatureInvalid));
}

class SignerRoundTripTest : public ::testing::TestWithParam<SignatureAlgorithm> {};

TEST_P(SignerRoundTripTest, SignsVerifiesAndRoundTripsPem) {
  auto key = LocalSigningKey::Generate(GetParam());
  ASSERT_THAT(key, IsOk());
  const PublicKeyVerify& v = (*key)->verifier();
  EXPECT_EQ(v.algorithm(), GetParam());
  EXPECT_EQ(v.spki_der().size(),
            GetParam() == SignatureAlgorithm::kEd25519 ? kEd25519SpkiSize : kEcdsaP256SpkiSize);
  Bytes message = ToBytes("DSSEv1 28 application/vnd.in-toto+json 2 {}");
  auto sig = (*key)->Sign(message);
  ASSERT_THAT(sig, IsOk());
  EXPECT_THAT(v.Verify(message, *sig), IsOk());
  Bytes other = message;
  other.back() = ']';
  EXPECT_THAT(v.Verify(other, *sig), ReasonIs(kSignatureInvalid));
  EXPECT_THAT(v.Verify(message, {}), ReasonIs(kSignatureInvalid));

  auto pem = (*key)->ToPkcs8Pem();
  ASSERT_THAT(pem, IsOk());
  auto again = LocalSigningKey::FromPem(AsStringView(pem->Reveal()));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)->verifier().KeyId(), v.KeyId());
  auto pub = PublicKeyFromPem(PublicKeyToPem(v));
  ASSERT_THAT(pub, IsOk());
  EXPECT_THAT((*pub)->Verify(message, *(*again)->Sign(message)), IsOk());
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignerRoundTripTest,
                         ::testing::Values(SignatureAlgorithm::kEd25519,
                                           SignatureAlgorithm::kEcdsaP256Sha256));

TEST(SignerTest, PemErrorsSayWhatIsWrong) {
  auto key = LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
  ASSERT_THAT(key, IsOk());
  std::string pem(AsStringView((*key)->ToPkcs8Pem()->Reveal()));
  EXPECT_THAT(LocalSigningKey::FromPem("  \n" + pem + "\n\n"), IsOk());
  EXPECT_THAT(LocalSigningKey::FromPem(pem + pem), ReasonIs(kKeyMalformed));
  EXPECT_THAT(LocalSigningKey::FromPem(pem + "junk"), ReasonIs(kKeyMalformed));
  std::string sec1 = pem;
  sec1.replace(sec1.find("PRIVATE KEY"), 11, "EC PRIVATE KEY");
  EXPECT_THAT(LocalSigningKey::FromPem(sec1),
              ::vouch::testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("pkcs8 -topk8")));
  std::string enc =
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
  EXPECT_THAT(LocalSigningKey::FromPem(enc),
              ::vouch::testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("encrypted")));
  // A public key is not a private key, and the other way round.
  EXPECT_THAT(LocalSigningKey::FromPem(PublicKeyToPem((*key)->verifier())),
              ReasonIs(kKeyMalformed));
  EXPECT_THAT(PublicKeyFromPem(pem), ReasonIs(kKeyMalformed));
  std::string bad_b64 = pem;
  bad_b64[30] = '*';
  EXPECT_THAT(LocalSigningKey::FromPem(bad_b64), ReasonIs(kKeyMalformed));
  EXPECT_THAT(LocalSigningKey::FromPkcs8Der(Bytes(48, 0)), ReasonIs(kKeyMalformed));
}

TEST(SignerTest, KeyFilesArePrivate) {
  std::string dir = testing::MakeTempDir("signer");
  auto key = LocalSigningKey::Generate(SignatureAlgorithm::kEcdsaP256Sha256);
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(WriteSigningKeyFile(dir + "/k.pem", **key), IsOk());
  ASSERT_THAT(WritePublicKeyFile(dir + "/k.pub", (*key)->verifier()), IsOk());
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = ReadSigningKeyFile(dir + "/k.pem");
  ASSERT_THAT(loaded, IsOk());
  auto pub = ReadPublicKeyFile(dir + "/k.pub");
  ASSERT_THAT(pub, IsOk());
  EXPECT_EQ((*loaded)->verifier().KeyId(), (*pub)->KeyId());
  EXPECT_THAT(ReadPublicKeyFile(dir + "/missing.pub"),
              ::vouch::testing::StatusIs(StatusCode::kNotFound));
  auto bad = ReadPublicKeyFile(dir + "/k.pem");
  EXPECT_THAT(bad, ReasonIs(kKeyMalformed));
  EXPECT_THAT(bad, ::vouch::testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("k.pem")));
}

// Interoperability with the real `openssl` command, both ways.
class OpensslInteropTest : public ::testing::TestWithParam<SignatureAlgorithm> {
 protected:
  void SetUp() override {
    if (std::system("openssl version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl binary";
    dir_ = testing::MakeTempDir("openssl");
  }
  int Run(const std::string& command) {
    return std::system(("cd '" + dir_ + "' && " + command + " 2>/dev/null").c_str());
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  bool ed25519() const { return GetParam() == SignatureAlgorithm::kEd25519; }
  std::string dir_;
};

TEST_P(OpensslInteropTest, OpensslKeysAndSignaturesWork) {
  std::string genpkey = ed25519() ? "openssl genpkey -algorithm ed25519 -out k.pem"
                                  : "openssl genpkey -algorithm EC -pkeyopt "
                                    "ec_paramgen_curve:P-256 -out k.pem";
  ASSERT_EQ(Run(genpkey), 0);
  ASSERT_EQ(Run("openssl pkey -in k.pem -pubout -out k.pub"), 0);
  ASSERT_THAT(WriteFileAtomic(Path("msg"), ToBytes("DSSEv1 5 hello 5 world")), IsOk());
  std::string sign = ed25519() ? "openssl pkeyutl -sign -inkey k.pem -rawin -in msg -out sig"
                               : "openssl dgst -sha256 -sign k.pem -out sig msg";
  ASSERT_EQ(Run(sign), 0);

  auto key = ReadSigningKeyFile(Path("k.pem"));
  ASSERT_THAT(key, IsOk());
  auto pub = ReadPublicKeyFile(Path("k.pub"));
  ASSERT_THAT(pub, IsOk());
  EXPECT_EQ((*key)->verifier().KeyId(), (*pub)->KeyId());
  // Vouch writes the public key exactly as openssl does.
  EXPECT_EQ(PublicKeyToPem((*key)->verifier()), *ReadFileToString(Path("k.pub")));
  // The private key round-trips byte for byte too.
  EXPECT_EQ(AsStringView((*key)->ToPkcs8Pem()->Reveal()), *ReadFileToString(Path("k.pem")));
  EXPECT_THAT((*pub)->Verify(*ReadFile(Path("msg")), *ReadFile(Path("sig"))), IsOk());
}

TEST_P(OpensslInteropTest, OpensslReadsVouchKeysAndVerifiesVouchSignatures) {
  auto key = LocalSigningKey::Generate(GetParam());
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(WriteSigningKeyFile(Path("v.pem"), **key), IsOk());
  ASSERT_THAT(WritePublicKeyFile(Path("v.pub"), (*key)->verifier()), IsOk());
  Bytes msg = ToBytes("DSSEv1 5 hello 5 world");
  ASSERT_THAT(WriteFileAtomic(Path("msg"), msg), IsOk());
  ASSERT_THAT(WriteFileAtomic(Path("sig"), *(*key)->Sign(msg)), IsOk());
  ASSERT_EQ(Run("openssl pkey -in v.pem -pubout -out derived.pub"), 0);
  EXPECT_EQ(*ReadFileToString(Path("derived.pub")), *ReadFileToString(Path("v.pub")));
  std::string verify =
      ed25519() ? "openssl pkeyutl -verify -pubin -inkey v.pub -rawin -in msg -sigfile sig"
                : "openssl dgst -sha256 -verify v.pub -signature sig msg";
  EXPECT_EQ(Run(verify + " >/dev/null"), 0);
  ASSERT_THAT(WriteFileAtomic(Path("msg"), ToBytes("DSSEv1 5 hello 5 World")), IsOk());
  EXPECT_NE(Run(verify + " >/dev/null"), 0);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, OpensslInteropTest,
                         ::testing::Values(SignatureAlgorithm::kEd25519,
                                           SignatureAlgorithm::kEcdsaP256Sha256));

}  // namespace
}  // namespace vouch

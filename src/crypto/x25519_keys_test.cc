#include "vouch/crypto/x25519_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"

namespace vouch {
namespace {

X25519PrivateKey TestKey() {
  // RFC 7748 §6.1, Alice.
  return *X25519PrivateKey::FromBytes(
      Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
}

// The test keys of the provisioning vectors: SPKI and keyid as provisioning.md §1.4 defines
// them, computed by an independent implementation.
TEST(X25519KeysTest, SpkiAndKeyIdMatchTheProvisioningVectors) {
  auto v = nlohmann::json::parse(vouch::testing::ReadTestDataString(
      "provisioning/derived/vouch-provisioning-vectors.json"))["keys"];
  int checked = 0;
  for (const auto& k : {v["broker_hpke"], v["custodians"][0], v["custodians"][1],
                        v["custodians"][2], v["enclave_ephemeral"]}) {
    auto key = X25519PrivateKey::FromBytes(Hex(k["sk"].get<std::string>()));
    ASSERT_THAT(key, IsOk());
    EXPECT_EQ(HexEncode(key->public_key()), k["pk"]);
    X25519Spki spki = X25519SpkiOf(key->public_key());
    if (k.contains("spki")) {
      EXPECT_EQ(HexEncode(spki), k["spki"]);
    }
    if (k.contains("keyid")) {
      EXPECT_EQ(X25519KeyId(key->public_key()), k["keyid"]);
    }
    EXPECT_EQ(HexEncode(X25519KeyIdDigest(key->public_key())), HexEncode(Sha256(spki)));
    auto back = X25519PublicKeyFromSpki(spki);
    ASSERT_THAT(back, IsOk());
    EXPECT_EQ(*back, key->public_key());
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST(X25519KeysTest, SpkiIsStrict) {
  X25519Spki spki = X25519SpkiOf(TestKey().public_key());
  EXPECT_THAT(X25519PublicKeyFromSpki(ByteSpan(spki).first(43)),
              ReasonIs(kReasonX25519KeyMalformed));
  Bytes longer(spki.begin(), spki.end());
  longer.push_back(0);
  EXPECT_THAT(X25519PublicKeyFromSpki(longer), ReasonIs(kReasonX25519KeyMalformed));
  Bytes ed25519 = Hex("302a300506032b6570032100" + std::string(64, '1'));
  EXPECT_THAT(X25519PublicKeyFromSpki(ed25519),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Ed25519")));
  Bytes unused_bits(spki.begin(), spki.end());
  unused_bits[11] = 0x01;  // BIT STRING with 1 unused bit
  EXPECT_THAT(X25519PublicKeyFromSpki(unused_bits), ReasonIs(kReasonX25519KeyMalformed));
}

TEST(X25519KeysTest, PemRoundTripsAndIsOneLine) {
  X25519PrivateKey key = TestKey();
  std::string pub = X25519PublicKeyToPem(key.public_key());
  EXPECT_EQ(pub,
            "-----BEGIN PUBLIC KEY-----\n"
            "MCowBQYDK2VuAyEAhSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\n"
            "-----END PUBLIC KEY-----\n");
  SecretBytes priv = X25519PrivateKeyToPem(key);
  EXPECT_EQ(AsStringView(priv.Reveal()),
            "-----BEGIN PRIVATE KEY-----\n"
            "MC4CAQAwBQYDK2VuBCIEIHcHbQpzGKV9PBbBclGyZkXfTC+H68CZKrF3+6UduSwq\n"
            "-----END PRIVATE KEY-----\n");
  auto pk = X25519PublicKeyFromPem(pub);
  ASSERT_THAT(pk, IsOk());
  EXPECT_EQ(*pk, key.public_key());
  auto sk = X25519PrivateKeyFromPem(priv.Reveal());
  ASSERT_THAT(sk, IsOk());
  EXPECT_EQ(sk->private_bytes(), key.private_bytes());
  EXPECT_EQ(sk->public_key(), key.public_key());
}

TEST(X25519KeysTest, PemIsStrict) {
  X25519PrivateKey key = TestKey();
  std::string pub = X25519PublicKeyToPem(key.public_key());
  std::string priv(AsStringView(X25519PrivateKeyToPem(key).Reveal()));
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  // Accepted variations: CRLF line ends, no final newline, trailing blank lines.
  std::string crlf;
  for (char c : pub) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  EXPECT_THAT(X25519PublicKeyFromPem(crlf), IsOk());
  EXPECT_THAT(X25519PublicKeyFromPem(pub.substr(0, pub.size() - 1)), IsOk());
  EXPECT_THAT(X25519PublicKeyFromPem(pub + "\n\n"), IsOk());

  EXPECT_THAT(X25519PublicKeyFromPem(""), ReasonIs(kReasonX25519KeyMalformed));
  EXPECT_THAT(X25519PublicKeyFromPem("\n" + pub), ReasonIs(kReasonX25519KeyMalformed));
  EXPECT_THAT(X25519PublicKeyFromPem(pub + pub),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("after the PEM block")));
  EXPECT_THAT(X25519PublicKeyFromPem(pub + "junk"), ReasonIs(kReasonX25519KeyMalformed));
  EXPECT_THAT(X25519PublicKeyFromPem(replace(pub, "-----END PUBLIC KEY-----\n", "")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no \"-----END")));
  EXPECT_THAT(X25519PublicKeyFromPem(replace(pub, "MCow", "Proc-Type: 4,ENCRYPTED\n\nMCow")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("headers")));
  EXPECT_THAT(X25519PublicKeyFromPem(replace(pub, "MCow", "MCo w")),
              ReasonIs(kReasonX25519KeyMalformed));
  EXPECT_THAT(X25519PublicKeyFromPem(replace(pub, "Tmo=", "Tmp=")),  // non-canonical bits
              ReasonIs(kReasonX25519KeyMalformed));
  EXPECT_THAT(X25519PublicKeyFromPem(replace(pub, "AyEAhSDw", "AyEA\nhSDw")),  // short line first
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("64 characters")));
  // A private key where a public one is expected, and the reverse.
  EXPECT_THAT(X25519PublicKeyFromPem(priv),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("found \"PRIVATE KEY\"")));
  EXPECT_THAT(X25519PrivateKeyFromPem(AsBytes(pub)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("found \"PUBLIC KEY\"")));
  EXPECT_THAT(X25519PrivateKeyFromPem(
                  AsBytes(replace(priv, "PRIVATE KEY-----\n", "ENCRYPTED PRIVATE KEY-----\n"))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("encrypted keys")));
  // The Ed25519 private key of RFC 8410 §10.3.
  EXPECT_THAT(X25519PrivateKeyFromPem(
                  AsBytes("-----BEGIN PRIVATE KEY-----\n"
                          "MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
                          "-----END PRIVATE KEY-----\n")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Ed25519")));
}

TEST(X25519KeysTest, FilesHaveTheRightModes) {
  std::string dir = vouch::testing::MakeTempDir("x25519-keys-");
  X25519PrivateKey key = TestKey();
  ASSERT_THAT(WriteX25519PrivateKeyFile(dir + "/k.pem", key), IsOk());
  ASSERT_THAT(WriteX25519PublicKeyFile(dir + "/k.pub.pem", key.public_key()), IsOk());
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir + "/k.pub.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  auto sk = ReadX25519PrivateKeyFile(dir + "/k.pem");
  ASSERT_THAT(sk, IsOk());
  EXPECT_EQ(sk->public_key(), key.public_key());
  auto pk = ReadX25519PublicKeyFile(dir + "/k.pub.pem");
  ASSERT_THAT(pk, IsOk());
  EXPECT_EQ(*pk, key.public_key());
  EXPECT_THAT(ReadX25519PrivateKeyFile(dir + "/k.pub.pem"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("k.pub.pem")));
  EXPECT_THAT(ReadX25519PublicKeyFile(dir + "/missing.pem"), StatusIs(StatusCode::kNotFound));
  std::filesystem::remove_all(dir);
}

// Interoperability with the real `openssl` command line: keys it makes load in Vouch, keys
// Vouch makes load in openssl, both write identical bytes, and both agree on the keyid and on
// the X25519 shared secret.
class X25519OpensslInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("openssl version >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "no openssl binary on PATH";
    }
    dir_ = vouch::testing::MakeTempDir("x25519-openssl-");
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Runs an openssl command line in the test directory; fails the test on a non-zero exit.
  void Openssl(const std::string& args) {
    std::string cmd = "cd '" + dir_ + "' && openssl " + args + " 2>openssl.err";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  std::string Read(const std::string& name) {
    auto text = ReadFileToString(dir_ + "/" + name);
    EXPECT_THAT(text, IsOk());
    return text.ok() ? *text : "";
  }
  std::string dir_;
};

TEST_F(X25519OpensslInteropTest, KeysFromOpensslLoadInVouch) {
  Openssl("genpkey -algorithm X25519 -out o.pem");
  Openssl("pkey -in o.pem -pubout -out o.pub.pem");
  Openssl("pkey -pubin -in o.pub.pem -outform DER -out o.pub.der");
  Openssl("dgst -sha256 -r -out o.keyid o.pub.der");
  auto sk = ReadX25519PrivateKeyFile(dir_ + "/o.pem");
  auto pk = ReadX25519PublicKeyFile(dir_ + "/o.pub.pem");
  ASSERT_THAT(sk, IsOk());
  ASSERT_THAT(pk, IsOk());
  EXPECT_EQ(sk->public_key(), *pk);
  // Vouch writes the very bytes openssl wrote.
  EXPECT_EQ(AsStringView(X25519PrivateKeyToPem(*sk).Reveal()), Read("o.pem"));
  EXPECT_EQ(X25519PublicKeyToPem(*pk), Read("o.pub.pem"));
  std::string der = Read("o.pub.der");
  EXPECT_EQ(HexEncode(AsBytes(der)), HexEncode(X25519SpkiOf(*pk)));
  EXPECT_EQ(Read("o.keyid").substr(0, 64), X25519KeyId(*pk));
}

TEST_F(X25519OpensslInteropTest, KeysFromVouchLoadInOpenssl) {
  auto key = X25519PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(WriteX25519PrivateKeyFile(dir_ + "/v.pem", *key), IsOk());
  ASSERT_THAT(WriteX25519PublicKeyFile(dir_ + "/v.pub.pem", key->public_key()), IsOk());
  Openssl("pkey -in v.pem -check -noout");
  Openssl("pkey -in v.pem -pubout -out v.derived.pub.pem");
  EXPECT_EQ(Read("v.derived.pub.pem"), Read("v.pub.pem"));
  Openssl("pkey -in v.pem -out v.rewritten.pem");
  EXPECT_EQ(Read("v.rewritten.pem"), Read("v.pem"));

  // The same shared secret from both implementations, each holding one private key.
  Openssl("genpkey -algorithm X25519 -out o.pem");
  Openssl("pkey -in o.pem -pubout -out o.pub.pem");
  Openssl("pkeyutl -derive -inkey o.pem -peerkey v.pub.pem -out shared.bin");
  auto theirs = ReadX25519PublicKeyFile(dir_ + "/o.pub.pem");
  ASSERT_THAT(theirs, IsOk());
  auto ours = key->Agree(*theirs);
  ASSERT_THAT(ours, IsOk());
  EXPECT_EQ(HexEncode(AsBytes(Read("shared.bin"))), HexEncode(ours->Reveal()));
}

TEST_F(X25519OpensslInteropTest, OtherAlgorithmsAreNamedInTheError) {
  Openssl("genpkey -algorithm ED25519 -out ed.pem");
  Openssl("pkey -in ed.pem -pubout -out ed.pub.pem");
  Openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem");
  Openssl("pkey -in p256.pem -pubout -out p256.pub.pem");
  EXPECT_THAT(ReadX25519PrivateKeyFile(dir_ + "/ed.pem"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Ed25519")));
  EXPECT_THAT(ReadX25519PublicKeyFile(dir_ + "/ed.pub.pem"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("Ed25519")));
  EXPECT_THAT(ReadX25519PrivateKeyFile(dir_ + "/p256.pem"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("EC")));
  EXPECT_THAT(ReadX25519PublicKeyFile(dir_ + "/p256.pub.pem"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("P-256")));
}

}  // namespace
}  // namespace vouch

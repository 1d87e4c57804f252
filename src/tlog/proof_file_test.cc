#include "vouch/tlog/proof_file.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/proof.h"

namespace vouch::tlog {
namespace {

class ProofFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    j_ = testing::ReadJson("tlog/derived/cosignature_v1_and_witness.json");
    std::string wv = j_["witness"]["vkey_cosignature_v1_type04"];
    policy_ = std::make_unique<Policy>(*Policy::Parse(std::string("log ") + testing::kTesseraVkey +
                                                      "\nwitness test-w1 " + wv +
                                                      "\ngroup one-of-one 1 test-w1\n"
                                                      "quorum one-of-one\n"));
  }
  nlohmann::json j_;
  std::unique_ptr<Policy> policy_;
};

TEST_F(ProofFileTest, DerivedThreeProofParsesAndVerifies) {
  std::string text = ::vouch::testing::ReadTestDataString("tlog/derived/three.tlog-proof");
  auto proof = ProofFile::Parse(text);
  ASSERT_THAT(proof, IsOk());
  EXPECT_EQ(proof->index(), 2u);
  EXPECT_EQ(proof->inclusion_proof().size(), 4u);
  EXPECT_FALSE(proof->extra().has_value());
  EXPECT_EQ(proof->checkpoint().checkpoint().size(), 15u);
  EXPECT_EQ(proof->Serialize(), text);
  auto v = proof->VerifyEntry(AsBytes("three"), *policy_);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->witnesses, std::set<std::string>{"test-w1"});
  EXPECT_THAT(proof->VerifyEntry(AsBytes("four"), *policy_), ReasonIs("inclusion_proof_invalid"));
  // A policy demanding another witness is not met, and says who is missing.
  auto other = *CosignatureV1Signer::FromSeed("witness.example/other", Bytes(32, 4));
  auto strict = Policy::Parse(std::string("log ") + testing::kTesseraVkey + "\nwitness a " +
                              j_["witness"]["vkey_cosignature_v1_type04"].get<std::string>() +
                              "\nwitness b " + other.verifier_key().ToString() +
                              "\ngroup both all a b\nquorum both\n");
  ASSERT_THAT(strict, IsOk());
  EXPECT_THAT(proof->VerifyEntry(AsBytes("three"), *strict),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("missing cosignatures from: b")));
}

TEST_F(ProofFileTest, BuildsVerifiableProofsForEveryEntry) {
  MemoryTree tree;
  for (const auto& e : testing::TesseraEntries()) {
    tree.AppendEntry(AsBytes(e));
  }
  std::string cosigned = j_["cosignatures"][0]["cosigned_checkpoint"];
  for (uint64_t i = 0; i < 15; ++i) {
    std::optional<Bytes> extra;
    if (i % 2 == 0) {
      extra = ToBytes("extra " + std::to_string(i));
    }
    auto built = ProofFile::Create(i, *InclusionProof(i, 15, tree), cosigned, extra);
    ASSERT_THAT(built, IsOk());
    auto parsed = ProofFile::Parse(built->Serialize());
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(parsed->extra(), extra);
    EXPECT_THAT(parsed->VerifyEntry(AsBytes(testing::TesseraEntries()[i]), *policy_), IsOk());
  }
  EXPECT_FALSE(ProofFile::Create(15, {}, cosigned).ok());
}

TEST(ProofFileParseTest, FormatsErrorsLikeTheReference) {
  // transparency-dev/merkle proof/tlog_proof_test.go TestVerifyTLogProofErrors.
  struct Case {
    std::string text;
    std::string want;
  } cases[] = {
      {"wrong-header\nindex 0\n\ncheckpoint\n", "missing expected header"},
      {"c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\ncheckpoint\n",
       "extra data not base64 encoded"},
      {"c2sp.org/tlog-proof@v1\n\n\ncheckpoint\n", "missing required index"},
      {"c2sp.org/tlog-proof@v1\nindex notanumber\n\ncheckpoint\n", "not a valid uint64"},
      {"c2sp.org/tlog-proof@v1\nindex -5\n\ncheckpoint\n", "not a valid uint64"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\ncheckpoint\n", "hash not base64 encoded"},
      {"c2sp.org/tlog-proof@v1\nindex 0\n" + Base64Encode(Bytes(64)) + "\n\ncheckpoint\n",
       "hash length"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(ProofFile::Parse(c.text), StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.want)))
        << c.text;
  }
}

TEST(ProofFileParseTest, StrictStructure) {
  std::string cp = ::vouch::testing::ReadTestDataString("tlog/tessera-testdata-log/log/checkpoint");
  EXPECT_THAT(ProofFile::Parse("c2sp.org/tlog-proof@v1\nindex 0\n\n" + cp), IsOk());
  const std::string bad[] = {
      "c2sp.org/tlog-proof@v1\nindex 00\n\n" + cp,             // leading zero
      "c2sp.org/tlog-proof@v1\nindex 15\n\n" + cp,             // beyond the size
      "c2sp.org/tlog-proof@v1\nindex 0\n" + cp,                // no blank line
      "c2sp.org/tlog-proof@v1 \nindex 0\n\n" + cp,             // header not exact
      "c2sp.org/tlog-proof@v2\nindex 0\n\n" + cp,              // version
      "c2sp.org/tlog-proof@v1\nindex 0\nextra AAAA\n\n" + cp,  // extra after index
      "c2sp.org/tlog-proof@v1\nindex 0\n\nnot a checkpoint\n",
      "c2sp.org/tlog-proof@v1\nindex 0",
  };
  for (const auto& b : bad) {
    EXPECT_THAT(ProofFile::Parse(b), ReasonIs("proof_file_malformed")) << b;
  }
}

}  // namespace
}  // namespace vouch::tlog

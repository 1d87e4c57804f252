#include "vouch/tlog/policy.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/tlog/cosignature.h"

namespace vouch::tlog {
namespace {

std::string SigsumPolicy(const std::string& name) {
  return ::vouch::testing::ReadTestDataString("tlog/sigsum-go-policies/" + name +
                                              ".builtin-policy");
}

TEST(SigsumPolicyTest, AllBuiltinPoliciesParse) {
  for (const char* name :
       {"sigsum-generic-2025-1", "sigsum-test-2025-3", "sigsum-test1-2025", "sigsum-test2-2025"}) {
    auto p = Policy::ParseSigsum(SigsumPolicy(name));
    ASSERT_THAT(p, IsOk()) << name;
    EXPECT_EQ(p->quorum(), "quorum-rule") << name;
    // The Sigsum files are not C2SP policies (raw hex keys instead of vkeys).
    EXPECT_THAT(Policy::Parse(SigsumPolicy(name)), ReasonIs("policy_malformed")) << name;
  }
}

TEST(SigsumPolicyTest, ProductionPolicyIsTwoOfThree) {
  auto p = Policy::ParseSigsum(SigsumPolicy("sigsum-generic-2025-1"));
  ASSERT_THAT(p, IsOk());
  ASSERT_EQ(p->logs().size(), 2u);
  EXPECT_EQ(p->logs()[0].url, "https://seasalp.glasklar.is");
  Bytes seasalp = *HexDecode("0ec7e16843119b120377a73913ac6acbc2d03d82432e2c36b841b09a95841f25");
  EXPECT_EQ(p->logs()[0].key.name(), "sigsum.org/v1/tree/" + HexEncode(Sha256(seasalp)));
  EXPECT_EQ(p->logs()[1].url, "https://ginkgo.tlog.mullvad.net");
  ASSERT_EQ(p->witnesses().size(), 3u);
  EXPECT_EQ(p->witnesses()[0].name, "witness.glasklar.is");
  EXPECT_EQ(p->witnesses()[1].name, "witness.mullvad.net");
  EXPECT_EQ(p->witnesses()[2].name, "tillitis.se/tillitis-witness-1");
  ASSERT_EQ(p->groups().size(), 1u);
  EXPECT_EQ(p->groups()[0].threshold, 2u);
  EXPECT_EQ(p->groups()[0].members.size(), 3u);
  EXPECT_FALSE(p->QuorumSatisfied({"witness.mullvad.net"}));
  EXPECT_TRUE(p->QuorumSatisfied({"witness.mullvad.net", "witness.glasklar.is"}));
  std::string why = p->ExplainQuorum({"witness.mullvad.net"});
  EXPECT_THAT(why, HasSubstr("quorum-rule has 1 of the 2 required (of 3)"));
  EXPECT_THAT(why, HasSubstr("missing cosignatures from: witness.glasklar.is, "
                             "tillitis.se/tillitis-witness-1"));
}

TEST(SigsumPolicyTest, NestedTestPolicy) {
  auto p = Policy::ParseSigsum(SigsumPolicy("sigsum-test-2025-3"));
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->witnesses().size(), 8u);
  EXPECT_EQ(p->groups().size(), 2u);
  // 4 of 6 where one member is "2 of 3 Glasklar witnesses".
  std::set<std::string> three = {"witness.navigli.sunlight.geomys.org", "remora.n621.de",
                                 "witness.stagemole.eu"};
  EXPECT_FALSE(p->QuorumSatisfied(three));
  three.insert("poc.sigsum.org/nisse");
  EXPECT_FALSE(p->QuorumSatisfied(three));
  three.insert("rgdd.se/poc-witness");
  EXPECT_TRUE(p->QuorumSatisfied(three));
}

TEST(SigsumPolicyTest, SigsumLogOriginMatchesTheLitewitnessLog) {
  auto p = Policy::ParseSigsum(
      "log ffdc2d4d98e4124d3feaf788c0c2f9abfd796083d1f0495437f302ec79cf100f\nquorum none\n");
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->logs()[0].key.ToString(),
            "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562"
            "+5202289b+Af/cLU2Y5BJNP+r3iMDC+av9eWCD0fBJVDfzAux5zxAP");
}

TEST(SigsumPolicyTest, VerifiesACosignedSigsumCheckpoint) {
  auto log = *Ed25519NoteSigner::FromSeed("placeholder", Bytes(32, 1));
  Bytes log_pub = log.verifier_key().public_key();
  std::string origin = "sigsum.org/v1/tree/" + HexEncode(Sha256(log_pub));
  auto log_signer = *Ed25519NoteSigner::FromSeed(origin, Bytes(32, 1));
  auto witness = *CosignatureV1Signer::FromSeed("witness.example/any", Bytes(32, 2));
  const NoteSigner* s[] = {&log_signer};
  std::string note = *SignCheckpoint(*Checkpoint::Create(origin, 3, EmptyRoot()), s);
  std::string text = note.substr(0, note.find("\n\n") + 1);
  std::string cosigned = note + *witness.CosignLine(text, 1700000000);
  std::string policy = "log " + HexEncode(log_pub) + "\nwitness local-name " +
                       HexEncode(witness.private_key().public_key().bytes()) +
                       "\nquorum local-name\n";
  auto p = Policy::ParseSigsum(policy);
  ASSERT_THAT(p, IsOk());
  auto v = p->VerifyCheckpoint(*SignedCheckpoint::Parse(cosigned));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->witnesses, std::set<std::string>{"local-name"});
  EXPECT_THAT(p->VerifyCheckpoint(*SignedCheckpoint::Parse(note)),
              ReasonIs("policy_quorum_not_met"));
}

// t_q (spec/governance.md §5.1 step 4): the largest T such that the witnesses cosigning at or
// after T satisfy the quorum.
TEST(PolicyQuorumTimeTest, IsTheLatestTimeAtWhichTheQuorumHolds) {
  auto log_key = *Ed25519NoteSigner::FromSeed("placeholder", Bytes(32, 1));
  Bytes log_pub = log_key.verifier_key().public_key();
  std::string origin = "sigsum.org/v1/tree/" + HexEncode(Sha256(log_pub));
  auto log_signer = *Ed25519NoteSigner::FromSeed(origin, Bytes(32, 1));
  std::vector<CosignatureV1Signer> w;
  std::string policy = "log " + HexEncode(log_pub) + "\n";
  for (uint8_t i = 0; i < 3; ++i) {
    w.push_back(*CosignatureV1Signer::FromSeed("w" + std::to_string(i) + ".example",
                                               Bytes(32, static_cast<uint8_t>(10 + i))));
    policy += "witness w" + std::to_string(i) + " " +
              HexEncode(w.back().private_key().public_key().bytes()) + "\n";
  }
  policy += "group two 2 w0 w1 w2\nquorum two\n";
  auto p = Policy::ParseSigsum(policy);
  ASSERT_THAT(p, IsOk());
  const NoteSigner* s[] = {&log_signer};
  std::string note = *SignCheckpoint(*Checkpoint::Create(origin, 5, EmptyRoot()), s);
  std::string text = note.substr(0, note.find("\n\n") + 1);
  // w0 at 300, w1 at 100 and again at 150 (its earliest counts), w2 at 200: the two latest
  // cosigners are w0 and w2, so t_q = 200.
  std::string cosigned = note + *w[0].CosignLine(text, 300) + *w[1].CosignLine(text, 150) +
                         *w[1].CosignLine(text, 100) + *w[2].CosignLine(text, 200);
  auto v = p->VerifyCheckpoint(*SignedCheckpoint::Parse(cosigned));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->witness_times,
            (std::map<std::string, uint64_t>{{"w0", 300}, {"w1", 100}, {"w2", 200}}));
  EXPECT_EQ(v->quorum_time, std::optional<uint64_t>(200));
  // Only two cosigners: the earlier of the two.
  v = p->VerifyCheckpoint(
      *SignedCheckpoint::Parse(note + *w[1].CosignLine(text, 100) + *w[2].CosignLine(text, 200)));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->quorum_time, std::optional<uint64_t>(100));
  // quorum none: no witness time is needed, and none is claimed.
  auto none = Policy::ParseSigsum("log " + HexEncode(log_pub) + "\nquorum none\n");
  ASSERT_THAT(none, IsOk());
  v = none->VerifyCheckpoint(*SignedCheckpoint::Parse(note));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->quorum_time, std::nullopt);
}

class C2spPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    j_ = testing::ReadJson("tlog/derived/cosignature_v1_and_witness.json");
    witness_vkey_ = j_["witness"]["vkey_cosignature_v1_type04"];
  }
  nlohmann::json j_;
  std::string witness_vkey_;
};

TEST_F(C2spPolicyTest, CosignedTesseraCheckpointMeetsAOneOfOnePolicy) {
  std::string policy = std::string("# test policy\nlog ") + testing::kTesseraVkey +
                       " https://example.com/log\n\twitness  w1 " + witness_vkey_ +
                       "  \ngroup g1 any w1\nquorum g1\n";
  auto p = Policy::Parse(policy);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->logs()[0].url, "https://example.com/log");
  auto cosigned =
      SignedCheckpoint::Parse(j_["cosignatures"][0]["cosigned_checkpoint"].get<std::string>());
  ASSERT_THAT(cosigned, IsOk());
  auto v = p->VerifyCheckpoint(*cosigned);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->log, "example.com/log/testdata+33d7b496");
  EXPECT_EQ(v->witnesses, std::set<std::string>{"w1"});
  // Without the cosignature: quorum not met, and the message names the witness.
  auto bare = SignedCheckpoint::Parse(j_["cosignatures"][0]["checkpoint"].get<std::string>());
  EXPECT_THAT(p->VerifyCheckpoint(*bare),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("missing cosignatures from: w1")));
  // quorum none needs only the log.
  auto none = Policy::Parse(std::string("log ") + testing::kTesseraVkey + "\nquorum none\n");
  ASSERT_THAT(none, IsOk());
  EXPECT_THAT(none->VerifyCheckpoint(*bare), IsOk());
  // A policy for another origin does not accept it.
  auto other = Policy::Parse(
      "log PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\nquorum none\n");
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(other->VerifyCheckpoint(*bare), ReasonIs("policy_unknown_log"));
}

TEST_F(C2spPolicyTest, SpecExampleWithTwoLevels) {
  std::string policy = std::string("log ") + testing::kTesseraVkey + "\n";
  std::vector<CosignatureV1Signer> signers;
  uint8_t seed = 100;
  for (const char* name : {"X1", "X2", "X3", "Y1", "Y2", "Y3"}) {
    signers.push_back(
        *CosignatureV1Signer::FromSeed(std::string("w.example/") + name, Bytes(32, seed++)));
    policy +=
        std::string("witness ") + name + " " + signers.back().verifier_key().ToString() + "\n";
    if (name[1] == '3') {
      policy +=
          name[0] == 'X' ? "group X-witnesses 2 X1 X2 X3\n" : "group Y-witnesses any Y1 Y2 Y3\n";
    }
  }
  policy += "group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n";
  auto p = Policy::Parse(policy);
  ASSERT_THAT(p, IsOk()) << policy;
  EXPECT_TRUE(p->QuorumSatisfied({"X1", "X3", "Y2"}));
  EXPECT_FALSE(p->QuorumSatisfied({"X1", "Y1", "Y2", "Y3"}));
  EXPECT_FALSE(p->QuorumSatisfied({"X1", "X2", "X3"}));
  std::string why = p->ExplainQuorum({"X1", "Y1"});
  EXPECT_THAT(why, HasSubstr("X-and-Y has 1 of the 2 required"));
  EXPECT_THAT(why, HasSubstr("X-witnesses has 1 of the 2 required"));
  EXPECT_THAT(why, HasSubstr("missing cosignatures from: X2, X3"));
  // End to end: cosign with X1, X2 and Y3 (and a repeated X1 line, counted once).
  std::string note = j_["cosignatures"][0]["checkpoint"];
  std::string text = note.substr(0, note.find("\n\n") + 1);
  std::string cosigned = note;
  for (size_t i : {0u, 1u, 5u, 0u}) {
    cosigned += *signers[i].CosignLine(text, 1700000000 + i);
  }
  auto v = p->VerifyCheckpoint(*SignedCheckpoint::Parse(cosigned));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->witnesses, (std::set<std::string>{"X1", "X2", "Y3"}));
}

TEST_F(C2spPolicyTest, BadCosignatureByAListedWitnessRejects) {
  auto p = Policy::Parse(std::string("log ") + testing::kTesseraVkey + "\nwitness w1 " +
                         witness_vkey_ + "\nquorum none\n");
  ASSERT_THAT(p, IsOk());
  std::string cosigned = j_["cosignatures"][0]["cosigned_checkpoint"];
  cosigned[cosigned.size() - 6] = cosigned[cosigned.size() - 6] == 'A' ? 'B' : 'A';
  EXPECT_THAT(p->VerifyCheckpoint(*SignedCheckpoint::Parse(cosigned)),
              ReasonIs("note_signature_invalid"));
}

TEST_F(C2spPolicyTest, ParseErrors) {
  const std::string log = std::string("log ") + testing::kTesseraVkey + "\n";
  const std::string w1 = "witness w1 " + witness_vkey_ + "\n";
  auto w2_signer = *CosignatureV1Signer::FromSeed("w.example/2", Bytes(32, 8));
  const std::string w2 = "witness w2 " + w2_signer.verifier_key().ToString() + "\n";
  const std::string bad[] = {
      "",                                                             // no quorum
      log,                                                            // no quorum
      log + "quorum none\nquorum none\n",                             // two quorums
      log + "quorum w1\n",                                            // undefined
      log + w1 + "quorum w1",                                         // no final newline
      log + w1 + "quorum w1\r\n",                                     // CR
      log + log + "quorum none\n",                                    // duplicate log key
      log + w1 + "witness w1b " + witness_vkey_ + "\nquorum none\n",  // duplicate key
      log + w1 + w1 + "quorum none\n",                                // duplicate name
      log + w1 + "group w1 any w1\nquorum none\n",                    // name reused
      log + w1 + "witness none " + w2_signer.verifier_key().ToString() + "\nquorum none\n",
      log + w1 + "group g any\nquorum g\n",                             // no members
      log + w1 + "group g 0 w1\nquorum g\n",                            // k = 0
      log + w1 + "group g 2 w1\nquorum g\n",                            // k > n
      log + w1 + "group g 01 w1\nquorum g\n",                           // leading zero
      log + w1 + "group g any w9\nquorum g\n",                          // undefined member
      log + w1 + "group g any none\nquorum g\n",                        // none as member
      log + w1 + w2 + "group g any w1 w2\ngroup h any w1\nquorum g\n",  // member twice
      log + w1 + w2 + "group g any w1 w1\nquorum g\n",                  // member twice in one group
      log + w1 + "quorum g\ngroup g any w1\n",                          // quorum before definition
      log + "witness w1\nquorum none\n",                                // missing key
      log + "frobnicate x\nquorum none\n",                              // unknown keyword
      "log " + witness_vkey_ + "\nquorum none\n",  // cosignature key as log key
      log + "witness w1 " + std::string(testing::kTesseraVkey) + "\nquorum none\n",  // 0x01 witness
      log + "log a b c\nquorum none\n",                                          // too many fields
      std::string("log ") + testing::kTesseraVkey + " #comment\nquorum none\n",  // trailing comment
  };
  int i = 0;
  for (const auto& b : bad) {
    EXPECT_THAT(Policy::Parse(b), ReasonIs("policy_malformed")) << i << ": " << b;
    ++i;
  }
  EXPECT_THAT(Policy::Parse(log + w1 + "  # indented comment\n\n \t\nquorum w1\n"), IsOk());
  EXPECT_THAT(Policy::Parse("quorum none\n"), IsOk());
  // High-bit octets are opaque names.
  EXPECT_THAT(Policy::Parse(log + "witness \xE2\x84\xAA " + w2_signer.verifier_key().ToString() +
                            "\nquorum \xE2\x84\xAA\n"),
              IsOk());
}

TEST_F(C2spPolicyTest, MlDsaWitnessParsesButNeverCounts) {
  Bytes mldsa(1312, 7);
  auto vk = VerifierKey::Create("pq.example/w", kSigTypeSubtreeMlDsa44, mldsa);
  ASSERT_THAT(vk, IsOk());
  auto p =
      Policy::Parse(std::string("log ") + testing::kTesseraVkey + "\nwitness pq " + vk->ToString() +
                    "\nwitness w1 " + witness_vkey_ + "\ngroup g all pq w1\nquorum g\n");
  ASSERT_THAT(p, IsOk());
  auto cosigned =
      SignedCheckpoint::Parse(j_["cosignatures"][0]["cosigned_checkpoint"].get<std::string>());
  EXPECT_THAT(p->VerifyCheckpoint(*cosigned),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("pq (key type not supported)")));
}

}  // namespace
}  // namespace vouch::tlog

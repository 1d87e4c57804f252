#include "vouch/tlog/witness.h"

#include <gtest/gtest.h>

#include <map>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/tlog/proof.h"

namespace vouch::tlog {
namespace {

// A witness with in-memory state that applies requests the way a server would.
class FakeWitnessServer {
 public:
  explicit FakeWitnessServer(Witness witness) : witness_(std::move(witness)) {}

  WitnessResponse Post(std::string_view body, uint64_t now) {
    auto request = AddCheckpointRequest::Parse(body);
    if (!request.ok()) {
      return Witness::RequestParseFailure(request.status());
    }
    const std::string& origin = request->checkpoint().checkpoint().origin();
    std::optional<WitnessState> stored;
    if (auto it = state_.find(origin); it != state_.end()) {
      stored = it->second;
    }
    auto response = witness_.AddCheckpoint(*request, stored, now);
    EXPECT_THAT(response, IsOk());
    if (!response.ok()) {
      return WitnessResponse{};
    }
    if (response->new_state) {
      state_[origin] = *response->new_state;
    }
    return *response;
  }
  const std::map<std::string, WitnessState>& state() const { return state_; }

 private:
  Witness witness_;
  std::map<std::string, WitnessState> state_;
};

CosignatureV1Signer TestWitnessSigner(const nlohmann::json& j) {
  auto seed = *HexDecode(j["witness"]["ed25519_seed_hex"].get<std::string>());
  return *CosignatureV1Signer::FromSeed(j["witness"]["name"].get<std::string>(), seed);
}

WitnessLog LogFor(std::string origin, std::string_view vkey) {
  return WitnessLog{std::move(origin), *VerifierSet::Create({*ParseNoteVerifier(vkey)})};
}

TEST(WitnessScenarioTest, DerivedElevenStepScenario) {
  auto j = testing::ReadJson("tlog/derived/cosignature_v1_and_witness.json");
  auto witness = Witness::Create({TestWitnessSigner(j)},
                                 {LogFor(j["log"]["origin"], j["log"]["vkey"].get<std::string>())});
  ASSERT_THAT(witness, IsOk());
  FakeWitnessServer server(*witness);
  const auto& steps = j["add_checkpoint_scenario"]["steps"];
  ASSERT_EQ(steps.size(), 11u);
  uint64_t clock = 1690000000;
  int step = 0;
  for (const auto& s : steps) {
    ++step;
    uint64_t now =
        s["cosignature_timestamp"].is_null() ? ++clock : s["cosignature_timestamp"].get<uint64_t>();
    WitnessResponse r = server.Post(s["request_body"].get<std::string>(), now);
    EXPECT_EQ(r.status, s["expected_status"].get<int>())
        << "step " << step << " (" << s["desc"] << "): " << r.body;
    if (!s["expected_response_body"].is_null()) {
      EXPECT_EQ(r.body, s["expected_response_body"].get<std::string>()) << "step " << step;
    }
    if (!s["expected_content_type"].is_null()) {
      EXPECT_EQ(r.content_type, s["expected_content_type"].get<std::string>()) << "step " << step;
    }
    EXPECT_EQ(r.new_state.has_value(), r.status == 200);
  }
  // The witness ends at size 15 with the genuine root, untouched by the last (422) step.
  const WitnessState& final_state = server.state().at("example.com/log/testdata");
  EXPECT_EQ(final_state.size, 15u);
  EXPECT_EQ(Base64Encode(final_state.root), "rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=");
  // The stored note is the cosigned checkpoint, verifiable with both keys.
  auto stored = SignedCheckpoint::Parse(final_state.note);
  ASSERT_THAT(stored, IsOk());
  auto keys = *VerifierSet::Create(
      {*ParseNoteVerifier(j["log"]["vkey"].get<std::string>()),
       *ParseNoteVerifier(j["witness"]["vkey_cosignature_v1_type04"].get<std::string>())});
  auto v = stored->Verify(keys);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->verified.size(), 2u);
}

// Request bodies and expected statuses from a litewitness testscript (hurl sections).
struct HurlRequest {
  std::string body;
  int status;
};

std::vector<HurlRequest> ParseHurl(const std::string& script) {
  std::vector<HurlRequest> out;
  size_t pos = 0;
  while ((pos = script.find("POST ", pos)) != std::string::npos) {
    size_t open = script.find("```\n", pos);
    size_t close = script.find("\n```\n", open + 4);
    size_t http = script.find("HTTP ", close);
    HurlRequest r;
    r.body = script.substr(open + 4, close + 1 - (open + 4));
    r.status = std::stoi(script.substr(http + 5, 3));
    out.push_back(r);
    pos = http;
  }
  return out;
}

TEST(WitnessScenarioTest, LitewitnessScriptWithSpecStatuses) {
  auto j = testing::ReadJson("tlog/derived/cosignature_v1_and_witness.json");
  const std::string origin =
      "sigsum.org/v1/tree/4d6d8825a6bb689d459628312889dfbb0bcd41b5211d9e1ce768b0ff0309e562";
  const std::string vkey = origin + "+5202289b+Af/cLU2Y5BJNP+r3iMDC+av9eWCD0fBJVDfzAux5zxAP";
  // The vkey wraps the Sigsum log key from the script.
  EXPECT_EQ(HexEncode(VerifierKey::Parse(vkey)->public_key()),
            "ffdc2d4d98e4124d3feaf788c0c2f9abfd796083d1f0495437f302ec79cf100f");
  auto witness = Witness::Create({TestWitnessSigner(j)}, {LogFor(origin, vkey)});
  ASSERT_THAT(witness, IsOk());
  FakeWitnessServer server(*witness);
  auto requests =
      ParseHurl(::vouch::testing::ReadTestDataString("tlog/torchwood-litewitness/litewitness.txt"));
  ASSERT_EQ(requests.size(), 9u);
  const std::string want_bodies[] = {"", "", "", "", "", "", "3\n", "", "5\n"};
  for (size_t i = 0; i < requests.size(); ++i) {
    int want = requests[i].status;
    // Request 3 (unknown origin): the script expects 403; the pinned specification says 404.
    if (i == 2) {
      ASSERT_EQ(want, 403);
      want = 404;
    }
    WitnessResponse r = server.Post(requests[i].body, 1700000000 + i);
    EXPECT_EQ(r.status, want) << "request " << i + 1 << ": " << r.body;
    if (!want_bodies[i].empty()) {
      EXPECT_EQ(r.body, want_bodies[i]);
    }
    if (r.status == 200) {
      EXPECT_EQ(r.body.rfind("\xE2\x80\x94 witness.example/test-w1 ", 0), 0u);
    }
  }
  EXPECT_EQ(server.state().at(origin).size, 5u);
}

TEST(WitnessScenarioTest, RealSumGolangOrgCheckpointFromOldZero) {
  auto j = testing::ReadJson("tlog/derived/cosignature_v1_and_witness.json");
  auto witness = Witness::Create(
      {TestWitnessSigner(j)},
      {LogFor("go.sum database tree",
              "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")});
  ASSERT_THAT(witness, IsOk());
  FakeWitnessServer server(*witness);
  auto requests =
      ParseHurl(::vouch::testing::ReadTestDataString("tlog/torchwood-litewitness/sumdb.txt"));
  ASSERT_EQ(requests.size(), 1u);
  ASSERT_EQ(requests[0].status, 200);
  WitnessResponse r = server.Post(requests[0].body, 1700000000);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(server.state().at("go.sum database tree").size, 35225469u);
}

TEST(AddCheckpointRequestTest, ParsesTheSpecExample) {
  auto j = testing::ReadJson("tlog/c2sp-spec-examples/examples.json");
  std::string body = j["add_checkpoint_example_request_parse_only"];
  auto req = AddCheckpointRequest::Parse(body);
  ASSERT_THAT(req, IsOk());
  EXPECT_EQ(req->old_size(), 20852014u);
  EXPECT_EQ(req->proof().size(), 4u);
  EXPECT_EQ(req->checkpoint().checkpoint().size(), 20852163u);
  EXPECT_EQ(req->checkpoint().note().signatures().size(), 2u);
  EXPECT_EQ(req->Serialize(), body);
}

TEST(AddCheckpointRequestTest, StrictParsing) {
  const std::string note =
      ::vouch::testing::ReadTestDataString("tlog/tessera-testdata-log/log/checkpoint.5");
  const std::string h = "zMKa4OAqd7D0V4wawXST15z0JiEEkprIBPkfxOesWvA=\n";
  EXPECT_THAT(AddCheckpointRequest::Parse("old 0\n\n" + note), IsOk());
  std::string max_proof = "old 1\n";
  for (int i = 0; i < 63; ++i) {
    max_proof += h;
  }
  EXPECT_THAT(AddCheckpointRequest::Parse(max_proof + "\n" + note), IsOk());
  const std::string bad[] = {
      "",
      "old 0",
      "old 0\n" + note,                             // no blank line before the note
      "old 01\n\n" + note,                          // leading zero
      "old -1\n\n" + note,                          // sign
      "old  1\n\n" + note,                          // double space
      "Old 1\n\n" + note,                           // keyword case
      "old 1\r\n\n" + note,                         // CR
      "old 1\nAAAA\n\n" + note,                     // short hash
      "old 1\n" + h.substr(0, 43) + "\n\n" + note,  // unpadded
      "old 1\nzMKa4OAqd7D0V4wawXST15z0JiEEkprIBPkfxOesWvB=\n\n" + note,           // non-canonical
      max_proof + h + "\n" + note,                                                // 64 proof lines
      "old 1\n\nnot a note\n",                                                    // malformed note
      "old 1\n\nexample.com/log/testdata\n5\nAAAA\n\n\xE2\x80\x94 x AAAAAAAA\n",  // bad root
  };
  for (const auto& b : bad) {
    EXPECT_THAT(AddCheckpointRequest::Parse(b), ReasonIs("witness_request_malformed")) << b;
  }
}

class WitnessRulesTest : public ::testing::Test {
 protected:
  WitnessRulesTest()
      : log_signer_(*Ed25519NoteSigner::FromSeed("example.com/log", Bytes(32, 5))),
        witness_(*Witness::Create(
            {*CosignatureV1Signer::FromSeed("w.example", Bytes(32, 6))},
            {WitnessLog{"example.com/log",
                        *VerifierSet::Create({*NewNoteVerifier(log_signer_.verifier_key())})}})) {
    for (int i = 0; i < 20; ++i) {
      tree_.AppendEntry(AsBytes("entry " + std::to_string(i)));
    }
  }
  std::string CheckpointNote(uint64_t size, const Hash& root) {
    const NoteSigner* s[] = {&log_signer_};
    return *SignCheckpoint(*Checkpoint::Create("example.com/log", size, root), s);
  }
  std::string Body(uint64_t old_size, uint64_t size, const std::vector<Hash>& proof) {
    return AddCheckpointRequest::Create(old_size, proof, CheckpointNote(size, tree_.RootAt(size)))
        ->Serialize();
  }
  WitnessResponse Decide(const std::string& body, std::optional<WitnessState> stored) {
    auto req = AddCheckpointRequest::Parse(body);
    if (!req.ok()) {
      return Witness::RequestParseFailure(req.status());
    }
    return *witness_.AddCheckpoint(*req, stored, 1234);
  }
  WitnessState At(uint64_t size) { return WitnessState{size, tree_.RootAt(size), ""}; }

  Ed25519NoteSigner log_signer_;
  Witness witness_;
  MemoryTree tree_;
};

TEST_F(WitnessRulesTest, StatusCodes) {
  auto proof_5_10 = *ConsistencyProof(5, 10, tree_);
  EXPECT_EQ(Decide(Body(5, 10, proof_5_10), At(5)).status, 200);
  EXPECT_EQ(Decide(Body(0, 10, {}), std::nullopt).status, 200);
  // Stored size 0: any next checkpoint with an empty proof.
  EXPECT_EQ(Decide(Body(0, 10, {}), At(0)).status, 200);
  EXPECT_EQ(Decide(Body(0, 10, proof_5_10), std::nullopt).status, 422);
  EXPECT_EQ(Decide(Body(5, 10, proof_5_10), std::nullopt).status, 409);
  EXPECT_EQ(Decide(Body(5, 10, proof_5_10), At(7)).body, "7\n");
  EXPECT_EQ(Decide(Body(11, 10, {}), At(5)).status, 400);
  EXPECT_EQ(Decide(Body(5, 10, {}), At(5)).status, 422);
  EXPECT_EQ(Decide(Body(10, 10, {}), At(10)).status, 200);
  EXPECT_EQ(Decide(Body(10, 10, proof_5_10), At(10)).status, 422);
  WitnessState other = At(10);
  other.root[0] ^= 1;
  EXPECT_EQ(Decide(Body(10, 10, {}), other).reason, "root_mismatch");
  // Consistency against the stored root, not a root the client claims.
  WitnessState wrong_old = At(5);
  wrong_old.root[0] ^= 1;
  EXPECT_EQ(Decide(Body(5, 10, proof_5_10), wrong_old).status, 422);
  // Size 0 must carry the empty root.
  EXPECT_EQ(
      Decide(AddCheckpointRequest::Create(0, {}, CheckpointNote(0, tree_.RootAt(3)))->Serialize(),
             std::nullopt)
          .reason,
      "empty_tree_root_invalid");
  EXPECT_EQ(Decide("old x\n\n", std::nullopt).status, 400);
}

TEST_F(WitnessRulesTest, EveryTrustedSignatureLineMustVerify) {
  std::string note = CheckpointNote(10, tree_.RootAt(10));
  std::string line = note.substr(note.find("\n\n") + 2);
  // A second, corrupted line by the same trusted key: 403 even though one line verifies.
  std::string corrupted = line;
  corrupted[corrupted.size() - 8] = corrupted[corrupted.size() - 8] == 'A' ? 'B' : 'A';
  std::string body = "old 0\n\n" + note + corrupted;
  EXPECT_EQ(Decide(body, std::nullopt).status, 403);
  // Unknown signers are ignored, and not kept in the stored note.
  std::string extra = FormatSignatureLine("other.example", 42, Bytes(64, 1));
  WitnessResponse ok = Decide("old 0\n\n" + note + extra, std::nullopt);
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.new_state->note.find("other.example"), std::string::npos);
  EXPECT_NE(ok.new_state->note.find(line), std::string::npos);
  EXPECT_EQ(ok.new_state->note.substr(ok.new_state->note.size() - ok.body.size()), ok.body);
}

TEST(WitnessTest, ConfigurationAndHelpers) {
  auto signer = *CosignatureV1Signer::FromSeed("w.example", Bytes(32, 6));
  EXPECT_FALSE(Witness::Create({}, {}).ok());
  auto keys = *VerifierSet::Create(
      {*NewNoteVerifier(Ed25519NoteSigner::FromSeed("l", Bytes(32, 1))->verifier_key())});
  EXPECT_FALSE(Witness::Create({signer}, {WitnessLog{"l", keys}, WitnessLog{"l", keys}}).ok());
  EXPECT_FALSE(Witness::Create({signer}, {WitnessLog{"l", VerifierSet()}}).ok());
  EXPECT_EQ(OriginHash("example.com/log/testdata"),
            HexEncode(Sha256(AsBytes("example.com/log/testdata"))));
  EXPECT_EQ(*ParseTlogSizeBody("15\n"), 15u);
  EXPECT_FALSE(ParseTlogSizeBody("15").ok());
  EXPECT_FALSE(ParseTlogSizeBody("015\n").ok());
}

}  // namespace
}  // namespace vouch::tlog

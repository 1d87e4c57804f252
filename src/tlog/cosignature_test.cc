#include "vouch/tlog/cosignature.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::tlog {
namespace {

class DerivedCosignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    j_ = testing::ReadJson("tlog/derived/cosignature_v1_and_witness.json");
    const auto& w = j_["witness"];
    auto seed = *HexDecode(w["ed25519_seed_hex"].get<std::string>());
    signer_ = std::make_unique<CosignatureV1Signer>(
        *CosignatureV1Signer::FromSeed(w["name"].get<std::string>(), seed));
  }
  nlohmann::json j_;
  std::unique_ptr<CosignatureV1Signer> signer_;
};

TEST_F(DerivedCosignatureTest, KeyIdsAndVerifierKeys) {
  const auto& w = j_["witness"];
  EXPECT_EQ(HexEncode(signer_->private_key().public_key().bytes()), w["ed25519_public_hex"]);
  EXPECT_EQ(KeyIdHex(signer_->key_id()), w["key_id_type04_hex"]);
  EXPECT_EQ(signer_->verifier_key().ToString(), w["vkey_cosignature_v1_type04"]);
  auto as01 = VerifierKey::Parse(w["vkey_same_key_as_type01_for_comparison"].get<std::string>());
  ASSERT_THAT(as01, IsOk());
  EXPECT_EQ(KeyIdHex(as01->key_id()), w["key_id_type01_hex"]);
  EXPECT_NE(as01->key_id(), signer_->key_id());
  EXPECT_EQ(as01->public_key(), signer_->verifier_key().public_key());
}

TEST_F(DerivedCosignatureTest, SignsExactlyAndVerifies) {
  auto log_key = *ParseNoteVerifier(j_["log"]["vkey"].get<std::string>());
  auto witness = *ParseNoteVerifier(j_["witness"]["vkey_cosignature_v1_type04"].get<std::string>());
  auto as01 = *ParseNoteVerifier(
      j_["witness"]["vkey_same_key_as_type01_for_comparison"].get<std::string>());
  ASSERT_EQ(j_["cosignatures"].size(), 3u);
  for (const auto& c : j_["cosignatures"]) {
    uint64_t ts = c["timestamp"];
    auto cp = SignedCheckpoint::Parse(c["checkpoint"].get<std::string>());
    ASSERT_THAT(cp, IsOk());
    EXPECT_EQ(CosignatureV1Message(cp->text(), ts), c["signed_message"].get<std::string>());
    auto line = signer_->CosignLine(cp->text(), ts);
    ASSERT_THAT(line, IsOk());
    EXPECT_EQ(*line, c["cosignature_line"].get<std::string>());
    EXPECT_EQ(cp->Serialize() + *line, c["cosigned_checkpoint"].get<std::string>());

    auto cosigned = SignedCheckpoint::Parse(c["cosigned_checkpoint"].get<std::string>());
    ASSERT_THAT(cosigned, IsOk());
    auto v = cosigned->Verify(*VerifierSet::Create({log_key, witness}));
    ASSERT_THAT(v, IsOk());
    EXPECT_EQ(v->verified.size(), 2u);
    const NoteSignature& sig = cosigned->note().signatures()[1];
    EXPECT_EQ(sig.signature.size(), kCosignatureV1Size);
    auto cv = std::static_pointer_cast<const CosignatureV1Verifier>(witness);
    EXPECT_EQ(*cv->VerifyTimestamped(AsBytes(cosigned->text()), sig.signature), ts);
    // The same key as a type-0x01 key does not match the line (different key ID).
    auto only01 = cosigned->Verify(*VerifierSet::Create({log_key, as01}));
    ASSERT_THAT(only01, IsOk());
    EXPECT_EQ(only01->verified.size(), 1u);
    // A Sigsum-style key (no fixed name) matches by key ID derived from the line's name.
    auto any = *CosignatureV1Verifier::CreateAnyName(
        "policy-name", *HexDecode(j_["witness"]["ed25519_public_hex"].get<std::string>()));
    auto with_any = cosigned->Verify(*VerifierSet::Create({log_key, any}));
    ASSERT_THAT(with_any, IsOk());
    EXPECT_EQ(with_any->verified.size(), 2u);
  }
}

TEST_F(DerivedCosignatureTest, TamperedCosignatureRejectsTheCheckpoint) {
  const auto& c = j_["cosignatures"][0];
  std::string cosigned = c["cosigned_checkpoint"];
  // Change the timestamp: base64 chars 8.. of the blob encode it.
  std::string line = c["cosignature_line"];
  size_t b64 = line.find(' ', 4) + 1;
  std::string tampered_line = line;
  tampered_line[b64 + 10] = tampered_line[b64 + 10] == 'A' ? 'B' : 'A';
  std::string tampered = cosigned.substr(0, cosigned.size() - line.size()) + tampered_line;
  auto cp = SignedCheckpoint::Parse(tampered);
  ASSERT_THAT(cp, IsOk());
  auto log_key = *ParseNoteVerifier(j_["log"]["vkey"].get<std::string>());
  auto witness = *ParseNoteVerifier(j_["witness"]["vkey_cosignature_v1_type04"].get<std::string>());
  EXPECT_THAT(cp->Verify(*VerifierSet::Create({log_key, witness})),
              ReasonIs("note_signature_invalid"));
  // Without the witness key the cosignature is just an unknown line.
  EXPECT_THAT(cp->Verify(*VerifierSet::Create({log_key})), IsOk());
}

TEST(C2spCosignatureTest, ExampleParses) {
  auto j = testing::ReadJson("tlog/c2sp-spec-examples/examples.json");
  const auto& ex = j["checkpoint_example_parse_only"];
  auto cp = SignedCheckpoint::Parse(ex["note"].get<std::string>());
  ASSERT_THAT(cp, IsOk());
  EXPECT_EQ(cp->checkpoint().origin(), "example.com/behind-the-sofa");
  EXPECT_EQ(cp->checkpoint().size(), 20852163u);
  const auto& sigs = cp->note().signatures();
  ASSERT_EQ(sigs.size(), 2u);
  EXPECT_EQ(sigs[0].key_id, 0x033de0aeu);
  EXPECT_EQ(sigs[0].signature.size() + 4, 68u);
  EXPECT_EQ(sigs[1].key_id, 0x8d66cf3fu);
  EXPECT_EQ(sigs[1].signature.size() + 4, 76u);
  auto cosig = CosignatureV1::Decode(sigs[1].signature);
  ASSERT_THAT(cosig, IsOk());
  EXPECT_EQ(cosig->timestamp, 1679315147u);
  EXPECT_EQ(CosignatureV1Message(cp->text(), cosig->timestamp),
            ex["cosigned_message_for_witness_line"].get<std::string>());
  EXPECT_EQ(cosig->Encode(), sigs[1].signature);
}

TEST(CosignatureTest, DecodeAndSignLimits) {
  EXPECT_THAT(CosignatureV1::Decode(Bytes(71)), ReasonIs("cosignature_malformed"));
  Bytes high(72, 0);
  high[0] = 0x80;
  EXPECT_THAT(CosignatureV1::Decode(high), ReasonIs("cosignature_malformed"));
  auto signer = *CosignatureV1Signer::FromSeed("w.example", Bytes(32, 3));
  EXPECT_THAT(signer.Sign("x\n", 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(signer.Sign("x\n", kMaxCosignatureTimestamp + 1),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(signer.Sign("x\n", kMaxCosignatureTimestamp), IsOk());
  // A 64-byte (type 0x01-shaped) signature under a cosigner key does not verify.
  auto v = *CosignatureV1Verifier::Create("w.example", signer.private_key().public_key().bytes());
  EXPECT_THAT(v->Verify(AsBytes("x\n"), Bytes(64)), ReasonIs("note_signature_invalid"));
}

TEST_F(DerivedCosignatureTest, WitnessKeyFilesRoundTripAndMatchThePublishedVerifierKey) {
  const auto& v = j_;
  std::string file =
      FormatWitnessKeyFile(v["witness"]["name"].get<std::string>(),
                           *HexDecode(v["witness"]["ed25519_seed_hex"].get<std::string>()));
  EXPECT_EQ(file.rfind("PRIVATE+KEY+witness.example/test-w1+363f2b66+", 0), 0u) << file;
  auto signer = ParseWitnessKeyFile(file);
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ(signer->verifier_key().ToString(), v["witness"]["vkey_cosignature_v1_type04"]);
  std::string wrong_id = file;
  wrong_id.replace(wrong_id.find("363f2b66"), 8, "363f2b67");
  EXPECT_FALSE(ParseWitnessKeyFile(wrong_id).ok());
  EXPECT_FALSE(ParseWitnessKeyFile("PRIVATE+KEY+x+00000000+AAAA").ok());
  // Random keys: base64 often contains '+', which must not confuse the parser.
  for (int i = 0; i < 64; ++i) {
    Bytes seed(32, static_cast<uint8_t>(i * 4 + 0xf8));
    seed[5] = static_cast<uint8_t>(i);
    EXPECT_THAT(ParseWitnessKeyFile(FormatWitnessKeyFile("w.example/k", seed)), IsOk()) << i;
  }
  EXPECT_FALSE(
      ParseWitnessKeyFile(v["log"]["skey_published_in_tessera_repo"].get<std::string>()).ok());
}

}  // namespace
}  // namespace vouch::tlog

// The envelope file (spec/provisioning.md §2): the vector's file made byte for byte through
// MakeEnvelope, parsed back, owner signatures, and every validation rule of §2.5 refused with
// its code and JSON pointer.
#include "vouch/provision/envelope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dsse/jcs.h"
#include "testing/scripted_random.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/provision/envelope_crypto.h"

namespace vouch::provision {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::vouch::testing::ScriptedRandom;
using Json = nlohmann::json;

Bytes VectorHex(const Json& j) { return *HexDecode(j.get<std::string>()); }
Sha256Digest Root32(const std::string& b64) {
  Bytes b = *Base64Decode(b64);
  Sha256Digest d{};
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}
Bytes VectorIkmE(const Json& label) {
  Sha256Digest d = Sha256(AsBytes(label.get<std::string>()));
  return Bytes(d.begin(), d.end());
}

class EnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = Json::parse(
        vouch::testing::ReadTestDataString("provisioning/derived/vouch-provisioning-vectors.json"));
    owner_ =
        *LocalSigningKey::FromEd25519Seed(VectorHex(v_["keys"]["owner_signing_ed25519"]["seed"]));
    broker_.emplace(*X25519PrivateKey::FromBytes(VectorHex(v_["keys"]["broker_hpke"]["sk"])));
    file_ = v_["envelope"]["file"].get<std::string>();
    payload_ = Json::parse(v_["envelope"]["payload_jcs"].get<std::string>());
  }

  Inner VectorInner() const {
    const Json& in = v_["envelope"]["inputs"];
    return *Inner::Create(SecretBytes(VectorHex(in["commit_key"])),
                          SecretBytes(AsBytes(in["secret_ascii"].get<std::string>())));
  }

  // The vector's payload after `edit`, canonical and signed by the vector's owner.
  std::string Resigned(const std::function<void(Json&)>& edit) const {
    Json p = payload_;
    edit(p);
    Bytes bytes = ToBytes(*vouch::internal::CanonicalJson(p));
    auto sig = dsse::SignPayload(*owner_, kEnvelopePayloadType, bytes);
    auto entry = dsse::LedgerEntry::Create(bytes, {*sig}, kEnvelopeRules);
    EXPECT_THAT(entry, IsOk());
    return std::string(AsStringView(entry->bytes()));
  }

  Json v_;
  std::unique_ptr<LocalSigningKey> owner_;
  std::optional<X25519PrivateKey> broker_;
  std::string file_;
  Json payload_;
};

TEST_F(EnvelopeTest, MakeEnvelopeWritesTheVectorFileByteForByte) {
  const Json& in = v_["envelope"]["inputs"];
  EnvelopeRequest r;
  r.id = *HexDecodeArray<kIdSize>(in["id"].get<std::string>());
  r.created = *ParseRfc3339(payload_["created"].get<std::string>());
  r.not_after = *ParseRfc3339(in["notAfter"].get<std::string>());
  r.constraint = in["constraint"];
  r.admitted_by = {
      {7, *HexDecodeArray<32>(payload_["admission"]["by"][0]["sha256"].get<std::string>())}};
  r.checkpoint =
      CheckpointRef{"example.com/vouch-log", 40,
                    Root32(payload_["admission"]["checkpoint"]["rootHash"].get<std::string>())};
  r.activity = in["activity"];
  r.broker_key = broker_->public_key();
  r.broker_url = "http://127.0.0.1:7390";
  for (const Json& c : v_["keys"]["custodians"]) {
    r.custodians.push_back(X25519PrivateKey::FromBytes(VectorHex(c["sk"]))->public_key());
  }
  r.threshold = 2;

  const Json& rec = v_["recovery"];
  ScriptedRandom rng(VectorIkmE(in["ikmE_label"]));
  rng.Add(VectorHex(rec["rk_seed"]));
  rng.Add(VectorIkmE(rec["ikmE_label"]));
  for (const Json& x : rec["x"]) rng.Add(Bytes{x.get<uint8_t>()});
  rng.Add(VectorHex(rec["coefficients_a1"]));
  for (const Json& s : rec["share_seals"]) rng.Add(VectorIkmE(s["ikmE_label"]));

  const PublicKeySign* owners[] = {owner_.get()};
  auto env = MakeEnvelope(r, VectorInner(), owners, rng);
  ASSERT_THAT(env, IsOk());
  EXPECT_EQ(rng.remaining(), 0u);
  EXPECT_EQ(AsStringView(env->bytes()), file_);
  EXPECT_EQ(AsStringView(env->payload_bytes()), v_["envelope"]["payload_jcs"]);
}

TEST_F(EnvelopeTest, ParsesTheVectorFileAndItsBindingOpensTheSecret) {
  auto env = Envelope::Parse(AsBytes(file_));
  ASSERT_THAT(env, IsOk());
  const EnvelopePayload& p = env->payload();
  EXPECT_EQ(env->IdHex(), v_["envelope"]["inputs"]["id"]);
  EXPECT_EQ(HexEncode(env->payload_sha256()), v_["envelope"]["payload_sha256"]);
  EXPECT_EQ(p.role, "workload");
  EXPECT_FALSE(p.unadmitted_override);
  ASSERT_EQ(p.admitted_by.size(), 1u);
  EXPECT_EQ(p.admitted_by[0].index, 7u);
  ASSERT_TRUE(p.checkpoint);
  EXPECT_EQ(p.checkpoint->size, 40u);
  EXPECT_EQ(p.activity, "payroll-db");
  ASSERT_EQ(p.owner_keys.size(), 1u);
  EXPECT_EQ(p.owner_keys[0].KeyId(), v_["keys"]["owner_signing_ed25519"]["keyid"]);
  EXPECT_EQ(p.broker_url, "http://127.0.0.1:7390");
  ASSERT_TRUE(p.recovery);
  EXPECT_EQ(p.recovery->shares.size(), 3u);
  EXPECT_EQ(HexEncode(*EnvelopeInfo(p.Binding())), v_["envelope"]["hpke_info"]);

  auto inner = OpenEnvelopeSecret(*broker_, p.Binding(), p.sealed);
  ASSERT_THAT(inner, IsOk());
  EXPECT_EQ(AsStringView(inner->secret().Reveal()), "correct horse battery staple");
  EXPECT_THAT(inner->VerifyCommitment(p.id, p.commitment), IsOk());

  // Encoding the parsed payload gives the signed bytes back.
  auto encoded = EncodeEnvelopePayload(p);
  ASSERT_THAT(encoded, IsOk());
  EXPECT_EQ(*encoded, env->payload_bytes());
}

TEST_F(EnvelopeTest, OwnerSignaturesVerifyOnlyUnderTrustedKeys) {
  auto env = Envelope::Parse(AsBytes(file_));
  ASSERT_THAT(env, IsOk());
  dsse::KeySet owners;
  owners.Add(env->payload().owner_keys[0].key);
  auto signers = env->VerifyOwners(owners);
  ASSERT_THAT(signers, IsOk());
  EXPECT_EQ(signers->size(), 1u);

  auto stranger = LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
  dsse::KeySet others;
  others.Add(PublicKeyFromSpki((*stranger)->verifier().spki_der()).value());
  EXPECT_THAT(env->VerifyOwners(others),
              ::testing::AllOf(StatusIs(StatusCode::kPermissionDenied),
                               ReasonIs(kReasonEnvelopeSignatureInvalid)));

  // A signature under the owner's keyid over other bytes is refused, not skipped.
  Json file = Json::parse(file_);
  Bytes sig = *Base64Decode(file["signatures"][0]["sig"].get<std::string>());
  sig[0] ^= 1;
  file["signatures"][0]["sig"] = Base64Encode(sig);
  auto forged = Envelope::Parse(AsBytes(*vouch::internal::CanonicalJson(file)));
  ASSERT_THAT(forged, IsOk());
  EXPECT_THAT(forged->VerifyOwners(owners),
              ::testing::AllOf(StatusIs(StatusCode::kPermissionDenied),
                               ReasonIs(kReasonEnvelopeSignatureInvalid)));
}

TEST_F(EnvelopeTest, ChangingTheConstraintOrTheIdMakesTheEnvelopeUseless) {
  // The owner's signature can be redone by whoever holds the key, but the HPKE info binds the
  // constraint and the id: the broker cannot open the secret for another target.
  for (auto edit : std::vector<std::function<void(Json&)>>{
           [](Json& p) {
             p["target"]["constraint"] =
                 "C:1111111111111111111111111111111111111111111111111111111111111111 SEC:INSECURE";
           },
           [](Json& p) { p["id"] = "00000000000000000000000000000000"; },
           [](Json& p) {
             p["admission"] = {{"status", "override"}};
           },
           [](Json& p) { p.erase("notAfter"); },
           [](Json& p) { p["activity"] = "other"; },
       }) {
    auto env = Envelope::Parse(AsBytes(Resigned(edit)));
    ASSERT_THAT(env, IsOk());
    const EnvelopePayload& p = env->payload();
    EXPECT_THAT(OpenEnvelopeSecret(*broker_, p.Binding(), p.sealed),
                ::testing::AllOf(StatusIs(StatusCode::kPermissionDenied),
                                 ReasonIs(kReasonEnvelopeDecryptFailed)));
  }
}

struct Refusal {
  const char* name;
  std::function<void(Json&)> edit;
  const char* reason;
  const char* path;  // the message's prefix
};

TEST_F(EnvelopeTest, EveryPayloadRuleIsEnforced) {
  std::vector<Refusal> cases = {
      {"format", [](Json& p) { p["format"] = "vouch-envelope/v2"; }, kReasonEnvelopeUnsupported,
       "/format"},
      {"unknown field", [](Json& p) { p["extra"] = 1; }, kReasonEnvelopeMalformed, "/extra"},
      {"missing commitment", [](Json& p) { p.erase("commitment"); }, kReasonEnvelopeMalformed,
       "/commitment"},
      {"short id", [](Json& p) { p["id"] = std::string(31, 'a'); }, kReasonEnvelopeMalformed,
       "/id"},
      {"upper-case id", [](Json& p) { p["id"] = std::string(32, 'A'); }, kReasonEnvelopeMalformed,
       "/id"},
      {"created not a Timestamp", [](Json& p) { p["created"] = "2026-12-01T12:00:00.5Z"; },
       kReasonEnvelopeMalformed, "/created"},
      {"notAfter before created", [](Json& p) { p["notAfter"] = "2026-12-01T11:59:59Z"; },
       kReasonEnvelopeMalformed, "/notAfter"},
      {"notAfter equal to created", [](Json& p) { p["notAfter"] = p["created"]; },
       kReasonEnvelopeMalformed, "/notAfter"},
      {"role", [](Json& p) { p["target"]["role"] = "root"; }, kReasonEnvelopeMalformed,
       "/target/role"},
      {"constraint not canonical",
       [](Json& p) {
         p["target"]["constraint"] =
             "SEC:INSECURE C:088911C10FB9238ABB40A4F28C6267CB06678FDFBBE172BFEE22010DEB87F736";
       },
       kReasonEnvelopeMalformed, "/target/constraint"},
      {"constraint malformed", [](Json& p) { p["target"]["constraint"] = "C:zz"; },
       kReasonEnvelopeMalformed, "/target/constraint"},
      {"constraint too long", [](Json& p) { p["target"]["constraint"] = std::string(4097, 'C'); },
       kReasonEnvelopeMalformed, "/target/constraint"},
      {"admission status", [](Json& p) { p["admission"]["status"] = "maybe"; },
       kReasonEnvelopeMalformed, "/admission/status"},
      {"override with references", [](Json& p) { p["admission"]["status"] = "override"; },
       kReasonEnvelopeMalformed, "/admission"},
      {"admitted without checkpoint", [](Json& p) { p["admission"].erase("checkpoint"); },
       kReasonEnvelopeMalformed, "/admission"},
      {"admitted by nothing", [](Json& p) { p["admission"]["by"] = Json::array(); },
       kReasonEnvelopeMalformed, "/admission/by"},
      {"checkpoint size zero", [](Json& p) { p["admission"]["checkpoint"]["size"] = 0; },
       kReasonEnvelopeMalformed, "/admission/checkpoint/size"},
      {"root hash short", [](Json& p) { p["admission"]["checkpoint"]["rootHash"] = "AAAA"; },
       kReasonEnvelopeMalformed, "/admission/checkpoint/rootHash"},
      {"activity not a Name", [](Json& p) { p["activity"] = "Payroll DB"; },
       kReasonEnvelopeMalformed, "/activity"},
      {"no owner keys", [](Json& p) { p["ownerKeys"] = Json::array(); }, kReasonEnvelopeMalformed,
       "/ownerKeys"},
      {"owner key twice", [](Json& p) { p["ownerKeys"].push_back(p["ownerKeys"][0]); },
       kReasonEnvelopeMalformed, "/ownerKeys/1"},
      {"owner keyid wrong", [](Json& p) { p["ownerKeys"][0]["keyid"] = std::string(64, '0'); },
       kReasonEnvelopeMalformed, "/ownerKeys/0/keyid"},
      {"broker keyid", [](Json& p) { p["broker"]["keyid"] = "12"; }, kReasonEnvelopeMalformed,
       "/broker/keyid"},
      {"broker url with a space", [](Json& p) { p["broker"]["url"] = "http://a b"; },
       kReasonEnvelopeMalformed, "/broker/url"},
      {"kem", [](Json& p) { p["hpke"]["kemId"] = 16; }, kReasonEnvelopeUnsupported, "/hpke"},
      {"aead", [](Json& p) { p["hpke"]["aeadId"] = 1; }, kReasonEnvelopeUnsupported, "/hpke"},
      {"enc short", [](Json& p) { p["hpke"]["enc"] = Base64Encode(Bytes(31, 1)); },
       kReasonEnvelopeMalformed, "/hpke/enc"},
      {"ct too short", [](Json& p) { p["hpke"]["ct"] = Base64Encode(Bytes(56, 1)); },
       kReasonEnvelopeMalformed, "/hpke/ct"},
      {"ct not base64", [](Json& p) { p["hpke"]["ct"] = "!!!!"; }, kReasonEnvelopeMalformed,
       "/hpke/ct"},
      {"commitment short", [](Json& p) { p["commitment"] = Base64Encode(Bytes(31, 1)); },
       kReasonEnvelopeMalformed, "/commitment"},
      {"recovery threshold above shares", [](Json& p) { p["recovery"]["threshold"] = 4; },
       kReasonEnvelopeMalformed, "/recovery"},
      {"recovery threshold one", [](Json& p) { p["recovery"]["threshold"] = 1; },
       kReasonEnvelopeMalformed, "/recovery/threshold"},
      {"recovery x zero", [](Json& p) { p["recovery"]["shares"][0]["x"] = 0; },
       kReasonEnvelopeMalformed, "/recovery/shares/0/x"},
      {"recovery x repeated",
       [](Json& p) { p["recovery"]["shares"][1]["x"] = p["recovery"]["shares"][0]["x"]; },
       kReasonEnvelopeMalformed, "/recovery"},
      {"recovery share ct size",
       [](Json& p) { p["recovery"]["shares"][0]["ct"] = Base64Encode(Bytes(48, 1)); },
       kReasonEnvelopeMalformed, "/recovery/shares/0/ct"},
  };
  for (const Refusal& r : cases) {
    SCOPED_TRACE(r.name);
    auto env = Envelope::Parse(AsBytes(Resigned(r.edit)));
    EXPECT_THAT(env, ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument), ReasonIs(r.reason)));
    if (!env.ok()) {
      EXPECT_THAT(env.status().message(), StartsWith(r.path));
    }
  }
}

TEST_F(EnvelopeTest, TheFileMustBeCanonicalDsseOfTheEnvelopeType) {
  EXPECT_THAT(
      Envelope::Parse(AsBytes(file_ + " ")),
      ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument), ReasonIs(kReasonEnvelopeMalformed)));
  EXPECT_THAT(
      Envelope::Parse(AsBytes(std::string(kMaxEnvelopeFileSize + 1, ' '))),
      ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument), ReasonIs(kReasonEnvelopeMalformed)));
  Json file = Json::parse(file_);
  file["payloadType"] = "application/vnd.in-toto+json";
  EXPECT_THAT(Envelope::Parse(AsBytes(*vouch::internal::CanonicalJson(file))),
              ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument),
                               ReasonIs(kReasonEnvelopeUnsupported)));
  // A payload that is valid JSON but not its own canonical form.
  file = Json::parse(file_);
  file["payload"] = Base64Encode(AsBytes(payload_.dump(1)));
  auto spaced = Envelope::Parse(AsBytes(*vouch::internal::CanonicalJson(file)));
  EXPECT_THAT(spaced, ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument),
                                       ReasonIs(kReasonEnvelopeMalformed)));
  EXPECT_THAT(spaced.status().message(), HasSubstr("canonical"));
}

TEST_F(EnvelopeTest, SignRequiresExactlyTheListedOwners) {
  auto env = Envelope::Parse(AsBytes(file_));
  ASSERT_THAT(env, IsOk());
  auto stranger = LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
  const PublicKeySign* wrong[] = {stranger->get()};
  EXPECT_THAT(
      Envelope::Sign(env->payload(), wrong),
      ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument), ReasonIs(kReasonEnvelopeMalformed)));
  const PublicKeySign* twice[] = {owner_.get(), owner_.get()};
  EXPECT_THAT(
      Envelope::Sign(env->payload(), twice),
      ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument), ReasonIs(kReasonEnvelopeMalformed)));
  const PublicKeySign* right[] = {owner_.get()};
  auto again = Envelope::Sign(env->payload(), right);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(AsStringView(again->bytes()), file_);

  // What Parse would refuse is never signed.
  EnvelopePayload bad = env->payload();
  bad.role = "root";
  EXPECT_THAT(Envelope::Sign(bad, right), ::testing::AllOf(StatusIs(StatusCode::kInvalidArgument),
                                                           ReasonIs(kReasonEnvelopeMalformed)));
}

}  // namespace
}  // namespace vouch::provision

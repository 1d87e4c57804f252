// Every value of tests/data/provisioning/derived/vouch-provisioning-vectors.json that needs no
// JSON envelope or DSSE: report_data, the four kinds of HPKE info, the inner plaintext and
// commitment, the envelope's enc/ct, the recovery wrap and its three custodian shares, and the
// broker's response — each produced through the production code with the vectors' ephemeral
// keys injected (ikmE = SHA-256(ikmE_label)), and each opened again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/scripted_random.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/provision/inner.h"
#include "vouch/provision/recovery.h"

namespace vouch::provision {
namespace {

using ::vouch::testing::ScriptedRandom;

Bytes Hex(const nlohmann::json& j) {
  auto b = HexDecode(j.get<std::string>());
  EXPECT_TRUE(b.ok()) << j;
  return b.ok() ? *b : Bytes{};
}
template <size_t N>
std::array<uint8_t, N> HexArray(const nlohmann::json& j) {
  auto a = HexDecodeArray<N>(j.get<std::string>());
  EXPECT_TRUE(a.ok()) << j;
  return a.ok() ? *a : std::array<uint8_t, N>{};
}
// ikmE of a vector: SHA-256 of its label.
Bytes IkmE(const nlohmann::json& label) {
  Sha256Digest d = Sha256(AsBytes(label.get<std::string>()));
  return Bytes(d.begin(), d.end());
}

class ProvisionVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = nlohmann::json::parse(
        vouch::testing::ReadTestDataString("provisioning/derived/vouch-provisioning-vectors.json"));
    payload_ = nlohmann::json::parse(v_["envelope"]["payload_jcs"].get<std::string>());
    const auto& in = v_["envelope"]["inputs"];
    binding_.id = HexArray<16>(in["id"]);
    binding_.role = in["role"];
    binding_.constraint = in["constraint"];
    binding_.broker_keyid = HexArray<32>(v_["keys"]["broker_hpke"]["keyid"]);
    binding_.not_after = in["notAfter"];
    binding_.flags = in["flags"].get<uint8_t>();
    binding_.commitment = HexArray<32>(v_["envelope"]["commitment"]);
    binding_.activity = in["activity"];
  }
  X25519PrivateKey Key(const nlohmann::json& k) {
    return *X25519PrivateKey::FromBytes(Hex(k["sk"]));
  }
  Inner VectorInner() {
    const auto& in = v_["envelope"]["inputs"];
    return *Inner::Create(SecretBytes(Hex(in["commit_key"])),
                          SecretBytes(AsBytes(in["secret_ascii"].get<std::string>())));
  }

  nlohmann::json v_;
  nlohmann::json payload_;
  EnvelopeBinding binding_;
};

TEST_F(ProvisionVectorsTest, ReportData) {
  const auto& keys = v_["keys"];
  auto broker = BrokerKeyReportData(Key(keys["broker_hpke"]).public_key(),
                                    Hex(keys["broker_signing_ed25519"]["spki"]));
  ASSERT_THAT(broker, IsOk());
  EXPECT_EQ(HexEncode(*broker), v_["report_data"]["broker_key"]["report_data"]);
  const auto& rel = v_["report_data"]["release"];
  ReportData release =
      ReleaseReportData(HexArray<32>(rel["nonce"]), HexArray<32>(rel["enclave_pk"]));
  EXPECT_EQ(HexEncode(release), rel["report_data"]);
}

TEST_F(ProvisionVectorsTest, EnvelopeInnerCommitmentInfoAndCiphertext) {
  const auto& env = v_["envelope"];
  Inner inner = VectorInner();
  EXPECT_EQ(HexEncode(inner.Encode().Reveal()), env["inner_plaintext"]);
  auto commitment = inner.CommitmentFor(binding_.id);
  ASSERT_THAT(commitment, IsOk());
  EXPECT_EQ(HexEncode(*commitment), env["commitment"]);
  EXPECT_EQ(Base64Encode(*commitment), payload_["commitment"]);
  auto info = EnvelopeInfo(binding_);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(HexEncode(*info), env["hpke_info"]);
  EXPECT_EQ(env["hpke_aad"], "");

  // The vector's ephemeral key is DeriveKeyPair(SHA-256(label)).
  auto ephemeral = hpke::DeriveKeyPair(IkmE(env["inputs"]["ikmE_label"]));
  ASSERT_THAT(ephemeral, IsOk());
  EXPECT_EQ(HexEncode(ephemeral->private_bytes().Reveal()), env["inputs"]["skE"]);

  X25519PrivateKey broker = Key(v_["keys"]["broker_hpke"]);
  ScriptedRandom rng(IkmE(env["inputs"]["ikmE_label"]));
  auto sealed = SealEnvelopeSecret(broker.public_key(), binding_, inner, rng);
  ASSERT_THAT(sealed, IsOk());
  EXPECT_EQ(rng.remaining(), 0u);
  EXPECT_EQ(HexEncode(sealed->enc), env["enc"]);
  EXPECT_EQ(HexEncode(sealed->ct), env["ct"]);
  EXPECT_EQ(sealed->ct.size(), kInnerHeaderSize + inner.secret().size() + hpke::kTagSize);
  // The same bytes as the signed payload carries.
  EXPECT_EQ(Base64Encode(sealed->enc), payload_["hpke"]["enc"]);
  EXPECT_EQ(Base64Encode(sealed->ct), payload_["hpke"]["ct"]);
  EXPECT_EQ(HexEncode(binding_.broker_keyid), payload_["broker"]["keyid"]);

  auto opened = OpenEnvelopeSecret(broker, binding_, *sealed);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(AsStringView(opened->secret().Reveal()), "correct horse battery staple");
  EXPECT_THAT(opened->VerifyCommitment(binding_.id, binding_.commitment), IsOk());
}

TEST_F(ProvisionVectorsTest, RecoveryWrapAndCustodianShares) {
  const auto& rec = v_["recovery"];
  EXPECT_EQ(HexEncode(RecoveryWrapInfo(binding_.id, 2, 3)), rec["hpke_info"]);
  auto recovery_key = hpke::DeriveKeyPair(Hex(rec["rk_seed"]));
  ASSERT_THAT(recovery_key, IsOk());
  EXPECT_EQ(HexEncode(recovery_key->private_bytes().Reveal()), rec["recovery_sk"]);
  EXPECT_EQ(HexEncode(recovery_key->public_key()), rec["recovery_pk"]);

  std::vector<X25519PublicKey> custodians;
  std::vector<X25519PrivateKey> custodian_keys;
  for (const auto& c : v_["keys"]["custodians"]) {
    custodian_keys.push_back(Key(c));
    custodians.push_back(custodian_keys.back().public_key());
  }
  // MakeRecovery's draws, in its documented order.
  ScriptedRandom rng(Hex(rec["rk_seed"]));
  rng.Add(IkmE(rec["ikmE_label"]));
  for (const auto& x : rec["x"]) rng.Add(Bytes{x.get<uint8_t>()});
  rng.Add(Hex(rec["coefficients_a1"]));
  for (const auto& s : rec["share_seals"]) rng.Add(IkmE(s["ikmE_label"]));

  Inner inner = VectorInner();
  auto recovery = MakeRecovery(binding_.id, inner, custodians, rec["threshold"], rng);
  ASSERT_THAT(recovery, IsOk());
  EXPECT_EQ(rng.remaining(), 0u);
  EXPECT_THAT(ValidateRecovery(*recovery), IsOk());
  EXPECT_EQ(recovery->threshold, 2);
  EXPECT_EQ(HexEncode(recovery->wrap.enc), rec["enc"]);
  EXPECT_EQ(HexEncode(recovery->wrap.ct), rec["ct"]);
  EXPECT_EQ(Base64Encode(recovery->wrap.enc), payload_["recovery"]["enc"]);
  EXPECT_EQ(Base64Encode(recovery->wrap.ct), payload_["recovery"]["ct"]);
  ASSERT_EQ(recovery->shares.size(), 3u);

  std::vector<SecretBytes> opened;
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE("custodian " + std::to_string(i + 1));
    const auto& want = rec["share_seals"][i];
    const SealedShare& got = recovery->shares[i];
    EXPECT_EQ(HexEncode(got.custodian), want["custodian_keyid"]);
    EXPECT_EQ(got.x, want["x"].get<int>());
    EXPECT_EQ(HexEncode(RecoveryShareInfo(binding_.id, got.custodian, got.x, 2, 3)),
              want["hpke_info"]);
    EXPECT_EQ(HexEncode(got.sealed.enc), want["enc"]);
    EXPECT_EQ(HexEncode(got.sealed.ct), want["ct"]);
    const auto& in_payload = payload_["recovery"]["shares"][i];
    EXPECT_EQ(in_payload["custodian"], want["custodian_keyid"]);
    EXPECT_EQ(in_payload["x"], want["x"]);
    EXPECT_EQ(Base64Encode(got.sealed.enc), in_payload["enc"]);
    EXPECT_EQ(Base64Encode(got.sealed.ct), in_payload["ct"]);

    auto share = OpenRecoveryShare(binding_.id, *recovery, custodian_keys[i]);
    ASSERT_THAT(share, IsOk());
    EXPECT_EQ(HexEncode(share->Reveal()), rec["shares_vault_layout"][i]);
    EXPECT_EQ(HexEncode(share->Reveal()), want["plaintext"]);
    opened.push_back(std::move(*share));
  }

  // Every pair of custodians recovers the secret; one alone does not.
  for (auto [a, b] : {std::pair{0, 1}, std::pair{0, 2}, std::pair{1, 2}}) {
    std::vector<SecretBytes> two;
    two.push_back(opened[a].Copy());
    two.push_back(opened[b].Copy());
    auto recovered = Recover(binding_.id, *recovery, two, binding_.commitment);
    ASSERT_THAT(recovered, IsOk()) << a << "," << b;
    EXPECT_EQ(AsStringView(recovered->secret().Reveal()), "correct horse battery staple");
    EXPECT_EQ(recovered->commit_key(), inner.commit_key());
  }
  std::vector<SecretBytes> one;
  one.push_back(opened[1].Copy());
  EXPECT_THAT(Recover(binding_.id, *recovery, one, binding_.commitment),
              ReasonIs(kReasonRecoveryInsufficientShares));
}

TEST_F(ProvisionVectorsTest, ReleaseResponse) {
  const auto& rel = v_["release"];
  // The record's leaf hash is H(0x00 ‖ entry) of the exact entry bytes.
  Bytes leaf_input{0x00};
  Append(leaf_input, AsBytes(rel["entry"].get<std::string>()));
  EXPECT_EQ(HexEncode(Sha256(leaf_input)), rel["leaf_hash"]);

  X25519PrivateKey enclave = Key(v_["keys"]["enclave_ephemeral"]);
  ResponseBinding binding;
  binding.envelope_id = binding_.id;
  binding.nonce = HexArray<32>(v_["report_data"]["release"]["nonce"]);
  binding.enclave_key = enclave.public_key();
  binding.record_leaf_hash = HexArray<32>(rel["leaf_hash"]);
  EXPECT_EQ(HexEncode(ReleaseResponseInfo(binding)), rel["response_hpke_info"]);

  auto ephemeral = hpke::DeriveKeyPair(IkmE(rel["ikmE_label"]));
  ASSERT_THAT(ephemeral, IsOk());
  EXPECT_EQ(HexEncode(ephemeral->private_bytes().Reveal()), rel["skE"]);
  ScriptedRandom rng(IkmE(rel["ikmE_label"]));
  auto encapsulation = EncapToEnclave(enclave.public_key(), rng);
  ASSERT_THAT(encapsulation, IsOk());
  auto sealed = SealResponse(*encapsulation, binding, VectorInner());
  ASSERT_THAT(sealed, IsOk());
  EXPECT_EQ(HexEncode(sealed->enc), rel["enc"]);
  EXPECT_EQ(HexEncode(sealed->ct), rel["ct"]);

  auto opened = OpenResponse(enclave, binding, *sealed);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(HexEncode(opened->Encode().Reveal()), rel["plaintext"]);
  EXPECT_THAT(opened->VerifyCommitment(binding_.id, binding_.commitment), IsOk());
}

}  // namespace
}  // namespace vouch::provision

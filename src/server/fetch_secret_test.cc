// The enclave side of a release (fetch_secret.h): against a real in-process broker on the
// governed ledger fixture, with a broker that misbehaves in each way E5 and E6 must catch.
#include "vouch/server/fetch_secret.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "server/broker_fixture.h"
#include "testing/status_matchers.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/seal/seal.h"

namespace vouch::server {
namespace {

constexpr const char* kSecret = ledger_testing::kBrokerTestSecret;

// A Broker in-process as a BrokerApi; `tamper` may rewrite a release's answer.
class InProcessBroker final : public BrokerApi {
 public:
  explicit InProcessBroker(Broker& broker) : broker_(&broker) {}
  StatusOr<provision::IssuedNonce> Challenge(const provision::EnvelopeId& id) const override {
    ++challenges;
    return broker_->Challenge(id);
  }
  StatusOr<ReleaseResult> Release(const ReleaseRequest& request) const override {
    auto result = broker_->Release(request);
    if (result.ok() && tamper) tamper(request, *result);
    return result;
  }

  std::function<void(const ReleaseRequest&, ReleaseResult&)> tamper;
  mutable int challenges = 0;

 private:
  Broker* broker_;
};

class FetchSecretTest : public ledger_testing::BrokerLedgerTest {
 protected:
  void SetUp() override {
    BrokerLedgerTest::SetUp();
    Govern();
    auto broker = Broker::Create(*ledger_, BrokerOpts());
    ASSERT_THAT(broker, IsOk());
    broker_ = std::move(broker).value();
    api_ = std::make_unique<InProcessBroker>(*broker_);
  }

  provision::Envelope MakeEnv() { return *provision::Envelope::Parse(Envelope()); }

  FetchOptions Anchored(const LocalSigningKey& owner) {
    FetchOptions o;
    o.owner_anchors.emplace();
    o.owner_anchors->Add(*PublicKeyFromSpki(owner.verifier().spki_der()));
    return o;
  }

  std::unique_ptr<Broker> broker_;
  std::unique_ptr<InProcessBroker> api_;
};

TEST_F(FetchSecretTest, ReleasesOpensAndSealsToTheEnclaveOnly) {
  provision::Envelope env = MakeEnv();
  auto fetched = FetchSecret(*app_platform_, *api_, env, Anchored(*owner_));
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(AsStringView(fetched->secret.Reveal()), kSecret);
  EXPECT_TRUE(fetched->owner_verified);
  EXPECT_GT(fetched->record_index, 0u);
  // The blob holds no plaintext, opens here with the envelope's associated data only, and
  // nowhere else.
  const std::string blob(AsStringView(fetched->sealed));
  EXPECT_EQ(blob.find(kSecret), std::string::npos);
  auto unsealed = seal::Unseal(*app_platform_, fetched->sealed, ProvisionedAad(env.payload().id));
  ASSERT_THAT(unsealed, IsOk());
  EXPECT_EQ(AsStringView(unsealed->Reveal()), kSecret);
  provision::EnvelopeId other = env.payload().id;
  other[0] ^= 1;
  EXPECT_FALSE(seal::Unseal(*app_platform_, fetched->sealed, ProvisionedAad(other)).ok());
  EXPECT_FALSE(
      seal::Unseal(*broker_platform_, fetched->sealed, ProvisionedAad(env.payload().id)).ok());
  // Without anchors: the secret, but nothing said about its owner.
  auto plain = FetchSecret(*app_platform_, *api_, env);
  ASSERT_THAT(plain, IsOk());
  EXPECT_FALSE(plain->owner_verified);
  EXPECT_EQ(AsStringView(plain->secret.Reveal()), kSecret);
}

TEST_F(FetchSecretTest, TheBrokersRefusalIsTheAnswer) {
  // The broker's own platform does not meet the application's constraint.
  EXPECT_THAT(FetchSecret(*broker_platform_, *api_, MakeEnv()), ReasonIs(kConstraintFailed));
}

TEST_F(FetchSecretTest, AnEnvelopeNoAnchorSignedCostsTheBrokerNothing) {
  auto stranger = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, MakeEnv(), Anchored(*stranger)),
              ReasonIs(provision::kReasonEnvelopeSignatureInvalid));
  EXPECT_EQ(api_->challenges, 0);
}

TEST_F(FetchSecretTest, ARecordThatIsNotThisReleasesIsRefused) {
  provision::Envelope env = MakeEnv();
  // Another release's record (another nonce and enclave key), with its own leaf hash.
  auto first = broker_->Challenge(env.payload().id);
  ASSERT_THAT(first, IsOk());
  Attempt other = MakeAttempt(ToBytes(env.bytes()), first->nonce, *app_platform_);
  auto other_result = broker_->Release(other.request);
  ASSERT_THAT(other_result, IsOk());
  api_->tamper = [&](const ReleaseRequest&, ReleaseResult& r) {
    r.record_entry = other_result->record_entry;
    r.record_leaf_hash = other_result->record_leaf_hash;
  };
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("another nonce")));
  // A leaf hash that is not the entry's.
  api_->tamper = [](const ReleaseRequest&, ReleaseResult& r) { r.record_leaf_hash[0] ^= 1; };
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env), ReasonIs(kReleaseRecordInvalid));
  // An entry that is no release record.
  api_->tamper = [](const ReleaseRequest&, ReleaseResult& r) {
    r.record_entry = ToBytes(std::string_view("{}"));
    r.record_leaf_hash = tlog::HashLeaf(r.record_entry);
  };
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env), ReasonIs(kReleaseRecordInvalid));
  // A response that does not open.
  api_->tamper = [](const ReleaseRequest&, ReleaseResult& r) { r.sealed.ct[0] ^= 1; };
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env),
              ReasonIs(provision::kReasonResponseDecryptFailed));
}

// A broker (or a host that made its own envelope) answers with another secret, correctly
// sealed to the enclave: only an enclave with anchors notices.
TEST_F(FetchSecretTest, ASubstitutedSecretIsCaughtOnlyWithAnchors) {
  provision::Envelope env = MakeEnv();
  api_->tamper = [&](const ReleaseRequest& request, ReleaseResult& r) {
    auto inner = provision::Inner::Generate(SecretBytes(AsBytes(std::string_view("attacker"))));
    auto encap = provision::EncapToEnclave(request.enclave_key);
    ASSERT_THAT(encap, IsOk());
    provision::ResponseBinding binding{env.payload().id, request.nonce, request.enclave_key,
                                       r.record_leaf_hash};
    auto sealed = provision::SealResponse(*encap, binding, *inner);
    ASSERT_THAT(sealed, IsOk());
    r.sealed = *sealed;
  };
  auto unanchored = FetchSecret(*app_platform_, *api_, env);
  ASSERT_THAT(unanchored, IsOk());
  EXPECT_EQ(AsStringView(unanchored->secret.Reveal()), "attacker");
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, Anchored(*owner_)),
              ReasonIs("commitment_mismatch"));
}

}  // namespace
}  // namespace vouch::server

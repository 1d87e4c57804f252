// The enclave side of a release (fetch_secret.h): against a real in-process broker on the
// governed ledger fixture, with a broker that misbehaves in each way E5 and E6 must catch.
#include "vouch/server/fetch_secret.h"

#include <gtest/gtest.h>

#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "server/broker_fixture.h"
#include "testing/status_matchers.h"
#include "vouch/govern/statement.h"
#include "vouch/provision/anchors.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/seal/seal.h"
#include "vouch/tlog/proof_file.h"
#include "vouch/tlog/reasons.h"

namespace vouch::server {
namespace {

constexpr const char* kFetchSecret = ledger_testing::kBrokerTestSecret;

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

  // Options with anchors of `owner`'s key (kept in anchors_).
  FetchOptions Anchored(const LocalSigningKey& owner,
                        std::optional<std::string> policy = std::nullopt) {
    anchors_.emplace(*provision::Anchors::FromKeys(
        {*PublicKeyFromSpki(owner.verifier().spki_der())}, std::move(policy)));
    FetchOptions o;
    o.anchors = &*anchors_;
    return o;
  }

  // Answers every release with the record of another release, of `envelope` by the broker
  // (its own nonce and enclave key, its own leaf hash).
  void AnswerWithTheRecordOfAnotherRelease(const Bytes& envelope) {
    auto nonce = broker_->Challenge(IdOf(envelope));
    ASSERT_THAT(nonce, IsOk());
    Attempt other = MakeAttempt(envelope, nonce->nonce, *app_platform_);
    auto other_result = broker_->Release(other.request);
    ASSERT_THAT(other_result, IsOk());
    api_->tamper = [record = *std::move(other_result)](const ReleaseRequest&, ReleaseResult& r) {
      r.record_entry = record.record_entry;
      r.record_leaf_hash = record.record_leaf_hash;
    };
  }

  std::unique_ptr<Broker> broker_;
  std::unique_ptr<InProcessBroker> api_;
  std::optional<provision::Anchors> anchors_;
};

TEST_F(FetchSecretTest, ReleasesOpensAndSealsToTheEnclaveOnly) {
  provision::Envelope env = MakeEnv();
  auto fetched = FetchSecret(*app_platform_, *api_, env, Anchored(*owner_));
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(AsStringView(fetched->secret.Reveal()), kFetchSecret);
  EXPECT_TRUE(fetched->owner_verified);
  EXPECT_GT(fetched->record_index, 0u);
  // The blob holds no plaintext, opens here with the envelope's associated data only, and
  // nowhere else.
  const std::string blob(AsStringView(fetched->sealed));
  EXPECT_EQ(blob.find(kFetchSecret), std::string::npos);
  auto unsealed = seal::Unseal(*app_platform_, fetched->sealed, ProvisionedAad(env.payload().id));
  ASSERT_THAT(unsealed, IsOk());
  EXPECT_EQ(AsStringView(unsealed->Reveal()), kFetchSecret);
  provision::EnvelopeId other = env.payload().id;
  other[0] ^= 1;
  EXPECT_FALSE(seal::Unseal(*app_platform_, fetched->sealed, ProvisionedAad(other)).ok());
  EXPECT_FALSE(
      seal::Unseal(*broker_platform_, fetched->sealed, ProvisionedAad(env.payload().id)).ok());
  // Without anchors: the secret, but nothing said about its owner.
  auto plain = FetchSecret(*app_platform_, *api_, env);
  ASSERT_THAT(plain, IsOk());
  EXPECT_FALSE(plain->owner_verified);
  EXPECT_EQ(AsStringView(plain->secret.Reveal()), kFetchSecret);
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
  ASSERT_NO_FATAL_FAILURE(AnswerWithTheRecordOfAnotherRelease(ToBytes(env.bytes())));
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

// A broker answers with another secret, correctly sealed to the enclave: the envelope's
// commitment catches it, anchors or not.
TEST_F(FetchSecretTest, ASecretTheBrokerSubstitutedIsRefused) {
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
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env),
              ReasonIs(provision::kReasonCommitmentMismatch));
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, Anchored(*owner_)),
              ReasonIs(provision::kReasonCommitmentMismatch));
}

// A host that makes its own envelope (its own secret and commitment, its own owner key) for the
// same broker and target: without anchors the enclave takes it — the documented limit — and with
// anchors it is refused before the broker is asked.
TEST_F(FetchSecretTest, AHostSubstitutedEnvelopeIsCaughtOnlyWithAnchors) {
  const std::unique_ptr<LocalSigningKey> real_owner = std::move(owner_);
  owner_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
  provision::Envelope host_made = MakeEnv();
  auto unanchored = FetchSecret(*app_platform_, *api_, host_made);
  ASSERT_THAT(unanchored, IsOk());
  EXPECT_FALSE(unanchored->owner_verified);
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, host_made, Anchored(*real_owner)),
              ReasonIs(provision::kReasonEnvelopeSignatureInvalid));
}

// The log as the enclave reads receipts from it: the fake ledger's proof under its newest
// cosigned checkpoint (a LogClient's /proof waits for one).
class ReceiptLog final : public ledger::ReceiptFetcher {
 public:
  explicit ReceiptLog(ledger_testing::FakeLedger& ledger) : ledger_(&ledger) {}
  StatusOr<std::string> FetchCheckpoint() override { return ledger_->FetchCheckpoint(); }
  StatusOr<Bytes> FetchTile(const tlog::TileId& id) override { return ledger_->FetchTile(id); }
  StatusOr<std::string> FetchProof(uint64_t index) override {
    if (!reachable) return UnavailableError("connection refused");
    VOUCH_RETURN_IF_ERROR(ledger_->FetchCheckpoint().status());
    return ledger_->FetchProof(index);
  }

  bool reachable = true;

 private:
  ledger_testing::FakeLedger* ledger_;
};

// Anchors with the ledger's policy: the record must be proven in a checkpoint the witness quorum
// cosigned before the secret is used.
TEST_F(FetchSecretTest, WithAPolicyTheRecordMustBeProvenInTheLog) {
  provision::Envelope env = MakeEnv();
  ReceiptLog log(*ledger_);
  FetchOptions o = Anchored(*owner_, policy_text_);
  // No log to ask: refused before the broker is.
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, o), ReasonIs(kAnchorsLogMissing));
  EXPECT_EQ(api_->challenges, 0);
  o.log = &log;
  auto fetched = FetchSecret(*app_platform_, *api_, env, o);
  ASSERT_THAT(fetched, IsOk());
  auto proof = tlog::ProofFile::Parse(fetched->record_proof);
  ASSERT_THAT(proof, IsOk());
  EXPECT_EQ(proof->index(), fetched->record_index);
  EXPECT_THAT(proof->Verify(fetched->record_leaf_hash, *policy_), IsOk());
  // A proof that does not lead to the root, and a checkpoint short of the quorum: refused.
  ledger_->tamper_proof = true;
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, o),
              ReasonIs(tlog::reasons::kInclusionProofInvalid));
  ledger_->tamper_proof = false;
  ledger_->cosigners = 1;
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, o),
              ReasonIs(tlog::reasons::kPolicyQuorumNotMet));
  ledger_->cosigners = 2;
  // A policy that does not parse.
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, Anchored(*owner_, "quorum\n")),
              ReasonIs(provision::kReasonAnchorsMalformed));
  // A log that cannot be reached: no secret. Without a policy the log is not asked.
  o = Anchored(*owner_, policy_text_);  // (Anchored replaces the anchors o pointed to)
  o.log = &log;
  log.reachable = false;
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, o), StatusIs(StatusCode::kUnavailable));
  o = Anchored(*owner_);
  o.log = &log;
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env, o), IsOk());
}

TEST_F(FetchSecretTest, ARecordForAnotherEnvelopeIsRefused) {
  provision::Envelope env = MakeEnv();
  ASSERT_NO_FATAL_FAILURE(AnswerWithTheRecordOfAnotherRelease(Envelope()));
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env),
              StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr("another envelope")));
}

// The broker's own record, re-signed with one field changed: each field E5 compares is checked
// on its own.
TEST_F(FetchSecretTest, EachRecordFieldIsCompared) {
  provision::Envelope env = MakeEnv();
  const std::function<void(govern::ReleaseRecord&)> edits[] = {
      [](govern::ReleaseRecord& r) { r.nonce[5] ^= 1; },
      [](govern::ReleaseRecord& r) { r.enclave_key[5] ^= 1; },
      [](govern::ReleaseRecord& r) { r.envelope_id[5] ^= 1; },
      [](govern::ReleaseRecord& r) { r.envelope_sha256[5] ^= 1; },
  };
  const char* const expected[] = {"another nonce", "another enclave key", "another envelope",
                                  "another envelope"};
  for (size_t i = 0; i < std::size(edits); ++i) {
    api_->tamper = [&](const ReleaseRequest&, ReleaseResult& r) {
      auto entry = dsse::LedgerEntry::Parse(r.record_entry);
      ASSERT_THAT(entry, IsOk());
      auto statement = govern::ParseStatement(entry->payload());
      ASSERT_THAT(statement, IsOk());
      edits[i](std::get<govern::ReleaseRecord>(statement->predicate));
      auto payload = govern::EncodeStatement(*statement);
      ASSERT_THAT(payload, IsOk());
      auto sig = dsse::SignPayload(*signing_key_, dsse::kInTotoPayloadType, *payload);
      ASSERT_THAT(sig, IsOk());
      auto resigned = dsse::LedgerEntry::Create(*payload, {*sig});
      ASSERT_THAT(resigned, IsOk());
      r.record_entry = ToBytes(resigned->bytes());
      r.record_leaf_hash = tlog::HashLeaf(r.record_entry);
    };
    EXPECT_THAT(FetchSecret(*app_platform_, *api_, env),
                StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr(expected[i])))
        << i;
  }
  // Untampered, the same release passes.
  api_->tamper = nullptr;
  EXPECT_THAT(FetchSecret(*app_platform_, *api_, env), IsOk());
}

// ReleaseAttempt::Open checks the envelope it is given is the one it asked for.
TEST_F(FetchSecretTest, AnAttemptOpensOnlyForItsOwnEnvelope) {
  provision::Envelope env = MakeEnv();
  provision::Envelope other = MakeEnv();
  auto nonce = broker_->Challenge(env.payload().id);
  ASSERT_THAT(nonce, IsOk());
  auto attempt = ReleaseAttempt::Create(*app_platform_, env.bytes(), nonce->nonce);
  ASSERT_THAT(attempt, IsOk());
  auto result = broker_->Release(attempt->request());
  ASSERT_THAT(result, IsOk());
  EXPECT_THAT(attempt->Open(other, *result), StatusIs(StatusCode::kInvalidArgument));
  auto inner = attempt->Open(env, *result);
  ASSERT_THAT(inner, IsOk());
  EXPECT_EQ(AsStringView(inner->secret().Reveal()), kFetchSecret);
}

}  // namespace
}  // namespace vouch::server

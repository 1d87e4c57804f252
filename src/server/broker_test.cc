// The broker's decisions against a real sequencer and log reader, witnesses' cosignatures and
// simulated platforms (ledger_fixture.h): a release to admitted, fresh, bound evidence, logged
// before it is answered and openable only by the enclave's key; a refusal, with its code, for
// each check of spec/provisioning.md §3.4; and a ledger an auditor accepts afterwards.
#include "vouch/server/broker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dsse/jcs.h"
#include "server/ledger_fixture.h"
#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/constraint.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/govern/codes.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/tlog/merkle.h"

namespace vouch::server {
namespace {

using ledger_testing::kDay;
using ledger_testing::kHour;
using ledger_testing::Measurement;

constexpr char kSecret[] = "postgres://app:hunter2@db/app";

class BrokerTest : public ledger_testing::GovernedLedgerTest {
 protected:
  void SetUp() override {
    GovernedLedgerTest::SetUp();
    hpke_key_.emplace(*X25519PrivateKey::Generate());
    signing_key_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
    owner_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
    broker_platform_ = PlatformFor(broker_m_);
    app_platform_ = PlatformFor(app_m_);
  }

  std::vector<govern::EntryRef> Provenance(const Sha256Hash& m, const std::string& target) {
    std::vector<govern::EntryRef> refs;
    for (const auto& [id, key] : {std::pair{ledger_testing::kBuilderA, "builder-a"},
                                  std::pair{ledger_testing::kBuilderB, "builder-b"}}) {
      Add(hb_->Sign({hb_->MakeProvenance(id, m, std::string(40, '3'), target, t0_ + kHour + 120)},
                    {key}));
      refs.push_back(Last());
    }
    return refs;
  }

  // Admits `m` for `role` (constraint "C:<m> SEC:INSECURE"), signed by root-1.
  govern::EntryRef Admit(govern::Role role, const Sha256Hash& m, const std::string& target) {
    auto refs = Provenance(m, target);
    const UnixSeconds issued = clock_->Now() - 60;
    Add(hb_->Sign({hb_->MakeAdmission(role, Constraint(m), issued, issued + 30 * kDay, refs)},
                  {"root-1"}));
    return Last();
  }

  static std::string Constraint(const Sha256Hash& m) {
    return "C:" + HexEncodeUpper(m) + " SEC:INSECURE";
  }

  // Root set 1, the broker's admission and (unless told otherwise) the application's.
  void Govern(bool admit_app = true) {
    Bootstrap();
    Admit(govern::Role::kBroker, broker_m_, "vouch-broker");
    if (admit_app) app_admission_ = Admit(govern::Role::kWorkload, app_m_, "app");
    ledger_->cosign_time = clock_->Now() - 10;
  }

  BrokerOptions Options() {
    BrokerOptions o;
    o.self_check = GovernedLedgerTest::Options();
    o.self_check.role = govern::Role::kBroker;
    o.self_check.platform = broker_platform_.get();
    const ByteSpan spki = signing_key_->verifier().spki_der();
    o.self_check.service_spki.assign(spki.begin(), spki.end());
    o.self_check.report_data = *provision::BrokerKeyReportData(hpke_key_->public_key(), spki);
    o.hpke_key = &*hpke_key_;
    o.signing_key = signing_key_.get();
    o.append = [this](ByteSpan entry) -> StatusOr<uint64_t> {
      if (!log_accepts) return UnavailableError("connection refused");
      VOUCH_ASSIGN_OR_RETURN(auto added, seq_->Submit(entry).get());
      hb_->Append(ToBytes(entry));
      return added.index;
    };
    return o;
  }

  std::unique_ptr<Broker> Start() {
    auto broker = Broker::Create(*ledger_, Options());
    EXPECT_THAT(broker, IsOk());
    return broker.ok() ? std::move(broker).value() : nullptr;
  }

  // An envelope for the application's constraint (admitted unless `override`).
  Bytes Envelope(bool override_admission = false, std::optional<UnixSeconds> not_after = {},
                 const std::string& constraint = "") {
    provision::EnvelopeRequest r;
    EXPECT_THAT(SystemRandom().Fill(r.id), IsOk());
    r.created = clock_->Now();
    r.not_after = not_after;
    r.constraint = constraint.empty() ? Constraint(app_m_) : constraint;
    r.unadmitted_override = override_admission;
    if (!override_admission) {
      r.admitted_by = {app_admission_};
      r.checkpoint =
          provision::CheckpointRef{std::string(ledger_testing::kTestOrigin), 1, Sha256Digest{}};
    }
    r.broker_key = hpke_key_->public_key();
    auto inner = provision::Inner::Generate(SecretBytes(AsBytes(kSecret)));
    EXPECT_THAT(inner, IsOk());
    const PublicKeySign* owners[] = {owner_.get()};
    auto env = provision::MakeEnvelope(r, *inner, owners);
    EXPECT_THAT(env, IsOk());
    return ToBytes(env->bytes());
  }

  // The enclave side: a challenge for the envelope, a fresh key, a quote binding both.
  struct Attempt {
    ReleaseRequest request;
    std::optional<X25519PrivateKey> key;
  };
  Attempt Prepare(Broker& broker, const Bytes& envelope, platform::Platform& platform) {
    Attempt a;
    a.request.envelope = envelope;
    auto env = provision::Envelope::Parse(envelope);
    EXPECT_THAT(env, IsOk());
    auto nonce = broker.Challenge(env->payload().id);
    EXPECT_THAT(nonce, IsOk());
    a.request.nonce = nonce->nonce;
    a.key.emplace(*X25519PrivateKey::Generate());
    a.request.enclave_key = a.key->public_key();
    auto quote =
        platform.Quote(provision::ReleaseReportData(a.request.nonce, a.request.enclave_key));
    EXPECT_THAT(quote, IsOk());
    a.request.quote = *quote;
    return a;
  }

  // The secret the enclave opens from `result`.
  std::string Open(const Attempt& a, const ReleaseResult& result) {
    auto env = provision::Envelope::Parse(a.request.envelope);
    provision::ResponseBinding binding{env->payload().id, a.request.nonce, a.request.enclave_key,
                                       result.record_leaf_hash};
    auto inner = provision::OpenResponse(*a.key, binding, result.sealed);
    EXPECT_THAT(inner, IsOk());
    if (!inner.ok()) return "";
    EXPECT_THAT(inner->VerifyCommitment(env->payload().id, env->payload().commitment), IsOk());
    return std::string(AsStringView(inner->secret().Reveal()));
  }

  // Every entry's verdict in a fresh replay of the ledger as built.
  std::vector<govern::EntryVerdict> Audit() {
    auto view = SyncLedgerView(*ledger_, GovernedLedgerTest::Options().ledger, nullptr);
    EXPECT_THAT(view, IsOk());
    govern::ReplayOptions ro;
    ro.origin = ledger_testing::kTestOrigin;
    govern::GovernanceState state(ro);
    std::vector<govern::EntryVerdict> verdicts;
    for (const Bytes& e : hb_->entries()) verdicts.push_back(state.Append(e));
    return verdicts;
  }

  bool log_accepts = true;
  Sha256Hash broker_m_ = Measurement("vouch-broker enclave");
  Sha256Hash app_m_ = Measurement("app enclave");
  govern::EntryRef app_admission_;
  std::optional<X25519PrivateKey> hpke_key_;
  std::unique_ptr<LocalSigningKey> signing_key_;
  std::unique_ptr<LocalSigningKey> owner_;
  std::unique_ptr<platform::Platform> broker_platform_;
  std::unique_ptr<platform::Platform> app_platform_;
};

TEST_F(BrokerTest, ReleasesToAdmittedEvidenceAfterTheLogAcknowledgedTheRecord) {
  Govern();
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  EXPECT_THAT(broker->status().check, IsOk());
  const size_t before = hb_->entries().size();
  Bytes envelope = Envelope();
  Attempt a = Prepare(*broker, envelope, *app_platform_);
  auto result = broker->Release(a.request);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(Open(a, *result), kSecret);

  // Two entries: the broker's key announcement, then the record the response is bound to.
  ASSERT_EQ(hb_->entries().size(), before + 2);
  EXPECT_EQ(result->record_index, before + 1);
  EXPECT_EQ(hb_->entries().back(), result->record_entry);
  EXPECT_EQ(result->record_leaf_hash, tlog::HashLeaf(result->record_entry));
  auto entry = dsse::LedgerEntry::Parse(result->record_entry);
  ASSERT_THAT(entry, IsOk());
  auto statement = govern::ParseStatement(entry->payload());
  ASSERT_THAT(statement, IsOk());
  const auto* record = std::get_if<govern::ReleaseRecord>(&statement->predicate);
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->release_id, result->release_id);
  EXPECT_EQ(record->identity.mrenclave, app_m_);
  EXPECT_EQ(record->broker_mrenclave, broker_m_);
  EXPECT_EQ(record->enclave_key, a.request.enclave_key);
  EXPECT_EQ(record->nonce, a.request.nonce);
  EXPECT_EQ(record->quote_sha256, Sha256(a.request.quote));
  EXPECT_FALSE(record->unadmitted_override);
  EXPECT_EQ(record->admitted_by, std::vector<govern::EntryRef>{app_admission_});
  EXPECT_EQ(record->owners, std::vector<std::string>{owner_->verifier().KeyId()});
  // The record carries no secret.
  EXPECT_EQ(AsStringView(result->record_entry).find("hunter2"), std::string_view::npos);

  // A second release announces nothing new; an auditor accepts every entry.
  Attempt b = Prepare(*broker, envelope, *app_platform_);
  ASSERT_THAT(broker->Release(b.request), IsOk());
  EXPECT_EQ(hb_->entries().size(), before + 3);
  for (const govern::EntryVerdict& v : Audit()) {
    EXPECT_TRUE(v.valid) << v.index << ": " << v.code << " " << v.message;
  }
}

TEST_F(BrokerTest, ANonceBuysOneAttempt) {
  Govern();
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  Bytes envelope = Envelope();
  Attempt a = Prepare(*broker, envelope, *app_platform_);
  ASSERT_THAT(broker->Release(a.request), IsOk());
  const size_t logged = hb_->entries().size();
  EXPECT_THAT(broker->Release(a.request), ReasonIs(provision::kReasonNonceUsed));
  // A refused request burns its nonce too: the log was unreachable, nothing was released.
  Attempt b = Prepare(*broker, envelope, *app_platform_);
  log_accepts = false;
  EXPECT_THAT(broker->Release(b.request), ReasonIs(kLogUnreachable));
  log_accepts = true;
  EXPECT_THAT(broker->Release(b.request), ReasonIs(provision::kReasonNonceUsed));
  EXPECT_EQ(hb_->entries().size(), logged);
  // A nonce issued for another envelope.
  Attempt c = Prepare(*broker, Envelope(), *app_platform_);
  c.request.envelope = envelope;
  EXPECT_THAT(broker->Release(c.request), ReasonIs(provision::kReasonNonceEnvelopeMismatch));
  // Expired.
  Attempt d = Prepare(*broker, envelope, *app_platform_);
  clock_->Advance(std::chrono::seconds(121));
  EXPECT_THAT(broker->Release(d.request), ReasonIs(provision::kReasonNonceExpired));
}

TEST_F(BrokerTest, RefusesEvidenceThatIsNotTheTargetsOrNotBoundToThisRequest) {
  Govern();
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  Bytes envelope = Envelope();
  // Another measurement.
  auto other = PlatformFor(Measurement("other enclave"));
  Attempt a = Prepare(*broker, envelope, *other);
  EXPECT_THAT(broker->Release(a.request), ReasonIs(kConstraintFailed));
  // The quote binds another key, or another nonce.
  Attempt b = Prepare(*broker, envelope, *app_platform_);
  b.request.enclave_key = X25519PrivateKey::Generate()->public_key();
  EXPECT_THAT(broker->Release(b.request), ReasonIs(kReportDataMismatch));
  Attempt c = Prepare(*broker, envelope, *app_platform_);
  Attempt c2 = Prepare(*broker, envelope, *app_platform_);
  c.request.quote = c2.request.quote;
  EXPECT_THAT(broker->Release(c.request), ReasonIs(kReportDataMismatch));
  // Not a quote at all.
  Attempt d = Prepare(*broker, envelope, *app_platform_);
  d.request.quote = Bytes(100, 7);
  EXPECT_THAT(broker->Release(d.request), ReasonIs(kEvidenceRejected));
  // Nothing was logged for any of them.
  for (const govern::EntryVerdict& v : Audit()) {
    EXPECT_NE(v.kind, govern::StatementKind::kReleaseRecord);
  }
}

TEST_F(BrokerTest, RefusesEnvelopesItMustNotOpen) {
  Govern();
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  // For another broker.
  X25519PrivateKey other = *X25519PrivateKey::Generate();
  std::swap(*hpke_key_, other);
  Bytes foreign = Envelope();
  std::swap(*hpke_key_, other);
  Attempt a = Prepare(*broker, foreign, *app_platform_);
  EXPECT_THAT(broker->Release(a.request), ReasonIs(provision::kReasonEnvelopeWrongBroker));
  // Expired.
  Bytes short_lived = Envelope(false, clock_->Now() + 30);
  Attempt b = Prepare(*broker, short_lived, *app_platform_);
  clock_->Advance(std::chrono::seconds(30));
  EXPECT_THAT(broker->Release(b.request), ReasonIs(kEnvelopeExpired));
  // Malformed.
  Attempt c = Prepare(*broker, Envelope(), *app_platform_);
  c.request.envelope.back() = ' ';
  EXPECT_THAT(broker->Release(c.request), ReasonIs(provision::kReasonEnvelopeMalformed));
  // Its constraint changed and re-signed by the owner: the secret does not open.
  ledger_->cosign_time = clock_->Now() - 10;
  Bytes envelope = Envelope();
  auto parsed = provision::Envelope::Parse(envelope);
  provision::EnvelopePayload changed = parsed->payload();
  // Still met by the application (either of two measurements), so only the binding stops it.
  changed.constraint = EnclaveConstraint::Parse("C:" + HexEncodeUpper(app_m_) + " C:" +
                                                HexEncodeUpper(Measurement("other enclave")) +
                                                " SEC:INSECURE")
                           ->ToString();
  const PublicKeySign* owners[] = {owner_.get()};
  auto resigned = provision::Envelope::Sign(changed, owners);
  ASSERT_THAT(resigned, IsOk());
  Attempt d = Prepare(*broker, ToBytes(resigned->bytes()), *app_platform_);
  EXPECT_THAT(broker->Release(d.request), ReasonIs(provision::kReasonEnvelopeDecryptFailed));
  // An owner not on the allowlist.
  BrokerOptions o = Options();
  o.owner_allowlist.push_back(PublicKeyFromSpki(hb_->key("other").verifier().spki_der()).value());
  auto strict = Broker::Create(*ledger_, std::move(o));
  ASSERT_THAT(strict, IsOk());
  Attempt e = Prepare(**strict, envelope, *app_platform_);
  EXPECT_THAT((*strict)->Release(e.request), ReasonIs(kOwnerNotAllowed));
}

TEST_F(BrokerTest, TheLedgerDecidesWhoIsAdmittedAtReleaseTime) {
  Govern(/*admit_app=*/false);
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  // Not admitted: refused, unless the envelope carries the override.
  Attempt a = Prepare(*broker, Envelope(), *app_platform_);
  EXPECT_THAT(broker->Release(a.request), ReasonIs(kIdentityNotAdmitted));
  Attempt b = Prepare(*broker, Envelope(true), *app_platform_);
  auto released = broker->Release(b.request);
  ASSERT_THAT(released, IsOk());
  auto st = govern::ParseStatement(dsse::LedgerEntry::Parse(released->record_entry)->payload());
  EXPECT_TRUE(std::get<govern::ReleaseRecord>(st->predicate).unadmitted_override);
  EXPECT_TRUE(std::get<govern::ReleaseRecord>(st->predicate).admitted_by.empty());
  {
    BrokerOptions o = Options();
    o.no_unadmitted = true;
    auto strict = std::move(Broker::Create(*ledger_, std::move(o))).value();
    Attempt c = Prepare(*strict, Envelope(true), *app_platform_);
    EXPECT_THAT(strict->Release(c.request), ReasonIs(kUnadmittedRefused));
  }
  // Admitted now: an ordinary envelope is released.
  app_admission_ = Admit(govern::Role::kWorkload, app_m_, "app");
  ledger_->cosign_time = clock_->Now() - 10;
  Bytes envelope = Envelope();
  Attempt d = Prepare(*broker, envelope, *app_platform_);
  ASSERT_THAT(broker->Release(d.request), IsOk());
  // Revoked: refused from the next checkpoint on, override or not.
  govern::Revocation rev;
  rev.ledger = ledger_testing::kTestOrigin;
  rev.issued_on = clock_->Now() - 30;
  rev.kind = govern::RevocationKind::kMeasurement;
  rev.mrenclave = app_m_;
  rev.reason = "vulnerability";
  Add(hb_->Sign({rev}, {"root-1"}));
  Attempt e = Prepare(*broker, envelope, *app_platform_);
  EXPECT_THAT(broker->Release(e.request), ReasonIs(kIdentityRevoked));
  Attempt f = Prepare(*broker, Envelope(true), *app_platform_);
  EXPECT_THAT(broker->Release(f.request), ReasonIs(kIdentityRevoked));
  for (const govern::EntryVerdict& v : Audit()) {
    EXPECT_TRUE(v.valid) << v.index << ": " << v.code << " " << v.message;
  }
}

TEST_F(BrokerTest, AnUnadmittedBrokerDoesNotStartAndARevokedOneStopsReleasing) {
  Bootstrap();
  auto refused = Broker::Create(*ledger_, Options());
  EXPECT_THAT(refused, ReasonIs(kSelfNotAdmitted));
  Admit(govern::Role::kBroker, broker_m_, "vouch-broker");
  app_admission_ = Admit(govern::Role::kWorkload, app_m_, "app");
  ledger_->cosign_time = clock_->Now() - 10;
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  Bytes envelope = Envelope();
  Attempt a = Prepare(*broker, envelope, *app_platform_);
  govern::Revocation rev;
  rev.ledger = ledger_testing::kTestOrigin;
  rev.issued_on = clock_->Now() - 30;
  rev.kind = govern::RevocationKind::kMeasurement;
  rev.mrenclave = broker_m_;
  rev.reason = "key_compromise";
  Add(hb_->Sign({rev}, {"root-1"}));
  EXPECT_THAT(broker->Release(a.request), ReasonIs(kSelfCheckFailed));
  EXPECT_THAT(broker->status().check, ReasonIs(kSelfRevoked));
  EXPECT_THAT(broker->Challenge(provision::EnvelopeId{}), ReasonIs(kSelfCheckFailed));
}

}  // namespace
}  // namespace vouch::server

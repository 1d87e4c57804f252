// The broker's decisions against a real sequencer and log reader, witnesses' cosignatures and
// simulated platforms (ledger_fixture.h): a release to admitted, fresh, bound evidence, logged
// before it is answered and openable only by the enclave's key; a refusal, with its code, for
// each check of spec/provisioning.md §3.4; and a ledger an auditor accepts afterwards.
#include "vouch/server/broker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "dsse/jcs.h"
#include "server/broker_fixture.h"
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

constexpr const char* kSecret = ledger_testing::kBrokerTestSecret;

class BrokerTest : public ledger_testing::BrokerLedgerTest {
 protected:
  std::unique_ptr<Broker> Start() {
    auto broker = Broker::Create(*ledger_, BrokerOpts());
    EXPECT_THAT(broker, IsOk());
    return broker.ok() ? std::move(broker).value() : nullptr;
  }

  // A challenge from `broker` for the envelope, then the enclave's key and quote.
  Attempt Prepare(Broker& broker, const Bytes& envelope, platform::Platform& platform) {
    auto nonce = broker.Challenge(IdOf(envelope));
    EXPECT_THAT(nonce, IsOk());
    return MakeAttempt(envelope, nonce.ok() ? nonce->nonce : provision::Nonce{}, platform);
  }

  // The release record in a log entry, if it is one.
  static std::optional<govern::ReleaseRecord> RecordOf(const Bytes& entry) {
    auto parsed = dsse::LedgerEntry::Parse(entry);
    if (!parsed.ok()) return std::nullopt;
    auto statement = govern::ParseStatement(parsed->payload());
    if (!statement.ok()) return std::nullopt;
    const auto* record = std::get_if<govern::ReleaseRecord>(&statement->predicate);
    return record == nullptr ? std::nullopt : std::optional<govern::ReleaseRecord>(*record);
  }

  // Logs root-1's revocation of measurement `m`, issued 30 s ago.
  void RevokeMeasurement(const Sha256Hash& m, const std::string& reason) {
    govern::Revocation rev;
    rev.ledger = ledger_testing::kTestOrigin;
    rev.issued_on = clock_->Now() - 30;
    rev.kind = govern::RevocationKind::kMeasurement;
    rev.mrenclave = m;
    rev.reason = reason;
    Add(hb_->Sign({rev}, {"root-1"}));
  }

  // Every entry's verdict in a fresh replay of the ledger as built.
  std::vector<govern::EntryVerdict> Audit() {
    govern::ReplayOptions ro;
    ro.origin = ledger_testing::kTestOrigin;
    govern::GovernanceState state(ro);
    std::vector<govern::EntryVerdict> verdicts;
    verdicts.reserve(hb_->entries().size());
    for (const Bytes& e : hb_->entries()) verdicts.push_back(state.Append(e));
    return verdicts;
  }
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
  std::optional<govern::ReleaseRecord> record = RecordOf(result->record_entry);
  ASSERT_TRUE(record.has_value());
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

  // A second release announces nothing new (and takes the envelope as checked the first
  // time, naming it all the same); an auditor accepts every entry.
  Attempt b = Prepare(*broker, envelope, *app_platform_);
  std::optional<provision::EnvelopeId> id;
  ASSERT_THAT(broker->Release(b.request, &id), IsOk());
  EXPECT_EQ(id, provision::Envelope::Parse(envelope)->payload().id);
  EXPECT_EQ(hb_->entries().size(), before + 3);
  for (const govern::EntryVerdict& v : Audit()) {
    EXPECT_TRUE(v.valid) << v.index << ": " << v.code << " " << v.message;
  }
  // A service's view of the ledger keeps no list of the release records it replayed: its
  // memory, and each new view's copy of the state, do not grow with them.
  auto view = SyncLedgerView(*ledger_, Options().ledger, nullptr);
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->checkpoint.size(), hb_->entries().size());
  EXPECT_TRUE(view->state->Releases().empty());
}

// A release of an envelope released before takes the secret the broker opened then: each
// envelope's own, whatever the order.
TEST_F(BrokerTest, AnEnvelopeReleasedAgainGivesItsOwnSecret) {
  Govern();
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  const Bytes first = Envelope();
  const Bytes second = Envelope(false, {}, "", "postgres://app:correct-horse@db/app");
  for (int round = 0; round < 2; ++round) {
    Attempt a = Prepare(*broker, first, *app_platform_);
    auto ra = broker->Release(a.request);
    ASSERT_THAT(ra, IsOk());
    EXPECT_EQ(Open(a, *ra), kSecret) << round;
    Attempt b = Prepare(*broker, second, *app_platform_);
    auto rb = broker->Release(b.request);
    ASSERT_THAT(rb, IsOk());
    EXPECT_EQ(Open(b, *rb), "postgres://app:correct-horse@db/app") << round;
  }
}

// Spec §6: a hand-off broker releases at most max_releases times before it expires; a request
// that fails before its record is logged gives its slot back; its statements say "handoff".
TEST_F(BrokerTest, AHandOffBrokerReleasesOnceAndUntilItExpires) {
  Govern();
  BrokerOptions bad = BrokerOpts();
  bad.mode = govern::BrokerMode::kHandoff;
  EXPECT_THAT(Broker::Create(*ledger_, bad), StatusIs(StatusCode::kInvalidArgument));
  BrokerOptions plain = BrokerOpts();
  plain.max_releases = 1;
  EXPECT_THAT(Broker::Create(*ledger_, plain), StatusIs(StatusCode::kInvalidArgument));

  BrokerOptions o = BrokerOpts();
  o.mode = govern::BrokerMode::kHandoff;
  o.max_releases = 1;
  o.expires = clock_->Now() + 600;
  auto created = Broker::Create(*ledger_, o);
  ASSERT_THAT(created, IsOk());
  Broker& broker = **created;
  EXPECT_EQ(broker.mode(), govern::BrokerMode::kHandoff);
  Bytes envelope = Envelope();

  // A failed request (report data for another key) gives its slot back.
  Attempt wrong = Prepare(broker, envelope, *app_platform_);
  wrong.request.enclave_key = X25519PrivateKey::Generate()->public_key();
  EXPECT_THAT(broker.Release(wrong.request), ReasonIs(kReportDataMismatch));
  EXPECT_FALSE(broker.exhausted());

  // Two nonces outstanding, one slot: the first release takes it, the second finds none.
  Attempt a = Prepare(broker, envelope, *app_platform_);
  Attempt b = Prepare(broker, envelope, *app_platform_);
  auto result = broker.Release(a.request);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(Open(a, *result), kSecret);
  EXPECT_TRUE(broker.exhausted());
  EXPECT_EQ(broker.released(), 1u);
  EXPECT_THAT(broker.Release(b.request), ReasonIs(kReleaseLimitReached));
  EXPECT_THAT(broker.Challenge(IdOf(envelope)), ReasonIs(kReleaseLimitReached));

  // Its key announcement and its record say "handoff", and an auditor accepts them.
  std::optional<govern::ReleaseRecord> record = RecordOf(result->record_entry);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->broker_mode, govern::BrokerMode::kHandoff);
  for (const govern::EntryVerdict& v : Audit()) {
    EXPECT_TRUE(v.valid) << v.index << ": " << v.code << " " << v.message;
  }

  // Another hand-off broker, past its lifetime: no nonce, no release.
  o.expires = clock_->Now() + 60;
  auto late = Broker::Create(*ledger_, o);
  ASSERT_THAT(late, IsOk());
  Attempt c = Prepare(**late, envelope, *app_platform_);
  clock_->Advance(std::chrono::seconds(61));
  ledger_->cosign_time = clock_->Now() - 10;
  EXPECT_THAT((*late)->Release(c.request), ReasonIs(kHandoffExpired));
  EXPECT_THAT((*late)->Challenge(IdOf(envelope)), ReasonIs(kHandoffExpired));
  EXPECT_FALSE((*late)->exhausted());
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
  log_accepts_ = false;
  EXPECT_THAT(broker->Release(b.request), ReasonIs(kLogUnreachable));
  log_accepts_ = true;
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
  a = Prepare(*broker, foreign, *app_platform_);  // a refusal is not remembered as a pass
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
  changed.constraint =
      EnclaveConstraint::Parse("C:" + HexEncodeUpper(app_m_) + " C:" +
                               HexEncodeUpper(Measurement("other enclave")) + " SEC:INSECURE")
          ->ToString();
  const PublicKeySign* owners[] = {owner_.get()};
  auto resigned = provision::Envelope::Sign(changed, owners);
  ASSERT_THAT(resigned, IsOk());
  Attempt d = Prepare(*broker, ToBytes(resigned->bytes()), *app_platform_);
  EXPECT_THAT(broker->Release(d.request), ReasonIs(provision::kReasonEnvelopeDecryptFailed));
  d = Prepare(*broker, ToBytes(resigned->bytes()), *app_platform_);  // checked, still sealed
  EXPECT_THAT(broker->Release(d.request), ReasonIs(provision::kReasonEnvelopeDecryptFailed));
  // An owner not on the allowlist.
  BrokerOptions o = BrokerOpts();
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
    BrokerOptions o = BrokerOpts();
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
  RevokeMeasurement(app_m_, "vulnerability");
  Attempt e = Prepare(*broker, envelope, *app_platform_);
  EXPECT_THAT(broker->Release(e.request), ReasonIs(kIdentityRevoked));
  Attempt f = Prepare(*broker, Envelope(true), *app_platform_);
  EXPECT_THAT(broker->Release(f.request), ReasonIs(kIdentityRevoked));
  for (const govern::EntryVerdict& v : Audit()) {
    EXPECT_TRUE(v.valid) << v.index << ": " << v.code << " " << v.message;
  }
}

// The fixture's ledger, whose next checkpoint fetch, once held, waits after fetching until
// the test lets it go on: a broker's ledger read stopped half-way.
class HeldLedger final : public ledger::ReceiptFetcher {
 public:
  explicit HeldLedger(ledger::ReceiptFetcher& inner) : inner_(inner) {}

  void HoldNext() { hold_ = true; }
  // False when no fetch was held within 30 s.
  bool WaitUntilHeld() {
    return held_.get_future().wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  }
  void Release() { go_.set_value(); }

  StatusOr<std::string> FetchCheckpoint() override {
    auto note = inner_.FetchCheckpoint();
    if (hold_.exchange(false)) {
      held_.set_value();
      go_.get_future().wait();
    }
    return note;
  }
  StatusOr<Bytes> FetchTile(const tlog::TileId& id) override { return inner_.FetchTile(id); }
  StatusOr<std::string> FetchProof(uint64_t index) override { return inner_.FetchProof(index); }

 private:
  ledger::ReceiptFetcher& inner_;
  std::atomic<bool> hold_{false};
  std::promise<void> held_;
  std::promise<void> go_;
};

// Concurrent releases share a ledger read only when it started after their nonce was burnt:
// a release that burns its nonce while another's read is under way, after a revocation was
// logged, reads the ledger itself and is refused, whatever the order in which the two then
// run.
TEST_F(BrokerTest, AReleaseDoesNotTakeAViewReadBeforeItsNonceWasBurnt) {
  Govern();
  HeldLedger held(*ledger_);
  auto created = Broker::Create(held, BrokerOpts());
  ASSERT_THAT(created, IsOk());
  Broker& broker = **created;
  const Bytes envelope = Envelope();
  Attempt a = Prepare(broker, envelope, *app_platform_);
  held.HoldNext();
  auto first = std::async(std::launch::async, [&] { return broker.Release(a.request); });
  // The first release reads the ledger itself and has its checkpoint, before the revocation.
  if (!held.WaitUntilHeld()) {
    held.Release();
    FAIL() << "the first release did not read the ledger";
  }
  RevokeMeasurement(app_m_, "vulnerability");
  Attempt b = Prepare(broker, envelope, *app_platform_);
  auto second = std::async(std::launch::async, [&] { return broker.Release(b.request); });
  held.Release();
  EXPECT_THAT(first.get(), IsOk());
  EXPECT_THAT(second.get(), ReasonIs(kIdentityRevoked));
}

TEST_F(BrokerTest, AnUnadmittedBrokerDoesNotStartAndARevokedOneStopsReleasing) {
  Bootstrap();
  auto refused = Broker::Create(*ledger_, BrokerOpts());
  EXPECT_THAT(refused, ReasonIs(kSelfNotAdmitted));
  Admit(govern::Role::kBroker, broker_m_, "vouch-broker");
  app_admission_ = Admit(govern::Role::kWorkload, app_m_, "app");
  ledger_->cosign_time = clock_->Now() - 10;
  auto broker = Start();
  ASSERT_NE(broker, nullptr);
  Bytes envelope = Envelope();
  Attempt a = Prepare(*broker, envelope, *app_platform_);
  RevokeMeasurement(broker_m_, "key_compromise");
  EXPECT_THAT(broker->Release(a.request), ReasonIs(kSelfCheckFailed));
  EXPECT_THAT(broker->status().check, ReasonIs(kSelfRevoked));
  EXPECT_THAT(broker->Challenge(provision::EnvelopeId{}), ReasonIs(kSelfCheckFailed));
}

}  // namespace
}  // namespace vouch::server

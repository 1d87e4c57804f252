#include "vouch/govern/replay.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "dsse/jcs.h"
#include "govern/history_builder.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/govern/art30.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/target_admission.h"

namespace vouch::govern {
namespace {

using ::vouch::govern::testing::ConstraintFor;
using ::vouch::govern::testing::HistoryBuilder;
using ::vouch::govern::testing::Measurement;
using Json = nlohmann::json;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
constexpr char kBuilderA[] = "https://builder-a.example/vouch";
constexpr char kBuilderB[] = "https://builder-b.example/ci";
constexpr char kBuilderC[] = "https://builder-c.example/ci";
constexpr char kCommit1[] = "1111111111111111111111111111111111111111";
constexpr char kCommit2[] = "2222222222222222222222222222222222222222";
constexpr char kCommit3[] = "3333333333333333333333333333333333333333";

// A replayable history in the shape of governance.md §7: provenance A, B → root set 1 (2-of-2)
// → admission → record → release → revocation → set 2 (2-of-3) → set 3 (a root removed, its key
// revoked). Tests replay a prefix of it and append one mutated entry.
class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t0_ = *ParseTimestamp("2026-12-01T09:00:00Z");
    auto hb = HistoryBuilder::Create(t0_);
    ASSERT_THAT(hb, IsOk());
    hb_ = std::move(hb).value();
  }

  Bytes Signed(const Statement& st, const std::vector<std::string>& signers) {
    auto e = hb_->Sign(st, signers);
    EXPECT_THAT(e, IsOk());
    return e.ok() ? *e : Bytes();
  }

  Bytes Prov(const std::string& key, const std::string& id, const Sha256Hash& m,
             const std::string& commit, const std::string& target, int64_t at) {
    return Signed(Statement{hb_->MakeProvenance(id, m, commit, target, t0_ + at)}, {key});
  }

  RootDescriptor Root(const std::string& name, const std::string& key, const Sha256Hash& m,
                      std::vector<EntryRef> refs) {
    auto r = hb_->MakeRoot(name, key, m, std::move(refs));
    EXPECT_THAT(r, IsOk());
    return r.ok() ? *r : RootDescriptor{};
  }

  std::vector<BuilderDescriptor> Builders() {
    return {hb_->MakeBuilder(kBuilderA, {"builder-a"}), hb_->MakeBuilder(kBuilderB, {"builder-b"})};
  }

  RootSet Set1(const std::vector<EntryRef>& refs) {
    return hb_->MakeRootSet(
        1, t0_ + kHour, t0_ + 180 * kDay, 2,
        {Root("root-a", "root-1", root_m_, refs), Root("root-b", "root-2", root_m_, refs)},
        Builders());
  }

  Admission Adm(Role role, const Sha256Hash& m, std::vector<EntryRef> refs, int64_t issued) {
    return hb_->MakeAdmission(role, ConstraintFor(m), t0_ + issued, t0_ + issued + 90 * kDay,
                              std::move(refs));
  }

  ProcessingRecord Record(uint64_t version, std::vector<EntryRef> covers, int64_t issued) {
    ProcessingRecord r;
    r.ledger = testing::kTestOrigin;
    r.issued_on = t0_ + issued;
    r.activity_id = "payroll-db";
    r.activity_version = version;
    r.controllers = {{"controller", Sha256(AsBytes("register entry 1"))}};
    r.purposes = {"Monthly payroll calculation"};
    r.data_subject_categories = {"Employees"};
    r.personal_data_categories = {"Salary and bank details"};
    r.recipient_categories = {"Tax authority"};
    r.erasure_time_limits = {{"Salary and bank details", "P3650D", std::nullopt}};
    r.security_measures = {"Secrets released only to admitted enclaves"};
    r.covers = std::move(covers);
    return r;
  }

  // The broker's identity (summary STALE meets ConstraintFor's SEC:STALE).
  EnclaveIdentity BrokerIdentity(const Sha256Hash& m) {
    EnclaveIdentity id;
    id.mrenclave = m;
    id.mrsigner = Measurement("root signer");  // what HistoryBuilder::MakeQuote attests
    id.isv_prod_id = 1;
    id.isv_svn = 1;
    id.mode = EnclaveMode::kSimulation;
    id.summary = SecuritySummary::kStale;
    id.collateral_time = t0_;
    return id;
  }

  // A broker-key statement announcing `signer`'s key for a broker with MRENCLAVE `m`.
  BrokerKey Announce(const Sha256Hash& m, const std::string& signer, int64_t issued) {
    BrokerKey b;
    b.ledger = testing::kTestOrigin;
    b.issued_on = t0_ + issued;
    b.hpke_key.key = broker_hpke_;
    b.signing_key = hb_->PublicKey(signer);
    b.identity = BrokerIdentity(m);
    auto quote = hb_->MakeQuote(
        m, BrokerKeyReportData(broker_hpke_, hb_->key(signer).verifier().spki_der()));
    EXPECT_THAT(quote, IsOk());
    if (quote.ok()) b.quote = *quote;
    return b;
  }

  // A release of a secret to workload `target` by broker broker_m_ whose signing key is
  // `signer`'s.
  ReleaseRecord Release(const Sha256Hash& target, std::vector<EntryRef> admitted_by, int64_t issued,
                        const std::string& signer = "other") {
    ReleaseRecord r;
    r.ledger = testing::kTestOrigin;
    r.issued_on = t0_ + issued;
    r.release_id.fill(0x11);
    r.envelope_id.fill(0x22);
    r.envelope_sha256 = Sha256(AsBytes("envelope payload"));
    r.broker_mrenclave = broker_m_;
    r.broker_hpke_keyid = X25519KeyId(broker_hpke_);
    r.broker_signing_keyid = hb_->key(signer).verifier().KeyId();
    r.constraint = ConstraintFor(target);
    r.enclave_key.fill(0x33);
    r.identity = BrokerIdentity(target);
    r.quote_sha256 = Sha256(AsBytes("workload quote"));
    r.nonce.fill(0x44);
    r.admitted_by = std::move(admitted_by);
    r.checkpoint_size = 5;
    r.checkpoint_root_hash = Sha256(AsBytes("root"));
    r.owners = {hb_->key("builder-c").verifier().KeyId()};
    return r;
  }

  Revocation Revoke(RevocationKind kind, int64_t issued) {
    Revocation r;
    r.ledger = testing::kTestOrigin;
    r.issued_on = t0_ + issued;
    r.kind = kind;
    r.reason = "vulnerability";
    return r;
  }

  // Builds the base history; members keep each entry's reference.
  void BuildBase() {
    p_root_a_ = hb_->Append(Prov("builder-a", kBuilderA, root_m_, kCommit1, "vouch-root", 0));
    p_root_b_ = hb_->Append(Prov("builder-b", kBuilderB, root_m_, kCommit1, "vouch-root", 60));
    p_hello_a_ = hb_->Append(Prov("builder-a", kBuilderA, hello_m_, kCommit2, "hello", 120));
    p_hello_b_ = hb_->Append(Prov("builder-b", kBuilderB, hello_m_, kCommit2, "hello", 180));
    set1_ = hb_->Append(Signed(Statement{Set1({p_root_a_, p_root_b_})}, {"root-1", "root-2"}));
    adm_ = hb_->Append(
        Signed(Statement{Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour)},
               {"root-1", "root-2"}));
    rec_ = hb_->Append(Signed(Statement{Record(1, {adm_}, 2 * kHour + 300)}, {"root-1", "root-2"}));
    // A release by a broker whose key no broker-key statement announced: invalid.
    rel_ = hb_->Append(Signed(Statement{Release(hello_m_, {adm_}, 3 * kHour)}, {"other"}));
    Revocation rev = Revoke(RevocationKind::kMeasurement, 30 * kDay);
    rev.mrenclave = hello_m_;
    rev_ = hb_->Append(Signed(Statement{rev}, {"root-1", "root-2"}));
    adm_root3_ =
        hb_->Append(Signed(Statement{Adm(Role::kRoot, root_m_, {p_root_a_, p_root_b_}, 31 * kDay)},
                           {"root-1", "root-2"}));
    set2_ = hb_->Append(Signed(Statement{Set2()}, {"root-1", "root-2"}));
    set3_ = hb_->Append(Signed(Statement{hb_->MakeRootSet(3, t0_ + 33 * kDay, t0_ + 400 * kDay, 2,
                                                          {Root("root-a", "root-1", root_m_, {}),
                                                           Root("root-c", "root-3", root_m_, {})},
                                                          Builders())},
                               {"root-1", "root-3"}));
    Revocation rk = Revoke(RevocationKind::kRootKey, 34 * kDay);
    rk.keyid = hb_->key("root-2").verifier().KeyId();
    rk.reason = "superseded";
    rev_root2_ = hb_->Append(Signed(Statement{rk}, {"root-1", "root-3"}));
  }

  RootSet Set2() {
    return hb_->MakeRootSet(
        2, t0_ + 32 * kDay, t0_ + 400 * kDay, 2,
        {Root("root-a", "root-1", root_m_, {}), Root("root-b", "root-2", root_m_, {}),
         Root("root-c", "root-3", root_m_, {})},
        Builders());
  }

  // Replays every entry built so far.
  std::vector<EntryVerdict> ReplayAll(GovernanceState* state) {
    std::vector<EntryVerdict> out;
    for (const Bytes& e : hb_->entries()) out.push_back(state->Append(e));
    return out;
  }

  // Replays the first `n` base entries (all valid), then `extra`; returns the last verdict.
  EntryVerdict After(size_t n, const Bytes& extra, GovernanceState* state_out = nullptr,
                     ReplayOptions options = {}) {
    GovernanceState local(std::move(options));
    GovernanceState& state = state_out ? *state_out : local;
    for (size_t i = 0; i < n; ++i) {
      EntryVerdict v = state.Append(hb_->entries()[i]);
      bool release = rel_.sha256 == v.entry_hash && i == rel_.index;
      EXPECT_TRUE(v.valid || release) << "base entry " << i << ": " << v.code << " " << v.message;
    }
    return state.Append(extra);
  }

  EnclaveInstanceInfo Eii(const Sha256Hash& m, const Sha256Hash& signer = {}, uint16_t product = 1,
                          uint16_t svn = 1) {
    EnclaveInstanceInfo e;
    e.code_hash = m;
    e.code_signer = signer;
    e.product_id = product;
    e.isv_svn = svn;
    e.security.summary = SecuritySummary::kSecure;
    e.security.timestamp = t0_;
    return e;
  }

  UnixSeconds t0_ = 0;
  std::unique_ptr<HistoryBuilder> hb_;
  Sha256Hash root_m_ = Measurement("vouch-root enclave");
  Sha256Hash hello_m_ = Measurement("hello enclave");
  Sha256Hash broker_m_ = Measurement("broker enclave");
  X25519PublicKey broker_hpke_ = Measurement("broker hpke key");
  EntryRef p_root_a_, p_root_b_, p_hello_a_, p_hello_b_, set1_, adm_, rec_, rel_, rev_, adm_root3_,
      set2_, set3_, rev_root2_;
};

#define EXPECT_VERDICT(verdict, want)       \
  do {                                      \
    EntryVerdict v_ = (verdict);            \
    EXPECT_FALSE(v_.valid);                 \
    EXPECT_EQ(v_.code, want) << v_.message; \
  } while (false)

// Provisioning §3.7: a release record is valid only when signed by a broker key that a valid
// broker-key statement announced earlier, by a broker admitted at the release's position.
// Provisioning §5.3: a re-wrap is judged for its ledger only (its signers are the envelope
// owner's, unknown to the ledger), listed as class rewrap, and changes no state.
TEST_F(ReplayTest, RewrapsAreJudgedForTheirLedgerAndChangeNoState) {
  EntryRef pa = hb_->Append(Prov("builder-a", kBuilderA, root_m_, kCommit1, "vouch-root", 0));
  EntryRef pb = hb_->Append(Prov("builder-b", kBuilderB, root_m_, kCommit1, "vouch-root", 60));
  hb_->Append(Signed(Statement{Set1({pa, pb})}, {"root-1", "root-2"}));
  ReplayOptions options;
  options.origin = testing::kTestOrigin;
  GovernanceState state(options);
  for (const Bytes& e : hb_->entries()) ASSERT_TRUE(state.Append(e).valid);
  Rewrap w;
  w.ledger = testing::kTestOrigin;
  w.issued_on = t0_ + 2 * kHour;
  w.reason = "wrong_measurement";
  w.from = {ReleaseId{1}, Sha256(AsBytes("old envelope")), ConstraintFor(hello_m_)};
  w.to = {ReleaseId{2}, Sha256(AsBytes("new envelope")), ConstraintFor(broker_m_)};
  w.to_broker_keyid = std::string(64, 'd');
  w.threshold = 2;
  w.custodians = {std::string(64, 'a'), std::string(64, 'b')};
  const size_t before = state.size();
  EntryVerdict v = state.Append(Signed(Statement{w}, {"other"}));
  EXPECT_TRUE(v.valid) << v.code << " " << v.message;
  EXPECT_EQ(v.kind, StatementKind::kRewrap);
  EXPECT_EQ(state.size(), before + 1);
  EXPECT_TRUE(state.Releases().empty());
  w.ledger = "another.example/log";
  v = state.Append(Signed(Statement{w}, {"other"}));
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.code, kLedgerMismatch);
}

TEST_F(ReplayTest, ReleaseRecordsNeedAnAnnouncedKeyOfAnAdmittedBroker) {
  EntryRef pa = hb_->Append(Prov("builder-a", kBuilderA, root_m_, kCommit1, "vouch-root", 0));
  EntryRef pb = hb_->Append(Prov("builder-b", kBuilderB, root_m_, kCommit1, "vouch-root", 60));
  EntryRef ba = hb_->Append(Prov("builder-a", kBuilderA, broker_m_, kCommit3, "broker", 120));
  EntryRef bb = hb_->Append(Prov("builder-b", kBuilderB, broker_m_, kCommit3, "broker", 180));
  hb_->Append(Signed(Statement{Set1({pa, pb})}, {"root-1", "root-2"}));
  EntryRef adm = hb_->Append(
      Signed(Statement{Adm(Role::kBroker, broker_m_, {ba, bb}, 2 * kHour)}, {"root-1", "root-2"}));
  const size_t base = hb_->entries().size();
  ReplayOptions options;
  options.origin = testing::kTestOrigin;
  auto replay = [&](const std::vector<Bytes>& extra) {
    GovernanceState state(options);
    for (size_t i = 0; i < base; ++i) {
      EntryVerdict v = state.Append(hb_->entries()[i]);
      EXPECT_TRUE(v.valid) << i << ": " << v.code << " " << v.message;
    }
    std::vector<EntryVerdict> out;
    out.reserve(extra.size());
    for (const Bytes& e : extra) out.push_back(state.Append(e));
    return out;
  };
  Bytes announce = Signed(Statement{Announce(broker_m_, "other", 3 * kHour)}, {"other"});
  Bytes release = Signed(Statement{Release(hello_m_, {adm}, 4 * kHour)}, {"other"});

  auto v = replay({announce, release});
  EXPECT_TRUE(v[0].valid) << v[0].code << " " << v[0].message;
  EXPECT_EQ(v[0].kind, StatementKind::kBrokerKey);
  EXPECT_TRUE(v[1].valid) << v[1].code << " " << v[1].message;
  EXPECT_EQ(v[1].kind, StatementKind::kReleaseRecord);

  // Entries this process signed itself (dsse/self_signed.h) are not verified again: shown by a
  // record whose signature is broken, taken as signed only while it is recorded under the key
  // it names (a process records only what it signed, so no verdict changes).
  {
    auto parsed = dsse::LedgerEntry::Parse(release);
    ASSERT_THAT(parsed, IsOk());
    dsse::Signature bad = parsed->signatures()[0];
    bad.sig[0] ^= 1;
    auto broken = dsse::LedgerEntry::Create(parsed->payload(), {bad});
    ASSERT_THAT(broken, IsOk());
    const Bytes broken_bytes = ToBytes(broken->bytes());
    EXPECT_FALSE(replay({announce, broken_bytes})[1].valid);
    auto self_signed = std::make_shared<dsse::SelfSignedEntries>();
    self_signed->Add(hb_->key("other").verifier(), *broken);
    options.self_signed = self_signed;
    v = replay({announce, broken_bytes});
    EXPECT_TRUE(v[1].valid) << v[1].code << " " << v[1].message;
    auto under_another_key = std::make_shared<dsse::SelfSignedEntries>();
    under_another_key->Add(hb_->key("root-1").verifier(), *broken);
    options.self_signed = under_another_key;
    EXPECT_FALSE(replay({announce, broken_bytes})[1].valid);
    options.self_signed = nullptr;
  }

  // Statements parsed before (ReplayOptions::parsed: what EncodeStatement parsed back) are
  // taken by their payload's digest instead of parsing the payload again: shown by a record
  // whose payload is not canonical, refused when parsed, taken while a statement is
  // remembered under that payload's digest (EncodeStatement remembers only what parsed, so no
  // verdict changes).
  {
    auto parsed = dsse::LedgerEntry::Parse(release);
    ASSERT_THAT(parsed, IsOk());
    std::string spaced(AsStringView(parsed->payload()));
    spaced.insert(1, " ");  // the same JSON, not in canonical form
    const Bytes payload = ToBytes(spaced);
    auto sig = dsse::SignPayload(hb_->key("other"), dsse::kInTotoPayloadType, payload);
    ASSERT_THAT(sig, IsOk());
    auto entry = dsse::LedgerEntry::Create(payload, {*sig});
    ASSERT_THAT(entry, IsOk());
    const Bytes spaced_entry = ToBytes(entry->bytes());
    EXPECT_EQ(replay({announce, spaced_entry})[1].code, kPayloadNotCanonical);
    auto statement = ParseStatement(parsed->payload());
    ASSERT_THAT(statement, IsOk());
    auto memo = std::make_shared<ParsedStatements>(4);
    memo->Put(Sha256(payload), std::make_shared<const Statement>(*statement));
    options.parsed = memo;
    v = replay({announce, spaced_entry});
    EXPECT_TRUE(v[1].valid) << v[1].code << " " << v[1].message;
    EXPECT_EQ(v[1].kind, StatementKind::kReleaseRecord);
    auto under_another_digest = std::make_shared<ParsedStatements>(4);
    under_another_digest->Put(Sha256(parsed->payload()),
                              std::make_shared<const Statement>(*statement));
    options.parsed = under_another_digest;
    EXPECT_EQ(replay({announce, spaced_entry})[1].code, kPayloadNotCanonical);
    options.parsed = nullptr;
  }

  // Valid releases are counted for the activity they name (§4.3, the Art. 30 export); a release
  // without one, or an invalid one, is not.
  {
    GovernanceState state(options);
    for (size_t i = 0; i < base; ++i) (void)state.Append(hb_->entries()[i]);
    const Bytes record = Signed(Statement{Record(1, {adm}, 2 * kHour + 600)}, {"root-1", "root-2"});
    const EntryRef rec{state.size(), Sha256(record)};
    ASSERT_TRUE(state.Append(record).valid);
    auto for_activity = [&](int64_t issued, EntryRef ref = {}, uint64_t version = 1,
                            const std::string& activity = "payroll-db") {
      ReleaseRecord r = Release(hello_m_, {adm}, issued);
      r.activity_id = activity;
      r.activity_version = version;
      r.record = ref.sha256 == Sha256Digest{} ? rec : ref;
      return Statement{r};
    };
    EXPECT_EQ(state.ActivityReleases("payroll-db").releases, 0u);
    EXPECT_FALSE(state.Append(Signed(for_activity(5 * kHour), {"other"})).valid);  // unannounced
    EXPECT_TRUE(state.Append(announce).valid);
    EXPECT_TRUE(state.Append(release).valid);
    // `record` names the activity's processing record, of its version (governance §3.6.1).
    EXPECT_EQ(state.Append(Signed(for_activity(5 * kHour, adm), {"other"})).code,
              kReferenceNotFound);
    EXPECT_EQ(state.Append(Signed(for_activity(5 * kHour, rec, 2), {"other"})).code,
              kReleaseRecordMismatch);
    EXPECT_EQ(
        state.Append(Signed(for_activity(5 * kHour, rec, 1, "other-activity"), {"other"})).code,
        kReleaseRecordMismatch);
    EXPECT_TRUE(state.Append(Signed(for_activity(5 * kHour), {"other"})).valid);
    EXPECT_TRUE(state.Append(Signed(for_activity(4 * kHour), {"other"})).valid);
    ReleaseTally tally = state.ActivityReleases("payroll-db");
    EXPECT_EQ(tally.releases, 2u);
    EXPECT_EQ(tally.first, t0_ + 4 * kHour);
    EXPECT_EQ(tally.last, t0_ + 5 * kHour);
    EXPECT_EQ(state.ActivityReleases("other-activity").releases, 0u);
    // Listed in log order, the invalid one left out.
    const std::vector<ReleaseSummary>& listed = state.Releases();
    ASSERT_EQ(listed.size(), 3u);
    EXPECT_EQ(listed[0].activity_id, std::nullopt);
    EXPECT_EQ(listed[1].activity_id, "payroll-db");
    EXPECT_EQ(listed[1].issued_on, t0_ + 5 * kHour);
    EXPECT_EQ(listed[2].issued_on, t0_ + 4 * kHour);
    EXPECT_LT(listed[1].entry.index, listed[2].entry.index);
    EXPECT_EQ(listed[2].identity.mrenclave, hello_m_);
    EXPECT_EQ(listed[2].broker_mrenclave, broker_m_);
    EXPECT_EQ(listed[2].envelope_id, Release(hello_m_, {adm}, 0).envelope_id);

    // Replayed without the list (a service's view): the same verdicts and tallies, nothing
    // listed, so nothing that grows with every release.
    ReplayOptions unlisted = options;
    unlisted.list_releases = false;
    GovernanceState decided(unlisted);
    for (size_t i = 0; i < base; ++i) (void)decided.Append(hb_->entries()[i]);
    EXPECT_TRUE(decided.Append(record).valid);
    EXPECT_TRUE(decided.Append(announce).valid);
    EXPECT_TRUE(decided.Append(release).valid);
    EXPECT_TRUE(decided.Append(Signed(for_activity(5 * kHour), {"other"})).valid);
    EXPECT_TRUE(decided.Append(Signed(for_activity(4 * kHour), {"other"})).valid);
    EXPECT_TRUE(decided.Releases().empty());
    tally = decided.ActivityReleases("payroll-db");
    EXPECT_EQ(tally.releases, 2u);
    EXPECT_EQ(tally.first, t0_ + 4 * kHour);
    EXPECT_EQ(tally.last, t0_ + 5 * kHour);
  }

  // The release before the announcement.
  v = replay({release, announce});
  EXPECT_EQ(v[0].code, kBrokerKeyUnannounced);
  EXPECT_TRUE(v[1].valid);
  // Signed by another key than the one it names, or by it and another.
  ReleaseRecord forged = Release(hello_m_, {adm}, 4 * kHour);
  v = replay({announce, Signed(Statement{forged}, {"builder-c"})});
  EXPECT_EQ(v[1].code, dsse::kThresholdNotMet) << v[1].message;
  v = replay({announce, Signed(Statement{forged}, {"builder-c", "other"})});
  EXPECT_TRUE(v[1].valid) << v[1].code;
  // Another broker MRENCLAVE or HPKE key than the announcement's.
  ReleaseRecord other_broker = forged;
  other_broker.broker_mrenclave = hello_m_;
  v = replay({announce, Signed(Statement{other_broker}, {"other"})});
  EXPECT_EQ(v[1].code, kBrokerKeyMismatch);
  ReleaseRecord other_hpke = forged;
  other_hpke.broker_hpke_keyid = std::string(64, 'a');
  v = replay({announce, Signed(Statement{other_hpke}, {"other"})});
  EXPECT_EQ(v[1].code, kBrokerKeyMismatch);
  // A key announced by an identity not admitted for broker: the announcement and every release
  // signed with the key are invalid.
  Bytes unadmitted = Signed(Statement{Announce(hello_m_, "other", 3 * kHour)}, {"other"});
  v = replay({unadmitted, release});
  EXPECT_EQ(v[0].code, kBrokerNotAdmitted) << v[0].message;
  EXPECT_EQ(v[1].code, kBrokerKeyUnannounced);
  // The quote: malformed, binding other keys, or attesting another identity.
  BrokerKey junk = Announce(broker_m_, "other", 3 * kHour);
  junk.quote = ToBytes("not a quote");
  v = replay({Signed(Statement{junk}, {"other"}), release});
  EXPECT_EQ(v[0].code, kBrokerEvidenceMalformed);
  EXPECT_EQ(v[1].code, kBrokerKeyUnannounced);
  BrokerKey unbound = Announce(broker_m_, "other", 3 * kHour);
  unbound.hpke_key.key = Measurement("another hpke key");
  v = replay({Signed(Statement{unbound}, {"other"})});
  EXPECT_EQ(v[0].code, kBrokerKeyBindingMismatch);
  BrokerKey other_svn = Announce(broker_m_, "other", 3 * kHour);
  other_svn.identity.isv_svn = 2;
  v = replay({Signed(Statement{other_svn}, {"other"})});
  EXPECT_EQ(v[0].code, kBrokerIdentityMismatch);
  // A broker-key statement signed by another key than the one it announces.
  v = replay({Signed(Statement{Announce(broker_m_, "other", 3 * kHour)}, {"builder-c"}), release});
  EXPECT_EQ(v[0].code, dsse::kThresholdNotMet);
  EXPECT_EQ(v[1].code, kBrokerKeyUnannounced);
  // Before the broker's admission is valid, and after its measurement is revoked.
  v = replay({Signed(Statement{Announce(broker_m_, "other", kHour + 60)}, {"other"})});
  EXPECT_EQ(v[0].code, kBrokerNotAdmitted) << v[0].message;
  Revocation rev = Revoke(RevocationKind::kMeasurement, 5 * kHour);
  rev.mrenclave = broker_m_;
  Bytes revoke = Signed(Statement{rev}, {"root-1", "root-2"});
  v = replay({announce, release, revoke,
              Signed(Statement{Release(hello_m_, {adm}, 6 * kHour)}, {"other"})});
  EXPECT_TRUE(v[1].valid);
  EXPECT_TRUE(v[2].valid) << v[2].code << " " << v[2].message;
  EXPECT_EQ(v[3].code, kBrokerNotAdmitted) << v[3].message;
  // Another ledger.
  ReleaseRecord elsewhere = forged;
  elsewhere.ledger = "other.example/log";
  v = replay({announce, Signed(Statement{elsewhere}, {"other"})});
  EXPECT_EQ(v[1].code, kLedgerMismatch);
}

TEST_F(ReplayTest, BaseHistoryReplaysWithTheExpectedVerdicts) {
  BuildBase();
  ReplayOptions options;
  options.origin = testing::kTestOrigin;
  auto st1 = ParseStatement(*Base64Decode(
      Json::parse(AsStringView(hb_->entries()[set1_.index]))["payload"].get<std::string>()));
  ASSERT_THAT(st1, IsOk());
  options.root_set_pin = Sha256(*EncodeStatement(*st1));
  GovernanceState state(options);
  std::vector<EntryVerdict> v = ReplayAll(&state);
  ASSERT_EQ(v.size(), 13u);
  for (const EntryVerdict& e : v) {
    if (e.index == rel_.index) {
      EXPECT_EQ(e.code, kBrokerKeyUnannounced);
      EXPECT_EQ(e.kind, StatementKind::kReleaseRecord);
      continue;
    }
    EXPECT_TRUE(e.valid) << e.index << ": " << e.code << " " << e.message;
    EXPECT_EQ(e.entry_hash, Sha256(hb_->entries()[e.index]));
  }
  EXPECT_EQ(v[set1_.index].kind, StatementKind::kRootSet);
  EXPECT_EQ(v[adm_.index].kind, StatementKind::kAdmission);
  EXPECT_EQ(v[rec_.index].kind, StatementKind::kProcessingRecord);
  // No collateral given: each root's evidence is a warning, never an alarm.
  ASSERT_EQ(v[set1_.index].findings.size(), 2u);
  EXPECT_EQ(v[set1_.index].findings[0].code, kRootEvidenceUnverified);
  EXPECT_EQ(v[set1_.index].findings[0].severity, Severity::kWarning);

  auto chain = state.RootSetChain();
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0].version, 1u);
  EXPECT_EQ(chain[1].roots[2].source, "admission " + std::to_string(adm_root3_.index));
  EXPECT_EQ(chain[1].roots[1].source, "set 1 references");
  EXPECT_EQ(chain[2].roots.size(), 2u);
  auto repro = state.Reproductions();
  ASSERT_EQ(repro.size(), 2u);
  for (const auto& r : repro) {
    EXPECT_FALSE(r.conflict);
    ASSERT_EQ(r.measurements.size(), 1u);
    EXPECT_EQ(r.measurements[0].builders.size(), 2u);
  }
  auto admissions = state.Admissions(t0_ + 35 * kDay);
  ASSERT_EQ(admissions.size(), 2u);
  EXPECT_FALSE(admissions[0].in_force);  // hello: its MRENCLAVE was revoked
  EXPECT_TRUE(admissions[1].in_force) << admissions[1].reason;
  EXPECT_EQ(state.Revocations().size(), 2u);
  ASSERT_EQ(state.Records().size(), 1u);
  EXPECT_EQ(state.Records()[0].record.activity_id, "payroll-db");
}

TEST_F(ReplayTest, QueryAnswersAtEveryPosition) {
  BuildBase();
  GovernanceState state({});
  ReplayAll(&state);
  EnclaveInstanceInfo hello = Eii(hello_m_);
  UnixSeconds t = t0_ + 3 * kHour;
  // Before the admission, at it, after it, after the revocation.
  EXPECT_EQ(state.Admitted(hello, Role::kWorkload, adm_.index, t).code, kNotAdmitted);
  AdmissionDecision d = state.Admitted(hello, Role::kWorkload, adm_.index + 1, t);
  ASSERT_TRUE(d.admitted) << d.code << " " << d.message;
  ASSERT_EQ(d.by.size(), 1u);
  EXPECT_EQ(d.by[0], adm_);
  EXPECT_TRUE(state.Admitted(hello, Role::kWorkload, rev_.index, t).admitted);
  EXPECT_EQ(state.Admitted(hello, Role::kWorkload, rev_.index + 1, t).code, kRevoked);
  // Another role, another measurement.
  EXPECT_EQ(state.Admitted(hello, Role::kBroker, rev_.index, t).code, kNotAdmitted);
  EXPECT_EQ(state.Admitted(Eii(Measurement("x")), Role::kWorkload, rev_.index, t).code,
            kNotAdmitted);
  // Times: before notBefore, after expires, after the root set expired.
  EXPECT_EQ(state.Admitted(hello, Role::kWorkload, rev_.index, t0_).code, kNotYetValid);
  EXPECT_EQ(state.Admitted(hello, Role::kWorkload, rev_.index, t0_ + 93 * kDay).code, kExpired);
  EXPECT_EQ(state.Admitted(hello, Role::kWorkload, rev_.index, t0_ + 181 * kDay).code,
            kRootSetExpired);
  EXPECT_EQ(state.Admitted(hello, Role::kWorkload, 0, t).code, kNoRootSet);
  // The constraint's full check: SEC:STALE refuses INSECURE evidence.
  EnclaveInstanceInfo insecure = hello;
  insecure.security.summary = SecuritySummary::kInsecure;
  AdmissionDecision c = state.Admitted(insecure, Role::kWorkload, rev_.index, t);
  EXPECT_EQ(c.code, kConstraintFailed);
  // Roots.
  EnclaveInstanceInfo root = Eii(root_m_);
  ByteSpan k1 = hb_->key("root-1").verifier().spki_der();
  ByteSpan k2 = hb_->key("root-2").verifier().spki_der();
  ByteSpan k3 = hb_->key("root-3").verifier().spki_der();
  UnixSeconds later = t0_ + 35 * kDay;
  EXPECT_THAT(state.RootInForce(root, k2, set1_.index, later), ReasonIs(kNoRootSet));
  EXPECT_THAT(state.RootInForce(root, k2, set1_.index + 1, t), IsOk());
  EXPECT_THAT(state.RootInForce(root, k3, set1_.index + 1, t), ReasonIs(kNotAdmitted));
  EXPECT_THAT(state.RootInForce(root, k3, set2_.index + 1, later), IsOk());
  EXPECT_THAT(state.RootInForce(root, k2, set2_.index + 1, later), IsOk());
  EXPECT_THAT(state.RootInForce(root, k2, set3_.index + 1, later), ReasonIs(kNotAdmitted));
  EXPECT_THAT(state.RootInForce(root, k1, state.size(), later), IsOk());
  EXPECT_THAT(state.RootInForce(Eii(hello_m_), k1, state.size(), later),
              ReasonIs(kConstraintFailed));
  // The admission for root-3 answers the role query too.
  EXPECT_TRUE(state.Admitted(root, Role::kRoot, state.size(), later).admitted);
}

// S3 of a root set: the schema of §3.3, checked before any state is consulted.
TEST_F(ReplayTest, RootSetSchema) {
  BuildBase();
  Statement st{Set1({p_root_a_, p_root_b_})};
  Json base = Json::parse(AsStringView(*EncodeStatement(st)));
  auto code = [&](const Json& j) {
    ParseDiagnostics diag;
    auto r = ParseStatement(ToBytes(*internal::CanonicalJson(j)), &diag);
    return r.ok() ? std::string("ok") : r.status().reason() + " " + diag.path;
  };
  EXPECT_EQ(code(base), "ok");
  Json j = base;
  j["predicate"]["threshold"] = 3;
  EXPECT_EQ(code(j), "predicate_malformed /predicate/threshold");
  j = base;
  j["predicate"]["version"] = 2;
  EXPECT_EQ(code(j), "predicate_malformed /predicate/roots/0/reproducedBy");
  j = base;
  j["predicate"]["roots"][0].erase("reproducedBy");
  EXPECT_EQ(code(j), "predicate_malformed /predicate/roots/0/reproducedBy");
  j = base;
  j["predicate"]["roots"][1]["name"] = "root-a";
  EXPECT_EQ(code(j), "predicate_malformed /predicate/roots/1/name");
  j = base;
  j["predicate"]["roots"][0]["key"]["keyid"] = std::string(64, '0');
  EXPECT_EQ(code(j), "keyid_mismatch /predicate/roots/0/key/keyid");
  j = base;
  // The DSSE spec's P-256 key with a compressed point: a second encoding of one key.
  j["predicate"]["roots"][0]["key"]["spki"] = Base64Encode(*HexDecode(
      "3039301306072a8648ce3d020106082a8648ce3d0301070322000267cd390f77aa359cb08c2235f652270493"
      "a9ed832b0abcc01f70954c0390d238"));
  EXPECT_EQ(code(j), "key_malformed /predicate/roots/0/key/spki");
  j = base;
  j["predicate"]["roots"][0]["constraint"] = "S:" + std::string(64, 'A') + " PROD:1 SEC:STALE";
  EXPECT_EQ(code(j), "constraint_not_allowed /predicate/roots/0/constraint");
  j = base;
  j["predicate"]["roots"][0]["evidence"]["quote"] = "not base64!";
  EXPECT_EQ(code(j), "predicate_malformed /predicate/roots/0/evidence/quote");
  j = base;
  j["predicate"]["roots"][0]["evidence"]["collateral"]["digest"] = {
      {"sha256", std::string(64, 'a')}};
  EXPECT_EQ(code(j), "predicate_malformed /predicate/roots/0/evidence/collateral/digest/dirHash");
  j = base;
  j["predicate"]["policy"]["reproductionThreshold"] = 3;
  EXPECT_EQ(code(j), "predicate_malformed /predicate/policy/reproductionThreshold");
  j = base;
  j["predicate"]["policy"]["maxIssueLag"] = "1h";
  EXPECT_EQ(code(j), "predicate_malformed /predicate/policy/maxIssueLag");
  j = base;
  j["predicate"]["builders"][0]["keys"] = Json::array();
  EXPECT_EQ(code(j), "predicate_malformed /predicate/builders/0/keys");
  j = base;
  j["subject"][0]["digest"]["sha256"] = std::string(64, 'f');
  EXPECT_EQ(code(j), "subject_mismatch /subject");
}

TEST_F(ReplayTest, PinOriginAndOrdering) {
  BuildBase();
  ReplayOptions wrong_pin;
  wrong_pin.root_set_pin = Sha256(AsBytes("another root set"));
  EXPECT_VERDICT(After(set1_.index, hb_->entries()[set1_.index], nullptr, wrong_pin),
                 kRootSetPinMismatch);
  ReplayOptions other_origin;
  other_origin.origin = "other.example/log";
  EXPECT_VERDICT(After(set1_.index, hb_->entries()[set1_.index], nullptr, other_origin),
                 kLedgerMismatch);
  // Without a pin the first set is trusted on first use, with a warning.
  EntryVerdict tofu = After(set1_.index, hb_->entries()[set1_.index]);
  EXPECT_TRUE(tofu.valid);
  EXPECT_TRUE(std::any_of(tofu.findings.begin(), tofu.findings.end(),
                          [](const Finding& f) { return f.code == kRootSetUnpinned; }));
  // Governance before any root set.
  EXPECT_VERDICT(After(set1_.index, hb_->entries()[adm_.index]), kNoRootSet);
  // An admission for another ledger.
  Admission a = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour);
  a.ledger = "other.example/log";
  EXPECT_VERDICT(After(adm_.index, Signed(Statement{a}, {"root-1", "root-2"})), kLedgerMismatch);
  // Replaying an entry at a later position is judged again there: a second copy of root set 1.
  EXPECT_VERDICT(After(adm_.index, hb_->entries()[set1_.index]), kRootSetVersionReplayed);
}

TEST_F(ReplayTest, SignatureCounting) {
  BuildBase();
  Statement adm{Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour)};
  // Threshold minus one.
  EXPECT_VERDICT(After(adm_.index, Signed(adm, {"root-1"})), dsse::kThresholdNotMet);
  // A signer outside the set is ignored, never an error.
  EXPECT_VERDICT(After(adm_.index, Signed(adm, {"root-1", "root-3"})), dsse::kThresholdNotMet);
  EXPECT_TRUE(After(adm_.index, Signed(adm, {"root-1", "root-2", "root-3"})).valid);
  // One key signing twice, under its keyid and under another (foreign) keyid: counted once.
  Bytes payload = *EncodeStatement(adm);
  auto sig = *dsse::SignPayload(hb_->key("root-1"), dsse::kInTotoPayloadType, payload);
  dsse::Signature alias = sig;
  alias.keyid = std::string(64, 'a');
  auto twice = dsse::LedgerEntry::Create(payload, {sig, alias});
  ASSERT_THAT(twice, IsOk());
  EXPECT_VERDICT(After(adm_.index, ToBytes(twice->bytes())), dsse::kThresholdNotMet);
  // The same keyid twice is not even a canonical entry.
  std::string both = R"({"payload":")" + Base64Encode(payload) +
                     R"(","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":")" +
                     sig.keyid + R"(","sig":")" + Base64Encode(sig.sig) + R"("},{"keyid":")" +
                     sig.keyid + R"(","sig":")" + Base64Encode(sig.sig) + R"("}]})";
  EXPECT_VERDICT(After(adm_.index, ToBytes(both)), dsse::kDuplicateSigner);
  // A signature naming a trusted key that does not verify rejects the statement.
  auto good2 = *dsse::SignPayload(hb_->key("root-2"), dsse::kInTotoPayloadType, payload);
  good2.sig[5] ^= 1;
  auto bad = dsse::LedgerEntry::Create(payload, {sig, good2});
  EXPECT_VERDICT(After(adm_.index, ToBytes(bad->bytes())), dsse::kStatementSignatureInvalid);
}

TEST_F(ReplayTest, RootSetRotationRules) {
  BuildBase();
  // Version gap, replay, first set not 1.
  RootSet v3 = Set2();
  v3.version = 3;
  EXPECT_VERDICT(After(set2_.index, Signed(Statement{v3}, {"root-1", "root-2"})),
                 kRootSetVersionGap);
  EXPECT_VERDICT(
      After(set2_.index, Signed(Statement{Set1({p_root_a_, p_root_b_})}, {"root-1", "root-2"})),
      kRootSetVersionReplayed);
  EXPECT_VERDICT(After(set3_.index, hb_->entries()[set2_.index]), kRootSetVersionReplayed);
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{Set2()}, {"root-1", "root-2", "root-3"})),
                 kRootSetVersionGap);
  // Signed only by the old set (new set root-3 + root-4, threshold 2).
  RootSet fresh = hb_->MakeRootSet(
      2, t0_ + 32 * kDay, t0_ + 400 * kDay, 2,
      {Root("root-c", "root-3", root_m_, {}), Root("root-d", "root-4", root_m_, {})}, Builders());
  EXPECT_VERDICT(After(set2_.index, Signed(Statement{fresh}, {"root-1", "root-2"})),
                 kNewSetThresholdNotMet);
  // Only by the new set.
  EXPECT_VERDICT(After(set2_.index, Signed(Statement{fresh}, {"root-3", "root-4"})),
                 kOldSetThresholdNotMet);
  // Old threshold minus one.
  EXPECT_VERDICT(After(set2_.index, Signed(Statement{fresh}, {"root-1", "root-3", "root-4"})),
                 kOldSetThresholdNotMet);
  // A key in both sets counts in both: root-1 + root-2 carry the set.
  EXPECT_TRUE(After(set2_.index, hb_->entries()[set2_.index]).valid);
  // Set 1 itself must meet its own threshold.
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{Set1({p_root_a_, p_root_b_})}, {"root-1"})),
                 kNewSetThresholdNotMet);
  // Time: a new set issued before the one in force.
  RootSet early = Set2();
  early.issued_on = t0_;
  EXPECT_VERDICT(After(set2_.index, Signed(Statement{early}, {"root-1", "root-2"})),
                 kIssuedBeforeRootSet);
  RootSet backwards = Set2();
  backwards.expires = backwards.issued_on;
  EXPECT_VERDICT(After(set2_.index, Signed(Statement{backwards}, {"root-1", "root-2"})), kExpired);
}

TEST_F(ReplayTest, RootSetKeysAndEvidence) {
  BuildBase();
  RootSet dup_key = Set1({p_root_a_, p_root_b_});
  dup_key.builders[1].keys.push_back(hb_->PublicKey("root-1"));
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{dup_key}, {"root-1", "root-2"})),
                 kDuplicateKey);
  RootSet dup_builder = Set1({p_root_a_, p_root_b_});
  dup_builder.builders[1].id = kBuilderA;
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{dup_builder}, {"root-1", "root-2"})),
                 kDuplicateBuilder);
  // A revoked key cannot be listed again.
  RootSet with_revoked = hb_->MakeRootSet(
      4, t0_ + 35 * kDay, t0_ + 400 * kDay, 2,
      {Root("root-a", "root-1", root_m_, {}), Root("root-b", "root-2", root_m_, {}),
       Root("root-c", "root-3", root_m_, {})},
      Builders());
  EXPECT_VERDICT(
      After(hb_->entries().size(), Signed(Statement{with_revoked}, {"root-1", "root-3"})),
      kKeyRevoked);
  // Evidence: garbage quote, key binding for another key, MRENCLAVE outside the constraint.
  RootSet garbage = Set1({p_root_a_, p_root_b_});
  garbage.roots[0].quote = ToBytes("not a quote");
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{garbage}, {"root-1", "root-2"})),
                 kRootEvidenceMalformed);
  RootSet binding = Set1({p_root_a_, p_root_b_});
  binding.roots[0] = *hb_->MakeRootWithReportData(
      "root-a", "root-1", root_m_, RootKeyReportData(hb_->key("root-2").verifier().spki_der()),
      {p_root_a_, p_root_b_});
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{binding}, {"root-1", "root-2"})),
                 kRootKeyBindingMismatch);
  RootSet other_m = Set1({p_root_a_, p_root_b_});
  other_m.roots[0].constraint = ConstraintFor(hello_m_);
  other_m.roots[0].reproduced_by = {p_hello_a_, p_hello_b_};
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{other_m}, {"root-1", "root-2"})),
                 kRootConstraintNotMet);
}

TEST_F(ReplayTest, RootSetReproductionAndAdmission) {
  BuildBase();
  // Set 1 whose references include another measurement's build.
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{Set1({p_root_a_, p_root_b_, p_hello_a_})},
                                           {"root-1", "root-2"})),
                 kNotReproduced);
  // Set 1 whose roots are reproduced by one builder only.
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{Set1({p_root_a_})}, {"root-1", "root-2"})),
                 kNotReproduced);
  // References to a later entry, to no entry, to a non-provenance entry.
  EXPECT_VERDICT(
      After(set1_.index, Signed(Statement{Set1({p_root_a_, {set1_.index, p_root_b_.sha256}})},
                                {"root-1", "root-2"})),
      kReferenceNotFound);
  EXPECT_VERDICT(After(set1_.index, Signed(Statement{Set1({p_root_a_, {1, p_root_a_.sha256}})},
                                           {"root-1", "root-2"})),
                 kReferenceNotFound);
  // A new root without an admission for role root.
  EXPECT_VERDICT(After(adm_root3_.index, hb_->entries()[set2_.index]), kRootNotAdmitted);
  // A revoked root measurement cannot be carried.
  Revocation rev = Revoke(RevocationKind::kMeasurement, 31 * kDay + 60);
  rev.mrenclave = root_m_;
  GovernanceState state({});
  EntryVerdict r = After(set2_.index, Signed(Statement{rev}, {"root-1", "root-2"}), &state);
  ASSERT_TRUE(r.valid) << r.code;
  EXPECT_VERDICT(state.Append(hb_->entries()[set2_.index]), kRevoked);
}

TEST_F(ReplayTest, ExpiredRootSetFreezesUntilRenewed) {
  BuildBase();
  // After set 1 expired nothing is issued ...
  Admission late = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 181 * kDay);
  EXPECT_VERDICT(After(adm_.index, Signed(Statement{late}, {"root-1", "root-2"})), kRootSetExpired);
  // ... a renewal that only carries its roots still works ...
  RootSet renew = hb_->MakeRootSet(
      2, t0_ + 181 * kDay, t0_ + 500 * kDay, 2,
      {Root("root-a", "root-1", root_m_, {}), Root("root-b", "root-2", root_m_, {})}, Builders());
  GovernanceState state({});
  EntryVerdict v =
      After(adm_root3_.index + 1, Signed(Statement{renew}, {"root-1", "root-2"}), &state);
  EXPECT_TRUE(v.valid) << v.code << " " << v.message;
  EXPECT_THAT(state.RootInForce(Eii(root_m_), hb_->key("root-1").verifier().spki_der(),
                                state.size(), t0_ + 182 * kDay),
              IsOk());
  // ... but adding a root needs an unexpired set, even with an admission for it.
  GovernanceState grown({});
  Admission root3 = Adm(Role::kRoot, root_m_, {p_root_a_, p_root_b_}, 100 * kDay);
  ASSERT_TRUE(After(adm_.index, Signed(Statement{root3}, {"root-1", "root-2"}), &grown).valid);
  RootSet grow = Set2();
  grow.issued_on = t0_ + 181 * kDay;
  grow.expires = t0_ + 500 * kDay;
  EXPECT_VERDICT(grown.Append(Signed(Statement{grow}, {"root-1", "root-2"})), kRootSetExpired);
  grow.issued_on = t0_ + 179 * kDay;
  EntryVerdict in_time = grown.Append(Signed(Statement{grow}, {"root-1", "root-2"}));
  EXPECT_TRUE(in_time.valid) << in_time.code << " " << in_time.message;
}

TEST_F(ReplayTest, ReproductionMatrix) {
  BuildBase();
  auto three_builders = [&] {
    return std::vector<BuilderDescriptor>{hb_->MakeBuilder(kBuilderA, {"builder-a", "builder-a2"}),
                                          hb_->MakeBuilder(kBuilderB, {"builder-b"}),
                                          hb_->MakeBuilder(kBuilderC, {"builder-c"})};
  };
  // A history with three builders listed from set 1 on.
  auto fresh = HistoryBuilder::Create(t0_);
  ASSERT_THAT(fresh, IsOk());
  hb_ = std::move(fresh).value();
  EntryRef ra = hb_->Append(Prov("builder-a", kBuilderA, root_m_, kCommit1, "vouch-root", 0));
  EntryRef rb = hb_->Append(Prov("builder-b", kBuilderB, root_m_, kCommit1, "vouch-root", 0));
  RootSet s1 = hb_->MakeRootSet(
      1, t0_ + kHour, t0_ + 180 * kDay, 2,
      {Root("root-a", "root-1", root_m_, {ra, rb}), Root("root-b", "root-2", root_m_, {ra, rb})},
      three_builders());
  hb_->Append(Signed(Statement{s1}, {"root-1", "root-2"}));
  EntryRef a_hello = hb_->Append(Prov("builder-a", kBuilderA, hello_m_, kCommit2, "hello", 7200));
  EntryRef a2_hello = hb_->Append(Prov("builder-a2", kBuilderA, hello_m_, kCommit2, "hello", 7200));
  EntryRef a_again = hb_->Append(Prov("builder-a", kBuilderA, hello_m_, kCommit2, "hello", 7300));
  EntryRef b_other_commit =
      hb_->Append(Prov("builder-b", kBuilderB, hello_m_, kCommit3, "hello", 7200));
  EntryRef c_hello = hb_->Append(Prov("builder-c", kBuilderC, hello_m_, kCommit2, "hello", 7200));
  size_t n = hb_->entries().size();
  auto admit = [&](std::vector<EntryRef> refs) {
    return Signed(Statement{Adm(Role::kWorkload, hello_m_, std::move(refs), 3 * kHour)},
                  {"root-1", "root-2"});
  };
  // Two entries from one builder, one builder id with two keys: one builder.
  EXPECT_VERDICT(After(n, admit({a_hello, a_again})), kNotReproduced);
  EXPECT_VERDICT(After(n, admit({a_hello, a2_hello})), kNotReproduced);
  // Different commits giving one MRENCLAVE do not add up.
  EXPECT_VERDICT(After(n, admit({a_hello, b_other_commit})), kNotReproduced);
  // Two builders on one commit: reproduced.
  EXPECT_TRUE(After(n, admit({a_hello, c_hello})).valid);
  // A reference to an admission or root set is not provenance.
  EXPECT_VERDICT(After(n, admit({a_hello, {2, Sha256(hb_->entries()[2])}})),
                 kReferenceNotProvenance);
  // One commit giving two MRENCLAVEs: B builds commit 2 differently.
  EntryRef b_differs =
      hb_->Append(Prov("builder-b", kBuilderB, Measurement("tampered"), kCommit2, "hello", 7400));
  (void)b_differs;
  GovernanceState state({});
  EntryVerdict v = After(n + 1, admit({a_hello, c_hello}), &state);
  EXPECT_VERDICT(v, kNotReproducible);
  EXPECT_TRUE(std::any_of(v.findings.begin(), v.findings.end(), [](const Finding& f) {
    return f.code == kNotReproducible && f.severity == Severity::kAlarm;
  }));
  auto repro = state.Reproductions();
  EXPECT_TRUE(std::any_of(repro.begin(), repro.end(), [](const auto& r) { return r.conflict; }));
  // Revoking the disagreeing builder's key clears the conflict.
  Revocation rk = Revoke(RevocationKind::kBuilderKey, 3 * kHour);
  rk.keyid = hb_->key("builder-b").verifier().KeyId();
  rk.reason = "not_reproducible";
  Bytes revoke_b = Signed(Statement{rk}, {"root-1", "root-2"});
  EntryVerdict r = state.Append(revoke_b);
  ASSERT_TRUE(r.valid) << r.code;
  EntryVerdict ok = state.Append(admit({a_hello, a2_hello, c_hello}));
  EXPECT_TRUE(ok.valid) << ok.code << " " << ok.message;
  // A reference that stops counting (its key revoked) leaves the others standing ...
  UnixSeconds t = t0_ + 4 * kHour;
  Revocation ra2 = rk;
  ra2.keyid = hb_->key("builder-a2").verifier().KeyId();
  ASSERT_TRUE(state.Append(Signed(Statement{ra2}, {"root-1", "root-2"})).valid);
  EXPECT_TRUE(state.Admitted(Eii(hello_m_), Role::kWorkload, state.size(), t).admitted);
  // ... until fewer than k builders remain.
  Revocation rc = rk;
  rc.keyid = hb_->key("builder-c").verifier().KeyId();
  ASSERT_TRUE(state.Append(Signed(Statement{rc}, {"root-1", "root-2"})).valid);
  EXPECT_EQ(state.Admitted(Eii(hello_m_), Role::kWorkload, state.size(), t).code, kNotReproduced);
}

TEST_F(ReplayTest, ProvenanceRules) {
  BuildBase();
  // Exactly one signature.
  Statement p{hb_->MakeProvenance(kBuilderA, hello_m_, kCommit2, "hello", t0_)};
  EXPECT_VERDICT(After(0, Signed(p, {"builder-a", "builder-b"})), kProvenanceSignatureCount);
  // A builder key's provenance claiming another builder's id does not count.
  GovernanceState state({});
  EntryRef wrong_id{set1_.index + 1, {}};
  Bytes lying = Prov("builder-a", kBuilderB, hello_m_, kCommit2, "hello", 200);
  wrong_id.sha256 = Sha256(lying);
  EntryVerdict v = After(set1_.index + 1, lying, &state);
  EXPECT_TRUE(v.valid);  // valid provenance; it just does not count
  EXPECT_VERDICT(state.Append(Signed(
                     Statement{Adm(Role::kWorkload, hello_m_, {p_hello_a_, wrong_id}, 2 * kHour)},
                     {"root-1", "root-2"})),
                 kReferenceNotProvenance);
  // Admissions must point at provenance: here at the root set.
  EXPECT_VERDICT(
      After(adm_.index,
            Signed(Statement{Adm(Role::kWorkload, hello_m_, {p_hello_a_, set1_}, 2 * kHour)},
                   {"root-1", "root-2"})),
      kReferenceNotProvenance);
  // Provenance by an unknown key is kept; it counts once a later root set lists its builder.
  auto other = Prov("other", "https://builder-d.example/ci", hello_m_, kCommit2, "hello", 100);
  EXPECT_TRUE(After(0, other).valid);
}

TEST_F(ReplayTest, RevokedBuilderBeforeAndAfter) {
  BuildBase();
  Revocation rk = Revoke(RevocationKind::kBuilderKey, 2 * kHour + 600);
  rk.keyid = hb_->key("builder-b").verifier().KeyId();
  rk.reason = "key_compromise";
  GovernanceState state({});
  EntryVerdict r = After(rec_.index + 1, Signed(Statement{rk}, {"root-1", "root-2"}), &state);
  ASSERT_TRUE(r.valid) << r.code;
  // The admission before the revocation stays valid (history is not rewritten) ...
  UnixSeconds t = t0_ + 3 * kHour;
  EXPECT_TRUE(state.Admitted(Eii(hello_m_), Role::kWorkload, adm_.index + 1, t).admitted);
  // ... but from the revocation on it lapses below k.
  AdmissionDecision d = state.Admitted(Eii(hello_m_), Role::kWorkload, state.size(), t);
  EXPECT_EQ(d.code, kNotReproduced) << d.message;
  // Provenance signed with the revoked key after the revocation is invalid.
  EXPECT_VERDICT(state.Append(Prov("builder-b", kBuilderB, hello_m_, kCommit2, "hello", 9000)),
                 kBuilderKeyRevoked);
  // New admissions cannot count it either.
  EXPECT_VERDICT(state.Append(Signed(
                     Statement{Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 3 * kHour)},
                     {"root-1", "root-2"})),
                 kReferenceNotProvenance);
}

TEST_F(ReplayTest, RevokedRootKeyAndMeasurement) {
  BuildBase();
  // With set 2 (2-of-3) in force, revoking root-2 leaves root-1 + root-2 one short.
  Revocation rk = Revoke(RevocationKind::kRootKey, 32 * kDay + 60);
  rk.keyid = hb_->key("root-2").verifier().KeyId();
  GovernanceState state({});
  EntryVerdict r = After(set2_.index + 1, Signed(Statement{rk}, {"root-1", "root-3"}), &state);
  ASSERT_TRUE(r.valid) << r.code << " " << r.message;
  // The root itself is out from the revocation on, in force before it.
  ByteSpan k2 = hb_->key("root-2").verifier().spki_der();
  UnixSeconds t = t0_ + 33 * kDay;
  EXPECT_THAT(state.RootInForce(Eii(root_m_), k2, set2_.index + 1, t), IsOk());
  EXPECT_THAT(state.RootInForce(Eii(root_m_), k2, state.size(), t), ReasonIs(kRevoked));
  Statement adm{Adm(Role::kWorkload, root_m_, {p_root_a_, p_root_b_}, 32 * kDay + 120)};
  EXPECT_VERDICT(state.Append(Signed(adm, {"root-1", "root-2"})), dsse::kThresholdNotMet);
  EXPECT_TRUE(state.Append(Signed(adm, {"root-1", "root-3"})).valid);
  // In set 1 (2-of-2) revoking a root key would deadlock.
  EXPECT_VERDICT(After(set1_.index + 1, Signed(Statement{rk}, {"root-1", "root-2"})),
                 kRevocationWouldDeadlock);
  // A revoked measurement cannot be admitted afterwards.
  EXPECT_VERDICT(
      After(adm_root3_.index,
            Signed(Statement{Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 31 * kDay)},
                   {"root-1", "root-2"})),
      kRevoked);
}

TEST_F(ReplayTest, AdmissionAndRecordRules) {
  BuildBase();
  Admission wide = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour);
  wide.expires = wide.issued_on + 366 * kDay;
  GovernanceState state({});
  EntryVerdict v = After(adm_.index, Signed(Statement{wide}, {"root-1", "root-2"}), &state);
  EXPECT_VERDICT(v, kValidityWindowInvalid);
  // The roots signed what the rules refuse: an alarm.
  EXPECT_TRUE(std::any_of(v.findings.begin(), v.findings.end(), [](const Finding& f) {
    return f.code == kSignedInvalid && f.severity == Severity::kAlarm;
  }));
  Admission early = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour);
  early.not_before = early.issued_on - 1;
  EXPECT_VERDICT(After(adm_.index, Signed(Statement{early}, {"root-1", "root-2"})),
                 kValidityWindowInvalid);
  Admission before_set = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 0);
  EXPECT_VERDICT(After(adm_.index, Signed(Statement{before_set}, {"root-1", "root-2"})),
                 kIssuedBeforeRootSet);
  Admission broker_by_signer = Adm(Role::kBroker, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour);
  broker_by_signer.constraint = "S:" + HexEncodeUpper(Measurement("signer")) + " PROD:1 SEC:STALE";
  EXPECT_VERDICT(After(adm_.index, Signed(Statement{broker_by_signer}, {"root-1", "root-2"})),
                 kConstraintNotAllowed);
  // Records: versions in sequence, covering admissions.
  EXPECT_VERDICT(
      After(rec_.index, Signed(Statement{Record(2, {adm_}, 3 * kHour)}, {"root-1", "root-2"})),
      kRecordVersionGap);
  EXPECT_VERDICT(After(rec_.index,
                       Signed(Statement{Record(1, {p_hello_a_}, 3 * kHour)}, {"root-1", "root-2"})),
                 kReferenceNotAdmission);
  EXPECT_VERDICT(
      After(rec_.index, Signed(Statement{Record(1, {{adm_.index, p_hello_a_.sha256}}, 3 * kHour)},
                               {"root-1", "root-2"})),
      kReferenceNotFound);
  EXPECT_TRUE(
      After(rec_.index + 1, Signed(Statement{Record(2, {adm_}, 3 * kHour)}, {"root-1", "root-2"}))
          .valid);
  // A record with an e-mail address is refused before anything else (S3).
  Statement ok_pd{Record(2, {adm_}, 3 * kHour)};
  Bytes payload = *EncodeStatement(ok_pd);
  std::string text(AsStringView(payload));
  text.replace(text.find("Monthly payroll calculation"), 27, "Mail hr@payroll.example now");
  EntryVerdict pdv = After(rec_.index + 1, *hb_->SignPayload(ToBytes(text), {"root-1", "root-2"}));
  EXPECT_VERDICT(pdv, kPersonalDataSuspected);
  EXPECT_EQ(pdv.path, "/predicate/purposes/0");
}

TEST_F(ReplayTest, RevocationTargets) {
  BuildBase();
  Revocation ra = Revoke(RevocationKind::kAdmission, 3 * kHour);
  ra.entry = p_hello_a_;
  EXPECT_VERDICT(After(rel_.index + 1, Signed(Statement{ra}, {"root-1", "root-2"})),
                 kRevocationTargetUnknown);
  ra.entry = adm_;
  GovernanceState state({});
  ASSERT_TRUE(After(rel_.index + 1, Signed(Statement{ra}, {"root-1", "root-2"}), &state).valid);
  UnixSeconds t = t0_ + 4 * kHour;
  EXPECT_TRUE(state.Admitted(Eii(hello_m_), Role::kWorkload, rel_.index + 1, t).admitted);
  EXPECT_EQ(state.Admitted(Eii(hello_m_), Role::kWorkload, state.size(), t).code, kNotAdmitted);
}

// provisioning §2.4 steps 4–5: a target constraint is admitted iff every name it lists is in an
// admission in force for the role; a revoked name is refused first; records cover admissions.
TEST_F(ReplayTest, TargetAdmissionRule) {
  BuildBase();
  GovernanceState state({});
  for (size_t i = 0; i < rel_.index; ++i) state.Append(hb_->entries()[i]);
  const UnixSeconds t = t0_ + 4 * kHour;
  auto target = [](const std::string& c) { return *EnclaveConstraint::Parse(c); };
  const std::string hello = "C:" + HexEncodeUpper(hello_m_);
  const std::string other = "C:" + HexEncodeUpper(Measurement("other enclave"));

  auto by = TargetAdmitted(state, target(hello + " SEC:SECURE"), Role::kWorkload, t);
  ASSERT_THAT(by, IsOk());
  EXPECT_THAT(*by, ::testing::ElementsAre(adm_));
  // Every name must be covered; the message names what is missing.
  EXPECT_THAT(TargetAdmitted(state, target(hello + " " + other), Role::kWorkload, t),
              StatusIs(StatusCode::kPermissionDenied,
                       ::testing::HasSubstr(HexEncodeUpper(Measurement("other enclave")))));
  EXPECT_THAT(TargetAdmitted(state, target(hello), Role::kBroker, t), ReasonIs(kTargetNotAdmitted));
  const std::string signer = "S:" + HexEncodeUpper(Measurement("signer"));
  EXPECT_THAT(TargetAdmitted(state, target(signer + " PROD:1"), Role::kWorkload, t),
              ReasonIs(kTargetNotAdmitted));
  // Not in force at a time after it expired.
  EXPECT_THAT(TargetAdmitted(state, target(hello), Role::kWorkload, t0_ + 100 * kDay),
              ReasonIs(kTargetNotAdmitted));

  auto record = LatestRecord(state, "payroll-db");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->entry, rec_);
  EXPECT_TRUE(RecordCovers(*record, *by));
  EXPECT_FALSE(RecordCovers(*record, std::vector<EntryRef>{p_hello_a_}));
  EXPECT_FALSE(LatestRecord(state, "another-activity").has_value());

  // The measurement revocation: refused, also by the revocation half alone.
  for (size_t i = rel_.index; i <= rev_.index; ++i) state.Append(hb_->entries()[i]);
  EXPECT_THAT(TargetRevoked(state, target(hello)), ReasonIs(kTargetRevoked));
  EXPECT_THAT(TargetAdmitted(state, target(hello), Role::kWorkload, t), ReasonIs(kTargetRevoked));
  EXPECT_THAT(TargetRevoked(state, target(other)), IsOk());

  // A signer revocation forbids the name for its product, unless it covers old SVNs only.
  Revocation rs = Revoke(RevocationKind::kSigner, 31 * kDay);
  rs.mrsigner = Measurement("signer");
  rs.product_id = 1;
  GovernanceState revoked({});
  ASSERT_TRUE(After(rev_.index + 1, Signed(Statement{rs}, {"root-1", "root-2"}), &revoked).valid);
  EXPECT_THAT(TargetRevoked(revoked, target(signer + " PROD:1")), ReasonIs(kTargetRevoked));
  EXPECT_THAT(TargetRevoked(revoked, target(signer + " PROD:2")), IsOk());
  rs.isv_svn_below = 5;
  GovernanceState old_svns({});
  ASSERT_TRUE(After(rev_.index + 1, Signed(Statement{rs}, {"root-1", "root-2"}), &old_svns).valid);
  EXPECT_THAT(TargetRevoked(old_svns, target(signer + " PROD:1")), IsOk());
}

TEST_F(ReplayTest, SignerAdmissionsAreDynamicallyReproduced) {
  BuildBase();
  Sha256Hash signer = Measurement("hello signer");
  Admission s = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour);
  s.constraint = "S:" + HexEncodeUpper(signer) + " PROD:1 SEC:STALE";
  GovernanceState state({});
  EntryVerdict v = After(adm_.index, Signed(Statement{s}, {"root-1", "root-2"}), &state);
  ASSERT_TRUE(v.valid) << v.code << " " << v.message;
  UnixSeconds t = t0_ + 3 * kHour;
  EXPECT_TRUE(state.Admitted(Eii(hello_m_, signer), Role::kWorkload, state.size(), t).admitted);
  // A build nobody reproduced is not admitted, whoever signed it.
  EXPECT_EQ(
      state.Admitted(Eii(Measurement("unbuilt"), signer), Role::kWorkload, state.size(), t).code,
      kNotReproduced);
  // Wrong product: the constraint fails.
  EXPECT_EQ(state.Admitted(Eii(hello_m_, signer, 2), Role::kWorkload, state.size(), t).code,
            kConstraintFailed);
  // A signer revocation below ISVSVN 2 blocks SVN 1 only.
  Revocation rs = Revoke(RevocationKind::kSigner, 3 * kHour);
  rs.mrsigner = signer;
  rs.isv_svn_below = 2;
  ASSERT_TRUE(state.Append(Signed(Statement{rs}, {"root-1", "root-2"})).valid);
  EXPECT_EQ(state.Admitted(Eii(hello_m_, signer, 1, 1), Role::kWorkload, state.size(), t).code,
            kRevoked);
  // And an admission for a product whose signer is revoked outright cannot be made.
  Revocation all = Revoke(RevocationKind::kSigner, 3 * kHour);
  all.mrsigner = signer;
  ASSERT_TRUE(state.Append(Signed(Statement{all}, {"root-1", "root-2"})).valid);
  Admission again = s;
  again.issued_on = t0_ + 4 * kHour;
  again.expires = again.issued_on + kDay;
  EXPECT_VERDICT(state.Append(Signed(Statement{again}, {"root-1", "root-2"})), kRevoked);
}

TEST_F(ReplayTest, HostileInputChangesNothing) {
  BuildBase();
  GovernanceState state({});
  for (size_t i = 0; i < adm_.index; ++i) ASSERT_TRUE(state.Append(hb_->entries()[i]).valid);
  for (const char* junk : {"", "{}", "null", "{\"payload\":\"\"}", "\xff\xfe"}) {
    EntryVerdict v = state.Append(ToBytes(junk));
    EXPECT_FALSE(v.valid);
    EXPECT_FALSE(v.kind.has_value());
  }
  EXPECT_EQ(state.Append(Bytes(70000, 'x')).code, dsse::kEntryTooLarge);
  // An unknown predicate type, properly signed by the roots: no effect, no alarm.
  Json unknown = {{"_type", kStatementType},
                  {"subject", Json::array({{{"digest", {{"sha256", std::string(64, '7')}}}}})},
                  {"predicateType", "https://example.com/other/v1"},
                  {"predicate", Json::object()}};
  EntryVerdict u = state.Append(
      *hb_->SignPayload(ToBytes(*internal::CanonicalJson(unknown)), {"root-1", "root-2"}));
  EXPECT_EQ(u.code, kPredicateTypeUnknown);
  // The state still admits exactly what it did.
  EntryVerdict a = state.Append(hb_->entries()[adm_.index]);
  EXPECT_TRUE(a.valid) << a.code;
}

TEST_F(ReplayTest, Art30ExportJoinsTheRegister) {
  BuildBase();
  auto reg = ParseRegister(
      vouch::testing::ReadTestDataString("governance/derived/examples/art30-register.json"));
  ASSERT_THAT(reg, IsOk());
  Json index =
      Json::parse(vouch::testing::ReadTestDataString("governance/derived/examples/index.json"));
  ASSERT_EQ(reg->entries.size(), 2u);
  EXPECT_EQ(HexEncode(reg->entries[0].digest), index["register_entry_digests"][0]);
  EXPECT_EQ(HexEncode(reg->entries[1].digest), index["register_entry_digests"][1]);
  ProcessingRecord r = Record(2, {adm_}, 2 * kHour + 400);
  r.controllers = {{"controller", reg->entries[0].digest}, {"dpo", reg->entries[1].digest}};
  r.recipient_categories = {"=HYPERLINK(\"x\")", "Tax authority"};
  GovernanceState state({});
  EntryVerdict v = After(rel_.index, Signed(Statement{r}, {"root-1", "root-2"}), &state);
  ASSERT_TRUE(v.valid) << v.code << " " << v.message;
  Art30Export csv = ExportArt30Csv(state, *reg, t0_ + 3 * kHour);
  EXPECT_TRUE(csv.missing.empty());
  std::string want_row = "payroll-db,2," + std::to_string(v.index) + "," + HexEncode(v.entry_hash) +
                         "," + FormatRfc3339(r.issued_on) +
                         ",\"Example Payroll GmbH \u2014 Musterstrasse 1, 10115 Berlin, DE; "
                         "privacy@payroll.example\",,,\"Data Protection Officer, Example Payroll "
                         "GmbH \u2014 dpo@payroll.example\",Monthly payroll calculation,";
  EXPECT_THAT(csv.text, HasSubstr("\r\n" + want_row));
  EXPECT_EQ(csv.text.substr(0, 30), "activity_id,activity_version,r");
  // Formula injection: the cell starts with a quote mark; lists are joined with LF.
  EXPECT_THAT(csv.text, HasSubstr("\"'=HYPERLINK(\"\"x\"\")\nTax authority\""));
  EXPECT_THAT(csv.text, HasSubstr("," + std::to_string(adm_.index) + ":workload:C:"));
  // A register without the DPO: exported as the digest, and reported.
  Register partial = *reg;
  partial.entries.pop_back();
  Art30Export json = ExportArt30Json(state, partial, {state.size(), "root"}, t0_ + 3 * kHour);
  ASSERT_EQ(json.missing.size(), 1u);
  EXPECT_EQ(json.missing[0], HexEncode(reg->entries[1].digest));
  Json doc = Json::parse(json.text);
  EXPECT_EQ(doc["format"], "vouch-art30-export/1");
  EXPECT_EQ(doc["activities"][0]["controllers"][1]["name"], nullptr);
  EXPECT_EQ(doc["activities"][0]["admissionsInForce"], 1);
  EXPECT_EQ(doc["activities"][0]["coveredAdmissions"][0]["inForce"], true);
  // The base history's release record is invalid (its key was never announced): not counted.
  EXPECT_EQ(doc["activities"][0]["releases"], 0);
  EXPECT_EQ(doc["activities"][0]["firstRelease"], nullptr);
}

// ---- Review: a proposal judged as the next entry, signatures aside (issue 14) ----

class ReviewTest : public ReplayTest {
 protected:
  // What the queries and reports answer: a review must leave all of it as it was.
  std::string Snapshot(const GovernanceState& state) {
    const UnixSeconds t = t0_ + 3 * kHour;
    std::string out =
        "size " + std::to_string(state.size()) + " origin " + state.origin().value_or("-");
    for (const RootSetSummary& r : state.RootSetChain()) {
      out += " | set " + std::to_string(r.version) + "@" + std::to_string(r.index);
      for (const auto& root : r.roots) out += " " + root.name + ":" + root.source;
    }
    for (const ReproductionSummary& r : state.Reproductions()) {
      for (const auto& m : r.measurements) {
        out += " | repro " + HexEncode(m.mrenclave).substr(0, 8) + " by " +
               std::to_string(m.builders.size()) + " in " + std::to_string(m.entries.size());
      }
    }
    for (const AdmissionSummary& a : state.Admissions(t)) {
      out += " | adm " + std::to_string(a.entry.index) + (a.in_force ? " in force" : " out ") +
             a.reason;
    }
    out += " | revocations " + std::to_string(state.Revocations().size());
    for (const RecordSummary& r : state.Records()) {
      out += " | record " + std::to_string(r.record.activity_version);
    }
    AdmissionDecision hello = state.Admitted(Eii(hello_m_), Role::kWorkload, state.size(), t);
    out += " | hello " + std::to_string(hello.admitted) + " " + hello.code;
    for (const char* key : {"root-1", "root-2", "root-3"}) {
      Status root =
          state.RootInForce(Eii(root_m_), hb_->key(key).verifier().spki_der(), state.size(), t);
      out += std::string(" | ") + key + " " + (root.ok() ? "ok" : root.reason());
    }
    return out;
  }

  // Reviews `payload` at `state` and checks that the review changed nothing.
  EntryVerdict ReviewAt(const GovernanceState& state, ByteSpan payload) {
    const std::string before = Snapshot(state);
    EntryVerdict v = state.Review(payload);
    EXPECT_EQ(v.index, state.size());
    EXPECT_EQ(v.entry_hash, Sha256Digest{});
    EXPECT_EQ(Snapshot(state), before);
    for (const Finding& f : v.findings) EXPECT_NE(f.code, kSignedInvalid);
    return v;
  }

  // Reviews `payload`, then appends `entry` (a signed entry with that payload), and checks that
  // both verdicts agree (findings apart from signed_invalid, which needs the signatures).
  // Returns the review's verdict.
  EntryVerdict ReviewThenAppend(GovernanceState* state, ByteSpan payload, const Bytes& entry) {
    EntryVerdict r = ReviewAt(*state, payload);
    EntryVerdict a = state->Append(entry);
    EXPECT_EQ(r.valid, a.valid) << a.code << " " << a.message;
    EXPECT_EQ(r.code, a.code);
    EXPECT_EQ(r.message, a.message);
    EXPECT_EQ(r.path, a.path);
    EXPECT_EQ(r.kind, a.kind);
    EXPECT_EQ(r.issued_on, a.issued_on);
    EXPECT_EQ(r.max_issue_lag, a.max_issue_lag);
    std::vector<std::string> rf;
    std::vector<std::string> af;
    for (const Finding& f : r.findings) rf.push_back(f.code);
    for (const Finding& f : a.findings) {
      if (f.code != kSignedInvalid) af.push_back(f.code);
    }
    EXPECT_EQ(rf, af);
    return r;
  }

  // The same for a statement, signed by the threshold of set 1 (or `signers`).
  EntryVerdict ReviewThenAppend(GovernanceState* state, const Statement& st,
                                const std::vector<std::string>& signers = {"root-1", "root-2"}) {
    auto payload = EncodeStatement(st);
    EXPECT_THAT(payload, IsOk());
    if (!payload.ok()) return {};
    return ReviewThenAppend(state, *payload, Signed(st, signers));
  }

  // Replays the first `n` base entries into `state` (all valid but the release record).
  void Replay(size_t n, GovernanceState* state) {
    for (size_t i = 0; i < n; ++i) {
      EntryVerdict v = state->Append(hb_->entries()[i]);
      EXPECT_TRUE(v.valid || i == rel_.index) << "base entry " << i << ": " << v.code;
    }
  }

  // Review (and Append, compared) of `st` after the first `n` base entries.
  EntryVerdict ReviewAfter(size_t n, const Statement& st, ReplayOptions options = {}) {
    GovernanceState state(std::move(options));
    Replay(n, &state);
    return ReviewThenAppend(&state, st);
  }

  static Bytes PayloadOf(const Bytes& entry) {
    auto e = dsse::LedgerEntry::Parse(entry);
    EXPECT_THAT(e, IsOk());
    return e.ok() ? e->payload() : Bytes();
  }
};

// Every statement of the base history, reviewed just before it is appended, gets the verdict
// its signed entry gets — and the review changes nothing. Provenance is not a proposal.
// A copy is an independent state: the copy continues the replay exactly as the original would
// have (root-set reproduction and admissions point into the copy's own records, checked by
// destroying the original first), and appending to it leaves the original as it was.
TEST_F(ReviewTest, ACopyContinuesTheReplayIndependently) {
  BuildBase();
  const std::vector<Bytes>& entries = hb_->entries();
  GovernanceState full({});
  for (const Bytes& e : entries) (void)full.Append(e);
  for (size_t split : {size_t{0}, size_t{5}, static_cast<size_t>(adm_.index) + 1,
                       static_cast<size_t>(set2_.index), entries.size()}) {
    SCOPED_TRACE(split);
    auto original = std::make_unique<GovernanceState>(ReplayOptions{});
    for (size_t i = 0; i < split; ++i) (void)original->Append(entries[i]);
    const std::string at_split = Snapshot(*original);
    GovernanceState copy(*original);
    EXPECT_EQ(Snapshot(copy), at_split);
    for (size_t i = split; i < entries.size(); ++i) (void)copy.Append(entries[i]);
    EXPECT_EQ(Snapshot(*original), at_split);
    original.reset();
    EXPECT_EQ(Snapshot(copy), Snapshot(full));
  }
}

TEST_F(ReviewTest, ReviewEqualsAppendOverTheBaseHistory) {
  BuildBase();
  for (bool pinned : {false, true}) {
    ReplayOptions options;
    if (pinned) {
      options.origin = testing::kTestOrigin;
      options.root_set_pin = Sha256(PayloadOf(hb_->entries()[set1_.index]));
    }
    GovernanceState state(options);
    size_t valid_reviews = 0;
    for (const Bytes& entry : hb_->entries()) {
      Bytes payload = PayloadOf(entry);
      const uint64_t i = state.size();
      if (i <= p_hello_b_.index) {  // the four provenance entries
        EntryVerdict r = ReviewAt(state, payload);
        EXPECT_FALSE(r.valid);
        EXPECT_EQ(r.code, kProvenanceNotProposable);
        EXPECT_EQ(r.kind, StatementKind::kProvenance);
        EXPECT_TRUE(state.Append(entry).valid);
        continue;
      }
      EntryVerdict r = ReviewThenAppend(&state, payload, entry);
      EXPECT_EQ(r.valid, i != rel_.index) << i << ": " << r.code << " " << r.message;
      valid_reviews += r.valid ? 1 : 0;
    }
    EXPECT_EQ(valid_reviews, 8u);  // sets 1–3, two admissions, record, two revocations
  }
}

TEST_F(ReviewTest, RefusesWhatAppendRefuses) {
  BuildBase();
  // An admission whose measurement one builder reproduced (k = 2).
  EXPECT_VERDICT(
      ReviewAfter(adm_.index, Statement{Adm(Role::kWorkload, hello_m_, {p_hello_a_}, 2 * kHour)}),
      kNotReproduced);
  // One whose reproducedBy provenance was signed by a builder key revoked since.
  {
    Revocation rk = Revoke(RevocationKind::kBuilderKey, 2 * kHour + 600);
    rk.keyid = hb_->key("builder-b").verifier().KeyId();
    GovernanceState state({});
    Replay(rec_.index + 1, &state);
    ASSERT_TRUE(ReviewThenAppend(&state, Statement{rk}).valid);
    EXPECT_VERDICT(ReviewThenAppend(&state, Statement{Adm(Role::kWorkload, hello_m_,
                                                          {p_hello_a_, p_hello_b_}, 3 * kHour)}),
                   kReferenceNotProvenance);
  }
  // Root sets of the wrong version: a gap, and the bootstrap refusing a second set 1.
  RootSet v3 = Set2();
  v3.version = 3;
  EXPECT_VERDICT(ReviewAfter(set2_.index, Statement{v3}), kRootSetVersionGap);
  EXPECT_VERDICT(ReviewAfter(adm_.index, Statement{Set1({p_root_a_, p_root_b_})}),
                 kRootSetVersionReplayed);
  // A pinned ledger refuses another set 1.
  ReplayOptions pinned;
  pinned.root_set_pin = Sha256(AsBytes("another root set"));
  EXPECT_VERDICT(ReviewAfter(set1_.index, Statement{Set1({p_root_a_, p_root_b_})}, pinned),
                 kRootSetPinMismatch);
  // A referenced entry that is missing, or whose hash is forged.
  EXPECT_VERDICT(
      ReviewAfter(adm_.index, Statement{Adm(Role::kWorkload, hello_m_,
                                            {p_hello_a_, {999, p_hello_b_.sha256}}, 2 * kHour)}),
      kReferenceNotFound);
  EntryRef forged{p_hello_b_.index, Sha256(AsBytes("forged"))};
  EXPECT_VERDICT(ReviewAfter(adm_.index, Statement{Adm(Role::kWorkload, hello_m_,
                                                       {p_hello_a_, forged}, 2 * kHour)}),
                 kReferenceNotFound);
  EXPECT_VERDICT(
      ReviewAfter(rec_.index, Statement{Record(1, {{adm_.index, p_hello_a_.sha256}}, 3 * kHour)}),
      kReferenceNotFound);
  // A revocation of something that is not an admission.
  Revocation ra = Revoke(RevocationKind::kAdmission, 3 * kHour);
  ra.entry = p_hello_a_;
  EXPECT_VERDICT(ReviewAfter(rel_.index + 1, Statement{ra}), kRevocationTargetUnknown);
  // Another ledger.
  Admission other = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour);
  other.ledger = "other.example/log";
  EXPECT_VERDICT(ReviewAfter(adm_.index, Statement{other}), kLedgerMismatch);
  // Issued before the root set in force, and after it expired.
  EXPECT_VERDICT(ReviewAfter(adm_.index, Statement{Adm(Role::kWorkload, hello_m_,
                                                       {p_hello_a_, p_hello_b_}, 0)}),
                 kIssuedBeforeRootSet);
  EXPECT_VERDICT(ReviewAfter(adm_.index, Statement{Adm(Role::kWorkload, hello_m_,
                                                       {p_hello_a_, p_hello_b_}, 181 * kDay)}),
                 kRootSetExpired);
  // Nothing is proposed before a root set is in force but set 1.
  EXPECT_VERDICT(ReviewAfter(set1_.index, Statement{Adm(Role::kWorkload, hello_m_,
                                                        {p_hello_a_, p_hello_b_}, 2 * kHour)}),
                 kNoRootSet);
  // S1–S3 come first, as in Append: a statement that is not canonical, one with personal data.
  GovernanceState state({});
  Replay(rec_.index + 1, &state);
  Bytes payload = *EncodeStatement(Statement{Record(2, {adm_}, 3 * kHour)});
  std::string pretty = Json::parse(AsStringView(payload)).dump(2);
  EXPECT_VERDICT(ReviewAt(state, AsBytes(pretty)), kPayloadNotCanonical);
  std::string text(AsStringView(payload));
  text.replace(text.find("Monthly payroll calculation"), 27, "Mail hr@payroll.example now");
  EntryVerdict pd = ReviewAt(state, AsBytes(text));
  EXPECT_VERDICT(pd, kPersonalDataSuspected);
  EXPECT_EQ(pd.path, "/predicate/purposes/0");
  EXPECT_VERDICT(ReviewAt(state, AsBytes("{}")), kStatementTypeInvalid);
}

TEST_F(ReviewTest, RefusesProvenance) {
  BuildBase();
  GovernanceState state({});
  Replay(adm_.index, &state);
  Statement p{hb_->MakeProvenance(kBuilderA, hello_m_, kCommit3, "hello", t0_ + 2 * kHour)};
  EntryVerdict v = ReviewAt(state, *EncodeStatement(p));
  EXPECT_VERDICT(v, kProvenanceNotProposable);
  EXPECT_EQ(v.kind, StatementKind::kProvenance);
  EXPECT_FALSE(v.message.empty());
  // Even one a builder could log: the same statement, signed by its builder, is valid.
  EXPECT_TRUE(state.Append(Signed(p, {"builder-a"})).valid);
}

TEST_F(ReviewTest, AcceptsGoodProposals) {
  BuildBase();
  // Root set 1 at the bootstrap: its builders' provenance was logged before any key was listed.
  EntryVerdict set1 = ReviewAfter(set1_.index, Statement{Set1({p_root_a_, p_root_b_})});
  EXPECT_TRUE(set1.valid) << set1.code << " " << set1.message;
  EXPECT_EQ(set1.kind, StatementKind::kRootSet);
  // An admission, a processing record, a revocation.
  EntryVerdict adm = ReviewAfter(
      adm_.index, Statement{Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour)});
  EXPECT_TRUE(adm.valid) << adm.code << " " << adm.message;
  EntryVerdict rec = ReviewAfter(rec_.index, Statement{Record(1, {adm_}, 2 * kHour + 300)});
  EXPECT_TRUE(rec.valid) << rec.code << " " << rec.message;
  Revocation rev = Revoke(RevocationKind::kMeasurement, 30 * kDay);
  rev.mrenclave = hello_m_;
  EntryVerdict revoked = ReviewAfter(rev_.index, Statement{rev});
  EXPECT_TRUE(revoked.valid) << revoked.code << " " << revoked.message;
  // A rotation to version 2 adding root-3, which an admission for role root admits.
  EntryVerdict set2 = ReviewAfter(set2_.index, Statement{Set2()});
  EXPECT_TRUE(set2.valid) << set2.code << " " << set2.message;
  // ... but not before that admission is logged.
  EXPECT_VERDICT(ReviewAfter(adm_root3_.index, Statement{Set2()}), kRootNotAdmitted);
}

// Signatures are the caller's business: a proposal nobody (or too few) signed is judged on
// everything else, where its signed entry stops at the signature check.
TEST_F(ReviewTest, IgnoresSignaturesButNothingElse) {
  BuildBase();
  GovernanceState state({});
  Replay(adm_.index, &state);
  Statement adm{Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour)};
  EXPECT_TRUE(ReviewAt(state, *EncodeStatement(adm)).valid);
  EXPECT_VERDICT(state.Append(Signed(adm, {"root-1"})), dsse::kThresholdNotMet);
  // One signature short, and unreproduced: the review names the rule that matters.
  Statement unreproduced{Adm(Role::kWorkload, hello_m_, {p_hello_a_}, 2 * kHour)};
  EXPECT_VERDICT(ReviewAt(state, *EncodeStatement(unreproduced)), kNotReproduced);
  EXPECT_VERDICT(state.Append(Signed(unreproduced, {"root-1"})), dsse::kThresholdNotMet);
  // A window too wide: refused; the threshold that signed it gets the signed_invalid alarm,
  // the review (no signatures) none.
  Admission wide = Adm(Role::kWorkload, hello_m_, {p_hello_a_, p_hello_b_}, 2 * kHour);
  wide.expires = wide.issued_on + 366 * kDay;
  EntryVerdict w = ReviewAt(state, *EncodeStatement(Statement{wide}));
  EXPECT_VERDICT(w, kValidityWindowInvalid);
  EXPECT_TRUE(w.findings.empty());
  // A rotation before any admission for role root: the signed entry fails step 4 (the new roots
  // did not sign), the review goes on to step 6 and finds the new roots unadmitted.
  GovernanceState later({});
  Replay(adm_root3_.index, &later);
  RootSet fresh = hb_->MakeRootSet(
      2, t0_ + 32 * kDay, t0_ + 400 * kDay, 2,
      {Root("root-c", "root-3", root_m_, {}), Root("root-d", "root-4", root_m_, {})}, Builders());
  EXPECT_VERDICT(ReviewAt(later, *EncodeStatement(Statement{fresh})), kRootNotAdmitted);
  EXPECT_VERDICT(later.Append(Signed(Statement{fresh}, {"root-1", "root-2"})),
                 kNewSetThresholdNotMet);
  // Root set 1 signed by one root only: the review accepts it, the entry is refused.
  GovernanceState boot({});
  Replay(set1_.index, &boot);
  Statement set1{Set1({p_root_a_, p_root_b_})};
  EXPECT_TRUE(ReviewAt(boot, *EncodeStatement(set1)).valid);
  EXPECT_VERDICT(boot.Append(Signed(set1, {"root-1"})), kNewSetThresholdNotMet);
  // The failed set 1 changed nothing either: the real one is still accepted.
  EXPECT_TRUE(boot.Append(hb_->entries()[set1_.index]).valid);
}

// A set 1 refused in step 6 settles the provenance signatures it verified (facts about those
// entries); the review and the set that follow count them.
TEST_F(ReviewTest, RootSetRefusedAfterStep6ThenReviewedAndAccepted) {
  BuildBase();
  GovernanceState state({});
  Replay(set1_.index, &state);
  EXPECT_VERDICT(ReviewThenAppend(&state, Statement{Set1({p_root_a_})}), kNotReproduced);
  EXPECT_TRUE(state.Reproductions().empty());  // no root set: nothing counts yet
  EntryVerdict v =
      ReviewThenAppend(&state, PayloadOf(hb_->entries()[set1_.index]), hb_->entries()[set1_.index]);
  EXPECT_TRUE(v.valid) << v.code << " " << v.message;
  auto repro = state.Reproductions();
  ASSERT_EQ(repro.size(), 2u);
  for (const auto& r : repro) {
    ASSERT_EQ(r.measurements.size(), 1u);
    EXPECT_EQ(r.measurements[0].builders.size(), 2u);
  }
}

TEST_F(ReviewTest, ConcurrentReviewsAndQueries) {
  BuildBase();
  GovernanceState state({});
  Replay(set1_.index, &state);  // set 1 pending: its review verifies provenance signatures
  const Bytes set1 = PayloadOf(hb_->entries()[set1_.index]);
  const std::string before = Snapshot(state);
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> valid{0};
  for (int n = 0; n < kThreads; ++n) {
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) {
        valid += state.Review(set1).valid ? 1 : 0;
        (void)state.Reproductions();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(valid.load(), 20);
  EXPECT_EQ(Snapshot(state), before);
}

TEST(Art30Test, RegisterAndCells) {
  EXPECT_EQ(CsvCell("plain"), "plain");
  EXPECT_EQ(CsvCell("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvCell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvCell("-1"), "'-1");
  EXPECT_EQ(CsvCell("@cmd"), "'@cmd");
  EXPECT_EQ(CsvCell("+1"), "'+1");
  EXPECT_EQ(CsvCell("\tx"), "'\tx");
  EXPECT_EQ(CsvCell("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvCell("a\nb"), "\"a\nb\"");
  EXPECT_EQ(CsvCell(""), "");
  const std::string salt(64, 'a');
  auto reg = [&](const std::string& entries) {
    return ParseRegister(R"({"format":"vouch-art30-register/1","entries":[)" + entries + "]}");
  };
  EXPECT_THAT(reg(R"({"role":"controller","name":"n","contact":"c","salt":")" + salt + "\"}"),
              IsOk());
  EXPECT_THAT(reg(R"({"role":"boss","name":"n","contact":"c","salt":")" + salt + "\"}"),
              ReasonIs(kRegisterMalformed));
  EXPECT_THAT(reg(R"({"role":"dpo","name":"n","contact":"c","salt":"abc"})"),
              ReasonIs(kRegisterMalformed));
  EXPECT_THAT(reg(R"({"role":"dpo","name":"","contact":"c","salt":")" + salt + "\"}"),
              ReasonIs(kRegisterMalformed));
  EXPECT_THAT(reg(R"({"role":"dpo","name":"n","contact":"c","salt":")" + salt + "\",\"x\":1}"),
              ReasonIs(kRegisterMalformed));
  std::string one = R"({"role":"dpo","name":"n","contact":"c","salt":")" + salt + "\"}";
  EXPECT_THAT(reg(one + "," + one), ReasonIs(kRegisterMalformed));
  EXPECT_THAT(ParseRegister("{}"), ReasonIs(kRegisterMalformed));
}

TEST(IssueTimeTest, OnlineBound) {
  constexpr int64_t kLag = 3600;
  EXPECT_EQ(CheckIssueTime(1000, 900, 1100, kLag), std::nullopt);
  EXPECT_EQ(CheckIssueTime(2000, 900, 1100, kLag, 300), kStatementFromFuture);
  EXPECT_EQ(CheckIssueTime(1400, 900, 1100, kLag, 300), std::nullopt);
  EXPECT_EQ(CheckIssueTime(10000 - kLag - 301, 10000, 20000, kLag, 300), kStatementBackdated);
  EXPECT_EQ(CheckIssueTime(10000 - kLag - 300, 10000, 20000, kLag, 300), std::nullopt);
  EXPECT_EQ(CheckIssueTime(1000, std::nullopt, 1000 + kLag + 1, kLag), kIssueTimeUnverified);
  EXPECT_EQ(CheckIssueTime(1000, std::nullopt, 1000 + kLag, kLag), std::nullopt);
}

TEST(IssueTimeTest, RecordedCheckpointsBoundTheIssueTime) {
  constexpr int64_t kLag = 3600;
  constexpr int64_t kSkew = 300;
  CheckpointTimes times;
  // Nothing recorded: nothing to judge by.
  EXPECT_EQ(times.Check(0, 1000, kLag, kSkew), std::nullopt);
  // Audits saw size 10 at t=100000, size 20 at 110000 (twice: 110000, 112000), size 30 at 120000.
  times.Add(10, 100000);
  times.Add(20, 112000);
  times.Add(20, 110000);
  times.Add(20, 111000);  // neither the earliest nor the latest of its size: not kept
  times.Add(30, 120000);
  ASSERT_EQ(times.records().size(), 4u);
  EXPECT_EQ(times.records()[1].size, 20u);
  EXPECT_EQ(times.records()[1].quorum_time, 110000);
  EXPECT_EQ(times.records()[2].quorum_time, 112000);
  // Entry 5 is covered by the size-10 checkpoint: issued up to t_q + skew, and nothing below.
  EXPECT_EQ(times.Check(5, 100000 + kSkew, kLag, kSkew), std::nullopt);
  auto f = times.Check(5, 100000 + kSkew + 1, kLag, kSkew);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, kStatementFromFuture);
  EXPECT_EQ(f->severity, Severity::kAlarm);
  f = times.Check(5, 100000 - kLag - 1, kLag, kSkew);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, kIssueTimeUnverified);
  EXPECT_EQ(f->severity, Severity::kWarning);
  // Entry 15: after size 10 (t 100000), covered at size 20 (earliest 110000).
  EXPECT_EQ(times.Check(15, 100000 - kLag - kSkew, kLag, kSkew), std::nullopt);
  f = times.Check(15, 100000 - kLag - kSkew - 1, kLag, kSkew);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, kStatementBackdated);
  EXPECT_THAT(f->message, HasSubstr("backdated"));
  EXPECT_EQ(times.Check(15, 110000 + kSkew, kLag, kSkew), std::nullopt);
  EXPECT_EQ(times.Check(15, 110000 + kSkew + 1, kLag, kSkew)->code, kStatementFromFuture);
  // Entry 25: the latest t_q of size 20 (112000) bounds it from below.
  EXPECT_EQ(times.Check(25, 112000 - kLag - kSkew - 1, kLag, kSkew)->code, kStatementBackdated);
  EXPECT_EQ(times.Check(25, 112000 - kLag - kSkew, kLag, kSkew), std::nullopt);
  // Entry 30 is in no recorded checkpoint: only the lower bound applies.
  EXPECT_EQ(times.Check(30, 999999, kLag, kSkew), std::nullopt);
  EXPECT_EQ(times.Check(30, 120000 - kLag - kSkew - 1, kLag, kSkew)->code, kStatementBackdated);
  // A checkpoint recorded after a Check counts at once: size 40 cosigned at 130000 covers it.
  times.Add(40, 130000);
  EXPECT_EQ(times.Check(30, 130000 + kSkew, kLag, kSkew), std::nullopt);
  f = times.Check(30, 130000 + kSkew + 1, kLag, kSkew);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, kStatementFromFuture);
  EXPECT_THAT(f->message, HasSubstr("issuedOn 1970-01-02T12:11:41Z is later than "
                                    "1970-01-02T12:06:40Z"));
  EXPECT_THAT(f->message, HasSubstr("entry 30"));
}

TEST(IssueTimeTest, BoundWithoutALowerCheckpoint) {
  // Only checkpoints that cover the entry: a statement issued exactly maxIssueLag before the
  // first of them is verified; one second earlier, the bound is unverified (a warning, not an
  // alarm: nothing proves it was not logged early).
  constexpr int64_t kLag = 1800;  // a root set's maxIssueLag of PT30M
  constexpr int64_t kSkew = 0;
  CheckpointTimes times;
  times.Add(3, 50000);
  EXPECT_EQ(times.Check(0, 50000 - kLag, kLag, kSkew), std::nullopt);
  auto f = times.Check(0, 50000 - kLag - 1, kLag, kSkew);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, kIssueTimeUnverified);
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_THAT(f->message, HasSubstr("more than maxIssueLag (1800 s)"));
  // No skew: one second after t_q is already from the future.
  EXPECT_EQ(times.Check(2, 50000, kLag, kSkew), std::nullopt);
  EXPECT_EQ(times.Check(2, 50001, kLag, kSkew)->code, kStatementFromFuture);
  // The entry past every recorded checkpoint with only this one below it: backdated beyond
  // maxIssueLag + skew before 50000, accepted at the boundary.
  EXPECT_EQ(times.Check(3, 50000 - kLag, kLag, kSkew), std::nullopt);
  f = times.Check(3, 50000 - kLag - 1, kLag, kSkew);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->code, kStatementBackdated);
  EXPECT_EQ(f->severity, Severity::kAlarm);
  EXPECT_THAT(f->message, HasSubstr("did not yet hold entry 3"));
}

TEST(RootSetRulesTest, VersionAndSignatureRules) {
  EXPECT_THAT(CheckRootSetVersion(std::nullopt, 1), IsOk());
  EXPECT_THAT(CheckRootSetVersion(std::nullopt, 2), ReasonIs(kRootSetVersionGap));
  EXPECT_THAT(CheckRootSetVersion(4, 5), IsOk());
  EXPECT_THAT(CheckRootSetVersion(4, 4), ReasonIs(kRootSetVersionReplayed));
  EXPECT_THAT(CheckRootSetVersion(4, 3), ReasonIs(kRootSetVersionReplayed));
  EXPECT_THAT(CheckRootSetVersion(4, 6), ReasonIs(kRootSetVersionGap));
}

}  // namespace
}  // namespace vouch::govern

// The self-check (spec/governance.md §5.1) against a real sequencer and log reader, witness
// cosignatures, a simulated platform and governance histories from HistoryBuilder.
#include "vouch/server/self_check.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "govern/history_builder.h"
#include "store/memory_log_store.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/codes.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/reasons.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/platform/sim.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/proof_file.h"
#include "vouch/tlog/reasons.h"

namespace vouch::server {
namespace {

using govern::testing::HistoryBuilder;
using govern::testing::kTestOrigin;
using govern::testing::Measurement;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;
const std::string kBuilderA = "https://builder-a.example/vouch";
const std::string kBuilderB = "https://builder-b.example/ci";

// The log as a service would read it: the sequencer's newest checkpoint with witness
// cosignatures appended at `cosign_time`, its tiles, and receipts under that note.
class FakeLedger final : public LedgerSource {
 public:
  FakeLedger(ledger::Sequencer& seq, const ledger::LogReader& reader,
             const std::vector<tlog::CosignatureV1Signer>& witnesses)
      : seq_(seq), reader_(reader), witnesses_(witnesses) {}

  StatusOr<std::string> FetchCheckpoint() override {
    if (!reachable) return UnavailableError("connection refused");
    snapshot_ = seq_.Latest();
    const std::string& note = snapshot_->checkpoint();
    const std::string text = note.substr(0, note.find("\n\n") + 1);
    note_ = note;
    for (size_t i = 0; i < cosigners && i < witnesses_.size(); ++i) {
      note_ += *witnesses_[i].CosignLine(text, static_cast<uint64_t>(cosign_time));
    }
    return note_;
  }
  StatusOr<Bytes> FetchTile(const tlog::TileId& id) override {
    return reader_.ReadTile(id, *snapshot_);
  }
  StatusOr<std::string> FetchProof(uint64_t index) override {
    VOUCH_ASSIGN_OR_RETURN(auto proof, reader_.InclusionProof(index, *snapshot_));
    if (tamper_proof) proof.front()[0] ^= 1;
    VOUCH_ASSIGN_OR_RETURN(auto file, tlog::ProofFile::Create(index, std::move(proof), note_));
    return file.Serialize();
  }

  bool reachable = true;
  size_t cosigners = 2;
  UnixSeconds cosign_time = 0;
  bool tamper_proof = false;

 private:
  ledger::Sequencer& seq_;
  const ledger::LogReader& reader_;
  const std::vector<tlog::CosignatureV1Signer>& witnesses_;
  std::shared_ptr<const ledger::LogSnapshot> snapshot_;
  std::string note_;
};

class SelfCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<testing::FakeClock>(t0_ + 2 * kHour);
    auto hb = HistoryBuilder::Create(t0_);
    ASSERT_THAT(hb, IsOk());
    hb_ = std::move(hb).value();
    auto sim =
        platform::SimInstallation::Init(testing::MakeTempDir("self-check") + "/sim", t0_, false);
    ASSERT_THAT(sim, IsOk());
    sim_ = std::make_shared<platform::SimInstallation>(std::move(*sim));
    platform_ = PlatformFor(root_m_);
    auto verifier =
        sgx::DcapVerifier::Create({{sim_->pki().root(), sgx::TrustRootKind::kSimulation}});
    ASSERT_THAT(verifier, IsOk());
    verifier_ = std::move(verifier).value();

    auto log_signer = std::make_shared<tlog::Ed25519NoteSigner>(
        *tlog::Ed25519NoteSigner::FromSeed(kTestOrigin, Bytes(32, 7)));
    ledger::SequencerOptions so;
    so.batch_interval = std::chrono::microseconds(0);
    auto seq = ledger::Sequencer::Start(store_, log_signer, RealClock(), so);
    ASSERT_THAT(seq, IsOk());
    seq_ = std::move(seq).value();
    reader_ = std::make_unique<ledger::LogReader>(store_);
    std::string policy = "log " + seq_->verifier_key().ToString() + "\n";
    for (int i = 0; i < 2; ++i) {
      std::string name = "w" + std::to_string(i) + ".example";
      witnesses_.push_back(
          *tlog::CosignatureV1Signer::FromSeed(name, Bytes(32, static_cast<uint8_t>(20 + i))));
      policy += "witness " + name + " " + witnesses_.back().verifier_key().ToString() + "\n";
    }
    auto parsed =
        tlog::Policy::Parse(policy + "group both all w0.example w1.example\nquorum both\n");
    ASSERT_THAT(parsed, IsOk());
    policy_ = std::make_unique<tlog::Policy>(std::move(parsed).value());
    ledger_ = std::make_unique<FakeLedger>(*seq_, *reader_, witnesses_);
    ledger_->cosign_time = clock_->Now() - 10;
  }

  std::unique_ptr<platform::Platform> PlatformFor(const Sha256Hash& m) {
    platform::EnclaveIdentity id;
    id.mr_enclave = m;
    id.mr_signer = Measurement("root signer");
    id.product_id = 1;
    id.isv_svn = 1;
    id.attributes = platform::EnclaveIdentity::DefaultAttributes(false);
    return platform::NewSimPlatform(sim_, id);
  }

  void Add(const StatusOr<Bytes>& entry) {
    ASSERT_THAT(entry, IsOk());
    ASSERT_THAT(seq_->Submit(*entry).get(), IsOk());
    hb_->Append(*entry);
  }
  govern::EntryRef Last() const {
    const Bytes& e = hb_->entries().back();
    return {hb_->entries().size() - 1, Sha256(e)};
  }

  // Provenance by two builders for the root's measurement, then root set 1 listing `key` as
  // root-a (sim evidence: SEC:INSECURE).
  void Bootstrap(const std::string& key = "root-1") {
    Add(hb_->Sign(
        {hb_->MakeProvenance(kBuilderA, root_m_, std::string(40, '1'), "vouch-root", t0_)},
        {"builder-a"}));
    govern::EntryRef pa = Last();
    Add(hb_->Sign(
        {hb_->MakeProvenance(kBuilderB, root_m_, std::string(40, '1'), "vouch-root", t0_ + 60)},
        {"builder-b"}));
    govern::EntryRef pb = Last();
    auto root = hb_->MakeRoot("root-a", key, root_m_, {pa, pb});
    ASSERT_THAT(root, IsOk());
    root->constraint = "C:" + HexEncodeUpper(root_m_) + " SEC:INSECURE";
    govern::RootSet set = hb_->MakeRootSet(
        1, t0_ + kHour, t0_ + 180 * kDay, 1, {*root},
        {hb_->MakeBuilder(kBuilderA, {"builder-a"}), hb_->MakeBuilder(kBuilderB, {"builder-b"})});
    Add(hb_->Sign({set}, {key}));
    set1_ = Last();
  }

  SelfCheckOptions Options(const std::string& key = "root-1") {
    SelfCheckOptions o;
    o.role = govern::Role::kRoot;
    o.platform = platform_.get();
    const auto& spki = hb_->key(key).verifier().spki_der();
    o.service_spki.assign(spki.begin(), spki.end());
    o.report_data = govern::RootKeyReportData(o.service_spki);
    o.verifier = verifier_.get();
    o.collateral = [this](UnixSeconds at) { return sim_->CollateralAt(at); };
    o.ledger.policy = policy_.get();
    o.ledger.clock = clock_.get();
    return o;
  }

  const UnixSeconds t0_ = 1'796'115'600;  // 2026-12-01T09:00:00Z
  Sha256Hash root_m_ = Measurement("vouch-root enclave");
  std::unique_ptr<testing::FakeClock> clock_;
  std::unique_ptr<HistoryBuilder> hb_;
  std::shared_ptr<platform::SimInstallation> sim_;
  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<sgx::DcapVerifier> verifier_;
  std::shared_ptr<store::MemoryLogStore> store_ = std::make_shared<store::MemoryLogStore>();
  std::unique_ptr<ledger::Sequencer> seq_;
  std::unique_ptr<ledger::LogReader> reader_;
  std::vector<tlog::CosignatureV1Signer> witnesses_;
  std::unique_ptr<tlog::Policy> policy_;
  std::unique_ptr<FakeLedger> ledger_;
  govern::EntryRef set1_;
};

TEST_F(SelfCheckTest, AdmittedRootPassesWithAVerifiedReceipt) {
  Bootstrap();
  auto r = RunSelfCheck(*ledger_, Options(), nullptr);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->admitted_by, set1_);
  EXPECT_EQ(r->self.code_hash, root_m_);
  EXPECT_EQ(r->view.checkpoint.size(), 3u);
  EXPECT_EQ(r->view.quorum_time, clock_->Now() - 10);
  EXPECT_EQ(r->view.witnesses.size(), 2u);
  auto receipt = tlog::ProofFile::Parse(r->receipt);
  ASSERT_THAT(receipt, IsOk());
  EXPECT_EQ(receipt->index(), set1_.index);
  EXPECT_THAT(receipt->VerifyEntry(hb_->entries()[set1_.index], *policy_), IsOk());
  EXPECT_FALSE(r->quote.empty());
}

TEST_F(SelfCheckTest, EmptyLedgerHasNoRootSet) {
  ASSERT_THAT(seq_->Submit(AsBytes("not a statement")).get(), IsOk());
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), ReasonIs(govern::kNoRootSet));
}

TEST_F(SelfCheckTest, AnotherPinIsNoRootSetNamingTheMismatch) {
  Bootstrap();
  SelfCheckOptions o = Options();
  o.ledger.replay.root_set_pin = Sha256(AsBytes("another root set"));
  auto r = RunSelfCheck(*ledger_, o, nullptr);
  EXPECT_THAT(r, ReasonIs(govern::kNoRootSet));
  EXPECT_THAT(r.status().message(), HasSubstr(govern::kRootSetPinMismatch));
}

TEST_F(SelfCheckTest, TheRightPinPasses) {
  Bootstrap();
  SelfCheckOptions o = Options();
  o.ledger.replay.root_set_pin =
      dsse::LedgerEntry::Parse(hb_->entries()[set1_.index])->statement_digest();
  EXPECT_THAT(RunSelfCheck(*ledger_, o, nullptr), IsOk());
}

TEST_F(SelfCheckTest, StaleAndFutureCheckpointsAreRefused) {
  Bootstrap();
  ledger_->cosign_time = clock_->Now() - 301;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), ReasonIs(kCheckpointStale));
  ledger_->cosign_time = clock_->Now() + 301;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), ReasonIs(kCheckpointFromFuture));
  ledger_->cosign_time = clock_->Now() + 300;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), IsOk());
}

TEST_F(SelfCheckTest, QuorumIsRequired) {
  Bootstrap();
  ledger_->cosigners = 1;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), ReasonIs("policy_quorum_not_met"));
  auto none = *tlog::Policy::Parse("log " + seq_->verifier_key().ToString() + "\nquorum none\n");
  SelfCheckOptions o = Options();
  o.ledger.policy = &none;
  EXPECT_THAT(RunSelfCheck(*ledger_, o, nullptr), ReasonIs(kPolicyQuorumNone));
}

TEST_F(SelfCheckTest, UnreachableLogIsLogUnreachable) {
  Bootstrap();
  ledger_->reachable = false;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), ReasonIs(kLogUnreachable));
}

TEST_F(SelfCheckTest, AKeyOrMeasurementNotInTheSetIsNotAdmitted) {
  Bootstrap();
  EXPECT_THAT(RunSelfCheck(*ledger_, Options("root-2"), nullptr), ReasonIs(kSelfNotAdmitted));
  platform_ = PlatformFor(Measurement("another build"));
  auto r = RunSelfCheck(*ledger_, Options(), nullptr);
  EXPECT_THAT(r, ReasonIs(kSelfNotAdmitted));
  EXPECT_THAT(r.status().message(), HasSubstr("constraint_failed"));
}

TEST_F(SelfCheckTest, ARevokedMeasurementIsSelfRevoked) {
  Bootstrap();
  ASSERT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), IsOk());
  govern::Revocation rev;
  rev.ledger = kTestOrigin;
  rev.issued_on = t0_ + kHour + 60;
  rev.kind = govern::RevocationKind::kMeasurement;
  rev.mrenclave = root_m_;
  rev.reason = "vulnerability";
  Add(hb_->Sign({rev}, {"root-1"}));
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr), ReasonIs(kSelfRevoked));
}

TEST_F(SelfCheckTest, AnExpiredRootSetIsRefused) {
  Bootstrap();
  clock_->Advance(std::chrono::seconds(200 * kDay));
  ledger_->cosign_time = clock_->Now();
  SelfCheckOptions o = Options();
  // The simulated collateral is signed afresh; the set expired at t0 + 180 days.
  EXPECT_THAT(RunSelfCheck(*ledger_, o, nullptr), ReasonIs(govern::kRootSetExpired));
}

TEST_F(SelfCheckTest, ABadReceiptIsRefused) {
  Bootstrap();
  ledger_->tamper_proof = true;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), nullptr),
              ReasonIs(tlog::reasons::kInclusionProofInvalid));
}

TEST_F(SelfCheckTest, RollbackFromTheHighWaterMarkIsRefused) {
  Bootstrap();
  auto first = RunSelfCheck(*ledger_, Options(), nullptr);
  ASSERT_THAT(first, IsOk());
  // A later view, at a later quorum time.
  ASSERT_THAT(seq_->Submit(AsBytes("more")).get(), IsOk());
  clock_->Advance(std::chrono::seconds(60));
  ledger_->cosign_time = clock_->Now();
  auto second = RunSelfCheck(*ledger_, Options(), &first->view);
  ASSERT_THAT(second, IsOk());
  // The same tree cosigned earlier than the mark: a rollback of t_q.
  ledger_->cosign_time = clock_->Now() - 30;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), &second->view),
              ReasonIs(ledger::reasons::kCheckpointRollback));
}

TEST_F(SelfCheckTest, IntegrityRunsFirstAndOwnQuoteMustVerify) {
  Bootstrap();
  SelfCheckOptions o = Options();
  o.integrity_check = [] { return RejectedError("integrity_digest_mismatch", "patched"); };
  ledger_->reachable = false;  // never reached
  EXPECT_THAT(RunSelfCheck(*ledger_, o, nullptr), ReasonIs("integrity_digest_mismatch"));
  ledger_->reachable = true;
  o = Options();
  auto other = platform::SimInstallation::Init(testing::MakeTempDir("self-check-other") + "/sim",
                                               t0_, false);
  ASSERT_THAT(other, IsOk());
  auto foreign = std::make_shared<platform::SimInstallation>(std::move(*other));
  o.collateral = [foreign](UnixSeconds at) { return foreign->CollateralAt(at); };
  auto r = RunSelfCheck(*ledger_, o, nullptr);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().reason(), "");
}

TEST(SelfCheckFormatTest, OneLineNamingTheCode) {
  EXPECT_EQ(
      FormatSelfCheckFailure("root", RejectedError("self_revoked", "MRENCLAVE ab is revoked")),
      "vouch serve root: self-check failed (self_revoked): MRENCLAVE ab is revoked; "
      "refusing to serve");
}

}  // namespace
}  // namespace vouch::server

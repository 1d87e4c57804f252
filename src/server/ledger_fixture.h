// Test support for the self-check and the root (self_check_test.cc, root_signer_test.cc): a
// real sequencer and log reader over a memory store, a log whose checkpoints two witnesses
// cosign at a time the test sets, a simulated SGX installation with a platform for the root's
// measurement, and governance histories from HistoryBuilder (provenance by two builders, root
// set 1 with one root whose constraint admits simulated evidence).
#ifndef VOUCH_SERVER_LEDGER_FIXTURE_H_
#define VOUCH_SERVER_LEDGER_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "govern/history_builder.h"
#include "platform/test_identity.h"
#include "store/memory_log_store.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/codes.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/platform/sim.h"
#include "vouch/server/self_check.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/proof_file.h"

namespace vouch::server::ledger_testing {

using govern::testing::HistoryBuilder;
using govern::testing::kTestOrigin;
using govern::testing::Measurement;

inline constexpr int64_t kHour = 3600;
inline constexpr int64_t kDay = 86400;
inline const std::string kBuilderA = "https://builder-a.example/vouch";
inline const std::string kBuilderB = "https://builder-b.example/ci";

// The log as a service would read it: the sequencer's newest checkpoint with witness
// cosignatures appended at `cosign_time`, its tiles, and receipts under that note.
class FakeLedger final : public ledger::ReceiptFetcher {
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
    if (id.is_bundle()) ++bundles_fetched[id.index];
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
  std::map<uint64_t, int> bundles_fetched;  // by bundle index

 private:
  ledger::Sequencer& seq_;
  const ledger::LogReader& reader_;
  const std::vector<tlog::CosignatureV1Signer>& witnesses_;
  std::shared_ptr<const ledger::LogSnapshot> snapshot_;
  std::string note_;
};

class GovernedLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_unique<vouch::testing::FakeClock>(t0_ + 2 * kHour);
    auto hb = HistoryBuilder::Create(t0_);
    ASSERT_THAT(hb, IsOk());
    hb_ = std::move(hb).value();
    auto sim = platform::SimInstallation::Init(vouch::testing::MakeTempDir("self-check") + "/sim",
                                               t0_, false);
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
    policy_text_ = policy + "group both all w0.example w1.example\nquorum both\n";
    auto parsed = tlog::Policy::Parse(policy_text_);
    ASSERT_THAT(parsed, IsOk());
    policy_ = std::make_unique<tlog::Policy>(std::move(parsed).value());
    ledger_ = std::make_unique<FakeLedger>(*seq_, *reader_, witnesses_);
    ledger_->cosign_time = clock_->Now() - 10;
  }

  std::unique_ptr<platform::Platform> PlatformFor(const Sha256Hash& m) {
    return platform::NewSimPlatform(sim_,
                                    vouch::testing::TestIdentity(m, Measurement("root signer")));
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

  // Provenance by two builders for the root's measurement; their references.
  std::vector<govern::EntryRef> AddRootProvenance() {
    std::vector<govern::EntryRef> refs;
    Add(hb_->Sign(
        {hb_->MakeProvenance(kBuilderA, root_m_, std::string(40, '1'), "vouch-root", t0_)},
        {"builder-a"}));
    refs.push_back(Last());
    Add(hb_->Sign(
        {hb_->MakeProvenance(kBuilderB, root_m_, std::string(40, '1'), "vouch-root", t0_ + 60)},
        {"builder-b"}));
    refs.push_back(Last());
    return refs;
  }

  // Root set 1 (1-of-1) listing `key` as root-a (sim evidence: SEC:INSECURE), issued at t0 + 1 h.
  govern::RootSet RootSet1(const std::string& key, std::vector<govern::EntryRef> refs) {
    auto root = hb_->MakeRoot("root-a", key, root_m_, std::move(refs));
    EXPECT_THAT(root, IsOk());
    root->constraint = "C:" + HexEncodeUpper(root_m_) + " SEC:INSECURE";
    return hb_->MakeRootSet(
        1, t0_ + kHour, t0_ + 180 * kDay, 1, {*root},
        {hb_->MakeBuilder(kBuilderA, {"builder-a"}), hb_->MakeBuilder(kBuilderB, {"builder-b"})});
  }

  // The provenance, then root set 1 signed by `key`.
  void Bootstrap(const std::string& key = "root-1") {
    govern::RootSet set = RootSet1(key, AddRootProvenance());
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
    o.collateral = [this](ByteSpan, UnixSeconds at) { return sim_->CollateralAt(at); };
    o.ledger.policy = policy_.get();
    o.ledger.clock = clock_.get();
    return o;
  }

  const UnixSeconds t0_ = 1'796'115'600;  // 2026-12-01T09:00:00Z
  Sha256Hash root_m_ = Measurement("vouch-root enclave");
  std::unique_ptr<vouch::testing::FakeClock> clock_;
  std::unique_ptr<HistoryBuilder> hb_;
  std::shared_ptr<platform::SimInstallation> sim_;
  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<sgx::DcapVerifier> verifier_;
  std::shared_ptr<store::MemoryLogStore> store_ = std::make_shared<store::MemoryLogStore>();
  std::unique_ptr<ledger::Sequencer> seq_;
  std::unique_ptr<ledger::LogReader> reader_;
  std::vector<tlog::CosignatureV1Signer> witnesses_;
  std::unique_ptr<tlog::Policy> policy_;
  std::string policy_text_;  // policy_'s c2sp.org/tlog-policy text
  std::unique_ptr<FakeLedger> ledger_;
  govern::EntryRef set1_;
};

}  // namespace vouch::server::ledger_testing

#endif  // VOUCH_SERVER_LEDGER_FIXTURE_H_

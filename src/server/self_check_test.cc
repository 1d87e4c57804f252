// The self-check (spec/governance.md §5.1) against a real sequencer and log reader, witness
// cosignatures, a simulated platform and governance histories from HistoryBuilder.
#include "vouch/server/self_check.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/ledger_fixture.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/codes.h"
#include "vouch/ledger/reasons.h"
#include "vouch/tlog/proof_file.h"
#include "vouch/tlog/reasons.h"

namespace vouch::server {
namespace {

using ledger_testing::kDay;
using ledger_testing::kHour;
using ledger_testing::kTestOrigin;
using ledger_testing::Measurement;

class SelfCheckTest : public ledger_testing::GovernedLedgerTest {};

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

TEST_F(SelfCheckTest, TheSealedHighWaterMarkSurvivesARestartAndStopsARollback) {
  Bootstrap();
  const std::string path = vouch::testing::MakeTempDir("hwm") + "/high-water-mark.sealed";
  auto none = LoadHighWaterMark(*platform_, path, Options().ledger);
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  auto first = RunSelfCheck(*ledger_, Options(), nullptr);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(SealHighWaterMark(*platform_, path, first->view), IsOk());

  // "After a restart": only the sealed mark remains, without a replayed state.
  auto mark = LoadHighWaterMark(*platform_, path, Options().ledger);
  ASSERT_THAT(mark, IsOk());
  ASSERT_TRUE(mark->has_value());
  const LedgerView& m = **mark;
  EXPECT_EQ(m.checkpoint_note, first->view.checkpoint_note);
  EXPECT_EQ(m.checkpoint.size(), first->view.checkpoint.size());
  EXPECT_EQ(m.quorum_time, first->view.quorum_time);
  EXPECT_EQ(m.state, nullptr);
  // The same tree from the mark is replayed (there is no state to reuse) and passes.
  auto again = RunSelfCheck(*ledger_, Options(), &m);
  ASSERT_THAT(again, IsOk());
  EXPECT_NE(again->view.state, nullptr);
  // A checkpoint cosigned before the mark's quorum time, though fresh, is a rollback.
  ledger_->cosign_time = m.quorum_time - 30;
  EXPECT_THAT(RunSelfCheck(*ledger_, Options(), &m),
              ReasonIs(ledger::reasons::kCheckpointRollback));

  // A damaged mark, or one sealed by another enclave, is an error, never "no mark".
  auto blob = ReadFile(path);
  ASSERT_THAT(blob.status(), IsOk());
  (*blob)[blob->size() / 2] ^= 1;
  ASSERT_THAT(WriteFileAtomic(path, *blob, 0600), IsOk());
  EXPECT_FALSE(LoadHighWaterMark(*platform_, path, Options().ledger).ok());
  auto other = PlatformFor(Measurement("another enclave"));
  ASSERT_THAT(SealHighWaterMark(*other, path, first->view), IsOk());
  EXPECT_FALSE(LoadHighWaterMark(*platform_, path, Options().ledger).ok());
}

TEST_F(SelfCheckTest, TheSameTreeReusesTheReplayedStateAndANewOneIsReplayed) {
  Bootstrap();
  auto first = SyncLedgerView(*ledger_, Options().ledger, nullptr);
  ASSERT_THAT(first, IsOk());
  clock_->Advance(std::chrono::seconds(30));
  ledger_->cosign_time = clock_->Now();
  auto again = SyncLedgerView(*ledger_, Options().ledger, &*first);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->state, first->state);
  EXPECT_EQ(again->quorum_time, clock_->Now());
  ASSERT_THAT(seq_->Submit(AsBytes("more")).get(), IsOk());
  auto grown = SyncLedgerView(*ledger_, Options().ledger, &*again);
  ASSERT_THAT(grown, IsOk());
  EXPECT_NE(grown->state, first->state);
  EXPECT_EQ(grown->state->size(), 4u);
  EXPECT_EQ(again->state->size(), 3u);  // the earlier view is unchanged
}

// A grown log is synced incrementally: only the bundles from the first new entry on are read,
// and the state equals that of a full replay.
TEST_F(SelfCheckTest, AGrownLogIsSyncedFromThePreviousView) {
  Bootstrap();
  auto first = SyncLedgerView(*ledger_, Options().ledger, nullptr);
  ASSERT_THAT(first, IsOk());
  std::vector<std::future<StatusOr<ledger::AddResult>>> added;
  for (int i = 0; i < 300; ++i) added.push_back(seq_->Submit(AsBytes("e" + std::to_string(i))));
  for (auto& f : added) ASSERT_THAT(f.get(), IsOk());
  auto grown = SyncLedgerView(*ledger_, Options().ledger, &*first);
  ASSERT_THAT(grown, IsOk());
  EXPECT_EQ(grown->tree.size(), 303u);
  ASSERT_THAT(seq_->Submit(AsBytes("one more")).get(), IsOk());
  ledger_->bundles_fetched.clear();
  auto next = SyncLedgerView(*ledger_, Options().ledger, &*grown);
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(ledger_->bundles_fetched, (std::map<uint64_t, int>{{1, 1}}));
  EXPECT_EQ(next->state->size(), 304u);
  // The partial bundle's length is kept, so that a sync reads only its new entries.
  EXPECT_GT(grown->tip_bundle_bytes, 0u);
  EXPECT_EQ(next->tip_bundle_bytes, grown->tip_bundle_bytes + 2 + std::string("one more").size());
  EXPECT_EQ(grown->state->size(), 303u);

  ledger_->bundles_fetched.clear();
  auto full = SyncLedgerView(*ledger_, Options().ledger, nullptr);
  ASSERT_THAT(full, IsOk());
  EXPECT_EQ(ledger_->bundles_fetched, (std::map<uint64_t, int>{{0, 1}, {1, 1}}));
  EXPECT_EQ(next->tree, full->tree);
  EXPECT_EQ(next->leaf_hashes, full->leaf_hashes);
  EXPECT_EQ(next->state->RootSetChain().size(), full->state->RootSetChain().size());
  ASSERT_EQ(next->state->RootSetChain().size(), 1u);
  EXPECT_EQ(next->state->RootSetChain()[0].index, full->state->RootSetChain()[0].index);
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
  o.collateral = [foreign](ByteSpan, UnixSeconds at) { return foreign->CollateralAt(at); };
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

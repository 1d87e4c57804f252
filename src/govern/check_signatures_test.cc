// GovernanceState::CheckSignatures: the signature half of Append's judgement (G3, §3.3 step 4),
// as a countersigning client applies it before it submits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "govern/history_builder.h"
#include "testing/status_matchers.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/replay.h"

namespace vouch::govern {
namespace {

using testing::ConstraintFor;
using testing::HistoryBuilder;
using testing::Measurement;

constexpr int64_t kOneHour = 3600;
constexpr int64_t kOneDay = 86400;

class CheckSignaturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hb_ = std::move(HistoryBuilder::Create(t0_)).value();
    for (const char* b : {"builder-a", "builder-b"}) {
      refs_.push_back(hb_->Append(
          *hb_->Sign({hb_->MakeProvenance(std::string("https://") + b + ".example/ci", root_m_,
                                          std::string(40, '1'), "vouch-root", t0_)},
                     {b})));
    }
  }

  std::vector<BuilderDescriptor> Builders() const {
    return {hb_->MakeBuilder("https://builder-a.example/ci", {"builder-a"}),
            hb_->MakeBuilder("https://builder-b.example/ci", {"builder-b"})};
  }
  RootDescriptor Root(const std::string& name, const std::string& key,
                      std::vector<EntryRef> refs) const {
    return *hb_->MakeRoot(name, key, root_m_, std::move(refs));
  }
  RootSet Set1() const {
    return hb_->MakeRootSet(1, t0_ + kOneHour, t0_ + 100 * kOneDay, 2,
                            {Root("root-a", "root-1", refs_), Root("root-b", "root-2", refs_)},
                            Builders());
  }
  RootSet Set2() const {
    return hb_->MakeRootSet(
        2, t0_ + 2 * kOneHour, t0_ + 100 * kOneDay, 2,
        {Root("root-a", "root-1", {}), Root("root-b", "root-2", {}), Root("root-c", "root-3", {})},
        Builders());
  }
  // `statement` signed by `signers`, as an entry.
  dsse::LedgerEntry Entry(const Statement& statement, const std::vector<std::string>& signers) {
    return *dsse::LedgerEntry::Parse(*hb_->Sign(statement, signers));
  }
  GovernanceState Replayed() const {
    GovernanceState state(ReplayOptions{});
    for (const Bytes& e : hb_->entries()) EXPECT_TRUE(state.Append(e).valid);
    return state;
  }
  Statement Admit() const {
    return {hb_->MakeAdmission(Role::kWorkload, ConstraintFor(Measurement("hello")),
                               t0_ + 3 * kOneHour, t0_ + 30 * kOneDay, refs_)};
  }

  const UnixSeconds t0_ = 1'796'115'600;
  Sha256Hash root_m_ = Measurement("vouch-root enclave");
  std::unique_ptr<HistoryBuilder> hb_;
  std::vector<EntryRef> refs_;
};

TEST_F(CheckSignaturesTest, RootSetOneNeedsItsOwnThreshold) {
  GovernanceState state = Replayed();
  EXPECT_THAT(state.CheckSignatures(Entry({Set1()}, {"root-1"})), ReasonIs(kNewSetThresholdNotMet));
  EXPECT_THAT(state.CheckSignatures(Entry({Set1()}, {"root-1", "other"})),
              ReasonIs(kNewSetThresholdNotMet));
  EXPECT_THAT(state.CheckSignatures(Entry({Set1()}, {"root-1", "root-2"})), IsOk());
  EXPECT_THAT(state.CheckSignatures(Entry(Admit(), {"root-1", "root-2"})), ReasonIs(kNoRootSet));
}

TEST_F(CheckSignaturesTest, StatementsNeedTheThresholdOfTheSetInForce) {
  hb_->Append(*hb_->Sign({Set1()}, {"root-1", "root-2"}));
  GovernanceState state = Replayed();
  EXPECT_THAT(state.CheckSignatures(Entry(Admit(), {"root-1"})), ReasonIs(dsse::kThresholdNotMet));
  EXPECT_THAT(state.CheckSignatures(Entry(Admit(), {"root-1", "root-3"})),
              ReasonIs(dsse::kThresholdNotMet));
  EXPECT_THAT(state.CheckSignatures(Entry(Admit(), {"root-1", "root-2"})), IsOk());
  // A trusted key's signature that does not verify is never skipped.
  dsse::LedgerEntry good = Entry(Admit(), {"root-1", "root-2"});
  std::vector<dsse::Signature> sigs = good.signatures();
  sigs[0].sig[0] ^= 1;
  EXPECT_THAT(state.CheckSignatures(*dsse::LedgerEntry::Create(good.payload(), sigs)),
              ReasonIs(dsse::kStatementSignatureInvalid));
  // Rotation: a threshold of the old set and of the new one.
  EXPECT_THAT(state.CheckSignatures(Entry({Set2()}, {"root-1", "root-3"})),
              ReasonIs(kOldSetThresholdNotMet));
  EXPECT_THAT(state.CheckSignatures(Entry({Set2()}, {"root-1", "root-2"})), IsOk());
  // Provenance is its builders' to sign.
  EXPECT_EQ(state
                .CheckSignatures(Entry({hb_->MakeProvenance("https://builder-a.example/ci", root_m_,
                                                            std::string(40, '2'), "x", t0_)},
                                       {"builder-a"}))
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vouch::govern

// The root's decisions against a real sequencer and log reader, witnesses' cosignatures and a
// simulated platform (ledger_fixture.h): it starts only when admitted (or bootstrapping), it
// signs only what the rules allow, and it stops signing as soon as the ledger removes it.
#include "vouch/server/root_signer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dsse/jcs.h"
#include "server/ledger_fixture.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/govern/codes.h"
#include "vouch/ledger/reasons.h"

namespace vouch::server {
namespace {

using ledger_testing::kDay;
using ledger_testing::kHour;
using ledger_testing::kTestOrigin;
using ledger_testing::Measurement;

// Stands in for the collateral-backed attester of `serve root --collateral` (whose verification
// is the audit's, tested there): it records what it was asked and answers as told.
class ScriptedAttester final : public govern::EvidenceAttester {
 public:
  Status Attest(const govern::RootDescriptor& root, UnixSeconds) override {
    asked.push_back(root.name);
    return answer;
  }
  Status answer = OkStatus();
  std::vector<std::string> asked;
};

class RootSignerTest : public ledger_testing::GovernedLedgerTest {
 protected:
  RootSignerOptions SignerOptions(const std::string& key = "root-1", bool bootstrap = false) {
    RootSignerOptions o;
    o.self_check = Options(key);
    o.key = &hb_->key(key);
    o.attester = &attester_;
    o.bootstrap = bootstrap;
    return o;
  }

  // The canonical payload of `statement`.
  Bytes Payload(const govern::Statement& statement) {
    auto entry = hb_->Sign(statement, {"other"});
    EXPECT_THAT(entry, IsOk());
    return dsse::LedgerEntry::Parse(*entry)->payload();
  }

  // An admission of `m` for workloads, issued `ago` seconds before the clock, reproduced by
  // `refs`.
  Bytes Admission(const Sha256Hash& m, std::vector<govern::EntryRef> refs, int64_t ago = 60) {
    const UnixSeconds issued = clock_->Now() - ago;
    return Payload(
        {hb_->MakeAdmission(govern::Role::kWorkload, "C:" + HexEncodeUpper(m) + " SEC:STALE",
                            issued, issued + 30 * kDay, std::move(refs))});
  }

  std::vector<govern::EntryRef> HelloProvenance() {
    std::vector<govern::EntryRef> refs;
    for (const auto& [id, key] : {std::pair{ledger_testing::kBuilderA, "builder-a"},
                                  std::pair{ledger_testing::kBuilderB, "builder-b"}}) {
      Add(hb_->Sign(
          {hb_->MakeProvenance(id, hello_m_, std::string(40, '2'), "hello", t0_ + kHour + 120)},
          {key}));
      refs.push_back(Last());
    }
    return refs;
  }

  ScriptedAttester attester_;
  Sha256Hash hello_m_ = Measurement("hello enclave");
};

TEST_F(RootSignerTest, SignsAnAdmissionItCheckedItself) {
  Bootstrap();
  auto refs = HelloProvenance();
  auto signer = RootSigner::Create(*ledger_, SignerOptions());
  ASSERT_THAT(signer, IsOk());
  EXPECT_THAT((*signer)->status().check, IsOk());
  EXPECT_EQ((*signer)->status().admitted_by, set1_);
  Bytes statement = Admission(hello_m_, refs);
  auto sig = (*signer)->Sign(statement);
  ASSERT_THAT(sig, IsOk());
  EXPECT_EQ(sig->keyid, hb_->key("root-1").verifier().KeyId());
  EXPECT_THAT(hb_->key("root-1").verifier().Verify(dsse::Pae(dsse::kInTotoPayloadType, statement),
                                                   sig->sig),
              IsOk());
  // The countersigned entry is valid in the ledger the root read.
  auto entry = dsse::LedgerEntry::Create(statement, {*sig});
  ASSERT_THAT(entry, IsOk());
  Add(Bytes(entry->bytes().begin(), entry->bytes().end()));
  auto view = SyncLedgerView(*ledger_, Options().ledger, nullptr);
  ASSERT_THAT(view, IsOk());
  EXPECT_EQ(view->state->Admissions(clock_->Now()).size(), 1u);
}

TEST_F(RootSignerTest, RefusesWhatTheRulesRefuse) {
  Bootstrap();
  auto refs = HelloProvenance();
  auto signer = std::move(RootSigner::Create(*ledger_, SignerOptions())).value();
  // Not reproduced: the references build another measurement.
  EXPECT_THAT(signer->Sign(Admission(Measurement("unbuilt"), refs)),
              ReasonIs(govern::kNotReproduced));
  // A referenced entry that is not there, or whose hash is forged.
  govern::EntryRef missing{99, refs[0].sha256};
  EXPECT_THAT(signer->Sign(Admission(hello_m_, {refs[0], missing})),
              ReasonIs(govern::kReferenceNotFound));
  govern::EntryRef forged{refs[1].index, Sha256(AsBytes("forged"))};
  EXPECT_THAT(signer->Sign(Admission(hello_m_, {refs[0], forged})),
              ReasonIs(govern::kReferenceNotFound));
  // A second root set 1.
  EXPECT_THAT(signer->Sign(Payload({RootSet1("root-1", refs)})),
              ReasonIs(govern::kRootSetVersionReplayed));
  // Issue time outside [now - maxIssueLag (1 h), now + skew (5 min)].
  clock_->Advance(std::chrono::seconds(3 * kHour));
  ledger_->cosign_time = clock_->Now();
  EXPECT_THAT(signer->Sign(Admission(hello_m_, refs, kHour + 60)),
              ReasonIs(govern::kStatementBackdated));
  EXPECT_THAT(signer->Sign(Admission(hello_m_, refs, -400)),
              ReasonIs(govern::kStatementFromFuture));
  EXPECT_THAT(signer->Sign(Admission(hello_m_, refs, kHour - 60)), IsOk());
  // Provenance is the builders' to sign.
  EXPECT_FALSE(signer
                   ->Sign(Payload({hb_->MakeProvenance(ledger_testing::kBuilderA, hello_m_,
                                                       std::string(40, '3'), "hello", t0_)}))
                   .ok());
  // Garbage.
  EXPECT_FALSE(signer->Sign(AsBytes("{}")).ok());
}

TEST_F(RootSignerTest, RefusesOnAViewItCannotTrustAndWhatTheLedgerHasSinceRevoked) {
  Bootstrap();
  auto refs = HelloProvenance();
  auto signer = std::move(RootSigner::Create(*ledger_, SignerOptions())).value();
  // A stale checkpoint: its quorum time is more than --max-checkpoint-age (PT5M) old.
  clock_->Advance(std::chrono::seconds(301 + 10));
  EXPECT_THAT(signer->Sign(Admission(hello_m_, refs)), ReasonIs(kCheckpointStale));
  ledger_->cosign_time = clock_->Now();
  // A checkpoint without the witness quorum.
  ledger_->cosigners = 1;
  EXPECT_THAT(signer->Sign(Admission(hello_m_, refs)), ReasonIs("policy_quorum_not_met"));
  ledger_->cosigners = 2;
  ASSERT_THAT(signer->Sign(Admission(hello_m_, refs)), IsOk());
  // A root set whose version is not the next one.
  auto root = hb_->MakeRoot("root-a", "root-1", root_m_, AddRootProvenance());
  ASSERT_THAT(root, IsOk());
  root->constraint = "C:" + HexEncodeUpper(root_m_) + " SEC:INSECURE";
  EXPECT_THAT(signer->Sign(Payload({hb_->MakeRootSet(
                  3, clock_->Now() - 60, t0_ + 180 * kDay, 1, {*root},
                  {hb_->MakeBuilder(ledger_testing::kBuilderA, {"builder-a"}),
                   hb_->MakeBuilder(ledger_testing::kBuilderB, {"builder-b"})})})),
              ReasonIs(govern::kRootSetVersionGap));
  // A builder whose key is revoked no longer reproduces anything (spec §3.5 builderKey): with
  // two builders required, both the admission's measurement and the root's own lapse, and the
  // root stops signing at once.
  govern::Revocation rev;
  rev.ledger = kTestOrigin;
  rev.issued_on = clock_->Now() - 30;
  rev.kind = govern::RevocationKind::kBuilderKey;
  rev.keyid = hb_->key("builder-b").verifier().KeyId();
  rev.reason = "key_compromise";
  Add(hb_->Sign({rev}, {"root-1"}));
  auto refused = signer->Sign(Admission(hello_m_, refs));
  EXPECT_THAT(refused, ReasonIs(kSelfCheckFailed));
  EXPECT_THAT(refused.status().message(), HasSubstr("not_reproduced"));
  EXPECT_THAT(signer->status().check, ReasonIs(kSelfNotAdmitted));
}

TEST_F(RootSignerTest, ARestartedRootKeepsItsSealedHighWaterMark) {
  Bootstrap();
  RootSignerOptions o = SignerOptions();
  o.high_water_mark_path = vouch::testing::MakeTempDir("root-hwm") + "/high-water-mark.sealed";
  {
    auto signer = RootSigner::Create(*ledger_, o);
    ASSERT_THAT(signer, IsOk());
  }
  ASSERT_TRUE(FileExists(o.high_water_mark_path));
  // Restarted against a log that serves an older, still fresh, cosigned checkpoint.
  ledger_->cosign_time -= 60;
  EXPECT_THAT(RootSigner::Create(*ledger_, o), ReasonIs(ledger::reasons::kCheckpointRollback));
  // Without the mark the same checkpoint passes: the rollback the sealed mark stops.
  EXPECT_THAT(RootSigner::Create(*ledger_, SignerOptions()), IsOk());
}

TEST_F(RootSignerTest, FailsClosedAtStartup) {
  Bootstrap();
  EXPECT_THAT(RootSigner::Create(*ledger_, SignerOptions("root-2")), ReasonIs(kSelfNotAdmitted));
  ledger_->cosign_time = clock_->Now() - 3600;
  EXPECT_THAT(RootSigner::Create(*ledger_, SignerOptions()), ReasonIs(kCheckpointStale));
}

TEST_F(RootSignerTest, StopsSigningOnceRevokedWithoutARestart) {
  Bootstrap();
  auto refs = HelloProvenance();
  auto signer = std::move(RootSigner::Create(*ledger_, SignerOptions())).value();
  ASSERT_THAT(signer->Sign(Admission(hello_m_, refs)), IsOk());
  govern::Revocation rev;
  rev.ledger = kTestOrigin;
  rev.issued_on = clock_->Now() - 30;
  rev.kind = govern::RevocationKind::kMeasurement;
  rev.mrenclave = root_m_;
  rev.reason = "vulnerability";
  Add(hb_->Sign({rev}, {"root-1"}));
  EXPECT_THAT(signer->Sign(Admission(hello_m_, refs)), ReasonIs(kSelfCheckFailed));
  EXPECT_THAT(signer->status().check, ReasonIs(kSelfRevoked));
  EXPECT_THAT(signer->Recheck(), ReasonIs(kSelfRevoked));
  EXPECT_THAT(signer->Sign(Admission(hello_m_, refs)), ReasonIs(kSelfCheckFailed));
}

TEST_F(RootSignerTest, BootstrapSignsOnlyItsOwnRootSetOne) {
  auto refs = AddRootProvenance();
  // Without --bootstrap an empty ledger is a failed self-check.
  EXPECT_THAT(RootSigner::Create(*ledger_, SignerOptions()), ReasonIs(govern::kNoRootSet));
  auto signer = std::move(RootSigner::Create(*ledger_, SignerOptions("root-1", true))).value();
  EXPECT_TRUE(signer->status().bootstrap);
  auto hello = HelloProvenance();
  EXPECT_THAT(signer->Sign(Admission(hello_m_, hello)), ReasonIs(govern::kNoRootSet));
  // A set 1 that does not list this root.
  EXPECT_THAT(signer->Sign(Payload({RootSet1("root-2", refs)})), ReasonIs(govern::kNoRootSet));
  // Its evidence must be attested.
  attester_.answer = NotFoundError("no collateral with that dirHash");
  EXPECT_THAT(signer->Sign(Payload({RootSet1("root-1", refs)})),
              ReasonIs(govern::kRootEvidenceUnverified));
  attester_.answer = RejectedError("tcb_revoked", "revoked platform");
  EXPECT_THAT(signer->Sign(Payload({RootSet1("root-1", refs)})),
              ReasonIs(govern::kRootEvidenceInvalid));
  attester_.answer = OkStatus();
  // Set 1 listing it, reproduced: signed; once logged, the root is an ordinary root.
  Bytes set1 = Payload({RootSet1("root-1", refs)});
  auto sig = signer->Sign(set1);
  ASSERT_THAT(sig, IsOk());
  EXPECT_EQ(attester_.asked.back(), "root-a");
  auto entry = dsse::LedgerEntry::Create(set1, {*sig});
  ASSERT_THAT(entry, IsOk());
  Add(Bytes(entry->bytes().begin(), entry->bytes().end()));
  ASSERT_THAT(signer->Sign(Admission(hello_m_, hello)), IsOk());
  EXPECT_FALSE(signer->status().bootstrap);
  EXPECT_THAT(signer->status().check, IsOk());
  EXPECT_THAT(signer->Sign(set1), ReasonIs(govern::kRootSetVersionReplayed));
}

}  // namespace
}  // namespace vouch::server

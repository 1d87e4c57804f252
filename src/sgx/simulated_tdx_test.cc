// TDX statuses and shapes that no real vector has, through DcapVerifier::VerifyTd: TD quotes
// and TDX collateral made under a simulated PKI (sgx/simulated_tdx.h), checked step by step
// against Intel QVL's TDX TCB evaluation.
#include "sgx/simulated_tdx.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/tee_constraint.h"
#include "vouch/sgx/td_info.h"
#include "vouch/sgx/verifier.h"

namespace vouch::sgx::testing {
namespace {

using ::testing::ElementsAre;

constexpr UnixSeconds kNow = 1750000000;

class SimulatedTdxTest : public ::testing::Test {
 protected:
  SimulatedPki pki_ = *SimulatedPki::Create(DefaultSimulatedPkiOptions(kNow));
  SimulatedTdx tdx_{pki_, {}};
  std::unique_ptr<DcapVerifier> verifier_ =
      *DcapVerifier::Create({{pki_.root(), TrustRootKind::kProduction}}, {false, 0});

  // A TDX TCB level for the simulated platform's SGX TCB with these TDX components.
  SimulatedTdxLevel Level(std::array<uint8_t, 16> tdx, TcbStatus status,
                          std::vector<std::string> advisories = {}) const {
    return {pki_.options().platform.tcb_components, pki_.options().platform.pce_svn, tdx, status,
            std::move(advisories)};
  }
  StatusOr<TdVerificationResult> Verify(const TdReport& td, int version = 4) {
    auto quote = tdx_.MakeQuote(td, version);
    auto collateral = tdx_.MakeCollateral();
    if (!quote.ok()) return quote.status();
    if (!collateral.ok()) return collateral.status();
    return verifier_->VerifyTd(*quote, *collateral, {kNow, false});
  }
};

TEST_F(SimulatedTdxTest, UpToDateInEveryQuoteShape) {
  for (auto [version, td15] : {std::pair{4, false}, {5, false}, {5, true}}) {
    auto r = Verify(tdx_.MakeTdReport(td15), version);
    ASSERT_THAT(r, IsOk()) << version << td15;
    EXPECT_EQ(r->tcb_status, TcbStatus::kUpToDate);
    EXPECT_EQ(r->tdx_module_identity, "TDX_01");
    EXPECT_EQ(r->body_type, td15 ? QuoteBodyType::kTdReport15 : QuoteBodyType::kTdReport10);
    EXPECT_EQ(r->header.version, version);
    EXPECT_EQ(r->td.tee_tcb_svn2.has_value(), td15);
    EXPECT_EQ(TdIntelQvResultName(*r), "SGX_QL_QV_RESULT_OK");
  }
  EXPECT_FALSE(tdx_.MakeQuote(tdx_.MakeTdReport(true), 4).ok());
}

TEST_F(SimulatedTdxTest, DebugTdVerifiesAndSaysSo) {
  TdReport td = tdx_.MakeTdReport();
  td.td_attributes[0] = 0x01;  // TUD.DEBUG
  auto r = Verify(td);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->td.debug());
  EXPECT_EQ(r->tcb_status, TcbStatus::kUpToDate);  // the verdict on the platform, not the TD
}

TEST_F(SimulatedTdxTest, OutOfDateModuleMakesTheTdOutOfDate) {
  tdx_.mutable_options().module_levels = {{6, TcbStatus::kUpToDate, {}},
                                          {5, TcbStatus::kOutOfDate, {"INTEL-SA-01036"}}};
  auto r = Verify(tdx_.MakeTdReport());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->platform_tcb_status, TcbStatus::kUpToDate);
  EXPECT_EQ(r->tdx_module_tcb_status, TcbStatus::kOutOfDate);
  EXPECT_EQ(r->tcb_status, TcbStatus::kOutOfDate);
  EXPECT_THAT(r->tdx_module_advisory_ids, ElementsAre("INTEL-SA-01036"));
  EXPECT_TRUE(r->advisory_ids.empty());
  EXPECT_EQ(TdIntelQvResultName(*r), "SGX_QL_QV_RESULT_OUT_OF_DATE");

  // Configuration statuses become OutOfDateConfigurationNeeded (Intel's convergence).
  const auto svn = tdx_.mutable_options().tee_tcb_svn;
  tdx_.mutable_options().tcb_levels = {Level(svn, TcbStatus::kConfigurationNeeded)};
  r = Verify(tdx_.MakeTdReport());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tcb_status, TcbStatus::kOutOfDateConfigurationNeeded);

  // Below every module level: TCB not supported.
  tdx_.mutable_options().tcb_levels.clear();
  tdx_.mutable_options().module_levels = {{6, TcbStatus::kUpToDate, {}}};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tdx_module_tcb_level_not_found"));
}

TEST_F(SimulatedTdxTest, RevokedLevelsModulesQesAndCertificates) {
  const auto svn = tdx_.mutable_options().tee_tcb_svn;
  tdx_.mutable_options().tcb_levels = {Level(svn, TcbStatus::kRevoked)};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tcb_revoked"));

  tdx_.mutable_options().tcb_levels.clear();
  tdx_.mutable_options().module_levels = {{svn[0], TcbStatus::kRevoked, {}}};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tcb_revoked"));

  tdx_.mutable_options().module_levels.clear();
  tdx_.mutable_options().qe_levels = {{pki_.options().qe_isv_svn, TcbStatus::kRevoked, {}}};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tcb_revoked"));

  tdx_.mutable_options().qe_levels = {
      {static_cast<uint16_t>(pki_.options().qe_isv_svn + 1), TcbStatus::kUpToDate, {}},
      {pki_.options().qe_isv_svn, TcbStatus::kOutOfDate, {"INTEL-SA-00615"}}};
  auto r = Verify(tdx_.MakeTdReport());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->qe_tcb_status, TcbStatus::kOutOfDate);
  EXPECT_EQ(r->tcb_status, TcbStatus::kOutOfDate);
  EXPECT_THAT(r->qe_advisory_ids, ElementsAre("INTEL-SA-00615"));

  tdx_.mutable_options().qe_levels.clear();
  pki_.mutable_options().revoked_pck_serials = {pki_.pck_certificate().SerialNumber()};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("certificate_revoked"));
}

TEST_F(SimulatedTdxTest, TdxComponentsPickTheLevelAsQvlDoes) {
  // The first level matches the SGX TCB only; the second also matches TEE_TCB_SVN[2] = 7.
  tdx_.mutable_options().tcb_levels = {
      Level({5, 1, 8}, TcbStatus::kUpToDate),
      Level({5, 1, 7}, TcbStatus::kOutOfDate, {"INTEL-SA-00960", "INTEL-SA-00982"})};
  auto r = Verify(tdx_.MakeTdReport());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->sgx_tcb_status, TcbStatus::kUpToDate);
  EXPECT_EQ(r->platform_tcb_status, TcbStatus::kOutOfDate);
  EXPECT_EQ(r->tcb_status, TcbStatus::kOutOfDate);
  EXPECT_THAT(r->advisory_ids, ElementsAre("INTEL-SA-00960", "INTEL-SA-00982"));

  // None matches: TCB not supported.
  tdx_.mutable_options().tcb_levels = {Level({5, 1, 8}, TcbStatus::kUpToDate)};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tcb_level_not_found"));
  // An SGX TCB above the platform's: no SGX level at all.
  SimulatedTdxLevel above = Level({5, 1, 7}, TcbStatus::kUpToDate);
  above.sgx_components[0] = 255;
  tdx_.mutable_options().tcb_levels = {above};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tcb_level_not_found"));

  // Indices 0 and 1 are the module's, judged by its identity when its major version is not 0.
  tdx_.mutable_options().tcb_levels = {Level({9, 9, 7}, TcbStatus::kUpToDate)};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), IsOk());
}

TEST_F(SimulatedTdxTest, ModuleMajorVersionZeroIsCheckedAgainstTdxModule) {
  tdx_.mutable_options().tee_tcb_svn = {5, 0, 7};
  tdx_.mutable_options().module_identities = false;
  auto r = Verify(tdx_.MakeTdReport());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tdx_module_identity, "");
  EXPECT_EQ(r->tdx_module_tcb_status, TcbStatus::kUpToDate);
  // All 16 components count then.
  tdx_.mutable_options().tcb_levels = {Level({6, 0, 7}, TcbStatus::kUpToDate)};
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tcb_level_not_found"));
}

TEST_F(SimulatedTdxTest, TheModuleMustBeTheOneTheTcbInfoDescribes) {
  tdx_.mutable_options().module_identities = false;
  EXPECT_THAT(Verify(tdx_.MakeTdReport()), ReasonIs("tdx_module_mismatch"));
  tdx_.mutable_options().module_identities = true;
  TdReport td = tdx_.MakeTdReport();
  td.tee_tcb_svn[1] = 2;  // TDX_02 is not described
  EXPECT_THAT(Verify(td), ReasonIs("tdx_module_mismatch"));
  td = tdx_.MakeTdReport();
  td.mr_signer_seam[47] = 1;
  EXPECT_THAT(Verify(td), ReasonIs("tdx_module_mismatch"));
  td = tdx_.MakeTdReport();
  td.seam_attributes[7] = 0x80;
  EXPECT_THAT(Verify(td), ReasonIs("tdx_module_mismatch"));
}

TEST_F(SimulatedTdxTest, Td15RelaunchAdvice) {
  // The TD started on module SVN 5 (OutOfDate); the platform now runs SVN 6 (TEE_TCB_SVN2).
  tdx_.mutable_options().tee_tcb_svn = {5, 1, 7};
  tdx_.mutable_options().tcb_levels = {Level({6, 1, 8}, TcbStatus::kUpToDate),
                                       Level({5, 1, 7}, TcbStatus::kOutOfDate)};
  tdx_.mutable_options().module_levels = {{6, TcbStatus::kUpToDate, {}},
                                          {5, TcbStatus::kOutOfDate, {}}};
  TdReport td = tdx_.MakeTdReport(/*td15=*/true);
  td.tee_tcb_svn2 = std::array<uint8_t, 16>{6, 1, 8};
  auto r = Verify(td, 5);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tcb_status, TcbStatus::kOutOfDate);
  EXPECT_TRUE(r->td_relaunch_advised);
  EXPECT_EQ(TdIntelQvResultName(*r), "SGX_QL_QV_RESULT_TD_RELAUNCH_ADVISED");

  // Not when the platform's current module is not the latest either.
  td.tee_tcb_svn2 = std::array<uint8_t, 16>{5, 1, 7};
  r = Verify(td, 5);
  ASSERT_THAT(r, IsOk());
  EXPECT_FALSE(r->td_relaunch_advised);
  EXPECT_EQ(TdIntelQvResultName(*r), "SGX_QL_QV_RESULT_OUT_OF_DATE");

  // A module version the TCB Info does not describe is a mismatch, as in QVL.
  td.tee_tcb_svn2 = std::array<uint8_t, 16>{6, 2, 8};
  EXPECT_THAT(Verify(td, 5), ReasonIs("tdx_module_mismatch"));
  tdx_.mutable_options().extra_module_versions = {2};
  r = Verify(td, 5);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->td_relaunch_advised);

  // With a configuration status on the TDX level: the _CONFIG_NEEDED variant.
  tdx_.mutable_options().tcb_levels[1].status = TcbStatus::kOutOfDateConfigurationNeeded;
  r = Verify(td, 5);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tcb_status, TcbStatus::kOutOfDateConfigurationNeeded);
  EXPECT_EQ(TdIntelQvResultName(*r), "SGX_QL_QV_RESULT_TD_RELAUNCH_ADVISED_CONFIG_NEEDED");
}

TEST_F(SimulatedTdxTest, SimulationRootIsReported) {
  verifier_ = *DcapVerifier::Create({{pki_.root(), TrustRootKind::kSimulation}});
  auto r = Verify(tdx_.MakeTdReport());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->root_kind, TrustRootKind::kSimulation);
}

TEST_F(SimulatedTdxTest, TdInstanceInfoModesAndSummariesMeetConstraints) {
  const TdReport td = tdx_.MakeTdReport();
  const std::string mrtd = "TEE:TDX MRTD:" + HexEncode(td.mr_td);
  auto release = Verify(td);
  ASSERT_THAT(release, IsOk());
  TdInstanceInfo info = ToTdInstanceInfo(*release);
  EXPECT_EQ(info.mode, EnclaveMode::kRelease);
  EXPECT_EQ(info.security.summary, SecuritySummary::kSecure);
  EXPECT_EQ(info.security.timestamp, release->latest_issue_date);
  EXPECT_EQ(info.mr_td, td.mr_td);
  EXPECT_EQ(info.rtmr, td.rtmr);
  EXPECT_EQ(info.report_data, td.report_data);
  EXPECT_THAT(TeeConstraint::Parse(mrtd + " SEC:SECURE")->Check(info, kNow), IsOk());
  EXPECT_THAT(TdInstanceInfo::FromJson(info.ToJson()), IsOk());

  TdReport debug_td = td;
  debug_td.td_attributes[0] = 1;
  auto debug = Verify(debug_td);
  ASSERT_THAT(debug, IsOk());
  info = ToTdInstanceInfo(*debug);
  EXPECT_EQ(info.mode, EnclaveMode::kDebug);
  EXPECT_EQ(info.security.summary, SecuritySummary::kInsecure);
  EXPECT_THAT(info.security.reason, HasSubstr("TD is running in debug mode and is thus INSECURE"));
  EXPECT_THAT(TeeConstraint::Parse(mrtd)->Check(info, kNow), ReasonIs("security_level_too_low"));
  EXPECT_THAT(TeeConstraint::Parse(mrtd + " SEC:INSECURE")->Check(info, kNow), IsOk());
  EXPECT_THAT(TdInstanceInfo::FromJson(info.ToJson()), IsOk());

  tdx_.mutable_options().module_levels = {{6, TcbStatus::kUpToDate, {}},
                                          {5, TcbStatus::kOutOfDate, {"INTEL-SA-01036"}}};
  auto stale = Verify(td);
  ASSERT_THAT(stale, IsOk());
  info = ToTdInstanceInfo(*stale);
  EXPECT_EQ(info.security.summary, SecuritySummary::kStale);
  EXPECT_THAT(info.security.reason, HasSubstr("TDX module is outdated"));
  EXPECT_THAT(info.security.reason, HasSubstr("Advisory IDs INTEL-SA-01036."));
  EXPECT_THAT(TeeConstraint::Parse(mrtd)->Check(info, kNow), IsOk());
  EXPECT_THAT(TeeConstraint::Parse(mrtd + " SEC:SECURE")->Check(info, kNow),
              ReasonIs("security_level_too_low"));

  verifier_ = *DcapVerifier::Create({{pki_.root(), TrustRootKind::kSimulation}});
  auto simulated = Verify(td);
  ASSERT_THAT(simulated, IsOk());
  info = ToTdInstanceInfo(*simulated);
  EXPECT_EQ(info.mode, EnclaveMode::kSimulation);
  EXPECT_EQ(info.security.summary, SecuritySummary::kInsecure);
  EXPECT_EQ(info.security.reason, "TD is running in simulation mode.");
  // A Conclave constraint never matches, whatever it says.
  EXPECT_THAT(TeeConstraint::Parse("C:" + HexEncode(ByteSpan(td.mr_td).first(32)) + " SEC:INSECURE")
                  ->Check(info, kNow),
              ReasonIs("constraint_tee_mismatch"));
}

}  // namespace
}  // namespace vouch::sgx::testing

// Verification of evidence that real data does not cover, made with SimulatedPki: revoked
// certificates, QE identity mismatches, every TCB status and their convergence, v4 quotes and
// certification data type 1. Every case runs on the cached and the uncached path.
#include "vouch/sgx/simulated_pki.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/crypto/sha.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/sgx/verifier.h"

namespace vouch::sgx {
namespace {

constexpr UnixSeconds kNow = 1760000000;

ReportBody ExampleEnclave() {
  ReportBody b;
  b.mr_enclave = Sha256(AsBytes("example enclave"));
  b.mr_signer = Sha256(AsBytes("example signer"));
  b.isv_prod_id = 7;
  b.isv_svn = 3;
  b.attributes[0] = 0x05;  // INIT | MODE64BIT
  b.report_data[0] = 0x42;
  return b;
}

class SimulatedPkiTest : public ::testing::Test {
 protected:
  SimulatedPki pki_ = *SimulatedPki::Create(DefaultSimulatedPkiOptions(kNow));

  // Verifies with the simulated root as a production root, cached and uncached, and checks
  // that both paths agree.
  StatusOr<VerificationResult> Verify(const Bytes& quote, const Collateral& collateral,
                                      TrustRootKind kind = TrustRootKind::kProduction) {
    auto uncached = *DcapVerifier::Create({{pki_.root(), kind}}, {false, 0});
    auto cached = *DcapVerifier::Create({{pki_.root(), kind}});
    auto a = uncached->Verify(quote, collateral, {kNow, false});
    auto b = cached->Verify(quote, collateral, {kNow, false});
    auto c = cached->Verify(quote, collateral, {kNow, false});  // from the caches
    EXPECT_EQ(a.ok(), b.ok());
    EXPECT_EQ(a.ok(), c.ok());
    if (!a.ok()) {
      EXPECT_EQ(a.status(), b.status());
      EXPECT_EQ(a.status(), c.status());
    } else if (b.ok() && c.ok()) {
      EXPECT_EQ(a->tcb_status, c->tcb_status);
      EXPECT_EQ(a->advisory_ids, c->advisory_ids);
      EXPECT_EQ(a->latest_issue_date, c->latest_issue_date);
    }
    return a;
  }
  StatusOr<VerificationResult> VerifyDefault() {
    return Verify(*pki_.MakeQuote(ExampleEnclave()), *pki_.MakeCollateral());
  }
};

TEST_F(SimulatedPkiTest, EncodersInvertTheParsers) {
  ReportBody body = ExampleEnclave();
  auto parsed = ReportBody::Parse(EncodeReportBody(body));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->mr_enclave, body.mr_enclave);
  EXPECT_EQ(parsed->isv_svn, 3);
  auto ext = PckExtension::Parse(EncodePckExtension(pki_.options().platform));
  ASSERT_THAT(ext, IsOk());
  EXPECT_EQ(ext->tcb_components, pki_.options().platform.tcb_components);
  EXPECT_EQ(ext->fmspc, pki_.options().platform.fmspc);
}

// Like a real QE, the simulated one keeps its attestation key and PCK-signed QE report: quotes
// of one platform share them (a verifier checks that QE report once), until what the QE report
// states changes (auth data, ISVPRODID, CPUSVN, QE ISVSVN), as after a QE's TCB recovery.
TEST_F(SimulatedPkiTest, QuotesShareTheQesAttestationKeyUntilItsReportWouldChange) {
  auto key_of = [](const Bytes& bytes) {
    auto q = Quote::Parse(bytes);
    EXPECT_THAT(q, IsOk());
    return q.ok() ? std::make_pair(
                        ToBytes(q->attestation_key()),
                        Bytes(q->qe_report_signature().begin(), q->qe_report_signature().end()))
                  : std::pair<Bytes, Bytes>{};
  };
  ReportBody other = ExampleEnclave();
  other.report_data[0] = 0x43;
  const auto first = key_of(*pki_.MakeQuote(ExampleEnclave()));
  EXPECT_EQ(key_of(*pki_.MakeQuote(other)), first);
  EXPECT_EQ(key_of(*pki_.MakeQuote(other, {.version = 4})), first);

  auto cached = *DcapVerifier::Create({{pki_.root(), TrustRootKind::kProduction}});
  const Collateral collateral = *pki_.MakeCollateral();
  ASSERT_THAT(cached->Verify(*pki_.MakeQuote(ExampleEnclave()), collateral, {kNow, false}), IsOk());
  ASSERT_THAT(cached->Verify(*pki_.MakeQuote(other), collateral, {kNow, false}), IsOk());
  EXPECT_EQ(cached->cache_stats().qe_report_misses, 1u);
  EXPECT_EQ(cached->cache_stats().qe_report_hits, 1u);

  SimulatedPki::QuoteOptions auth;
  auth.qe_auth_data = Bytes(32, 7);
  const auto with_auth = key_of(*pki_.MakeQuote(other, auth));
  EXPECT_NE(with_auth.first, first.first);
  EXPECT_EQ(key_of(*pki_.MakeQuote(ExampleEnclave(), auth)), with_auth);
  pki_.mutable_options().qe_isv_svn += 1;
  EXPECT_NE(key_of(*pki_.MakeQuote(other)).first, first.first);
  pki_.mutable_options().qe_isv_svn -= 1;
  EXPECT_EQ(key_of(*pki_.MakeQuote(other)), first);
}

TEST_F(SimulatedPkiTest, V3QuoteVerifiesUpToDate) {
  auto r = VerifyDefault();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tcb_status, TcbStatus::kUpToDate);
  EXPECT_EQ(r->enclave.mr_enclave, ExampleEnclave().mr_enclave);
  EXPECT_EQ(r->enclave.report_data[0], 0x42);
  EnclaveInstanceInfo eii = ToEnclaveInstanceInfo(*r);
  EXPECT_EQ(eii.mode, EnclaveMode::kRelease);
  EXPECT_EQ(eii.security.summary, SecuritySummary::kSecure);
  EXPECT_EQ(eii.revocation_level(), 2);
}

TEST_F(SimulatedPkiTest, SimulationRootGivesSimulationMode) {
  auto r =
      Verify(*pki_.MakeQuote(ExampleEnclave()), *pki_.MakeCollateral(), TrustRootKind::kSimulation);
  ASSERT_THAT(r, IsOk());
  EnclaveInstanceInfo eii = ToEnclaveInstanceInfo(*r);
  EXPECT_EQ(eii.mode, EnclaveMode::kSimulation);
  EXPECT_EQ(eii.security.summary, SecuritySummary::kInsecure);
  EXPECT_EQ(eii.security.reason, "Enclave is running in simulation mode.");
}

TEST_F(SimulatedPkiTest, IntelRootAloneRejectsSimulatedEvidence) {
  auto verifier = *DcapVerifier::Create({{IntelSgxRootCa(), TrustRootKind::kProduction}});
  auto r =
      verifier->Verify(*pki_.MakeQuote(ExampleEnclave()), *pki_.MakeCollateral(), {kNow, false});
  EXPECT_THAT(r, ReasonIs("untrusted_root"));
  // Named as a simulation root, not as an untrusted "Intel SGX Root CA" (issue 11, item 1).
  EXPECT_THAT(
      r, StatusIs(StatusCode::kPermissionDenied, HasSubstr("looks like a Vouch simulation root")));
}

TEST_F(SimulatedPkiTest, SimulationRootsAreRecognised) {
  EXPECT_TRUE(IsVouchSimulationRoot(pki_.root()));
  EXPECT_EQ(pki_.root().SubjectOrganizationalUnit(), kSimulationRootUnit);
  // Whatever the organization, the OU marks the root.
  SimulatedPkiOptions options = DefaultSimulatedPkiOptions(kNow);
  options.organization = "Intel Corporation";
  auto other = SimulatedPki::Create(options);
  ASSERT_THAT(other, IsOk());
  EXPECT_TRUE(IsVouchSimulationRoot(other->root()));
  // A root made before the OU existed is recognised by its organization.
  auto key = *EcdsaP256PrivateKey::Generate();
  CertificateSpec spec;
  spec.subject = {{"CN", "Intel SGX Root CA"}, {"O", "Vouch simulation (not Intel)"}};
  spec.serial = {1};
  spec.not_before = kNow;
  spec.not_after = kNow + 86400;
  spec.is_ca = true;
  auto old_root = IssueCertificate(spec, key.public_key(), nullptr, key);
  ASSERT_THAT(old_root, IsOk());
  EXPECT_TRUE(IsVouchSimulationRoot(*old_root));
  // Only the root carries the OU; Intel's root and Intel's test roots are not simulation roots.
  EXPECT_EQ(pki_.pck_ca().SubjectOrganizationalUnit(), "");
  EXPECT_FALSE(IsVouchSimulationRoot(IntelSgxRootCa()));
  auto qvl_sample = Certificate::FromDer(vouch::testing::ReadTestData(
      "sgx-dcap/intel-qvl-sample/sgx-v3-synthetic-certtype1/root_ca.der"));
  ASSERT_THAT(qvl_sample, IsOk());
  EXPECT_FALSE(IsVouchSimulationRoot(*qvl_sample));
}

TEST_F(SimulatedPkiTest, V4QuoteAndCertificationType1Verify) {
  SimulatedPki::QuoteOptions v4;
  v4.version = 4;
  auto quote = pki_.MakeQuote(ExampleEnclave(), v4);
  ASSERT_THAT(quote, IsOk());
  EXPECT_EQ(Quote::Parse(*quote)->header().version, 4);
  EXPECT_THAT(Verify(*quote, *pki_.MakeCollateral()), IsOk());

  SimulatedPki::QuoteOptions type1;
  type1.certification_type = CertificationDataType::kPpidCleartext;
  auto q1 = pki_.MakeQuote(ExampleEnclave(), type1);
  ASSERT_THAT(q1, IsOk());
  auto r = Verify(*q1, *pki_.MakeCollateral());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->certification_data_type, CertificationDataType::kPpidCleartext);
}

TEST_F(SimulatedPkiTest, RevokedPckCertificateIsRejected) {
  pki_.mutable_options().revoked_pck_serials = {Bytes{1, 2, 3},
                                                pki_.pck_certificate().SerialNumber()};
  auto r = VerifyDefault();
  EXPECT_THAT(r, ReasonIs("certificate_revoked"));
  EXPECT_THAT(r.status().message(), HasSubstr("PCK CRL"));
}

TEST_F(SimulatedPkiTest, RevokedPckCaAndTcbSignerAreRejected) {
  pki_.mutable_options().revoked_ca_serials = {pki_.pck_ca().SerialNumber()};
  EXPECT_THAT(VerifyDefault(), ReasonIs("certificate_revoked"));
  pki_.mutable_options().revoked_ca_serials = {pki_.tcb_signing().SerialNumber()};
  EXPECT_THAT(VerifyDefault(), ReasonIs("certificate_revoked"));
}

TEST_F(SimulatedPkiTest, QeIdentityMismatchIsRejected) {
  Bytes quote = *pki_.MakeQuote(ExampleEnclave());
  pki_.mutable_options().qe_mr_signer[0] ^= 0xff;
  EXPECT_THAT(Verify(quote, *pki_.MakeCollateral()), ReasonIs("qe_identity_mismatch"));
}

TEST_F(SimulatedPkiTest, QeBelowEveryLevelIsRejected) {
  pki_.mutable_options().qe_levels = {{20, TcbStatus::kUpToDate, {}}};
  EXPECT_THAT(VerifyDefault(), ReasonIs("qe_tcb_level_not_found"));
}

TEST_F(SimulatedPkiTest, PlatformBelowEveryLevelIsTcbNotSupported) {
  SimulatedTcbLevel level;
  level.sgx_components = pki_.options().platform.tcb_components;
  level.sgx_components[7] = 5;  // the platform has 0
  level.pce_svn = 13;
  pki_.mutable_options().tcb_levels = {level};
  EXPECT_THAT(VerifyDefault(), ReasonIs("tcb_level_not_found"));
}

TEST_F(SimulatedPkiTest, HighestMatchingLevelWinsWhateverTheOrder) {
  auto platform = pki_.options().platform.tcb_components;
  SimulatedTcbLevel newer{platform, 14, TcbStatus::kUpToDate, {}};  // PCESVN too high
  SimulatedTcbLevel match{platform, 13, TcbStatus::kSwHardeningNeeded, {"INTEL-SA-00615"}};
  SimulatedTcbLevel older{platform, 10, TcbStatus::kOutOfDate, {"INTEL-SA-00001"}};
  older.sgx_components[0] = 1;
  pki_.mutable_options().tcb_levels = {older, match, newer};
  auto r = VerifyDefault();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tcb_status, TcbStatus::kSwHardeningNeeded);
  EXPECT_EQ(r->advisory_ids, std::vector<std::string>{"INTEL-SA-00615"});
}

struct ConvergenceCase {
  TcbStatus platform;
  TcbStatus qe;
  std::optional<TcbStatus> converged;  // nullopt: rejected as tcb_revoked
};

class ConvergenceTest : public SimulatedPkiTest,
                        public ::testing::WithParamInterface<ConvergenceCase> {};

// spec/sgx-dcap.md §5.2 (Intel's convergeTcbStatusWithQeTcbStatus).
TEST_P(ConvergenceTest, FollowsIntel) {
  const ConvergenceCase& c = GetParam();
  pki_.mutable_options().tcb_levels = {
      {pki_.options().platform.tcb_components, 13, c.platform, {"INTEL-SA-00100"}}};
  pki_.mutable_options().qe_levels = {{8, c.qe, {"INTEL-SA-00200"}}};
  auto r = VerifyDefault();
  if (!c.converged) {
    EXPECT_THAT(r, ReasonIs("tcb_revoked"));
    return;
  }
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tcb_status, *c.converged);
  EXPECT_EQ(r->platform_tcb_status, c.platform);
  EXPECT_EQ(r->qe_tcb_status, c.qe);
  EXPECT_EQ(r->advisory_ids, std::vector<std::string>{"INTEL-SA-00100"});
  EXPECT_EQ(r->qe_advisory_ids, std::vector<std::string>{"INTEL-SA-00200"});
  EnclaveInstanceInfo eii = ToEnclaveInstanceInfo(*r);
  EXPECT_EQ(eii.security.summary, *c.converged == TcbStatus::kUpToDate ? SecuritySummary::kSecure
                                                                       : SecuritySummary::kStale);
}

using S = TcbStatus;
INSTANTIATE_TEST_SUITE_P(
    Matrix, ConvergenceTest,
    ::testing::Values(
        ConvergenceCase{S::kUpToDate, S::kUpToDate, S::kUpToDate},
        ConvergenceCase{S::kSwHardeningNeeded, S::kUpToDate, S::kSwHardeningNeeded},
        ConvergenceCase{S::kConfigurationNeeded, S::kUpToDate, S::kConfigurationNeeded},
        ConvergenceCase{S::kConfigurationAndSwHardeningNeeded, S::kUpToDate,
                        S::kConfigurationAndSwHardeningNeeded},
        ConvergenceCase{S::kOutOfDate, S::kUpToDate, S::kOutOfDate},
        ConvergenceCase{S::kOutOfDateConfigurationNeeded, S::kUpToDate,
                        S::kOutOfDateConfigurationNeeded},
        ConvergenceCase{S::kRevoked, S::kUpToDate, std::nullopt},
        ConvergenceCase{S::kUpToDate, S::kOutOfDate, S::kOutOfDate},
        ConvergenceCase{S::kSwHardeningNeeded, S::kOutOfDate, S::kOutOfDate},
        ConvergenceCase{S::kConfigurationNeeded, S::kOutOfDate, S::kOutOfDateConfigurationNeeded},
        ConvergenceCase{S::kConfigurationAndSwHardeningNeeded, S::kOutOfDate,
                        S::kOutOfDateConfigurationNeeded},
        ConvergenceCase{S::kOutOfDate, S::kOutOfDate, S::kOutOfDate},
        ConvergenceCase{S::kOutOfDateConfigurationNeeded, S::kOutOfDate,
                        S::kOutOfDateConfigurationNeeded},
        ConvergenceCase{S::kRevoked, S::kOutOfDate, std::nullopt},
        ConvergenceCase{S::kUpToDate, S::kRevoked, std::nullopt},
        ConvergenceCase{S::kConfigurationNeeded, S::kRevoked, std::nullopt}));

TEST_F(SimulatedPkiTest, DebugEnclaveReasonNamesTheHardwareStatus) {
  ReportBody debug = ExampleEnclave();
  debug.attributes[0] |= 0x02;
  auto r = Verify(*pki_.MakeQuote(debug), *pki_.MakeCollateral());
  ASSERT_THAT(r, IsOk());
  EnclaveInstanceInfo eii = ToEnclaveInstanceInfo(*r);
  EXPECT_EQ(eii.mode, EnclaveMode::kDebug);
  EXPECT_EQ(eii.security.summary, SecuritySummary::kInsecure);
  EXPECT_THAT(eii.security.reason,
              HasSubstr("Enclave is running in debug mode and is thus INSECURE. However the "
                        "security status of the underlying hardware is secure: "));
}

TEST_F(SimulatedPkiTest, TamperedSimulatedQuoteIsCaught) {
  Bytes quote = *pki_.MakeQuote(ExampleEnclave());
  quote[48 + 64] ^= 1;  // MRENCLAVE
  EXPECT_THAT(Verify(quote, *pki_.MakeCollateral()), ReasonIs("quote_signature_invalid"));
}

TEST_F(SimulatedPkiTest, RebuiltFromPartsVerifiesTheSame) {
  auto rebuilt = SimulatedPki::FromParts(pki_.ToParts());
  ASSERT_THAT(rebuilt, IsOk());
  EXPECT_EQ(rebuilt->root(), pki_.root());
  // A quote from the rebuilt PKI verifies under the original root, with its collateral.
  auto r = Verify(*rebuilt->MakeQuote(ExampleEnclave()), *rebuilt->MakeCollateral());
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->enclave.mr_enclave, ExampleEnclave().mr_enclave);
}

TEST_F(SimulatedPkiTest, FromPartsRejectsInconsistentParts) {
  SimulatedPki other = *SimulatedPki::Create(DefaultSimulatedPkiOptions(kNow));
  {
    SimulatedPki::Parts parts = pki_.ToParts();
    parts.pck_key = other.ToParts().pck_key;  // a key that is not the certificate's
    EXPECT_THAT(SimulatedPki::FromParts(std::move(parts)),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not match")));
  }
  {
    SimulatedPki::Parts parts = pki_.ToParts();
    parts.pck = other.ToParts().pck;  // issued by another PCK CA
    parts.pck_key = other.ToParts().pck_key;
    EXPECT_THAT(SimulatedPki::FromParts(std::move(parts)),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("not issued")));
  }
  {
    SimulatedPki::Parts parts = pki_.ToParts();
    parts.options.platform.pce_svn += 1;  // options that disagree with the certificate
    EXPECT_THAT(SimulatedPki::FromParts(std::move(parts)),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("SGX extension")));
  }
  {
    SimulatedPki::Parts parts = pki_.ToParts();
    std::swap(parts.tcb_signing, parts.pck_ca);
    std::swap(parts.tcb_signing_key, parts.pck_ca_key);
    EXPECT_THAT(SimulatedPki::FromParts(std::move(parts)), StatusIs(StatusCode::kInvalidArgument));
  }
}

}  // namespace
}  // namespace vouch::sgx

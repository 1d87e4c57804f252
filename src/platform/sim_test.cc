// The simulation platform: state directory creation, permissions and reloading; quotes that
// verify through the real DCAP verifier under the simulation root (mode SIMULATION, INSECURE)
// and fail with Intel's root only; collateral re-signed for the time asked; seal keys bound to
// the installation, the policy and the SVN.
#include "vouch/platform/sim.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "platform/test_identity.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/sgx/verifier.h"

namespace vouch::platform {
namespace {

constexpr UnixSeconds kSimNow = 1760000000;

EnclaveIdentity SimExampleIdentity() {
  return testing::TestIdentity(Sha256(AsBytes("enclave")), Sha256(AsBytes("signer")), 7, 3);
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("sim") + "/state";
    auto made = SimInstallation::Init(dir_, kSimNow, false);
    ASSERT_THAT(made, IsOk());
    installation_ = std::make_shared<SimInstallation>(std::move(*made));
  }

  StatusOr<sgx::VerificationResult> Verify(const Bytes& quote, UnixSeconds at,
                                           sgx::TrustRootKind kind) {
    auto verifier = *sgx::DcapVerifier::Create({{installation_->pki().root(), kind}});
    VOUCH_ASSIGN_OR_RETURN(sgx::Collateral collateral, installation_->CollateralAt(at));
    return verifier->Verify(quote, collateral, {at, false});
  }

  std::string dir_;
  std::shared_ptr<SimInstallation> installation_;
};

TEST_F(SimTest, StateDirectoryLayoutAndModes) {
  EXPECT_EQ(ModeOf(dir_), 0700u);
  for (const char* f :
       {"root_ca.key", "pck_ca.key", "pck.key", "tcb_signing.key", "platform_secret"}) {
    EXPECT_EQ(ModeOf(dir_ + "/" + f), 0600u) << f;
  }
  for (const char* f :
       {"platform.json", "root_ca.der", "pck_ca.der", "pck.der", "tcb_signing.der"}) {
    EXPECT_EQ(ModeOf(dir_ + "/" + f), 0644u) << f;
  }
  EXPECT_EQ(ReadFile(dir_ + "/platform_secret")->size(), 32u);
  EXPECT_EQ(*ReadFile(installation_->RootCertificatePath()), installation_->pki().root().der());
}

TEST_F(SimTest, ReopensTheSameInstallation) {
  auto again = SimInstallation::Open(dir_);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->pki().root(), installation_->pki().root());
  EXPECT_EQ(again->platform_secret(), installation_->platform_secret());
  EXPECT_EQ(again->created(), kSimNow);
  EXPECT_EQ(again->pki().options().platform.ppid, installation_->pki().options().platform.ppid);
}

TEST_F(SimTest, InitRefusesToOverwriteWithoutForce) {
  EXPECT_THAT(SimInstallation::Init(dir_, kSimNow, false), ReasonIs("sim_exists"));
  auto replaced = SimInstallation::Init(dir_, kSimNow, true);
  ASSERT_THAT(replaced, IsOk());
  EXPECT_NE(replaced->pki().root(), installation_->pki().root());
  EXPECT_FALSE(replaced->platform_secret() == installation_->platform_secret());
  EXPECT_EQ(SimInstallation::Open(dir_)->pki().root(), replaced->pki().root());
}

TEST_F(SimTest, OpenChecksTheState) {
  EXPECT_THAT(SimInstallation::Open(testing::MakeTempDir("sim-empty")),
              ReasonIs("sim_not_initialized"));
  ASSERT_EQ(::chmod((dir_ + "/pck.key").c_str(), 0640), 0);
  EXPECT_THAT(SimInstallation::Open(dir_), ReasonIs("sim_state_insecure"));
  ASSERT_EQ(::chmod((dir_ + "/pck.key").c_str(), 0600), 0);
  ASSERT_THAT(SimInstallation::Open(dir_), IsOk());
  // A key from another installation.
  std::string other = testing::MakeTempDir("sim-other") + "/s";
  ASSERT_THAT(SimInstallation::Init(other, kSimNow, false), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir_ + "/pck.key", *ReadFile(other + "/pck.key"), 0600), IsOk());
  EXPECT_THAT(SimInstallation::Open(dir_), ReasonIs("sim_state_malformed"));
  // A malformed description.
  ASSERT_THAT(WriteFileAtomic(other + "/platform.json", AsBytes("{\"format\":1}")), IsOk());
  EXPECT_THAT(SimInstallation::Open(other), ReasonIs("sim_state_malformed"));
  // A short secret.
  std::string third = testing::MakeTempDir("sim-third") + "/s";
  ASSERT_THAT(SimInstallation::Init(third, kSimNow, false), IsOk());
  ASSERT_THAT(WriteFileAtomic(third + "/platform_secret", Bytes(31), 0600), IsOk());
  EXPECT_THAT(SimInstallation::Open(third), ReasonIs("sim_state_malformed"));
}

TEST_F(SimTest, QuoteVerifiesAsSimulationEvidence) {
  auto platform = NewSimPlatform(installation_, SimExampleIdentity());
  EXPECT_EQ(platform->mode(), EnclaveMode::kSimulation);
  ReportData rd{};
  rd[0] = 0xab;
  rd[63] = 0xcd;
  auto quote = platform->Quote(rd);
  ASSERT_THAT(quote, IsOk());
  auto result = Verify(*quote, kSimNow, sgx::TrustRootKind::kSimulation);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->root_kind, sgx::TrustRootKind::kSimulation);
  EXPECT_EQ(result->tcb_status, sgx::TcbStatus::kUpToDate);
  EnclaveInstanceInfo eii = sgx::ToEnclaveInstanceInfo(*result);
  EXPECT_EQ(eii.mode, EnclaveMode::kSimulation);
  EXPECT_EQ(eii.security.summary, SecuritySummary::kInsecure);
  EXPECT_EQ(eii.code_hash, SimExampleIdentity().mr_enclave);
  EXPECT_EQ(eii.code_signer, SimExampleIdentity().mr_signer);
  EXPECT_EQ(eii.product_id, 7);
  EXPECT_EQ(eii.isv_svn, 3);
  EXPECT_EQ(eii.report_data, rd);
  // The report body states the same.
  auto report = sgx::ReportBody::Parse(*platform->Report(rd));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->mr_enclave, SimExampleIdentity().mr_enclave);
  EXPECT_EQ(report->report_data, rd);
}

TEST_F(SimTest, QuoteIsRejectedWithIntelRootOnly) {
  auto platform = NewSimPlatform(installation_, SimExampleIdentity());
  Bytes quote = *platform->Quote(ReportData{});
  auto verifier =
      *sgx::DcapVerifier::Create({{sgx::IntelSgxRootCa(), sgx::TrustRootKind::kProduction}});
  auto result = verifier->Verify(quote, *installation_->CollateralAt(kSimNow), {kSimNow, false});
  EXPECT_THAT(result, ReasonIs("untrusted_root"));
}

TEST_F(SimTest, CollateralIsResignedForTheTimeAsked) {
  auto platform = NewSimPlatform(installation_, SimExampleIdentity());
  Bytes quote = *platform->Quote(ReportData{});
  UnixSeconds later = kSimNow + 400 * 86400;  // long after a 30-day collateral would expire
  auto result = Verify(quote, later, sgx::TrustRootKind::kSimulation);
  ASSERT_THAT(result, IsOk());
  EXPECT_LE(result->collateral_valid_from, later);
  EXPECT_GT(result->collateral_valid_until, later);
  EXPECT_THAT(installation_->CollateralAt(kSimNow - 2 * 86400),
              ReasonIs("sim_certificates_expired"));
  EXPECT_THAT(installation_->CollateralAt(kSimNow + kSimCertificateLifetime),
              ReasonIs("sim_certificates_expired"));
}

TEST_F(SimTest, WritesACollateralDirectory) {
  std::string out = testing::MakeTempDir("sim-coll") + "/a/b";
  ASSERT_THAT(installation_->WriteCollateral(out, kSimNow), IsOk());
  auto collateral = sgx::ReadCollateralDirectory(out);
  ASSERT_THAT(collateral, IsOk());
  EXPECT_EQ(*ReadFile(out + "/root_ca.der"), installation_->pki().root().der());
  auto platform = NewSimPlatform(installation_, SimExampleIdentity());
  auto verifier =
      *sgx::DcapVerifier::Create({{installation_->pki().root(), sgx::TrustRootKind::kSimulation}});
  EXPECT_THAT(verifier->Verify(*platform->Quote(ReportData{}), *collateral, {kSimNow, false}),
              IsOk());
}

TEST_F(SimTest, SealKeysAreBoundToPlatformPolicyAndSvn) {
  EnclaveIdentity id = SimExampleIdentity();
  auto platform = NewSimPlatform(installation_, id);
  SealKeyRequest r{SealPolicy::kMrEnclave, 3, {}};
  SecretBytes k1 = *platform->SealKey(r);
  EXPECT_EQ(k1.size(), 32u);
  EXPECT_TRUE(k1 == *platform->SealKey(r));
  // Another installation.
  std::string other_dir = testing::MakeTempDir("sim-other") + "/s";
  auto other = std::make_shared<SimInstallation>(*SimInstallation::Init(other_dir, kSimNow, false));
  EXPECT_FALSE(k1 == *NewSimPlatform(other, id)->SealKey(r));
  // Another key id, policy or SVN.
  SealKeyRequest r2 = r;
  r2.key_id[0] = 1;
  EXPECT_FALSE(k1 == *platform->SealKey(r2));
  SealKeyRequest signer{SealPolicy::kMrSigner, 3, {}};
  EXPECT_FALSE(k1 == *platform->SealKey(signer));
  SealKeyRequest lower{SealPolicy::kMrSigner, 2, {}};
  EXPECT_FALSE(*platform->SealKey(signer) == *platform->SealKey(lower));
  EXPECT_THAT(platform->SealKey({SealPolicy::kMrSigner, 4, {}}), ReasonIs("seal_svn_too_new"));
  // MRSIGNER keys ignore MRENCLAVE; MRENCLAVE keys do not.
  EnclaveIdentity rebuilt = id;
  rebuilt.mr_enclave[0] ^= 1;
  auto p2 = NewSimPlatform(installation_, rebuilt);
  EXPECT_TRUE(*platform->SealKey(signer) == *p2->SealKey(signer));
  EXPECT_FALSE(k1 == *p2->SealKey(r));
  // Another product or a debug enclave never shares keys.
  EnclaveIdentity product = id;
  product.product_id = 8;
  EXPECT_FALSE(*platform->SealKey(signer) ==
               *NewSimPlatform(installation_, product)->SealKey(signer));
  EnclaveIdentity debug = id;
  debug.attributes = EnclaveIdentity::DefaultAttributes(true);
  EXPECT_FALSE(*platform->SealKey(signer) ==
               *NewSimPlatform(installation_, debug)->SealKey(signer));
}

TEST(SimDirTest, DefaultDirectory) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](std::string_view name) -> std::optional<std::string> {
      auto it = vars.find(std::string(name));
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  };
  EXPECT_EQ(DefaultSimDir(env({{"VOUCH_SIM_DIR", "/x"}, {"HOME", "/h"}})), "/x");
  EXPECT_EQ(DefaultSimDir(env({{"HOME", "/h"}})), "/h/.local/share/vouch/sim");
  EXPECT_EQ(DefaultSimDir(env({{"HOME", "/h"}, {"XDG_DATA_HOME", "/d"}})), "/d/vouch/sim");
}

}  // namespace
}  // namespace vouch::platform

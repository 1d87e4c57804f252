// The Gramine backend against a fake /dev/attestation directory, written as Gramine would
// (Documentation/attestation.rst): attestation_type, user_report_data, report (432 bytes),
// quote (here made by SimulatedPki) and keys/_sgx_mrenclave, keys/_sgx_mrsigner (16 bytes).
// Not exercised on SGX hardware in this project.
#include "vouch/platform/gramine.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/sgx/simulated_pki.h"
#include "vouch/sgx/verifier.h"

namespace vouch::platform {
namespace {

constexpr UnixSeconds kNow = 1760000000;

class GramineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("gramine");
    body_.mr_enclave = Sha256(AsBytes("gramine enclave"));
    body_.mr_signer = Sha256(AsBytes("gramine signer"));
    body_.isv_prod_id = 4;
    body_.isv_svn = 2;
    body_.attributes = EnclaveIdentity::DefaultAttributes(false);
    rd_.fill(0x5a);
    Write("attestation_type", "dcap");
    Write("user_report_data", std::string(64, '\0'));
    WriteReport(body_);
    // The quote Gramine would return after user_report_data = rd_.
    sgx::ReportBody quoted = body_;
    quoted.report_data = rd_;
    Write("quote", *pki_.MakeQuote(quoted));
    ::mkdir((dir_ + "/keys").c_str(), 0700);
    Write("keys/_sgx_mrenclave", Bytes(16, 0x11));
    Write("keys/_sgx_mrsigner", Bytes(16, 0x22));
  }

  void Write(const std::string& name, std::string_view data) { Write(name, AsBytes(data)); }
  void Write(const std::string& name, ByteSpan data) {
    ASSERT_THAT(WriteFileAtomic(dir_ + "/" + name, data, 0600), IsOk());
  }
  void WriteReport(const sgx::ReportBody& body) {
    Bytes report = sgx::EncodeReportBody(body);
    report.resize(432, 0xee);  // key ID and MAC
    Write("report", report);
  }

  std::string dir_;
  sgx::SimulatedPki pki_ = *sgx::SimulatedPki::Create(sgx::DefaultSimulatedPkiOptions(kNow));
  sgx::ReportBody body_;
  ReportData rd_{};
};

TEST_F(GramineTest, ReadsIdentityFromTheReport) {
  auto platform = NewGraminePlatform(dir_);
  ASSERT_THAT(platform, IsOk());
  const EnclaveIdentity& id = (*platform)->identity();
  EXPECT_EQ((*platform)->name(), "gramine");
  EXPECT_EQ((*platform)->mode(), EnclaveMode::kRelease);
  EXPECT_EQ(id.mr_enclave, body_.mr_enclave);
  EXPECT_EQ(id.mr_signer, body_.mr_signer);
  EXPECT_EQ(id.product_id, 4);
  EXPECT_EQ(id.isv_svn, 2);
  // It wrote zero report data first.
  EXPECT_EQ(*ReadFile(dir_ + "/user_report_data"), Bytes(64, 0));
}

TEST_F(GramineTest, QuoteWritesReportDataAndReadsTheQuote) {
  auto platform = *NewGraminePlatform(dir_);
  auto quote = platform->Quote(rd_);
  ASSERT_THAT(quote, IsOk());
  EXPECT_EQ(*ReadFile(dir_ + "/user_report_data"), Bytes(rd_.begin(), rd_.end()));
  auto verifier = *sgx::DcapVerifier::Create({{pki_.root(), sgx::TrustRootKind::kProduction}});
  auto result = verifier->Verify(*quote, *pki_.MakeCollateral(), {kNow, false});
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->enclave.mr_enclave, body_.mr_enclave);
  EXPECT_EQ(result->enclave.report_data, rd_);
  // A quote that does not carry the report data just written is refused, not returned.
  ReportData other{};
  EXPECT_THAT(platform->Quote(other), ReasonIs("gramine_malformed"));
}

TEST_F(GramineTest, AttestationTypeNoneHasNoQuotes) {
  Write("attestation_type", "none");
  auto platform = *NewGraminePlatform(dir_);
  EXPECT_THAT(platform->Quote(rd_), ReasonIs("gramine_attestation_disabled"));
  Write("attestation_type", "tdx?");
  EXPECT_THAT(NewGraminePlatform(dir_), ReasonIs("gramine_malformed"));
}

TEST_F(GramineTest, ReportChecksTheStatement) {
  auto platform = *NewGraminePlatform(dir_);
  EXPECT_THAT(platform->Report(ReportData{}), IsOk());  // the fake report holds zero data
  EXPECT_THAT(platform->Report(rd_), ReasonIs("gramine_malformed"));
  Write("report", Bytes(100));
  EXPECT_THAT(platform->Report(ReportData{}), ReasonIs("gramine_malformed"));
}

TEST_F(GramineTest, SealKeysFromGramineKeys) {
  auto platform = *NewGraminePlatform(dir_);
  auto enclave_key = platform->SealKey({SealPolicy::kMrEnclave, 2, {}});
  auto signer_key = platform->SealKey({SealPolicy::kMrSigner, 2, {}});
  ASSERT_THAT(enclave_key, IsOk());
  ASSERT_THAT(signer_key, IsOk());
  EXPECT_EQ(enclave_key->size(), 32u);
  EXPECT_FALSE(*enclave_key == *signer_key);
  // Another Gramine key (another platform) gives another seal key.
  Write("keys/_sgx_mrsigner", Bytes(16, 0x23));
  EXPECT_FALSE(*signer_key == *platform->SealKey({SealPolicy::kMrSigner, 2, {}}));
  // Only the own SVN; never a higher one.
  EXPECT_THAT(platform->SealKey({SealPolicy::kMrSigner, 1, {}}),
              ReasonIs("gramine_svn_unavailable"));
  EXPECT_THAT(platform->SealKey({SealPolicy::kMrSigner, 3, {}}), ReasonIs("seal_svn_too_new"));
  Write("keys/_sgx_mrenclave", Bytes(32, 1));
  EXPECT_THAT(platform->SealKey({SealPolicy::kMrEnclave, 2, {}}), ReasonIs("gramine_malformed"));
}

TEST(GramineMissingTest, NotAGramineDirectory) {
  EXPECT_THAT(NewGraminePlatform(testing::MakeTempDir("not-gramine")),
              ReasonIs("platform_unavailable"));
}

}  // namespace
}  // namespace vouch::platform

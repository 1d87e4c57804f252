#include "vouch/pcs/pcs_client.h"

#include <gtest/gtest.h>

#include "pcs/pccs_stand_in.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/sgx/verifier.h"

namespace vouch::pcs {
namespace {

constexpr char kClientCase[] = "sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06";
constexpr UnixSeconds kClientAt = 1752919277;

class PcsClientTest : public ::testing::Test {
 protected:
  sgx::Collateral expected_ =
      *sgx::ReadCollateralDirectory(vouch::testing::TestDataPath(kClientCase));
  Bytes quote_ = vouch::testing::ReadTestData(std::string(kClientCase) + "/quote.bin");
  http::HttpClient client_;

  std::unique_ptr<http::HttpServer> Start(const PccsStandInOptions& options = {}) {
    auto server = StartPccsStandIn(expected_, "00a067110000", "processor", options);
    EXPECT_THAT(server, IsOk());
    return std::move(server).value();
  }
  std::string Url(const http::HttpServer& server) { return "http://" + server.address(); }
};

TEST_F(PcsClientTest, SelectorComesFromTheQuotesPckCertificate) {
  auto selector = SelectorFromQuote(quote_, std::nullopt);
  ASSERT_THAT(selector, IsOk());
  EXPECT_EQ(HexEncode(selector->fmspc), "00a067110000");
  EXPECT_EQ(selector->ca, "processor");
}

TEST_F(PcsClientTest, CertificationType1NeedsTheChain) {
  const std::string c = "sgx-dcap/intel-qvl-sample/sgx-v3-synthetic-certtype1";
  Bytes quote = vouch::testing::ReadTestData(c + "/quote.bin");
  EXPECT_THAT(SelectorFromQuote(quote, std::nullopt), StatusIs(StatusCode::kInvalidArgument));
  auto selector =
      SelectorFromQuote(quote, vouch::testing::ReadTestDataString(c + "/pck_cert_chain.pem"));
  ASSERT_THAT(selector, IsOk());
  EXPECT_EQ(HexEncode(selector->fmspc), "00707f000000");
}

TEST_F(PcsClientTest, FetchesExactlyWhatThePccsServesAndItVerifies) {
  auto server = Start();
  auto selector = *SelectorFromQuote(quote_, std::nullopt);
  for (std::string base : {Url(*server), Url(*server) + "/sgx/certification/v4/"}) {
    auto fetched = FetchCollateral(client_, base, selector, std::chrono::seconds(10));
    ASSERT_THAT(fetched, IsOk());
    EXPECT_EQ(fetched->tcb_info.body, expected_.tcb_info.body);
    EXPECT_EQ(fetched->tcb_info.signature, expected_.tcb_info.signature);
    EXPECT_EQ(fetched->qe_identity.body, expected_.qe_identity.body);
    EXPECT_EQ(fetched->root_ca_crl, expected_.root_ca_crl);  // served as hex
    EXPECT_EQ(fetched->pck_crl, expected_.pck_crl);
    EXPECT_EQ(fetched->tcb_info_issuer_chain, expected_.tcb_info_issuer_chain);
    EXPECT_EQ(fetched->pck_crl_issuer_chain, expected_.pck_crl_issuer_chain);
    auto verifier =
        *sgx::DcapVerifier::Create({{sgx::IntelSgxRootCa(), sgx::TrustRootKind::kProduction}});
    EXPECT_THAT(verifier->Verify(quote_, *fetched, {kClientAt, false}), IsOk());
  }
}

TEST_F(PcsClientTest, TdQuotesGetTdxCollateralFromTheTdxPaths) {
  const std::string c = "sgx-dcap/phala-dcap-qvl/tdx-v4-2025-06";
  const UnixSeconds at = 1752919234;
  Bytes td_quote = vouch::testing::ReadTestData(c + "/quote.bin");
  sgx::Collateral tdx = *sgx::ReadCollateralDirectory(vouch::testing::TestDataPath(c));
  auto selector = SelectorFromQuote(td_quote, std::nullopt);
  ASSERT_THAT(selector, IsOk());
  EXPECT_TRUE(selector->tdx);
  EXPECT_EQ(HexEncode(selector->fmspc), "b0c06f000000");
  EXPECT_EQ(selector->ca, "platform");
  EXPECT_FALSE(SelectorFromQuote(quote_, std::nullopt)->tdx);

  // The PCCS serves the TDX vector's CRLs under /sgx and its TDX TCB Info and TD_QE identity
  // under /tdx; the SGX documents it serves for the same FMSPC are another vector's.
  sgx::Collateral sgx_side = tdx;
  sgx_side.tcb_info = expected_.tcb_info;
  sgx_side.qe_identity = expected_.qe_identity;
  PccsStandInOptions options;
  options.tdx = tdx;
  auto server = StartPccsStandIn(sgx_side, "b0c06f000000", "platform", options);
  ASSERT_THAT(server, IsOk());
  auto verifier =
      *sgx::DcapVerifier::Create({{sgx::IntelSgxRootCa(), sgx::TrustRootKind::kProduction}});
  for (std::string base : {Url(**server), Url(**server) + "/sgx/certification/v4",
                           Url(**server) + "/tdx/certification/v4/"}) {
    auto fetched = FetchCollateral(client_, base, *selector, std::chrono::seconds(10));
    ASSERT_THAT(fetched, IsOk()) << base;
    EXPECT_EQ(fetched->tcb_info.body, tdx.tcb_info.body);
    EXPECT_EQ(fetched->qe_identity.body, tdx.qe_identity.body);
    EXPECT_EQ(fetched->pck_crl, tdx.pck_crl);
    EXPECT_THAT(verifier->VerifyTd(td_quote, *fetched, {at, false}), IsOk());
  }
  // A PCCS without TDX collateral answers 404 there.
  auto sgx_only = StartPccsStandIn(sgx_side, "b0c06f000000", "platform", {});
  ASSERT_THAT(sgx_only, IsOk());
  EXPECT_THAT(FetchCollateral(client_, Url(**sgx_only), *selector, std::chrono::seconds(10)),
              StatusIs(StatusCode::kUnavailable));
}

TEST_F(PcsClientTest, MisbehavingServersAreClearErrors) {
  auto selector = *SelectorFromQuote(quote_, std::nullopt);
  const auto timeout = std::chrono::seconds(10);
  {
    PccsStandInOptions o;
    o.omit_tcb_issuer_chain = true;
    auto server = Start(o);
    EXPECT_THAT(FetchCollateral(client_, Url(*server), selector, timeout),
                ReasonIs("pccs_bad_response"));
  }
  {
    PccsStandInOptions o;
    o.garbage_tcb_info = true;
    auto server = Start(o);
    EXPECT_THAT(FetchCollateral(client_, Url(*server), selector, timeout),
                ReasonIs("pccs_bad_response"));
  }
  {
    PccsStandInOptions o;
    o.qe_identity_status = 503;
    auto server = Start(o);
    EXPECT_THAT(FetchCollateral(client_, Url(*server), selector, timeout),
                StatusIs(StatusCode::kUnavailable));
  }
  auto server = Start();
  PlatformSelector unknown = selector;
  unknown.fmspc[0] = 0xff;
  EXPECT_THAT(FetchCollateral(client_, Url(*server), unknown, timeout),
              StatusIs(StatusCode::kUnavailable));
  std::string url = Url(*server);
  server->Stop();
  server.reset();
  EXPECT_FALSE(FetchCollateral(client_, url, selector, std::chrono::seconds(2)).ok());
}

}  // namespace
}  // namespace vouch::pcs

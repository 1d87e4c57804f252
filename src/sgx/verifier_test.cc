#include "vouch/sgx/verifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "sgx/dcap_test_vectors.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"

namespace vouch::sgx {
namespace {

using ::testing::ElementsAreArray;
using Json = nlohmann::json;

using Vector = testing::DcapVector;
using testing::MakeVerifier;

const char* const kSgxVectors[] = {
    "phala-dcap-qvl/sgx-v3-2025-06",
    "phala-dcap-qvl/sgx-v3-2023-11",
    "automata-dcap-rs/sgx-v3-debug-2024-08",
    "teepot/sgx-v3-swhardening-tcbinfo-v2-2023-05",
    "teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05",
    "teepot/sgx-v3-swhardening-tcbinfo-v3-2023-05",
    "teepot/sgx-v3-debug-swhardening-2023-06",
    "intel-qvl-sample/sgx-v3-synthetic-certtype1",
};

class RealVectorTest : public ::testing::TestWithParam<const char*> {};

void ExpectMatchesVector(const Vector& v, const VerificationResult& r) {
  const Json& e = v.expected["expected_result"];
  EXPECT_EQ(TcbStatusName(r.tcb_status), e["tcb_status"].get<std::string>());
  EXPECT_EQ(TcbStatusName(r.platform_tcb_status), e["platform_tcb_status"].get<std::string>());
  EXPECT_EQ(FormatRfc3339(r.platform_tcb_date), e["platform_tcb_date"].get<std::string>());
  EXPECT_EQ(TcbStatusName(r.qe_tcb_status), e["qe_tcb_status"].get<std::string>());
  EXPECT_EQ(r.qe_isv_svn, e["qe_isvsvn"].get<int>());
  EXPECT_EQ(IntelQvResultName(r.tcb_status), e["intel_qv_result"].get<std::string>());
  EXPECT_THAT(
      r.advisory_ids,
      ElementsAreArray(e["advisory_ids_platform_tcb_level"].get<std::vector<std::string>>()));
  std::vector<std::string> merged = r.advisory_ids;
  for (const auto& id : r.qe_advisory_ids) {
    if (std::find(merged.begin(), merged.end(), id) == merged.end()) merged.push_back(id);
  }
  std::sort(merged.begin(), merged.end());
  auto expected_merged = e["advisory_ids_merged_platform_and_qe"].get<std::vector<std::string>>();
  std::sort(expected_merged.begin(), expected_merged.end());
  EXPECT_EQ(merged, expected_merged);

  const Json& id = v.expected["enclave_identity"];
  EXPECT_EQ(HexEncode(r.enclave.mr_enclave), id["mrenclave"].get<std::string>());
  EXPECT_EQ(HexEncode(r.enclave.mr_signer), id["mrsigner"].get<std::string>());
  EXPECT_EQ(r.enclave.isv_prod_id, id["isv_prod_id"].get<int>());
  EXPECT_EQ(r.enclave.isv_svn, id["isv_svn"].get<int>());
  EXPECT_EQ(HexEncode(r.enclave.attributes), id["attributes"].get<std::string>());
  EXPECT_EQ(r.enclave.misc_select_value(), id["miscselect"].get<uint32_t>());
  EXPECT_EQ(r.enclave.debug(), id["debug"].get<bool>());
  EXPECT_EQ(HexEncode(r.enclave.report_data), id["report_data"].get<std::string>());
  EXPECT_EQ(HexEncode(r.enclave.cpu_svn), id["cpusvn_raw"].get<std::string>());

  const Json& p = v.expected["platform"];
  EXPECT_EQ(HexEncode(r.pck.fmspc), p["fmspc"].get<std::string>());
  EXPECT_EQ(HexEncode(r.pck.pce_id), p["pce_id"].get<std::string>());
  EXPECT_EQ("Intel SGX PCK " + r.pck_ca + " CA", p["pck_ca"].get<std::string>());
  EXPECT_THAT(r.pck.tcb_components,
              ElementsAreArray(p["pck_tcb_components"].get<std::vector<int>>()));
  EXPECT_EQ(r.pck.pce_svn, p["pck_pcesvn"].get<int>());
  EXPECT_EQ(HexEncode(r.pck.cpu_svn), p["pck_cpusvn"].get<std::string>());
  EXPECT_EQ(r.pck.sgx_type, p["sgx_type"].get<int>());
  EXPECT_EQ(r.tcb_info_version, p["tcb_info_version"].get<int>());
  EXPECT_EQ(r.tcb_evaluation_data_number, p["tcb_evaluation_data_number"].get<int64_t>());

  EXPECT_EQ(r.collateral_valid_from, v.expected["collateral_valid_from_unix"].get<int64_t>());
  EXPECT_EQ(r.collateral_valid_until, v.expected["collateral_valid_until_unix"].get<int64_t>());
  EXPECT_FALSE(r.collateral_expired);
  EXPECT_EQ(r.root_kind, TrustRootKind::kProduction);
}

TEST_P(RealVectorTest, VerifiesAsExpectedCachedAndUncached) {
  Vector v = testing::LoadDcapVector(GetParam());
  ASSERT_TRUE(v.expected["expected_result"]["verifies"].get<bool>());
  for (bool cache : {false, true}) {
    auto verifier = MakeVerifier(v.root, cache);
    for (int round = 0; round < 2; ++round) {  // the second round hits the caches
      auto r = verifier->Verify(v.quote, v.collateral, {v.at(), false});
      ASSERT_THAT(r, IsOk()) << GetParam();
      ExpectMatchesVector(v, *r);
    }
    if (cache) {
      EXPECT_EQ(verifier->cache_stats().collateral_hits, 1u);
      EXPECT_EQ(verifier->cache_stats().pck_chain_hits, 1u);
      EXPECT_EQ(verifier->cache_stats().qe_report_hits, 1u);
    }
  }
}

TEST_P(RealVectorTest, WindowIsHalfOpen) {
  Vector v = testing::LoadDcapVector(GetParam());
  auto verifier = MakeVerifier(v.root);
  testing::ExpectHalfOpenWindow(v, [&](UnixSeconds at, bool allow_expired) {
    return verifier->Verify(v.quote, v.collateral, {at, allow_expired});
  });
}

INSTANTIATE_TEST_SUITE_P(Vectors, RealVectorTest, ::testing::ValuesIn(kSgxVectors));

// A collateral handed over as files (a broker's /identity, provisioning §3.1) reads back to the
// same collateral and verifies the same quote; a missing file is kNotFound, a damaged one
// collateral_malformed.
TEST_P(RealVectorTest, CollateralFromFilesReadsWhatCollateralFilesWrote) {
  Vector v = testing::LoadDcapVector(GetParam());
  const auto files = CollateralFiles(v.collateral);
  auto back = CollateralFromFiles(files);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(CollateralFiles(*back), files);
  EXPECT_THAT(MakeVerifier(v.root, false)->Verify(v.quote, *back, {v.at(), false}), IsOk());

  auto without = files;
  std::erase_if(without, [](const auto& f) { return f.first == "pck_crl.der"; });
  EXPECT_THAT(CollateralFromFiles(without), StatusIs(StatusCode::kNotFound));
  auto damaged = files;
  for (auto& [name, data] : damaged) {
    if (name == "tcb_info_signature.bin") data.pop_back();
  }
  EXPECT_THAT(CollateralFromFiles(damaged), ReasonIs("collateral_malformed"));
}

// ---- Derived negatives on phala-dcap-qvl/sgx-v3-2025-06 ----

class NegativeTest : public ::testing::Test {
 protected:
  Vector v_ = testing::LoadDcapVector("phala-dcap-qvl/sgx-v3-2025-06");
  std::unique_ptr<DcapVerifier> cached_ = MakeVerifier(v_.root, true);
  std::unique_ptr<DcapVerifier> uncached_ = MakeVerifier(v_.root, false);

  // Both paths must reject with the same reason.
  void ExpectReason(const Bytes& quote, const Collateral& c, const std::string& reason,
                    const std::string& label = "") {
    EXPECT_THAT(uncached_->Verify(quote, c, {v_.at(), false}), ReasonIs(reason)) << label;
    EXPECT_THAT(cached_->Verify(quote, c, {v_.at(), false}), ReasonIs(reason)) << label;
  }
  Bytes Flip(size_t offset) const {
    Bytes q = v_.quote;
    q[offset] ^= 0x01;
    return q;
  }
};

TEST_F(NegativeTest, EveryByteOfTheSignedRegion) {
  // Warm the caches so the cached path is exercised too.
  ASSERT_THAT(cached_->Verify(v_.quote, v_.collateral, {v_.at(), false}), IsOk());
  for (size_t i = 0; i < 432; ++i) {
    bool parse_field = i < 8 || (i >= 12 && i < 28);
    if (parse_field) {
      EXPECT_THAT(cached_->Verify(Flip(i), v_.collateral, {v_.at(), false}),
                  StatusIs(StatusCode::kInvalidArgument))
          << i;
    } else {
      ExpectReason(Flip(i), v_.collateral, "quote_signature_invalid", std::to_string(i));
    }
  }
}

TEST_F(NegativeTest, QeReportAuthDataAttestationKeyAndSignatures) {
  for (size_t i = 564; i < 948; i += 17) {
    ExpectReason(Flip(i), v_.collateral, "qe_report_signature_invalid", std::to_string(i));
  }
  for (size_t i = 948; i < 1012; i += 9) {
    ExpectReason(Flip(i), v_.collateral, "qe_report_signature_invalid", std::to_string(i));
  }
  for (size_t i = 1014; i < 1046; ++i) {
    ExpectReason(Flip(i), v_.collateral, "qe_report_data_mismatch", std::to_string(i));
  }
  for (size_t i = 500; i < 564; i += 7) {
    ExpectReason(Flip(i), v_.collateral, "qe_report_data_mismatch", std::to_string(i));
  }
  for (size_t i = 436; i < 500; i += 5) {
    ExpectReason(Flip(i), v_.collateral, "quote_signature_invalid", std::to_string(i));
  }
}

TEST_F(NegativeTest, EveryTruncationIsMalformedNeverAccepted) {
  for (size_t n = 0; n < v_.quote.size(); ++n) {
    Bytes q(v_.quote.begin(), v_.quote.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = cached_->Verify(q, v_.collateral, {v_.at(), false});
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << n << " " << r.status();
  }
}

TEST_F(NegativeTest, TrailingBytesAreIgnored) {
  Bytes q = v_.quote;
  q.insert(q.end(), 70, 0xaa);
  EXPECT_THAT(cached_->Verify(q, v_.collateral, {v_.at(), false}), IsOk());
}

TEST_F(NegativeTest, AnyChangeToSignedJsonBreaksItsSignature) {
  for (size_t i : {size_t{0}, size_t{1}, size_t{20}, v_.collateral.tcb_info.body.size() - 1}) {
    Collateral c = v_.collateral;
    c.tcb_info.body[i] = c.tcb_info.body[i] == ' ' ? '\t' : ' ';
    auto r = uncached_->Verify(v_.quote, c, {v_.at(), false});
    EXPECT_FALSE(r.ok()) << i;
  }
  Collateral c = v_.collateral;
  std::string text(c.tcb_info.body.begin(), c.tcb_info.body.end());
  text.insert(text.find(",\"version\""), " ");  // whitespace only: still a changed document
  c.tcb_info.body = ToBytes(text);
  ExpectReason(v_.quote, c, "tcb_info_signature_invalid");
  c = v_.collateral;
  c.tcb_info.signature[5] ^= 1;
  ExpectReason(v_.quote, c, "tcb_info_signature_invalid");
  c = v_.collateral;
  text.assign(c.qe_identity.body.begin(), c.qe_identity.body.end());
  text.replace(text.find("\"isvprodid\":1"), 13, "\"isvprodid\":2");
  c.qe_identity.body = ToBytes(text);
  ExpectReason(v_.quote, c, "qe_identity_signature_invalid");
  c = v_.collateral;
  c.qe_identity.signature[60] ^= 1;
  ExpectReason(v_.quote, c, "qe_identity_signature_invalid");
}

// One peer never checks CRL signatures; here a CRL with a bad signature, or garbage instead
// of a CRL, is always a rejection.
TEST_F(NegativeTest, CrlsMustBeSignedAndWellFormed) {
  Collateral c = v_.collateral;
  c.pck_crl.back() ^= 1;  // the last byte of the signature's s value
  ExpectReason(v_.quote, c, "pck_crl_invalid");
  c = v_.collateral;
  c.root_ca_crl.back() ^= 1;
  ExpectReason(v_.quote, c, "root_ca_crl_invalid");
  c = v_.collateral;
  c.pck_crl = ToBytes(std::string_view("garbage bytes"));
  ExpectReason(v_.quote, c, "collateral_malformed");
  c = v_.collateral;
  c.root_ca_crl = ToBytes(std::string_view("garbage bytes"));
  ExpectReason(v_.quote, c, "collateral_malformed");
}

TEST_F(NegativeTest, PckCrlOfTheOtherCaIsAnIssuerMismatch) {
  Vector platform = testing::LoadDcapVector("teepot/sgx-v3-swhardening-tcbinfo-v2-2023-05");
  Collateral c = v_.collateral;
  c.pck_crl = platform.collateral.pck_crl;  // Platform CA CRL for a Processor CA leaf
  ExpectReason(v_.quote, c, "crl_issuer_mismatch");
}

TEST(FmspcTest, TcbInfoOfAnotherPlatformIsAnFmspcMismatch) {
  Vector v = testing::LoadDcapVector("teepot/sgx-v3-swhardening-tcbinfo-v2-2023-05");
  Vector other = testing::LoadDcapVector("teepot/sgx-v3-outofdate-tcbinfo-v2-2023-05");
  Collateral c = v.collateral;
  c.tcb_info = other.collateral.tcb_info;
  c.tcb_info_issuer_chain = other.collateral.tcb_info_issuer_chain;
  auto verifier = MakeVerifier(v.root);
  EXPECT_THAT(verifier->Verify(v.quote, c, {v.at(), false}), ReasonIs("fmspc_mismatch"));
}

TEST(TrustRootTest, SyntheticRootIsUntrustedUnlessGiven) {
  Vector v = testing::LoadDcapVector("intel-qvl-sample/sgx-v3-synthetic-certtype1");
  auto intel_only = MakeVerifier(IntelSgxRootCa());
  EXPECT_THAT(intel_only->Verify(v.quote, v.collateral, {v.at(), false}),
              ReasonIs("untrusted_root"));
  auto sim = MakeVerifier(v.root, true, TrustRootKind::kSimulation);
  auto r = sim->Verify(v.quote, v.collateral, {v.at(), false});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->root_kind, TrustRootKind::kSimulation);
  // The PCK chain needs the separately supplied chain for certification data type 1.
  Collateral no_chain = v.collateral;
  no_chain.pck_cert_chain.reset();
  EXPECT_THAT(sim->Verify(v.quote, no_chain, {v.at(), false}), ReasonIs("collateral_malformed"));
}

TEST(TrustRootTest, RealQuoteWithOnlyTheSyntheticRootIsUntrusted) {
  Vector real = testing::LoadDcapVector("phala-dcap-qvl/sgx-v3-2025-06");
  Vector synthetic = testing::LoadDcapVector("intel-qvl-sample/sgx-v3-synthetic-certtype1");
  auto verifier = MakeVerifier(synthetic.root);
  EXPECT_THAT(verifier->Verify(real.quote, real.collateral, {real.at(), false}),
              ReasonIs("untrusted_root"));
}

TEST(TrustRootTest, CreateRejectsNonSelfSignedRoots) {
  EXPECT_FALSE(DcapVerifier::Create({}).ok());
  Vector v = testing::LoadDcapVector("phala-dcap-qvl/sgx-v3-2025-06");
  auto chain = Certificate::ParsePemChain(v.collateral.tcb_info_issuer_chain);
  ASSERT_THAT(chain, IsOk());
  EXPECT_THAT(DcapVerifier::Create({TrustRoot{(*chain)[0], TrustRootKind::kProduction}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConcurrencyTest, ParallelVerificationsAgree) {
  Vector v = testing::LoadDcapVector("phala-dcap-qvl/sgx-v3-2025-06");
  auto verifier = MakeVerifier(v.root);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = verifier->Verify(v.quote, v.collateral, {v.at(), false});
        if (!r.ok() || r->tcb_status != TcbStatus::kConfigurationAndSwHardeningNeeded) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace vouch::sgx

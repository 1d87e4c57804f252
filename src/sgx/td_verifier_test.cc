// DcapVerifier::VerifyTd on the real TDX vectors (tests/data/sgx-dcap, spec/sgx-dcap.md §11.2)
// and every derived negative: flipped bytes of the signed region, QE report, auth data and
// attestation key, truncations, trailing bytes and signature-data slack, collateral for the
// wrong TEE.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sgx/dcap_test_vectors.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/tee_constraint.h"
#include "vouch/sgx/td_info.h"
#include "vouch/sgx/td_quote.h"
#include "vouch/sgx/verifier.h"

namespace vouch::sgx {
namespace {

using ::testing::ElementsAreArray;
using Json = nlohmann::json;

using TdVector = testing::DcapVector;

std::unique_ptr<DcapVerifier> MakeVerifier(bool cache = true) {
  return testing::MakeVerifier(IntelSgxRootCa(), cache);
}

constexpr char kPhalaV4[] = "phala-dcap-qvl/tdx-v4-2025-06";
constexpr char kTeepotV4[] = "teepot/tdx-v4-2024-12";
constexpr char kPhalaV5[] = "phala-dcap-qvl/tdx-v5-no-matching-tcb-level-2026-02";

void ExpectTdIdentity(const Json& id, const TdReport& td) {
  EXPECT_EQ(HexEncode(td.tee_tcb_svn), id["tee_tcb_svn"].get<std::string>());
  EXPECT_EQ(HexEncode(td.mr_seam), id["mr_seam"].get<std::string>());
  EXPECT_EQ(HexEncode(td.mr_td), id["mr_td"].get<std::string>());
  EXPECT_EQ(HexEncode(td.td_attributes), id["td_attributes"].get<std::string>());
  EXPECT_EQ(HexEncode(td.xfam), id["xfam"].get<std::string>());
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(HexEncode(td.rtmr[i]), id["rtmr" + std::to_string(i)].get<std::string>());
  }
  EXPECT_EQ(HexEncode(td.report_data), id["report_data"].get<std::string>());
}

class RealTdVectorTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RealTdVectorTest, VerifiesAsExpectedCachedAndUncached) {
  TdVector v = testing::LoadDcapVector(GetParam());
  const Json& e = v.expected["expected_result"];
  ASSERT_TRUE(e["verifies"].get<bool>());
  for (bool cache : {false, true}) {
    auto verifier = MakeVerifier(cache);
    for (int round = 0; round < 2; ++round) {
      auto r = verifier->VerifyTd(v.quote, v.collateral, {v.at(), false});
      ASSERT_THAT(r, IsOk()) << GetParam();
      EXPECT_EQ(TcbStatusName(r->tcb_status), e["tcb_status"].get<std::string>());
      EXPECT_EQ(TdIntelQvResultName(*r), e["intel_qv_result"].get<std::string>());
      EXPECT_THAT(r->advisory_ids,
                  ElementsAreArray(e["advisory_ids"].get<std::vector<std::string>>()));
      const Json& levels = v.expected["computed_levels"];
      EXPECT_EQ(TcbStatusName(r->sgx_tcb_status), levels["sgx_tcb_level"][0].get<std::string>());
      EXPECT_EQ(TcbStatusName(r->platform_tcb_status),
                levels["tdx_tcb_level"][0].get<std::string>());
      EXPECT_EQ(r->tdx_module_identity, levels["tdx_module_identity"][0].get<std::string>());
      EXPECT_EQ(TcbStatusName(r->tdx_module_tcb_status),
                levels["tdx_module_identity"][1].get<std::string>());
      EXPECT_EQ(r->qe_isv_svn, levels["qe_level"][0].get<int>());
      EXPECT_EQ(TcbStatusName(r->qe_tcb_status), levels["qe_level"][1].get<std::string>());
      EXPECT_FALSE(r->td_relaunch_advised);
      EXPECT_EQ(r->body_type, QuoteBodyType::kTdReport10);
      EXPECT_EQ(r->header.version, v.expected["quote"]["version"].get<int>());
      EXPECT_EQ(r->certification_data_type, CertificationDataType::kPckCertChain);
      ExpectTdIdentity(v.expected["td_identity"], r->td);
      EXPECT_FALSE(r->td.debug());
      EXPECT_TRUE(r->td.sept_ve_disable());
      const Json& p = v.expected["platform"];
      EXPECT_EQ(HexEncode(r->pck.fmspc), p["fmspc"].get<std::string>());
      EXPECT_EQ("Intel SGX PCK " + r->pck_ca + " CA", p["pck_ca"].get<std::string>());
      EXPECT_THAT(r->pck.tcb_components,
                  ElementsAreArray(p["pck_tcb_components"].get<std::vector<int>>()));
      EXPECT_EQ(r->pck.pce_svn, p["pck_pcesvn"].get<int>());
      EXPECT_EQ(r->tcb_info_version, 3);
      EXPECT_EQ(r->collateral_valid_from, v.expected["collateral_valid_from_unix"].get<int64_t>());
      EXPECT_EQ(r->collateral_valid_until,
                v.expected["collateral_valid_until_unix"].get<int64_t>());
      EXPECT_FALSE(r->collateral_expired);
      EXPECT_EQ(r->root_kind, TrustRootKind::kProduction);
    }
    if (cache) {
      EXPECT_EQ(verifier->cache_stats().collateral_hits, 1u);
      EXPECT_EQ(verifier->cache_stats().pck_chain_hits, 1u);
      EXPECT_EQ(verifier->cache_stats().qe_report_hits, 1u);
    }
  }
}

TEST_P(RealTdVectorTest, ParsesWithItsTrailingBytes) {
  TdVector v = testing::LoadDcapVector(GetParam());
  auto q = TdQuote::Parse(v.quote);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->trailing_bytes(),
            v.expected["quote"]["trailing_bytes_after_signature_data"].get<size_t>());
  EXPECT_EQ(q->signature_data_slack(), 0u);
  EXPECT_EQ(q->signed_region().size(), v.expected["quote"]["signed_bytes"].get<size_t>());
  EXPECT_TRUE(IsTdQuote(v.quote));
}

TEST_P(RealTdVectorTest, WindowIsHalfOpen) {
  TdVector v = testing::LoadDcapVector(GetParam());
  auto verifier = MakeVerifier();
  testing::ExpectHalfOpenWindow(v, [&](UnixSeconds at, bool allow_expired) {
    return verifier->VerifyTd(v.quote, v.collateral, {at, allow_expired});
  });
}

TEST_P(RealTdVectorTest, TdIdentityMeetsAConstraintNamingIt) {
  TdVector v = testing::LoadDcapVector(GetParam());
  auto r = MakeVerifier()->VerifyTd(v.quote, v.collateral, {v.at(), false});
  ASSERT_THAT(r, IsOk());
  TdInstanceInfo td = ToTdInstanceInfo(*r);
  EXPECT_EQ(td.mode, EnclaveMode::kRelease);
  EXPECT_EQ(td.security.summary, SecuritySummary::kSecure);
  const Json& id = v.expected["td_identity"];
  std::string c = "TEE:TDX MRTD:" + id["mr_td"].get<std::string>() + " SEC:SECURE";
  for (int i = 0; i < 4; ++i) {
    c += " RTMR" + std::to_string(i) + ":" + id["rtmr" + std::to_string(i)].get<std::string>();
  }
  c += " MRSEAM:" + id["mr_seam"].get<std::string>() +
       " TDATTR:" + id["td_attributes"].get<std::string>() +
       " XFAM:" + id["xfam"].get<std::string>();
  auto constraint = TeeConstraint::Parse(c);
  ASSERT_THAT(constraint, IsOk());
  EXPECT_THAT(constraint->Check(td, v.at()), IsOk());
  TdInstanceInfo other = td;
  other.rtmr[1][0] ^= 1;
  EXPECT_THAT(constraint->Check(other, v.at()), ReasonIs("rtmr_mismatch"));
}

INSTANTIATE_TEST_SUITE_P(Vectors, RealTdVectorTest, ::testing::Values(kPhalaV4, kTeepotV4));

TEST(TdV5Test, NoMatchingTcbLevelAfterEverySignatureVerifies) {
  TdVector v = testing::LoadDcapVector(kPhalaV5);
  ASSERT_FALSE(v.expected["expected_result"]["verifies"].get<bool>());
  auto q = TdQuote::Parse(v.quote);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->header().version, 5);
  EXPECT_EQ(q->body_type(), QuoteBodyType::kTdReport15);
  EXPECT_EQ(q->signed_region().size(), 702u);
  EXPECT_EQ(q->trailing_bytes(), 0u);
  ASSERT_TRUE(q->td_report().tee_tcb_svn2.has_value());
  ExpectTdIdentity(v.expected["td_identity"], q->td_report());
  for (bool cache : {false, true}) {
    auto r = MakeVerifier(cache)->VerifyTd(v.quote, v.collateral, {v.at(), false});
    EXPECT_THAT(r, ReasonIs("tcb_level_not_found"));
    EXPECT_THAT(r, StatusIs(StatusCode::kPermissionDenied));
  }
}

// ---- Derived negatives ----

class TdNegativeTest : public ::testing::TestWithParam<const char*> {
 protected:
  TdVector v_ = testing::LoadDcapVector(GetParam());
  std::unique_ptr<DcapVerifier> cached_ = MakeVerifier(true);
  std::unique_ptr<DcapVerifier> uncached_ = MakeVerifier(false);
  bool v5_ = std::string(GetParam()) == kPhalaV5;
  // Offsets (§2.4): signature data after the signed region and its u32 length.
  size_t signed_size_ = v5_ ? 702 : 632;
  size_t sig_ = signed_size_ + 4;
  size_t qe_report_ = sig_ + 134;

  void ExpectReason(const Bytes& quote, const std::string& reason, const std::string& label) {
    EXPECT_THAT(uncached_->VerifyTd(quote, v_.collateral, {v_.at(), false}), ReasonIs(reason))
        << label;
    EXPECT_THAT(cached_->VerifyTd(quote, v_.collateral, {v_.at(), false}), ReasonIs(reason))
        << label;
  }
  Bytes Flip(size_t offset) const {
    Bytes q = v_.quote;
    q[offset] ^= 0x01;
    return q;
  }
};

TEST_P(TdNegativeTest, EveryByteOfTheSignedRegion) {
  (void)cached_->VerifyTd(v_.quote, v_.collateral, {v_.at(), false});  // warm the caches
  for (size_t i = 0; i < signed_size_; ++i) {
    // Header fields checked while parsing: version, key type, TEE type, QE vendor; the v5
    // body descriptor.
    bool parse_field = i < 8 || (i >= 12 && i < 28) || (v5_ && i >= 48 && i < 54);
    if (parse_field) {
      EXPECT_THAT(cached_->VerifyTd(Flip(i), v_.collateral, {v_.at(), false}),
                  StatusIs(StatusCode::kInvalidArgument))
          << i;
    } else {
      ExpectReason(Flip(i), "quote_signature_invalid", std::to_string(i));
    }
  }
}

TEST_P(TdNegativeTest, QeReportAuthDataAttestationKeyAndSignatures) {
  for (size_t i = qe_report_; i < qe_report_ + 384; i += 13) {
    ExpectReason(Flip(i), "qe_report_signature_invalid", std::to_string(i));
  }
  for (size_t i = qe_report_ + 384; i < qe_report_ + 448; i += 7) {
    ExpectReason(Flip(i), "qe_report_signature_invalid", std::to_string(i));
  }
  const size_t auth = qe_report_ + 450;
  for (size_t i = auth; i < auth + 32; ++i) {
    ExpectReason(Flip(i), "qe_report_data_mismatch", std::to_string(i));
  }
  for (size_t i = sig_ + 64; i < sig_ + 128; i += 5) {
    ExpectReason(Flip(i), "qe_report_data_mismatch", std::to_string(i));
  }
  for (size_t i = sig_; i < sig_ + 64; i += 3) {
    ExpectReason(Flip(i), "quote_signature_invalid", std::to_string(i));
  }
}

TEST_P(TdNegativeTest, EveryTruncationIsMalformed) {
  const size_t end = sig_ + LoadU32Le(v_.quote.data() + signed_size_);
  for (size_t n = 0; n < end; ++n) {
    Bytes q(v_.quote.begin(), v_.quote.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = cached_->VerifyTd(q, v_.collateral, {v_.at(), false});
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << n << " " << r.status();
  }
}

TEST_P(TdNegativeTest, LengthsAreDecidedAsIntelsQvlDecidesThem) {
  const std::string expected = v5_ ? "tcb_level_not_found" : "";
  auto judge = [&](const Bytes& q) {
    auto r = uncached_->VerifyTd(q, v_.collateral, {v_.at(), false});
    return r.ok() ? std::string() : std::string(r.status().reason());
  };
  // Bytes after the signature data: ignored.
  Bytes q = v_.quote;
  q.insert(q.end(), 100, 0xaa);
  EXPECT_EQ(judge(q), expected);
  // Bytes inside the signature data after the type-6 block: ignored, as QVL does.
  const uint32_t sig_len = LoadU32Le(v_.quote.data() + signed_size_);
  Bytes slack(v_.quote.begin(), v_.quote.begin() + static_cast<std::ptrdiff_t>(sig_ + sig_len));
  slack.insert(slack.end(), 9, 0x55);
  slack[signed_size_] = static_cast<uint8_t>(sig_len + 9);
  slack[signed_size_ + 1] = static_cast<uint8_t>((sig_len + 9) >> 8);
  ASSERT_EQ(LoadU32Le(slack.data() + signed_size_), sig_len + 9);
  auto parsed = TdQuote::Parse(slack);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->signature_data_slack(), 9u);
  EXPECT_EQ(judge(slack), expected);
  // Bytes inside the type-6 block after the inner certification data: rejected, as QVL does.
  Bytes inner = slack;
  const size_t outer_size_at = sig_ + 130;
  const uint32_t outer = LoadU32Le(inner.data() + outer_size_at) + 9;
  StoreU32Le(inner.data() + outer_size_at, outer);
  EXPECT_THAT(TdQuote::Parse(inner), ReasonIs("quote_malformed"));
  // A type-6 block longer than the signature data: rejected.
  Bytes over = v_.quote;
  const uint32_t too_long = LoadU32Le(over.data() + outer_size_at) + 1;
  StoreU32Le(over.data() + outer_size_at, too_long);
  EXPECT_THAT(TdQuote::Parse(over), ReasonIs("quote_malformed"));
}

INSTANTIATE_TEST_SUITE_P(Vectors, TdNegativeTest, ::testing::Values(kPhalaV4, kTeepotV4, kPhalaV5));

// The checks one peer or the other skips on TDX collateral (bench/peers/tamper.js).
TEST(TdCollateralTest, EveryTamperedCollateralItemIsRejected) {
  TdVector v = testing::LoadDcapVector(kPhalaV4);
  auto verifier = MakeVerifier(false);
  auto expect = [&](const Collateral& c, const char* reason) {
    EXPECT_THAT(verifier->VerifyTd(v.quote, c, {v.at(), false}), ReasonIs(reason)) << reason;
  };
  Collateral c = v.collateral;
  c.qe_identity.signature[7] ^= 1;
  expect(c, "qe_identity_signature_invalid");
  c = v.collateral;
  c.qe_identity.body.push_back(' ');
  expect(c, "qe_identity_signature_invalid");
  c = v.collateral;
  std::string text(c.tcb_info.body.begin(), c.tcb_info.body.end());
  text.replace(text.find("\"mrsigner\":\"0"), 13, "\"mrsigner\":\"1");
  c.tcb_info.body = ToBytes(text);
  expect(c, "tcb_info_signature_invalid");
  c = v.collateral;
  c.pck_crl.back() ^= 1;
  expect(c, "pck_crl_invalid");
  c = v.collateral;
  c.root_ca_crl.back() ^= 1;
  expect(c, "root_ca_crl_invalid");
  c = v.collateral;
  c.pck_crl = ToBytes(std::string_view("gar\x01"));
  expect(c, "collateral_malformed");
}

TEST(TdWrongTeeTest, QuotesAreParsedAndVerifiedOnlyAsTheirOwnTee) {
  TdVector td = testing::LoadDcapVector(kPhalaV4);
  Bytes sgx = vouch::testing::ReadTestData("sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06/quote.bin");
  EXPECT_THAT(Quote::Parse(td.quote), ReasonIs("quote_wrong_tee"));
  EXPECT_THAT(TdQuote::Parse(sgx), ReasonIs("quote_wrong_tee"));
  EXPECT_FALSE(IsTdQuote(sgx));
  auto verifier = MakeVerifier();
  EXPECT_THAT(verifier->Verify(td.quote, td.collateral, {td.at(), false}),
              ReasonIs("quote_wrong_tee"));
  EXPECT_THAT(verifier->VerifyTd(sgx, td.collateral, {td.at(), false}),
              ReasonIs("quote_wrong_tee"));
}

TEST(TdWrongTeeTest, CollateralForTheOtherTeeIsRefused) {
  TdVector td = testing::LoadDcapVector(kPhalaV4);
  Collateral sgx_collateral = *ReadCollateralDirectory(
      vouch::testing::TestDataPath("sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06"));
  Bytes sgx_quote =
      vouch::testing::ReadTestData("sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06/quote.bin");
  const UnixSeconds sgx_at = 1752919277;
  for (bool cache : {false, true}) {
    auto verifier = MakeVerifier(cache);
    // SGX TCB Info (and QE Identity) for a TD quote.
    EXPECT_THAT(verifier->VerifyTd(td.quote, sgx_collateral, {td.at(), false}),
                ReasonIs("tcb_info_wrong_tee"));
    Collateral c = td.collateral;
    c.qe_identity = sgx_collateral.qe_identity;
    c.qe_identity_issuer_chain = sgx_collateral.qe_identity_issuer_chain;
    EXPECT_THAT(verifier->VerifyTd(td.quote, c, {td.at(), false}),
                ReasonIs("qe_identity_wrong_tee"));
    // TDX TCB Info (and TD_QE identity) for an SGX quote.
    c = sgx_collateral;
    c.tcb_info = td.collateral.tcb_info;
    c.tcb_info_issuer_chain = td.collateral.tcb_info_issuer_chain;
    EXPECT_THAT(verifier->Verify(sgx_quote, c, {sgx_at, false}), ReasonIs("tcb_info_wrong_tee"));
    c = sgx_collateral;
    c.qe_identity = td.collateral.qe_identity;
    c.qe_identity_issuer_chain = td.collateral.qe_identity_issuer_chain;
    EXPECT_THAT(verifier->Verify(sgx_quote, c, {sgx_at, false}), ReasonIs("qe_identity_wrong_tee"));
    // Each still verifies with its own collateral afterwards (the caches are TEE-neutral).
    EXPECT_THAT(verifier->VerifyTd(td.quote, td.collateral, {td.at(), false}), IsOk());
    EXPECT_THAT(verifier->Verify(sgx_quote, sgx_collateral, {sgx_at, false}), IsOk());
  }
}

TEST(TdCollateralTest, TdxTcbInfoIsParsedFieldByField) {
  TdVector v = testing::LoadDcapVector(kPhalaV4);
  auto info = TcbInfo::Parse(v.collateral.tcb_info.body);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->id(), "TDX");
  ASSERT_TRUE(info->tdx_module().has_value());
  EXPECT_EQ(info->tdx_module()->mrsigner, Measurement384{});
  EXPECT_EQ(HexEncode(info->tdx_module()->attributes_mask), "ffffffffffffffff");
  ASSERT_EQ(info->tdx_module_identities().size(), 2u);
  const TdxModuleIdentity& tdx01 = info->tdx_module_identities()[1];
  EXPECT_EQ(tdx01.id, "TDX_01");
  ASSERT_EQ(tdx01.levels.size(), 2u);
  EXPECT_EQ(tdx01.levels[0].isv_svn, 4);
  EXPECT_EQ(tdx01.levels[1].status, TcbStatus::kOutOfDate);
  ASSERT_EQ(info->levels().size(), 2u);
  EXPECT_EQ(HexEncode(info->levels()[0].tdx_components), "05000200000000000000000000000000");
  EXPECT_EQ(info->levels()[0].pce_svn, 11);  // sorted: PCESVN 11 before 5

  std::string text(v.collateral.tcb_info.body.begin(), v.collateral.tcb_info.body.end());
  auto parse = [](std::string t) { return TcbInfo::Parse(ToBytes(t)); };
  std::string no_module = text;
  no_module.replace(no_module.find("\"tdxModule\""), 11, "\"tdxModuleX\"");
  EXPECT_THAT(parse(no_module), ReasonIs("collateral_malformed"));
  std::string bad_status = text;
  bad_status.replace(bad_status.find("\"OutOfDate\""), 11, "\"SWHardeningNeeded\"");
  EXPECT_THAT(parse(bad_status), ReasonIs("collateral_malformed"));
  std::string no_tdx_components = text;
  no_tdx_components.replace(no_tdx_components.find("tdxtcbcomponents"), 16, "tdxtcbcomponentz");
  EXPECT_THAT(parse(no_tdx_components), ReasonIs("collateral_malformed"));
}

}  // namespace
}  // namespace vouch::sgx

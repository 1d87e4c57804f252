// TDX constraints, TD info JSON and TeeConstraint: the grammar and its errors, Check() term by
// term, the canonical form, and that a Conclave string never matches a TD nor a TDX string an
// SGX enclave.
#include "vouch/constraint/td_constraint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/tee_constraint.h"

namespace vouch {
namespace {

constexpr UnixSeconds kTdNow = 1752919234;  // 2025-07-19T10:00:34Z

Sha384Hash Fill(uint8_t b) {
  Sha384Hash h;
  h.fill(b);
  return h;
}
std::string Hex(uint8_t b) { return HexEncode(Fill(b)); }

TdInstanceInfo SampleTd() {
  TdInstanceInfo td;
  td.mr_td = Fill(0x11);
  for (size_t i = 0; i < 4; ++i) td.rtmr[i] = Fill(static_cast<uint8_t>(0x20 + i));
  td.mr_config_id = Fill(0x30);
  td.mr_owner = Fill(0x31);
  td.mr_owner_config = Fill(0x32);
  td.mr_seam = Fill(0x40);
  td.td_attributes = {0, 0, 0, 0x10, 0, 0, 0, 0};
  td.xfam = {0xe7, 0x02, 0x06, 0, 0, 0, 0, 0};
  td.tee_tcb_svn = {6, 1, 3};
  td.mode = EnclaveMode::kRelease;
  td.security = {SecuritySummary::kSecure, "up to date", kTdNow - 86400};
  td.report_data.fill(0x5a);
  return td;
}

EnclaveInstanceInfo SampleEnclave() {
  EnclaveInstanceInfo e;
  e.code_hash.fill(0x11);
  e.code_signer.fill(0x22);
  e.security = {SecuritySummary::kSecure, "up to date", kTdNow - 86400};
  return e;
}

TEST(TdConstraintTest, ParsesEveryTermAndPrintsTheCanonicalForm) {
  const std::string s = "SEC:SECURE  MRTD:" + Hex(0x11) + " TEE:TDX RTMR2:" + Hex(0x22) +
                        " MRTD:" + Hex(0x01) + " EXPIRE:P2W MRSEAM:" + Hex(0x40) +
                        " MRCONFIGID:" + Hex(0x30) + " MROWNER:" + Hex(0x31) +
                        " MROWNERCONFIG:" + Hex(0x32) + " MRSERVICETD:" + Hex(0x50) +
                        " TDATTR:0000001000000000 XFAM:e702060000000000 RTMR0:" + Hex(0x20);
  auto c = TdConstraint::Parse(s);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->acceptable_mr_tds().size(), 2u);
  EXPECT_EQ(c->min_security_level(), SecuritySummary::kSecure);
  const std::string canonical =
      "TEE:TDX MRTD:" + HexEncodeUpper(Fill(0x01)) + " MRTD:" + HexEncodeUpper(Fill(0x11)) +
      " MRSEAM:" + HexEncodeUpper(Fill(0x40)) + " RTMR0:" + HexEncodeUpper(Fill(0x20)) +
      " RTMR2:" + HexEncodeUpper(Fill(0x22)) + " MRCONFIGID:" + HexEncodeUpper(Fill(0x30)) +
      " MROWNER:" + HexEncodeUpper(Fill(0x31)) + " MROWNERCONFIG:" + HexEncodeUpper(Fill(0x32)) +
      " MRSERVICETD:" + HexEncodeUpper(Fill(0x50)) +
      " TDATTR:0000001000000000 XFAM:E702060000000000 EXPIRE:P14D SEC:SECURE";
  EXPECT_EQ(c->ToString(), canonical);
  auto again = TdConstraint::Parse(canonical);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *c);
  EXPECT_EQ(TdConstraint::Parse("TEE:TDX MRTD:" + Hex(1))->ToString(),
            "TEE:TDX MRTD:" + HexEncodeUpper(Fill(1)) + " SEC:STALE");
}

TEST(TdConstraintTest, MalformedAndInvalidStrings) {
  const std::string m = " MRTD:" + Hex(1);
  const std::pair<std::string, std::string> kMalformed[] = {
      {"TEE:TDX" + m + " C:" + std::string(64, 'a'), "Unknown keys [C] (C, S, PROD and REVOKE"},
      {"TEE:TDX" + m + " FOO:1", "Unknown keys [FOO]"},
      {"TEE:TDX" + m + " RTMR0", "Invalid token: RTMR0"},
      {"TEE:TDX" + m + " RTMR0:a:b", "Invalid token: RTMR0:a:b"},
      {"TEE:SGX" + m, "TEE:SGX is not supported"},
      {"TEE:tdx" + m, "TEE:tdx is not supported"},
      {"TEE:TDX TEE:TDX" + m, "More than one TEE defined"},
      {"TEE:TDX" + m + " RTMR1:" + Hex(1) + " RTMR1:" + Hex(2), "More than one RTMR1 defined"},
      {"TEE:TDX MRTD:" + std::string(64, 'a'), "MRTD must be 96 hex digits (SHA-384), got 64"},
      {"TEE:TDX MRTD:" + std::string(96, 'g'), "MRTD is not hexadecimal"},
      {"TEE:TDX" + m + " TDATTR:00", "TDATTR must be 16 hex digits"},
      {"TEE:TDX" + m + " SEC:secure", "SEC must be INSECURE, STALE or SECURE, got secure"},
      {"TEE:TDX" + m + " EXPIRE:PT1H", "Text cannot be parsed to a Period"},
      {m, "a TDX constraint starts with TEE:TDX"},
  };
  for (const auto& [text, message] : kMalformed) {
    EXPECT_THAT(TdConstraint::Parse(text),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(message)))
        << text;
    EXPECT_THAT(TdConstraint::Parse(text), ReasonIs("constraint_malformed")) << text;
  }
  EXPECT_THAT(
      TdConstraint::Parse("TEE:TDX RTMR0:" + Hex(1)),
      StatusIs(StatusCode::kFailedPrecondition, "A TDX constraint must name at least one MRTD."));
}

TEST(TdConstraintTest, ChecksEveryTermInOrder) {
  const TdInstanceInfo td = SampleTd();
  auto check = [&](const std::string& terms, const TdInstanceInfo& info = SampleTd()) {
    auto c = TdConstraint::Parse("TEE:TDX MRTD:" + Hex(0x11) + " " + terms);
    EXPECT_THAT(c, IsOk()) << terms;
    return c.ok() ? c->Check(info, kTdNow) : c.status();
  };
  EXPECT_THAT(check(""), IsOk());
  EXPECT_THAT(check("MRSEAM:" + Hex(0x40) + " RTMR0:" + Hex(0x20) + " RTMR1:" + Hex(0x21) +
                    " RTMR2:" + Hex(0x22) + " RTMR3:" + Hex(0x23) + " MRCONFIGID:" + Hex(0x30) +
                    " MROWNER:" + Hex(0x31) + " MROWNERCONFIG:" + Hex(0x32) +
                    " TDATTR:0000001000000000 XFAM:E702060000000000 SEC:SECURE EXPIRE:P2D"),
              IsOk());
  auto wrong_mrtd = TdConstraint::Parse("TEE:TDX MRTD:" + Hex(0x12) + " MRTD:" + Hex(0x13));
  EXPECT_THAT(wrong_mrtd->Check(td, kTdNow),
              StatusIs(StatusCode::kPermissionDenied,
                       "TD MRTD " + HexEncodeUpper(Fill(0x11)) +
                           " does not match any of the acceptable MRTDs (" +
                           HexEncodeUpper(Fill(0x12)) + ", " + HexEncodeUpper(Fill(0x13)) + ")."));
  EXPECT_THAT(wrong_mrtd->Check(td, kTdNow), ReasonIs("mrtd_mismatch"));
  EXPECT_THAT(check("MRSEAM:" + Hex(0x41)), ReasonIs("mrseam_mismatch"));
  EXPECT_THAT(check("RTMR3:" + Hex(0x22)),
              StatusIs(StatusCode::kPermissionDenied, "TD RTMR3 " + HexEncodeUpper(Fill(0x23)) +
                                                          " does not match the required " +
                                                          HexEncodeUpper(Fill(0x22)) + "."));
  EXPECT_THAT(check("RTMR0:" + Hex(0x21)), ReasonIs("rtmr_mismatch"));
  EXPECT_THAT(check("MRCONFIGID:" + Hex(0)), ReasonIs("mr_config_id_mismatch"));
  EXPECT_THAT(check("MROWNER:" + Hex(0)), ReasonIs("mr_owner_mismatch"));
  EXPECT_THAT(check("MROWNERCONFIG:" + Hex(0)), ReasonIs("mr_owner_config_mismatch"));
  EXPECT_THAT(check("TDATTR:0000000000000000"), ReasonIs("td_attributes_mismatch"));
  EXPECT_THAT(check("XFAM:E700060000000000"), ReasonIs("xfam_mismatch"));
  // First failure wins: MRTD before everything else.
  EXPECT_THAT(
      TdConstraint::Parse("TEE:TDX MRTD:" + Hex(0x12) + " RTMR0:" + Hex(0))->Check(td, kTdNow),
      ReasonIs("mrtd_mismatch"));
  EXPECT_THAT(check("EXPIRE:P1D"),
              StatusIs(StatusCode::kPermissionDenied,
                       "TD attestation data is out of date with an age that exceeds P1D."));
}

TEST(TdConstraintTest, ServiceTdsMustBeNamed) {
  TdInstanceInfo td = SampleTd();
  auto plain = *TdConstraint::Parse("TEE:TDX MRTD:" + Hex(0x11));
  td.tee_tcb_svn2 = td.tee_tcb_svn;
  td.mr_servicetd = Sha384Hash{};  // TD 1.5 without a service TD
  EXPECT_THAT(plain.Check(td, kTdNow), IsOk());
  td.mr_servicetd = Fill(0x77);
  EXPECT_THAT(plain.Check(td, kTdNow), ReasonIs("servicetd_mismatch"));
  auto named = *TdConstraint::Parse("TEE:TDX MRTD:" + Hex(0x11) + " MRSERVICETD:" + Hex(0x77));
  EXPECT_THAT(named.Check(td, kTdNow), IsOk());
  td.mr_servicetd = Fill(0x78);
  EXPECT_THAT(named.Check(td, kTdNow), ReasonIs("servicetd_mismatch"));
  EXPECT_THAT(named.Check(SampleTd(), kTdNow), ReasonIs("servicetd_mismatch"));  // TD 1.0
}

TEST(TdConstraintTest, DebugTdsAreRefusedUnlessInsecure) {
  TdInstanceInfo debug = SampleTd();
  debug.td_attributes[0] = 1;
  debug.mode = EnclaveMode::kDebug;
  debug.security.summary = SecuritySummary::kInsecure;
  const std::string m = "TEE:TDX MRTD:" + Hex(0x11);
  EXPECT_THAT(TdConstraint::Parse(m)->Check(debug, kTdNow),
              StatusIs(StatusCode::kPermissionDenied,
                       "TD has a security level of INSECURE which is lower than the required "
                       "level of STALE."));
  EXPECT_THAT(TdConstraint::Parse(m + " SEC:SECURE")->Check(debug, kTdNow),
              ReasonIs("security_level_too_low"));
  EXPECT_THAT(TdConstraint::Parse(m + " SEC:INSECURE")->Check(debug, kTdNow), IsOk());
  // SEC:INSECURE is exact, as in Conclave: it refuses a production TD.
  EXPECT_THAT(TdConstraint::Parse(m + " SEC:INSECURE")->Check(SampleTd(), kTdNow),
              ReasonIs("security_level_mismatch"));
  TdInstanceInfo stale = SampleTd();
  stale.security.summary = SecuritySummary::kStale;
  EXPECT_THAT(TdConstraint::Parse(m)->Check(stale, kTdNow), IsOk());
  EXPECT_THAT(TdConstraint::Parse(m + " SEC:SECURE")->Check(stale, kTdNow),
              ReasonIs("security_level_too_low"));
}

TEST(TeeConstraintTest, ConclaveStringsNeverMatchTdsAndTdxStringsNeverMatchEnclaves) {
  const TdInstanceInfo td = SampleTd();
  const EnclaveInstanceInfo enclave = SampleEnclave();
  // The same 0x11 bytes: a code hash that equals the first 32 bytes of the TD's MRTD.
  auto conclave = TeeConstraint::Parse("C:" + HexEncode(enclave.code_hash) + " SEC:INSECURE");
  ASSERT_THAT(conclave, IsOk());
  EXPECT_EQ(conclave->tee(), Tee::kSgx);
  ASSERT_NE(conclave->sgx(), nullptr);
  EXPECT_EQ(conclave->tdx(), nullptr);
  for (SecuritySummary s :
       {SecuritySummary::kInsecure, SecuritySummary::kStale, SecuritySummary::kSecure}) {
    TdInstanceInfo t = td;
    t.security.summary = s;
    EXPECT_THAT(conclave->Check(t, kTdNow), ReasonIs("constraint_tee_mismatch"));
  }
  auto tdx = TeeConstraint::Parse("TEE:TDX MRTD:" + Hex(0x11) + " SEC:INSECURE");
  ASSERT_THAT(tdx, IsOk());
  EXPECT_EQ(tdx->tee(), Tee::kTdx);
  EXPECT_THAT(tdx->Check(enclave, kTdNow),
              StatusIs(StatusCode::kPermissionDenied,
                       HasSubstr("names an Intel TDX trust domain (TEE:TDX) but the evidence is "
                                 "an SGX enclave")));
  EXPECT_THAT(tdx->Check(enclave, kTdNow), ReasonIs("constraint_tee_mismatch"));
  EXPECT_EQ(TeeOf(td), Tee::kTdx);
  EXPECT_EQ(TeeOf(enclave), Tee::kSgx);
  // Each matches its own kind.
  EXPECT_THAT(TeeConstraint::Parse("C:" + HexEncode(enclave.code_hash))->Check(enclave, kTdNow),
              IsOk());
  EXPECT_THAT(TeeConstraint::Parse("TEE:TDX MRTD:" + Hex(0x11))->Check(td, kTdNow), IsOk());
}

TEST(TeeConstraintTest, ConclaveStringsKeepTheirExactMeaningAndMessages) {
  for (const char* s : {"C:da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba26",
                        "S:da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba26 "
                        "PROD:1 REVOKE:2 SEC:SECURE EXPIRE:P6M2W5D",
                        "", "S:abc", "c:1", "PROD:1", "C:zz PROD:1 PROD:2"}) {
    auto ours = TeeConstraint::Parse(s);
    auto conclave = EnclaveConstraint::Parse(s);
    ASSERT_EQ(ours.ok(), conclave.ok()) << s;
    if (ours.ok()) {
      ASSERT_NE(ours->sgx(), nullptr);
      EXPECT_EQ(*ours->sgx(), *conclave) << s;
      EXPECT_EQ(ours->ToString(), conclave->ToString());
    } else {
      EXPECT_EQ(ours.status(), conclave.status()) << s;
    }
  }
  // A TDX term without TEE:TDX is a Conclave error with a hint.
  EXPECT_THAT(TeeConstraint::Parse("MRTD:" + Hex(1)),
              StatusIs(StatusCode::kInvalidArgument,
                       "Unknown keys [MRTD] (TDX terms: start a TDX constraint with TEE:TDX)"));
}

TEST(TdInstanceInfoTest, JsonRoundTripsAndIsReadStrictly) {
  TdInstanceInfo td = SampleTd();
  auto back = TdInstanceInfo::FromJson(td.ToJson());
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, td);
  td.tee_tcb_svn2 = td.tee_tcb_svn;
  td.mr_servicetd = Fill(0);
  back = TdInstanceInfo::FromJson(td.ToJson(2));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, td);

  auto replace = [](std::string json, const std::string& from, const std::string& to) {
    json.replace(json.find(from), from.size(), to);
    return json;
  };
  const std::string json = SampleTd().ToJson();
  EXPECT_THAT(json, HasSubstr(R"("tee":"TDX","mr_td":")"));
  EXPECT_THAT(json, HasSubstr(R"("debug":false,"mode":"RELEASE")"));
  const std::pair<std::string, std::string> kBad[] = {
      {replace(json, R"("tee":"TDX")", R"("tee":"SGX")"), "field \"tee\" must be \"TDX\""},
      {replace(json, R"("debug":false)", R"("debug":true)"), "field \"debug\" must be false"},
      {replace(json, R"("mode":"RELEASE")", R"("mode":"DEBUG")"), "field \"mode\""},
      {replace(json, R"("mode":"RELEASE")", R"("mode":"MOCK")"), "field \"mode\""},
      {replace(json, R"("mr_td":")", R"("mr_td":"00)"), "field \"mr_td\" must be a string of 96"},
      {replace(json, R"(,"tee_tcb_svn")", R"(,"tee_tcb_svn2":"00","tee_tcb_svn")"),
       "come together"},
      {replace(json, R"("rtmr2")", R"("rtmr9")"), "missing field \"rtmr2\""},
      {replace(json, R"({"tee")", R"({"xfam":"0000000000000000","tee")"), "duplicate key"},
      {"[]", "must be a JSON object"},
  };
  for (const auto& [text, message] : kBad) {
    EXPECT_THAT(TdInstanceInfo::FromJson(text),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(message)))
        << text;
    EXPECT_THAT(TdInstanceInfo::FromJson(text), ReasonIs("td_info_malformed"));
  }
  // A debug TD is DEBUG (or SIMULATION) and INSECURE.
  TdInstanceInfo debug = SampleTd();
  debug.td_attributes[0] = 1;
  debug.mode = EnclaveMode::kDebug;
  EXPECT_THAT(TdInstanceInfo::FromJson(debug.ToJson()), ReasonIs("td_info_malformed"));
  debug.security.summary = SecuritySummary::kInsecure;
  EXPECT_THAT(TdInstanceInfo::FromJson(debug.ToJson()), IsOk());
  // An EII document is not TD info, nor the reverse.
  EXPECT_FALSE(TdInstanceInfo::FromJson(SampleEnclave().ToJson()).ok());
  EXPECT_FALSE(EnclaveInstanceInfo::FromJson(SampleTd().ToJson()).ok());
}

}  // namespace
}  // namespace vouch

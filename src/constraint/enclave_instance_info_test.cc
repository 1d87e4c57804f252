// Tests of EnclaveInstanceInfo: the revocation-level rule, the mock helper, and the EII JSON
// writer and strict reader (docs/eii-json.md).
#include "vouch/constraint/enclave_instance_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "constraint/eii_json.h"
#include "testing/status_matchers.h"

namespace vouch {
namespace {

constexpr UnixSeconds kTimestamp = 1750330571;  // 2025-06-19T10:56:11Z

EnclaveInstanceInfo Sample() {
  EnclaveInstanceInfo info;
  for (size_t i = 0; i < 32; ++i) {
    info.code_hash[i] = static_cast<uint8_t>(0xa0 + i);
    info.code_signer[i] = static_cast<uint8_t>(i);
  }
  info.product_id = 1;
  info.isv_svn = 2;
  info.mode = EnclaveMode::kRelease;
  info.security.summary = SecuritySummary::kSecure;
  info.security.reason = "A signature of the ISV enclave QUOTE was verified correctly.";
  info.security.timestamp = kTimestamp;
  for (size_t i = 0; i < 64; ++i) info.report_data[i] = static_cast<uint8_t>(0xff - i);
  return info;
}

const char kSampleJson[] =
    R"({"code_hash":"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",)"
    R"("code_signer":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",)"
    R"("product_id":1,"isv_svn":2,"revocation_level":1,"mode":"RELEASE",)"
    R"("security":{"summary":"SECURE",)"
    R"("reason":"A signature of the ISV enclave QUOTE was verified correctly.",)"
    R"("timestamp":"2025-06-19T10:56:11Z"},)"
    R"("report_data":"fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0)"
    R"(dfdedddcdbdad9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0"})";

TEST(EnclaveInstanceInfoTest, RevocationLevelIsMaxOfIsvSvnMinusOneAndZero) {
  EnclaveInstanceInfo info;
  const std::pair<uint16_t, int32_t> kRows[] = {{0, 0}, {1, 0}, {2, 1}, {4, 3}, {65535, 65534}};
  for (auto [svn, level] : kRows) {
    info.isv_svn = svn;
    EXPECT_EQ(info.revocation_level(), level) << svn;
  }
}

// §11.4 E1: ISVPRODID 65535 and ISVSVN 65535 give product ID 65535, revocation level 65534.
TEST(EnclaveInstanceInfoTest, E1MaximalValues) {
  EnclaveInstanceInfo info = Sample();
  info.product_id = 65535;
  info.isv_svn = 65535;
  EXPECT_EQ(info.product_id, 65535);
  EXPECT_EQ(info.revocation_level(), 65534);
  auto back = EnclaveInstanceInfo::FromJson(info.ToJson());
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->revocation_level(), 65534);
  EXPECT_THAT(info.ToJson(), HasSubstr(R"("product_id":65535,"isv_svn":65535,)"
                                       R"("revocation_level":65534)"));
}

TEST(EnclaveInstanceInfoTest, EnumNames) {
  EXPECT_EQ(SecuritySummaryName(SecuritySummary::kInsecure), "INSECURE");
  EXPECT_EQ(SecuritySummaryName(SecuritySummary::kStale), "STALE");
  EXPECT_EQ(SecuritySummaryName(SecuritySummary::kSecure), "SECURE");
  EXPECT_EQ(SecuritySummaryFromName("STALE"), SecuritySummary::kStale);
  EXPECT_EQ(SecuritySummaryFromName("stale"), std::nullopt);
  EXPECT_EQ(SecuritySummaryFromName(" STALE"), std::nullopt);
  EXPECT_EQ(EnclaveModeName(EnclaveMode::kRelease), "RELEASE");
  EXPECT_EQ(EnclaveModeName(EnclaveMode::kDebug), "DEBUG");
  EXPECT_EQ(EnclaveModeName(EnclaveMode::kSimulation), "SIMULATION");
  EXPECT_EQ(EnclaveModeName(EnclaveMode::kMock), "MOCK");
  EXPECT_EQ(EnclaveModeFromName("MOCK"), EnclaveMode::kMock);
  EXPECT_EQ(EnclaveModeFromName("Mock"), std::nullopt);
}

TEST(EnclaveInstanceInfoTest, MockDefaults) {
  Sha256Hash code{};
  code.fill(7);
  auto mock = EnclaveInstanceInfo::Mock({.code_hash = code, .timestamp = kTimestamp});
  ASSERT_THAT(mock, IsOk());
  EXPECT_EQ(mock->code_hash, code);
  EXPECT_EQ(mock->code_signer, Sha256Hash{});
  EXPECT_EQ(mock->product_id, 1);
  EXPECT_EQ(mock->isv_svn, 1);
  EXPECT_EQ(mock->revocation_level(), 0);
  EXPECT_EQ(mock->mode, EnclaveMode::kMock);
  EXPECT_EQ(mock->security.summary, SecuritySummary::kInsecure);
  EXPECT_EQ(mock->security.reason, "Enclave is running in mock mode.");
  EXPECT_EQ(mock->security.timestamp, kTimestamp);
  EXPECT_FALSE(mock->cpu_svn.has_value());

  auto sim =
      EnclaveInstanceInfo::Mock({.product_id = 12, .revocation_level = 65534, .simulation = true});
  ASSERT_THAT(sim, IsOk());
  EXPECT_EQ(sim->mode, EnclaveMode::kSimulation);
  EXPECT_EQ(sim->security.reason, "Enclave is running in simulation mode.");
  EXPECT_EQ(sim->isv_svn, 65535);
  EXPECT_EQ(sim->product_id, 12);

  EXPECT_THAT(EnclaveInstanceInfo::Mock({.revocation_level = 65535}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(EnclaveInstanceInfo::Mock({.revocation_level = -1}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(EnclaveInstanceInfo::Mock({.product_id = 65536}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(EnclaveInstanceInfo::Mock({.product_id = -1}),
              StatusIs(StatusCode::kInvalidArgument));
}

// ---- Writer ----

TEST(EiiJsonTest, WritesTheDocumentedForm) { EXPECT_EQ(Sample().ToJson(), kSampleJson); }

TEST(EiiJsonTest, WritesCpuSvnLast) {
  EnclaveInstanceInfo info = Sample();
  info.cpu_svn.emplace();
  info.cpu_svn->fill(0xAB);
  std::string json = info.ToJson();
  std::string expected = kSampleJson;
  expected.pop_back();
  expected += R"(,"cpu_svn":"abababababababababababababababab"})";
  EXPECT_EQ(json, expected);
}

TEST(EiiJsonTest, PrettyPrints) {
  std::string pretty = Sample().ToJson(2);
  EXPECT_THAT(pretty, HasSubstr("\n  \"code_hash\": \""));
  EXPECT_THAT(pretty, HasSubstr("\n    \"summary\": \"SECURE\""));
  auto back = EnclaveInstanceInfo::FromJson(pretty);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, Sample());
}

TEST(EiiJsonTest, InvalidUtf8ReasonIsReplacedNotThrown) {
  EnclaveInstanceInfo info = Sample();
  info.security.reason = "bad \xff byte";
  std::string json = info.ToJson();
  EXPECT_THAT(json, HasSubstr("bad \xef\xbf\xbd byte"));
  EXPECT_THAT(EnclaveInstanceInfo::FromJson(json), IsOk());
}

TEST(EiiJsonTest, ValueApiMatchesStringApi) {
  nlohmann::ordered_json value = internal::EiiToJsonValue(Sample());
  EXPECT_EQ(value.dump(), kSampleJson);
  auto from_ordered = internal::EiiFromJsonValue(value);
  ASSERT_THAT(from_ordered, IsOk());
  EXPECT_EQ(*from_ordered, Sample());
  auto from_plain = internal::EiiFromJsonValue(nlohmann::json::parse(kSampleJson));
  ASSERT_THAT(from_plain, IsOk());
  EXPECT_EQ(*from_plain, Sample());
  EXPECT_THAT(internal::EiiFromJsonValue(nlohmann::json::array()),
              StatusIs(StatusCode::kInvalidArgument));
}

// ---- Reader: accepted inputs ----

TEST(EiiJsonTest, RoundTrips) {
  auto back = EnclaveInstanceInfo::FromJson(kSampleJson);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, Sample());
  EXPECT_EQ(back->ToJson(), kSampleJson);

  EnclaveInstanceInfo info = Sample();
  info.cpu_svn.emplace();
  info.cpu_svn->fill(3);
  info.mode = EnclaveMode::kDebug;
  info.security.summary = SecuritySummary::kInsecure;
  info.security.reason = "Unicode \xe2\x9c\x93, quote \", newline \n, NUL " + std::string(1, '\0');
  info.security.timestamp = 0;
  auto again = EnclaveInstanceInfo::FromJson(info.ToJson());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, info);
}

// Replaces the first occurrence of `from` in `json`.
std::string Replace(std::string json, std::string_view from, std::string_view to) {
  size_t pos = json.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) json.replace(pos, from.size(), to);
  return json;
}

// The sample document with the first occurrence of `from` replaced.
std::string SampleWith(std::string_view from, std::string_view to) {
  return Replace(kSampleJson, from, to);
}

TEST(EiiJsonTest, AcceptsUpperCaseHex) {
  std::string json =
      SampleWith("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
  json = Replace(json, "fffefdfc", "FFFEFDFC");
  json = Replace(json, "0a0b0c0d0e0f", "0A0B0C0D0E0F");
  auto info = EnclaveInstanceInfo::FromJson(json);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(*info, Sample());
}

TEST(EiiJsonTest, AcceptsUnknownFieldsAndAnyOrder) {
  std::string json = R"({"extra":{"nested":[1,2,{"x":null}]},)" + std::string(kSampleJson + 1);
  json = Replace(json, R"("summary":"SECURE",)", R"("summary":"SECURE","tcb_status":"UpToDate",)");
  auto info = EnclaveInstanceInfo::FromJson(json);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(*info, Sample());

  auto reordered = EnclaveInstanceInfo::FromJson(
      R"({"report_data":")" + std::string(128, '0') +
      R"(","security":{"timestamp":"1970-01-01T00:00:00Z","reason":"","summary":"STALE"},)"
      R"("mode":"MOCK","revocation_level":0,"isv_svn":0,"product_id":0,"code_signer":")" +
      std::string(64, '0') + R"(","code_hash":")" + std::string(64, '1') + R"(","more":true})");
  ASSERT_THAT(reordered, IsOk());
  EXPECT_EQ(reordered->isv_svn, 0);
  EXPECT_EQ(reordered->revocation_level(), 0);
  EXPECT_EQ(reordered->mode, EnclaveMode::kMock);
  EXPECT_EQ(reordered->security.summary, SecuritySummary::kStale);
}

TEST(EiiJsonTest, TimestampIsNormalisedToUtc) {
  auto info = EnclaveInstanceInfo::FromJson(
      SampleWith("2025-06-19T10:56:11Z", "2025-06-19T12:56:11.75+02:00"));
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->security.timestamp, kTimestamp);
  EXPECT_EQ(info->ToJson(), kSampleJson);
  // Range ends.
  EXPECT_THAT(
      EnclaveInstanceInfo::FromJson(SampleWith("2025-06-19T10:56:11Z", "0000-01-01T00:00:00Z")),
      IsOk());
  EXPECT_THAT(
      EnclaveInstanceInfo::FromJson(SampleWith("2025-06-19T10:56:11Z", "9999-12-31T23:59:59Z")),
      IsOk());
}

TEST(EiiJsonTest, IsvSvnZeroHasRevocationLevelZero) {
  auto info = EnclaveInstanceInfo::FromJson(
      SampleWith(R"("isv_svn":2,"revocation_level":1)", R"("isv_svn":0,"revocation_level":0)"));
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->isv_svn, 0);
  EXPECT_EQ(info->revocation_level(), 0);
  EXPECT_THAT(info->ToJson(), HasSubstr(R"("isv_svn":0,"revocation_level":0)"));
}

// ---- Reader: rejected inputs ----

struct BadJsonCase {
  const char* id;
  std::string json;
  std::string message_part;  // must appear in the message (names the field)
};

void PrintTo(const BadJsonCase& c, std::ostream* os) { *os << c.id; }

class EiiJsonRejectTest : public ::testing::TestWithParam<BadJsonCase> {};

TEST_P(EiiJsonRejectTest, Rejects) {
  auto info = EnclaveInstanceInfo::FromJson(GetParam().json);
  EXPECT_THAT(info, StatusIs(StatusCode::kInvalidArgument, HasSubstr(GetParam().message_part)));
  EXPECT_THAT(info, StatusIs(StatusCode::kInvalidArgument, ::testing::StartsWith("EII JSON: ")));
  EXPECT_THAT(info, ReasonIs("eii_malformed"));
}

std::string Without(std::string_view field_and_value) { return SampleWith(field_and_value, ""); }

const std::string kHex64(64, 'a');

INSTANTIATE_TEST_SUITE_P(
    Syntax, EiiJsonRejectTest,
    ::testing::Values(
        BadJsonCase{"Empty", "", "parse error"}, BadJsonCase{"Garbage", "not json", "parse error"},
        BadJsonCase{"Truncated", std::string(kSampleJson).substr(0, 100), "parse error"},
        BadJsonCase{"TrailingGarbage", std::string(kSampleJson) + "x", "parse error"},
        BadJsonCase{"TwoDocuments", std::string(kSampleJson) + kSampleJson, "parse error"},
        BadJsonCase{"InvalidUtf8", SampleWith("A signature", "A \xff signature"), "parse error"},
        BadJsonCase{"Array", "[]", "must be a JSON object"},
        BadJsonCase{"String", "\"x\"", "must be a JSON object"},
        BadJsonCase{"Number", "1", "must be a JSON object"},
        BadJsonCase{"Null", "null", "must be a JSON object"},
        BadJsonCase{"DuplicateTopLevelKey",
                    SampleWith(R"("product_id":1,)", R"("product_id":1,"product_id":2,)"),
                    "duplicate key \"product_id\""},
        BadJsonCase{
            "DuplicateNestedKey",
            SampleWith(R"("summary":"SECURE",)", R"("summary":"INSECURE","summary":"SECURE",)"),
            "duplicate key \"summary\""},
        BadJsonCase{"DuplicateKeyInExtraField",
                    SampleWith(R"("mode":"RELEASE",)", R"("mode":"RELEASE","x":{"a":1,"a":1},)"),
                    "duplicate key \"a\""},
        BadJsonCase{"TooDeep",
                    SampleWith(R"("mode":"RELEASE",)",
                               "\"mode\":\"RELEASE\",\"x\":" + std::string(40, '[') +
                                   std::string(40, ']') + ","),
                    "nested deeper than"}),
    [](const auto& p) { return std::string(p.param.id); });

INSTANTIATE_TEST_SUITE_P(
    MissingFields, EiiJsonRejectTest,
    ::testing::Values(
        BadJsonCase{
            "CodeHash",
            Without(
                R"("code_hash":"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",)"),
            "missing field \"code_hash\""},
        BadJsonCase{
            "CodeSigner",
            Without(
                R"("code_signer":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",)"),
            "missing field \"code_signer\""},
        BadJsonCase{"ProductId", Without(R"("product_id":1,)"), "missing field \"product_id\""},
        BadJsonCase{"IsvSvn", Without(R"("isv_svn":2,)"), "missing field \"isv_svn\""},
        BadJsonCase{"RevocationLevel", Without(R"("revocation_level":1,)"),
                    "missing field \"revocation_level\""},
        BadJsonCase{"Mode", Without(R"("mode":"RELEASE",)"), "missing field \"mode\""},
        BadJsonCase{"Security", SampleWith(R"("security":{)", R"("x":{)"),
                    "missing field \"security\""},
        BadJsonCase{"Summary", Without(R"("summary":"SECURE",)"),
                    "missing field \"security.summary\""},
        BadJsonCase{
            "Reason",
            Without(R"("reason":"A signature of the ISV enclave QUOTE was verified correctly.",)"),
            "missing field \"security.reason\""},
        BadJsonCase{"Timestamp", SampleWith(R"(,"timestamp":"2025-06-19T10:56:11Z")", ""),
                    "missing field \"security.timestamp\""},
        BadJsonCase{"ReportData", SampleWith(R"(,"report_data")", R"(,"x")"),
                    "missing field \"report_data\""},
        BadJsonCase{"EmptyObject", "{}", "missing field \"code_hash\""}),
    [](const auto& p) { return std::string(p.param.id); });

INSTANTIATE_TEST_SUITE_P(
    BadValues, EiiJsonRejectTest,
    ::testing::Values(
        BadJsonCase{"CodeHashNotString", SampleWith(R"("code_hash":")", R"("code_hash":1,"x":")"),
                    "field \"code_hash\" must be a string of 64 hex digits"},
        BadJsonCase{"CodeHashShort", SampleWith("a0a1a2", "a0a1"), "field \"code_hash\""},
        BadJsonCase{"CodeHashLong", SampleWith("a0a1a2", "a0a1a2a3"), "field \"code_hash\""},
        BadJsonCase{"CodeHashNonHex", SampleWith("a0a1a2", "a0g1a2"), "field \"code_hash\""},
        BadJsonCase{"CodeHashPrefixed", SampleWith("a0a1a2", "0xa2"), "field \"code_hash\""},
        BadJsonCase{"CodeSignerNonHex", SampleWith("00010203", "0001020 "),
                    "field \"code_signer\""},
        BadJsonCase{"ProductIdNegative", SampleWith(R"("product_id":1)", R"("product_id":-1)"),
                    "field \"product_id\" must be an integer in 0..65535"},
        BadJsonCase{"ProductIdTooLarge", SampleWith(R"("product_id":1)", R"("product_id":65536)"),
                    "field \"product_id\""},
        BadJsonCase{"ProductIdHuge",
                    SampleWith(R"("product_id":1)", R"("product_id":18446744073709551616)"),
                    "field \"product_id\""},
        BadJsonCase{"ProductIdFloat", SampleWith(R"("product_id":1)", R"("product_id":1.0)"),
                    "field \"product_id\""},
        BadJsonCase{"ProductIdExponent", SampleWith(R"("product_id":1)", R"("product_id":1e0)"),
                    "field \"product_id\""},
        BadJsonCase{"ProductIdString", SampleWith(R"("product_id":1)", R"("product_id":"1")"),
                    "field \"product_id\""},
        BadJsonCase{"ProductIdBool", SampleWith(R"("product_id":1)", R"("product_id":true)"),
                    "field \"product_id\""},
        BadJsonCase{"ProductIdNull", SampleWith(R"("product_id":1)", R"("product_id":null)"),
                    "field \"product_id\""},
        BadJsonCase{"IsvSvnTooLarge", SampleWith(R"("isv_svn":2)", R"("isv_svn":65536)"),
                    "field \"isv_svn\" must be an integer in 0..65535"},
        BadJsonCase{"IsvSvnNegative", SampleWith(R"("isv_svn":2)", R"("isv_svn":-1)"),
                    "field \"isv_svn\""},
        BadJsonCase{"RevocationDisagrees",
                    SampleWith(R"("revocation_level":1)", R"("revocation_level":2)"),
                    "field \"revocation_level\" is 2 but isv_svn 2 gives max(isv_svn - 1, 0) = "
                    "1"},
        BadJsonCase{"RevocationMinusOne",
                    SampleWith(R"("isv_svn":2,"revocation_level":1)",
                               R"("isv_svn":0,"revocation_level":-1)"),
                    "field \"revocation_level\" must be an integer in 0..65534"},
        BadJsonCase{"RevocationForIsvSvnZero",
                    SampleWith(R"("isv_svn":2,"revocation_level":1)",
                               R"("isv_svn":0,"revocation_level":1)"),
                    "field \"revocation_level\" is 1 but isv_svn 0"},
        BadJsonCase{"RevocationString",
                    SampleWith(R"("revocation_level":1)", R"("revocation_level":"1")"),
                    "field \"revocation_level\""},
        BadJsonCase{"ModeLowerCase", SampleWith(R"("RELEASE")", R"("release")"),
                    "field \"mode\" must be one of"},
        BadJsonCase{"ModeUnknown", SampleWith(R"("RELEASE")", R"("PRODUCTION")"), "field \"mode\""},
        BadJsonCase{"ModeNumber", SampleWith(R"("RELEASE")", "0"), "field \"mode\""},
        BadJsonCase{"SecurityNotObject", SampleWith(R"("security":{)", R"("security":[],"x":{)"),
                    "field \"security\" must be an object"},
        BadJsonCase{"SummaryLowerCase", SampleWith(R"("SECURE")", R"("secure")"),
                    "field \"security.summary\" must be one of"},
        BadJsonCase{"SummaryPadded", SampleWith(R"("SECURE")", R"(" SECURE")"),
                    "field \"security.summary\""},
        BadJsonCase{"ReasonNotString",
                    SampleWith(R"("reason":"A signature)", R"("reason":null,"x":"A signature)"),
                    "field \"security.reason\" must be a string"},
        BadJsonCase{"TimestampNumber", SampleWith(R"("2025-06-19T10:56:11Z")", "1750330571"),
                    "field \"security.timestamp\" must be a string"},
        BadJsonCase{"TimestampDateOnly", SampleWith("2025-06-19T10:56:11Z", "2025-06-19"),
                    "field \"security.timestamp\" must be an RFC 3339 timestamp"},
        BadJsonCase{"TimestampNoZone", SampleWith("2025-06-19T10:56:11Z", "2025-06-19T10:56:11"),
                    "field \"security.timestamp\""},
        BadJsonCase{"TimestampBadDay", SampleWith("2025-06-19T10:56:11Z", "2025-02-29T10:56:11Z"),
                    "field \"security.timestamp\""},
        BadJsonCase{"TimestampBeforeYearZero",
                    SampleWith("2025-06-19T10:56:11Z", "0000-01-01T00:00:00+00:01"),
                    "field \"security.timestamp\" must lie in the years 0000..9999"},
        BadJsonCase{"TimestampAfterYear9999",
                    SampleWith("2025-06-19T10:56:11Z", "9999-12-31T23:59:59-00:01"),
                    "field \"security.timestamp\" must lie in the years 0000..9999"},
        BadJsonCase{"ReportDataShort", SampleWith("fffefdfc", "fffefd"),
                    "field \"report_data\" must be a string of 128 hex digits"},
        BadJsonCase{"ReportDataNull",
                    SampleWith(R"("report_data":")", R"("report_data":null,"x":")"),
                    "field \"report_data\""},
        BadJsonCase{"CpuSvnShort", SampleWith(R"("mode":)", R"("cpu_svn":"abab","mode":)"),
                    "field \"cpu_svn\" must be a string of 32 hex digits"},
        BadJsonCase{"CpuSvnNull", SampleWith(R"("mode":)", R"("cpu_svn":null,"mode":)"),
                    "field \"cpu_svn\""}),
    [](const auto& p) { return std::string(p.param.id); });

}  // namespace
}  // namespace vouch

// Tests of the constraint DSL: every row of spec/constraint-dsl.md §11.1-§11.3, §11.5 and
// §11.6, the §6.3 matrix, the canonical form, the builder setters and the EXPIRE arithmetic.
#include "vouch/constraint/constraint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"

namespace vouch {
namespace {

using ::testing::StartsWith;

// §11 notation.
constexpr char kH[] = "da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba26";
constexpr char kHUpper[] = "DA78B28564FE5A9B4F5912901F068F9F94483006BC53E10AB93DBB97675EBA26";
const std::string kZ64(64, '0');

// 2025-06-19T10:56:11Z, the pinned verification time.
constexpr UnixSeconds kNow = 1750330571;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

Sha256Hash HashOf(uint8_t fill) {
  Sha256Hash h;
  h.fill(fill);
  return h;
}

std::string Hex(const Sha256Hash& h) { return HexEncodeUpper(h); }

// Test enclave of §11.3: code hash X, signer K, product ID 10, revocation level 3, STALE,
// timestamp now, mode SIMULATION.
const Sha256Hash kX = HashOf(0x5a);
const Sha256Hash kK = HashOf(0x6b);
const Sha256Hash kR = HashOf(0x1c);
const Sha256Hash kR2 = HashOf(0x2d);

EnclaveInstanceInfo DefaultEnclave() {
  EnclaveInstanceInfo info;
  info.code_hash = kX;
  info.code_signer = kK;
  info.product_id = 10;
  info.isv_svn = 4;  // revocation level 3
  info.mode = EnclaveMode::kSimulation;
  info.security.summary = SecuritySummary::kStale;
  info.security.reason = "test";
  info.security.timestamp = kNow;
  return info;
}

EnclaveInstanceInfo WithSummary(SecuritySummary s) {
  EnclaveInstanceInfo info = DefaultEnclave();
  info.security.summary = s;
  return info;
}

EnclaveConstraint MustParse(std::string_view s, bool check_validity = true) {
  auto c = EnclaveConstraint::Parse(s, check_validity);
  EXPECT_THAT(c, IsOk()) << s;
  return c.ok() ? *c : EnclaveConstraint();
}

// ---------------------------------------------------------------------------------------------
// Parser conformance (§11.1, §11.5 and extra derived cases).

struct ParseCase {
  const char* id;
  std::string input;
  StatusCode code;       // kOk, kInvalidArgument (IAE) or kFailedPrecondition (ISE)
  std::string expected;  // canonical form when kOk, else the exact message
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.id; }

class ParseConformanceTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseConformanceTest, MatchesSpec) {
  const ParseCase& c = GetParam();
  auto parsed = EnclaveConstraint::Parse(c.input);
  if (c.code == StatusCode::kOk) {
    ASSERT_THAT(parsed, IsOk()) << c.input;
    EXPECT_EQ(parsed->ToString(), c.expected);
    // Invariant of every upstream parse test: parse(toString(c)) == c.
    auto again = EnclaveConstraint::Parse(parsed->ToString());
    ASSERT_THAT(again, IsOk());
    EXPECT_EQ(*again, *parsed);
    EXPECT_EQ(again->ToString(), c.expected);
  } else {
    EXPECT_THAT(parsed, StatusIs(c.code, c.expected)) << c.input;
    EXPECT_THAT(parsed, ReasonIs(c.code == StatusCode::kInvalidArgument ? "constraint_malformed"
                                                                        : "constraint_invalid"));
  }
}

const std::string kCH = std::string("C:") + kHUpper;
const std::string kSH = std::string("S:") + kHUpper;

INSTANTIATE_TEST_SUITE_P(
    UpstreamParse, ParseConformanceTest,
    ::testing::Values(
        ParseCase{"P2", std::string("C:") + kH, StatusCode::kOk, kCH + " SEC:STALE"},
        ParseCase{"P3", std::string("PROD:10 S:") + kH, StatusCode::kOk,
                  kSH + " PROD:10 SEC:STALE"},
        ParseCase{"P4",
                  "C:da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba26 "
                  "S:edd5c98fcb260633a6e6abd0aaa59c07aee6e2492fe22fb89413edd875edf27a "
                  "C:0f738309dee76fcd9ad1b50f1c208ad3b1d2c8a62059c410b4806a88451c66ee "
                  "S:f77e0720c4dd119395e195223908d0e98baeca678bf9af8cabea2cc5278dac8d PROD:3123",
                  StatusCode::kOk,
                  "C:0F738309DEE76FCD9AD1B50F1C208AD3B1D2C8A62059C410B4806A88451C66EE "
                  "C:DA78B28564FE5A9B4F5912901F068F9F94483006BC53E10AB93DBB97675EBA26 "
                  "S:EDD5C98FCB260633A6E6ABD0AAA59C07AEE6E2492FE22FB89413EDD875EDF27A "
                  "S:F77E0720C4DD119395E195223908D0E98BAECA678BF9AF8CABEA2CC5278DAC8D "
                  "PROD:3123 SEC:STALE"},
        ParseCase{"P5", std::string("REVOKE:3 C:") + kH, StatusCode::kOk,
                  kCH + " REVOKE:3 SEC:STALE"},
        ParseCase{"P6", std::string("SEC:SECURE C:") + kH, StatusCode::kOk, kCH + " SEC:SECURE"},
        ParseCase{"P7", std::string("EXPIRE:P2M3W4D C:") + kH, StatusCode::kOk,
                  kCH + " EXPIRE:P2M25D SEC:STALE"},
        ParseCase{"P8", std::string("C:") + kH + "  SEC:SECURE", StatusCode::kOk,
                  kCH + " SEC:SECURE"},
        ParseCase{"P9", "", StatusCode::kFailedPrecondition,
                  "Either a code hash or a code signer must be provided."},
        ParseCase{"P10", std::string("S:") + kH, StatusCode::kFailedPrecondition,
                  "A product ID must be provided with a code signer."},
        ParseCase{"P11", std::string("C:") + kH + " PROD:9001", StatusCode::kFailedPrecondition,
                  "A code signer must be provided with a product ID."}),
    [](const auto& p) { return std::string(p.param.id); });

INSTANTIATE_TEST_SUITE_P(
    DerivedParse, ParseConformanceTest,
    ::testing::Values(
        ParseCase{"DP1", "   ", StatusCode::kFailedPrecondition,
                  "Either a code hash or a code signer must be provided."},
        ParseCase{"DP2", std::string("c:") + kH, StatusCode::kInvalidArgument, "Unknown keys [c]"},
        ParseCase{"DP3", std::string("C:") + kHUpper, StatusCode::kOk, kCH + " SEC:STALE"},
        ParseCase{"DP4", std::string(" C:") + kH + " ", StatusCode::kOk, kCH + " SEC:STALE"},
        ParseCase{"DP5", std::string("C:") + kH + "\tSEC:SECURE", StatusCode::kInvalidArgument,
                  std::string("Invalid token: C:") + kH + "\tSEC:SECURE"},
        ParseCase{"DP6", std::string("C:") + kH + " SEC:SECURE\n", StatusCode::kInvalidArgument,
                  "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.SECURE\n"},
        ParseCase{"DP7", "C", StatusCode::kInvalidArgument, "Invalid token: C"},
        ParseCase{"DP8", "C:", StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: "},
        ParseCase{"DP9", std::string("C:") + kH + ":", StatusCode::kInvalidArgument,
                  std::string("Invalid token: C:") + kH + ":"},
        ParseCase{"DP10", ":", StatusCode::kInvalidArgument, "Unknown keys []"},
        ParseCase{"DP11", "C:da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba2",
                  StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: "
                  "da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba2"},
        ParseCase{"DP12", "C:da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675ebazz",
                  StatusCode::kInvalidArgument,
                  "contains illegal character for hexBinary: "
                  "DA78B28564FE5A9B4F5912901F068F9F94483006BC53E10AB93DBB97675EBAZZ"},
        ParseCase{"DP13", "C:" + Repeat("ab", 64), StatusCode::kOk,
                  "C:" + Repeat("AB", 64) + " SEC:STALE"},
        ParseCase{"DP14", "PROD:1", StatusCode::kFailedPrecondition,
                  "Either a code hash or a code signer must be provided."},
        ParseCase{"DP15", std::string("C:") + kH + " S:" + kZ64 + " PROD:1", StatusCode::kOk,
                  kCH + " S:" + kZ64 + " PROD:1 SEC:STALE"},
        ParseCase{"DP16", std::string("S:") + kH + " PROD:0", StatusCode::kOk,
                  kSH + " PROD:0 SEC:STALE"},
        ParseCase{"DP17", std::string("S:") + kH + " PROD:65535", StatusCode::kOk,
                  kSH + " PROD:65535 SEC:STALE"},
        ParseCase{"DP18", std::string("S:") + kH + " PROD:65536", StatusCode::kInvalidArgument,
                  "Product ID is not a 16-bit number."},
        ParseCase{"DP19", std::string("S:") + kH + " PROD:-1", StatusCode::kInvalidArgument,
                  "Product ID is negative."},
        ParseCase{"DP20", std::string("S:") + kH + " PROD:+7", StatusCode::kOk,
                  kSH + " PROD:7 SEC:STALE"},
        ParseCase{"DP21", std::string("S:") + kH + " PROD:1 PROD:1", StatusCode::kInvalidArgument,
                  "More than one PROD defined"},
        ParseCase{"DP22", std::string("S:") + kH + " PROD:x", StatusCode::kInvalidArgument,
                  "For input string: \"x\""},
        ParseCase{"DP23", std::string("S:") + kH + " PROD:", StatusCode::kInvalidArgument,
                  "For input string: \"\""},
        ParseCase{"DP24", std::string("C:") + kH + " REVOKE:-1", StatusCode::kInvalidArgument,
                  "Min revocation level is negative."},
        ParseCase{"DP25", std::string("C:") + kH + " REVOKE:70000", StatusCode::kOk,
                  kCH + " REVOKE:70000 SEC:STALE"},
        ParseCase{"DP26", std::string("C:") + kH + " REVOKE:1 REVOKE:2",
                  StatusCode::kInvalidArgument, "More than one REVOKE defined"},
        ParseCase{"DP27", std::string("C:") + kH + " SEC:secure", StatusCode::kInvalidArgument,
                  "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.secure"},
        ParseCase{"DP28", std::string("C:") + kH + " SEC:", StatusCode::kInvalidArgument,
                  "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary."},
        ParseCase{"DP29", std::string("C:") + kH + " SEC:STALE SEC:STALE",
                  StatusCode::kInvalidArgument, "More than one SEC defined"},
        ParseCase{"DP30", std::string("C:") + kH + " EXPIRE:P6M2W5D", StatusCode::kOk,
                  kCH + " EXPIRE:P6M19D SEC:STALE"},
        ParseCase{"DP31", std::string("C:") + kH + " EXPIRE:p1y", StatusCode::kOk,
                  kCH + " EXPIRE:P1Y SEC:STALE"},
        ParseCase{"DP32", std::string("C:") + kH + " EXPIRE:PT1H", StatusCode::kInvalidArgument,
                  "Text cannot be parsed to a Period"},
        ParseCase{"DP33", std::string("C:") + kH + " EXPIRE:P", StatusCode::kInvalidArgument,
                  "Text cannot be parsed to a Period"},
        ParseCase{"DP34", std::string("C:") + kH + " EXPIRE:P-1D", StatusCode::kOk,
                  kCH + " EXPIRE:P-1D SEC:STALE"},
        ParseCase{"DP35", std::string("C:") + kH + " FOO:1 BAR:2", StatusCode::kInvalidArgument,
                  "Unknown keys [FOO, BAR]"},
        ParseCase{"DP36", "FOO:1 C", StatusCode::kInvalidArgument, "Invalid token: C"},
        ParseCase{"DP37", "C:zz PROD:1 PROD:2", StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: zz"}),
    [](const auto& p) { return std::string(p.param.id); });

// Cases beyond the spec's tables, derived from the same rules.
INSTANTIATE_TEST_SUITE_P(
    MoreParse, ParseConformanceTest,
    ::testing::Values(
        ParseCase{"IntOverflow", std::string("S:") + kH + " PROD:99999999999",
                  StatusCode::kInvalidArgument, "For input string: \"99999999999\""},
        ParseCase{"IntJustOverflow", std::string("S:") + kH + " PROD:2147483648",
                  StatusCode::kInvalidArgument, "For input string: \"2147483648\""},
        ParseCase{"IntMin", std::string("S:") + kH + " PROD:-2147483648",
                  StatusCode::kInvalidArgument, "Product ID is negative."},
        ParseCase{"IntBelowMin", std::string("S:") + kH + " PROD:-2147483649",
                  StatusCode::kInvalidArgument, "For input string: \"-2147483649\""},
        ParseCase{"IntSignOnly", std::string("S:") + kH + " PROD:+", StatusCode::kInvalidArgument,
                  "For input string: \"+\""},
        ParseCase{"IntMinusOnly", std::string("S:") + kH + " PROD:-", StatusCode::kInvalidArgument,
                  "For input string: \"-\""},
        ParseCase{"IntDoubleSign", std::string("S:") + kH + " PROD:+-1",
                  StatusCode::kInvalidArgument, "For input string: \"+-1\""},
        ParseCase{"IntDecimal", std::string("S:") + kH + " PROD:1.0", StatusCode::kInvalidArgument,
                  "For input string: \"1.0\""},
        ParseCase{"IntHex", std::string("S:") + kH + " PROD:0x10", StatusCode::kInvalidArgument,
                  "For input string: \"0x10\""},
        ParseCase{"IntNonAsciiDigit", std::string("S:") + kH + " PROD:\xd9\xa1",
                  StatusCode::kInvalidArgument, "For input string: \"\xd9\xa1\""},
        ParseCase{"IntLeadingZeros", std::string("S:") + kH + " PROD:007", StatusCode::kOk,
                  kSH + " PROD:7 SEC:STALE"},
        ParseCase{"RevokeMax", std::string("C:") + kH + " REVOKE:2147483647", StatusCode::kOk,
                  kCH + " REVOKE:2147483647 SEC:STALE"},
        ParseCase{"RevokeOverflow", std::string("C:") + kH + " REVOKE:2147483648",
                  StatusCode::kInvalidArgument, "For input string: \"2147483648\""},
        ParseCase{"SpaceInsideValueIsSeparator", std::string("S:") + kH + " PROD: 1",
                  StatusCode::kInvalidArgument, "Invalid token: 1"},
        ParseCase{"NbspIsNotSeparator", std::string("C:") + kH + "\xc2\xa0SEC:SECURE",
                  StatusCode::kInvalidArgument,
                  std::string("Invalid token: C:") + kH + "\xc2\xa0SEC:SECURE"},
        ParseCase{"CrIsNotSeparator", std::string("C:") + kH + " SEC:STALE\r",
                  StatusCode::kInvalidArgument,
                  "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.STALE\r"},
        ParseCase{"EmptyKeyAndOthers", ": FOO:1 :x FOO:2", StatusCode::kInvalidArgument,
                  "Unknown keys [, FOO]"},
        ParseCase{"KeysAreCaseSensitive", std::string("C:") + kH + " Sec:SECURE",
                  StatusCode::kInvalidArgument, "Unknown keys [Sec]"},
        ParseCase{"InvalidTokenBeforeUnknownKey", "FOO:1 BAR", StatusCode::kInvalidArgument,
                  "Invalid token: BAR"},
        ParseCase{"FirstInvalidTokenWins", "a b", StatusCode::kInvalidArgument, "Invalid token: a"},
        ParseCase{"SBeforeProd", "PROD:x S:zz", StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: zz"},
        ParseCase{"CBeforeS", "S:yy C:zz", StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: zz"},
        ParseCase{"CInStringOrder", "C:aa C:bb", StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: aa"},
        ParseCase{"ProdBeforeRevoke", std::string("S:") + kH + " REVOKE:-1 PROD:70000",
                  StatusCode::kInvalidArgument, "Product ID is not a 16-bit number."},
        ParseCase{"RevokeBeforeSec", std::string("C:") + kH + " SEC:bad REVOKE:x",
                  StatusCode::kInvalidArgument, "For input string: \"x\""},
        ParseCase{"SecBeforeExpire", std::string("C:") + kH + " EXPIRE:bad SEC:bad",
                  StatusCode::kInvalidArgument,
                  "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.bad"},
        ParseCase{"DuplicateCheckedJustBeforeParse",
                  std::string("S:") + kH + " PROD:1 PROD:1 REVOKE:x", StatusCode::kInvalidArgument,
                  "More than one PROD defined"},
        ParseCase{"DuplicateAfterEarlierValueError",
                  std::string("S:") + kH + " PROD:x REVOKE:1 REVOKE:1",
                  StatusCode::kInvalidArgument, "For input string: \"x\""},
        ParseCase{"MoreThanOneExpire", std::string("C:") + kH + " EXPIRE:P1D EXPIRE:P1D",
                  StatusCode::kInvalidArgument, "More than one EXPIRE defined"},
        ParseCase{"MalformedBeatsInvalid", "PROD:-1", StatusCode::kInvalidArgument,
                  "Product ID is negative."},
        ParseCase{"HashWithPrefix", "C:0x" + std::string(kH).substr(2),
                  StatusCode::kInvalidArgument,
                  "contains illegal character for hexBinary: 0X" + std::string(kHUpper).substr(2)},
        ParseCase{"Hash130", "C:" + Repeat("a", 130), StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: " + Repeat("a", 130)},
        ParseCase{"Hash128Bad", "C:" + Repeat("g", 128), StatusCode::kInvalidArgument,
                  "contains illegal character for hexBinary: " + Repeat("G", 128)},
        // 62 ASCII characters and one 2-byte character: 63 UTF-16 units, as Java counts.
        ParseCase{"HashLengthInCharacters", "C:" + Repeat("a", 62) + "\xc3\xa9",
                  StatusCode::kInvalidArgument,
                  "Provided string is neither a SHA-256 or a SHA-512 string: " + Repeat("a", 62) +
                      "\xc3\xa9"},
        ParseCase{"DuplicateHashesCollapse", std::string("C:") + kH + " C:" + kHUpper + " C:" + kH,
                  StatusCode::kOk, kCH + " SEC:STALE"},
        ParseCase{"ShaMixedSorted", "C:" + Repeat("00", 64) + " C:" + kZ64, StatusCode::kOk,
                  "C:" + kZ64 + " C:" + Repeat("00", 64) + " SEC:STALE"},
        ParseCase{"AllKeysCanonicalOrder",
                  std::string("SEC:SECURE EXPIRE:-P1Y2M REVOKE:2 PROD:5 S:") + kH + " C:" + kH,
                  StatusCode::kOk, kCH + " " + kSH + " PROD:5 REVOKE:2 EXPIRE:P-1Y-2M SEC:SECURE"},
        ParseCase{"ExpireZero", std::string("C:") + kH + " EXPIRE:P0Y0M0W0D", StatusCode::kOk,
                  kCH + " EXPIRE:P0D SEC:STALE"},
        ParseCase{"ExpireWeeks", std::string("C:") + kH + " EXPIRE:P2W", StatusCode::kOk,
                  kCH + " EXPIRE:P14D SEC:STALE"},
        ParseCase{"ExpireNotNormalised", std::string("C:") + kH + " EXPIRE:P13M", StatusCode::kOk,
                  kCH + " EXPIRE:P13M SEC:STALE"},
        ParseCase{"ExpireWrongOrder", std::string("C:") + kH + " EXPIRE:P1D1Y",
                  StatusCode::kInvalidArgument, "Text cannot be parsed to a Period"},
        ParseCase{"ExpireDurationSyntax", std::string("C:") + kH + " EXPIRE:1d",
                  StatusCode::kInvalidArgument, "Text cannot be parsed to a Period"},
        ParseCase{"ExpireOverflow", std::string("C:") + kH + " EXPIRE:P2147483648D",
                  StatusCode::kInvalidArgument, "Text cannot be parsed to a Period"},
        ParseCase{"ExpireWeeksOverflow", std::string("C:") + kH + " EXPIRE:P306783379W",
                  StatusCode::kInvalidArgument, "Text cannot be parsed to a Period"},
        ParseCase{"SecInsecure", std::string("C:") + kH + " SEC:INSECURE", StatusCode::kOk,
                  kCH + " SEC:INSECURE"},
        ParseCase{"KdsIdentity",
                  "S:B4CDF6F4FA5B484FCA82292CE340FF305AA294F19382178BEA759E30E7DCFE2D PROD:1 "
                  "SEC:STALE",
                  StatusCode::kOk,
                  "S:B4CDF6F4FA5B484FCA82292CE340FF305AA294F19382178BEA759E30E7DCFE2D PROD:1 "
                  "SEC:STALE"}),
    [](const auto& p) { return std::string(p.param.id); });

// P1: a default-constructed constraint.
TEST(ConstraintTest, P1DefaultConstructed) {
  EnclaveConstraint c;
  EXPECT_TRUE(c.acceptable_code_hashes().empty());
  EXPECT_TRUE(c.acceptable_signers().empty());
  EXPECT_FALSE(c.product_id().has_value());
  EXPECT_FALSE(c.min_revocation_level().has_value());
  EXPECT_EQ(c.min_security_level(), SecuritySummary::kStale);
  EXPECT_FALSE(c.max_attestation_age().has_value());
  EXPECT_EQ(c.ToString(), "SEC:STALE");
}

TEST(ConstraintTest, ParsedFieldsMatchUpstreamExpectations) {
  auto h = *HexDecode(kH);
  EnclaveConstraint p2 = MustParse(std::string("C:") + kH);
  EXPECT_EQ(p2.acceptable_code_hashes(), EnclaveConstraint::HashSet{h});
  EXPECT_TRUE(p2.acceptable_signers().empty());

  EnclaveConstraint p3 = MustParse(std::string("PROD:10 S:") + kH);
  EXPECT_EQ(p3.acceptable_signers(), EnclaveConstraint::HashSet{h});
  EXPECT_EQ(p3.product_id(), 10);

  EnclaveConstraint p4 = MustParse(
      "C:da78b28564fe5a9b4f5912901f068f9f94483006bc53e10ab93dbb97675eba26 "
      "S:edd5c98fcb260633a6e6abd0aaa59c07aee6e2492fe22fb89413edd875edf27a "
      "C:0f738309dee76fcd9ad1b50f1c208ad3b1d2c8a62059c410b4806a88451c66ee "
      "S:f77e0720c4dd119395e195223908d0e98baeca678bf9af8cabea2cc5278dac8d PROD:3123");
  EXPECT_EQ(p4.acceptable_code_hashes().size(), 2u);
  EXPECT_EQ(p4.acceptable_signers().size(), 2u);
  EXPECT_EQ(p4.product_id(), 3123);

  EnclaveConstraint p5 = MustParse(std::string("REVOKE:3 C:") + kH);
  EXPECT_EQ(p5.min_revocation_level(), 3);
  EXPECT_FALSE(p5.product_id().has_value());

  EXPECT_EQ(MustParse(std::string("SEC:SECURE C:") + kH).min_security_level(),
            SecuritySummary::kSecure);

  EnclaveConstraint p7 = MustParse(std::string("EXPIRE:P2M3W4D C:") + kH);
  ASSERT_TRUE(p7.max_attestation_age().has_value());
  EXPECT_EQ(*p7.max_attestation_age(), Period(0, 2, 25));

  EXPECT_EQ(MustParse(std::string("C:") + kH + "  SEC:SECURE"),
            MustParse(std::string("SEC:SECURE C:") + kH));
  // DP3: hex is case-insensitive.
  EXPECT_EQ(MustParse(std::string("C:") + kHUpper), p2);
  // DP4.
  EXPECT_EQ(MustParse(std::string(" C:") + kH + " "), p2);
  // DP13: a SHA-512 value is kept as 64 bytes.
  EnclaveConstraint dp13 = MustParse("C:" + Repeat("ab", 64));
  ASSERT_EQ(dp13.acceptable_code_hashes().size(), 1u);
  EXPECT_EQ(dp13.acceptable_code_hashes().begin()->size(), 64u);
  // DP20.
  EXPECT_EQ(MustParse(std::string("S:") + kH + " PROD:+7").product_id(), 7);
  // DP25, DP34.
  EXPECT_EQ(MustParse(std::string("C:") + kH + " REVOKE:70000").min_revocation_level(), 70000);
  EXPECT_EQ(*MustParse(std::string("C:") + kH + " EXPIRE:P-1D").max_attestation_age(),
            Period(0, 0, -1));
}

TEST(ConstraintTest, ParseWithoutValidityCheck) {
  // Appendix A.2: base constraints completed later.
  EnclaveConstraint base = MustParse("SEC:INSECURE", /*check_validity=*/false);
  EXPECT_EQ(base.min_security_level(), SecuritySummary::kInsecure);
  EXPECT_THAT(base.Validate(), StatusIs(StatusCode::kFailedPrecondition,
                                        "Either a code hash or a code signer must be provided."));
  EnclaveConstraint prod = MustParse("PROD:12 SEC:INSECURE", false);
  EXPECT_EQ(prod.product_id(), 12);
  EXPECT_THAT(prod.Validate(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(MustParse("", false).Validate(), StatusIs(StatusCode::kFailedPrecondition));
  // Malformed strings still fail.
  EXPECT_THAT(EnclaveConstraint::Parse("PROD:x", false),
              StatusIs(StatusCode::kInvalidArgument, "For input string: \"x\""));
  // A base plus appended tokens is a valid constraint.
  EXPECT_THAT(EnclaveConstraint::Parse(std::string(" SEC:INSECURE S:") + kH + " PROD:12"), IsOk());
}

// ---------------------------------------------------------------------------------------------
// Equality and the canonical form (§8.2, §10).

TEST(ConstraintTest, EqualityRules) {
  std::string c = std::string("C:") + kH;
  EXPECT_EQ(MustParse(c + " EXPIRE:P2W"), MustParse(c + " EXPIRE:P14D"));
  EXPECT_NE(MustParse(c + " EXPIRE:P1Y"), MustParse(c + " EXPIRE:P12M"));
  EXPECT_NE(MustParse(c + " EXPIRE:P0D"), MustParse(c));
  EXPECT_EQ(MustParse(c + " SEC:STALE"), MustParse(c));
  EXPECT_NE(MustParse(c + " SEC:SECURE"), MustParse(c));
  EXPECT_NE(MustParse(c + " REVOKE:0"), MustParse(c));
  EXPECT_EQ(MustParse(c + " C:" + kZ64), MustParse("C:" + kZ64 + " " + c));
  // A SHA-512 value never equals the SHA-256 value that is its prefix.
  EXPECT_NE(MustParse("C:" + Repeat("0", 128)), MustParse("C:" + kZ64));
}

TEST(ConstraintTest, CanonicalFormExampleOfSection10) {
  EXPECT_EQ(MustParse(std::string("REVOKE:3 C:") + kH).ToString(),
            "C:DA78B28564FE5A9B4F5912901F068F9F94483006BC53E10AB93DBB97675EBA26 REVOKE:3 "
            "SEC:STALE");
}

// ---------------------------------------------------------------------------------------------
// Setters and the criteria check (§11.2).

TEST(ConstraintSetterTest, V1ProductIdNegative) {
  EnclaveConstraint c;
  EXPECT_THAT(c.SetProductId(-1),
              StatusIs(StatusCode::kInvalidArgument, "Product ID is negative."));
  EXPECT_FALSE(c.product_id().has_value());
}

TEST(ConstraintSetterTest, V2ProductIdNot16Bit) {
  EnclaveConstraint c;
  EXPECT_THAT(c.SetProductId(65536),
              StatusIs(StatusCode::kInvalidArgument, "Product ID is not a 16-bit number."));
  EXPECT_FALSE(c.product_id().has_value());
}

TEST(ConstraintSetterTest, V3MinRevocationLevelNegative) {
  EnclaveConstraint c;
  EXPECT_THAT(c.SetMinRevocationLevel(-1),
              StatusIs(StatusCode::kInvalidArgument, "Min revocation level is negative."));
  EXPECT_FALSE(c.min_revocation_level().has_value());
}

TEST(ConstraintSetterTest, V4CheckEmptyConstraint) {
  EnclaveConstraint c;
  EXPECT_THAT(c.Check(DefaultEnclave(), kNow),
              StatusIs(StatusCode::kFailedPrecondition,
                       "Either a code hash or a code signer must be provided."));
  EXPECT_THAT(c.Check(DefaultEnclave(), kNow), ReasonIs("constraint_invalid"));
}

TEST(ConstraintSetterTest, V5CheckCodeHashWithProductId) {
  EnclaveConstraint c;
  ASSERT_THAT(c.AddCodeHash(kX), IsOk());
  ASSERT_THAT(c.SetProductId(3), IsOk());
  EXPECT_THAT(c.Check(DefaultEnclave(), kNow),
              StatusIs(StatusCode::kFailedPrecondition,
                       "A code signer must be provided with a product ID."));
}

TEST(ConstraintSetterTest, V6CheckSignerWithoutProductId) {
  EnclaveConstraint c;
  ASSERT_THAT(c.AddSigner(kK), IsOk());
  EXPECT_THAT(c.Check(DefaultEnclave(), kNow),
              StatusIs(StatusCode::kFailedPrecondition,
                       "A product ID must be provided with a code signer."));
}

TEST(ConstraintSetterTest, AcceptsBoundaryValuesAndClears) {
  EnclaveConstraint c;
  EXPECT_THAT(c.SetProductId(0), IsOk());
  EXPECT_EQ(c.product_id(), 0);
  EXPECT_THAT(c.SetProductId(65535), IsOk());
  EXPECT_EQ(c.product_id(), 65535);
  c.ClearProductId();
  EXPECT_FALSE(c.product_id().has_value());
  EXPECT_THAT(c.SetMinRevocationLevel(0), IsOk());
  EXPECT_THAT(c.SetMinRevocationLevel(2147483647), IsOk());
  EXPECT_EQ(c.min_revocation_level(), 2147483647);
  c.ClearMinRevocationLevel();
  EXPECT_FALSE(c.min_revocation_level().has_value());
  EXPECT_THAT(c.SetMinSecurityLevel(SecuritySummary::kSecure), IsOk());
  EXPECT_EQ(c.min_security_level(), SecuritySummary::kSecure);
  EXPECT_THAT(c.SetMinSecurityLevel(static_cast<SecuritySummary>(7)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(c.min_security_level(), SecuritySummary::kSecure);
  c.SetMaxAttestationAge(Period(0, 6, 0));
  EXPECT_EQ(c.max_attestation_age(), Period(0, 6, 0));
  c.ClearMaxAttestationAge();
  EXPECT_FALSE(c.max_attestation_age().has_value());
}

TEST(ConstraintSetterTest, HashSizes) {
  EnclaveConstraint c;
  EXPECT_THAT(c.AddCodeHash(Bytes(31)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(c.AddCodeHash(Bytes(33)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(c.AddSigner(Bytes()), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(c.acceptable_code_hashes().empty());
  EXPECT_THAT(c.AddCodeHash(Bytes(32)), IsOk());
  EXPECT_THAT(c.AddCodeHash(Bytes(32)), IsOk());  // a set
  EXPECT_THAT(c.AddCodeHash(Bytes(64)), IsOk());
  EXPECT_EQ(c.acceptable_code_hashes().size(), 2u);
  EXPECT_THAT(c.AddSigner(Bytes(32, 1)), IsOk());
  EXPECT_EQ(c.acceptable_signers().size(), 1u);
}

TEST(ConstraintSetterTest, BuiltEqualsParsed) {
  EnclaveConstraint c;
  ASSERT_THAT(c.AddCodeHash(*HexDecode(kH)), IsOk());
  ASSERT_THAT(c.AddSigner(Bytes(32, 0)), IsOk());
  ASSERT_THAT(c.SetProductId(1), IsOk());
  ASSERT_THAT(c.SetMinRevocationLevel(2), IsOk());
  ASSERT_THAT(c.SetMinSecurityLevel(SecuritySummary::kSecure), IsOk());
  c.SetMaxAttestationAge(Period(0, 0, 30));
  EXPECT_THAT(c.Validate(), IsOk());
  EXPECT_EQ(c.ToString(), kCH + " S:" + kZ64 + " PROD:1 REVOKE:2 EXPIRE:P30D SEC:SECURE");
  EXPECT_EQ(MustParse(c.ToString()), c);
}

TEST(ConstraintSetterTest, CriteriaOrder) {
  EnclaveConstraint c;
  ASSERT_THAT(c.SetProductId(1), IsOk());
  // Rule 1 is checked before rule 2.
  EXPECT_THAT(c.Validate(), StatusIs(StatusCode::kFailedPrecondition,
                                     "Either a code hash or a code signer must be provided."));
  ASSERT_THAT(c.AddCodeHash(kX), IsOk());
  EXPECT_THAT(c.Validate(), StatusIs(StatusCode::kFailedPrecondition,
                                     "A code signer must be provided with a product ID."));
  ASSERT_THAT(c.AddSigner(kK), IsOk());
  EXPECT_THAT(c.Validate(), IsOk());
}

// ---------------------------------------------------------------------------------------------
// check() conformance (§11.3, §11.6).

struct CheckCase {
  const char* id;
  EnclaveInstanceInfo enclave;
  std::string constraint;        // parsed with check_validity
  std::string expected_message;  // empty: pass; else the exact rejection message
  std::string expected_reason;
};

void PrintTo(const CheckCase& c, std::ostream* os) { *os << c.id; }

class CheckConformanceTest : public ::testing::TestWithParam<CheckCase> {};

TEST_P(CheckConformanceTest, MatchesSpec) {
  const CheckCase& c = GetParam();
  EnclaveConstraint constraint = MustParse(c.constraint);
  Status s = constraint.Check(c.enclave, kNow);
  if (c.expected_message.empty()) {
    EXPECT_THAT(s, IsOk());
  } else {
    EXPECT_THAT(s, StatusIs(StatusCode::kPermissionDenied, c.expected_message));
    EXPECT_THAT(s, ReasonIs(c.expected_reason));
  }
}

EnclaveInstanceInfo WithProductId(uint16_t p) {
  EnclaveInstanceInfo e = DefaultEnclave();
  e.product_id = p;
  return e;
}

EnclaveInstanceInfo WithTimestamp(UnixSeconds t) {
  EnclaveInstanceInfo e = DefaultEnclave();
  e.security.timestamp = t;
  return e;
}

const std::string kCodeHashMismatch =
    "Enclave code hash does not match any of the acceptable code hashes. (measurement hash " +
    Hex(kX) + " vs acceptable " + Hex(kR) + ")";
const std::string kSignerMismatch =
    "Enclave code signer does not match any of the acceptable code signers. (key hash " + Hex(kK) +
    " vs acceptable " + Hex(kR) + ")";

INSTANTIATE_TEST_SUITE_P(
    UpstreamCheck, CheckConformanceTest,
    ::testing::Values(
        CheckCase{"K1", DefaultEnclave(), "C:" + Hex(kX), "", ""},
        CheckCase{"K2", DefaultEnclave(), "C:" + Hex(kR), kCodeHashMismatch, "code_hash_mismatch"},
        CheckCase{"K3", DefaultEnclave(), "S:" + Hex(kK) + " PROD:10", "", ""},
        CheckCase{"K4", DefaultEnclave(), "S:" + Hex(kR) + " PROD:10", kSignerMismatch,
                  "code_signer_mismatch"},
        CheckCase{"K5", DefaultEnclave(), "C:" + Hex(kX) + " S:" + Hex(kR) + " PROD:10", "", ""},
        CheckCase{"K6", DefaultEnclave(), "C:" + Hex(kR) + " S:" + Hex(kK) + " PROD:10", "", ""},
        CheckCase{"K7", DefaultEnclave(), "C:" + Hex(kR) + " S:" + Hex(kR2) + " PROD:10",
                  "Enclave does not match any of the acceptable code hashes or code signers.",
                  "code_hash_and_signer_mismatch"},
        CheckCase{"K8", WithProductId(10), "S:" + Hex(kK) + " PROD:10", "", ""},
        CheckCase{"K9", WithProductId(10), "S:" + Hex(kK) + " PROD:1",
                  "Enclave has a product ID of 10 which does not match the criteria of 1.",
                  "product_id_mismatch"},
        CheckCase{"K10", DefaultEnclave(), "C:" + Hex(kX) + " REVOKE:2", "", ""},
        CheckCase{"K11", DefaultEnclave(), "C:" + Hex(kX) + " REVOKE:3", "", ""},
        CheckCase{"K12", DefaultEnclave(), "C:" + Hex(kX) + " REVOKE:4",
                  "Enclave has a revocation level of 3 which is lower than the required level "
                  "of 4.",
                  "revocation_level_too_low"},
        CheckCase{"K13", DefaultEnclave(), "C:" + Hex(kX) + " SEC:STALE", "", ""},
        CheckCase{"K14", DefaultEnclave(), "C:" + Hex(kX) + " SEC:SECURE",
                  "Enclave has a security level of STALE which is lower than the required "
                  "level of SECURE.",
                  "security_level_too_low"},
        CheckCase{"K15", WithSummary(SecuritySummary::kSecure), "SEC:STALE C:" + Hex(kX), "", ""},
        CheckCase{"K16", WithSummary(SecuritySummary::kSecure), "SEC:SECURE C:" + Hex(kX), "", ""},
        CheckCase{"K17", WithSummary(SecuritySummary::kSecure), "SEC:INSECURE C:" + Hex(kX),
                  "Enclave has a security level of SECURE which does not match the required "
                  "level of INSECURE.",
                  "security_level_mismatch"},
        CheckCase{"K18", WithSummary(SecuritySummary::kStale), "SEC:STALE C:" + Hex(kX), "", ""},
        CheckCase{"K19", WithSummary(SecuritySummary::kStale), "SEC:INSECURE C:" + Hex(kX),
                  "Enclave has a security level of STALE which does not match the required "
                  "level of INSECURE.",
                  "security_level_mismatch"},
        CheckCase{"K20", WithSummary(SecuritySummary::kStale), "SEC:SECURE C:" + Hex(kX),
                  "Enclave has a security level of STALE which is lower than the required "
                  "level of SECURE.",
                  "security_level_too_low"},
        CheckCase{"K21", WithSummary(SecuritySummary::kInsecure), "SEC:INSECURE C:" + Hex(kX), "",
                  ""},
        CheckCase{"K22", WithSummary(SecuritySummary::kInsecure), "SEC:STALE C:" + Hex(kX),
                  "Enclave has a security level of INSECURE which is lower than the required "
                  "level of STALE.",
                  "security_level_too_low"},
        CheckCase{"K23", WithSummary(SecuritySummary::kInsecure), "SEC:SECURE C:" + Hex(kX),
                  "Enclave has a security level of INSECURE which is lower than the required "
                  "level of SECURE.",
                  "security_level_too_low"},
        CheckCase{"K24", WithTimestamp(0), "C:" + Hex(kX) + " EXPIRE:P6M",
                  "Enclave attestation data is out of date with an age that exceeds P6M.",
                  "attestation_too_old"},
        CheckCase{"K25", WithTimestamp(kNow), "C:" + Hex(kX) + " EXPIRE:P6M", "", ""}),
    [](const auto& p) { return std::string(p.param.id); });

INSTANTIATE_TEST_SUITE_P(
    DerivedCheck, CheckConformanceTest,
    ::testing::Values(
        CheckCase{"DC1", WithProductId(10), "C:" + Hex(kX) + " S:" + Hex(kR) + " PROD:11",
                  "Enclave has a product ID of 10 which does not match the criteria of 11.",
                  "product_id_mismatch"},
        CheckCase{"DC2", WithSummary(SecuritySummary::kSecure), "C:" + Hex(kX) + " SEC:INSECURE",
                  "Enclave has a security level of SECURE which does not match the required "
                  "level of INSECURE.",
                  "security_level_mismatch"},
        CheckCase{"DC3", *EnclaveInstanceInfo::Mock({.code_hash = kX, .timestamp = kNow}),
                  "C:" + Hex(kX),
                  "Enclave has a security level of INSECURE which is lower than the required "
                  "level of STALE.",
                  "security_level_too_low"},
        CheckCase{"DC4", WithSummary(SecuritySummary::kInsecure),
                  "C:" + Hex(kR) + " REVOKE:99 SEC:SECURE", kCodeHashMismatch,
                  "code_hash_mismatch"},
        CheckCase{"DC5", WithTimestamp(kNow - 1), "C:" + Hex(kX) + " EXPIRE:P0D",
                  "Enclave attestation data is out of date with an age that exceeds P0D.",
                  "attestation_too_old"},
        CheckCase{"DC6", DefaultEnclave(), "C:" + Hex(kR), kCodeHashMismatch, "code_hash_mismatch"},
        CheckCase{"DC7", DefaultEnclave(), "S:" + Hex(kR) + " PROD:10", kSignerMismatch,
                  "code_signer_mismatch"},
        // More derived cases.
        CheckCase{"MockPatternPasses",
                  *EnclaveInstanceInfo::Mock({.code_hash = kX, .timestamp = kNow}),
                  "S:" + kZ64 + " PROD:1 SEC:INSECURE", "", ""},
        CheckCase{"KdsWrongProduct",
                  *EnclaveInstanceInfo::Mock({.code_hash = kX, .timestamp = kNow}),
                  "S:" + kZ64 + " PROD:2 SEC:INSECURE",
                  "Enclave has a product ID of 1 which does not match the criteria of 2.",
                  "product_id_mismatch"},
        CheckCase{"MultipleHashesListedSorted", DefaultEnclave(), "C:" + Hex(kR2) + " C:" + Hex(kR),
                  "Enclave code hash does not match any of the acceptable code hashes. "
                  "(measurement hash " +
                      Hex(kX) + " vs acceptable " + Hex(kR) + ", " + Hex(kR2) + ")",
                  "code_hash_mismatch"},
        CheckCase{"MultipleSignersListedSorted", DefaultEnclave(),
                  "S:" + Hex(kR2) + " S:" + Hex(kR) + " PROD:10",
                  "Enclave code signer does not match any of the acceptable code signers. (key "
                  "hash " +
                      Hex(kK) + " vs acceptable " + Hex(kR) + ", " + Hex(kR2) + ")",
                  "code_signer_mismatch"},
        CheckCase{"Sha512NeverMatches", DefaultEnclave(), "C:" + Hex(kX) + Hex(kX),
                  "Enclave code hash does not match any of the acceptable code hashes. "
                  "(measurement hash " +
                      Hex(kX) + " vs acceptable " + Hex(kX) + Hex(kX) + ")",
                  "code_hash_mismatch"},
        CheckCase{"Sha512SignerNeverMatches", DefaultEnclave(),
                  "S:" + Hex(kK) + Hex(kK) + " PROD:10",
                  "Enclave code signer does not match any of the acceptable code signers. (key "
                  "hash " +
                      Hex(kK) + " vs acceptable " + Hex(kK) + Hex(kK) + ")",
                  "code_signer_mismatch"},
        CheckCase{"CodeHashIsNotASigner", DefaultEnclave(), "S:" + Hex(kX) + " PROD:10",
                  "Enclave code signer does not match any of the acceptable code signers. (key "
                  "hash " +
                      Hex(kK) + " vs acceptable " + Hex(kX) + ")",
                  "code_signer_mismatch"},
        CheckCase{"ProductBeforeRevocation", WithProductId(9),
                  "S:" + Hex(kK) + " PROD:10 REVOKE:99",
                  "Enclave has a product ID of 9 which does not match the criteria of 10.",
                  "product_id_mismatch"},
        CheckCase{"RevocationBeforeSecurity", WithSummary(SecuritySummary::kInsecure),
                  "C:" + Hex(kX) + " REVOKE:4",
                  "Enclave has a revocation level of 3 which is lower than the required level "
                  "of 4.",
                  "revocation_level_too_low"},
        CheckCase{"SecurityBeforeExpire", WithSummary(SecuritySummary::kInsecure),
                  "C:" + Hex(kX) + " EXPIRE:P0D",
                  "Enclave has a security level of INSECURE which is lower than the required "
                  "level of STALE.",
                  "security_level_too_low"},
        CheckCase{"ExpireCanonicalInMessage", WithTimestamp(0), "C:" + Hex(kX) + " EXPIRE:P2M3W4D",
                  "Enclave attestation data is out of date with an age that exceeds P2M25D.",
                  "attestation_too_old"},
        CheckCase{"Revoke70000NeverPasses", DefaultEnclave(), "C:" + Hex(kX) + " REVOKE:70000",
                  "Enclave has a revocation level of 3 which is lower than the required level "
                  "of 70000.",
                  "revocation_level_too_low"}),
    [](const auto& p) { return std::string(p.param.id); });

// K2/K4 as upstream states them: the message contains the sentence.
TEST(CheckTest, UpstreamContainsChecks) {
  EXPECT_THAT(MustParse("C:" + Hex(kR)).Check(DefaultEnclave(), kNow),
              StatusIs(StatusCode::kPermissionDenied,
                       HasSubstr("Enclave code hash does not match any of the acceptable code "
                                 "hashes.")));
  EXPECT_THAT(MustParse("S:" + Hex(kR) + " PROD:10").Check(DefaultEnclave(), kNow),
              StatusIs(StatusCode::kPermissionDenied,
                       HasSubstr("Enclave code signer does not match any of the acceptable "
                                 "code signers.")));
}

// The code-hash message carries the closing parenthesis the reference forgot (§0.1 #1).
TEST(CheckTest, CodeHashMessageEndsWithParenthesis) {
  Status s = MustParse("C:" + Hex(kR)).Check(DefaultEnclave(), kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().back(), ')');
  EXPECT_THAT(s.message(), StartsWith("Enclave code hash does not match any of the acceptable "
                                      "code hashes. (measurement hash "));
}

// §6.3.
TEST(CheckTest, SecurityLevelMatrix) {
  const SecuritySummary kAll[] = {SecuritySummary::kInsecure, SecuritySummary::kStale,
                                  SecuritySummary::kSecure};
  // expected[required][actual]
  const bool kExpected[3][3] = {
      {true, false, false},  // SEC:INSECURE: exact match
      {false, true, true},   // SEC:STALE (default)
      {false, false, true},  // SEC:SECURE
  };
  for (int required = 0; required < 3; ++required) {
    std::string text = "C:" + Hex(kX) + " SEC:" + std::string(SecuritySummaryName(kAll[required]));
    EnclaveConstraint c = MustParse(text);
    for (int actual = 0; actual < 3; ++actual) {
      Status s = c.Check(WithSummary(kAll[actual]), kNow);
      EXPECT_EQ(s.ok(), kExpected[required][actual]) << text << " vs " << actual << ": " << s;
      if (!s.ok()) {
        EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
      }
    }
  }
  // The default is STALE.
  EnclaveConstraint def = MustParse("C:" + Hex(kX));
  EXPECT_THAT(def.Check(WithSummary(SecuritySummary::kInsecure), kNow),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(def.Check(WithSummary(SecuritySummary::kStale), kNow), IsOk());
  EXPECT_THAT(def.Check(WithSummary(SecuritySummary::kSecure), kNow), IsOk());
}

// §7: revocation level = max(ISVSVN - 1, 0); REVOKE:n passes iff ISVSVN >= n + 1 (n >= 1).
TEST(CheckTest, RevocationLevelFromIsvSvn) {
  struct Row {
    uint16_t isv_svn;
    int32_t revoke;
    bool pass;
  };
  const Row kRows[] = {
      {0, 0, true},         {0, 1, false},         {1, 0, true},
      {1, 1, false},        {2, 1, true},          {2, 2, false},
      {65535, 65534, true}, {65535, 65535, false}, {65535, 70000, false},
  };
  for (const Row& row : kRows) {
    EnclaveInstanceInfo e = DefaultEnclave();
    e.isv_svn = row.isv_svn;
    EnclaveConstraint c = MustParse("C:" + Hex(kX) + " REVOKE:" + std::to_string(row.revoke));
    Status s = c.Check(e, kNow);
    EXPECT_EQ(s.ok(), row.pass) << row.isv_svn << " " << row.revoke << ": " << s;
    if (!row.pass) {
      EXPECT_EQ(s.message(), "Enclave has a revocation level of " +
                                 std::to_string(e.revocation_level()) +
                                 " which is lower than the required level of " +
                                 std::to_string(row.revoke) + ".");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// EXPIRE (§8.3), with a pinned `now`.

Status CheckAge(std::string_view period, UnixSeconds now, UnixSeconds timestamp) {
  EnclaveConstraint c = MustParse("C:" + Hex(kX) + " EXPIRE:" + std::string(period));
  return c.Check(WithTimestamp(timestamp), now);
}

UnixSeconds T(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

TEST(ExpireTest, StrictlyBefore) {
  UnixSeconds day_before = T("2025-06-18T10:56:11Z");
  EXPECT_THAT(CheckAge("P1D", kNow, day_before), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P1D", kNow, day_before + 1), IsOk());
  EXPECT_THAT(CheckAge("P1D", kNow, day_before - 1), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P1D", kNow, kNow), IsOk());
}

TEST(ExpireTest, ZeroPeriodNeedsFutureTimestamp) {
  EXPECT_THAT(CheckAge("P0D", kNow, kNow), StatusIs(StatusCode::kPermissionDenied,
                                                    "Enclave attestation data is out of date "
                                                    "with an age that exceeds P0D."));
  EXPECT_THAT(CheckAge("P0D", kNow, kNow + 1), IsOk());
  EXPECT_THAT(CheckAge("P0Y", kNow, kNow - 1),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("exceeds P0D.")));
}

TEST(ExpireTest, NegativePeriodNeedsTimestampFurtherInTheFuture) {
  for (const char* p : {"P-1D", "-P1D"}) {
    EXPECT_THAT(CheckAge(p, kNow, kNow + 86400),
                StatusIs(StatusCode::kPermissionDenied, HasSubstr("exceeds P-1D.")))
        << p;
    EXPECT_THAT(CheckAge(p, kNow, kNow + 86401), IsOk()) << p;
  }
}

TEST(ExpireTest, FutureTimestampPassesWithNonNegativePeriod) {
  EXPECT_THAT(CheckAge("P6M", kNow, kNow + 10 * 86400), IsOk());
  EXPECT_THAT(CheckAge("P0D", kNow, kNow + 10 * 86400), IsOk());
}

TEST(ExpireTest, MonthClamping) {
  // 31 March - P1M = 28 February (29 in a leap year); the time of day is kept.
  EXPECT_THAT(CheckAge("P1M", T("2025-03-31T12:00:00Z"), T("2025-02-28T12:00:00Z")),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P1M", T("2025-03-31T12:00:00Z"), T("2025-02-28T12:00:01Z")), IsOk());
  EXPECT_THAT(CheckAge("P1M", T("2024-03-31T12:00:00Z"), T("2024-02-29T12:00:00Z")),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P1M", T("2024-03-31T12:00:00Z"), T("2024-02-29T12:00:01Z")), IsOk());
  // Months first, then days: 31 March - P1M1D = 27 February.
  EXPECT_THAT(CheckAge("P1M1D", T("2025-03-31T00:00:00Z"), T("2025-02-27T00:00:00Z")),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P1M1D", T("2025-03-31T00:00:00Z"), T("2025-02-27T00:00:01Z")), IsOk());
  // Years: 29 February 2024 - P1Y = 28 February 2023.
  EXPECT_THAT(CheckAge("P1Y", T("2024-02-29T00:00:00Z"), T("2023-02-28T00:00:00Z")),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P1Y", T("2024-02-29T00:00:00Z"), T("2023-02-28T00:00:01Z")), IsOk());
  // Years and months in one step: 31 May 2025 - P1Y3M = 29 February 2024 (15 months, clamped).
  EXPECT_THAT(CheckAge("P1Y3M", T("2025-05-31T00:00:00Z"), T("2024-02-29T00:00:00Z")),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P1Y3M", T("2025-05-31T00:00:00Z"), T("2024-02-29T00:00:01Z")), IsOk());
}

TEST(ExpireTest, SixMonths) {
  // K24/K25 with the pinned time: 2025-06-19T10:56:11Z - P6M = 2024-12-19T10:56:11Z.
  EXPECT_THAT(CheckAge("P6M", kNow, T("2024-12-19T10:56:11Z")),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckAge("P6M", kNow, T("2024-12-19T10:56:12Z")), IsOk());
}

TEST(ExpireTest, HugePeriodsDoNotOverflow) {
  EXPECT_THAT(CheckAge("P2147483647Y2147483647M2147483647D", kNow, 0), IsOk());
  EXPECT_THAT(CheckAge("P-2147483648Y-2147483648M-2147483648D", kNow, kNow),
              StatusIs(StatusCode::kPermissionDenied));
  // A verification time beyond any calendar is refused, not miscomputed.
  EXPECT_THAT(CheckAge("P1D", INT64_MAX, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckAge("P1D", INT64_MIN, 0), StatusIs(StatusCode::kInvalidArgument));
  // Without EXPIRE, `now` is not used at all.
  EXPECT_THAT(MustParse("C:" + Hex(kX)).Check(DefaultEnclave(), INT64_MAX), IsOk());
}

}  // namespace
}  // namespace vouch

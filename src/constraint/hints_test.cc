// Hints beside Conclave's constraint messages (issue 11, item 7): each rejected constraint and
// each rejected enclave that a newcomer met gets a plain hint, and Conclave's exact message is
// left as it is.
#include "vouch/constraint/hints.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "testing/status_matchers.h"

namespace vouch {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kHash(64, 'A');

// The hint for `descriptor`, after checking that Parse() still gives Conclave's `message`.
std::string HintFor(const std::string& descriptor, const std::string& message) {
  auto parsed = EnclaveConstraint::Parse(descriptor);
  EXPECT_FALSE(parsed.ok()) << descriptor;
  if (!parsed.ok()) {
    EXPECT_EQ(parsed.status().message(), message) << descriptor;
  }
  return ConstraintParseHint(descriptor);
}

TEST(NearestWordsTest, SuggestsTyposOnly) {
  constexpr std::string_view kWords[] = {"verify", "collateral", "add", "audit", "proof"};
  EXPECT_THAT(NearestWords("verfy", kWords), ElementsAre("verify"));
  EXPECT_THAT(NearestWords("ad", kWords), ElementsAre("add"));  // a prefix
  EXPECT_THAT(NearestWords("prof", kWords), ElementsAre("proof"));
  EXPECT_THAT(NearestWords("VERIFY", kWords), ElementsAre("verify"));
  EXPECT_THAT(NearestWords("xyz", kWords), IsEmpty());
  EXPECT_THAT(NearestWords("", kWords), IsEmpty());
  constexpr std::string_view kKeys[] = {"C", "S", "PROD", "REVOKE", "SEC", "EXPIRE"};
  EXPECT_THAT(NearestWords("PORD", kKeys), ElementsAre("PROD"));
  EXPECT_THAT(NearestWords("EXIPRE", kKeys), ElementsAre("EXPIRE"));
}

// A constraint Parse() rejects with Conclave's `message`, and what its hint says.
struct ParseHintCase {
  const char* id;
  std::string descriptor;
  std::string message;
  std::vector<std::string> hints;  // each a part of the hint
};

void PrintTo(const ParseHintCase& c, std::ostream* os) { *os << c.id; }

class ConstraintParseHintTest : public ::testing::TestWithParam<ParseHintCase> {};

TEST_P(ConstraintParseHintTest, HintsBesideConclavesMessage) {
  const ParseHintCase& c = GetParam();
  std::string hint = HintFor(c.descriptor, c.message);
  for (const std::string& part : c.hints) EXPECT_THAT(hint, HasSubstr(part));
}

constexpr char kSummary[] = "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.";
constexpr char kPeriod[] = "Text cannot be parsed to a Period";
// kHash with a non-hex digit at [10].
std::string BadHash() { return std::string(10, 'A') + "G" + std::string(53, 'A'); }

INSTANTIATE_TEST_SUITE_P(
    Hints, ConstraintParseHintTest,
    ::testing::Values(
        ParseHintCase{"SecurityLevel",
                      "C:" + kHash + " SEC:SECRUE",
                      std::string(kSummary) + "SECRUE",
                      {"SEC must be SECURE, STALE or INSECURE", "did you mean SECURE?"}},
        ParseHintCase{"SecurityLevelLowerCase",
                      "C:" + kHash + " SEC:secure",
                      std::string(kSummary) + "secure",
                      {"upper case (did you mean SECURE?)"}},
        ParseHintCase{"TrailingNewline",
                      "C:" + kHash + " SEC:SECURE\n",
                      std::string(kSummary) + "SECURE\n",
                      {"line break", "only spaces separate"}},
        ParseHintCase{"UnknownKey",
                      "S:" + kHash + " PORD:1",
                      "Unknown keys [PORD]",
                      {"unknown key PORD (did you mean PROD?)"}},
        ParseHintCase{"UnknownKeyLowerCase", "c:" + kHash, "Unknown keys [c]", {"did you mean C?"}},
        ParseHintCase{"PeriodExample", "C:" + kHash + " EXPIRE:30D", kPeriod, {"e.g. EXPIRE:P30D"}},
        ParseHintCase{"PeriodDays", "C:" + kHash + " EXPIRE:30D", kPeriod, {"did you mean P30D?"}},
        ParseHintCase{"PeriodNoUnit", "C:" + kHash + " EXPIRE:30", kPeriod, {"did you mean P30D?"}},
        ParseHintCase{"PeriodTime", "C:" + kHash + " EXPIRE:PT1H", kPeriod, {"no times"}},
        ParseHintCase{"NumbersProductIdHuge",
                      "S:" + kHash + " PROD:9999999999999",
                      "For input string: \"9999999999999\"",
                      {"PROD is the product ID (ISVPRODID): a decimal number from 0 to 65535"}},
        ParseHintCase{"NumbersProductIdNot16Bit",
                      "S:" + kHash + " PROD:70000",
                      "Product ID is not a 16-bit number.",
                      {"from 0 to 65535"}},
        ParseHintCase{"NumbersRevocationLevel",
                      "C:" + kHash + " REVOKE:x",
                      "For input string: \"x\"",
                      {"REVOKE is the minimum revocation level"}},
        ParseHintCase{"HashesLength",
                      "C:ABC",
                      "Provided string is neither a SHA-256 or a SHA-512 string: ABC",
                      {"64 hex digits"}},
        ParseHintCase{"HashesNonHex",
                      "S:" + BadHash() + " PROD:1",
                      "contains illegal character for hexBinary: " + BadHash(),
                      {"'G' is not a hex digit"}},
        ParseHintCase{"TokenWithEquals", "PROD=1", "Invalid token: PROD=1", {"(write PROD:1)"}},
        ParseHintCase{"CriteriaSignerNeedsProductId",
                      "S:" + kHash,
                      "A product ID must be provided with a code signer.",
                      {"S needs PROD"}},
        ParseHintCase{"CriteriaHashOrSigner",
                      "PROD:1",
                      "Either a code hash or a code signer must be provided.",
                      {"C:<MRENCLAVE>"}},
        ParseHintCase{"CriteriaProductIdTwice",
                      "C:" + kHash + " PROD:1 PROD:1",
                      "More than one PROD defined",
                      {"only once"}},
        ParseHintCase{"CriteriaProductIdNeedsSigner",
                      "C:" + kHash + " PROD:1",
                      "A code signer must be provided with a product ID.",
                      {"PROD applies to S"}}),
    [](const auto& p) { return std::string(p.param.id); });

TEST(ConstraintParseHintValidTest, NoHintForAValidConstraint) {
  EXPECT_EQ(ConstraintParseHint("C:" + kHash), "");
}

TEST(ConstraintCheckHintTest, SimulationFailsTheDefaultLevel) {
  auto constraint = *EnclaveConstraint::Parse("C:" + kHash);
  EnclaveInstanceInfo info;
  info.code_hash.fill(0xAA);
  info.mode = EnclaveMode::kSimulation;
  info.security.summary = SecuritySummary::kInsecure;
  Status rejection = constraint.Check(info, 0);
  ASSERT_EQ(rejection.reason(), "security_level_too_low");
  EXPECT_THAT(ConstraintCheckHint(constraint, info, rejection),
              HasSubstr("simulated enclave is always INSECURE"));
  info.mode = EnclaveMode::kDebug;
  EXPECT_THAT(ConstraintCheckHint(constraint, info, rejection), HasSubstr("debug enclave"));
}

TEST(ConstraintCheckHintTest, ProductAndRevocation) {
  EnclaveInstanceInfo info;
  info.code_signer.fill(0xAA);
  info.product_id = 3;
  info.isv_svn = 2;
  info.security.summary = SecuritySummary::kSecure;
  auto prod = *EnclaveConstraint::Parse("S:" + kHash + " PROD:1");
  EXPECT_THAT(ConstraintCheckHint(prod, info, prod.Check(info, 0)), HasSubstr("which is 3"));
  auto revoke = *EnclaveConstraint::Parse("S:" + kHash + " PROD:3 REVOKE:4");
  EXPECT_THAT(ConstraintCheckHint(revoke, info, revoke.Check(info, 0)),
              HasSubstr("needs an ISVSVN of at least 5; this enclave's is 2"));
}

}  // namespace
}  // namespace vouch

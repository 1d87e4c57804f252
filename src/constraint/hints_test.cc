// Hints beside Conclave's constraint messages (issue 11, item 7): each rejected constraint and
// each rejected enclave that a newcomer met gets a plain hint, and Conclave's exact message is
// left as it is.
#include "vouch/constraint/hints.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST(ConstraintParseHintTest, SecurityLevel) {
  std::string hint =
      HintFor("C:" + kHash + " SEC:SECRUE",
              "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.SECRUE");
  EXPECT_THAT(hint, HasSubstr("SEC must be SECURE, STALE or INSECURE"));
  EXPECT_THAT(hint, HasSubstr("did you mean SECURE?"));
  EXPECT_THAT(HintFor("C:" + kHash + " SEC:secure",
                      "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.secure"),
              HasSubstr("upper case (did you mean SECURE?)"));
}

TEST(ConstraintParseHintTest, TrailingNewline) {
  std::string hint =
      HintFor("C:" + kHash + " SEC:SECURE\n",
              "No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.SECURE\n");
  EXPECT_THAT(hint, HasSubstr("line break"));
  EXPECT_THAT(hint, HasSubstr("only spaces separate"));
}

TEST(ConstraintParseHintTest, UnknownKey) {
  std::string hint = HintFor("S:" + kHash + " PORD:1", "Unknown keys [PORD]");
  EXPECT_THAT(hint, HasSubstr("unknown key PORD (did you mean PROD?)"));
  EXPECT_THAT(HintFor("c:" + kHash, "Unknown keys [c]"), HasSubstr("did you mean C?"));
}

TEST(ConstraintParseHintTest, Period) {
  EXPECT_THAT(HintFor("C:" + kHash + " EXPIRE:30D", "Text cannot be parsed to a Period"),
              HasSubstr("e.g. EXPIRE:P30D"));
  EXPECT_THAT(HintFor("C:" + kHash + " EXPIRE:30D", "Text cannot be parsed to a Period"),
              HasSubstr("did you mean P30D?"));
  EXPECT_THAT(HintFor("C:" + kHash + " EXPIRE:30", "Text cannot be parsed to a Period"),
              HasSubstr("did you mean P30D?"));
  EXPECT_THAT(HintFor("C:" + kHash + " EXPIRE:PT1H", "Text cannot be parsed to a Period"),
              HasSubstr("no times"));
}

TEST(ConstraintParseHintTest, Numbers) {
  EXPECT_THAT(HintFor("S:" + kHash + " PROD:9999999999999", "For input string: \"9999999999999\""),
              HasSubstr("PROD is the product ID (ISVPRODID): a decimal number from 0 to 65535"));
  EXPECT_THAT(HintFor("S:" + kHash + " PROD:70000", "Product ID is not a 16-bit number."),
              HasSubstr("from 0 to 65535"));
  EXPECT_THAT(HintFor("C:" + kHash + " REVOKE:x", "For input string: \"x\""),
              HasSubstr("REVOKE is the minimum revocation level"));
}

TEST(ConstraintParseHintTest, Hashes) {
  EXPECT_THAT(HintFor("C:ABC", "Provided string is neither a SHA-256 or a SHA-512 string: ABC"),
              HasSubstr("64 hex digits"));
  std::string bad = kHash;
  bad[10] = 'G';
  EXPECT_THAT(HintFor("S:" + bad + " PROD:1", "contains illegal character for hexBinary: " + bad),
              HasSubstr("'G' is not a hex digit"));
}

TEST(ConstraintParseHintTest, TokensAndCriteria) {
  EXPECT_THAT(HintFor("PROD=1", "Invalid token: PROD=1"), HasSubstr("(write PROD:1)"));
  EXPECT_THAT(HintFor("S:" + kHash, "A product ID must be provided with a code signer."),
              HasSubstr("S needs PROD"));
  EXPECT_THAT(HintFor("PROD:1", "Either a code hash or a code signer must be provided."),
              HasSubstr("C:<MRENCLAVE>"));
  EXPECT_THAT(HintFor("C:" + kHash + " PROD:1 PROD:1", "More than one PROD defined"),
              HasSubstr("only once"));
  EXPECT_THAT(
      HintFor("C:" + kHash + " PROD:1", "A code signer must be provided with a product ID."),
      HasSubstr("PROD applies to S"));
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

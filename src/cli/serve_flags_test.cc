#include "cli/serve_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/note.h"

namespace vouch::cli {
namespace {

std::string LogVkey(const std::string& origin, uint8_t seed = 1) {
  return tlog::Ed25519NoteSigner::FromSeed(origin, Bytes(32, seed))->verifier_key().ToString();
}

std::string WitnessVkey(const std::string& name) {
  return tlog::CosignatureV1Signer::FromSeed(name, Bytes(32, 9))->verifier_key().ToString();
}

TEST(ParseWitnessFlagTest, SplitsAtTheEqualsSignBeforeTheKey) {
  const std::string vkey = WitnessVkey("w.example");
  // URLs may contain '=' too.
  auto parsed = ParseWitnessFlag("http://w.example/x?a=b=" + vkey);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->url, "http://w.example/x?a=b");
  EXPECT_EQ(parsed->key.ToString(), vkey);
  for (const std::string& bad :
       {std::string("no-equals-sign"), "=" + vkey, std::string("http://x=notakey")}) {
    EXPECT_THAT(ParseWitnessFlag(bad),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("URL=VKEY")))
        << bad;
    EXPECT_THAT(ParseWitnessFlag(bad), ReasonIs("config_invalid"));
  }
}

TEST(ParseWitnessLogFlagsTest, TakesLogKeysNamedByTheirOrigin) {
  auto logs = ParseWitnessLogFlags({"a.example/log=" + LogVkey("a.example/log", 1),
                                    "a.example/log=" + LogVkey("a.example/log", 2),
                                    "b.example/log=" + LogVkey("b.example/log")});
  ASSERT_THAT(logs, IsOk());
  ASSERT_EQ(logs->size(), 2u);
  EXPECT_EQ((*logs)[0].origin, "a.example/log");
  EXPECT_EQ((*logs)[0].keys.verifiers().size(), 2u);
  EXPECT_EQ((*logs)[1].origin, "b.example/log");
}

TEST(ParseWitnessLogFlagsTest, RefusesWitnessKeysAndOriginsThatAreNotTheKeysName) {
  EXPECT_THAT(ParseWitnessLogFlags({"w.example=" + WitnessVkey("w.example")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("cosignature key")));
  EXPECT_THAT(ParseWitnessLogFlags({"other.example/log=" + LogVkey("a.example/log")}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("the key is named a.example/log")));
  EXPECT_THAT(ParseWitnessLogFlags({"nonsense"}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("ORIGIN=VKEY")));
  EXPECT_THAT(ParseWitnessLogFlags({"a.example/log=garbage"}),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace vouch::cli

#include "vouch/tlog/checkpoint.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"

namespace vouch::tlog {
namespace {

TEST(TesseraCheckpointTest, AllSixteenParseVerifyAndReSign) {
  auto proofs = testing::ReadJson("tlog/derived/tessera_log_proofs.json");
  auto key = *ParseNoteVerifier(testing::kTesseraVkey);
  auto keys = *VerifierSet::Create({key});
  auto signer = *Ed25519NoteSigner::ParseGoPrivateKey(testing::kTesseraSkey);
  EXPECT_EQ(signer.verifier_key().ToString(), testing::kTesseraVkey);
  const NoteSigner* signers[] = {&signer};
  for (int n = 0; n <= 15; ++n) {
    std::string note = ::vouch::testing::ReadTestDataString(
        "tlog/tessera-testdata-log/log/checkpoint." + std::to_string(n));
    auto cp = SignedCheckpoint::Parse(note);
    ASSERT_THAT(cp, IsOk()) << n;
    EXPECT_EQ(cp->checkpoint().origin(), testing::kTesseraOrigin);
    EXPECT_EQ(cp->checkpoint().size(), static_cast<uint64_t>(n));
    EXPECT_EQ(Base64Encode(cp->checkpoint().root()),
              proofs["roots_by_size"][std::to_string(n)].get<std::string>());
    EXPECT_TRUE(cp->checkpoint().extensions().empty());
    EXPECT_THAT(cp->Verify(keys), IsOk()) << n;
    EXPECT_EQ(cp->checkpoint().ToText(), cp->text());
    EXPECT_EQ(cp->Serialize(), note);
    // Ed25519 is deterministic: re-signing with the published test key gives the same bytes.
    auto resigned = SignCheckpoint(cp->checkpoint(), signers);
    ASSERT_THAT(resigned, IsOk());
    EXPECT_EQ(*resigned, note) << n;
  }
  EXPECT_EQ(::vouch::testing::ReadTestDataString("tlog/tessera-testdata-log/log/checkpoint"),
            ::vouch::testing::ReadTestDataString("tlog/tessera-testdata-log/log/checkpoint.15"));
}

TEST(CheckpointTest, ExtensionLinesRoundTrip) {
  auto cp = Checkpoint::Create("example.com/log", 7, EmptyRoot(), {"ext one", "ext two"});
  ASSERT_THAT(cp, IsOk());
  std::string text = cp->ToText();
  EXPECT_EQ(text,
            "example.com/log\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n");
  auto parsed = Checkpoint::ParseText(text);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, *cp);
}

TEST(CheckpointTest, StrictParsing) {
  const std::string root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  const std::string bad[] = {
      "o\n5\n" + root,                                         // no final newline
      "o\n5\n",                                                // missing root
      "\n5\n" + root + "\n",                                   // empty origin
      "o\n05\n" + root + "\n",                                 // leading zero
      "o\n+5\n" + root + "\n",                                 // sign
      "o\n-1\n" + root + "\n",                                 // negative
      "o\n 5\n" + root + "\n",                                 // space
      "o\n18446744073709551616\n" + root + "\n",               // 2^64
      "o\n5\nAAAA\n",                                          // root too short
      "o\n5\n" + root.substr(0, 43) + "\n",                    // not padded
      "o\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n",  // non-canonical bits
      "o\n5\n" + root + "\n\next\n",                           // empty extension line
      "o\r\n5\n" + root + "\n",                                // control character
  };
  for (const auto& b : bad) {
    EXPECT_THAT(Checkpoint::ParseText(b), ReasonIs("checkpoint_malformed")) << b;
  }
  EXPECT_THAT(Checkpoint::ParseText("o\n18446744073709551615\n" + root + "\n"), IsOk());
  EXPECT_THAT(Checkpoint::ParseText("go.sum database tree\n0\n" + root + "\n"), IsOk());
  EXPECT_FALSE(Checkpoint::Create("", 1, EmptyRoot()).ok());
  EXPECT_FALSE(Checkpoint::Create("a\nb", 1, EmptyRoot()).ok());
  EXPECT_FALSE(Checkpoint::Create("a", 1, EmptyRoot(), {""}).ok());
}

TEST(CheckpointTest, NoteWithEmptyLineInTheBodyIsNotACheckpoint) {
  auto signer = *Ed25519NoteSigner::FromSeed("o", Bytes(32, 9));
  const NoteSigner* s[] = {&signer};
  std::string note = *SignNote("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\nx\n", s);
  EXPECT_THAT(SignedCheckpoint::Parse(note), ReasonIs("checkpoint_malformed"));
}

}  // namespace
}  // namespace vouch::tlog

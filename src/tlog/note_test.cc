#include "vouch/tlog/note.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::tlog {
namespace {

class GoNoteVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    j_ = testing::ReadJson("tlog/golang-mod-sumdb-note/note_vectors.json");
    peter_ = *ParseNoteVerifier(j_["keys"]["PeterNeumann"]["vkey"].get<std::string>());
    enoch_ = *ParseNoteVerifier(j_["keys"]["EnochRoot"]["vkey"].get<std::string>());
  }
  VerifierSet Set(std::vector<std::shared_ptr<const NoteVerifier>> v) {
    return *VerifierSet::Create(std::move(v));
  }
  nlohmann::json j_;
  std::shared_ptr<const NoteVerifier> peter_, enoch_;
};

TEST_F(GoNoteVectorsTest, SignedByPeterVerifies) {
  auto note = Note::Parse(j_["signed_by_peter"].get<std::string>());
  ASSERT_THAT(note, IsOk());
  EXPECT_EQ(note->text(), j_["text"].get<std::string>());
  auto v = VerifyNote(*note, Set({peter_}));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->verified, std::vector<size_t>{0});
  EXPECT_EQ(note->Serialize(), j_["signed_by_peter"].get<std::string>());
}

TEST_F(GoNoteVectorsTest, UnknownSignaturesAreIgnored) {
  auto note = Note::Parse(j_["signed_by_peter_and_enoch"].get<std::string>());
  ASSERT_THAT(note, IsOk());
  auto v = VerifyNote(*note, Set({peter_}));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->verified, std::vector<size_t>{0});
  EXPECT_EQ(v->unverified_lines, std::vector<size_t>{1});
  EXPECT_EQ(note->signatures()[1].key_name, "EnochRoot");
  EXPECT_EQ(note->signatures()[1].key_id, 0xaf0cfe78u);
  auto both = VerifyNote(*note, Set({peter_, enoch_}));
  ASSERT_THAT(both, IsOk());
  EXPECT_EQ(both->verified.size(), 2u);
  EXPECT_TRUE(both->unverified_lines.empty());
}

TEST_F(GoNoteVectorsTest, NoKnownVerifierIsRejected) {
  auto note = Note::Parse(j_["signed_by_peter"].get<std::string>());
  ASSERT_THAT(note, IsOk());
  EXPECT_THAT(VerifyNote(*note, Set({enoch_})), ReasonIs("note_unverified"));
  EXPECT_THAT(VerifyNote(*note, VerifierSet()), ReasonIs("note_unverified"));
}

TEST_F(GoNoteVectorsTest, DuplicateVerifierIsAmbiguous) {
  EXPECT_THAT(VerifierSet::Create({enoch_, enoch_}), ReasonIs("note_key_ambiguous"));
  auto again = *ParseNoteVerifier(j_["keys"]["EnochRoot"]["vkey"].get<std::string>());
  EXPECT_THAT(VerifierSet::Create({enoch_, again}), ReasonIs("note_key_ambiguous"));
}

TEST_F(GoNoteVectorsTest, At101SignaturesTheNoteIsMalformed) {
  std::string signed_note = j_["signed_by_peter"];
  std::string text = j_["text"];
  std::string line = signed_note.substr(text.size() + 1);
  std::string note = text + "\n";
  for (int i = 0; i < 100; ++i) {
    note += line;
  }
  auto hundred = Note::Parse(note);
  ASSERT_THAT(hundred, IsOk());
  // Every repeated line by a trusted key is verified (and counts once).
  auto v = VerifyNote(*hundred, Set({peter_}));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->verified.size(), 1u);
  note += line;
  EXPECT_THAT(Note::Parse(note), ReasonIs("note_malformed"));
}

TEST_F(GoNoteVectorsTest, CorruptedSignatureIsInvalid) {
  std::string signed_note = j_["signed_by_peter"];
  std::string text = j_["text"];
  std::string line = signed_note.substr(text.size() + 1);
  std::string corrupted = line.substr(0, 60) + "ABCD" + line.substr(60);
  auto note = Note::Parse(text + "\n" + corrupted);
  ASSERT_THAT(note, IsOk());
  EXPECT_THAT(VerifyNote(*note, Set({peter_})), ReasonIs("note_signature_invalid"));
}

TEST_F(GoNoteVectorsTest, MalformedNotesAreRejected) {
  int n = 0;
  for (const auto& m : j_["malformed_notes"]) {
    std::string s = m;
    // The 0xff case is stored as U+00FF in JSON; restore the raw invalid byte.
    if (s.rfind("\xC3\xBF", 0) == 0) {
      s = "\xFF" + s.substr(2);
    }
    EXPECT_THAT(Note::Parse(s), ReasonIs("note_malformed")) << n;
    ++n;
  }
  EXPECT_EQ(n, 7);
}

TEST_F(GoNoteVectorsTest, BadVerifierKeysAreRejected) {
  for (const auto& k : j_["bad_vkeys"]) {
    EXPECT_FALSE(ParseNoteVerifier(k.get<std::string>()).ok()) << k;
  }
  // As in Go's test: every proper substring and every single-byte increment of a valid vkey.
  std::string vkey = j_["keys"]["PeterNeumann"]["vkey"];
  ASSERT_THAT(ParseNoteVerifier(vkey), IsOk());
  for (size_t i = 0; i < vkey.size(); ++i) {
    for (size_t len = 0; i + len <= vkey.size(); ++len) {
      if (i == 0 && len == vkey.size()) {
        continue;
      }
      EXPECT_FALSE(ParseNoteVerifier(vkey.substr(i, len)).ok()) << vkey.substr(i, len);
    }
    std::string inc = vkey;
    inc[i] = static_cast<char>(inc[i] + 1);
    EXPECT_FALSE(ParseNoteVerifier(inc).ok()) << inc;
  }
}

TEST_F(GoNoteVectorsTest, SigningWithTheGoPrivateKeyReproducesTheNote) {
  std::string skey = j_["keys"]["PeterNeumann"]["skey"];
  auto signer = Ed25519NoteSigner::ParseGoPrivateKey(skey);
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ(signer->verifier_key().ToString(), j_["keys"]["PeterNeumann"]["vkey"]);
  EXPECT_EQ(AsStringView(signer->GoPrivateKey().Reveal()), skey);
  const NoteSigner* signers[] = {&*signer};
  auto note = SignNote(j_["text"].get<std::string>(), signers);
  ASSERT_THAT(note, IsOk());
  EXPECT_EQ(*note, j_["signed_by_peter"].get<std::string>());
  // Names with '+' cannot sign; texts must end in a newline.
  EXPECT_FALSE(Ed25519NoteSigner::FromSeed("a+b", Bytes(32, 1)).ok());
  EXPECT_FALSE(SignNote("no newline", signers).ok());
  EXPECT_FALSE(SignNote("", signers).ok());
  EXPECT_FALSE(SignNote("tab\there\n", signers).ok());
}

TEST_F(GoNoteVectorsTest, PrivateKeyParsingIsStrict) {
  std::string skey = j_["keys"]["PeterNeumann"]["skey"];
  EXPECT_THAT(Ed25519NoteSigner::ParseGoPrivateKey(skey.substr(1)), ReasonIs("skey_malformed"));
  std::string wrong_id = skey;
  wrong_id[std::string("PRIVATE+KEY+PeterNeumann+").size()] = '0';
  EXPECT_THAT(Ed25519NoteSigner::ParseGoPrivateKey(wrong_id), ReasonIs("skey_malformed"));
  // Regression (fuzz): an empty key part must fail cleanly.
  EXPECT_THAT(Ed25519NoteSigner::ParseGoPrivateKey("PRIVATE+KEY+n+c74f83a3+"),
              ReasonIs("skey_malformed"));
  EXPECT_THAT(
      Ed25519NoteSigner::ParseGoPrivateKey(j_["keys"]["PeterNeumann"]["vkey"].get<std::string>()),
      ReasonIs("skey_malformed"));
}

TEST(C2spNoteTest, SignedNoteExampleVerifies) {
  auto j = testing::ReadJson("tlog/c2sp-spec-examples/examples.json");
  auto v = ParseNoteVerifier(j["signed_note_example"]["vkey"].get<std::string>());
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ((*v)->key_id(), 0x530d903au);
  auto note = Note::Parse(j["signed_note_example"]["note"].get<std::string>());
  ASSERT_THAT(note, IsOk());
  EXPECT_THAT(VerifyNote(*note, *VerifierSet::Create({*v})), IsOk());
}

TEST(C2spNoteTest, RealSumGolangOrgCheckpointVerifies) {
  auto j = testing::ReadJson("tlog/c2sp-spec-examples/examples.json");
  const auto& rw = j["real_world_checkpoint"];
  auto v = ParseNoteVerifier(rw["vkey"].get<std::string>());
  ASSERT_THAT(v, IsOk());
  auto cp = SignedCheckpoint::Parse(rw["note"].get<std::string>());
  ASSERT_THAT(cp, IsOk());
  EXPECT_EQ(cp->checkpoint().origin(), "go.sum database tree");
  EXPECT_EQ(cp->checkpoint().size(), 35225469u);
  EXPECT_THAT(cp->Verify(*VerifierSet::Create({*v})), IsOk());
}

// ---- Structure and §4.4 rules on our own notes. ----

class OwnNoteTest : public ::testing::Test {
 protected:
  OwnNoteTest()
      : signer_(*Ed25519NoteSigner::FromSeed("example.com/log", Bytes(32, 7))),
        verifier_(*NewNoteVerifier(signer_.verifier_key())) {}
  std::string Sign(std::string_view text) {
    const NoteSigner* s[] = {&signer_};
    return *SignNote(text, s);
  }
  Ed25519NoteSigner signer_;
  std::shared_ptr<const NoteVerifier> verifier_;
};

TEST_F(OwnNoteTest, TextMaySpanBlankLinesAndTheLastBlankLineSplits) {
  std::string note = Sign("a\n\nb\n");
  auto parsed = Note::Parse(note);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->text(), "a\n\nb\n");
  EXPECT_THAT(VerifyNote(*parsed, *VerifierSet::Create({verifier_})), IsOk());
  std::string ends_blank = Sign("a\n\n");
  auto p2 = Note::Parse(ends_blank);
  ASSERT_THAT(p2, IsOk());
  EXPECT_EQ(p2->text(), "a\n\n");
}

TEST_F(OwnNoteTest, TrustedNameWithUndecodableBase64IsAFailedSignature) {
  std::string note = Sign("hello\n");
  auto set = *VerifierSet::Create({verifier_});
  // Untrusted name, garbage base64: ignored.
  auto ok = Note::Parse(note + "\xE2\x80\x94 other.example/w !!!!\n");
  ASSERT_THAT(ok, IsOk());
  auto v = VerifyNote(*ok, set);
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->unverified_lines, std::vector<size_t>{1});
  // Trusted name, non-canonical base64: rejected.
  auto bad = Note::Parse(note + "\xE2\x80\x94 example.com/log AAAAAB==\n");
  ASSERT_THAT(bad, IsOk());
  EXPECT_FALSE(bad->signatures()[1].decoded);
  EXPECT_THAT(VerifyNote(*bad, set), ReasonIs("note_signature_invalid"));
  // Trusted name, fewer than 5 bytes: rejected.
  auto shortsig = Note::Parse(note + "\xE2\x80\x94 example.com/log AAAAAA==\n");
  ASSERT_THAT(shortsig, IsOk());
  EXPECT_THAT(VerifyNote(*shortsig, set), ReasonIs("note_signature_invalid"));
  // Trusted name, different key ID: another key, ignored.
  auto other_id = Note::Parse(note + "\xE2\x80\x94 example.com/log AAAAAAAA\n");
  ASSERT_THAT(other_id, IsOk());
  EXPECT_THAT(VerifyNote(*other_id, set), IsOk());
}

TEST_F(OwnNoteTest, RepeatedTrustedLineThatFailsRejectsTheNote) {
  std::string note = Sign("hello\n");
  std::string line = note.substr(std::string("hello\n\n").size());
  // Flip one signature character (keeping the key ID) in a repeat of the line.
  std::string bad_line = line;
  bad_line[bad_line.size() - 10] = bad_line[bad_line.size() - 10] == 'A' ? 'B' : 'A';
  auto parsed = Note::Parse(note + bad_line);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_THAT(VerifyNote(*parsed, *VerifierSet::Create({verifier_})),
              ReasonIs("note_signature_invalid"));
}

TEST_F(OwnNoteTest, ManyUnknownSignaturesAreAccepted) {
  std::string note = Sign("hello\n");
  for (int i = 0; i < 40; ++i) {
    note += FormatSignatureLine("w" + std::to_string(i) + ".example", 1234, Bytes(64, 1));
  }
  auto parsed = Note::Parse(note);
  ASSERT_THAT(parsed, IsOk());
  auto v = VerifyNote(*parsed, *VerifierSet::Create({verifier_}));
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->unverified_lines.size(), 40u);
}

TEST_F(OwnNoteTest, StructuralErrors) {
  std::string note = Sign("hello\n");
  const char* bad[] = {
      "hello\n\n",                                   // no signatures
      "hello\n",                                     // no blank line
      "hello\n\n- example.com/log AAAA\n",           // wrong prefix
      "hello\n\n\xE2\x80\x94 example.com/log\n",     // no space
      "hello\n\n\xE2\x80\x94  AAAAAAAA\n",           // empty name
      "hello\n\n\xE2\x80\x94 a+b AAAAAAAA\n",        // '+' in name
      "hello\n\n\xE2\x80\x94 a AAAA AAAA\n",         // space in base64
      "hello\n\n\xE2\x80\x94 a \n",                  // empty base64
      "he\rllo\n\n\xE2\x80\x94 a AAAAAAAA\n",        // control character
      "he\xC0\x80llo\n\n\xE2\x80\x94 a AAAAAAAA\n",  // overlong UTF-8
      ("hello\n\n\xE2\x80\x94 a\xC2\xA0"
       "b AAAAAAAA\n"),  // NBSP in name
  };
  for (const char* b : bad) {
    EXPECT_THAT(Note::Parse(b), ReasonIs("note_malformed")) << b;
  }
  EXPECT_THAT(Note::Parse(std::string(kMaxNoteSize + 1, 'a')), ReasonIs("note_malformed"));
  EXPECT_THAT(Note::Parse(note), IsOk());
}

TEST(KeyNameTest, Rules) {
  EXPECT_TRUE(IsValidKeyName("example.com/log"));
  EXPECT_TRUE(IsValidKeyName("caf\xC3\xA9"));
  EXPECT_FALSE(IsValidKeyName(""));
  EXPECT_FALSE(IsValidKeyName("a b"));
  EXPECT_FALSE(IsValidKeyName("a+b"));
  EXPECT_FALSE(IsValidKeyName("a\tb"));
  EXPECT_FALSE(
      IsValidKeyName("a\xE3\x80\x80"
                     "b"));  // U+3000
  EXPECT_FALSE(IsValidKeyName("a\xFF"));
}

TEST(VerifierKeyTest, OpaqueTypesParseButHaveNoVerifier) {
  // Type 0x02 (ECDSA): key ID computed differently; carried opaquely.
  Bytes material = {0x02, 1, 2, 3};
  std::string vkey = "ecdsa.example+01020304+" + Base64Encode(material);
  auto k = VerifierKey::Parse(vkey);
  ASSERT_THAT(k, IsOk());
  EXPECT_EQ(k->type(), 0x02);
  EXPECT_EQ(k->ToString(), vkey);
  EXPECT_THAT(NewNoteVerifier(*k), StatusIs(StatusCode::kUnimplemented));
  // Uppercase key IDs are not canonical.
  EXPECT_FALSE(VerifierKey::Parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
                                  "LDE4izWy10TW")
                   .ok());
}

}  // namespace
}  // namespace vouch::tlog

#include "dsse/jcs.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch::internal {
namespace {

std::string Canonical(std::string_view text) {
  auto v = ParseJson(text);
  EXPECT_THAT(v, IsOk()) << text;
  if (!v.ok()) return "";
  auto c = CanonicalJson(*v);
  EXPECT_THAT(c, IsOk());
  return c.ok() ? *c : "";
}

void ExpectRejected(std::string_view text, std::string_view why) {
  auto v = ParseJson(text);
  EXPECT_THAT(v, StatusIs(StatusCode::kInvalidArgument, HasSubstr(std::string(why)))) << text;
  if (!v.ok()) {
    EXPECT_EQ(v.status().reason(), kJsonMalformed);
  }
}

TEST(JcsTest, ReaderRejectsWhatTheLedgerRejects) {
  ExpectRejected(R"({"a":1,"a":2})", "duplicate key \"a\"");
  ExpectRejected(R"({"a":{"b":1,"b":1}})", "duplicate key");
  ExpectRejected(R"({} {})", "after the JSON value");
  ExpectRejected(R"({}x)", "after the JSON value");
  ExpectRejected(R"({"a":1.0})", "only integers");
  ExpectRejected(R"({"a":1e0})", "only integers");
  ExpectRejected(R"({"a":-0})", "-0");
  ExpectRejected(R"({"a":01})", "expected ',' or '}'");
  ExpectRejected(R"({"a":9007199254740992})", "out of range");
  ExpectRejected(R"({"a":-9007199254740992})", "out of range");
  ExpectRejected(R"({"a":99999999999999999999999})", "out of range");
  ExpectRejected("{\"\xc3\xa4\":1}", "not printable ASCII");
  ExpectRejected("{\"a\\u0001\":1}", "not printable ASCII");
  ExpectRejected("\"\xc3\"", "invalid UTF-8");
  ExpectRejected("\"\xc0\xaf\"", "invalid UTF-8");          // overlong '/'
  ExpectRejected("\"\xed\xa0\x80\"", "invalid UTF-8");      // UTF-8-encoded surrogate
  ExpectRejected("\"\xf4\x90\x80\x80\"", "invalid UTF-8");  // above U+10FFFF
  ExpectRejected(R"("\ud800")", "high surrogate");
  ExpectRejected(R"("\udc00")", "lone low surrogate");
  ExpectRejected(R"("\ud800\u0041")", "high surrogate");
  ExpectRejected("\"a\tb\"", "raw control character");
  ExpectRejected(R"("\x")", "invalid escape");
  ExpectRejected(R"({"a":tru})", "invalid literal");
  ExpectRejected(R"([1,])", "unexpected character");
  ExpectRejected("", "unexpected end");
  ExpectRejected(R"({"a")", "expected ':'");
  std::string deep(33, '[');
  deep += std::string(33, ']');
  ExpectRejected(deep, "nested deeper than 32");
  std::string ok_deep(32, '[');
  ok_deep += std::string(32, ']');
  EXPECT_THAT(ParseJson(ok_deep), IsOk());
  EXPECT_THAT(ParseJson(R"({"a":9007199254740991,"b":-9007199254740991})"), IsOk());
}

TEST(JcsTest, ForeignDocumentsMayHoldFloatsAndUnicodeKeys) {
  JsonReadOptions lenient;
  lenient.integers_only = false;
  lenient.ascii_keys_only = false;
  auto v = ParseJson("{\"\xc3\xa4\":1.5e3,\"b\":-0.25}", lenient);
  ASSERT_THAT(v, IsOk());
  EXPECT_DOUBLE_EQ((*v)["b"].get<double>(), -0.25);
  // Still no duplicates, still no trailing data.
  EXPECT_THAT(ParseJson(R"({"a":1.5,"a":2})", lenient), StatusIs(StatusCode::kInvalidArgument));
  // The writer refuses what is outside the subset.
  EXPECT_THAT(CanonicalJson(*v), StatusIs(StatusCode::kInvalidArgument));
}

TEST(JcsTest, WritesRfc8785ForTheSubset) {
  EXPECT_EQ(Canonical(R"( { "b" : [ 1 , true , null , false ] , "a" : "x" } )"),
            R"({"a":"x","b":[1,true,null,false]})");
  // Escapes only '"', '\' and controls (short forms where JSON has them); '/' and U+007F,
  // U+2028 and non-ASCII stay literal.
  EXPECT_EQ(Canonical(R"("\"\\\/\b\f\n\r\t\u0000\u001f\u007f\u00e4\u2028\ud83d\ude00")"),
            "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\xc3\xa4\xe2\x80\xa8\xf0\x9f\x98\x80\"");
  EXPECT_EQ(Canonical(R"({"B":1,"a":2,"A":3,"_":4})"), R"({"A":3,"B":1,"_":4,"a":2})");
  EXPECT_EQ(Canonical("-9007199254740991"), "-9007199254740991");
  EXPECT_EQ(Canonical("[]"), "[]");
  EXPECT_EQ(Canonical("{}"), "{}");
  nlohmann::json big = uint64_t{1} << 53;
  EXPECT_THAT(CanonicalJson(big), StatusIs(StatusCode::kInvalidArgument, HasSubstr("range")));
  nlohmann::json bad_key = {{"a/b~", {{"\x01", 1}}}};
  EXPECT_THAT(CanonicalJson(bad_key), StatusIs(StatusCode::kInvalidArgument, HasSubstr("/a~1b~0")));
  nlohmann::json bad_utf8 = std::string("\xff");
  EXPECT_THAT(CanonicalJson(bad_utf8), StatusIs(StatusCode::kInvalidArgument));
}

// The worked examples' payloads are the JCS form of their pretty-printed statements.
TEST(JcsTest, ExamplePayloadsAreTheCanonicalFormOfTheStatements) {
  for (const char* name : {"provenance-builder-a", "provenance-builder-b", "admission",
                           "revocation", "processing-record"}) {
    SCOPED_TRACE(name);
    std::string pretty = testing::ReadTestDataString(std::string("governance/derived/examples/") +
                                                     name + ".statement.json");
    auto entry = nlohmann::json::parse(
        testing::ReadTestDataString(std::string("governance/derived/examples/") + name + ".entry"));
    Bytes payload = *Base64Decode(entry["payload"].get<std::string>());
    EXPECT_EQ(Canonical(pretty), AsStringView(payload));
    // And canonical text is a fixed point.
    EXPECT_EQ(Canonical(AsStringView(payload)), AsStringView(payload));
  }
}

}  // namespace
}  // namespace vouch::internal

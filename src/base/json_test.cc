#include "base/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "testing/status_matchers.h"

namespace vouch::internal {
namespace {

using ::testing::StartsWith;

TEST(ParseStrictJsonTest, ParsesAValue) {
  auto value = ParseStrictJson(R"({"a":[1,{"b":"c"}],"d":null})", 16);
  ASSERT_THAT(value, IsOk());
  EXPECT_EQ((*value)["a"][1]["b"], "c");
  EXPECT_TRUE((*value)["d"].is_null());
}

TEST(ParseStrictJsonTest, RejectsSyntaxErrorsWithoutNlohmannsPrefix) {
  for (const char* text : {"", "{", "{\"a\":1}x", "\"\xff\""}) {
    auto value = ParseStrictJson(text, 16);
    EXPECT_THAT(value, StatusIs(StatusCode::kInvalidArgument, StartsWith("parse error"))) << text;
    EXPECT_THAT(value, ReasonIs(kJsonSyntaxError)) << text;
  }
}

TEST(ParseStrictJsonTest, RejectsTheFirstDuplicateKeyAtAnyLevel) {
  EXPECT_THAT(ParseStrictJson(R"({"a":1,"b":2,"a":3,"b":4})", 16),
              StatusIs(StatusCode::kInvalidArgument, "duplicate key \"a\""));
  auto nested = ParseStrictJson(R"({"x":[{"k":1,"k":2}]})", 16);
  EXPECT_THAT(nested, StatusIs(StatusCode::kInvalidArgument, "duplicate key \"k\""));
  EXPECT_THAT(nested, ReasonIs(kJsonDuplicateKey));
}

TEST(ParseStrictJsonTest, AcceptsTheSameKeyInDifferentObjects) {
  EXPECT_THAT(ParseStrictJson(R"({"a":{"k":1},"b":{"k":2},"k":3})", 16), IsOk());
}

TEST(ParseStrictJsonTest, LimitsNesting) {
  auto nested = [](int levels) { return std::string(levels, '[') + std::string(levels, ']'); };
  EXPECT_THAT(ParseStrictJson(nested(4), 4), IsOk());
  auto value = ParseStrictJson(nested(5), 4);
  EXPECT_THAT(value, StatusIs(StatusCode::kInvalidArgument, "nested deeper than 4 levels"));
  EXPECT_THAT(value, ReasonIs(kJsonTooDeep));
  EXPECT_THAT(ParseStrictJson(R"({"a":{"b":{"c":{}}}})", 3),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("deeper than 3")));
}

TEST(ParseStrictJsonDocumentTest, WordsEachErrorToStandAlone) {
  auto syntax = ParseStrictJsonDocument("{", 16);
  EXPECT_THAT(syntax, StatusIs(StatusCode::kInvalidArgument,
                               StartsWith("invalid JSON: parse error at line 1, column 2")));
  EXPECT_THAT(syntax, ReasonIs(kJsonSyntaxError));
  auto deep = ParseStrictJsonDocument("[[[]]]", 2);
  EXPECT_THAT(deep, StatusIs(StatusCode::kInvalidArgument, "JSON nested deeper than 2 levels"));
  EXPECT_THAT(deep, ReasonIs(kJsonTooDeep));
  auto duplicate = ParseStrictJsonDocument(R"({"a":1,"a":2})", 16);
  EXPECT_THAT(duplicate, StatusIs(StatusCode::kInvalidArgument, "duplicate key \"a\""));
  EXPECT_THAT(duplicate, ReasonIs(kJsonDuplicateKey));
  auto value = ParseStrictJsonDocument(R"({"a":[1,2]})", 16);
  ASSERT_THAT(value, IsOk());
  EXPECT_EQ((*value)["a"][1], 2);
}

TEST(JsonUnsignedTest, AcceptsIntegersInRangeOnly) {
  using nlohmann::json;
  EXPECT_EQ(*JsonUnsigned(json(0), 0), 0u);
  EXPECT_EQ(*JsonUnsigned(json(255), 255), 255u);
  EXPECT_EQ(*JsonUnsigned(json::parse("18446744073709551615"), UINT64_MAX), UINT64_MAX);
  EXPECT_THAT(JsonUnsigned(json(256), 255),
              StatusIs(StatusCode::kInvalidArgument, "integer outside 0..255"));
  EXPECT_THAT(JsonUnsigned(json(-1), 255),
              StatusIs(StatusCode::kInvalidArgument, "integer outside 0..255"));
  for (const json& v : {json(1.0), json("1"), json(true), json(nullptr), json::array()}) {
    EXPECT_THAT(JsonUnsigned(v, 255), StatusIs(StatusCode::kInvalidArgument, "expected an integer"))
        << v.dump();
  }
}

TEST(JsonHexTest, DecodesExactlyNBytes) {
  using nlohmann::json;
  auto two = JsonHex<2>(json("0aFf"));
  ASSERT_THAT(two, IsOk());
  EXPECT_EQ(*two, (std::array<uint8_t, 2>{0x0a, 0xff}));
  EXPECT_THAT(JsonHex<2>(json("0a")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JsonHex<2>(json("0aff00")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JsonHex<2>(json("zzzz")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JsonHex<2>(json(10)),
              StatusIs(StatusCode::kInvalidArgument, "expected a hex string"));
}

TEST(JsonErrorMessageTest, StripsOnlyNlohmannsPrefix) {
  try {
    nlohmann::json parsed = nlohmann::json::parse("{");
    FAIL() << "parse did not throw: " << parsed.dump();
  } catch (const nlohmann::json::exception& e) {
    EXPECT_THAT(std::string(e.what()), StartsWith("[json.exception.parse_error."));
    EXPECT_THAT(JsonErrorMessage(e), StartsWith("parse error at line 1, column 2"));
  }
  EXPECT_EQ(JsonErrorMessage(std::runtime_error("[other] text")), "[other] text");
}

}  // namespace
}  // namespace vouch::internal

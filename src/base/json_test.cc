#include "base/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "testing/status_matchers.h"

namespace vouch::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::vouch::testing::IsOk;
using ::vouch::testing::ReasonIs;
using ::vouch::testing::StatusIs;

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

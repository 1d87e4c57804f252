#include "vouch/base/status.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/base/statusor.h"

namespace vouch {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  VOUCH_ASSIGN_OR_RETURN(int half, Half(x));
  VOUCH_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusTest, DefaultIsOk) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().ToString(), "OK");
}

TEST(StatusTest, CarriesCodeMessageAndReason) {
  Status s = RejectedError("bad_sig", "signature does not verify");
  EXPECT_THAT(s, StatusIs(StatusCode::kPermissionDenied, HasSubstr("does not verify")));
  EXPECT_THAT(s, ReasonIs("bad_sig"));
  EXPECT_EQ(s.ToString(), "PERMISSION_DENIED[bad_sig]: signature does not verify");
}

TEST(StatusTest, WithContextKeepsCodeAndReason) {
  Status s = MalformedError("quote_malformed", "truncated").WithContext("quote");
  EXPECT_EQ(s.message(), "quote: truncated");
  EXPECT_EQ(s.reason(), "quote_malformed");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(StatusOrTest, PropagatesErrorsThroughMacros) {
  EXPECT_THAT(Quarter(8), IsOk());
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument, "odd"));
}

TEST(StatusOrTest, OkStatusWithoutValueBecomesInternal) {
  StatusOr<int> s = OkStatus();
  EXPECT_THAT(s, StatusIs(StatusCode::kInternal));
}

TEST(StatusOrTest, MoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> s = std::make_unique<int>(7);
  ASSERT_TRUE(s.ok());
  std::unique_ptr<int> p = *std::move(s);
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace vouch

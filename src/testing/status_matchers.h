// gMock matchers for Status and StatusOr (Debian's abseil has none):
//   EXPECT_THAT(s, IsOk());
//   EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
//   EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("truncated")));
//   EXPECT_THAT(s, ReasonIs("qe_report_signature_invalid"));
#ifndef VOUCH_TESTING_STATUS_MATCHERS_H_
#define VOUCH_TESTING_STATUS_MATCHERS_H_

#include <gmock/gmock.h>

#include "vouch/base/status.h"
#include "vouch/base/statusor.h"

namespace vouch::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
const Status& GetStatus(const StatusOr<T>& s) {
  static const Status kOk;
  return s.ok() ? kOk : s.status();
}

MATCHER(IsOk, "is OK") {
  const Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + std::string(StatusCodeName(code))) {
  const Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + std::string(StatusCodeName(code))) {
  const Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code &&
         ::testing::Matches(::testing::Matcher<const std::string&>(message_matcher))(s.message());
}

// A StatusOr that is OK and holds a value equal to `value`.
MATCHER_P(IsOkAndHolds, value, "is OK and holds " + ::testing::PrintToString(value)) {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status().ToString();
    return false;
  }
  *result_listener << "holds " << ::testing::PrintToString(*arg);
  return *arg == value;
}

MATCHER_P(ReasonIs, reason, "has reason " + std::string(reason)) {
  const Status& s = GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return !s.ok() && s.reason() == reason;
}

}  // namespace vouch::testing

// Every test of Vouch's code (in namespace vouch or one inside it) uses these, so they are
// visible there without a using-declaration in each test file.
namespace vouch {
using ::testing::HasSubstr;
using testing::IsOk;
using testing::IsOkAndHolds;
using testing::ReasonIs;
using testing::StatusIs;
}  // namespace vouch

#endif  // VOUCH_TESTING_STATUS_MATCHERS_H_

#include "vouch/base/time.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace vouch {
namespace {

TEST(Rfc3339Test, ParsesAndFormats) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2025-06-19T10:56:11Z"), 1750330571);
  EXPECT_EQ(*ParseRfc3339("2025-06-19t10:56:11z"), 1750330571);
  EXPECT_EQ(*ParseRfc3339("2025-06-19T12:56:11+02:00"), 1750330571);
  EXPECT_EQ(*ParseRfc3339("2025-06-19T10:56:11.999Z"), 1750330571);
  EXPECT_EQ(FormatRfc3339(1750330571), "2025-06-19T10:56:11Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*ParseRfc3339("2024-02-29T00:00:00Z"), 1709164800);
}

TEST(Rfc3339Test, RejectsMalformed) {
  for (const char* bad :
       {"", "2025-06-19", "2025-06-19T10:56:11", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2025-06-19T24:00:00Z", "2025-06-19T10:56:11Zx", "2025-06-19T10:56:11.Z",
        "2025-06-19 10:56:11Z", "2025-06-19T10:56:11+0200"}) {
    EXPECT_THAT(ParseRfc3339(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(TimeArgTest, UnixSecondsOrRfc3339) {
  EXPECT_EQ(*ParseTimeArg("1752919277"), 1752919277);
  EXPECT_EQ(*ParseTimeArg("-5"), -5);
  EXPECT_EQ(*ParseTimeArg("2025-07-19T10:01:17Z"), 1752919277);
  EXPECT_FALSE(ParseTimeArg("").ok());
  EXPECT_FALSE(ParseTimeArg("-").ok());
  EXPECT_FALSE(ParseTimeArg("12x").ok());
  EXPECT_FALSE(ParseTimeArg("99999999999999999999999").ok());
}

TEST(CivilTest, RoundTripsAcrossEras) {
  for (int64_t days : {-1000000LL, -719468LL, -1LL, 0LL, 1LL, 19000LL, 2932896LL}) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(days)), days);
  }
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
}

TEST(PeriodTest, ParsesLikeJavaTimePeriod) {
  EXPECT_EQ(*Period::Parse("P2M3W4D"), Period(0, 2, 25));
  EXPECT_EQ(*Period::Parse("p1y"), Period(1, 0, 0));
  EXPECT_EQ(*Period::Parse("P6M2W5D"), Period(0, 6, 19));
  EXPECT_EQ(*Period::Parse("-P1Y2M"), Period(-1, -2, 0));
  EXPECT_EQ(*Period::Parse("P-1D"), Period(0, 0, -1));
  EXPECT_EQ(*Period::Parse("-P-1D"), Period(0, 0, 1));
  EXPECT_EQ(*Period::Parse("+P+3D"), Period(0, 0, 3));
  EXPECT_EQ(*Period::Parse("P2W"), Period(0, 0, 14));
  EXPECT_EQ(*Period::Parse("P0D"), Period());
}

TEST(PeriodTest, RejectsWhatJavaRejects) {
  for (const char* bad :
       {"", "P", "PT1H", "P1H", "1Y", "P1D1Y", "P1Y1Y", "P1", "PY", "P2147483648D", "P306783379W",
        "P-2147483648Y\xff", "P1Y ", " P1Y", "P1.5D", "P++1D", "--P1D",
        "P\xd9\xa1"
        "D"}) {
    EXPECT_THAT(Period::Parse(bad),
                StatusIs(StatusCode::kInvalidArgument, "Text cannot be parsed to a Period"))
        << bad;
  }
  // -P-2147483648D overflows on negation (Math.multiplyExact).
  EXPECT_FALSE(Period::Parse("-P-2147483648D").ok());
  EXPECT_TRUE(Period::Parse("P-2147483648D").ok());
}

TEST(PeriodTest, CanonicalText) {
  EXPECT_EQ(Period::Parse("P2M3W4D")->ToString(), "P2M25D");
  EXPECT_EQ(Period::Parse("P6M2W5D")->ToString(), "P6M19D");
  EXPECT_EQ(Period::Parse("p1y")->ToString(), "P1Y");
  EXPECT_EQ(Period::Parse("P2W")->ToString(), "P14D");
  EXPECT_EQ(Period::Parse("P0Y0M")->ToString(), "P0D");
  EXPECT_EQ(Period::Parse("-P1Y2M")->ToString(), "P-1Y-2M");
  EXPECT_NE(*Period::Parse("P1Y"), *Period::Parse("P12M"));
  EXPECT_EQ(*Period::Parse("P2W"), *Period::Parse("P14D"));
}

TEST(PeriodTest, SubtractsOnTheUtcCalendar) {
  const UnixSeconds march31 = *ParseRfc3339("2024-03-31T12:34:56Z");
  EXPECT_EQ(FormatRfc3339(Period(0, 1, 0).SubtractFrom(march31)), "2024-02-29T12:34:56Z");
  EXPECT_EQ(FormatRfc3339(Period(1, 1, 0).SubtractFrom(march31)), "2023-02-28T12:34:56Z");
  const UnixSeconds leap = *ParseRfc3339("2024-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Period(1, 0, 0).SubtractFrom(leap)), "2023-02-28T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Period(0, 0, 1).SubtractFrom(leap)), "2024-02-28T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Period(0, 0, -1).SubtractFrom(leap)), "2024-03-01T00:00:00Z");
  // Months first (clamped), then days.
  EXPECT_EQ(FormatRfc3339(Period(0, 1, 1).SubtractFrom(march31)), "2024-02-28T12:34:56Z");
  EXPECT_EQ(FormatRfc3339(Period(0, 13, 0).SubtractFrom(march31)), "2023-02-28T12:34:56Z");
  // Extreme components stay well-defined.
  EXPECT_LT(Period(INT32_MAX, INT32_MAX, INT32_MAX).SubtractFrom(0), 0);
  EXPECT_GT(Period(INT32_MIN, INT32_MIN, INT32_MIN).SubtractFrom(0), 0);
}

}  // namespace
}  // namespace vouch

// Time in Vouch is Unix seconds (UTC) passed explicitly; the current time comes from a Clock
// (clock.h) that programs pass down.
// RFC 3339 timestamps, proleptic-Gregorian civil-date arithmetic, and ISO-8601 date periods
// with java.time.Period semantics (what Conclave's EXPIRE uses, spec/constraint-dsl.md §8).
#ifndef VOUCH_BASE_TIME_H_
#define VOUCH_BASE_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"

namespace vouch {

using UnixSeconds = int64_t;

// Parses "2025-06-19T10:56:11Z", with optional fractional seconds (truncated towards the past)
// and a "Z" or "±hh:mm" offset. 'T'/'t' and 'Z'/'z' are accepted (RFC 3339 §5.6).
StatusOr<UnixSeconds> ParseRfc3339(std::string_view text);
// Formats as "YYYY-MM-DDTHH:MM:SSZ" (UTC). REQUIRES: year in 0..9999.
std::string FormatRfc3339(UnixSeconds t);
// A command-line time: decimal Unix seconds (optionally negative) or RFC 3339.
StatusOr<UnixSeconds> ParseTimeArg(std::string_view text);

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};
// Days since 1970-01-01 of a proleptic-Gregorian date, valid for any int64 year that fits.
int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(int64_t days);
int DaysInMonth(int64_t year, int month);

// An ISO-8601 date-based amount of time: years, months and days, as java.time.Period.
// Not normalised: P13M stays P13M, and P1Y != P12M. Weeks are folded into days when parsed.
class Period {
 public:
  Period() = default;
  Period(int32_t years, int32_t months, int32_t days)
      : years_(years), months_(months), days_(days) {}

  // Parses [sign] "P" [nY] [nM] [nW] [nD] case-insensitively, with per-part signs, as
  // java.time.Period.parse. Every failure is "Text cannot be parsed to a Period".
  static StatusOr<Period> Parse(std::string_view text);

  int32_t years() const { return years_; }
  int32_t months() const { return months_; }
  int32_t days() const { return days_; }
  bool IsZero() const { return years_ == 0 && months_ == 0 && days_ == 0; }

  // "P0D" for zero, else "P" [nY] [nM] [nD] (java.time.Period.toString).
  std::string ToString() const;

  // `t` minus this period on the UTC calendar with java.time's rules: whole months (or years
  // when months == 0) in one step, the day of month clamped to the target month's length,
  // then days; the time of day is kept. Arithmetic is 64-bit, so it never overflows for
  // 32-bit components.
  UnixSeconds SubtractFrom(UnixSeconds t) const;

  friend bool operator==(const Period& a, const Period& b) = default;

 private:
  int32_t years_ = 0;
  int32_t months_ = 0;
  int32_t days_ = 0;
};

}  // namespace vouch

#endif  // VOUCH_BASE_TIME_H_

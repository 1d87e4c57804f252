#include "vouch/base/time.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>

namespace vouch {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

// Floor division for negative numerators.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool ParseFixedDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

Status Rfc3339Error(std::string_view text) {
  return InvalidArgumentError("invalid RFC 3339 timestamp \"" + std::string(text) +
                              "\" (expected e.g. 2025-06-19T10:56:11Z)");
}

}  // namespace

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

// Howard Hinnant's days_from_civil, widened to 64-bit years.
int64_t DaysFromCivil(const CivilDate& date) {
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t mp = (date.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{year, month, day};
}

StatusOr<UnixSeconds> ParseRfc3339(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (s.size() < 20 || !ParseFixedDigits(s, 0, 4, &year) || s[4] != '-' ||
      !ParseFixedDigits(s, 5, 2, &month) || s[7] != '-' || !ParseFixedDigits(s, 8, 2, &day) ||
      (s[10] != 'T' && s[10] != 't') || !ParseFixedDigits(s, 11, 2, &hour) || s[13] != ':' ||
      !ParseFixedDigits(s, 14, 2, &minute) || s[16] != ':' ||
      !ParseFixedDigits(s, 17, 2, &second)) {
    return Rfc3339Error(s);
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return Rfc3339Error(s);
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ++pos;
      ++digits;
    }
    if (digits == 0) return Rfc3339Error(s);
  }
  int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!ParseFixedDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ParseFixedDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return Rfc3339Error(s);
    }
    offset_seconds = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return Rfc3339Error(s);
  }
  if (pos != s.size()) return Rfc3339Error(s);
  int64_t days = DaysFromCivil(CivilDate{year, month, day});
  return days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset_seconds;
}

std::string FormatRfc3339(UnixSeconds t) {
  int64_t days = FloorDiv(t, kSecondsPerDay);
  int64_t secs = t - days * kSecondsPerDay;
  CivilDate d = CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ",
                static_cast<long long>(d.year), d.month, d.day, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

StatusOr<UnixSeconds> ParseTimeArg(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty time");
  bool all_digits = true;
  for (size_t i = (text[0] == '-') ? 1 : 0; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') all_digits = false;
  }
  if (all_digits && text != "-") {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return InvalidArgumentError("time \"" + std::string(text) + "\" is out of range");
    }
    return v;
  }
  auto parsed = ParseRfc3339(text);
  if (!parsed.ok()) {
    return InvalidArgumentError("invalid time \"" + std::string(text) +
                                "\": expected Unix seconds or RFC 3339 (2025-06-19T10:56:11Z)");
  }
  return parsed;
}

// ---- Period ----

namespace {

Status PeriodError() { return InvalidArgumentError("Text cannot be parsed to a Period"); }

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Parses `[+-]?[0-9]+` as a signed 32-bit integer (Integer.parseInt), then multiplies by
// `negate` with overflow detection (Math.multiplyExact).
bool ParseComponent(std::string_view s, int negate, int32_t* out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!IsAsciiDigit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
    if (v > int64_t{std::numeric_limits<int32_t>::max()} + 1) return false;
  }
  if (negative) v = -v;
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return false;
  }
  v *= negate;
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return false;
  }
  *out = static_cast<int32_t>(v);
  return true;
}

}  // namespace

StatusOr<Period> Period::Parse(std::string_view text) {
  size_t pos = 0;
  int negate = 1;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    if (text[pos] == '-') negate = -1;
    ++pos;
  }
  if (pos >= text.size() || (text[pos] != 'P' && text[pos] != 'p')) return PeriodError();
  ++pos;
  // Units in the only order allowed, each at most once.
  static constexpr char kUnits[] = {'Y', 'M', 'W', 'D'};
  int32_t values[4] = {0, 0, 0, 0};
  bool any = false;
  size_t next_unit = 0;
  while (pos < text.size()) {
    size_t start = pos;
    if (text[pos] == '+' || text[pos] == '-') ++pos;
    while (pos < text.size() && IsAsciiDigit(text[pos])) ++pos;
    if (pos >= text.size()) return PeriodError();
    char unit = static_cast<char>(text[pos] & ~0x20);  // ASCII upper case
    size_t u = next_unit;
    while (u < 4 && kUnits[u] != unit) ++u;
    if (u == 4) return PeriodError();
    if (!ParseComponent(text.substr(start, pos - start), negate, &values[u])) {
      return PeriodError();
    }
    any = true;
    next_unit = u + 1;
    ++pos;
  }
  if (!any) return PeriodError();
  int64_t days = int64_t{values[3]} + int64_t{values[2]} * 7;
  if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max()) {
    return PeriodError();
  }
  return Period(values[0], values[1], static_cast<int32_t>(days));
}

std::string Period::ToString() const {
  if (IsZero()) return "P0D";
  std::string out = "P";
  if (years_ != 0) out += std::to_string(years_) + "Y";
  if (months_ != 0) out += std::to_string(months_) + "M";
  if (days_ != 0) out += std::to_string(days_) + "D";
  return out;
}

UnixSeconds Period::SubtractFrom(UnixSeconds t) const {
  int64_t day_index = FloorDiv(t, kSecondsPerDay);
  int64_t time_of_day = t - day_index * kSecondsPerDay;
  CivilDate date = CivilFromDays(day_index);
  int64_t total_months = months_ == 0 ? int64_t{years_} * 12 : int64_t{years_} * 12 + months_;
  if (total_months != 0) {
    int64_t month_index = date.year * 12 + (date.month - 1) - total_months;
    date.year = FloorDiv(month_index, 12);
    date.month = static_cast<int>(month_index - date.year * 12) + 1;
    date.day = std::min(date.day, DaysInMonth(date.year, date.month));
  }
  int64_t result_days = DaysFromCivil(date) - days_;
  return result_days * kSecondsPerDay + time_of_day;
}

}  // namespace vouch

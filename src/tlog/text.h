// Internal text helpers shared by the tlog parsers: strict decimals, UTF-8 validation, key-name
// rules, line splitting. Not part of the public API.
//
// Thread-safe (pure functions).
#ifndef VOUCH_SRC_TLOG_TEXT_H_
#define VOUCH_SRC_TLOG_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vouch::tlog::internal {

// ASCII decimal without sign or leading zeros ("0" allowed), fitting in uint64.
std::optional<uint64_t> ParseDecimal(std::string_view s);

// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Whether the UTF-8 string contains a Unicode White_Space code point (Go unicode.IsSpace).
// REQUIRES: IsValidUtf8(s).
bool ContainsUnicodeSpace(std::string_view s);

// Splits `text` into lines at '\n'. REQUIRES: text is empty or ends in '\n'. The returned views
// exclude the newline.
std::vector<std::string_view> SplitLines(std::string_view text);

// A printable rendering of `s` for error messages: at most `max` bytes, with control
// characters and non-ASCII bytes escaped as \xNN.
std::string Quote(std::string_view s, size_t max = 80);

}  // namespace vouch::tlog::internal

#endif  // VOUCH_SRC_TLOG_TEXT_H_

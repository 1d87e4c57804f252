// Internal: the strict JSON reader and the RFC 8785 (JCS) writer for ledger statements
// (spec/governance.md §1.5, §2.1). Kept out of include/ so that nlohmann does not leak into
// libvouch's API; used by dsse/ and govern/.
//
// Why not base/json.h's ParseStrictJson: that one (nlohmann underneath) accepts floats, "-0",
// integers beyond 2^53 and any key; the ledger's rules reject all of them, and the reader below
// says exactly where and why.
//
// Reader rules (ParseJson with the default options, §2.1): valid UTF-8, exactly one value (white
// space around it allowed; the caller's canonical-form check rejects it), objects and arrays
// nested at most 32 deep, no duplicate keys, keys of printable ASCII only, numbers integers
// only (no fraction, exponent or "-0"), within ±(2^53 − 1), strings without raw control
// characters and without lone surrogates in \u escapes.
//
// Writer (CanonicalJson): RFC 8785 for that subset: no white space, object members sorted by
// key (bytewise = UTF-16 order for ASCII keys), integers in plain decimal, strings escaped only
// for '"', '\' and U+0000..U+001F (\b \t \n \f \r, else \u00xx), everything else literal UTF-8.
//
// Errors are kInvalidArgument with reason "json_malformed" and a message naming the byte offset
// (reader) or the JSON pointer (writer). Thread-safe (pure functions).
#ifndef VOUCH_DSSE_JCS_H_
#define VOUCH_DSSE_JCS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"

namespace vouch::internal {

inline constexpr char kJsonMalformed[] = "json_malformed";
inline constexpr int kMaxJsonDepth = 32;
inline constexpr int64_t kMaxJsonInteger = (int64_t{1} << 53) - 1;

struct JsonReadOptions {
  int max_depth = kMaxJsonDepth;
  // false: numbers with fractions or exponents are read as doubles (for foreign documents such
  // as Sigstore bundles, whose numbers Vouch never interprets); integers must still fit int64.
  bool integers_only = true;
  // false: any valid UTF-8 key.
  bool ascii_keys_only = true;
};

StatusOr<nlohmann::json> ParseJson(std::string_view text, const JsonReadOptions& options = {});

// The RFC 8785 form of `value`. Fails (kInvalidArgument, "json_malformed") for what is outside
// the subset: non-integer numbers, integers beyond ±(2^53 − 1), keys that are not printable
// ASCII, strings that are not valid UTF-8.
StatusOr<std::string> CanonicalJson(const nlohmann::json& value);

// Appends the JSON string literal of `s` (JCS escaping) to `out`. REQUIRES: `s` is valid UTF-8.
void AppendJsonString(std::string_view s, std::string* out);

// `token` escaped for a JSON pointer (RFC 6901: "~" as "~0", "/" as "~1").
std::string JsonPointerToken(std::string_view token);

// True when `s` is valid UTF-8 (no overlong forms, surrogates or values above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace vouch::internal

#endif  // VOUCH_DSSE_JCS_H_

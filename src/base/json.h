// Internal: strict JSON reading shared by every module that parses JSON documents (EII JSON,
// enclave bundle manifests, enclave identities, the simulated platform's state), and the typed
// field readers they share (JsonUnsigned, JsonHex). Kept out of include/ so that
// nlohmann does not leak into libvouch's API; reachable from every target that has src/ on its
// private include path.
//
// Nothing here throws. Thread-safe (pure functions).
#ifndef VOUCH_BASE_JSON_H_
#define VOUCH_BASE_JSON_H_

#include <array>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/base/encoding.h"
#include "vouch/base/statusor.h"

namespace vouch::internal {

// The reasons attached to ParseStrictJson's errors, so that callers can word them their way.
inline constexpr char kJsonSyntaxError[] = "json_syntax_error";
inline constexpr char kJsonTooDeep[] = "json_too_deep";
inline constexpr char kJsonDuplicateKey[] = "json_duplicate_key";

// The message of a nlohmann exception without its "[json.exception.<kind>.<id>] " prefix;
// any other exception's what() unchanged.
std::string JsonErrorMessage(const std::exception& e);

// Parses `text` as one JSON value, rejecting what nlohmann would accept silently: duplicate
// object keys (nlohmann keeps the last) and objects or arrays nested deeper than `max_depth`
// levels (invalid UTF-8 is a syntax error). Errors are kInvalidArgument with a message meant to
// be wrapped in the caller's context and one of these reasons:
//   kJsonSyntaxError   JsonErrorMessage() of nlohmann's parse error
//   kJsonTooDeep       "nested deeper than <max_depth> levels"
//   kJsonDuplicateKey  "duplicate key \"<key>\"" (the first duplicate in document order)
// REQUIRES: max_depth >= 1.
StatusOr<nlohmann::json> ParseStrictJson(std::string_view text, int max_depth);

// ParseStrictJson for a whole document, with messages that read on their own after the
// caller's context ("bundle manifest: invalid JSON: …"); same reasons, kInvalidArgument:
//   kJsonSyntaxError   "invalid JSON: " + JsonErrorMessage() of nlohmann's parse error
//   kJsonTooDeep       "JSON nested deeper than <max_depth> levels"
//   kJsonDuplicateKey  "duplicate key \"<key>\""
// REQUIRES: max_depth >= 1.
StatusOr<nlohmann::json> ParseStrictJsonDocument(std::string_view text, int max_depth);

// A JSON integer (not a float, a boolean or a string) in 0..`max`; kInvalidArgument otherwise
// ("expected an integer", "integer outside 0..<max>").
StatusOr<uint64_t> JsonUnsigned(const nlohmann::json& value, uint64_t max);

// A JSON string of exactly 2N hex digits, as N bytes; kInvalidArgument otherwise.
template <size_t N>
StatusOr<std::array<uint8_t, N>> JsonHex(const nlohmann::json& value) {
  if (!value.is_string()) return InvalidArgumentError("expected a hex string");
  return HexDecodeArray<N>(value.get_ref<const std::string&>());
}

}  // namespace vouch::internal

#endif  // VOUCH_BASE_JSON_H_

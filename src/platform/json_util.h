// Internal: strict JSON reading for platform/ files (bundle manifests, identities, the
// simulation state). Nothing here throws.
#ifndef VOUCH_PLATFORM_JSON_UTIL_H_
#define VOUCH_PLATFORM_JSON_UTIL_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/base/encoding.h"
#include "vouch/base/statusor.h"

namespace vouch::platform::internal {

// Parses `text` as one JSON value, rejecting duplicate object keys, nesting deeper than 16
// and invalid UTF-8 (vouch::internal::ParseStrictJson, base/json.h). kInvalidArgument with a
// message (no reason attached).
StatusOr<nlohmann::json> ParseStrictJson(std::string_view text);

// A JSON integer (not a float, not a string) in 0..max.
StatusOr<uint64_t> JsonUnsigned(const nlohmann::json& value, uint64_t max);

// A JSON string of exactly 2N hex digits.
template <size_t N>
StatusOr<std::array<uint8_t, N>> JsonHex(const nlohmann::json& value) {
  if (!value.is_string()) return InvalidArgumentError("expected a hex string");
  return HexDecodeArray<N>(value.get_ref<const std::string&>());
}

}  // namespace vouch::platform::internal

#endif  // VOUCH_PLATFORM_JSON_UTIL_H_

#include "platform/json_util.h"

#include "base/json.h"

namespace vouch::platform::internal {

StatusOr<nlohmann::json> ParseStrictJson(std::string_view text) {
  constexpr int kMaxDepth = 16;
  auto value = ::vouch::internal::ParseStrictJson(text, kMaxDepth);
  if (!value.ok()) {
    const Status& s = value.status();
    if (s.reason() == ::vouch::internal::kJsonSyntaxError) {
      return InvalidArgumentError("invalid JSON: " + s.message());
    }
    if (s.reason() == ::vouch::internal::kJsonTooDeep) {
      return InvalidArgumentError("JSON " + s.message());
    }
    return InvalidArgumentError(s.message());
  }
  if (value->is_discarded()) return InvalidArgumentError("invalid JSON");
  return value;
}

StatusOr<uint64_t> JsonUnsigned(const nlohmann::json& value, uint64_t max) {
  if (value.is_number_unsigned()) {
    uint64_t v = value.get<uint64_t>();
    if (v <= max) return v;
  } else if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    if (v >= 0 && static_cast<uint64_t>(v) <= max) return static_cast<uint64_t>(v);
  } else {
    return InvalidArgumentError("expected an integer");
  }
  return InvalidArgumentError("integer outside 0.." + std::to_string(max));
}

}  // namespace vouch::platform::internal

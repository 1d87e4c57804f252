#include "platform/json_util.h"

#include <set>
#include <vector>

namespace vouch::platform::internal {

StatusOr<nlohmann::json> ParseStrictJson(std::string_view text) {
  constexpr int kMaxDepth = 16;
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool too_deep = false;
  using Event = nlohmann::json::parse_event_t;
  auto callback = [&](int depth, Event event, nlohmann::json& parsed) -> bool {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (depth >= kMaxDepth) {
          too_deep = true;
          return false;
        }
        if (event == Event::object_start) open_objects.emplace_back();
        return true;
      case Event::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        return true;
      case Event::key:
        if (!open_objects.empty() && parsed.is_string()) {
          const auto& key = parsed.get_ref<const std::string&>();
          if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
        }
        return true;
      default:
        return true;
    }
  };
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." → after "] ".
    size_t cut = what.find("] ");
    return InvalidArgumentError("invalid JSON: " +
                                (cut == std::string::npos ? what : what.substr(cut + 2)));
  }
  if (too_deep) return InvalidArgumentError("JSON nested deeper than 16 levels");
  if (!duplicate.empty()) return InvalidArgumentError("duplicate key \"" + duplicate + "\"");
  if (value.is_discarded()) return InvalidArgumentError("invalid JSON");
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

#include "base/json.h"

#include <set>
#include <utility>
#include <vector>

namespace vouch::internal {

std::string JsonErrorMessage(const std::exception& e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    size_t end = what.find("] ");
    if (end != std::string::npos) what.erase(0, end + 2);
  }
  return what;
}

StatusOr<nlohmann::json> ParseStrictJson(std::string_view text, int max_depth) {
  // The parser callback sees every key, so duplicates (which nlohmann would silently
  // overwrite) are detected here; it also refuses deep nesting.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool too_deep = false;
  using Event = nlohmann::json::parse_event_t;
  auto callback = [&](int depth, Event event, nlohmann::json& parsed) -> bool {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (depth >= max_depth) {
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
  } catch (const std::exception& e) {
    return MalformedError(kJsonSyntaxError, JsonErrorMessage(e));
  }
  if (too_deep) {
    return MalformedError(kJsonTooDeep,
                          "nested deeper than " + std::to_string(max_depth) + " levels");
  }
  if (!duplicate.empty()) {
    return MalformedError(kJsonDuplicateKey, "duplicate key \"" + duplicate + "\"");
  }
  return value;
}

StatusOr<nlohmann::json> ParseStrictJsonDocument(std::string_view text, int max_depth) {
  auto value = ParseStrictJson(text, max_depth);
  if (!value.ok()) {
    const Status& s = value.status();
    if (s.reason() == kJsonSyntaxError) {
      return MalformedError(kJsonSyntaxError, "invalid JSON: " + s.message());
    }
    if (s.reason() == kJsonTooDeep) return MalformedError(kJsonTooDeep, "JSON " + s.message());
    return s;
  }
  if (value->is_discarded()) return MalformedError(kJsonSyntaxError, "invalid JSON");
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

}  // namespace vouch::internal

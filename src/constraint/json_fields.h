// Internal to constraint/: typed field access for the identity documents that constraints are
// checked against (EII JSON, docs/eii-json.md; TD info JSON, docs/td-info.md). Every error is
// kInvalidArgument with the document's reason and a message naming the field; nothing throws
// (callers catch nlohmann's exceptions around the whole read).
#ifndef VOUCH_CONSTRAINT_JSON_FIELDS_H_
#define VOUCH_CONSTRAINT_JSON_FIELDS_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/base/encoding.h"
#include "vouch/base/statusor.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch::internal {

// One kind of document: its error reason ("eii_malformed") and the name messages start with
// ("EII JSON").
struct JsonDocument {
  const char* error_reason;
  const char* document_name;

  Status Error(const std::string& message) const {
    return MalformedError(error_reason, std::string(document_name) + ": " + message);
  }
  Status FieldError(std::string_view field, std::string_view problem) const {
    return Error("field \"" + std::string(field) + "\" " + std::string(problem));
  }

  template <typename Json>
  StatusOr<const Json*> Find(const Json& object, std::string_view parent,
                             std::string_view name) const {
    auto it = object.find(std::string(name));
    if (it == object.end()) {
      std::string path =
          parent.empty() ? std::string(name) : std::string(parent) + "." + std::string(name);
      return Error("missing field \"" + path + "\"");
    }
    return &*it;
  }

  template <size_t N, typename Json>
  StatusOr<std::array<uint8_t, N>> Hex(const Json& value, std::string_view path) const {
    const std::string problem = "must be a string of " + std::to_string(2 * N) + " hex digits";
    if (!value.is_string()) return FieldError(path, problem);
    const std::string& text = value.template get_ref<const std::string&>();
    if (text.size() != 2 * N)
      return FieldError(path, problem + ", got " + std::to_string(text.size()) + " characters");
    auto bytes = HexDecodeArray<N>(text);
    if (!bytes.ok()) return FieldError(path, problem + " (" + bytes.status().message() + ")");
    return std::move(bytes).value();
  }

  template <typename Json>
  StatusOr<int64_t> Int(const Json& value, std::string_view path, int64_t min, int64_t max) const {
    const std::string problem =
        "must be an integer in " + std::to_string(min) + ".." + std::to_string(max);
    if (!value.is_number_integer()) return FieldError(path, problem);
    if (value.is_number_unsigned()) {
      uint64_t v = value.template get<uint64_t>();
      if (v > static_cast<uint64_t>(max))
        return FieldError(path, problem + ", got " + std::to_string(v));
      return static_cast<int64_t>(v);
    }
    int64_t v = value.template get<int64_t>();
    if (v < min || v > max) return FieldError(path, problem + ", got " + std::to_string(v));
    return v;
  }

  template <typename Json>
  StatusOr<std::string> String(const Json& value, std::string_view path) const {
    if (!value.is_string()) return FieldError(path, "must be a string");
    return value.template get_ref<const std::string&>();
  }

  // The "mode" member of `root`: one of the EnclaveMode names.
  template <typename Json>
  StatusOr<EnclaveMode> Mode(const Json& root) const {
    VOUCH_ASSIGN_OR_RETURN(const Json* mode, Find(root, "", "mode"));
    VOUCH_ASSIGN_OR_RETURN(std::string name, String(*mode, "mode"));
    std::optional<EnclaveMode> parsed = EnclaveModeFromName(name);
    if (!parsed) {
      return FieldError("mode", "must be one of \"RELEASE\", \"DEBUG\", \"SIMULATION\", \"MOCK\"");
    }
    return *parsed;
  }

  // The "security" member of `root`: {"summary", "reason", "timestamp"} (RFC 3339, years
  // 0000..9999).
  template <typename Json>
  StatusOr<EnclaveSecurityInfo> Security(const Json& root) const {
    // RFC 3339 years 0000..9999, as UTC instants.
    constexpr UnixSeconds kMinTimestamp = -62167219200;  // 0000-01-01T00:00:00Z
    constexpr UnixSeconds kMaxTimestamp = 253402300799;  // 9999-12-31T23:59:59Z
    VOUCH_ASSIGN_OR_RETURN(const Json* security, Find(root, "", "security"));
    if (!security->is_object()) return FieldError("security", "must be an object");
    EnclaveSecurityInfo out;
    VOUCH_ASSIGN_OR_RETURN(const Json* summary, Find(*security, "security", "summary"));
    VOUCH_ASSIGN_OR_RETURN(std::string summary_name, String(*summary, "security.summary"));
    std::optional<SecuritySummary> parsed_summary = SecuritySummaryFromName(summary_name);
    if (!parsed_summary) {
      return FieldError("security.summary", "must be one of \"INSECURE\", \"STALE\", \"SECURE\"");
    }
    out.summary = *parsed_summary;
    VOUCH_ASSIGN_OR_RETURN(const Json* reason, Find(*security, "security", "reason"));
    VOUCH_ASSIGN_OR_RETURN(out.reason, String(*reason, "security.reason"));
    VOUCH_ASSIGN_OR_RETURN(const Json* timestamp, Find(*security, "security", "timestamp"));
    VOUCH_ASSIGN_OR_RETURN(std::string text, String(*timestamp, "security.timestamp"));
    auto parsed_time = ParseRfc3339(text);
    if (!parsed_time.ok()) {
      return FieldError("security.timestamp",
                        "must be an RFC 3339 timestamp such as 2025-06-19T10:56:11Z");
    }
    if (*parsed_time < kMinTimestamp || *parsed_time > kMaxTimestamp) {
      return FieldError("security.timestamp", "must lie in the years 0000..9999 (UTC)");
    }
    out.timestamp = *parsed_time;
    return out;
  }
};

// {"summary","reason","timestamp"} as EII JSON and TD info JSON write it.
inline nlohmann::ordered_json SecurityToJson(const EnclaveSecurityInfo& security) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["summary"] = std::string(SecuritySummaryName(security.summary));
  out["reason"] = security.reason;
  out["timestamp"] = FormatRfc3339(security.timestamp);
  return out;
}

}  // namespace vouch::internal

#endif  // VOUCH_CONSTRAINT_JSON_FIELDS_H_

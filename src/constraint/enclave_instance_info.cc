// EnclaveInstanceInfo: enum names, the mock-mode helper and the EII JSON reader and writer
// (spec/constraint-dsl.md §9, docs/eii-json.md). nlohmann exceptions are caught here and never
// leave the library.
#include "vouch/constraint/enclave_instance_info.h"

#include <exception>
#include <string>
#include <utility>

#include "base/json.h"
#include "constraint/eii_json.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/reasons.h"

namespace vouch {
namespace {

constexpr const char* kEiiMalformed = constraint::reasons::kEiiMalformed;
// Deeper nesting than this is rejected; the EII itself is two levels deep.
constexpr int kMaxJsonDepth = 32;
// RFC 3339 years 0000..9999, as UTC instants.
constexpr UnixSeconds kMinTimestamp = -62167219200;  // 0000-01-01T00:00:00Z
constexpr UnixSeconds kMaxTimestamp = 253402300799;  // 9999-12-31T23:59:59Z

Status EiiError(std::string message) {
  return MalformedError(kEiiMalformed, "EII JSON: " + std::move(message));
}

Status FieldError(std::string_view field, std::string_view problem) {
  return EiiError("field \"" + std::string(field) + "\" " + std::string(problem));
}

template <typename Json>
StatusOr<const Json*> Find(const Json& object, std::string_view parent, std::string_view name) {
  auto it = object.find(std::string(name));
  if (it == object.end()) {
    std::string path =
        parent.empty() ? std::string(name) : std::string(parent) + "." + std::string(name);
    return EiiError("missing field \"" + path + "\"");
  }
  return &*it;
}

template <size_t N, typename Json>
StatusOr<std::array<uint8_t, N>> HexField(const Json& value, std::string_view path) {
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
StatusOr<int64_t> IntField(const Json& value, std::string_view path, int64_t min, int64_t max) {
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
StatusOr<std::string> StringField(const Json& value, std::string_view path) {
  if (!value.is_string()) return FieldError(path, "must be a string");
  return value.template get_ref<const std::string&>();
}

template <typename Json>
StatusOr<EnclaveInstanceInfo> FromValue(const Json& root) {
  if (!root.is_object()) return EiiError("the document must be a JSON object");
  EnclaveInstanceInfo info;

  VOUCH_ASSIGN_OR_RETURN(const Json* code_hash, Find(root, "", "code_hash"));
  VOUCH_ASSIGN_OR_RETURN(info.code_hash, HexField<32>(*code_hash, "code_hash"));
  VOUCH_ASSIGN_OR_RETURN(const Json* code_signer, Find(root, "", "code_signer"));
  VOUCH_ASSIGN_OR_RETURN(info.code_signer, HexField<32>(*code_signer, "code_signer"));

  VOUCH_ASSIGN_OR_RETURN(const Json* product_id, Find(root, "", "product_id"));
  VOUCH_ASSIGN_OR_RETURN(int64_t prod, IntField(*product_id, "product_id", 0, 65535));
  info.product_id = static_cast<uint16_t>(prod);
  VOUCH_ASSIGN_OR_RETURN(const Json* isv_svn, Find(root, "", "isv_svn"));
  VOUCH_ASSIGN_OR_RETURN(int64_t svn, IntField(*isv_svn, "isv_svn", 0, 65535));
  info.isv_svn = static_cast<uint16_t>(svn);
  VOUCH_ASSIGN_OR_RETURN(const Json* revocation, Find(root, "", "revocation_level"));
  VOUCH_ASSIGN_OR_RETURN(int64_t level, IntField(*revocation, "revocation_level", 0, 65534));
  if (level != info.revocation_level()) {
    return FieldError(
        "revocation_level",
        "is " + std::to_string(level) + " but isv_svn " + std::to_string(svn) +
            " gives max(isv_svn - 1, 0) = " + std::to_string(info.revocation_level()));
  }

  VOUCH_ASSIGN_OR_RETURN(const Json* mode, Find(root, "", "mode"));
  VOUCH_ASSIGN_OR_RETURN(std::string mode_name, StringField(*mode, "mode"));
  std::optional<EnclaveMode> parsed_mode = EnclaveModeFromName(mode_name);
  if (!parsed_mode) {
    return FieldError("mode", "must be one of \"RELEASE\", \"DEBUG\", \"SIMULATION\", \"MOCK\"");
  }
  info.mode = *parsed_mode;

  VOUCH_ASSIGN_OR_RETURN(const Json* security, Find(root, "", "security"));
  if (!security->is_object()) return FieldError("security", "must be an object");
  VOUCH_ASSIGN_OR_RETURN(const Json* summary, Find(*security, "security", "summary"));
  VOUCH_ASSIGN_OR_RETURN(std::string summary_name, StringField(*summary, "security.summary"));
  std::optional<SecuritySummary> parsed_summary = SecuritySummaryFromName(summary_name);
  if (!parsed_summary) {
    return FieldError("security.summary", "must be one of \"INSECURE\", \"STALE\", \"SECURE\"");
  }
  info.security.summary = *parsed_summary;
  VOUCH_ASSIGN_OR_RETURN(const Json* reason, Find(*security, "security", "reason"));
  VOUCH_ASSIGN_OR_RETURN(info.security.reason, StringField(*reason, "security.reason"));
  VOUCH_ASSIGN_OR_RETURN(const Json* timestamp, Find(*security, "security", "timestamp"));
  VOUCH_ASSIGN_OR_RETURN(std::string timestamp_text, StringField(*timestamp, "security.timestamp"));
  auto parsed_time = ParseRfc3339(timestamp_text);
  if (!parsed_time.ok()) {
    return FieldError("security.timestamp",
                      "must be an RFC 3339 timestamp such as 2025-06-19T10:56:11Z");
  }
  if (*parsed_time < kMinTimestamp || *parsed_time > kMaxTimestamp) {
    return FieldError("security.timestamp", "must lie in the years 0000..9999 (UTC)");
  }
  info.security.timestamp = *parsed_time;

  VOUCH_ASSIGN_OR_RETURN(const Json* report_data, Find(root, "", "report_data"));
  VOUCH_ASSIGN_OR_RETURN(info.report_data, HexField<64>(*report_data, "report_data"));

  auto cpu_svn = root.find("cpu_svn");
  if (cpu_svn != root.end()) {
    VOUCH_ASSIGN_OR_RETURN(info.cpu_svn, HexField<16>(*cpu_svn, "cpu_svn"));
  }
  return info;
}

}  // namespace

std::string_view SecuritySummaryName(SecuritySummary summary) {
  switch (summary) {
    case SecuritySummary::kInsecure:
      return "INSECURE";
    case SecuritySummary::kStale:
      return "STALE";
    case SecuritySummary::kSecure:
      return "SECURE";
  }
  return "?";
}

std::optional<SecuritySummary> SecuritySummaryFromName(std::string_view name) {
  if (name == "INSECURE") return SecuritySummary::kInsecure;
  if (name == "STALE") return SecuritySummary::kStale;
  if (name == "SECURE") return SecuritySummary::kSecure;
  return std::nullopt;
}

std::string_view EnclaveModeName(EnclaveMode mode) {
  switch (mode) {
    case EnclaveMode::kRelease:
      return "RELEASE";
    case EnclaveMode::kDebug:
      return "DEBUG";
    case EnclaveMode::kSimulation:
      return "SIMULATION";
    case EnclaveMode::kMock:
      return "MOCK";
  }
  return "?";
}

std::optional<EnclaveMode> EnclaveModeFromName(std::string_view name) {
  if (name == "RELEASE") return EnclaveMode::kRelease;
  if (name == "DEBUG") return EnclaveMode::kDebug;
  if (name == "SIMULATION") return EnclaveMode::kSimulation;
  if (name == "MOCK") return EnclaveMode::kMock;
  return std::nullopt;
}

namespace internal {

nlohmann::ordered_json EiiToJsonValue(const EnclaveInstanceInfo& info) {
  nlohmann::ordered_json security = nlohmann::ordered_json::object();
  security["summary"] = std::string(SecuritySummaryName(info.security.summary));
  security["reason"] = info.security.reason;
  security["timestamp"] = FormatRfc3339(info.security.timestamp);

  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["code_hash"] = HexEncode(info.code_hash);
  out["code_signer"] = HexEncode(info.code_signer);
  out["product_id"] = info.product_id;
  out["isv_svn"] = info.isv_svn;
  out["revocation_level"] = info.revocation_level();
  out["mode"] = std::string(EnclaveModeName(info.mode));
  out["security"] = std::move(security);
  out["report_data"] = HexEncode(info.report_data);
  if (info.cpu_svn) out["cpu_svn"] = HexEncode(*info.cpu_svn);
  return out;
}

StatusOr<EnclaveInstanceInfo> EiiFromJsonValue(const nlohmann::json& value) {
  try {
    return FromValue(value);
  } catch (const std::exception& e) {
    return EiiError(JsonErrorMessage(e));
  }
}

StatusOr<EnclaveInstanceInfo> EiiFromJsonValue(const nlohmann::ordered_json& value) {
  try {
    return FromValue(value);
  } catch (const std::exception& e) {
    return EiiError(JsonErrorMessage(e));
  }
}

}  // namespace internal

std::string EnclaveInstanceInfo::ToJson(int indent) const {
  return internal::EiiToJsonValue(*this).dump(indent, ' ', false,
                                              nlohmann::json::error_handler_t::replace);
}

StatusOr<EnclaveInstanceInfo> EnclaveInstanceInfo::FromJson(std::string_view text) {
  auto value = internal::ParseStrictJson(text, kMaxJsonDepth);
  if (!value.ok()) return EiiError(value.status().message());
  return internal::EiiFromJsonValue(*value);
}

StatusOr<EnclaveInstanceInfo> EnclaveInstanceInfo::Mock(const MockEnclaveOptions& options) {
  if (options.product_id < 0 || options.product_id > 65535) {
    return InvalidArgumentError("mock product ID " + std::to_string(options.product_id) +
                                " is outside 0..65535");
  }
  if (options.revocation_level < 0 || options.revocation_level > 65534) {
    return InvalidArgumentError("mock revocation level " +
                                std::to_string(options.revocation_level) + " is outside 0..65534");
  }
  EnclaveInstanceInfo info;
  info.code_hash = options.code_hash;
  info.code_signer = options.code_signer;
  info.product_id = static_cast<uint16_t>(options.product_id);
  info.isv_svn = static_cast<uint16_t>(options.revocation_level + 1);
  info.mode = options.simulation ? EnclaveMode::kSimulation : EnclaveMode::kMock;
  info.security.summary = SecuritySummary::kInsecure;
  info.security.reason = options.simulation ? "Enclave is running in simulation mode."
                                            : "Enclave is running in mock mode.";
  info.security.timestamp = options.timestamp;
  return info;
}

}  // namespace vouch

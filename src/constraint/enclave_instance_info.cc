// EnclaveInstanceInfo: enum names, the mock-mode helper and the EII JSON reader and writer
// (spec/constraint-dsl.md §9, docs/eii-json.md). nlohmann exceptions are caught here and never
// leave the library.
#include "vouch/constraint/enclave_instance_info.h"

#include <exception>
#include <string>
#include <utility>

#include "base/json.h"
#include "constraint/eii_json.h"
#include "constraint/json_fields.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/reasons.h"

namespace vouch {
namespace {

constexpr const char* kEiiMalformed = constraint::reasons::kEiiMalformed;
// Deeper nesting than this is rejected; the EII itself is two levels deep.
constexpr int kMaxJsonDepth = 32;
constexpr internal::JsonDocument kEii{kEiiMalformed, "EII JSON"};

template <typename Json>
StatusOr<EnclaveInstanceInfo> FromValue(const Json& root) {
  if (!root.is_object()) return kEii.Error("the document must be a JSON object");
  EnclaveInstanceInfo info;

  VOUCH_ASSIGN_OR_RETURN(const Json* code_hash, kEii.Find(root, "", "code_hash"));
  VOUCH_ASSIGN_OR_RETURN(info.code_hash, kEii.Hex<32>(*code_hash, "code_hash"));
  VOUCH_ASSIGN_OR_RETURN(const Json* code_signer, kEii.Find(root, "", "code_signer"));
  VOUCH_ASSIGN_OR_RETURN(info.code_signer, kEii.Hex<32>(*code_signer, "code_signer"));

  VOUCH_ASSIGN_OR_RETURN(const Json* product_id, kEii.Find(root, "", "product_id"));
  VOUCH_ASSIGN_OR_RETURN(int64_t prod, kEii.Int(*product_id, "product_id", 0, 65535));
  info.product_id = static_cast<uint16_t>(prod);
  VOUCH_ASSIGN_OR_RETURN(const Json* isv_svn, kEii.Find(root, "", "isv_svn"));
  VOUCH_ASSIGN_OR_RETURN(int64_t svn, kEii.Int(*isv_svn, "isv_svn", 0, 65535));
  info.isv_svn = static_cast<uint16_t>(svn);
  VOUCH_ASSIGN_OR_RETURN(const Json* revocation, kEii.Find(root, "", "revocation_level"));
  VOUCH_ASSIGN_OR_RETURN(int64_t level, kEii.Int(*revocation, "revocation_level", 0, 65534));
  if (level != info.revocation_level()) {
    return kEii.FieldError(
        "revocation_level",
        "is " + std::to_string(level) + " but isv_svn " + std::to_string(svn) +
            " gives max(isv_svn - 1, 0) = " + std::to_string(info.revocation_level()));
  }

  VOUCH_ASSIGN_OR_RETURN(info.mode, kEii.Mode(root));
  VOUCH_ASSIGN_OR_RETURN(info.security, kEii.Security(root));

  VOUCH_ASSIGN_OR_RETURN(const Json* report_data, kEii.Find(root, "", "report_data"));
  VOUCH_ASSIGN_OR_RETURN(info.report_data, kEii.Hex<64>(*report_data, "report_data"));

  auto cpu_svn = root.find("cpu_svn");
  if (cpu_svn != root.end()) {
    VOUCH_ASSIGN_OR_RETURN(info.cpu_svn, kEii.Hex<16>(*cpu_svn, "cpu_svn"));
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
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["code_hash"] = HexEncode(info.code_hash);
  out["code_signer"] = HexEncode(info.code_signer);
  out["product_id"] = info.product_id;
  out["isv_svn"] = info.isv_svn;
  out["revocation_level"] = info.revocation_level();
  out["mode"] = std::string(EnclaveModeName(info.mode));
  out["security"] = SecurityToJson(info.security);
  out["report_data"] = HexEncode(info.report_data);
  if (info.cpu_svn) out["cpu_svn"] = HexEncode(*info.cpu_svn);
  return out;
}

StatusOr<EnclaveInstanceInfo> EiiFromJsonValue(const nlohmann::json& value) {
  try {
    return FromValue(value);
  } catch (const std::exception& e) {
    return kEii.Error(JsonErrorMessage(e));
  }
}

StatusOr<EnclaveInstanceInfo> EiiFromJsonValue(const nlohmann::ordered_json& value) {
  try {
    return FromValue(value);
  } catch (const std::exception& e) {
    return kEii.Error(JsonErrorMessage(e));
  }
}

}  // namespace internal

std::string EnclaveInstanceInfo::ToJson(int indent) const {
  return internal::EiiToJsonValue(*this).dump(indent, ' ', false,
                                              nlohmann::json::error_handler_t::replace);
}

StatusOr<EnclaveInstanceInfo> EnclaveInstanceInfo::FromJson(std::string_view text) {
  auto value = internal::ParseStrictJson(text, kMaxJsonDepth);
  if (!value.ok()) return kEii.Error(value.status().message());
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

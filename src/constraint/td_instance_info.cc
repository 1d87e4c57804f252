// TdInstanceInfo: TD info JSON writer and strict reader (docs/td-info.md). nlohmann exceptions
// are caught here and never leave the library.
#include "vouch/constraint/td_instance_info.h"

#include <exception>

#include "base/json.h"
#include "constraint/json_fields.h"
#include "constraint/td_info_json.h"
#include "vouch/base/encoding.h"
#include "vouch/constraint/reasons.h"

namespace vouch {
namespace {

constexpr int kMaxTdJsonDepth = 32;
constexpr internal::JsonDocument kTdInfo{constraint::reasons::kTdInfoMalformed, "TD info JSON"};

using Json = nlohmann::json;

template <size_t N>
Status ReadHex(const Json& root, const char* name, std::array<uint8_t, N>* out) {
  VOUCH_ASSIGN_OR_RETURN(const Json* value, kTdInfo.Find(root, "", name));
  VOUCH_ASSIGN_OR_RETURN(*out, kTdInfo.Hex<N>(*value, name));
  return OkStatus();
}

StatusOr<TdInstanceInfo> FromValue(const Json& root) {
  if (!root.is_object()) return kTdInfo.Error("the document must be a JSON object");
  VOUCH_ASSIGN_OR_RETURN(const Json* tee, kTdInfo.Find(root, "", "tee"));
  VOUCH_ASSIGN_OR_RETURN(std::string tee_name, kTdInfo.String(*tee, "tee"));
  if (tee_name != "TDX") {
    return kTdInfo.FieldError("tee", "must be \"TDX\" (an SGX enclave is described by EII JSON)");
  }
  TdInstanceInfo info;
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "mr_td", &info.mr_td));
  const char* const kRtmr[] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
  for (size_t i = 0; i < 4; ++i) VOUCH_RETURN_IF_ERROR(ReadHex(root, kRtmr[i], &info.rtmr[i]));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "mr_config_id", &info.mr_config_id));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "mr_owner", &info.mr_owner));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "mr_owner_config", &info.mr_owner_config));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "mr_seam", &info.mr_seam));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "mr_signer_seam", &info.mr_signer_seam));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "seam_attributes", &info.seam_attributes));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "td_attributes", &info.td_attributes));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "xfam", &info.xfam));
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "tee_tcb_svn", &info.tee_tcb_svn));
  const bool td15 = root.contains("tee_tcb_svn2");
  if (td15 != root.contains("mr_servicetd")) {
    return kTdInfo.Error("\"tee_tcb_svn2\" and \"mr_servicetd\" (TD report 1.5) come together");
  }
  if (td15) {
    VOUCH_RETURN_IF_ERROR(ReadHex(root, "tee_tcb_svn2", &info.tee_tcb_svn2.emplace()));
    VOUCH_RETURN_IF_ERROR(ReadHex(root, "mr_servicetd", &info.mr_servicetd.emplace()));
  }
  VOUCH_ASSIGN_OR_RETURN(const Json* debug, kTdInfo.Find(root, "", "debug"));
  if (!debug->is_boolean()) return kTdInfo.FieldError("debug", "must be true or false");
  if (debug->get<bool>() != info.debug()) {
    return kTdInfo.FieldError("debug", "must be " + std::string(info.debug() ? "true" : "false") +
                                           ": it states whether td_attributes has a TUD bit set");
  }
  VOUCH_ASSIGN_OR_RETURN(info.mode, kTdInfo.Mode(root));
  if (info.mode == EnclaveMode::kMock ||
      (info.mode == EnclaveMode::kDebug) !=
          (info.debug() && info.mode != EnclaveMode::kSimulation)) {
    return kTdInfo.FieldError("mode", "must be DEBUG exactly when debug is true, or SIMULATION");
  }
  VOUCH_ASSIGN_OR_RETURN(info.security, kTdInfo.Security(root));
  if (info.mode != EnclaveMode::kRelease && info.security.summary != SecuritySummary::kInsecure) {
    return kTdInfo.FieldError(
        "security.summary",
        "must be INSECURE for a " + std::string(EnclaveModeName(info.mode)) + " TD");
  }
  VOUCH_RETURN_IF_ERROR(ReadHex(root, "report_data", &info.report_data));
  return info;
}

}  // namespace

namespace internal {

nlohmann::ordered_json TdInfoToJsonValue(const TdInstanceInfo& info) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["tee"] = "TDX";
  out["mr_td"] = HexEncode(info.mr_td);
  for (size_t n = 0; n < 4; ++n) out["rtmr" + std::to_string(n)] = HexEncode(info.rtmr[n]);
  out["mr_config_id"] = HexEncode(info.mr_config_id);
  out["mr_owner"] = HexEncode(info.mr_owner);
  out["mr_owner_config"] = HexEncode(info.mr_owner_config);
  out["mr_seam"] = HexEncode(info.mr_seam);
  out["mr_signer_seam"] = HexEncode(info.mr_signer_seam);
  out["seam_attributes"] = HexEncode(info.seam_attributes);
  out["td_attributes"] = HexEncode(info.td_attributes);
  out["xfam"] = HexEncode(info.xfam);
  out["tee_tcb_svn"] = HexEncode(info.tee_tcb_svn);
  if (info.tee_tcb_svn2) out["tee_tcb_svn2"] = HexEncode(*info.tee_tcb_svn2);
  if (info.mr_servicetd) out["mr_servicetd"] = HexEncode(*info.mr_servicetd);
  out["debug"] = info.debug();
  out["mode"] = std::string(EnclaveModeName(info.mode));
  out["security"] = SecurityToJson(info.security);
  out["report_data"] = HexEncode(info.report_data);
  return out;
}

}  // namespace internal

std::string TdInstanceInfo::ToJson(int indent) const {
  return internal::TdInfoToJsonValue(*this).dump(indent, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
}

StatusOr<TdInstanceInfo> TdInstanceInfo::FromJson(std::string_view json) {
  auto value = internal::ParseStrictJson(json, kMaxTdJsonDepth);
  if (!value.ok()) return kTdInfo.Error(value.status().message());
  try {
    return FromValue(*value);
  } catch (const std::exception& e) {
    return kTdInfo.Error(internal::JsonErrorMessage(e));
  }
}

}  // namespace vouch

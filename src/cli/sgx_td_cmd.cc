#include "cli/sgx_td_cmd.h"

#include <iostream>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "constraint/td_info_json.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/sgx/td_info.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string_view BodyName(sgx::QuoteBodyType type) {
  return type == sgx::QuoteBodyType::kTdReport15 ? "TD report 1.5" : "TD report 1.0";
}

// The verification record; the TD identity is added by the caller.
Json ResultJson(const sgx::TdVerificationResult& r) {
  Json out;
  out["tee"] = "TDX";
  out["tcb_status"] = sgx::TcbStatusName(r.tcb_status);
  out["platform_tcb_status"] = sgx::TcbStatusName(r.platform_tcb_status);
  out["tdx_module_tcb_status"] = sgx::TcbStatusName(r.tdx_module_tcb_status);
  out["qe_tcb_status"] = sgx::TcbStatusName(r.qe_tcb_status);
  out["td_relaunch_advised"] = r.td_relaunch_advised;
  out["intel_qv_result"] = sgx::TdIntelQvResultName(r);
  out["advisory_ids"] = r.advisory_ids;
  out["tdx_module_advisory_ids"] = r.tdx_module_advisory_ids;
  out["qe_advisory_ids"] = r.qe_advisory_ids;
  out["tdx_module_identity"] = r.tdx_module_identity;
  out["quote_version"] = r.header.version;
  AddPlatformJson(r, out);
  return out;
}

void PrintTdHuman(const sgx::TdVerificationResult* r, const TdInstanceInfo* td,
                  const std::string& verdict, const Status& error,
                  const std::string& constraint_line) {
  std::cout << "verdict:      " << verdict << "\n";
  if (!error.ok())
    std::cout << "error:        " << error.reason() << ": " << error.message() << "\n";
  if (r != nullptr) {
    std::cout << "tee:          Intel TDX, quote v" << r->header.version << ", "
              << BodyName(r->body_type) << "\n"
              << "tcb status:   " << sgx::TcbStatusName(r->tcb_status) << " (TDX level "
              << sgx::TcbStatusName(r->platform_tcb_status) << ", TDX module "
              << (r->tdx_module_identity.empty() ? "(version 0)" : r->tdx_module_identity) << " "
              << sgx::TcbStatusName(r->tdx_module_tcb_status) << ", QE "
              << sgx::TcbStatusName(r->qe_tcb_status) << ")"
              << (r->td_relaunch_advised ? "; TD relaunch advised" : "") << "\n"
              << "advisories:   " << JoinOrNone(r->advisory_ids)
              << " (TDX module: " << JoinOrNone(r->tdx_module_advisory_ids)
              << "; QE: " << JoinOrNone(r->qe_advisory_ids) << ")\n";
    PrintPlatformLines(*r);
  }
  if (td != nullptr) {
    auto row = [](const char* name, ByteSpan value) {
      std::cout << "              " << name << std::string(14 - std::string(name).size(), ' ')
                << HexEncode(value) << "\n";
    };
    std::cout << "td:           MRTD          " << HexEncode(td->mr_td) << "\n";
    const char* const kRtmr[] = {"RTMR0", "RTMR1", "RTMR2", "RTMR3"};
    for (size_t i = 0; i < 4; ++i) row(kRtmr[i], td->rtmr[i]);
    row("MRCONFIGID", td->mr_config_id);
    row("MROWNER", td->mr_owner);
    row("MROWNERCONFIG", td->mr_owner_config);
    row("MRSEAM", td->mr_seam);
    row("MRSIGNERSEAM", td->mr_signer_seam);
    row("SEAMATTR", td->seam_attributes);
    row("TDATTR", td->td_attributes);
    row("XFAM", td->xfam);
    row("TEE_TCB_SVN", td->tee_tcb_svn);
    if (td->tee_tcb_svn2) row("TEE_TCB_SVN2", *td->tee_tcb_svn2);
    if (td->mr_servicetd) row("MRSERVICETD", *td->mr_servicetd);
    std::cout << "              debug " << (td->debug() ? "yes" : "no") << ", mode "
              << EnclaveModeName(td->mode) << "\n"
              << "security:     " << SecuritySummaryName(td->security.summary) << " as of "
              << FormatRfc3339(td->security.timestamp) << ": " << td->security.reason << "\n"
              << "report data:  " << HexEncode(td->report_data) << "\n";
  }
  if (!constraint_line.empty()) std::cout << "constraint:   " << constraint_line << "\n";
}

}  // namespace

void AddPlatformJson(const sgx::DcapResult& r, Json& out) {
  out["fmspc"] = HexEncode(r.pck.fmspc);
  out["pck_ca"] = r.pck_ca;
  out["tcb_evaluation_data_number"] = r.tcb_evaluation_data_number;
  out["trust_root"] = sgx::TrustRootKindName(r.root_kind);
  out["collateral_valid_from"] = FormatRfc3339(r.collateral_valid_from);
  out["collateral_valid_until"] = FormatRfc3339(r.collateral_valid_until);
  out["collateral_expired"] = r.collateral_expired;
}

void PrintPlatformLines(const sgx::DcapResult& r) {
  std::cout << "platform:     FMSPC " << HexEncode(r.pck.fmspc) << ", PCK " << r.pck_ca
            << " CA, TCB evaluation " << r.tcb_evaluation_data_number << ", "
            << sgx::TrustRootKindName(r.root_kind) << " root\n"
            << "collateral:   valid " << FormatRfc3339(r.collateral_valid_from) << " .. "
            << FormatRfc3339(r.collateral_valid_until)
            << (r.collateral_expired ? " (EXPIRED, accepted by --allow-expired-collateral)" : "")
            << "\n";
}

int RunVerifyTd(const sgx::DcapVerifier& verifier, ByteSpan quote,
                const sgx::Collateral& collateral, const sgx::VerifyOptions& options,
                const TeeConstraint* constraint, const std::string& td_info_out, bool json) {
  Json out;
  out["tee"] = "TDX";
  // A rejection; `out` holds the fields reached.
  auto reject = [&](const Status& error, const sgx::TdVerificationResult* r,
                    const TdInstanceInfo* td, const std::string& constraint_line) {
    if (json) return ReportStatus(true, "rejected", error, "", out);
    PrintTdHuman(r, td, "rejected", error, constraint_line);
    return static_cast<int>(ErrorCodeFor(error).exit_code);
  };
  auto result = verifier.VerifyTd(quote, collateral, options);
  if (!result.ok()) return reject(result.status(), nullptr, nullptr, "");
  const sgx::TdVerificationResult& r = *result;
  const TdInstanceInfo td = sgx::ToTdInstanceInfo(r);
  out = ResultJson(r);
  out["td"] = internal::TdInfoToJsonValue(td);
  if (!td_info_out.empty()) {
    if (Status s = WriteFileAtomic(td_info_out, AsBytes(td.ToJson(2) + "\n"), 0644); !s.ok()) {
      return ReportFailure(json, codes::kIoError, "cannot write --eii-out", s.message());
    }
    out["eii_out"] = td_info_out;
  }
  std::string constraint_line;
  if (constraint != nullptr) {
    Status check = constraint->Check(td, options.at);
    if (!check.ok()) {
      out["constraint"] = {
          {"result", "fail"}, {"message", check.message()}, {"reason", check.reason()}};
      return reject(RejectedError(std::string(codes::kConstraintFailed.code), check.message()), &r,
                    &td, "FAIL: " + check.message());
    }
    out["constraint"] = {{"result", "pass"}};
    constraint_line = "PASS (" + constraint->ToString() + ")";
  }
  if (json) {
    PrintJsonResult(kVerdictAccepted, out);
  } else {
    PrintTdHuman(&r, &td, "accepted", OkStatus(), constraint_line);
  }
  return kExitOk;
}

}  // namespace vouch::cli

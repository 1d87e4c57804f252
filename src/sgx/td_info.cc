#include "vouch/sgx/td_info.h"

#include <algorithm>
#include <string>

namespace vouch::sgx {
namespace {

std::string TdStatusReason(TcbStatus status) {
  const std::string verified = "The signature of the TD quote has been verified correctly";
  const std::string not_revoked =
      " The platform has not been identified as compromised and thus it is not revoked.";
  switch (status) {
    case TcbStatus::kUpToDate:
      return "The signature of the TD quote was verified correctly and the TCB level of the TDX "
             "platform (SGX and TDX components, TDX module) is up-to-date.";
    case TcbStatus::kSwHardeningNeeded:
      return verified +
             " but due to certain issues affecting the platform, additional software hardening "
             "in the TD may be needed.";
    case TcbStatus::kConfigurationNeeded:
      return verified + ", but additional configuration of the TDX platform may be needed." +
             not_revoked;
    case TcbStatus::kConfigurationAndSwHardeningNeeded:
      return verified +
             " but additional configuration for the platform and software hardening in the TD "
             "may be needed." +
             not_revoked;
    case TcbStatus::kOutOfDate:
      return verified +
             ", but the TCB level of the TDX platform or of its TDX module is "
             "outdated." +
             not_revoked;
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return verified +
             ", but the TCB level of the TDX platform or of its TDX module is outdated and "
             "additional configuration of it may be needed." +
             not_revoked;
    case TcbStatus::kRevoked:
      return "The TCB level of the TDX platform is revoked. The platform is not trustworthy.";
  }
  return "";
}

std::string HardwareReason(const TdVerificationResult& r) {
  std::string reason = TdStatusReason(r.tcb_status);
  if (r.td_relaunch_advised) {
    reason += " Relaunching the TD is advised: the platform now runs an up-to-date TDX module.";
  }
  std::vector<std::string> ids = r.advisory_ids;
  for (const std::string& id : r.tdx_module_advisory_ids) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  if (!ids.empty()) {
    reason += " For further details see Advisory IDs ";
    for (size_t i = 0; i < ids.size(); ++i) reason += (i > 0 ? ", " : "") + ids[i];
    reason += ".";
  }
  return reason;
}

}  // namespace

TdInstanceInfo ToTdInstanceInfo(const TdVerificationResult& r) {
  const TdReport& t = r.td;
  TdInstanceInfo info;
  info.mr_td = t.mr_td;
  info.rtmr = t.rtmr;
  info.mr_config_id = t.mr_config_id;
  info.mr_owner = t.mr_owner;
  info.mr_owner_config = t.mr_owner_config;
  info.mr_seam = t.mr_seam;
  info.mr_signer_seam = t.mr_signer_seam;
  info.seam_attributes = t.seam_attributes;
  info.td_attributes = t.td_attributes;
  info.xfam = t.xfam;
  info.tee_tcb_svn = t.tee_tcb_svn;
  info.tee_tcb_svn2 = t.tee_tcb_svn2;
  info.mr_servicetd = t.mr_servicetd;
  info.report_data = t.report_data;
  info.security.timestamp = r.latest_issue_date;
  const bool secure = r.tcb_status == TcbStatus::kUpToDate;
  if (r.root_kind == TrustRootKind::kSimulation) {
    info.mode = EnclaveMode::kSimulation;
    info.security.summary = SecuritySummary::kInsecure;
    info.security.reason = "TD is running in simulation mode.";
  } else if (t.debug()) {
    info.mode = EnclaveMode::kDebug;
    info.security.summary = SecuritySummary::kInsecure;
    info.security.reason = std::string("TD is running in debug mode and is thus INSECURE. ") +
                           (secure ? "However the security status of the underlying hardware is "
                                     "secure"
                                   : "The security status of the underlying hardware is stale") +
                           ": " + HardwareReason(r);
  } else {
    info.mode = EnclaveMode::kRelease;
    info.security.summary = secure ? SecuritySummary::kSecure : SecuritySummary::kStale;
    info.security.reason = HardwareReason(r);
  }
  return info;
}

}  // namespace vouch::sgx

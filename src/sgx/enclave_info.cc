#include "vouch/sgx/enclave_info.h"

#include <string>

namespace vouch::sgx {
namespace {

// Conclave's reason texts (spec/constraint-dsl.md §9.3).
std::string StatusReason(TcbStatus status) {
  switch (status) {
    case TcbStatus::kUpToDate:
      return "A signature of the ISV enclave QUOTE was verified correctly and the TCB level of "
             "the SGX platform is up-to-date.";
    case TcbStatus::kSwHardeningNeeded:
      return "The signature of the ISV enclave QUOTE has been verified correctly but due to "
             "certain issues affecting the platform, additional software hardening in the "
             "attesting SGX enclaves may be needed.";
    case TcbStatus::kConfigurationNeeded:
      return "The signature of the ISV enclave QUOTE has been verified correctly, but additional "
             "configuration of SGX platform may be needed. The platform has not been identified "
             "as compromised and thus it is not revoked.";
    case TcbStatus::kConfigurationAndSwHardeningNeeded:
      return "The signature of the ISV enclave QUOTE has been verified correctly but additional "
             "configuration for the platform and software hardening in the attesting SGX "
             "enclaves may be needed. The platform has not been identified as compromised and "
             "thus it is not revoked.";
    case TcbStatus::kOutOfDate:
      return "The signature of the ISV enclave QUOTE has been verified correctly, but the TCB "
             "level of SGX platform is outdated. The platform has not been identified as "
             "compromised and thus it is not revoked.";
    case TcbStatus::kOutOfDateConfigurationNeeded:
      return "The signature of the ISV enclave QUOTE has been verified correctly, but the TCB "
             "level of SGX platform is outdated and additional configuration of it may be "
             "needed. The platform has not been identified as compromised and thus it is not "
             "revoked.";
    case TcbStatus::kRevoked:
      return "The TCB level of SGX platform is revoked. The platform is not trustworthy.";
  }
  return "";
}

bool MentionsAdvisories(TcbStatus status) {
  return status == TcbStatus::kSwHardeningNeeded ||
         status == TcbStatus::kConfigurationAndSwHardeningNeeded ||
         status == TcbStatus::kOutOfDate || status == TcbStatus::kOutOfDateConfigurationNeeded;
}

std::string HardwareReason(const VerificationResult& r) {
  std::string reason = StatusReason(r.tcb_status);
  if (MentionsAdvisories(r.tcb_status) && !r.advisory_ids.empty()) {
    reason += " For further details see Advisory IDs ";
    for (size_t i = 0; i < r.advisory_ids.size(); ++i) {
      if (i > 0) reason += ", ";
      reason += r.advisory_ids[i];
    }
    reason += ".";
  }
  return reason;
}

SecuritySummary HardwareSummary(TcbStatus status) {
  return status == TcbStatus::kUpToDate ? SecuritySummary::kSecure : SecuritySummary::kStale;
}

}  // namespace

EnclaveInstanceInfo ToEnclaveInstanceInfo(const VerificationResult& r) {
  EnclaveInstanceInfo info;
  info.code_hash = r.enclave.mr_enclave;
  info.code_signer = r.enclave.mr_signer;
  info.product_id = r.enclave.isv_prod_id;
  info.isv_svn = r.enclave.isv_svn;
  info.report_data = r.enclave.report_data;
  info.cpu_svn = r.enclave.cpu_svn;
  info.security.timestamp = r.latest_issue_date;
  const SecuritySummary hardware = HardwareSummary(r.tcb_status);
  if (r.root_kind == TrustRootKind::kSimulation) {
    info.mode = EnclaveMode::kSimulation;
    info.security.summary = SecuritySummary::kInsecure;
    info.security.reason = "Enclave is running in simulation mode.";
  } else if (r.enclave.debug()) {
    info.mode = EnclaveMode::kDebug;
    info.security.summary = SecuritySummary::kInsecure;
    info.security.reason = std::string("Enclave is running in debug mode and is thus INSECURE. ") +
                           (hardware == SecuritySummary::kSecure
                                ? "However the security status of the underlying hardware is secure"
                                : "The security status of the underlying hardware is stale") +
                           ": " + HardwareReason(r);
  } else {
    info.mode = EnclaveMode::kRelease;
    info.security.summary = hardware;
    info.security.reason = HardwareReason(r);
  }
  return info;
}

}  // namespace vouch::sgx

#include "sgx/tcb_levels.h"

#include <cctype>
#include <cstdio>

#include "vouch/base/encoding.h"
#include "vouch/sgx/reasons.h"

namespace vouch::sgx::internal {
namespace {

using reasons::kTcbLevelNotFound;
using reasons::kTcbRevoked;
using reasons::kTdxModuleMismatch;
using reasons::kTdxModuleTcbLevelNotFound;

std::string ModuleId(uint8_t major_version) {
  char id[8];
  std::snprintf(id, sizeof(id), "TDX_%02X", major_version);
  return id;
}

// The `tdxModuleIdentities` entry for `major_version`, compared case-insensitively as QVL does.
const TdxModuleIdentity* FindModuleIdentity(const TcbInfo& info, uint8_t major_version) {
  const std::string wanted = ModuleId(major_version);
  for (const TdxModuleIdentity& identity : info.tdx_module_identities()) {
    std::string id = identity.id;
    for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (id == wanted) return &identity;
  }
  return nullptr;
}

// TEE_TCB_SVN against a level's TDX components; QVL skips indices 0 and 1 (the module's SVN and
// major version, judged by the module identity) when the major version is not 0.
bool TdxLevelMatches(const TcbLevel& level, const std::array<uint8_t, 16>& tee_tcb_svn) {
  for (size_t i = tee_tcb_svn[1] > 0 ? 2 : 0; i < 16; ++i) {
    if (tee_tcb_svn[i] < level.tdx_components[i]) return false;
  }
  return true;
}

// QVL's checkForRelaunch (TD 1.5): a TD running at an out-of-date TDX TCB only because its
// module is out of date, on a platform whose current module (TEE_TCB_SVN2) is the latest, is
// advised to relaunch. Returns whether it is; fails only when TEE_TCB_SVN2 names a module the
// TCB Info does not describe.
StatusOr<bool> RelaunchAdvised(const TcbInfo& info, const std::array<uint8_t, 16>& svn2,
                               const TdxTcbEvaluation& e, TcbStatus qe_status) {
  if (qe_status != TcbStatus::kUpToDate) return false;  // QE OutOfDate or Revoked
  const TcbStatus sgx = e.sgx_level->status;
  if (sgx != TcbStatus::kUpToDate && sgx != TcbStatus::kSwHardeningNeeded &&
      sgx != TcbStatus::kConfigurationNeeded &&
      sgx != TcbStatus::kConfigurationAndSwHardeningNeeded) {
    return false;
  }
  if (e.tdx_status != TcbStatus::kOutOfDate &&
      e.tdx_status != TcbStatus::kOutOfDateConfigurationNeeded) {
    return false;
  }
  if (e.module_status != TcbStatus::kOutOfDate) return false;
  const TcbLevel& latest = info.levels().front();
  uint16_t latest_module_svn = latest.tdx_components[0];
  if (svn2[1] != 0) {
    const TdxModuleIdentity* identity = FindModuleIdentity(info, svn2[1]);
    if (identity == nullptr) {
      return RejectedError(kTdxModuleMismatch, "TEE_TCB_SVN2 names TDX module " +
                                                   ModuleId(svn2[1]) +
                                                   ", which the TCB Info does not describe");
    }
    latest_module_svn = identity->levels.front().isv_svn;
  }
  return svn2[0] >= latest_module_svn && svn2[2] >= latest.tdx_components[2];
}

}  // namespace

bool SgxLevelMatches(const TcbLevel& level, const PckExtension& pck) {
  if (pck.pce_svn < level.pce_svn) return false;
  for (size_t i = 0; i < 16; ++i) {
    if (pck.tcb_components[i] < level.sgx_components[i]) return false;
  }
  return true;
}

const TcbLevel* MatchPlatformLevel(const TcbInfo& info, const PckExtension& pck) {
  for (const TcbLevel& level : info.levels()) {
    if (SgxLevelMatches(level, pck)) return &level;
  }
  return nullptr;
}

const QeTcbLevel* MatchQeLevel(const QeIdentity& id, uint16_t isv_svn) {
  for (const QeTcbLevel& level : id.levels()) {
    if (level.isv_svn <= isv_svn) return &level;
  }
  return nullptr;
}

TcbStatus Converge(TcbStatus platform, TcbStatus other) {
  if (other == TcbStatus::kRevoked) return TcbStatus::kRevoked;
  if (other == TcbStatus::kOutOfDate) {
    if (platform == TcbStatus::kUpToDate || platform == TcbStatus::kSwHardeningNeeded) {
      return TcbStatus::kOutOfDate;
    }
    if (platform == TcbStatus::kConfigurationNeeded ||
        platform == TcbStatus::kConfigurationAndSwHardeningNeeded) {
      return TcbStatus::kOutOfDateConfigurationNeeded;
    }
  }
  return platform;
}

StatusOr<TdxModuleMatch> CheckTdxModule(const TcbInfo& info, const TdReport& td) {
  if (!info.tdx_module()) {
    return RejectedError(reasons::kTcbInfoWrongTee,
                         "the TCB Info is not TDX TCB Info (no tdxModule)");
  }
  TdxModuleMatch match;
  const TdxModule* module = &*info.tdx_module();
  const uint8_t major = td.tee_tcb_svn[1];
  if (major > 0) {
    match.identity = FindModuleIdentity(info, major);
    if (match.identity == nullptr) {
      return RejectedError(kTdxModuleMismatch,
                           "the TD's TDX module has major version " + std::to_string(major) +
                               " but the TCB Info has no tdxModuleIdentities entry " +
                               ModuleId(major));
    }
    module = &match.identity->module;
  }
  if (td.mr_signer_seam != module->mrsigner) {
    return RejectedError(kTdxModuleMismatch, "MRSIGNERSEAM " + HexEncode(td.mr_signer_seam) +
                                                 " is not the TDX module signer " +
                                                 HexEncode(module->mrsigner) + " of the TCB Info");
  }
  for (size_t i = 0; i < 8; ++i) {
    // QVL requires zero SEAMATTRIBUTES equal to the TCB Info's; the mask is applied as well.
    if (td.seam_attributes[i] != 0 || (td.seam_attributes[i] & module->attributes_mask[i]) !=
                                          (module->attributes[i] & module->attributes_mask[i])) {
      return RejectedError(kTdxModuleMismatch, "SEAMATTRIBUTES " + HexEncode(td.seam_attributes) +
                                                   " are not zero and equal to the TCB Info's " +
                                                   HexEncode(module->attributes));
    }
  }
  return match;
}

StatusOr<TdxTcbEvaluation> EvaluateTdxTcb(const TcbInfo& info, const PckExtension& pck,
                                          const TdReport& td, const TdxModuleMatch& module,
                                          TcbStatus qe_status) {
  TdxTcbEvaluation e;
  for (const TcbLevel& level : info.levels()) {
    if (!SgxLevelMatches(level, pck)) continue;
    if (e.sgx_level == nullptr) e.sgx_level = &level;
    if (TdxLevelMatches(level, td.tee_tcb_svn)) {
      e.tdx_level = &level;
      break;
    }
  }
  if (e.sgx_level == nullptr) {
    return RejectedError(kTcbLevelNotFound,
                         "no TCB Info level matches the PCK certificate's TCB (TCB not "
                         "supported)");
  }
  if (e.tdx_level == nullptr) {
    return RejectedError(kTcbLevelNotFound,
                         "no TCB Info level that matches the PCK certificate's TCB also matches "
                         "the TD's TEE_TCB_SVN " +
                             HexEncode(td.tee_tcb_svn) + " (TCB not supported)");
  }
  if (module.identity != nullptr) {
    const uint8_t module_svn = td.tee_tcb_svn[0];
    for (const TdxModuleTcbLevel& level : module.identity->levels) {
      if (module_svn >= level.isv_svn) {
        e.module_level = &level;
        break;
      }
    }
    if (e.module_level == nullptr) {
      return RejectedError(kTdxModuleTcbLevelNotFound,
                           "no TCB level of TDX module " + module.identity->id +
                               " matches its SVN " + std::to_string(module_svn) +
                               " (TCB not supported)");
    }
    e.module_status = e.module_level->status;
  }
  e.tdx_status = Converge(e.tdx_level->status, e.module_status);
  if (e.tdx_status != TcbStatus::kRevoked && td.tee_tcb_svn2) {
    VOUCH_ASSIGN_OR_RETURN(e.relaunch_advised,
                           RelaunchAdvised(info, *td.tee_tcb_svn2, e, qe_status));
  }
  e.status = Converge(e.tdx_status, qe_status);
  if (e.status == TcbStatus::kRevoked) {
    return RejectedError(kTcbRevoked, std::string("the TCB level is revoked (TDX ") +
                                          std::string(TcbStatusName(e.tdx_level->status)) +
                                          ", TDX module " +
                                          std::string(TcbStatusName(e.module_status)) + ", QE " +
                                          std::string(TcbStatusName(qe_status)) + ")");
  }
  return e;
}

}  // namespace vouch::sgx::internal

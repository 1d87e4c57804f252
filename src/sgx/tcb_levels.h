// Internal to sgx/: TCB level matching and status convergence (spec/sgx-dcap.md §4.8, §4.10,
// §5.2), for SGX and, following Intel's QVL (Verifiers/Checks/TcbLevelCheck.cpp,
// TdxModuleCheck.cpp, TDRelaunchCheck.cpp and QuoteVerifier.cpp step 4.1.2.4.11), for TDX:
// the SGX components and PCESVN, then the TDX components against TEE_TCB_SVN, the TDX module's
// identity (MRSIGNERSEAM, SEAMATTRIBUTES) and TCB level, and the TD 1.5 relaunch advice.
// Pure functions over parsed collateral and quote values; failures are kPermissionDenied with
// a reason of docs/error-codes.md.
#ifndef VOUCH_SGX_TCB_LEVELS_H_
#define VOUCH_SGX_TCB_LEVELS_H_

#include <string>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/pck_extension.h"
#include "vouch/sgx/td_quote.h"

namespace vouch::sgx::internal {

// Every PCK component and the PCESVN are at least the level's (§4.10 step 26).
bool SgxLevelMatches(const TcbLevel& level, const PckExtension& pck);
// The first level of `info` (sorted as Intel sorts them) that SgxLevelMatches, or nullptr.
const TcbLevel* MatchPlatformLevel(const TcbInfo& info, const PckExtension& pck);
// The first QE level (sorted descending by ISVSVN) with level ISVSVN <= `isv_svn`, or nullptr.
const QeTcbLevel* MatchQeLevel(const QeIdentity& id, uint16_t isv_svn);
// Intel's convergence of a platform status with the QE's, and (the same table) of a TDX TCB
// status with the TDX module's: OutOfDate turns UpToDate / SWHardeningNeeded into OutOfDate and
// the Configuration statuses into OutOfDateConfigurationNeeded; Revoked wins (§5.2).
TcbStatus Converge(TcbStatus platform, TcbStatus other);

// The TDX module description that the TD report's module must match: `tdxModule` when the
// module major version tee_tcb_svn[1] is 0, else the `tdxModuleIdentities` entry "TDX_%02X".
struct TdxModuleMatch {
  const TdxModuleIdentity* identity = nullptr;  // null for major version 0
};
// QVL step 4.1.2.4.11: finds the module description, then MRSIGNERSEAM must equal its mrsigner
// and SEAMATTRIBUTES must be zero and equal its attributes under attributesMask. Reasons
// tdx_module_mismatch (no such identity, signer or attributes differ) and tcb_info_wrong_tee
// (not TDX TCB Info).
StatusOr<TdxModuleMatch> CheckTdxModule(const TcbInfo& info, const TdReport& td);

struct TdxTcbEvaluation {
  const TcbLevel* sgx_level = nullptr;  // the first level matching the SGX TCB
  const TcbLevel* tdx_level = nullptr;  // the first level also matching TEE_TCB_SVN
  // The module's TCB level (null for major version 0, whose status is UpToDate).
  const TdxModuleTcbLevel* module_level = nullptr;
  TcbStatus module_status = TcbStatus::kUpToDate;
  TcbStatus tdx_status = TcbStatus::kUpToDate;  // tdx_level converged with the module
  bool relaunch_advised = false;                // TD 1.5 only
  TcbStatus status = TcbStatus::kUpToDate;      // converged with the QE; never Revoked
};
// QVL step 4.1.2.4.17 for TDX (checkTcbLevel, checkTdxModuleTcbStatus, checkForRelaunch):
// reasons tcb_level_not_found (no level matches the SGX TCB, or none of those also matches
// TEE_TCB_SVN; indices 0 and 1 are skipped when tee_tcb_svn[1] > 0),
// tdx_module_tcb_level_not_found, tdx_module_mismatch (TD 1.5: no identity for
// tee_tcb_svn2[1]) and tcb_revoked.
StatusOr<TdxTcbEvaluation> EvaluateTdxTcb(const TcbInfo& info, const PckExtension& pck,
                                          const TdReport& td, const TdxModuleMatch& module,
                                          TcbStatus qe_status);

}  // namespace vouch::sgx::internal

#endif  // VOUCH_SGX_TCB_LEVELS_H_

// Offline verification of Intel SGX and TDX DCAP quotes against PCS collateral at an explicit
// time (spec/sgx-dcap.md §4–§6): every step of Intel's QvE/QVL flow, with the project's
// decisions (exact signed JSON bytes, half-open collateral window, production vs simulation
// roots). TD quotes go through the same steps plus Intel QVL's TDX TCB evaluation (VerifyTd).
//
// DcapVerifier is thread-safe. It caches verified collateral (keyed by its exact bytes),
// verified PCK chains with their revocation outcome, and verified QE report signatures, so a
// repeated platform costs one or two ECDSA verifications per quote. Cached and uncached paths
// return identical results.
#ifndef VOUCH_SGX_VERIFIER_H_
#define VOUCH_SGX_VERIFIER_H_

#include <memory>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/x509.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/pck_extension.h"
#include "vouch/sgx/quote.h"
#include "vouch/sgx/td_quote.h"

namespace vouch::sgx {

enum class TrustRootKind { kProduction, kSimulation };
std::string_view TrustRootKindName(TrustRootKind kind);  // "production" / "simulation"

struct TrustRoot {
  Certificate certificate;
  TrustRootKind kind = TrustRootKind::kProduction;
};

// The real Intel SGX Root CA, built in (spec §1).
const Certificate& IntelSgxRootCa();

struct VerifyOptions {
  // The verification time; never the wall clock.
  UnixSeconds at = 0;
  // Accept a time at or after the collateral's valid_until (never one before valid_from) and
  // report collateral_expired = true.
  bool allow_expired_collateral = false;
};

// What the verification of any DCAP quote establishes, SGX or TDX (the result record of spec
// §4.12 without the quote's body).
struct DcapResult {
  TcbStatus tcb_status = TcbStatus::kUpToDate;  // converged (never Revoked)
  // SGX: the matched TCB level's status and date. TDX: those of the level that matched both
  // the SGX and the TDX components.
  TcbStatus platform_tcb_status = TcbStatus::kUpToDate;
  UnixSeconds platform_tcb_date = 0;
  TcbStatus qe_tcb_status = TcbStatus::kUpToDate;
  uint16_t qe_isv_svn = 0;
  std::vector<std::string> advisory_ids;     // of the matched platform TCB level
  std::vector<std::string> qe_advisory_ids;  // of the matched QE level
  int tcb_info_version = 0;
  int64_t tcb_evaluation_data_number = 0;
  int64_t qe_identity_tcb_evaluation_data_number = 0;
  UnixSeconds collateral_valid_from = 0;
  UnixSeconds collateral_valid_until = 0;
  bool collateral_expired = false;
  UnixSeconds latest_issue_date = 0;  // the EII timestamp
  PckExtension pck;
  std::string pck_ca;  // "Processor" or "Platform"
  QuoteHeader header;
  CertificationDataType certification_data_type = CertificationDataType::kPckCertChain;
  TrustRootKind root_kind = TrustRootKind::kProduction;
};

// An SGX quote's result: the common record and the enclave's report body.
struct VerificationResult : DcapResult {
  ReportBody enclave;
};

// A TD quote's result (docs/td-info.md): the common record, the TD report and the TDX-specific
// TCB evaluation of Intel's QVL. `platform_tcb_status` is the TDX TCB level's own status;
// `tcb_status` is it converged with the TDX module's status and then with the QE's.
struct TdVerificationResult : DcapResult {
  QuoteBodyType body_type = QuoteBodyType::kTdReport10;  // v4 quotes: kTdReport10
  TdReport td;
  // The first TCB level matching the SGX components and PCESVN (QVL's SGX TCB level).
  TcbStatus sgx_tcb_status = TcbStatus::kUpToDate;
  // "TDX_01" for the module identity matched by major version tee_tcb_svn[1]; empty for major
  // version 0, checked against `tdxModule` only (status UpToDate, as QVL has it).
  std::string tdx_module_identity;
  TcbStatus tdx_module_tcb_status = TcbStatus::kUpToDate;
  std::vector<std::string> tdx_module_advisory_ids;
  // TD 1.5: Intel's TD_RELAUNCH_ADVISED (the TDX module was updated since the TD started and a
  // relaunch would bring it up to date). tcb_status keeps the status the TD runs at.
  bool td_relaunch_advised = false;
};

// Intel's sgx_ql_qv_result_t name for a TD result: as IntelQvResultName(tcb_status), except
// SGX_QL_QV_RESULT_TD_RELAUNCH_ADVISED[_CONFIG_NEEDED] when a relaunch is advised.
std::string_view TdIntelQvResultName(const TdVerificationResult& result);

struct DcapVerifierOptions {
  bool enable_cache = true;
  size_t max_cache_entries = 4096;  // per cache
};

class DcapVerifier {
 public:
  // Fails (kInvalidArgument) when there is no root, or a root is not a self-signed P-256
  // certificate whose signature verifies.
  static StatusOr<std::unique_ptr<DcapVerifier>> Create(std::vector<TrustRoot> roots,
                                                        DcapVerifierOptions options = {});
  ~DcapVerifier();
  DcapVerifier(const DcapVerifier&) = delete;
  DcapVerifier& operator=(const DcapVerifier&) = delete;

  // Returns the result, or a rejection: kInvalidArgument (quote or collateral does not parse)
  // or kPermissionDenied (examined and rejected), each with a stable reason code
  // (docs/error-codes.md).
  StatusOr<VerificationResult> Verify(ByteSpan quote, const Collateral& collateral,
                                      const VerifyOptions& options) const;
  // The same for an Intel TDX quote (v4, v5) with TDX collateral (TCB Info id "TDX", QE
  // Identity id "TD_QE"): every step of Verify, then the TDX TCB evaluation of Intel's QVL
  // (TDX components, TDX module identity and TCB level, TD 1.5 relaunch advice). Collateral
  // for the other TEE is rejected (tcb_info_wrong_tee, qe_identity_wrong_tee); so is an SGX
  // quote (quote_wrong_tee), and Verify rejects a TD quote the same way.
  StatusOr<TdVerificationResult> VerifyTd(ByteSpan quote, const Collateral& collateral,
                                          const VerifyOptions& options) const;

  struct CacheStats {
    uint64_t collateral_hits = 0, collateral_misses = 0;
    uint64_t pck_chain_hits = 0, pck_chain_misses = 0;
    uint64_t qe_report_hits = 0, qe_report_misses = 0;
  };
  CacheStats cache_stats() const;

 private:
  class Impl;
  explicit DcapVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_VERIFIER_H_

// Offline verification of Intel SGX DCAP quotes against PCS collateral at an explicit time
// (spec/sgx-dcap.md §4–§6): every step of Intel's QvE/QVL flow, with the project's decisions
// (exact signed JSON bytes, half-open collateral window, production vs simulation roots).
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

// The result record of spec §4.12.
struct VerificationResult {
  TcbStatus tcb_status = TcbStatus::kUpToDate;  // converged (never Revoked)
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
  ReportBody enclave;
  CertificationDataType certification_data_type = CertificationDataType::kPckCertChain;
  TrustRootKind root_kind = TrustRootKind::kProduction;
};

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

// Test support (not part of libvouch): Intel TDX evidence under a SimulatedPki, for the
// statuses and shapes no real vector has — revoked TDX levels and modules, out-of-date TDX
// modules, debug TDs, TD 1.5 bodies and relaunch advice, module major version 0. TD quotes
// (v4, v5) are signed through the PKI's quoting enclave (SimulatedPki::SignQuote) and the TDX
// TCB Info and TD_QE identity by its TCB Signing key, exactly as Intel's PCS signs them, so
// they go through the verifier's real code.
//
// Thread-compatible. A SimulatedTdx borrows its SimulatedPki, which must outlive it.
#ifndef VOUCH_SGX_SIMULATED_TDX_H_
#define VOUCH_SGX_SIMULATED_TDX_H_

#include <array>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/simulated_pki.h"
#include "vouch/sgx/td_quote.h"

namespace vouch::sgx::testing {

// The inverse of TdReport::Parse: 584 bytes, or 648 with the TD 1.5 fields.
Bytes EncodeTdReport(const TdReport& report);

struct SimulatedTdxLevel {
  std::array<uint8_t, 16> sgx_components{};
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> tdx_components{};
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};

struct SimulatedTdxModuleLevel {
  uint16_t isv_svn = 0;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};

struct SimulatedTdxOptions {
  // TEE_TCB_SVN of the TD reports: [0] the module's SVN, [1] its major version, [2] …
  std::array<uint8_t, 16> tee_tcb_svn = {5, 1, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  Measurement384 module_mrsigner{};  // Intel's modules have an all-zero MRSIGNERSEAM
  // Empty: one UpToDate level equal to the PKI platform's SGX TCB and tee_tcb_svn.
  std::vector<SimulatedTdxLevel> tcb_levels;
  // The TCB levels of the module identity TDX_%02X(tee_tcb_svn[1]); empty: one UpToDate level
  // at tee_tcb_svn[0].
  std::vector<SimulatedTdxModuleLevel> module_levels;
  // Further module identities, e.g. for the major version in a TD 1.5 TEE_TCB_SVN2.
  std::vector<uint8_t> extra_module_versions;
  bool module_identities = true;  // false: TCB Info without tdxModuleIdentities
  // TD_QE levels; empty: one UpToDate level at the PKI's QE ISVSVN.
  std::vector<SimulatedQeLevel> qe_levels;
};

class SimulatedTdx {
 public:
  SimulatedTdx(const SimulatedPki& pki, SimulatedTdxOptions options)
      : pki_(pki), options_(std::move(options)) {}

  // The PKI's collateral with TDX TCB Info (id "TDX", v3) and a TD_QE identity instead of the
  // SGX ones, both freshly signed.
  StatusOr<Collateral> MakeCollateral() const;
  // A TD report with the options' TEE_TCB_SVN and module signer, SEPT_VE_DISABLE set, not
  // debug, and fixed recognisable measurements; TD 1.5 fields when `td15`.
  TdReport MakeTdReport(bool td15 = false) const;
  // A TD quote over `td`: version 4 (TD 1.0 only) or 5 (body type 2 or 3 by td's fields).
  StatusOr<Bytes> MakeQuote(const TdReport& td, int version = 4) const;

  SimulatedTdxOptions& mutable_options() { return options_; }

 private:
  const SimulatedPki& pki_;
  SimulatedTdxOptions options_;
};

}  // namespace vouch::sgx::testing

#endif  // VOUCH_SGX_SIMULATED_TDX_H_

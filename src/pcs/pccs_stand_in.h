// A stand-in for Intel's PCCS on loopback, for tests: serves one collateral directory (and
// optionally a TDX one) through the PCS API v4 paths, with the issuer chains URL-encoded in the
// response headers and the root CA CRL hex-encoded, as a PCCS does. Not a product feature.
#ifndef VOUCH_PCS_PCCS_STAND_IN_H_
#define VOUCH_PCS_PCCS_STAND_IN_H_

#include <memory>
#include <optional>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/http/http_server.h"
#include "vouch/sgx/collateral.h"

namespace vouch::pcs {

struct PccsStandInOptions {
  std::string listen_address = "127.0.0.1:0";
  // Fault injection for negative tests.
  bool omit_tcb_issuer_chain = false;
  bool garbage_tcb_info = false;
  int qe_identity_status = 200;
  // TDX TCB Info and TD_QE identity (with their issuer chains) to serve under
  // /tdx/certification/v4 for the same FMSPC; absent: those paths answer 404.
  std::optional<sgx::Collateral> tdx;
};

// Serves `collateral` for `fmspc_hex` (lower case) and CA `ca` ("processor"/"platform"); other
// FMSPCs and CAs get 404, as a real PCCS answers for unknown platforms.
StatusOr<std::unique_ptr<http::HttpServer>> StartPccsStandIn(const sgx::Collateral& collateral,
                                                             const std::string& fmspc_hex,
                                                             const std::string& ca,
                                                             const PccsStandInOptions& options);

}  // namespace vouch::pcs

#endif  // VOUCH_PCS_PCCS_STAND_IN_H_

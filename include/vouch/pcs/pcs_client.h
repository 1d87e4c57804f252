// Fetching Intel PCS collateral for an SGX or TDX quote from an Intel PCS or a PCCS (API v4,
// spec/sgx-dcap.md §3.1): TCB Info for the quote's FMSPC, QE Identity, the PCK CRL of the quote's
// CA and the root CA CRL, each with its issuer chain from the response headers. Network I/O lives
// here, never in sgx/ (which stays pure); nothing fetched is trusted until `vouch sgx verify`
// checks it.
//
// Thread-compatible.
#ifndef VOUCH_PCS_PCS_CLIENT_H_
#define VOUCH_PCS_PCS_CLIENT_H_

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/x509.h"
#include "vouch/http/http_client.h"
#include "vouch/sgx/collateral.h"

namespace vouch::pcs {

// What selects the collateral: the FMSPC, the PCK CA ("processor" or "platform") and the TEE.
struct PlatformSelector {
  std::array<uint8_t, 6> fmspc{};
  std::string ca;  // "processor" | "platform"
  // A TD quote: TCB Info and QE Identity (TD_QE) come from /tdx/certification/v4.
  bool tdx = false;
};

// Reads FMSPC and CA type from a PCK leaf certificate (its SGX extension and issuer).
StatusOr<PlatformSelector> SelectorFromPckCertificate(const Certificate& leaf);
// From a quote, SGX or TDX: its embedded PCK chain (certification data type 5) or, for types
// 1–4, `pck_chain_pem` (leaf first). kInvalidArgument when neither gives a PCK certificate.
StatusOr<PlatformSelector> SelectorFromQuote(ByteSpan quote,
                                             const std::optional<std::string>& pck_chain_pem);

// `base_url` is the server's root ("https://api.trustedservices.intel.com") or already ends in
// "/sgx/certification/v4" or "/tdx/certification/v4". For a TDX platform the TCB Info and QE
// Identity come from /tdx/certification/v4, the CRLs from /sgx/certification/v4 (PCS API v4).
// Unreachable servers and non-200 answers are kUnavailable naming the URL; a response that is not
// collateral (bad JSON envelope, missing issuer chain header) is kDataLoss with reason
// "pccs_bad_response".
StatusOr<sgx::Collateral> FetchCollateral(http::Client& client, const std::string& base_url,
                                          const PlatformSelector& platform,
                                          std::chrono::milliseconds timeout);

}  // namespace vouch::pcs

#endif  // VOUCH_PCS_PCS_CLIENT_H_

// The JSON documents of simulated collateral (spec/sgx-dcap.md §4–5, in Intel's field order),
// shared by SimulatedPki (SGX) and the simulated TDX evidence (simulated_tdx.h): TCB levels, the
// QE Identity, and their signature by the simulated TCB signing key.
#ifndef VOUCH_SGX_SIMULATED_JSON_H_
#define VOUCH_SGX_SIMULATED_JSON_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/ecdsa_p256.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/simulated_pki.h"

namespace vouch::sgx::internal {

using SimJson = nlohmann::ordered_json;

// [{"svn": svns[0]}, …]: the 16 TCB components of a TCB level.
SimJson TcbComponentsJson(const std::array<uint8_t, 16>& svns);

// {"tcb": tcb, "tcbDate", "tcbStatus"[, "advisoryIDs"]}: one TCB level (of TCB Info, a TDX
// module identity or the QE Identity), dated `date`.
SimJson TcbLevelJson(SimJson tcb, UnixSeconds date, TcbStatus status,
                     const std::vector<std::string>& advisory_ids);

// A QE Identity v2 document: `id` "QE" (SGX) or "TD_QE" (TDX), product `isv_prod_id`, issued as
// `o` says and signed by `o.qe_mr_signer`'s QE, with `levels` (one UpToDate level at
// o.qe_isv_svn when empty), each dated a day before issue.
SimJson QeIdentityJson(const char* id, int isv_prod_id, const SimulatedPkiOptions& o,
                       const std::vector<SimulatedQeLevel>& levels);

// `document`'s compact serialisation and its raw ECDSA P-256 signature by `key`.
StatusOr<SignedJson> SignJson(const SimJson& document, const EcdsaP256PrivateKey& key);

}  // namespace vouch::sgx::internal

#endif  // VOUCH_SGX_SIMULATED_JSON_H_

// Internal helpers shared by the platform backends: seal-key derivation (docs/sealing.md) and
// report bodies.
#ifndef VOUCH_PLATFORM_INTERNAL_H_
#define VOUCH_PLATFORM_INTERNAL_H_

#include <array>
#include <string_view>

#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/platform/platform.h"
#include "vouch/sgx/quote.h"

namespace vouch::platform::internal {

// How deep the JSON files platform/ reads (identities, bundle manifests, the simulation state)
// may nest; they are parsed by base/json.h (vouch::internal::ParseStrictJsonDocument).
inline constexpr int kMaxJsonDepth = 16;

// kPermissionDenied (reason "seal_svn_too_new") when `request` asks for a key of a higher ISV
// SVN than `identity` has (SGX EGETKEY's rule); kInvalidArgument for an unknown policy.
Status CheckSealKeyRequest(const EnclaveIdentity& identity, const SealKeyRequest& request);

// The derivation info: "vouch-seal-key/v1" ‖ policy (u8) ‖ MRENCLAVE or MRSIGNER (32) ‖
// ISVPRODID (u16 LE) ‖ ISVSVN requested (u16 LE) ‖ flags (u8, bit 0 = DEBUG) ‖ KEYID (16).
Bytes SealKeyInfo(const EnclaveIdentity& identity, const SealKeyRequest& request);

// HKDF-SHA256(ikm, salt, SealKeyInfo(...), 32), after CheckSealKeyRequest.
StatusOr<SecretBytes> DeriveSealKey(ByteSpan ikm, std::string_view salt,
                                    const EnclaveIdentity& identity, const SealKeyRequest& request);

// The report body stating `identity` and `report_data` on a CPU with `cpu_svn`.
sgx::ReportBody MakeReportBody(const EnclaveIdentity& identity, const ReportData& report_data,
                               const std::array<uint8_t, 16>& cpu_svn);

}  // namespace vouch::platform::internal

#endif  // VOUCH_PLATFORM_INTERNAL_H_

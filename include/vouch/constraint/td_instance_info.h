// TdInstanceInfo: what a TDX constraint (vouch/constraint/td_constraint.h) is checked against —
// the identity of an attested Intel TDX trust domain and the security verdict on it, the TD
// counterpart of EnclaveInstanceInfo (docs/td-info.md). DCAP verification of a TD quote
// produces it (vouch/sgx/td_info.h); it is exchanged as TD info JSON:
//
//   {"tee":"TDX","mr_td":"<96 hex>","rtmr0".."rtmr3","mr_config_id","mr_owner",
//    "mr_owner_config","mr_seam","mr_signer_seam":"<96 hex>","seam_attributes","td_attributes",
//    "xfam":"<16 hex>","tee_tcb_svn":"<32 hex>"[,"tee_tcb_svn2":"<32 hex>",
//    "mr_servicetd":"<96 hex>"],"debug":false,"mode":"RELEASE","security":{"summary":…,
//    "reason":…,"timestamp":…},"report_data":"<128 hex>"}
//
// It is a different type from EnclaveInstanceInfo on purpose: a Conclave constraint, which
// names SGX enclaves, has no way to be checked against a TD (vouch/constraint/tee_constraint.h).
//
// Thread-compatible value type.
#ifndef VOUCH_CONSTRAINT_TD_INSTANCE_INFO_H_
#define VOUCH_CONSTRAINT_TD_INSTANCE_INFO_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch {

// A SHA-384 measurement register value (MRTD, RTMRn, MRSEAM, …).
using Sha384Hash = std::array<uint8_t, 48>;

struct TdInstanceInfo {
  Sha384Hash mr_td{};                // the TD's initial contents (firmware, TDVF)
  std::array<Sha384Hash, 4> rtmr{};  // runtime measurement registers 0..3
  Sha384Hash mr_config_id{};         // software-defined configuration, set by the host
  Sha384Hash mr_owner{};
  Sha384Hash mr_owner_config{};
  Sha384Hash mr_seam{};         // the TDX module's measurement
  Sha384Hash mr_signer_seam{};  // the TDX module's signer (zero for Intel's)
  // Attribute fields: the 8-byte image of the little-endian u64, as in the TD report.
  std::array<uint8_t, 8> seam_attributes{};
  std::array<uint8_t, 8> td_attributes{};
  std::array<uint8_t, 8> xfam{};
  std::array<uint8_t, 16> tee_tcb_svn{};
  // TD report 1.5 only.
  std::optional<std::array<uint8_t, 16>> tee_tcb_svn2;
  std::optional<Sha384Hash> mr_servicetd;
  // RELEASE; DEBUG when any TD_ATTRIBUTES.TUD bit is set; SIMULATION for evidence chained to a
  // simulation root. Never MOCK.
  EnclaveMode mode = EnclaveMode::kRelease;
  EnclaveSecurityInfo security;
  std::array<uint8_t, 64> report_data{};

  // TD_ATTRIBUTES.TUD (bits 7:0) is not zero: bit 0 DEBUG, bits 7:1 reserved; Intel's TDX
  // module specification calls such a TD untrusted.
  bool debug() const { return td_attributes[0] != 0; }

  // The TD info JSON form, keys in the order above; compact when `indent` < 0.
  std::string ToJson(int indent = -1) const;
  // Reads TD info JSON strictly: "tee" must be "TDX"; every field present (tee_tcb_svn2 and
  // mr_servicetd together or not at all), of the right type and length; "debug" equal to
  // debug(); "mode" RELEASE, DEBUG or SIMULATION, DEBUG exactly when debug() (SIMULATION
  // either way), and a DEBUG or SIMULATION TD's summary INSECURE; no duplicate keys. Unknown extra
  // fields are ignored. Every failure is kInvalidArgument, reason "td_info_malformed", naming the
  // field.
  static StatusOr<TdInstanceInfo> FromJson(std::string_view json);

  friend bool operator==(const TdInstanceInfo&, const TdInstanceInfo&) = default;
};

}  // namespace vouch

#endif  // VOUCH_CONSTRAINT_TD_INSTANCE_INFO_H_

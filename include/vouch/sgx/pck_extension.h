// The SGX extension of Intel PCK certificates (OID 1.2.840.113741.1.13.1, spec/sgx-dcap.md
// §2.6): PPID, the TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID, FMSPC and SGX type.
#ifndef VOUCH_SGX_PCK_EXTENSION_H_
#define VOUCH_SGX_PCK_EXTENSION_H_

#include <array>
#include <cstdint>
#include <optional>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch::sgx {

inline constexpr char kSgxExtensionOid[] = "1.2.840.113741.1.13.1";

struct PckExtension {
  std::array<uint8_t, 16> ppid{};
  std::array<uint8_t, 16> tcb_components{};  // .2.1 … .2.16, each 0..255
  uint16_t pce_svn = 0;                      // .2.17
  std::array<uint8_t, 16> cpu_svn{};         // .2.18
  std::array<uint8_t, 2> pce_id{};
  std::array<uint8_t, 6> fmspc{};
  int sgx_type = 0;  // 0 standard, 1 scalable, 2 scalable with integrity
  std::optional<std::array<uint8_t, 16>> platform_instance_id;

  // Parses the DER extension value strictly: every mandatory field exactly once, exact sizes,
  // component SVNs 0..255, PCESVN 0..65535. kInvalidArgument otherwise.
  static StatusOr<PckExtension> Parse(ByteSpan der);
};

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_PCK_EXTENSION_H_

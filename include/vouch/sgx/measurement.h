// MRENCLAVE as the CPU computes it (Intel SDM Vol. 3D, operations of ECREATE, EADD, EEXTEND and
// EINIT): a SHA-256 over 64-byte records, in the order the loader issues the instructions.
//
//   ECREATE  "ECREATE\0" ‖ SSAFRAMESIZE u32 ‖ SIZE u64 ‖ 44 zero bytes
//   EADD     "EADD\0\0\0\0" ‖ ENCLAVEOFFSET u64 ‖ SECINFO[0..48) (FLAGS u64 ‖ 40 zero bytes)
//   EEXTEND  "EEXTEND\0" ‖ ENCLAVEOFFSET u64 ‖ 48 zero bytes, then the 256 measured bytes
//   EINIT    MRENCLAVE = SHA-256 final
//
// All integers little-endian; ENCLAVEOFFSET is the linear address minus the enclave base.
// These are the records Gramine's signer (python/graminelibos/sgx_sign.py) and Intel's
// sign_tool produce. Used by platform/bundle to measure enclave bundles (docs/measurement.md).
//
// Thread-compatible.
#ifndef VOUCH_SGX_MEASUREMENT_H_
#define VOUCH_SGX_MEASUREMENT_H_

#include <cstdint>
#include <set>

#include "vouch/base/bytes.h"
#include "vouch/base/status.h"
#include "vouch/crypto/sha.h"

namespace vouch::sgx {

inline constexpr size_t kPageSize = 4096;
inline constexpr size_t kEextendChunkSize = 256;
inline constexpr size_t kMeasurementRecordSize = 64;

// SECINFO.FLAGS (Intel SDM Vol. 3D, "SECINFO"): permissions in bits 0–2, page type in 15:8.
inline constexpr uint64_t kSecinfoR = 0x1;
inline constexpr uint64_t kSecinfoW = 0x2;
inline constexpr uint64_t kSecinfoX = 0x4;
inline constexpr uint64_t kSecinfoPageTypeTcs = 0x100;  // PT_TCS = 1
inline constexpr uint64_t kSecinfoPageTypeReg = 0x200;  // PT_REG = 2

class MrEnclaveBuilder {
 public:
  // Issues ECREATE for an enclave of `enclave_size` bytes whose SSA frames are
  // `ssa_frame_size` pages.
  MrEnclaveBuilder(uint32_t ssa_frame_size, uint64_t enclave_size);

  // EADD of the page at `offset`. kInvalidArgument when `offset` is not page aligned, lies
  // outside the enclave, or was already added.
  Status EAdd(uint64_t offset, uint64_t secinfo_flags);
  // EEXTEND of the 256 bytes `chunk` at `offset`. kInvalidArgument when `offset` is not
  // 256-byte aligned, its page was not added, or `chunk` is not 256 bytes.
  Status EExtend(uint64_t offset, ByteSpan chunk);
  // EADD of a page followed by EEXTEND of its 16 chunks (when `measure_content`).
  // REQUIRES: `page` is 4096 bytes.
  Status AddPage(uint64_t offset, uint64_t secinfo_flags, ByteSpan page,
                 bool measure_content = true);

  // EINIT: the final MRENCLAVE. The builder must not be used afterwards.
  Sha256Digest Finish();

 private:
  uint64_t enclave_size_;
  Sha256Hasher hasher_;
  std::set<uint64_t> added_pages_;
};

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_MEASUREMENT_H_

// SGX SIGSTRUCT (Intel SDM Vol. 3D, "Enclave Signature Structure (SIGSTRUCT)"; linux-sgx
// common/inc/internal/arch.h enclave_css_t; Gramine python/graminelibos/sigstruct.py): the
// 1808-byte structure an enclave signer produces and EINIT checks. It carries the enclave's
// MRENCLAVE (ENCLAVEHASH), the signer's RSA-3072 public key (MRSIGNER = SHA-256 of the
// 384-byte modulus exactly as stored, little-endian), ISVPRODID, ISVSVN and the attributes.
//
//   off  size  field (signed regions: [0, 128) and [900, 1028))
//     0    16  HEADER      06000000E10000000000010000000000
//    16     4  VENDOR      0 or 0x8086 (Intel)
//    20     4  DATE        yyyymmdd, BCD (0x20240304)
//    24    16  HEADER2     01010000600000006000000001000000
//    40     4  SWDEFINED
//    44    84  reserved
//   128   384  MODULUS     little-endian
//   512     4  EXPONENT    3
//   516   384  SIGNATURE   little-endian RSASSA-PKCS1-v1_5 SHA-256 over the signed regions
//   900     4  MISCSELECT
//   904     4  MISCMASK
//   908     4  reserved (CET_ATTRIBUTES, CET_ATTRIBUTES_MASK on CET-capable parts)
//   912    16  ISVFAMILYID
//   928    16  ATTRIBUTES  flags u64 ‖ xfrm u64
//   944    16  ATTRIBUTEMASK
//   960    32  ENCLAVEHASH (MRENCLAVE)
//   992    16  reserved
//  1008    16  ISVEXTPRODID
//  1024     2  ISVPRODID
//  1026     2  ISVSVN
//  1028    12  reserved
//  1040   384  Q1          floor(s² / n), little-endian
//  1424   384  Q2          floor((s³ − q1·s·n) / n), little-endian
//
// Thread-compatible immutable values.
#ifndef VOUCH_SGX_SIGSTRUCT_H_
#define VOUCH_SGX_SIGSTRUCT_H_

#include <array>
#include <cstdint>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/rsa.h"

namespace vouch::sgx {

inline constexpr size_t kSigstructSize = 1808;
inline constexpr size_t kSigstructModulusSize = 384;

// SECS.ATTRIBUTES.FLAGS bits (Intel SDM Vol. 3D, "ATTRIBUTES").
inline constexpr uint64_t kAttributeInit = 0x01;
inline constexpr uint64_t kAttributeDebug = 0x02;
inline constexpr uint64_t kAttributeMode64Bit = 0x04;
// XFRM of an enclave that uses x87 and SSE state only (SGX_XFRM_LEGACY).
inline constexpr uint64_t kXfrmLegacy = 0x03;

// The fields a signer chooses (everything but the key, signature and quotients).
struct SigstructBody {
  uint32_t vendor = 0;  // 0, or 0x8086 for Intel enclaves
  uint32_t date = 0;    // BCD yyyymmdd as stored, e.g. 0x20240304
  uint32_t sw_defined = 0;
  uint32_t misc_select = 0;
  uint32_t misc_mask = 0;
  std::array<uint8_t, 16> isv_family_id{};
  std::array<uint8_t, 16> attributes{};      // flags u64 ‖ xfrm u64, little-endian
  std::array<uint8_t, 16> attribute_mask{};  // same layout
  std::array<uint8_t, 32> enclave_hash{};    // MRENCLAVE
  std::array<uint8_t, 16> isv_ext_prod_id{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;

  uint64_t attribute_flags() const;
  bool debug() const { return (attribute_flags() & kAttributeDebug) != 0; }
};

// `year`/`month`/`day` as the BCD DATE field (2024, 3, 4 → 0x20240304).
// REQUIRES: year 0..9999, month 1..12, day 1..31 (else kInvalidArgument).
StatusOr<uint32_t> SigstructDate(int year, int month, int day);

class Sigstruct {
 public:
  // Parses and checks a SIGSTRUCT: exactly 1808 bytes, both header constants, vendor 0 or
  // 0x8086, a 3072-bit modulus, exponent 3, the RSA PKCS#1 v1.5 SHA-256 signature over
  // bytes [0, 128) ‖ [900, 1028), and Q1/Q2 consistent with the signature. Failures:
  //   kInvalidArgument, reason "sigstruct_malformed": size, headers, vendor, modulus, exponent;
  //   kPermissionDenied, reason "sigstruct_signature_invalid": the signature does not verify;
  //   kPermissionDenied, reason "sigstruct_quotients_invalid": Q1 or Q2 is wrong (EINIT
  //     would refuse it).
  static StatusOr<Sigstruct> Parse(ByteSpan bytes);

  const SigstructBody& body() const { return body_; }
  // The modulus as stored (little-endian, 384 bytes).
  const std::array<uint8_t, kSigstructModulusSize>& modulus_le() const { return modulus_le_; }
  // MRSIGNER: SHA-256 of modulus_le(), exactly as the CPU computes it at EINIT.
  const std::array<uint8_t, 32>& mr_signer() const { return mr_signer_; }
  const Bytes& bytes() const { return bytes_; }

 private:
  Sigstruct() = default;
  SigstructBody body_;
  std::array<uint8_t, kSigstructModulusSize> modulus_le_{};
  std::array<uint8_t, 32> mr_signer_{};
  Bytes bytes_;
};

// MRSIGNER of an RSA public key: SHA-256 of its modulus as 384 little-endian bytes.
// REQUIRES: a modulus of at most 3072 bits (else kInvalidArgument).
StatusOr<std::array<uint8_t, 32>> MrSignerOf(const RsaPublicKey& key);

// Builds and signs a SIGSTRUCT over `body`. REQUIRES: `key` is RSA-3072 with exponent 3 (else
// kInvalidArgument). Deterministic: the same body and key give the same bytes.
StatusOr<Bytes> SignSigstruct(const SigstructBody& body, const RsaPrivateKey& key);

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_SIGSTRUCT_H_

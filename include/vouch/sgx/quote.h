// Intel SGX DCAP ECDSA quotes, versions 3 and 4 (spec/sgx-dcap.md §2): strict, bounds-checked
// parsing into immutable value objects. Wire structures mirror Intel's sgx_quote_3.h /
// sgx_quote_4.h field by field; nothing is cast to packed structs. TDX quotes (v4, v5) share
// the header and signature data (DcapQuote) and are parsed by TdQuote (vouch/sgx/td_quote.h).
//
// Thread-compatible immutable values.
#ifndef VOUCH_SGX_QUOTE_H_
#define VOUCH_SGX_QUOTE_H_

#include <array>
#include <cstdint>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch::sgx {

inline constexpr size_t kQuoteHeaderSize = 48;
inline constexpr size_t kReportBodySize = 384;
inline constexpr size_t kEcdsaSignatureSize = 64;
inline constexpr size_t kAttestationKeySize = 64;
inline constexpr uint16_t kAttestationKeyTypeEcdsaP256 = 2;
inline constexpr uint32_t kTeeTypeSgx = 0x00000000;
inline constexpr uint32_t kTeeTypeTdx = 0x00000081;
inline constexpr std::array<uint8_t, 16> kIntelQeVendorId = {
    0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07};

// Certification data types (sgx_ql_cert_key_type_t).
enum class CertificationDataType : uint16_t {
  kPpidCleartext = 1,
  kPpidRsa2048Encrypted = 2,
  kPpidRsa3072Encrypted = 3,
  kPckCleartext = 4,
  kPckCertChain = 5,
  kQeReportCertificationData = 6,
  kPlatformManifest = 7,
};

// sgx_report_body_t (384 bytes, §2.2).
struct ReportBody {
  std::array<uint8_t, 16> cpu_svn{};
  std::array<uint8_t, 4> misc_select{};  // raw little-endian bytes, compared bytewise
  std::array<uint8_t, 16> isv_ext_prod_id{};
  std::array<uint8_t, 16> attributes{};  // flags u64 ‖ xfrm u64, little-endian
  std::array<uint8_t, 32> mr_enclave{};
  std::array<uint8_t, 32> mr_signer{};
  std::array<uint8_t, 64> config_id{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  uint16_t config_svn = 0;
  std::array<uint8_t, 16> isv_family_id{};
  std::array<uint8_t, 64> report_data{};

  // REQUIRES: `bytes` is exactly 384 bytes (else kInvalidArgument).
  static StatusOr<ReportBody> Parse(ByteSpan bytes);

  uint64_t attribute_flags() const;
  uint32_t misc_select_value() const;
  // attributes.flags bit 1.
  bool debug() const { return (attribute_flags() & 0x2) != 0; }
};

struct QuoteHeader {
  uint16_t version = 0;
  uint16_t attestation_key_type = 0;
  uint32_t tee_type = 0;
  uint16_t qe_svn = 0;
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> qe_vendor_id{};
  std::array<uint8_t, 20> user_data{};
};

// What every DCAP ECDSA quote carries besides its body (spec §2.3, §2.4): the header, the quote
// signature and attestation key, the QE report with its PCK signature, the QE auth data and the
// certification data. Built only by Quote::Parse (SGX) and TdQuote::Parse (TDX,
// vouch/sgx/td_quote.h); views returned here point into the quote's own bytes.
class DcapQuote {
 public:
  const QuoteHeader& header() const { return header_; }
  // Header [‖ v5 body descriptor] ‖ body: the bytes the attestation key signs.
  ByteSpan signed_region() const { return ByteSpan(raw_).first(signed_size_); }
  const std::array<uint8_t, 64>& isv_signature() const { return isv_signature_; }
  const std::array<uint8_t, 64>& attestation_key() const { return attestation_key_; }
  const ReportBody& qe_report() const { return qe_report_; }
  ByteSpan qe_report_bytes() const {
    return ByteSpan(raw_).subspan(qe_report_offset_, kReportBodySize);
  }
  const std::array<uint8_t, 64>& qe_report_signature() const { return qe_report_signature_; }
  ByteSpan qe_auth_data() const { return ByteSpan(raw_).subspan(qe_auth_offset_, qe_auth_size_); }
  // The innermost certification data (for v4 and v5, the data nested in type 6).
  CertificationDataType certification_data_type() const { return cert_type_; }
  ByteSpan certification_data() const { return ByteSpan(raw_).subspan(cert_offset_, cert_size_); }
  // Bytes after the signature data, ignored as Intel's QVL and dcap-qvl ignore them.
  size_t trailing_bytes() const { return trailing_bytes_; }
  // Bytes inside the declared signature data after the certification data (v3) or after the
  // type-6 block (v4, v5): ignored, as Intel's QVL ignores them (docs/sgx-verify.md).
  size_t signature_data_slack() const { return signature_data_slack_; }
  // The quote bytes up to the end of the signature data (trailing bytes excluded).
  ByteSpan bytes() const { return raw_; }

 protected:
  DcapQuote() = default;
  // Reads the header at the start of `bytes` into header(); malformed only when too short.
  Status ReadHeader(ByteSpan bytes);
  // Reads the u32 signature-data length at `body_end` and the signature data behind it, keeps
  // the bytes up to its end and records [0, body_end) as the signed region. The QE report is
  // wrapped in certification data type 6 for versions 4 and 5. Failures are kInvalidArgument,
  // reason "quote_malformed".
  Status ParseSignatureData(ByteSpan bytes, size_t body_end);

 private:
  Bytes raw_;
  QuoteHeader header_;
  size_t signed_size_ = 0;
  std::array<uint8_t, 64> isv_signature_{};
  std::array<uint8_t, 64> attestation_key_{};
  ReportBody qe_report_;
  size_t qe_report_offset_ = 0;
  std::array<uint8_t, 64> qe_report_signature_{};
  size_t qe_auth_offset_ = 0;
  size_t qe_auth_size_ = 0;
  CertificationDataType cert_type_ = CertificationDataType::kPckCertChain;
  size_t cert_offset_ = 0;
  size_t cert_size_ = 0;
  size_t trailing_bytes_ = 0;
  size_t signature_data_slack_ = 0;
};

// An SGX quote: version 3, or version 4 with TEE type SGX.
class Quote : public DcapQuote {
 public:
  // Parses an SGX quote (v3, or v4 with TEE type SGX). Every failure is kInvalidArgument with
  // reason "quote_malformed", "quote_unsupported" (well-formed but unsupported kinds: other
  // versions, ECDSA-384, foreign QE vendors) or "quote_wrong_tee" (a TDX quote: parse it with
  // TdQuote) and a message naming the field. Bytes after the signature data are ignored (as
  // Intel's QVL and dcap-qvl do) and counted in trailing_bytes().
  static StatusOr<Quote> Parse(ByteSpan bytes);

  const ReportBody& report_body() const { return report_body_; }

 private:
  Quote() = default;
  ReportBody report_body_;
};

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_QUOTE_H_

#include "vouch/sgx/quote.h"

#include <cstdio>
#include <string>

#include "sgx/quote_internal.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/encoding.h"
#include "vouch/sgx/reasons.h"

namespace vouch::sgx {
namespace internal {

Status QuoteMalformed(const std::string& message) {
  return MalformedError(kQuoteMalformed, "malformed quote: " + message);
}
Status QuoteUnsupported(const std::string& message) {
  return MalformedError(kQuoteUnsupported, "unsupported quote: " + message);
}
Status QuoteWrongTee(const std::string& message) {
  return MalformedError(kQuoteWrongTee, "quote for another TEE: " + message);
}

Status CheckKeyTypeAndVendor(const QuoteHeader& h) {
  if (h.attestation_key_type != kAttestationKeyTypeEcdsaP256) {
    return QuoteUnsupported("attestation key type " + std::to_string(h.attestation_key_type) +
                            " (only 2, ECDSA-256-with-P-256, is supported)");
  }
  if (h.qe_vendor_id != kIntelQeVendorId) {
    return QuoteUnsupported("QE vendor ID " + HexEncode(h.qe_vendor_id) + " is not Intel's QE");
  }
  return OkStatus();
}

std::string TeeTypeHex(uint32_t tee_type) {
  char hex[16];
  std::snprintf(hex, sizeof(hex), "0x%08x", tee_type);
  return hex;
}

}  // namespace internal

namespace {

static_assert(kQuoteHeaderSize == 48 && kReportBodySize == 384);

using internal::QuoteMalformed;

// §4.1 step 1 for SGX quotes.
Status CheckSgxHeader(const QuoteHeader& h) {
  if (h.tee_type == kTeeTypeTdx) {
    return internal::QuoteWrongTee(
        "TEE type 0x81 is Intel TDX; verify it as a TD quote (TdQuote, DcapVerifier::VerifyTd)");
  }
  if (h.version != 3 && h.version != 4) {
    return internal::QuoteUnsupported("version " + std::to_string(h.version) +
                                      " (SGX quotes are version 3 or 4)");
  }
  VOUCH_RETURN_IF_ERROR(internal::CheckKeyTypeAndVendor(h));
  if (h.tee_type != kTeeTypeSgx) {
    return QuoteMalformed("TEE type " + internal::TeeTypeHex(h.tee_type) +
                          " is neither SGX (0) nor TDX (0x81)");
  }
  return OkStatus();
}

bool IsInnerCertificationType(uint16_t type) { return type >= 1 && type <= 5; }

}  // namespace

StatusOr<ReportBody> ReportBody::Parse(ByteSpan bytes) {
  if (bytes.size() != kReportBodySize) {
    return InvalidArgumentError("report body must be 384 bytes, got " +
                                std::to_string(bytes.size()));
  }
  ByteReader r(bytes);
  ReportBody b;
  // Reads cannot fail: the size was checked above.
  (void)r.ReadArray(&b.cpu_svn, "cpu_svn");
  (void)r.ReadArray(&b.misc_select, "misc_select");
  (void)r.Skip(12, "reserved1");
  (void)r.ReadArray(&b.isv_ext_prod_id, "isv_ext_prod_id");
  (void)r.ReadArray(&b.attributes, "attributes");
  (void)r.ReadArray(&b.mr_enclave, "mr_enclave");
  (void)r.Skip(32, "reserved2");
  (void)r.ReadArray(&b.mr_signer, "mr_signer");
  (void)r.Skip(32, "reserved3");
  (void)r.ReadArray(&b.config_id, "config_id");
  (void)r.ReadU16Le(&b.isv_prod_id, "isv_prod_id");
  (void)r.ReadU16Le(&b.isv_svn, "isv_svn");
  (void)r.ReadU16Le(&b.config_svn, "config_svn");
  (void)r.Skip(42, "reserved4");
  (void)r.ReadArray(&b.isv_family_id, "isv_family_id");
  (void)r.ReadArray(&b.report_data, "report_data");
  return b;
}

uint64_t ReportBody::attribute_flags() const { return LoadU64Le(attributes.data()); }
uint32_t ReportBody::misc_select_value() const { return LoadU32Le(misc_select.data()); }

Status DcapQuote::ReadHeader(ByteSpan bytes) {
  ByteReader r(bytes);
  QuoteHeader& h = header_;
  Status s = r.ReadU16Le(&h.version, "header.version");
  if (s.ok()) s = r.ReadU16Le(&h.attestation_key_type, "header.att_key_type");
  if (s.ok()) s = r.ReadU32Le(&h.tee_type, "header.tee_type");
  if (s.ok()) s = r.ReadU16Le(&h.qe_svn, "header.qe_svn");
  if (s.ok()) s = r.ReadU16Le(&h.pce_svn, "header.pce_svn");
  if (s.ok()) s = r.ReadArray(&h.qe_vendor_id, "header.qe_vendor_id");
  if (s.ok()) s = r.ReadArray(&h.user_data, "header.user_data");
  return s.ok() ? s : QuoteMalformed(s.message());
}

// Signature data layout (§2.3, §2.4). Intel's QVL decides every length case:
//   * bytes after the signature data are ignored (trailing_bytes);
//   * inside the signature data, bytes after the outermost structure (v3: the certification
//     data; v4/v5: the type-6 block) are ignored (signature_data_slack): QVL's
//     Ecdsa256BitQuoteV3AuthData / V4AuthData never check that they consumed everything;
//   * inside type 6, the inner certification data must end exactly where the block ends
//     (QVL's QEReportCertificationData::insert rejects "additional, not expected data");
//   * every declared length must fit in what contains it.
Status DcapQuote::ParseSignatureData(ByteSpan bytes, size_t body_end) {
  ByteReader r(bytes);
  Status st = r.Skip(body_end, "quote body");
  uint32_t sig_len = 0;
  if (st.ok()) st = r.ReadU32Le(&sig_len, "signature_data_len");
  if (!st.ok()) return QuoteMalformed(st.message());
  if (sig_len > r.remaining()) {
    return QuoteMalformed("signature_data_len " + std::to_string(sig_len) + " exceeds the " +
                          std::to_string(r.remaining()) + " bytes that follow");
  }
  const size_t sig_start = r.offset();
  ByteSpan sig_data;
  (void)r.ReadBytes(sig_len, &sig_data, "signature data");
  trailing_bytes_ = r.remaining();
  raw_.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(sig_start + sig_len));
  signed_size_ = body_end;

  // Offsets below are relative to the signature data, then made absolute.
  ByteReader s(sig_data);
  st = s.ReadArray(&isv_signature_, "ISV report signature");
  if (st.ok()) st = s.ReadArray(&attestation_key_, "attestation key");
  if (!st.ok()) return QuoteMalformed(st.message());

  ByteSpan qe_block = sig_data.subspan(s.offset());
  size_t qe_block_offset = sig_start + s.offset();
  const bool wrapped = header_.version >= 4;
  if (wrapped) {
    // v4 and v5 wrap the QE report in certification data type 6 (§2.4).
    uint16_t outer_type = 0;
    uint32_t outer_size = 0;
    st = s.ReadU16Le(&outer_type, "outer certification data type");
    if (st.ok()) st = s.ReadU32Le(&outer_size, "outer certification data size");
    if (!st.ok()) return QuoteMalformed(st.message());
    if (outer_type != static_cast<uint16_t>(CertificationDataType::kQeReportCertificationData)) {
      return QuoteMalformed("v" + std::to_string(header_.version) +
                            " outer certification data type is " + std::to_string(outer_type) +
                            ", must be 6 (QE report certification data)");
    }
    if (outer_size > s.remaining()) {
      return QuoteMalformed("QE report certification data size " + std::to_string(outer_size) +
                            " exceeds the " + std::to_string(s.remaining()) +
                            " bytes left in the signature data");
    }
    qe_block = sig_data.subspan(s.offset(), outer_size);
    qe_block_offset = sig_start + s.offset();
    signature_data_slack_ = s.remaining() - outer_size;
  }

  ByteReader qe(qe_block);
  ByteSpan qe_report;
  st = qe.ReadBytes(kReportBodySize, &qe_report, "QE report");
  if (st.ok()) st = qe.ReadArray(&qe_report_signature_, "QE report signature");
  uint16_t auth_size = 0;
  if (st.ok()) st = qe.ReadU16Le(&auth_size, "QE auth data size");
  ByteSpan auth;
  if (st.ok()) st = qe.ReadBytes(auth_size, &auth, "QE auth data");
  uint16_t cert_type = 0;
  uint32_t cert_size = 0;
  if (st.ok()) st = qe.ReadU16Le(&cert_type, "certification data type");
  if (st.ok()) st = qe.ReadU32Le(&cert_size, "certification data size");
  if (!st.ok()) return QuoteMalformed(st.message());
  if (!IsInnerCertificationType(cert_type)) {
    return QuoteMalformed("certification data type " + std::to_string(cert_type) +
                          (wrapped ? " inside the QE report certification data" : "") +
                          " is not supported (expected 1..5)");
  }
  if (cert_size > qe.remaining() || (wrapped && cert_size != qe.remaining())) {
    return QuoteMalformed(
        "certification data size " + std::to_string(cert_size) + " does not match the " +
        std::to_string(qe.remaining()) + " bytes left" +
        (wrapped ? " in the QE report certification data" : " in the signature data"));
  }
  if (!wrapped) signature_data_slack_ = qe.remaining() - cert_size;
  qe_report_ = *ReportBody::Parse(qe_report);
  qe_report_offset_ = qe_block_offset;
  qe_auth_offset_ = qe_block_offset + kReportBodySize + kEcdsaSignatureSize + 2;
  qe_auth_size_ = auth_size;
  cert_type_ = static_cast<CertificationDataType>(cert_type);
  cert_offset_ = qe_block_offset + qe.offset();
  cert_size_ = cert_size;
  return OkStatus();
}

StatusOr<Quote> Quote::Parse(ByteSpan bytes) {
  Quote q;
  VOUCH_RETURN_IF_ERROR(q.ReadHeader(bytes));
  VOUCH_RETURN_IF_ERROR(CheckSgxHeader(q.header()));
  if (bytes.size() < kQuoteHeaderSize + kReportBodySize) {
    return QuoteMalformed("need " + std::to_string(kReportBodySize) +
                          " bytes for the report body, have " +
                          std::to_string(bytes.size() - kQuoteHeaderSize));
  }
  q.report_body_ = *ReportBody::Parse(bytes.subspan(kQuoteHeaderSize, kReportBodySize));
  VOUCH_RETURN_IF_ERROR(q.ParseSignatureData(bytes, kQuoteHeaderSize + kReportBodySize));
  return q;
}

}  // namespace vouch::sgx

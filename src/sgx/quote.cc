#include "vouch/sgx/quote.h"

#include <cstdio>
#include <string>

#include "vouch/base/byte_reader.h"
#include "vouch/base/encoding.h"
#include "vouch/sgx/reasons.h"

namespace vouch::sgx {
namespace {

static_assert(kQuoteHeaderSize == 48 && kReportBodySize == 384);

constexpr const char* kMalformed = reasons::kQuoteMalformed;
constexpr const char* kUnsupported = reasons::kQuoteUnsupported;

Status Malformed(const Status& status) {
  return MalformedError(kMalformed, "malformed quote: " + status.message());
}
Status Malformed(const std::string& message) {
  return MalformedError(kMalformed, "malformed quote: " + message);
}
Status Unsupported(const std::string& message) {
  return MalformedError(kUnsupported, "unsupported quote: " + message);
}

Status ReadHeader(ByteReader& r, QuoteHeader* h) {
  VOUCH_RETURN_IF_ERROR(r.ReadU16Le(&h->version, "header.version"));
  VOUCH_RETURN_IF_ERROR(r.ReadU16Le(&h->attestation_key_type, "header.att_key_type"));
  VOUCH_RETURN_IF_ERROR(r.ReadU32Le(&h->tee_type, "header.tee_type"));
  VOUCH_RETURN_IF_ERROR(r.ReadU16Le(&h->qe_svn, "header.qe_svn"));
  VOUCH_RETURN_IF_ERROR(r.ReadU16Le(&h->pce_svn, "header.pce_svn"));
  VOUCH_RETURN_IF_ERROR(r.ReadArray(&h->qe_vendor_id, "header.qe_vendor_id"));
  VOUCH_RETURN_IF_ERROR(r.ReadArray(&h->user_data, "header.user_data"));
  return OkStatus();
}

// §4.1 step 1.
Status CheckHeader(const QuoteHeader& h) {
  if (h.version != 3 && h.version != 4) {
    return Unsupported("version " + std::to_string(h.version) + " (SGX quotes are version 3 or 4)");
  }
  if (h.attestation_key_type != kAttestationKeyTypeEcdsaP256) {
    return Unsupported("attestation key type " + std::to_string(h.attestation_key_type) +
                       " (only 2, ECDSA-256-with-P-256, is supported)");
  }
  if (h.tee_type == kTeeTypeTdx) return Unsupported("TDX quotes are not supported yet");
  if (h.tee_type != kTeeTypeSgx) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08x", h.tee_type);
    return Malformed(std::string("TEE type ") + hex + " is neither SGX (0) nor TDX (0x81)");
  }
  if (h.qe_vendor_id != kIntelQeVendorId) {
    return Unsupported("QE vendor ID " + HexEncode(h.qe_vendor_id) + " is not Intel's QE");
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

StatusOr<Quote> Quote::Parse(ByteSpan bytes) {
  Quote q;
  ByteReader r(bytes);
  if (Status s = ReadHeader(r, &q.header_); !s.ok()) return Malformed(s);
  VOUCH_RETURN_IF_ERROR(CheckHeader(q.header_));

  ByteSpan body;
  if (Status s = r.ReadBytes(kReportBodySize, &body, "report body"); !s.ok()) return Malformed(s);
  q.report_body_ = *ReportBody::Parse(body);

  uint32_t sig_len = 0;
  if (Status s = r.ReadU32Le(&sig_len, "signature_data_len"); !s.ok()) return Malformed(s);
  if (sig_len > r.remaining()) {
    return Malformed("signature_data_len " + std::to_string(sig_len) + " exceeds the " +
                     std::to_string(r.remaining()) + " bytes that follow");
  }
  const size_t sig_start = r.offset();
  ByteSpan sig_data;
  (void)r.ReadBytes(sig_len, &sig_data, "signature data");
  q.trailing_bytes_ = r.remaining();
  q.raw_.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(sig_start + sig_len));

  // All offsets below are relative to the signature data, then made absolute.
  ByteReader s(sig_data);
  Status st = s.ReadArray(&q.isv_signature_, "ISV report signature");
  if (st.ok()) st = s.ReadArray(&q.attestation_key_, "attestation key");
  if (!st.ok()) return Malformed(st);

  ByteSpan qe_block = sig_data.subspan(s.offset());
  size_t qe_block_offset = sig_start + s.offset();
  if (q.header_.version == 4) {
    // v4 wraps the QE report in certification data type 6 (§2.4).
    uint16_t outer_type = 0;
    uint32_t outer_size = 0;
    st = s.ReadU16Le(&outer_type, "outer certification data type");
    if (st.ok()) st = s.ReadU32Le(&outer_size, "outer certification data size");
    if (!st.ok()) return Malformed(st);
    if (outer_type != static_cast<uint16_t>(CertificationDataType::kQeReportCertificationData)) {
      return Malformed("v4 outer certification data type is " + std::to_string(outer_type) +
                       ", must be 6 (QE report certification data)");
    }
    if (outer_size != s.remaining()) {
      return Malformed("v4 QE report certification data size " + std::to_string(outer_size) +
                       " does not match the " + std::to_string(s.remaining()) +
                       " bytes left in the signature data");
    }
    qe_block = sig_data.subspan(s.offset(), outer_size);
    qe_block_offset = sig_start + s.offset();
  }

  ByteReader qe(qe_block);
  ByteSpan qe_report;
  st = qe.ReadBytes(kReportBodySize, &qe_report, "QE report");
  if (st.ok()) st = qe.ReadArray(&q.qe_report_signature_, "QE report signature");
  uint16_t auth_size = 0;
  if (st.ok()) st = qe.ReadU16Le(&auth_size, "QE auth data size");
  ByteSpan auth;
  if (st.ok()) st = qe.ReadBytes(auth_size, &auth, "QE auth data");
  uint16_t cert_type = 0;
  uint32_t cert_size = 0;
  if (st.ok()) st = qe.ReadU16Le(&cert_type, "certification data type");
  if (st.ok()) st = qe.ReadU32Le(&cert_size, "certification data size");
  if (!st.ok()) return Malformed(st);
  if (!IsInnerCertificationType(cert_type)) {
    return Malformed("certification data type " + std::to_string(cert_type) +
                     (q.header_.version == 4 ? " inside the v4 QE report certification data" : "") +
                     " is not supported (expected 1..5)");
  }
  if (cert_size != qe.remaining()) {
    return Malformed("certification data size " + std::to_string(cert_size) +
                     " does not match the " + std::to_string(qe.remaining()) +
                     " bytes left in the signature data");
  }
  q.qe_report_ = *ReportBody::Parse(qe_report);
  q.qe_report_offset_ = qe_block_offset;
  q.qe_auth_offset_ = qe_block_offset + kReportBodySize + kEcdsaSignatureSize + 2;
  q.qe_auth_size_ = auth_size;
  q.cert_type_ = static_cast<CertificationDataType>(cert_type);
  q.cert_offset_ = qe_block_offset + qe.offset();
  q.cert_size_ = cert_size;
  return q;
}

}  // namespace vouch::sgx

#include "vouch/sgx/td_quote.h"

#include <string>

#include "sgx/quote_internal.h"
#include "vouch/base/byte_reader.h"

namespace vouch::sgx {
namespace {

using internal::QuoteMalformed;

// §4.1 step 1 for TDX quotes.
Status CheckTdHeader(const QuoteHeader& h) {
  if (h.tee_type == kTeeTypeSgx) {
    return internal::QuoteWrongTee(
        "TEE type 0 is Intel SGX; verify it as an SGX quote (Quote, "
        "DcapVerifier::Verify)");
  }
  if (h.tee_type != kTeeTypeTdx) {
    return QuoteMalformed("TEE type " + internal::TeeTypeHex(h.tee_type) +
                          " is neither SGX (0) nor TDX (0x81)");
  }
  if (h.version == 3) {
    return QuoteMalformed("version 3 quotes are SGX only; TEE type 0x81 needs version 4 or 5");
  }
  if (h.version != 4 && h.version != 5) {
    return internal::QuoteUnsupported("version " + std::to_string(h.version) +
                                      " (TDX quotes are version 4 or 5)");
  }
  return internal::CheckKeyTypeAndVendor(h);
}

}  // namespace

StatusOr<TdReport> TdReport::Parse(ByteSpan bytes) {
  if (bytes.size() != kTdReport10Size && bytes.size() != kTdReport15Size) {
    return InvalidArgumentError("a TD report is 584 (TDX 1.0) or 648 (TDX 1.5) bytes, got " +
                                std::to_string(bytes.size()));
  }
  ByteReader r(bytes);
  TdReport t;
  // Reads cannot fail: the size was checked above.
  (void)r.ReadArray(&t.tee_tcb_svn, "tee_tcb_svn");
  (void)r.ReadArray(&t.mr_seam, "mr_seam");
  (void)r.ReadArray(&t.mr_signer_seam, "mr_signer_seam");
  (void)r.ReadArray(&t.seam_attributes, "seam_attributes");
  (void)r.ReadArray(&t.td_attributes, "td_attributes");
  (void)r.ReadArray(&t.xfam, "xfam");
  (void)r.ReadArray(&t.mr_td, "mr_td");
  (void)r.ReadArray(&t.mr_config_id, "mr_config_id");
  (void)r.ReadArray(&t.mr_owner, "mr_owner");
  (void)r.ReadArray(&t.mr_owner_config, "mr_owner_config");
  for (Measurement384& rtmr : t.rtmr) (void)r.ReadArray(&rtmr, "rtmr");
  (void)r.ReadArray(&t.report_data, "report_data");
  if (bytes.size() == kTdReport15Size) {
    t.tee_tcb_svn2.emplace();
    (void)r.ReadArray(&*t.tee_tcb_svn2, "tee_tcb_svn2");
    t.mr_servicetd.emplace();
    (void)r.ReadArray(&*t.mr_servicetd, "mr_servicetd");
  }
  return t;
}

uint64_t TdReport::td_attributes_value() const { return LoadU64Le(td_attributes.data()); }

bool IsTdQuote(ByteSpan quote) {
  return quote.size() >= kQuoteHeaderSize && LoadU32Le(quote.data() + 4) == kTeeTypeTdx;
}

StatusOr<TdQuote> TdQuote::Parse(ByteSpan bytes) {
  TdQuote q;
  VOUCH_RETURN_IF_ERROR(q.ReadHeader(bytes));
  VOUCH_RETURN_IF_ERROR(CheckTdHeader(q.header()));
  ByteReader r(bytes);
  (void)r.Skip(kQuoteHeaderSize, "header");
  size_t body_size = kTdReport10Size;
  if (q.header().version == 5) {
    uint16_t type = 0;
    uint32_t size = 0;
    Status st = r.ReadU16Le(&type, "body descriptor type");
    if (st.ok()) st = r.ReadU32Le(&size, "body descriptor size");
    if (!st.ok()) return QuoteMalformed(st.message());
    if (type == static_cast<uint16_t>(QuoteBodyType::kSgxReport)) {
      return QuoteMalformed("body type 1 (SGX report) in a quote whose TEE type is TDX");
    }
    if (type != static_cast<uint16_t>(QuoteBodyType::kTdReport10) &&
        type != static_cast<uint16_t>(QuoteBodyType::kTdReport15)) {
      return QuoteMalformed("body type " + std::to_string(type) +
                            " is not a TD report (2: TDX 1.0, 3: TDX 1.5)");
    }
    body_size = type == static_cast<uint16_t>(QuoteBodyType::kTdReport10) ? kTdReport10Size
                                                                          : kTdReport15Size;
    if (size != body_size) {
      return QuoteMalformed("body type " + std::to_string(type) + " must have size " +
                            std::to_string(body_size) + ", the descriptor says " +
                            std::to_string(size));
    }
    q.body_type_ = static_cast<QuoteBodyType>(type);
  }
  ByteSpan body;
  if (Status st = r.ReadBytes(body_size, &body, "TD report"); !st.ok()) {
    return QuoteMalformed(st.message());
  }
  q.td_report_ = *TdReport::Parse(body);
  VOUCH_RETURN_IF_ERROR(q.ParseSignatureData(bytes, r.offset()));
  return q;
}

}  // namespace vouch::sgx

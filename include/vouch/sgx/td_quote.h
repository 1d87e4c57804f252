// Intel TDX DCAP ECDSA quotes (spec/sgx-dcap.md §2.4, §2.7; Intel's sgx_quote_4.h and
// sgx_quote_5.h): version 4 with a TD report 1.0 body, version 5 with a body descriptor and a TD
// report 1.0 (body type 2) or 1.5 (body type 3). Strict, bounds-checked parsing into immutable
// values; the header and signature data are shared with SGX quotes (DcapQuote, quote.h).
//
// Length rules (the same as for SGX quotes, and as Intel's QVL decides them, docs/sgx-verify.md):
// bytes after the signature data are ignored (trailing_bytes()); bytes inside the signature data
// after the type-6 block are ignored (signature_data_slack()); everything else must fit exactly.
//
// Thread-compatible immutable values.
#ifndef VOUCH_SGX_TD_QUOTE_H_
#define VOUCH_SGX_TD_QUOTE_H_

#include <array>
#include <cstdint>
#include <optional>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/sgx/quote.h"

namespace vouch::sgx {

inline constexpr size_t kTdReport10Size = 584;
inline constexpr size_t kTdReport15Size = 648;
inline constexpr size_t kBodyDescriptorSize = 6;  // v5: u16 body type ‖ u32 body size

// The v5 body descriptor's body type.
enum class QuoteBodyType : uint16_t {
  kSgxReport = 1,
  kTdReport10 = 2,
  kTdReport15 = 3,
};

// A SHA-384 measurement register (MRTD, RTMRn, MRSEAM, …).
using Measurement384 = std::array<uint8_t, 48>;

// TD report body, TDX 1.0 (584 bytes) or 1.5 (648 bytes), field by field (§2.7). The 8-byte
// attribute fields keep their byte image (little-endian u64 as in the report).
struct TdReport {
  std::array<uint8_t, 16> tee_tcb_svn{};  // [0] TDX module SVN, [1] module major version, …
  Measurement384 mr_seam{};
  Measurement384 mr_signer_seam{};
  std::array<uint8_t, 8> seam_attributes{};
  std::array<uint8_t, 8> td_attributes{};
  std::array<uint8_t, 8> xfam{};
  Measurement384 mr_td{};
  Measurement384 mr_config_id{};
  Measurement384 mr_owner{};
  Measurement384 mr_owner_config{};
  std::array<Measurement384, 4> rtmr{};
  std::array<uint8_t, 64> report_data{};
  // TD report 1.5 only.
  std::optional<std::array<uint8_t, 16>> tee_tcb_svn2;
  std::optional<Measurement384> mr_servicetd;

  // REQUIRES: `bytes` is exactly 584 (TD 1.0) or 648 (TD 1.5) bytes, else kInvalidArgument.
  static StatusOr<TdReport> Parse(ByteSpan bytes);

  uint64_t td_attributes_value() const;
  // TD_ATTRIBUTES.TUD (bits 7:0): bit 0 is DEBUG, bits 7:1 are reserved; Intel's TDX module
  // specification calls a TD with any TUD bit set untrusted. debug() is true for any of them.
  bool debug() const { return td_attributes[0] != 0; }
  // TD_ATTRIBUTES.SEPT_VE_DISABLE (bit 28).
  bool sept_ve_disable() const { return (td_attributes_value() >> 28) & 1; }
};

// True when `quote` is long enough to hold a header and its TEE type is TDX (0x81): the quote is
// then parsed with TdQuote, otherwise with Quote.
bool IsTdQuote(ByteSpan quote);

class TdQuote : public DcapQuote {
 public:
  // Parses a TDX quote: version 4 (TD report 1.0 at 48) or version 5 (body descriptor at 48,
  // body type 2 with 584 bytes or 3 with 648, body at 54). Failures are kInvalidArgument with
  // reason "quote_malformed", "quote_unsupported" (other versions, key types, QE vendors) or
  // "quote_wrong_tee" (an SGX quote) and a message naming the field.
  static StatusOr<TdQuote> Parse(ByteSpan bytes);

  QuoteBodyType body_type() const { return body_type_; }
  const TdReport& td_report() const { return td_report_; }

 private:
  TdQuote() = default;
  QuoteBodyType body_type_ = QuoteBodyType::kTdReport10;
  TdReport td_report_;
};

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_TD_QUOTE_H_

// Fuzzes the TDX quote parser (TdQuote::Parse: v4, v5 with TD report 1.0/1.5), then full
// verification of the input as a TD quote against the real collateral of the
// phala-dcap-qvl/tdx-v4-2025-06 vector, so every later step sees hostile quote bytes too.
// Properties: views stay inside the quote's bytes; the signed region is 632, 638 or 702 bytes;
// only the genuine quote (with any trailing bytes or signature-data slack) verifies.
#include <cstdint>
#include <cstdlib>

#include "verifier_fixture.h"
#include "vouch/sgx/td_quote.h"
#include "vouch/sgx/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteSpan input(data, size);
  auto quote = vouch::sgx::TdQuote::Parse(input);
  if (quote.ok()) {
    const size_t signed_size = quote->signed_region().size();
    if (signed_size != 48 + vouch::sgx::kTdReport10Size &&
        signed_size != 54 + vouch::sgx::kTdReport10Size &&
        signed_size != 54 + vouch::sgx::kTdReport15Size) {
      std::abort();
    }
    if (quote->bytes().size() > size ||
        quote->certification_data().size() + quote->qe_auth_data().size() > quote->bytes().size()) {
      std::abort();
    }
  } else if (quote.status().code() != vouch::StatusCode::kInvalidArgument) {
    std::abort();
  }
  const auto& f = vouch::sgx::fuzz::LoadVerifierFixture("phala-dcap-qvl/tdx-v4-2025-06");
  auto result = f.verifier->VerifyTd(input, f.collateral, {1752919234, false});
  // The genuine quote is 4936 bytes up to the end of its signature data.
  if (result.ok() && (size < 4936 || !quote.ok())) std::abort();
  return 0;
}

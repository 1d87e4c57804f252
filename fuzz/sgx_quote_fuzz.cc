// Fuzzes the SGX quote parser, then full verification of the input as a quote against a fixed
// real collateral set (so every later step sees hostile quote bytes too).
#include <cstdint>
#include <cstdlib>

#include "verifier_fixture.h"
#include "vouch/sgx/quote.h"
#include "vouch/sgx/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteSpan input(data, size);
  auto quote = vouch::sgx::Quote::Parse(input);
  if (quote.ok()) {
    // Views must stay inside the quote's own bytes.
    if (quote->certification_data().size() > quote->bytes().size()) std::abort();
    if (quote->signed_region().size() != 432) std::abort();
  }
  const auto& f = vouch::sgx::fuzz::LoadVerifierFixture("phala-dcap-qvl/sgx-v3-2025-06");
  auto result = f.verifier->Verify(input, f.collateral, {1752919277, false});
  // Only the genuine quote (possibly with trailing bytes) may verify.
  if (result.ok() && (size < 4600 || !quote.ok())) std::abort();
  return 0;
}

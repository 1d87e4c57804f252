// Fuzzes the SGX quote parser, then full verification of the input as a quote against a fixed
// real collateral set (so every later step sees hostile quote bytes too).
#include <cstdint>
#include <cstdlib>

#include "vouch/base/file.h"
#include "vouch/sgx/quote.h"
#include "vouch/sgx/verifier.h"

namespace {

struct Fixture {
  vouch::sgx::Collateral collateral;
  std::unique_ptr<vouch::sgx::DcapVerifier> verifier;
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    auto c = vouch::sgx::ReadCollateralDirectory(
        std::string(VOUCH_SOURCE_DIR) + "/tests/data/sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06");
    if (!c.ok()) std::abort();
    f->collateral = *c;
    f->verifier = *vouch::sgx::DcapVerifier::Create(
        {{vouch::sgx::IntelSgxRootCa(), vouch::sgx::TrustRootKind::kProduction}});
    return f;
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vouch::ByteSpan input(data, size);
  auto quote = vouch::sgx::Quote::Parse(input);
  if (quote.ok()) {
    // Views must stay inside the quote's own bytes.
    if (quote->certification_data().size() > quote->bytes().size()) std::abort();
    if (quote->signed_region().size() != 432) std::abort();
  }
  const Fixture& f = GetFixture();
  auto result = f.verifier->Verify(input, f.collateral, {1752919277, false});
  // Only the genuine quote (possibly with trailing bytes) may verify.
  if (result.ok() && (size < 4600 || !quote.ok())) std::abort();
  return 0;
}

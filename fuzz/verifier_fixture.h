// Shared fixture for the quote fuzz targets: a DCAP verifier under Intel's production root and
// the real collateral of one vector in tests/data/sgx-dcap/, so that fuzzed quotes reach every
// verification step. Aborts (a broken build, not a finding) when the vector does not load.
#ifndef VOUCH_FUZZ_VERIFIER_FIXTURE_H_
#define VOUCH_FUZZ_VERIFIER_FIXTURE_H_

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/sgx/collateral.h"
#include "vouch/sgx/verifier.h"

namespace vouch::sgx::fuzz {

struct VerifierFixture {
  Collateral collateral;
  std::unique_ptr<DcapVerifier> verifier;
};

// `vector` names a directory below tests/data/sgx-dcap/, e.g. "phala-dcap-qvl/sgx-v3-2025-06".
// Built once per process; never freed (the fuzzer exits without tearing down).
inline const VerifierFixture& LoadVerifierFixture(std::string_view vector) {
  static const VerifierFixture* fixture = [vector] {
    auto collateral = ReadCollateralDirectory(std::string(VOUCH_SOURCE_DIR) +
                                              "/tests/data/sgx-dcap/" + std::string(vector));
    auto verifier = DcapVerifier::Create({{IntelSgxRootCa(), TrustRootKind::kProduction}});
    if (!collateral.ok() || !verifier.ok()) std::abort();
    return new VerifierFixture{*std::move(collateral), *std::move(verifier)};
  }();
  return *fixture;
}

}  // namespace vouch::sgx::fuzz

#endif  // VOUCH_FUZZ_VERIFIER_FIXTURE_H_

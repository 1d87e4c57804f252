// Test support: the real DCAP vectors of tests/data/sgx-dcap/ (spec/sgx-dcap.md §11), loaded the
// same way for the SGX and the TDX verifier tests, and the checks both kinds of quote share.
#ifndef VOUCH_SGX_DCAP_TEST_VECTORS_H_
#define VOUCH_SGX_DCAP_TEST_VECTORS_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/bytes.h"
#include "vouch/base/time.h"
#include "vouch/crypto/x509.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/verifier.h"

namespace vouch::sgx::testing {

// One vector directory: the quote, its collateral, the expected results and the root CA the
// collateral chains to (Intel's for real vectors).
struct DcapVector {
  std::string name;  // below tests/data/sgx-dcap/, e.g. "phala-dcap-qvl/sgx-v3-2025-06"
  Bytes quote;
  Collateral collateral;
  nlohmann::json expected;
  Certificate root;
  UnixSeconds at() const { return expected["verify_time_unix"].get<int64_t>(); }
  UnixSeconds valid_from() const { return expected["collateral_valid_from_unix"].get<int64_t>(); }
  UnixSeconds valid_until() const { return expected["collateral_valid_until_unix"].get<int64_t>(); }
};

// Loads vector `name`; a missing or malformed piece fails the calling test.
inline DcapVector LoadDcapVector(const std::string& name) {
  DcapVector v{name, {}, {}, {}, IntelSgxRootCa()};
  const std::string dir = "sgx-dcap/" + name;
  v.quote = vouch::testing::ReadTestData(dir + "/quote.bin");
  auto collateral = ReadCollateralDirectory(vouch::testing::TestDataPath(dir));
  EXPECT_THAT(collateral, vouch::testing::IsOk());
  if (collateral.ok()) v.collateral = *std::move(collateral);
  v.expected = nlohmann::json::parse(vouch::testing::ReadTestDataString(dir + "/expected.json"));
  auto root = Certificate::FromDer(vouch::testing::ReadTestData(dir + "/root_ca.der"));
  EXPECT_THAT(root, vouch::testing::IsOk());
  if (root.ok()) v.root = *std::move(root);
  return v;
}

// A verifier trusting `root` as a root of `kind`, with or without its caches.
inline std::unique_ptr<DcapVerifier> MakeVerifier(const Certificate& root, bool cache = true,
                                                  TrustRootKind kind = TrustRootKind::kProduction) {
  auto verifier = DcapVerifier::Create({TrustRoot{root, kind}}, {cache, 64});
  EXPECT_THAT(verifier, vouch::testing::IsOk());
  return std::move(verifier).value();
}

// The collateral window is half-open, [valid_from, valid_until): `verify(at, allow_expired)`
// (a Verify or VerifyTd of `v`) accepts at both ends inside it, refuses before and at the end,
// accepts the end only with allow_expired (reporting collateral_expired), and never a time
// before the window.
template <typename VerifyFn>
void ExpectHalfOpenWindow(const DcapVector& v, VerifyFn verify) {
  using vouch::testing::IsOk;
  using vouch::testing::ReasonIs;
  const UnixSeconds from = v.valid_from();
  const UnixSeconds until = v.valid_until();
  EXPECT_THAT(verify(from, false), IsOk());
  EXPECT_THAT(verify(until - 1, false), IsOk());
  EXPECT_THAT(verify(from - 1, false), ReasonIs("collateral_not_yet_valid"));
  EXPECT_THAT(verify(until, false), ReasonIs("collateral_expired"));
  auto late = verify(until, true);
  ASSERT_THAT(late, IsOk());
  EXPECT_TRUE(late->collateral_expired);
  EXPECT_THAT(verify(from - 1, true), ReasonIs("collateral_not_yet_valid"));
}

}  // namespace vouch::sgx::testing

#endif  // VOUCH_SGX_DCAP_TEST_VECTORS_H_

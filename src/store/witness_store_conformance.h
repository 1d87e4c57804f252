// Test support: the WitnessStore contract (vouch/store/witness_store.h) as a value-parameterised
// gtest suite that every backend runs, as log_store_conformance.h does for LogStore:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, WitnessStoreConformanceTest,
//                            ::testing::Values(WitnessStoreBackend{"sqlite", OpenInDir, true}),
//                            WitnessStoreBackendName);
#ifndef VOUCH_STORE_WITNESS_STORE_CONFORMANCE_H_
#define VOUCH_STORE_WITNESS_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "store/store_conformance.h"
#include "vouch/store/witness_store.h"

namespace vouch::store::testing {

struct WitnessStoreBackend {
  std::string name;  // the instantiation's test-name suffix
  // Opens the backend's store in `dir`, an existing directory the test owns; opening the same
  // `dir` again must give the same state when `durable`.
  std::function<StatusOr<std::unique_ptr<WitnessStore>>(const std::string& dir)> open;
  bool durable = false;
};

// Names the backend in test names and messages.
inline void PrintTo(const WitnessStoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string WitnessStoreBackendName(
    const ::testing::TestParamInfo<WitnessStoreBackend>& info) {
  return BackendName(info);
}

class WitnessStoreConformanceTest
    : public StoreConformanceTest<WitnessStoreBackend, std::unique_ptr<WitnessStore>> {
 protected:
  WitnessStoreConformanceTest() : StoreConformanceTest("witness_store_conformance") {}
  // Closes and reopens the store (durable backends only).
  void Reopen() override { OpenAgain(); }
};

}  // namespace vouch::store::testing

#endif  // VOUCH_STORE_WITNESS_STORE_CONFORMANCE_H_

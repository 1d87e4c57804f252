// Test support: the BrokerStore contract (vouch/store/broker_store.h) as a value-parameterised
// gtest suite that every backend runs, as witness_store_conformance.h does for WitnessStore:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, BrokerStoreConformanceTest,
//                            ::testing::Values(BrokerStoreBackend{"sqlite", OpenInDir}),
//                            BrokerStoreBackendName);
#ifndef VOUCH_STORE_BROKER_STORE_CONFORMANCE_H_
#define VOUCH_STORE_BROKER_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "store/store_conformance.h"
#include "vouch/store/broker_store.h"

namespace vouch::store::testing {

struct BrokerStoreBackend {
  std::string name;  // the instantiation's test-name suffix
  // Opens the backend's store in `dir`, an existing directory the test owns, with `options`;
  // opening the same `dir` again must give the same records.
  std::function<StatusOr<std::unique_ptr<BrokerStore>>(const std::string& dir,
                                                       const BrokerStoreOptions& options)>
      open;
};

inline void PrintTo(const BrokerStoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string BrokerStoreBackendName(
    const ::testing::TestParamInfo<BrokerStoreBackend>& info) {
  return BackendName(info);
}

class BrokerStoreConformanceTest
    : public StoreConformanceTest<BrokerStoreBackend, std::unique_ptr<BrokerStore>> {
 protected:
  BrokerStoreConformanceTest() : StoreConformanceTest("broker_store_conformance") {}
  // Closes the store and opens `dir_` again with the default options, or with `options`.
  void Reopen() override { OpenAgain(BrokerStoreOptions{}); }
  void Reopen(const BrokerStoreOptions& options) { OpenAgain(options); }
};

}  // namespace vouch::store::testing

#endif  // VOUCH_STORE_BROKER_STORE_CONFORMANCE_H_

// Test support: the LogStore contract (vouch/store/log_store.h) as a value-parameterised gtest
// suite that every backend runs. A backend's test instantiates it with how to open its store:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, LogStoreConformanceTest,
//                            ::testing::Values(LogStoreBackend{"sqlite", OpenInDir, true}),
//                            LogStoreBackendName);
//
// and links the object library vouch_store_conformance (src/store/CMakeLists.txt), which holds
// the tests. Durable backends (`durable`) also get the tests that reopen the store.
#ifndef VOUCH_STORE_LOG_STORE_CONFORMANCE_H_
#define VOUCH_STORE_LOG_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store_conformance.h"
#include "vouch/store/log_store.h"
#include "vouch/tlog/merkle.h"

namespace vouch::store::testing {

struct LogStoreBackend {
  std::string name;  // the instantiation's test-name suffix
  // Opens the backend's store in `dir`, an existing directory the test owns; opening the same
  // `dir` again must give the same store when `durable`.
  std::function<StatusOr<std::shared_ptr<LogStore>>(const std::string& dir)> open;
  bool durable = false;
};

// Names the backend in test names and messages.
inline void PrintTo(const LogStoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string LogStoreBackendName(const ::testing::TestParamInfo<LogStoreBackend>& info) {
  return BackendName(info);
}

// Builds batches that extend a tree entry by entry (with a placeholder checkpoint: a store does
// not interpret it beyond its shape).
struct BatchBuilder {
  tlog::CompactRange range;

  // The batch appending `entries` (borrowed by the batch: keep them alive) to the tree so far.
  AppendBatch Build(const std::vector<std::string>& entries, std::vector<StoredTile> tiles = {});

 private:
  std::vector<std::string> kept_;  // the entries of the last batch
};

class LogStoreConformanceTest
    : public StoreConformanceTest<LogStoreBackend, std::shared_ptr<LogStore>> {
 protected:
  LogStoreConformanceTest() : StoreConformanceTest("log_store_conformance") {}
  // Closes and reopens the store (durable backends only).
  void Reopen() override { OpenAgain(); }
};

}  // namespace vouch::store::testing

#endif  // VOUCH_STORE_LOG_STORE_CONFORMANCE_H_

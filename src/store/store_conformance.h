// Test support: what the store conformance suites (log_store_conformance.h,
// witness_store_conformance.h, broker_store_conformance.h) share. Each suite's fixture derives
// from StoreConformanceTest over its backend description `Backend` (a struct with `name`, the
// instantiation's test-name suffix, and `open`, which opens the backend's store in a directory)
// and the store pointer `Store` that `open` gives.
#ifndef VOUCH_STORE_STORE_CONFORMANCE_H_
#define VOUCH_STORE_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

#include "testing/status_matchers.h"
#include "testing/test_data.h"

namespace vouch::store::testing {

// The test-name suffix of an instantiation: its backend's name.
template <typename Backend>
std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

template <typename Backend, typename Store>
class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  // `suite` names the temporary directory each test gets.
  explicit StoreConformanceTest(std::string suite) : suite_(std::move(suite)) {}

  // A new directory, with the backend's store opened in it (Reopen).
  void SetUp() override {
    dir_ = ::vouch::testing::MakeTempDir(suite_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Closes the store and opens `dir_` again as the suite does by default.
  virtual void Reopen() = 0;

  // Closes the store and opens `dir_` again: the backend's open(dir_, args...).
  template <typename... Args>
  void OpenAgain(const Args&... args) {
    store_.reset();
    auto store = this->GetParam().open(dir_, args...);
    ASSERT_THAT(store, ::vouch::testing::IsOk());
    store_ = *std::move(store);
  }

  std::string dir_;
  Store store_;

 private:
  const std::string suite_;
};

}  // namespace vouch::store::testing

#endif  // VOUCH_STORE_STORE_CONFORMANCE_H_

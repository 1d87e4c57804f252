// The in-memory stores (test support) pass the conformance suites, and MemoryLogStore's fault
// injection does what the sequencer tests rely on.
#include <gtest/gtest.h>

#include "store/log_store_conformance.h"
#include "store/memory_log_store.h"
#include "store/memory_witness_store.h"
#include "store/witness_store_conformance.h"
#include "testing/status_matchers.h"

namespace vouch::store {
namespace {

using testing::BatchBuilder;
using testing::LogStoreConformanceTest;
using testing::WitnessStoreConformanceTest;

INSTANTIATE_TEST_SUITE_P(Memory, LogStoreConformanceTest,
                         ::testing::Values(testing::LogStoreBackend{
                             "memory",
                             [](const std::string&) -> StatusOr<std::shared_ptr<LogStore>> {
                               return std::make_shared<MemoryLogStore>();
                             },
                             false}),
                         testing::LogStoreBackendName);

INSTANTIATE_TEST_SUITE_P(Memory, WitnessStoreConformanceTest,
                         ::testing::Values(testing::WitnessStoreBackend{
                             "memory",
                             [](const std::string&) -> StatusOr<std::unique_ptr<WitnessStore>> {
                               return std::make_unique<MemoryWitnessStore>();
                             },
                             false}),
                         testing::WitnessStoreBackendName);

TEST(MemoryLogStoreTest, InjectedFailuresLeaveTheStoreUnchanged) {
  MemoryLogStore store;
  BatchBuilder b;
  store.FailAppends(1, UnavailableError("disk on fire"));
  EXPECT_THAT(store.Append(b.Build({"a"})), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(store.ReadState()->size, 0u);
  BatchBuilder b2;
  EXPECT_THAT(store.Append(b2.Build({"a"})), IsOk());
  EXPECT_EQ(store.append_count(), 1);
}

TEST(MemoryLogStoreTest, FailuresAfterCommitApplyTheBatch) {
  MemoryLogStore store;
  BatchBuilder b;
  store.FailAppends(1, UnavailableError("ack lost"), /*after_commit=*/true);
  EXPECT_THAT(store.Append(b.Build({"a"})), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(store.ReadState()->size, 1u);
}

}  // namespace
}  // namespace vouch::store

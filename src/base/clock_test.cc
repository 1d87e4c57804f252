#include "vouch/base/clock.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace vouch {
namespace {

TEST(RealClockTest, TellsTheTimeAndWaits) {
  const Clock& clock = RealClock();
  // After 2020-09-13 (1.6e9 s) and before 2100.
  EXPECT_GT(clock.Now(), 1'600'000'000);
  EXPECT_LT(clock.Now(), 4'102'444'800);
  const Clock::SteadyTime start = clock.SteadyNow();
  clock.SleepFor(std::chrono::milliseconds(2));
  EXPECT_GE(clock.SteadyNow() - start, std::chrono::milliseconds(2));
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  // A deadline that has passed: no wait.
  EXPECT_FALSE(clock.WaitUntil(&cv, &mu, start));
  const Clock::SteadyTime soon = clock.SteadyNow() + std::chrono::milliseconds(2);
  while (clock.WaitUntil(&cv, &mu, soon)) {
  }
  EXPECT_GE(clock.SteadyNow(), soon);
}

// CPU time advances while this thread works, and never goes back.
TEST(CpuTimeTest, AdvancesWithWork) {
  const double thread0 = ThreadCpuSeconds();
  const double process0 = ProcessCpuSeconds();
  EXPECT_GT(thread0, 0);
  EXPECT_GT(process0, 0);
  volatile uint64_t spins = 0;
  while (ThreadCpuSeconds() <= thread0) spins = spins + 1;
  EXPECT_GT(ThreadCpuSeconds(), thread0);
  EXPECT_GE(ProcessCpuSeconds(), process0);
}

}  // namespace
}  // namespace vouch

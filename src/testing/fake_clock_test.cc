#include "testing/fake_clock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace vouch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock(1'700'000'000);
  EXPECT_EQ(clock.Now(), 1'700'000'000);
  const Clock::SteadyTime t0 = clock.SteadyNow();
  EXPECT_EQ(clock.SteadyNow(), t0);
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(clock.SteadyNow() - t0, milliseconds(1500));
  EXPECT_EQ(clock.Now(), 1'700'000'001);  // whole seconds only
  clock.Advance(milliseconds(500));
  EXPECT_EQ(clock.Now(), 1'700'000'002);
  clock.SetNow(5);
  EXPECT_EQ(clock.Now(), 5);
  EXPECT_EQ(clock.SteadyNow() - t0, seconds(2));
}

TEST(FakeClockTest, WaitersWakeWhenTheirTimeComes) {
  FakeClock clock;
  const Clock::SteadyTime deadline = clock.SteadyNow() + seconds(10);
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepUntil(deadline);
    woke = true;
  });
  EXPECT_TRUE(clock.AwaitWaiters(1));
  clock.Advance(seconds(9));
  // Still waiting: its time has not come (checked once it has seen the advance and waits on).
  EXPECT_TRUE(clock.AwaitWaiters(1));
  EXPECT_FALSE(woke.load());
  clock.Advance(seconds(1));
  sleeper.join();
  EXPECT_TRUE(woke.load());
  EXPECT_EQ(clock.waiters(), 0u);
}

TEST(FakeClockTest, WaitUntilReturnsOnASignalOrThePassedDeadline) {
  FakeClock clock;
  Mutex mu;
  CondVar cv;
  bool ready = false;
  std::thread signaller([&] {
    EXPECT_TRUE(clock.AwaitWaiters(1));
    MutexLock lock(&mu);
    ready = true;
    cv.SignalAll();
  });
  {
    MutexLock lock(&mu);
    while (!ready && clock.WaitUntil(&cv, &mu, clock.SteadyNow() + seconds(60))) {
    }
    EXPECT_TRUE(ready);
    // A deadline that has passed returns at once.
    EXPECT_FALSE(clock.WaitUntil(&cv, &mu, clock.SteadyNow()));
  }
  signaller.join();
}

// WaitUntil returns after a slice of real time even when nothing signals and the fake time stands
// still (the early return the Clock contract allows), so that a signal a condition variable
// reports as a timeout is seen by the caller's re-check instead of being lost in a wait that
// only the fake deadline would end.
TEST(FakeClockTest, WaitUntilReturnsEarlySoThatCallersRecheck) {
  FakeClock clock;
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  const Clock::SteadyTime deadline = clock.SteadyNow() + seconds(60);
  EXPECT_TRUE(clock.WaitUntil(&cv, &mu, deadline));
  EXPECT_TRUE(clock.WaitUntil(&cv, &mu, deadline));
  EXPECT_EQ(clock.waiters(), 0u);
}

}  // namespace
}  // namespace vouch::testing

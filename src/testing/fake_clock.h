// Test support: a Clock (vouch/base/clock.h) that moves only when a test advances it, so that
// timeouts, retries, batch intervals and periodic work are tested deterministically:
//
//   FakeClock clock;                       // wall time 1,800,000,000 (2027-01-15)
//   auto seq = Sequencer::Start(..., clock, options);
//   auto f = seq->Submit(entry);           // waits for the batch interval
//   clock.AwaitWaiters(1);                 // the sequencer now waits on the clock...
//   EXPECT_EQ(f.wait_for(0s), timeout);    // ...so nothing happened yet
//   clock.Advance(options.batch_interval); // and now the batch is cut
//
// Threads waiting on the clock (WaitUntil, SleepUntil) are woken by Advance; WaitUntil also
// returns after a few real milliseconds (an early return, which the Clock contract allows: its
// callers re-check their condition and wait again), so that neither an Advance racing with the
// start of a wait nor a signal racing with a wait's end is ever lost. AwaitWaiters tells a test
// that the code under test has reached its waits.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_TESTING_FAKE_CLOCK_H_
#define VOUCH_TESTING_FAKE_CLOCK_H_

#include <chrono>
#include <cstddef>
#include <vector>

#include "vouch/base/clock.h"
#include "vouch/base/mutex.h"

namespace vouch::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds now = 1'800'000'000);
  FakeClock(const FakeClock&) = delete;
  FakeClock& operator=(const FakeClock&) = delete;

  UnixSeconds Now() const override VOUCH_EXCLUDES(mu_);
  SteadyTime SteadyNow() const override VOUCH_EXCLUDES(mu_);
  bool WaitUntil(CondVar* cv, Mutex* mu, SteadyTime deadline) const override VOUCH_REQUIRES(mu)
      VOUCH_EXCLUDES(mu_);
  void SleepUntil(SteadyTime deadline) const override VOUCH_EXCLUDES(mu_);

  // Moves both clocks forward by `duration` (at least zero) and wakes the waiters.
  void Advance(std::chrono::nanoseconds duration) VOUCH_EXCLUDES(mu_);
  // Sets the wall clock (the steady clock does not move).
  void SetNow(UnixSeconds now) VOUCH_EXCLUDES(mu_);

  // How many threads wait on this clock for a time that has not come yet.
  size_t waiters() const VOUCH_EXCLUDES(mu_);
  // Blocks until at least `n` threads wait on this clock for a time that has not come yet, or
  // (returning false) until `timeout` of real time has passed, so that a test whose code never
  // waits fails instead of hanging.
  bool AwaitWaiters(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const
      VOUCH_EXCLUDES(mu_);

 private:
  struct Waiter {
    CondVar* cv;
    SteadyTime deadline;
  };
  size_t WaitersLocked() const VOUCH_REQUIRES(mu_);

  mutable Mutex mu_;
  mutable CondVar changed_;  // a waiter came or went, or time moved
  UnixSeconds wall_ VOUCH_GUARDED_BY(mu_);
  std::chrono::nanoseconds wall_fraction_ VOUCH_GUARDED_BY(mu_){0};
  SteadyTime steady_ VOUCH_GUARDED_BY(mu_);
  mutable std::vector<const Waiter*> waiters_ VOUCH_GUARDED_BY(mu_);
};

}  // namespace vouch::testing

#endif  // VOUCH_TESTING_FAKE_CLOCK_H_

#include "testing/fake_clock.h"

#include <algorithm>

namespace vouch::testing {
namespace {

// How often (real time) a waiter re-checks the fake time.
constexpr std::chrono::milliseconds kRecheck{2};

}  // namespace

FakeClock::FakeClock(UnixSeconds now)
    : wall_(now), steady_(SteadyTime() + std::chrono::hours(24)) {}

UnixSeconds FakeClock::Now() const {
  MutexLock lock(&mu_);
  return wall_;
}

Clock::SteadyTime FakeClock::SteadyNow() const {
  MutexLock lock(&mu_);
  return steady_;
}

bool FakeClock::WaitUntil(CondVar* cv, Mutex* mu, SteadyTime deadline) const {
  Waiter self{cv, deadline};
  {
    MutexLock lock(&mu_);
    if (steady_ >= deadline) return false;
    waiters_.push_back(&self);
    changed_.SignalAll();
  }
  // One slice of real time, ended by a signal (from the code under test or from Advance) or
  // after kRecheck; then the caller re-checks its condition (the Clock contract allows the early
  // return). Looping here until the fake deadline instead would lose a signal that a condition
  // variable reports as a timeout because it raced with the slice's end, and hang the caller.
  cv->WaitFor(mu, kRecheck);
  MutexLock lock(&mu_);
  waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &self));
  changed_.SignalAll();
  return steady_ < deadline;
}

void FakeClock::SleepUntil(SteadyTime deadline) const {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  while (WaitUntil(&cv, &mu, deadline)) {
  }
}

void FakeClock::Advance(std::chrono::nanoseconds duration) {
  MutexLock lock(&mu_);
  if (duration.count() <= 0) return;
  steady_ += duration;
  wall_fraction_ += duration;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wall_fraction_);
  wall_ += seconds.count();
  wall_fraction_ -= seconds;
  for (const Waiter* w : waiters_) w->cv->SignalAll();
  changed_.SignalAll();
}

void FakeClock::SetNow(UnixSeconds now) {
  MutexLock lock(&mu_);
  wall_ = now;
}

size_t FakeClock::WaitersLocked() const {
  size_t n = 0;
  for (const Waiter* w : waiters_) n += w->deadline > steady_ ? 1 : 0;
  return n;
}

size_t FakeClock::waiters() const {
  MutexLock lock(&mu_);
  return WaitersLocked();
}

bool FakeClock::AwaitWaiters(size_t n, std::chrono::milliseconds timeout) const {
  const SteadyTime give_up = RealClock().SteadyNow() + timeout;
  MutexLock lock(&mu_);
  while (WaitersLocked() < n) {
    if (!RealClock().WaitUntil(&changed_, &mu_, give_up)) return WaitersLocked() >= n;
  }
  return true;
}

}  // namespace vouch::testing

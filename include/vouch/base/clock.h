// Time as a parameter (DESIGN.md §4, STYLE.md 7): every component that needs the current time, a
// deadline or a pause takes a `const Clock&` instead of reading the system's clocks. Programs
// (the `vouch` command's top-level functions, examples, benchmarks) pass RealClock(); tests
// pass a FakeClock (src/testing/fake_clock.h) that moves only when told, so that timeouts,
// retries and batching are tested deterministically instead of by sleeping and hoping.
//
// Two kinds of time:
//   Now()        wall-clock time, Unix seconds (UTC): timestamps that leave the process
//                (cosignatures, certificates, mock evidence)
//   SteadyNow()  monotonic time: deadlines, intervals and measured durations
//
// Waiting goes through the clock as well (WaitUntil, SleepUntil), so that a fake clock can wake
// the waiters when it is advanced.
//
// Nothing outside base/ reads std::chrono's clocks or calls time(): they reach them only through
// this interface.
//
// Thread-safety: implementations are thread-safe.
#ifndef VOUCH_BASE_CLOCK_H_
#define VOUCH_BASE_CLOCK_H_

#include <chrono>

#include "vouch/base/mutex.h"
#include "vouch/base/time.h"

namespace vouch {

class Clock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  // Wall-clock time in Unix seconds.
  virtual UnixSeconds Now() const = 0;
  // Monotonic time.
  virtual SteadyTime SteadyNow() const = 0;

  // Waits until `cv` is signalled or SteadyNow() reaches `deadline`, releasing `mu` meanwhile
  // (as CondVar::Wait). May return early: wait in a loop that re-checks the condition and the
  // time. Returns false when the deadline has passed.
  virtual bool WaitUntil(CondVar* cv, Mutex* mu, SteadyTime deadline) const VOUCH_REQUIRES(mu) = 0;
  // Blocks the calling thread until SteadyNow() reaches `deadline`.
  virtual void SleepUntil(SteadyTime deadline) const = 0;

  void SleepFor(std::chrono::nanoseconds duration) const { SleepUntil(SteadyNow() + duration); }
};

// The system's clocks: std::chrono::system_clock and steady_clock. Lives for the whole process.
const Clock& RealClock();

// CPU time used so far (user + system), in seconds, for measurements such as the benchmarks':
// of this process (all its threads), and of the calling thread. Not a Clock: nothing waits on
// it, and no fake stands in for it.
double ProcessCpuSeconds();
double ThreadCpuSeconds();

}  // namespace vouch

#endif  // VOUCH_BASE_CLOCK_H_

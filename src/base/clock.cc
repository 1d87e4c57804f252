// The real clock and the CPU-time readings (clock.h): the only place that reads the system's
// clocks.
#include "vouch/base/clock.h"

#include <sys/resource.h>
#include <time.h>

#include <thread>

namespace vouch {
namespace {

class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }
  bool WaitUntil(CondVar* cv, Mutex* mu, SteadyTime deadline) const override VOUCH_REQUIRES(mu) {
    cv->WaitUntil(mu, deadline);
    return SteadyNow() < deadline;
  }
  void SleepUntil(SteadyTime deadline) const override { std::this_thread::sleep_until(deadline); }
};

}  // namespace

const Clock& RealClock() {
  static const SystemClock* const kClock = new SystemClock();
  return *kClock;
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace vouch

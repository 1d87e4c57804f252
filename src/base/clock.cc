// The real clock (clock.h): the only place that reads the system's clocks.
#include "vouch/base/clock.h"

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

}  // namespace vouch

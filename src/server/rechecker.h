// Internal: the periodic self-check of the attested services (root_service.cc,
// broker_service.cc; spec/governance.md §5.1 "every --recheck-interval"). A Rechecker runs
// `check` on a thread of its own every `interval` of `clock`'s steady time, tells `on_change`
// (if set) when the outcome's success or reason differs from the previous one, and stops — the
// wait interrupted, the thread joined — when it is destroyed. The first interval starts at
// construction, measured against `initial`, the outcome of the check the service ran itself.
//
// Thread-safe; `clock` and what `check` uses must outlive the Rechecker.
#ifndef VOUCH_SERVER_RECHECKER_H_
#define VOUCH_SERVER_RECHECKER_H_

#include <chrono>
#include <functional>
#include <thread>

#include "vouch/base/clock.h"
#include "vouch/base/mutex.h"
#include "vouch/base/status.h"

namespace vouch::server::internal {

class Rechecker {
 public:
  Rechecker(const Clock& clock, std::chrono::milliseconds interval, Status initial,
            std::function<Status()> check, std::function<void(const Status&)> on_change)
      : clock_(clock),
        interval_(interval),
        check_(std::move(check)),
        on_change_(std::move(on_change)),
        thread_([this, last = std::move(initial)]() mutable { Run(std::move(last)); }) {}

  ~Rechecker() {
    {
      MutexLock lock(&mu_);
      stopping_ = true;
    }
    cv_.SignalAll();
    thread_.join();
  }

  Rechecker(const Rechecker&) = delete;
  Rechecker& operator=(const Rechecker&) = delete;

 private:
  void Run(Status last) {
    for (;;) {
      {
        MutexLock lock(&mu_);
        const Clock::SteadyTime deadline = clock_.SteadyNow() + interval_;
        while (!stopping_ && clock_.SteadyNow() < deadline) clock_.WaitUntil(&cv_, &mu_, deadline);
        if (stopping_) return;
      }
      Status check = check_();
      if (on_change_ && (check.ok() != last.ok() || check.reason() != last.reason())) {
        on_change_(check);
      }
      last = std::move(check);
    }
  }

  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  const std::function<Status()> check_;
  const std::function<void(const Status&)> on_change_;
  Mutex mu_;
  CondVar cv_;
  bool stopping_ VOUCH_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once everything above is set
};

}  // namespace vouch::server::internal

#endif  // VOUCH_SERVER_RECHECKER_H_

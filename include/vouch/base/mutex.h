// A mutex, a scoped lock and a condition variable that carry Clang thread-safety annotations
// (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html), in the style of LevelDB's
// port/thread_annotations.h and Abseil's Mutex. libstdc++'s std::mutex has no annotations, so
// `-Wthread-safety` cannot check code that uses it directly; these thin wrappers can.
//
//   class Counter {
//     Mutex mu_;
//     int n_ VOUCH_GUARDED_BY(mu_) = 0;
//     void Inc() { MutexLock l(&mu_); ++n_; }
//   };
//
// With other compilers the macros expand to nothing.
//
// Thread-safety: Mutex and CondVar are thread-safe (that is their purpose).
#ifndef VOUCH_BASE_MUTEX_H_
#define VOUCH_BASE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define VOUCH_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define VOUCH_THREAD_ANNOTATION_(x)
#endif

#define VOUCH_CAPABILITY(x) VOUCH_THREAD_ANNOTATION_(capability(x))
#define VOUCH_SCOPED_CAPABILITY VOUCH_THREAD_ANNOTATION_(scoped_lockable)
#define VOUCH_GUARDED_BY(x) VOUCH_THREAD_ANNOTATION_(guarded_by(x))
#define VOUCH_PT_GUARDED_BY(x) VOUCH_THREAD_ANNOTATION_(pt_guarded_by(x))
#define VOUCH_ACQUIRED_AFTER(...) VOUCH_THREAD_ANNOTATION_(acquired_after(__VA_ARGS__))
#define VOUCH_REQUIRES(...) VOUCH_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define VOUCH_EXCLUDES(...) VOUCH_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define VOUCH_ACQUIRE(...) VOUCH_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define VOUCH_ACQUIRE_SHARED(...) VOUCH_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#define VOUCH_RELEASE(...) VOUCH_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define VOUCH_RELEASE_SHARED(...) VOUCH_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#define VOUCH_RELEASE_GENERIC(...) VOUCH_THREAD_ANNOTATION_(release_generic_capability(__VA_ARGS__))
#define VOUCH_RETURN_CAPABILITY(x) VOUCH_THREAD_ANNOTATION_(lock_returned(x))
#define VOUCH_NO_THREAD_SAFETY_ANALYSIS VOUCH_THREAD_ANNOTATION_(no_thread_safety_analysis)

namespace vouch {

class CondVar;

// A non-recursive mutex.
class VOUCH_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() VOUCH_ACQUIRE() { mu_.lock(); }
  void Unlock() VOUCH_RELEASE() { mu_.unlock(); }
  // Locks when nobody holds the mutex, without waiting: true when it did.
  bool TryLock() VOUCH_THREAD_ANNOTATION_(try_acquire_capability(true)) { return mu_.try_lock(); }
  // Tells the analysis that the calling thread holds this mutex (no run-time check).
  void AssertHeld() const VOUCH_THREAD_ANNOTATION_(assert_capability(this)) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// A reader-writer mutex: many readers (ReaderMutexLock) or one writer (WriterMutexLock).
class VOUCH_CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() VOUCH_ACQUIRE() { mu_.lock(); }
  void Unlock() VOUCH_RELEASE() { mu_.unlock(); }
  void ReaderLock() VOUCH_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void ReaderUnlock() VOUCH_RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds `mu` shared for its lifetime.
class VOUCH_SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) VOUCH_ACQUIRE_SHARED(mu) : mu_(mu) {
    mu_->ReaderLock();
  }
  ~ReaderMutexLock() VOUCH_RELEASE_GENERIC() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// Holds `mu` exclusively for its lifetime.
class VOUCH_SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) VOUCH_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterMutexLock() VOUCH_RELEASE() { mu_->Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// Holds `mu` for its lifetime.
class VOUCH_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) VOUCH_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() VOUCH_RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable used with a Mutex. Waits may wake spuriously: always wait in a loop
// that re-checks the condition.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Atomically releases `mu`, waits for a signal, and re-acquires `mu`.
  void Wait(Mutex* mu) VOUCH_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // As Wait, but returns no later than `deadline`. Returns false when the deadline passed.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, std::chrono::time_point<Clock, Duration> deadline) VOUCH_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    bool signalled = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }
  // As Wait, but returns after at most `timeout` (of real time). Returns false on timeout.
  template <typename Rep, typename Period>
  bool WaitFor(Mutex* mu, std::chrono::duration<Rep, Period> timeout) VOUCH_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    bool signalled = cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace vouch

#endif  // VOUCH_BASE_MUTEX_H_

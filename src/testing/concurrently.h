// Races for tests: RunConcurrently starts `threads` threads, lets them go at once (each waits
// until all have started) and returns when all have finished, so that the code under test sees
// as many calls in flight together as the machine allows.
//
// Thread-safe (the body is what the threads share).
#ifndef VOUCH_TESTING_CONCURRENTLY_H_
#define VOUCH_TESTING_CONCURRENTLY_H_

#include <latch>
#include <thread>
#include <vector>

namespace vouch::testing {

// Calls `body()` once on each of `threads` threads, all released together.
template <typename Body>
void RunConcurrently(int threads, const Body& body) {
  std::latch start(threads);
  std::vector<std::thread> running;
  running.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&] {
      start.arrive_and_wait();
      body();
    });
  }
  for (std::thread& t : running) t.join();
}

}  // namespace vouch::testing

#endif  // VOUCH_TESTING_CONCURRENTLY_H_

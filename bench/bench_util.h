// Helpers shared by the benchmark programs in bench/ (header-only; not part of libvouch).
#ifndef VOUCH_BENCH_BENCH_UTIL_H_
#define VOUCH_BENCH_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <vector>

#include "vouch/base/clock.h"

namespace vouch::bench {

// Runs `fn` repeatedly for about `seconds` and returns calls per second: first `warmup` calls,
// each of which must return true (otherwise the program exits with status 1), then batches of
// `batch` calls, so that clock reads do not dominate, until `seconds` have passed.
inline double Rate(double seconds, int warmup, int batch, const std::function<bool()>& fn) {
  for (int i = 0; i < warmup; ++i) {
    if (!fn()) {
      std::fprintf(stderr, "benchmark body failed\n");
      std::exit(1);
    }
  }
  uint64_t n = 0;
  const Clock& clock = RealClock();
  auto start = clock.SteadyNow();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < batch; ++i) fn();
    n += static_cast<uint64_t>(batch);
    elapsed = std::chrono::duration<double>(clock.SteadyNow() - start).count();
  }
  return static_cast<double>(n) / elapsed;
}

// The number after the last `name` among the program's arguments (`--seconds 3`), or
// `fallback` where there is none. The benchmark mains take only such simple flags; a value that
// is not a number reads as 0, as atof has it.
inline double FlagValue(int argc, char** argv, std::string_view name, double fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) fallback = std::atof(argv[i + 1]);
  }
  return fallback;
}

// A duration in milliseconds.
inline double Ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// The p-quantile (0 <= p <= 1) of `v` by the nearest-rank rule; 0 for no samples.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace vouch::bench

#endif  // VOUCH_BENCH_BENCH_UTIL_H_

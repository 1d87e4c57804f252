// What sharing the broker's nonces costs (docs/broker.md, "Several front-ends"): challenge +
// release pairs (Issue then Consume) on PostgreSQL shared nonces (store/shared_nonces.h), each
// front-end with its own connection, against a throwaway server this program starts itself
// (pg_test_server.h: as root, via runuser), next to the in-memory NonceBook measured in the same
// run.
//
//   build/default/bench/nonce_bench [--pairs N] [--front-ends F]   (defaults 2000 and 4)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "store/postgres/pg_test_server.h"
#include "vouch/base/clock.h"
#include "vouch/crypto/random_source.h"
#include "vouch/provision/nonce_book.h"
#include "vouch/store/postgres_broker_store.h"

namespace vouch {
namespace {

// In-memory pairs per second on one thread, for about a second.
double MemoryPairsPerSecond() {
  // Limits high enough that a second of pairs never fills the book.
  provision::NonceBookOptions options{
      .max_per_envelope = 1 << 20, .max_outstanding = 1 << 20, .max_retained = 1 << 22};
  auto book = provision::NonceBook::Create(options, RealClock(), SystemRandom());
  if (!book.ok()) return 0;
  provision::EnvelopeId id{1};
  return bench::Rate(1.0, 100, 100, [&] {
    auto issued = (*book)->Issue(id);
    return issued.ok() && (*book)->Consume(issued->nonce, id).ok();
  });
}

int Run(int pairs, int front_ends) {
  auto server = store::testing::PgTestServer::Start();
  if (!server.ok()) {
    std::fprintf(stderr, "nonce_bench: no PostgreSQL server: %s\n",
                 server.status().ToString().c_str());
    return 1;
  }
  auto uri = (*server)->CreateDatabase();
  if (!uri.ok()) return 1;
  const store::SharedNonceOptions options{
      .ttl = 120, .max_per_envelope = 16, .max_outstanding = 65'536};
  std::vector<std::unique_ptr<store::SharedNonces>> fronts;
  for (int i = 0; i < front_ends; ++i) {
    auto nonces = store::OpenPostgresSharedNonces(*uri, options);
    if (!nonces.ok()) {
      std::fprintf(stderr, "nonce_bench: %s\n", nonces.status().ToString().c_str());
      return 1;
    }
    fronts.push_back(*std::move(nonces));
  }
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(front_ends));
  const auto start = RealClock().SteadyNow();
  std::vector<std::thread> threads;
  for (int f = 0; f < front_ends; ++f) {
    threads.emplace_back([&, f] {
      store::Id16 id{static_cast<uint8_t>(f)};
      while (next.fetch_add(1) < pairs && !failed) {
        store::Digest32 nonce{};
        if (!SystemRandom().Fill(nonce).ok()) failed = true;
        const auto t0 = RealClock().SteadyNow();
        const UnixSeconds now = RealClock().Now();
        auto kept = fronts[f]->Issue(nonce, id, now);
        // Released by the next front-end, as behind a load balancer.
        auto burnt = fronts[(f + 1) % front_ends]->Consume(nonce, id, now);
        if (!kept.ok() || *kept != store::NonceIssue::kKept || !burnt.ok() ||
            *burnt != store::NonceConsume::kConsumed) {
          failed = true;
        }
        latencies[f].push_back(bench::Ms(RealClock().SteadyNow() - t0));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(RealClock().SteadyNow() - start).count();
  if (failed) {
    std::fprintf(stderr, "nonce_bench: a pair failed\n");
    return 1;
  }
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  const double rate = pairs / seconds;
  std::printf(
      "shared nonces (%d front-ends, PostgreSQL on loopback, each release synced): %d challenge + "
      "release pairs in %.2f s = %.0f pairs/s; per pair p50 %.2f ms, p99 %.2f ms\n",
      front_ends, pairs, seconds, rate, bench::Percentile(all, 0.5), bench::Percentile(all, 0.99));
  const double memory = MemoryPairsPerSecond();
  std::printf("reference (in-memory NonceBook, one thread): %.0f pairs/s; shared = %.2f%% of it\n",
              memory, memory > 0 ? 100 * rate / memory : 0);
  return 0;
}

}  // namespace
}  // namespace vouch

int main(int argc, char** argv) {
  int pairs = 2000, front_ends = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--pairs") == 0) {
      pairs = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--front-ends") == 0) {
      front_ends = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: nonce_bench [--pairs N] [--front-ends F]\n");
      return 2;
    }
  }
  if (pairs < 1 || front_ends < 1 || front_ends > 64 || argc % 2 == 0) {
    std::fprintf(stderr, "usage: nonce_bench [--pairs N>=1] [--front-ends 1..64]\n");
    return 2;
  }
  return vouch::Run(pairs, front_ends);
}

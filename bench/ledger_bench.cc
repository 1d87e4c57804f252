// Transparency log benchmark (docs/performance.md, "Transparency log"). One run measures, on a
// real SQLite log in a directory on this machine's disk:
//   1. SHA-256's own rate (the reference, DESIGN.md §4): leaf hashes of 256-byte entries and
//      Merkle node hashes;
//   2. durable append throughput: 256-byte entries submitted by several threads to a Sequencer
//      with default batching, each acknowledged only once committed (fsynced);
//   3. at 1M entries (and 10M with --large): inclusion-proof generation from storage with the
//      default tile cache, and a full audit (every tile and bundle fetched, tree recomputed);
//   4. peak memory (getrusage ru_maxrss) after each phase;
//   5. with --postgres, 2. again on a PostgreSQL log (a throwaway server on loopback, started by
//      the bench as the tests start theirs), with its ratios to SQLite's.
//
//   build/default/bench/ledger_bench [--dir DIR] [--seconds N] [--large] [--keep] [--append-only]
//   [--reads-only] [--no-anchor] [--postgres]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "vouch/base/clock.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/http/http_client.h"
#include "vouch/http/http_server.h"
#include "vouch/ledger/audit.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/server/log_client.h"
#include "vouch/server/log_service.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/state_anchor.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/proof.h"
#ifdef VOUCH_BENCH_POSTGRES  // bench/CMakeLists.txt: the tests' throwaway server is built
#include "store/postgres/pg_test_server.h"
#include "vouch/store/postgres_log_store.h"
#endif

namespace vouch::ledger {
namespace {

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

double PeakRssMiB() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// A unique 256-byte entry for `i`.
std::string MakeEntry(uint64_t i) {
  std::string e(256, '.');
  std::snprintf(e.data(), e.size(), "vouch bench entry %020llu ",
                static_cast<unsigned long long>(i));
  e[e.size() - 1] = '\n';
  return e;
}

void BenchSha256() {
  std::string entry = MakeEntry(1);
  tlog::Hash h{};
  uint64_t n = 0;
  auto start = RealClock().SteadyNow();
  while (RealClock().SteadyNow() - start < std::chrono::seconds(1)) {
    for (int i = 0; i < 1000; ++i) {
      entry[0] = static_cast<char>(h[0]);
      h = tlog::HashLeaf(AsBytes(entry));
    }
    n += 1000;
  }
  double leaf_rate = static_cast<double>(n) / Seconds(RealClock().SteadyNow() - start);
  n = 0;
  tlog::Hash a{}, b{};
  start = RealClock().SteadyNow();
  while (RealClock().SteadyNow() - start < std::chrono::seconds(1)) {
    for (int i = 0; i < 1000; ++i) a = tlog::HashChildren(a, b);
    n += 1000;
  }
  double node_rate = static_cast<double>(n) / Seconds(RealClock().SteadyNow() - start);
  std::printf("sha256 reference: %.0f leaf hashes/s (256-byte entries), %.0f node hashes/s\n",
              leaf_rate, node_rate);
}

struct Log {
  std::shared_ptr<store::LogStore> store;
  std::unique_ptr<Sequencer> seq;
};

// --no-anchor: the store without its state anchor (the pre---init path), to measure what the
// anchor's rewrite after every commit costs.
bool g_no_anchor = false;

// Starts a sequencer (default batching) on `store`.
Log StartLog(std::shared_ptr<store::LogStore> store) {
  Log log;
  log.store = std::move(store);
  Bytes seed(32, 0x5a);
  auto signer = std::make_shared<tlog::Ed25519NoteSigner>(
      *tlog::Ed25519NoteSigner::FromSeed("bench.vouch.example/log", seed));
  auto seq = Sequencer::Start(log.store, signer, RealClock());
  if (!seq.ok()) {
    std::fprintf(stderr, "cannot start: %s\n", seq.status().ToString().c_str());
    std::exit(3);
  }
  log.seq = std::move(seq).value();
  return log;
}

Log OpenLog(const std::string& path) {
  auto store = g_no_anchor || FileExists(store::StateAnchorPathFor(path))
                   ? store::SqliteLogStore::Open(path)
                   : store::SqliteLogStore::CreateState(path);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), store.status().ToString().c_str());
    std::exit(3);
  }
  return StartLog(std::shared_ptr<store::LogStore>(std::move(store).value()));
}

// Appends entries [from, to) from `threads` submitters, each keeping `window` unacknowledged
// submissions; stops early at `deadline`. Returns the number acknowledged.
uint64_t Append(Sequencer& seq, uint64_t from, uint64_t to, int threads, size_t window,
                Clock::SteadyTime deadline) {
  std::atomic<uint64_t> next{from};
  std::atomic<uint64_t> acked{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::deque<std::future<StatusOr<AddResult>>> inflight;
      auto drain_one = [&] {
        auto r = inflight.front().get();
        inflight.pop_front();
        if (r.ok()) {
          acked.fetch_add(1);
        } else if (r.status().code() != StatusCode::kResourceExhausted) {
          failed = true;
        }
      };
      while (RealClock().SteadyNow() < deadline && !failed) {
        uint64_t i = next.fetch_add(1);
        if (i >= to) break;
        std::string e = MakeEntry(i);
        inflight.push_back(seq.Submit(AsBytes(e)));
        if (inflight.size() >= window) drain_one();
      }
      while (!inflight.empty()) drain_one();
    });
  }
  for (auto& w : workers) w.join();
  if (failed) {
    std::fprintf(stderr, "append failed\n");
    std::exit(3);
  }
  return acked.load();
}

// Grows the log to `target` entries (untimed).
void GrowTo(Log& log, uint64_t target) {
  uint64_t size = log.seq->Latest()->size();
  if (size >= target) return;
  auto start = RealClock().SteadyNow();
  std::fprintf(stderr, "growing the log from %llu to %llu entries...\n",
               static_cast<unsigned long long>(size), static_cast<unsigned long long>(target));
  Append(*log.seq, size, target, 4, 4096, Clock::SteadyTime::max());
  std::fprintf(stderr, "  done in %.1f s\n", Seconds(RealClock().SteadyNow() - start));
}

// Durable appends through the real HTTP server and client on loopback: `clients` threads, one
// request at a time each, as `vouch serve log` is configured (client and server share the
// machine's cores). `batch` 1: POST /add; more: POST /add-batch with that many entries.
// Returns entries/s.
constexpr int kAddHandlerThreads = 4;

double BenchHttpAppends(Log& log, int seconds, int clients, int batch) {
  LogReader reader(log.store);
  server::LogService service(*log.seq, reader);
  http::ServerOptions so;
  so.max_body_bytes = tlog::kMaxEntrySize;
  so.max_connections = 1024;
  so.max_connections_per_address = 1024;  // every client is on 127.0.0.1
  // A POST /add that waits for its batch holds no handler thread (http::DeferredResponse): a
  // few serve any number of clients. POST /add-batch waits on its thread.
  so.max_handler_threads = batch == 1 ? kAddHandlerThreads : 1024;
  auto server = http::HttpServer::Start(so, service.Routes());
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start the HTTP server: %s\n", server.status().ToString().c_str());
    std::exit(3);
  }
  const std::string url = "http://" + (*server)->address();
  std::atomic<uint64_t> acked{0};
  std::atomic<uint64_t> next{uint64_t{1} << 40};
  const auto deadline = RealClock().SteadyNow() + std::chrono::seconds(seconds);
  const auto start = RealClock().SteadyNow();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      http::HttpClient http;
      auto client = server::LogClient::Create(url, http);
      std::vector<std::string> texts(static_cast<size_t>(batch));
      std::vector<ByteSpan> entries(texts.size());
      while (client.ok() && RealClock().SteadyNow() < deadline) {
        if (batch == 1) {
          if (client->Add(AsBytes(MakeEntry(next.fetch_add(1)))).ok()) acked.fetch_add(1);
          continue;
        }
        for (size_t i = 0; i < texts.size(); ++i) {
          texts[i] = MakeEntry(next.fetch_add(1));
          entries[i] = AsBytes(texts[i]);
        }
        auto results = client->AddBatch(entries);
        if (!results.ok()) continue;
        for (const auto& r : *results) {
          if (r.ok()) acked.fetch_add(1);
        }
      }
    });
  }
  for (auto& c : threads) c.join();
  const double secs = Seconds(RealClock().SteadyNow() - start);
  (*server)->Stop();
  const double rate = static_cast<double>(acked.load()) / secs;
  std::printf(
      "durable appends over HTTP (loopback, %d clients, one request each at a time, %s): "
      "%.0f entries/s\n",
      clients,
      batch == 1 ? ("POST /add, " + std::to_string(kAddHandlerThreads) + " handler threads").c_str()
                 : ("POST /add-batch of " + std::to_string(batch) + " entries").c_str(),
      rate);
  return rate;
}

class ReaderFetcher : public TileFetcher {
 public:
  ReaderFetcher(const LogReader& reader, std::shared_ptr<const LogSnapshot> snap)
      : reader_(reader), snap_(std::move(snap)) {}
  StatusOr<std::string> FetchCheckpoint() override { return snap_->checkpoint(); }
  StatusOr<Bytes> FetchTile(const tlog::TileId& id) override {
    return reader_.ReadTile(id, *snap_);
  }

 private:
  const LogReader& reader_;
  std::shared_ptr<const LogSnapshot> snap_;
};

void BenchReads(Log& log, const char* label) {
  auto snap = log.seq->Latest();
  const uint64_t n = snap->size();
  // A fresh reader (cold cache) with the default cache size, as `vouch serve log` uses.
  LogReader reader(log.store);
  std::mt19937_64 rng(42);
  // Verify a few proofs first.
  for (int i = 0; i < 100; ++i) {
    uint64_t index = rng() % n;
    auto proof = reader.InclusionProof(index, *snap);
    // Submitters race, so entry i is not necessarily at index i: read it back.
    auto entry = log.store->ReadEntries(index, index + 1);
    if (!proof.ok() || !entry.ok() ||
        !tlog::VerifyInclusion(index, n, tlog::HashLeaf((*entry)[0]), *proof, snap->root()).ok()) {
      std::fprintf(stderr, "proof for %llu does not verify\n",
                   static_cast<unsigned long long>(index));
      std::exit(1);
    }
  }
  uint64_t proofs = 0;
  auto start = RealClock().SteadyNow();
  while (RealClock().SteadyNow() - start < std::chrono::seconds(5)) {
    for (int i = 0; i < 1000; ++i) {
      auto proof = reader.InclusionProof(rng() % n, *snap);
      if (!proof.ok()) std::exit(3);
    }
    proofs += 1000;
  }
  double proof_rate = static_cast<double>(proofs) / Seconds(RealClock().SteadyNow() - start);
  std::printf(
      "%s: inclusion proofs (uniformly random index, 96 MiB tile cache), 1 thread: %.0f proofs/s\n",
      label, proof_rate);
  {
    // The same on two threads (a server answers proof requests concurrently).
    std::atomic<uint64_t> total{0};
    std::vector<std::thread> threads;
    auto t0 = RealClock().SteadyNow();
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937_64 r(100 + t);
        uint64_t mine = 0;
        while (RealClock().SteadyNow() - t0 < std::chrono::seconds(5)) {
          for (int i = 0; i < 1000; ++i) {
            if (!reader.InclusionProof(r() % n, *snap).ok()) std::exit(3);
          }
          mine += 1000;
        }
        total += mine;
      });
    }
    for (auto& t : threads) t.join();
    std::printf("%s: inclusion proofs on 2 threads: %.0f proofs/s\n", label,
                static_cast<double>(total.load()) / Seconds(RealClock().SteadyNow() - t0));
  }
  std::printf("%s: peak RSS after proofs: %.0f MiB\n", label, PeakRssMiB());

  auto policy =
      tlog::Policy::Parse("log " + log.seq->verifier_key().ToString() + "\nquorum none\n");
  ReaderFetcher fetcher(reader, snap);
  AuditOptions options;
  options.policy = &*policy;
  start = RealClock().SteadyNow();
  auto result = AuditLog(fetcher, options);
  double secs = Seconds(RealClock().SteadyNow() - start);
  if (!result.ok()) {
    std::fprintf(stderr, "audit failed: %s\n", result.status().ToString().c_str());
    std::exit(1);
  }
  std::printf(
      "%s: full audit (every tile and bundle read from SQLite, tree recomputed): %.1f s, "
      "%.0f entries/s\n",
      label, secs, static_cast<double>(n) / secs);
  std::printf("%s: peak RSS after audit: %.0f MiB\n", label, PeakRssMiB());
}

// Durable appends from the sequencer's own API (8 submitters x 4096 in flight, default batching)
// for `seconds`, then through HTTP with 64 and 512 clients; `backend` names the store.
struct AppendRates {
  double store = 0;
  double add64 = 0;    // POST /add, 64 clients
  double batch64 = 0;  // POST /add-batch of 64 entries, 64 clients
  double add512 = 0;
  double batch512 = 0;
};
AppendRates BenchAppends(Log& log, int seconds, const char* backend) {
  AppendRates rates;
  const uint64_t start_size = log.seq->Latest()->size();
  const auto start = RealClock().SteadyNow();
  const uint64_t acked = Append(*log.seq, start_size, UINT64_MAX, 8, 4096,
                                RealClock().SteadyNow() + std::chrono::seconds(seconds));
  const double secs = Seconds(RealClock().SteadyNow() - start);
  const auto stats = log.seq->stats();
  rates.store = static_cast<double>(acked) / secs;
  std::printf(
      "durable appends (%s; 256-byte entries; 8 submitters x 4096 in flight; default batching): "
      "%.0f entries/s (%llu in %.1f s, %llu commits, %.0f entries/commit)\n",
      backend, rates.store, static_cast<unsigned long long>(acked), secs,
      static_cast<unsigned long long>(stats.batches),
      static_cast<double>(stats.entries) /
          static_cast<double>(std::max<uint64_t>(1, stats.batches)));
  std::printf(
      "  sequencer time: duplicate lookup %.2f s, integration and signing %.2f s, commit %.2f s\n",
      Seconds(stats.lookup_time), Seconds(stats.integrate_time), Seconds(stats.commit_time));
  std::printf("peak RSS after appends: %.0f MiB\n", PeakRssMiB());
  rates.add64 = BenchHttpAppends(log, 5, 64, 1);
  rates.batch64 = BenchHttpAppends(log, 5, 64, 64);
  rates.add512 = BenchHttpAppends(log, 5, 512, 1);
  rates.batch512 = BenchHttpAppends(log, 5, 512, 64);
  std::printf("  POST /add-batch of 64 against POST /add, 64 clients: %.1fx; 512 clients: %.1fx\n",
              rates.batch64 / rates.add64, rates.batch512 / rates.add512);
  return rates;
}

// --postgres: the same measurements on the PostgreSQL backend, a throwaway server on loopback
// (fsync=on, synchronous_commit=on; store/postgres/pg_test_server.h) sharing the machine's
// cores, next to SQLite's from the same run (issue 16, "Speed").
void BenchPostgres(int seconds, const AppendRates& sqlite, const std::string& dir) {
#ifndef VOUCH_BENCH_POSTGRES
  (void)seconds, (void)sqlite, (void)dir;
  std::fprintf(stderr,
               "--postgres: this build has no PostgreSQL test server (VOUCH_BUILD_TESTS)\n");
  std::exit(2);
#else
  auto server = store::testing::PgTestServer::Start();
  if (!server.ok()) {
    std::fprintf(stderr, "no PostgreSQL server: %s\n", server.status().ToString().c_str());
    std::exit(3);
  }
  auto uri = (*server)->CreateDatabase();
  if (!uri.ok()) {
    std::fprintf(stderr, "cannot create a database: %s\n", uri.status().ToString().c_str());
    std::exit(3);
  }
  auto store = store::CreatePostgresLogState(*uri, dir + "/pg-log.anchor");
  if (!store.ok()) {
    std::fprintf(stderr, "cannot create the log state: %s\n", store.status().ToString().c_str());
    std::exit(3);
  }
  Log log = StartLog(std::shared_ptr<store::LogStore>(std::move(store).value()));
  const AppendRates pg =
      BenchAppends(log, seconds, "PostgreSQL on loopback, synchronous_commit=on");
  std::printf(
      "PostgreSQL against SQLite (same entries, same batching): store %.2fx; POST /add 64 "
      "clients %.2fx, 512 clients %.2fx; POST /add-batch of 64, 64 clients %.2fx, 512 clients "
      "%.2fx\n",
      pg.store / sqlite.store, pg.add64 / sqlite.add64, pg.add512 / sqlite.add512,
      pg.batch64 / sqlite.batch64, pg.batch512 / sqlite.batch512);
  log.seq->Stop();
#endif
}

int Main(int argc, char** argv) {
  std::string dir;
  int seconds = 10;
  bool large = false;
  bool keep = false;
  bool append_only = false;
  bool reads_only = false;
  bool postgres = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atoi(argv[++i]);
    } else if (a == "--large") {
      large = true;
    } else if (a == "--keep") {
      keep = true;
    } else if (a == "--append-only") {
      append_only = true;
    } else if (a == "--reads-only") {
      reads_only = true;
    } else if (a == "--no-anchor") {
      g_no_anchor = true;
    } else if (a == "--postgres") {
      postgres = true;
    } else {
      std::fprintf(stderr,
                   "usage: ledger_bench [--dir DIR] [--seconds N] [--large] [--keep] "
                   "[--append-only] [--reads-only] [--no-anchor] [--postgres]\n"
                   "  --dir      where to create the SQLite logs (default: a new directory under "
                   "the current one)\n"
                   "  --seconds  length of the append measurement (default 10)\n"
                   "  --large    also measure at 10M entries (grows the log to 10M: minutes)\n"
                   "  --keep     keep the database afterwards\n"
                   "  --append-only  only measure appends\n"
                   "  --reads-only   only measure proofs and the audit of the log in --dir\n"
                   "  --no-anchor    no state anchor (measures the anchor's cost)\n"
                   "  --postgres     also measure the appends on PostgreSQL (a throwaway server "
                   "the bench starts)\n");
      return 2;
    }
  }
  bool made_dir = false;
  if (dir.empty()) {
    dir = "ledger_bench." + std::to_string(::getpid());
    made_dir = true;
  }
  std::filesystem::create_directories(dir);
  BenchSha256();
  std::printf("peak RSS at start: %.0f MiB\n", PeakRssMiB());

  Log log = OpenLog(dir + "/log.db");
  if (reads_only) {
    std::string label = std::to_string(log.seq->Latest()->size()) + " entries";
    BenchReads(log, label.c_str());
    return 0;
  }
  const AppendRates sqlite = BenchAppends(log, seconds, "SQLite WAL, synchronous=FULL");
  if (postgres) BenchPostgres(seconds, sqlite, dir);

  if (!append_only) {
    GrowTo(log, 1'000'000);
    BenchReads(log, "1M entries");
    if (large) {
      GrowTo(log, 10'000'000);
      BenchReads(log, "10M entries");
    }
  }
  log.seq->Stop();
  log.seq.reset();
  log.store.reset();
  if (made_dir && !keep) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace vouch::ledger

int main(int argc, char** argv) { return vouch::ledger::Main(argc, argv); }

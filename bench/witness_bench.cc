// Witness throughput and latency (docs/performance.md): cosignatures per second of
// POST /add-checkpoint with durable state (SQLite, synchronous=FULL), sequential and with
// concurrent clients over HTTP on loopback, with p50/p99 latency, next to Ed25519's own signing
// and verification rates measured in the same run (a cosignature costs one of each). Not a test.
//
//   build/default/bench/witness_bench [--seconds N] [--clients N] [--no-anchor]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "vouch/base/clock.h"
#include "vouch/base/file.h"
#include "vouch/crypto/ed25519.h"
#include "vouch/crypto/random.h"
#include "vouch/http/http_client.h"
#include "vouch/http/http_server.h"
#include "vouch/server/witness_service.h"
#include "vouch/store/sqlite_witness_store.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/note.h"

namespace {

constexpr char kOrigin[] = "bench.example/log";

using vouch::bench::Percentile;

struct LoadResult {
  uint64_t done = 0, failed = 0;
  double elapsed = 0, p50_us = 0, p99_us = 0;
};

// `clients` threads POSTing `body` to `url` for `seconds`.
LoadResult Load(const std::string& url, const std::string& body, int clients, double seconds) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<uint64_t> done{0}, failed{0};
  auto t0 = vouch::RealClock().SteadyNow();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      vouch::http::HttpClient client;
      while (std::chrono::duration<double>(vouch::RealClock().SteadyNow() - t0).count() < seconds) {
        auto s = vouch::RealClock().SteadyNow();
        auto r = client.Post(url, body, "text/plain");
        latencies[c].push_back(
            std::chrono::duration<double, std::micro>(vouch::RealClock().SteadyNow() - s).count());
        if (r.ok() && r->status == 200)
          ++done;
        else
          ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  LoadResult result;
  result.elapsed = std::chrono::duration<double>(vouch::RealClock().SteadyNow() - t0).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  result.done = done;
  result.failed = failed;
  result.p50_us = Percentile(all, 0.5);
  result.p99_us = Percentile(all, 0.99);
  return result;
}

// The load generator in its own process (so that the server's CPU time can be measured apart
// from the clients'): `witness_bench --load URL BODY_FILE CLIENTS SECONDS` prints
// "<done> <failed> <elapsed> <p50_us> <p99_us>".
int RunLoad(char** argv) {
  auto body = vouch::ReadFileToString(argv[3]);
  if (!body.ok()) return 3;
  LoadResult r = Load(argv[2], *body, std::atoi(argv[4]), std::atof(argv[5]));
  std::printf("%llu %llu %f %f %f\n", static_cast<unsigned long long>(r.done),
              static_cast<unsigned long long>(r.failed), r.elapsed, r.p50_us, r.p99_us);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): benchmark main
  if (argc == 6 && std::strcmp(argv[1], "--load") == 0) return RunLoad(argv);
  double seconds = 3;
  int clients = 8;
  bool anchored = true;  // --no-anchor: without the state anchor (measures its cost)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-anchor") == 0) anchored = false;
    if (i + 1 >= argc) continue;
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--clients") == 0) clients = std::atoi(argv[i + 1]);
  }
  // Reference: Ed25519 signatures of a checkpoint-sized message.
  auto key = *Ed25519PrivateKey::Generate();
  std::string message(120, 'c');
  uint64_t signs = 0;
  auto start = RealClock().SteadyNow();
  while (std::chrono::duration<double>(RealClock().SteadyNow() - start).count() < seconds / 3) {
    if (!key.Sign(AsBytes(message)).ok()) return 1;
    ++signs;
  }
  double sign_rate = static_cast<double>(signs) /
                     std::chrono::duration<double>(RealClock().SteadyNow() - start).count();
  // And verifications: a witness verifies the log's signature, then signs its cosignature.
  auto signature = *key.Sign(AsBytes(message));
  uint64_t verifies = 0;
  start = RealClock().SteadyNow();
  while (std::chrono::duration<double>(RealClock().SteadyNow() - start).count() < seconds / 3) {
    if (!key.public_key().Verify(AsBytes(message), signature).ok()) return 1;
    ++verifies;
  }
  double verify_rate = static_cast<double>(verifies) /
                       std::chrono::duration<double>(RealClock().SteadyNow() - start).count();
  // The CPU floor of one cosignature: one verification plus one signature.
  const double crypto_rate = 1.0 / (1.0 / sign_rate + 1.0 / verify_rate);

  // A witness with durable state, trusting one log; the log's checkpoint at size 1000.
  auto log_key = *tlog::Ed25519NoteSigner::Generate(kOrigin);
  tlog::Hash root{};
  root[0] = 1;
  auto checkpoint = *tlog::Checkpoint::Create(kOrigin, 1000, root);
  const tlog::NoteSigner* signers[] = {&log_key};
  std::string note = *tlog::SignCheckpoint(checkpoint, signers);
  auto seed = *RandomBytes(32);
  auto signer = *tlog::ParseWitnessKeyFile(tlog::FormatWitnessKeyFile("bench.example/w", seed));
  auto log_keys = *tlog::VerifierSet::Create({*tlog::NewNoteVerifier(log_key.verifier_key())});
  auto w = *tlog::Witness::Create({signer}, {{kOrigin, log_keys}});
  char dir[] = "/tmp/vouch-witness-bench-XXXXXX";
  if (mkdtemp(dir) == nullptr) return 3;
  server::WitnessService service(std::move(w),
                                 anchored
                                     ? *store::CreateSqliteWitnessState(std::string(dir) + "/w.db")
                                     : *store::OpenSqliteWitnessStore(std::string(dir) + "/w.db"),
                                 RealClock());
  http::ServerOptions options;
  options.threads = 2;
  auto server = *http::HttpServer::Start(options, service.Routes());
  const std::string url = "http://" + server->address() + "/add-checkpoint";
  http::HttpClient setup;
  if (setup.Post(url, "old 0\n\n" + note, "text/plain")->status != 200) return 1;
  // Same size, same root, empty proof: a fresh cosignature every time (the freshness path), each
  // a log-signature check, a cosignature and a durable commit.
  const std::string body = "old 1000\n\n" + note;

  auto run = [&](int n_clients) {
    LoadResult r = Load(url, body, n_clients, seconds / 3);
    double rate = static_cast<double>(r.done) / r.elapsed;
    std::printf(
        "witness_http_clients=%d cosignatures_per_s=%.0f p50_us=%.0f p99_us=%.0f failed=%llu"
        " (%.2f cores' worth of verify+sign)\n",
        n_clients, rate, r.p50_us, r.p99_us, static_cast<unsigned long long>(r.failed),
        rate / crypto_rate);
  };
  // The clients in another process; the server's own CPU time per cosignature gives what a
  // witness whose clients are elsewhere can do on this machine's cores.
  auto run_apart = [&](int n_clients) {
    const std::string body_file = std::string(dir) + "/body";
    if (!WriteFileAtomic(body_file, AsBytes(body)).ok()) return;
    char self[4096] = {};
    if (::readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return;
    const std::string command = std::string(self) + " --load " + url + " " + body_file + " " +
                                std::to_string(n_clients) + " " + std::to_string(seconds / 3);
    const double cpu0 = ProcessCpuSeconds();
    FILE* child = ::popen(command.c_str(), "r");
    LoadResult r;
    unsigned long long done = 0, failed = 0;
    if (child == nullptr || std::fscanf(child, "%llu %llu %lf %lf %lf", &done, &failed, &r.elapsed,
                                        &r.p50_us, &r.p99_us) != 5) {
      std::printf("witness_http_apart: load generator failed\n");
      if (child != nullptr) ::pclose(child);
      return;
    }
    ::pclose(child);
    const double server_cpu = ProcessCpuSeconds() - cpu0;
    const double rate = static_cast<double>(done) / r.elapsed;
    const double cpu_us = 1e6 * server_cpu / static_cast<double>(done);
    std::printf(
        "witness_http_clients_in_another_process=%d cosignatures_per_s=%.0f p50_us=%.0f "
        "p99_us=%.0f failed=%llu server_cpu_us_per_cosignature=%.0f (verify+sign alone: %.0f)"
        " -> %.0f cosignatures/s per core of server\n",
        n_clients, rate, r.p50_us, r.p99_us, failed, cpu_us, 1e6 / crypto_rate, 1e6 / cpu_us);
  };
  std::printf("ed25519_sign_per_s=%.0f ed25519_verify_per_s=%.0f verify+sign_per_s_per_core=%.0f\n",
              sign_rate, verify_rate, crypto_rate);
  {
    // The service alone (decision + durable commit), without HTTP.
    http::HttpRequest request;
    request.method = "POST";
    request.path = request.target = "/add-checkpoint";
    request.body = body;
    uint64_t n = 0;
    auto t0 = RealClock().SteadyNow();
    while (std::chrono::duration<double>(RealClock().SteadyNow() - t0).count() < seconds / 3) {
      if (service.AddCheckpoint(request).status != 200) return 1;
      ++n;
    }
    double rate = static_cast<double>(n) /
                  std::chrono::duration<double>(RealClock().SteadyNow() - t0).count();
    std::printf(
        "witness_service_direct cosignatures_per_s=%.0f (%.2f cores' worth of verify+sign)\n", rate,
        rate / crypto_rate);
  }
  run(1);
  run(clients);
  run_apart(clients);
  server->Stop();
  return 0;
}

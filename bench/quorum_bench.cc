// End-to-end publication latency (docs/performance.md, "Witness"): the time from POST /add to
// a published checkpoint that covers the entry and carries a witness quorum's cosignatures.
// A real log (SQLite store, Sequencer and CheckpointPublisher at their default settings, the
// HTTP API) and three real witnesses (SQLite state, synchronous=FULL), all on loopback in this
// process. Reference, measured in the same run: one fsync of the log's data directory (the
// floor of every durable step: the log's commit and each witness's state). Not a test.
//
//   build/default/bench/quorum_bench [--entries N] [--clients N] [--quorum K] [--down D]
//
// --down D stops D of the three witnesses before measuring (connections refused).
//
// Sequential: one client adds an entry over HTTP, then polls GET /checkpoint (every 0.5 ms)
// until the published checkpoint covers it and verifies under the K-of-3 policy. Concurrent:
// N clients doing the same (waiting in-process on the publisher instead of polling).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "vouch/base/clock.h"
#include "vouch/base/time.h"
#include "vouch/crypto/random.h"
#include "vouch/http/http_server.h"
#include "vouch/ledger/checkpoint_publisher.h"
#include "vouch/server/log_client.h"
#include "vouch/server/log_service.h"
#include "vouch/server/witness_client.h"
#include "vouch/server/witness_service.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/sqlite_witness_store.h"
#include "vouch/tlog/checkpoint.h"

namespace {

using namespace vouch;  // NOLINT(google-build-using-namespace): benchmark

using vouch::bench::Ms;
using vouch::bench::Percentile;

void Report(const char* what, const std::vector<double>& ms, double fsync_ms) {
  std::printf("%s: %zu entries, p50 %.2f ms, p99 %.2f ms, max %.2f ms (p50 = %.1f fsyncs)\n", what,
              ms.size(), Percentile(ms, 0.5), Percentile(ms, 0.99),
              *std::max_element(ms.begin(), ms.end()), Percentile(ms, 0.5) / fsync_ms);
}

// Median time of a 4 KiB write + fsync in `dir`.
double FsyncMs(const std::string& dir) {
  const std::string path = dir + "/fsync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<double> ms;
  char block[4096] = {};
  for (int i = 0; i < 50; ++i) {
    auto t = RealClock().SteadyNow();
    if (::pwrite(fd, block, sizeof block, 0) != sizeof block || ::fsync(fd) != 0) return 0;
    ms.push_back(Ms(RealClock().SteadyNow() - t));
  }
  ::close(fd);
  ::unlink(path.c_str());
  return Percentile(ms, 0.5);
}

struct BenchWitness {
  std::unique_ptr<server::WitnessService> service;
  std::unique_ptr<http::HttpServer> server;
  std::string vkey;
};

BenchWitness StartWitness(int n, const std::string& dir, const tlog::VerifierKey& log_key) {
  auto signer = *tlog::CosignatureV1Signer::Generate("w" + std::to_string(n) + ".bench");
  auto keys = *tlog::VerifierSet::Create({*tlog::NewNoteVerifier(log_key)});
  BenchWitness w;
  w.vkey = signer.verifier_key().ToString();
  w.service = std::make_unique<server::WitnessService>(
      *tlog::Witness::Create({signer}, {{log_key.name(), keys}}),
      *store::OpenSqliteWitnessStore(dir + "/w" + std::to_string(n) + ".db"), RealClock());
  w.server = *http::HttpServer::Start({}, w.service->Routes());
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  int entries = 200, clients = 16, quorum = 2, down = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--entries") == 0) entries = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--clients") == 0) clients = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--quorum") == 0) quorum = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--down") == 0) down = std::atoi(argv[i + 1]);
  }
  char dir_template[] = "/tmp/vouch-quorum-bench-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return 3;
  const std::string dir = dir_template;
  const double fsync_ms = FsyncMs(dir);
  std::printf("reference: fsync of a 4 KiB write in %s: %.2f ms (median)\n", dir.c_str(), fsync_ms);

  auto log_signer = std::make_shared<tlog::Ed25519NoteSigner>(
      *tlog::Ed25519NoteSigner::Generate("bench.example/witnessed-log"));
  std::shared_ptr<store::LogStore> store = *store::SqliteLogStore::Open(dir + "/log.db");
  auto sequencer = *ledger::Sequencer::Start(store, log_signer, RealClock());  // default batching
  ledger::LogReader reader(store);
  std::vector<BenchWitness> witnesses;
  std::string policy_text = "log " + sequencer->verifier_key().ToString() + "\n";
  std::vector<ledger::WitnessAddress> addresses;
  for (int n = 0; n < 3; ++n) {
    witnesses.push_back(StartWitness(n, dir, sequencer->verifier_key()));
    policy_text += "witness w" + std::to_string(n) + " " + witnesses.back().vkey + "\n";
    addresses.push_back({"http://" + witnesses.back().server->address(),
                         *tlog::VerifierKey::Parse(witnesses.back().vkey)});
  }
  policy_text += "group g " + std::to_string(quorum) + " w0 w1 w2\nquorum g\n";
  auto policy = *tlog::Policy::Parse(policy_text);
  http::HttpClient witness_client;
  server::HttpWitnessTransport transport(witness_client);
  auto publisher =
      *ledger::CheckpointPublisher::Start(*sequencer, reader, transport, RealClock(), policy,
                                          *ledger::ResolveWitnesses(policy, addresses), {});
  server::LogService service(*sequencer, reader,
                             {std::chrono::seconds(30), [&] { return publisher->Latest(); }, ""});
  http::ServerOptions server_options;
  server_options.max_handler_threads = 64;
  auto server = *http::HttpServer::Start(server_options, service.Routes());
  const std::string base = "http://" + server->address();
  for (int n = 0; n < down && n < 3; ++n) witnesses[static_cast<size_t>(n)].server->Stop();
  std::printf(
      "log and 3 witnesses on loopback (%d down); quorum %d of 3; default batching (5 ms)\n", down,
      quorum);

  // Sequential, polling GET /checkpoint like a client would.
  {
    http::HttpClient http;
    auto log = *server::LogClient::Create(base, http);
    std::vector<double> ms;
    for (int i = 0; i < entries; ++i) {
      auto t0 = RealClock().SteadyNow();
      auto added = log.Add(AsBytes("sequential entry " + std::to_string(i)));
      if (!added.ok()) return std::fprintf(stderr, "%s\n", added.status().ToString().c_str()), 1;
      for (;;) {
        auto note = log.FetchCheckpoint();
        if (note.ok()) {
          auto cp = tlog::SignedCheckpoint::Parse(*note);
          if (cp.ok() && cp->checkpoint().size() > added->index) {
            if (!policy.VerifyCheckpoint(*cp).ok()) return std::fprintf(stderr, "no quorum\n"), 1;
            break;
          }
        }
        RealClock().SleepFor(std::chrono::microseconds(500));
      }
      ms.push_back(Ms(RealClock().SteadyNow() - t0));
    }
    Report("sequential: POST /add -> quorum checkpoint at GET /checkpoint", ms, fsync_ms);
  }
  // Concurrent submitters.
  {
    std::vector<std::vector<double>> per_client(clients);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        http::HttpClient http;
        auto log = *server::LogClient::Create(base, http);
        for (int i = 0; i < entries / 4; ++i) {
          auto t0 = RealClock().SteadyNow();
          auto added =
              log.Add(AsBytes("client " + std::to_string(c) + " entry " + std::to_string(i)));
          if (!added.ok()) continue;
          publisher->WaitForSize(added->index + 1,
                                 RealClock().SteadyNow() + std::chrono::seconds(30));
          per_client[c].push_back(Ms(RealClock().SteadyNow() - t0));
        }
      });
    }
    for (auto& t : threads) t.join();
    std::vector<double> all;
    for (auto& v : per_client) all.insert(all.end(), v.begin(), v.end());
    char what[96];
    std::snprintf(what, sizeof what, "%d concurrent clients: POST /add -> quorum checkpoint",
                  clients);
    Report(what, all, fsync_ms);
  }
  auto stats = publisher->stats();
  std::printf("publisher: %llu rounds, %llu published, %llu abandoned\n",
              static_cast<unsigned long long>(stats.rounds),
              static_cast<unsigned long long>(stats.published),
              static_cast<unsigned long long>(stats.abandoned));
  server->Stop();
  publisher->Stop();
  sequencer->Stop();
  for (auto& w : witnesses) w.server->Stop();
  std::string cleanup = "rm -rf " + dir;
  return std::system(cleanup.c_str()) == 0 ? 0 : 3;
}

// A witnessed log for the benchmarks of the attested services (root_bench, broker_bench;
// header-only, not part of libvouch): a SQLite log store, the Sequencer, three witnesses over
// HTTP at a 2-of-3 quorum, the CheckpointPublisher and the log's HTTP API, all on loopback in
// this process, in a temporary directory that Stop removes. Failures end the program (exit 1).
#ifndef VOUCH_BENCH_BENCH_LEDGER_H_
#define VOUCH_BENCH_BENCH_LEDGER_H_

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "govern/history_builder.h"
#include "vouch/base/clock.h"
#include "vouch/crypto/sha.h"
#include "vouch/http/http_server.h"
#include "vouch/ledger/checkpoint_publisher.h"
#include "vouch/server/log_service.h"
#include "vouch/server/witness_client.h"
#include "vouch/server/witness_service.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/sqlite_witness_store.h"

namespace vouch::bench {

[[noreturn]] inline void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(StatusOr<T> v, const std::string& what) {
  if (!v.ok()) Die(what, v.status());
  return std::move(v).value();
}

inline void Must(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what, s);
}

class BenchLedger {
 public:
  // Starts everything in a new directory under /tmp named after `name`.
  explicit BenchLedger(const std::string& name, const Clock& clock = RealClock()) : clock_(clock) {
    std::string dir_template = "/tmp/vouch-" + name + "-XXXXXX";
    if (mkdtemp(dir_template.data()) == nullptr) {
      std::fprintf(stderr, "cannot create a temporary directory\n");
      std::exit(3);
    }
    dir_ = dir_template;
    auto log_signer = std::make_shared<tlog::Ed25519NoteSigner>(
        Must(tlog::Ed25519NoteSigner::Generate(govern::testing::kTestOrigin), "log key"));
    std::shared_ptr<store::LogStore> store =
        Must(store::SqliteLogStore::Open(dir_ + "/log.db"), "log store");
    sequencer_ = Must(ledger::Sequencer::Start(store, log_signer, clock_), "sequencer");
    reader_ = std::make_unique<ledger::LogReader>(store);
    std::string policy_text = "log " + sequencer_->verifier_key().ToString() + "\n";
    std::vector<ledger::WitnessAddress> addresses;
    for (int n = 0; n < 3; ++n) {
      StartWitness(n);
      policy_text += "witness w" + std::to_string(n) + " " + witnesses_.back().vkey + "\n";
      addresses.push_back({"http://" + witnesses_.back().server->address(),
                           Must(tlog::VerifierKey::Parse(witnesses_.back().vkey), "vkey")});
    }
    policy_text += "group g 2 w0 w1 w2\nquorum g\n";
    policy_ = std::make_unique<tlog::Policy>(Must(tlog::Policy::Parse(policy_text), "policy"));
    transport_ = std::make_unique<server::HttpWitnessTransport>(witness_client_);
    publisher_ = Must(ledger::CheckpointPublisher::Start(
                          *sequencer_, *reader_, *transport_, clock_, *policy_,
                          Must(ledger::ResolveWitnesses(*policy_, addresses), "witnesses"), {}),
                      "publisher");
    log_service_ = std::make_unique<server::LogService>(
        *sequencer_, *reader_,
        server::LogServiceOptions{std::chrono::seconds(30), [this] { return publisher_->Latest(); },
                                  ""});
    http::ServerOptions server_options;
    server_options.max_handler_threads = 64;
    log_server_ =
        Must(http::HttpServer::Start(server_options, log_service_->Routes()), "log server");
  }
  ~BenchLedger() { Stop(); }
  BenchLedger(const BenchLedger&) = delete;
  BenchLedger& operator=(const BenchLedger&) = delete;

  const std::string& dir() const { return dir_; }
  std::string url() const { return "http://" + log_server_->address(); }
  const tlog::Policy& policy() const { return *policy_; }
  ledger::Sequencer& sequencer() { return *sequencer_; }
  ledger::CheckpointPublisher& publisher() { return *publisher_; }

  // Appends `batch` through the sequencer, waits for a quorum checkpoint covering it, and
  // returns the entries' references; `hb` (if given) learns them too.
  std::vector<govern::EntryRef> AppendAll(const std::vector<Bytes>& batch,
                                          govern::testing::HistoryBuilder* hb = nullptr) {
    std::vector<std::future<StatusOr<ledger::AddResult>>> futures;
    futures.reserve(batch.size());
    for (const Bytes& e : batch) futures.push_back(sequencer_->Submit(e));
    std::vector<govern::EntryRef> refs;
    uint64_t end = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto added = Must(futures[i].get(), "append");
      refs.push_back({added.index, Sha256(batch[i])});
      end = std::max(end, added.index + 1);
      if (hb != nullptr) hb->Append(batch[i]);
    }
    WaitForSize(end);
    return refs;
  }

  // Waits (up to 30 s) until a quorum checkpoint covers `size` entries; false on timeout.
  bool WaitForSize(uint64_t size) {
    publisher_->WaitForSize(size, clock_.SteadyNow() + std::chrono::seconds(30));
    return publisher_->Latest()->size() >= size;
  }

  // Stops the servers and removes the directory (idempotent).
  void Stop() {
    if (log_server_ == nullptr) return;
    log_server_->Stop();
    publisher_->Stop();
    sequencer_->Stop();
    for (auto& w : witnesses_) w.server->Stop();
    log_server_.reset();
    std::string cleanup = "rm -rf " + dir_;
    if (std::system(cleanup.c_str()) != 0) std::fprintf(stderr, "cannot remove %s\n", dir_.c_str());
  }

 private:
  struct Witness {
    std::unique_ptr<server::WitnessService> service;
    std::unique_ptr<http::HttpServer> server;
    std::string vkey;
  };

  void StartWitness(int n) {
    const tlog::VerifierKey& log_key = sequencer_->verifier_key();
    auto signer = Must(tlog::CosignatureV1Signer::Generate("w" + std::to_string(n) + ".bench"),
                       "witness key");
    auto keys = Must(tlog::VerifierSet::Create({Must(tlog::NewNoteVerifier(log_key), "verifier")}),
                     "verifier set");
    Witness w;
    w.vkey = signer.verifier_key().ToString();
    w.service = std::make_unique<server::WitnessService>(
        Must(tlog::Witness::Create({signer}, {{log_key.name(), keys}}), "witness"),
        Must(store::OpenSqliteWitnessStore(dir_ + "/w" + std::to_string(n) + ".db"), "store"),
        clock_);
    w.server = Must(http::HttpServer::Start({}, w.service->Routes()), "witness server");
    witnesses_.push_back(std::move(w));
  }

  const Clock& clock_;
  std::string dir_;
  std::unique_ptr<ledger::Sequencer> sequencer_;
  std::unique_ptr<ledger::LogReader> reader_;
  std::vector<Witness> witnesses_;
  std::unique_ptr<tlog::Policy> policy_;
  http::HttpClient witness_client_;
  std::unique_ptr<server::HttpWitnessTransport> transport_;
  std::unique_ptr<ledger::CheckpointPublisher> publisher_;
  std::unique_ptr<server::LogService> log_service_;
  std::unique_ptr<http::HttpServer> log_server_;
};

}  // namespace vouch::bench

#endif  // VOUCH_BENCH_BENCH_LEDGER_H_

// `vouch serve log`, `vouch serve witness`, `vouch serve root` and `vouch serve broker`: the
// transparency log (docs/log.md), the tlog-witness (docs/witness.md), the root enclave
// (docs/root.md) and the secret broker enclave (docs/broker.md), each started, run and stopped by
// the one service runner (server/service_runner.h: integrity hook, key permissions, bind before
// any state, data directory lock, port file, signals, ordered shutdown).
// Thin: parse flags, build the services from the library, map failures to exit codes.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "cli/cli_common.h"
#include "cli/govern_common.h"
#include "cli/log_common.h"
#include "cli/serve_flags.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/mutex.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/dsse/envelope.h"
#include "vouch/http/http_client.h"
#include "vouch/http/http_server.h"
#include "vouch/ledger/checkpoint_publisher.h"
#include "vouch/ledger/log_follower.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/pcs/collateral_cache.h"
#include "vouch/platform/platform.h"
#include "vouch/server/broker_service.h"
#include "vouch/server/collateral_directory.h"
#include "vouch/server/enclave_key.h"
#include "vouch/server/explorer_service.h"
#include "vouch/server/log_client.h"
#include "vouch/server/log_forwarder.h"
#include "vouch/server/log_service.h"
#include "vouch/server/root_service.h"
#include "vouch/server/self_check.h"
#include "vouch/server/service_runner.h"
#include "vouch/server/witness_client.h"
#include "vouch/server/witness_service.h"
#include "vouch/store/open_store.h"
#include "vouch/store/reasons.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/note.h"

namespace vouch::cli {
namespace {

// Key files are one line of at most a few hundred bytes.
constexpr size_t kMaxKeyFileSize = 4096;

// The exit code and --json code of a failure of the runner's steps (service_runner.h).
int RunnerFailure(const std::string& what, const Status& s, bool json = false) {
  const std::string& reason = s.reason();
  if (reason == kKeyFileInsecure) return ReportFailure(json, kExitUsage, reason, what, s.message());
  if (reason == "listen_failed") {
    return ReportFailure(json, s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitIo,
                         reason, what, s.message());
  }
  if (reason == "data_dir_in_use") {
    return ReportFailure(json, kExitIo, reason, what, s.message());
  }
  const int code = ExitCodeForReadError(s);
  return ReportFailure(json, code, code == kExitIo ? "io_error" : "input_too_large", what,
                       s.message());
}

// Every service's connection slots (docs/http.md, "Connection slots").
struct ConnectionFlags {
  size_t max_connections = 0;
  size_t max_per_address = http::ServerOptions().max_connections_per_address;
};

void AddConnectionFlags(CLI::App* cmd, ConnectionFlags* flags, size_t default_max) {
  flags->max_connections = default_max;
  cmd->add_option("--max-connections", flags->max_connections,
                  "Concurrent HTTP connections; at the limit an idle one makes way, else 503 "
                  "(default " +
                      std::to_string(default_max) + ")")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-connections-per-address", flags->max_per_address,
                  "Concurrent HTTP connections from one IP address, 0 for no limit (default " +
                      std::to_string(flags->max_per_address) + "; behind a proxy, raise it)")
      ->check(CLI::Range(0, 100000));
}

// What every service's runner is given: the image integrity check of the running program
// (docs/integrity.md; `ctx` must outlive the runner), its name, --data, --port-file, --listen,
// the connection flags, the clock and the largest request body it accepts.
server::ServiceRunnerOptions RunnerOptions(const CommandContext& ctx, std::string name,
                                           const std::string& data_dir,
                                           const std::string& port_file, const std::string& listen,
                                           const ConnectionFlags& connections, const Clock& clock,
                                           size_t max_body_bytes) {
  server::ServiceRunnerOptions options;
  options.integrity_check = [&ctx] { return VerifyOwnImage(ctx).status(); };
  options.name = std::move(name);
  options.data_dir = data_dir;
  options.port_file = port_file;
  options.server.listen_address = listen;
  options.server.max_connections = connections.max_connections;
  options.server.max_connections_per_address = connections.max_per_address;
  options.server.clock = &clock;
  options.server.max_body_bytes = max_body_bytes;
  return options;
}

// The self-check, first thing in every serve (spec/governance.md §5.1, §5.2): the image
// integrity check. A failure refuses to serve: exit 3 and exactly one line on standard error,
// "vouch serve <name>: self-check failed (<code>): <detail>; refusing to serve".
int SelfCheck(server::ServiceRunner& runner, const std::string& name) {
  if (Status s = runner.CheckIntegrity(); !s.ok()) {
    std::cerr << server::FormatSelfCheckFailure(name, s) << "\n";
    return kExitIo;
  }
  return kExitOk;
}

// The steps before a service's own, after the self-check: binding the address (so that a bad or
// busy --listen creates no state), then the data directory. kExitOk, or the exit code reported.
int PrepareRunner(server::ServiceRunner& runner, const std::string& listen, bool json = false) {
  if (Status s = runner.Bind(); !s.ok()) {
    return RunnerFailure("cannot listen on " + listen, s, json);
  }
  if (Status s = runner.OpenDataDir(); !s.ok()) {
    return RunnerFailure(
        s.reason() == "data_dir_in_use" ? "cannot lock --data" : "cannot create --data", s, json);
  }
  return kExitOk;
}

// Serves `handler` and announces it. kExitOk, or the exit code reported (after stopping).
int ServeAndAnnounce(server::ServiceRunner& runner, http::Handler handler, const std::string& what,
                     bool json = false) {
  if (Status s = runner.Serve(std::move(handler)); !s.ok()) {
    return ReportFailure(json, kExitIo, "listen_failed", "cannot serve", s.message());
  }
  if (Status s = runner.Announce(what); !s.ok()) {
    runner.Shutdown();
    return ReportFailure(json, kExitIo, "io_error", "cannot write --port-file", s.message());
  }
  return kExitOk;
}

// How often a `serve log --standby` tries to take the state over.
constexpr std::chrono::milliseconds kStandbyRetry{250};

// The exit code and --json code of a state that cannot be created or opened (open_store.h):
// a missing or never-anchored state asks for --init, --init on an existing one asks for a start
// without it, and a state that contradicts its anchor or is damaged is never started (exit 3;
// docs/log.md, "Recovery").
int StateFailure(const std::string& what, const Status& s) {
  const std::string& reason = s.reason();
  if (reason == store::reasons::kStateExists) {
    return ReportFailure(false, ErrorCode{reason, kExitUsage}, what, s.message(),
                         "the state was created before: start without --init");
  }
  // The store's messages say what was found and how to recover (docs/log.md, "Recovery").
  if (reason == store::reasons::kStateMissing || reason == store::reasons::kStateNotAnchored ||
      reason == store::reasons::kStoreUnreachable || reason == store::reasons::kStoreNotDurable ||
      reason == store::reasons::kStoreVersionNewer || reason == store::reasons::kStoreInUse ||
      s.code() == StatusCode::kDataLoss) {
    return ReportFailure(false,
                         ErrorCode{reason.empty() ? codes::kStoreFailed.code : reason, kExitIo},
                         what, s.message());
  }
  return ReportFailure(false, kExitIo, "store_failed", what, s.message());
}

void ReportSignal(int sig) {
  std::cerr << "vouch: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping\n";
}

// ---- serve log ----

struct ServeLogOptions {
  std::string data_dir;
  std::string key_file;
  std::string listen = "127.0.0.1:7381";
  std::string port_file;
  size_t batch_size = ledger::SequencerOptions().batch_size;
  double batch_interval_ms = 5;
  int add_timeout = 30;
  size_t max_pending = ledger::SequencerOptions().max_pending_entries;
  size_t cache_mib = 96;
  ConnectionFlags connections;
  std::vector<std::string> witnesses;  // URL=VKEY
  std::string policy_file;
  double witness_timeout = 5;
  double recosign_interval = 10;
  std::string store;  // empty: the SQLite state in data_dir
  bool init = false;
  bool standby = false;   // wait for the PostgreSQL state's sequencing lock
  std::string advertise;  // the URL standbys forward to; empty: http://<the bound address>
  std::string explorer_url;
};

// The log's key (a Go note private key, "PRIVATE+KEY+..."), read under the key-file rule.
// nullptr (and `*exit_code` set) on failure.
std::shared_ptr<const tlog::Ed25519NoteSigner> LoadLogKey(server::ServiceRunner& runner,
                                                          const std::string& path, int* exit_code) {
  auto key_text = runner.LoadPrivateKey(path, kMaxKeyFileSize);
  if (!key_text.ok()) {
    if (key_text.status().reason() == kKeyFileInsecure) {
      *exit_code = RunnerFailure("bad --key", key_text.status());
      return nullptr;
    }
    const int code = ExitCodeForReadError(key_text.status());
    *exit_code = ReportFailure(false, code, code == kExitIo ? "io_error" : "key_malformed",
                               "cannot read --key", key_text.status().message());
    return nullptr;
  }
  std::string_view key_line = AsStringView(key_text->Reveal());
  while (!key_line.empty() &&
         (key_line.back() == '\n' || key_line.back() == '\r' || key_line.back() == ' ')) {
    key_line.remove_suffix(1);
  }
  auto signer = tlog::Ed25519NoteSigner::ParseGoPrivateKey(key_line);
  if (!signer.ok()) {
    *exit_code =
        ReportFailure(false, kExitUsage, "key_malformed", "bad --key",
                      "not a log key from 'vouch log keygen' (" + signer.status().message() + ")");
    return nullptr;
  }
  return std::make_shared<const tlog::Ed25519NoteSigner>(*std::move(signer));
}

// The witnesses and quorum of --witness/--policy; nullopt (and `*exit_code` set) on failure.
struct WitnessConfig {
  tlog::Policy policy;
  std::vector<ledger::WitnessEndpoint> witnesses;
};
std::optional<WitnessConfig> LoadWitnessConfig(const ServeLogOptions& opts, int* exit_code) {
  std::string code;
  auto policy = ReadPolicyFile(opts.policy_file, exit_code, &code);
  if (!policy.ok()) {
    *exit_code =
        ReportFailure(false, *exit_code, code, "cannot use --policy", policy.status().message());
    return std::nullopt;
  }
  std::vector<ledger::WitnessAddress> given;
  for (const std::string& flag : opts.witnesses) {
    auto address = ParseWitnessFlag(flag);
    if (!address.ok()) {
      *exit_code = ReportFailure(false, kExitUsage, "config_invalid", "bad --witness",
                                 address.status().message());
      return std::nullopt;
    }
    given.push_back(*std::move(address));
  }
  auto witnesses = ledger::ResolveWitnesses(*policy, given);
  if (!witnesses.ok()) {
    *exit_code = ReportFailure(false, kExitUsage, "config_invalid", "bad --witness",
                               witnesses.status().message());
    return std::nullopt;
  }
  if (opts.witness_timeout < 0.01 || opts.witness_timeout > 600 || opts.recosign_interval < 0 ||
      opts.recosign_interval > 86400) {
    *exit_code = ReportFailure(false, kExitUsage, "config_invalid", "bad usage",
                               "--witness-timeout must be 0.01..600 seconds and "
                               "--recosign-interval 0..86400");
    return std::nullopt;
  }
  return WitnessConfig{*std::move(policy), *std::move(witnesses)};
}

// Checks the options that need no file or socket. kExitOk, or the exit code reported.
int CheckServeLogOptions(const ServeLogOptions& opts) {
  if (opts.batch_size < 1 || opts.batch_interval_ms < 0 || opts.batch_interval_ms > 60'000) {
    return ReportFailure(false, kExitUsage, "config_invalid", "bad usage",
                         "--batch-size must be at least 1 and --batch-interval 0..60000 ms");
  }
  if (opts.policy_file.empty() && !opts.witnesses.empty()) {
    return ReportFailure(false, kExitUsage, "config_invalid", "bad usage",
                         "--witness needs --policy (the quorum that publishes a checkpoint)");
  }
  auto uri = store::StoreUri::Parse(opts.store.empty() ? opts.data_dir : opts.store, "log.db");
  const bool shared = uri.ok() && uri->backend == store::StoreUri::Backend::kPostgres;
  if (opts.standby && (opts.init || !shared)) {
    return ReportFailure(false, kExitUsage, "config_invalid", "bad usage",
                         "--standby needs --store postgres://… (the database several log "
                         "services share) and no --init");
  }
  if (!opts.advertise.empty()) {
    if (!shared) {
      return ReportFailure(false, kExitUsage, "config_invalid", "bad usage",
                           "--advertise needs --store postgres://… (standbys of the shared state "
                           "forward submissions to that URL)");
    }
    if (auto url = http::Url::Parse(opts.advertise); !url.ok()) {
      return ReportFailure(false, codes::kUrlMalformed, "bad --advertise", url.status().message(),
                           "give this service's http(s) base URL as its standbys reach it");
    }
  }
  return kExitOk;
}

// Starts the publisher that makes `sequencer`'s checkpoints public once the --policy quorum has
// cosigned them; the runner keeps it (and its HTTP client). Null (and `*exit_code` set) on
// failure.
ledger::CheckpointPublisher* StartPublisher(server::ServiceRunner& runner,
                                            ledger::Sequencer& sequencer,
                                            const ledger::LogReader& reader,
                                            const ServeLogOptions& opts, WitnessConfig config,
                                            const Clock& clock, int* exit_code) {
  auto& client = runner.Keep(std::make_unique<http::HttpClient>());
  auto& transport = runner.Keep(std::make_unique<server::HttpWitnessTransport>(client));
  ledger::PublisherOptions options;
  options.witness_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(opts.witness_timeout * 1000));
  options.recosign_interval =
      std::chrono::milliseconds(static_cast<int64_t>(opts.recosign_interval * 1000));
  options.state_file = opts.data_dir + "/cosigned-checkpoint";
  options.on_event = [](const std::string& event) { PrintError(event); };
  auto started = ledger::CheckpointPublisher::Start(sequencer, reader, transport, clock,
                                                    std::move(config.policy),
                                                    std::move(config.witnesses), options);
  if (!started.ok()) {
    *exit_code = ReportFailure(false, kExitUsage, "config_invalid", "cannot use the witnesses",
                               started.status().message());
    return nullptr;
  }
  return &runner.Keep(*std::move(started));
}

// The routes a log service serves, switched when a standby takes over (a request in flight
// finishes on the routes it started with).
class SwitchedRoutes {
 public:
  void Set(http::Router routes) VOUCH_EXCLUDES(mu_) {
    auto next = std::make_shared<const http::Router>(std::move(routes));
    MutexLock lock(&mu_);
    routes_ = std::move(next);
  }
  // REQUIRES: Set() was called before the handler's first request; this object outlives it.
  http::Handler AsHandler() {
    return [this](const http::HttpRequest& request) {
      std::shared_ptr<const http::Router> routes;
      {
        MutexLock lock(&mu_);
        routes = routes_;
      }
      return routes->Dispatch(request);
    };
  }

 private:
  Mutex mu_;
  std::shared_ptr<const http::Router> routes_ VOUCH_GUARDED_BY(mu_);
};

// A standby's front-end while another service sequences the shared state (docs/postgres.md,
// "Several front-ends"): reads of the tree it follows in the database, submissions forwarded to
// the sequencing service (with --policy, the cosigned checkpoint and receipts too: only that
// service has the cosignatures). Starts serving `routes` with them; the runner keeps what it
// made. False (said once per distinct reason in `*said`) when the state cannot be followed yet.
bool ServeAsStandby(server::ServiceRunner& runner, const ServeLogOptions& opts,
                    const tlog::VerifierKey& vkey, bool witnessed, const Clock& clock,
                    SwitchedRoutes& routes, std::string* said) {
  const std::string& uri = opts.store.empty() ? opts.data_dir : opts.store;
  auto say = [said](const Status& s) {
    if (s.message() == *said) return;
    *said = s.message();
    std::cerr << "vouch: standing by, not serving yet: cannot follow the log state (" << *said
              << ")\n";
  };
  auto followed = store::OpenLogFollower(uri, opts.data_dir);
  if (!followed.ok()) {
    say(followed.status());
    return false;
  }
  std::shared_ptr<const store::LogStore> log_store = *std::move(followed);
  ledger::LogFollowerOptions follow_options;
  follow_options.on_event = [](const std::string& event) { PrintError(event); };
  auto follower = ledger::LogFollower::Open(log_store, vkey, clock, follow_options);
  if (!follower.ok()) {
    say(follower.status());
    return false;
  }
  auto& reader = runner.Keep(std::make_unique<ledger::LogReader>(log_store, opts.cache_mib << 20));
  auto& client = runner.Keep(std::make_unique<http::HttpClient>());
  auto& forwarder = runner.Keep(std::make_unique<server::LogForwarder>(log_store, client, clock));
  const ledger::LogFollower& tree = runner.Keep(*std::move(follower));
  server::LogServiceOptions service_options;
  service_options.add_timeout = std::chrono::seconds(opts.add_timeout);
  service_options.explorer_url = opts.explorer_url;
  auto& service = runner.Keep(std::make_unique<server::LogService>(
      forwarder, [&tree] { return tree.Latest(); }, reader, service_options));
  http::Router router = service.Routes();
  if (witnessed) {
    auto forward = [&forwarder](const http::HttpRequest& r) { return forwarder.ForwardGet(r); };
    router.Handle("GET", "/checkpoint", forward);
    router.HandlePrefix("GET", "/proof/", forward);
  }
  routes.Set(std::move(router));
  const auto latest = tree.Latest();
  std::cerr << "vouch: standing by: serving the log's reads (" << (latest ? latest->size() : 0)
            << " entries, from the database) and forwarding submissions to the service that "
               "sequences it\n";
  return true;
}

// Where standbys forward submissions to this service: --advertise, or http://<bound address>
// when that is one they can reach (not a wildcard); empty: none.
std::string AdvertisedUrl(const ServeLogOptions& opts, const server::ServiceRunner& runner) {
  if (!opts.advertise.empty()) return opts.advertise;
  const std::string address = runner.address();
  if (address.rfind("0.0.0.0:", 0) == 0 || address.rfind("[::]:", 0) == 0) return {};
  return "http://" + address;
}

int RunServeLog(const CommandContext& ctx, const ServeLogOptions& opts) {
  const Clock& clock = RealClock();
  if (!opts.explorer_url.empty()) {
    if (auto url = http::Url::Parse(opts.explorer_url); !url.ok()) {
      return ReportFailure(false, codes::kUrlMalformed, "bad --explorer", url.status().message(),
                           "give the explorer's http(s) URL, e.g. https://explorer.example/");
    }
  }
  server::ServiceRunnerOptions runner_options =
      RunnerOptions(ctx, "log", opts.data_dir, opts.port_file, opts.listen, opts.connections, clock,
                    tlog::kMaxEntrySize);
  // POST /add waits for its batch without a thread (DeferredResponse); POST /add-batch and a
  // standby's forwarded submissions wait on theirs (a few ms): let many wait at once.
  runner_options.server.max_handler_threads = 512;
  runner_options.server.stop_grace =
      std::chrono::milliseconds(2000) + std::chrono::seconds(opts.add_timeout);
  server::ServiceRunner runner(std::move(runner_options));
  if (int code = SelfCheck(runner, "log"); code != kExitOk) return code;

  int exit_code = kExitOk;
  auto signer = LoadLogKey(runner, opts.key_file, &exit_code);
  if (signer == nullptr) return exit_code;
  if (int code = CheckServeLogOptions(opts); code != kExitOk) return code;
  std::optional<WitnessConfig> witness_config;
  if (!opts.policy_file.empty()) {
    witness_config = LoadWitnessConfig(opts, &exit_code);
    if (!witness_config) return exit_code;
  }
  if (int code = PrepareRunner(runner, opts.listen); code != kExitOk) return code;

  // The state: in --data, or in --store (a PostgreSQL state keeps its anchor in --data). A
  // standby tries again while another service holds the state, and takes over when it stops;
  // meanwhile it serves reads and forwards submissions (ServeAsStandby). It also waits out a
  // database it cannot reach (said once per outage), where a service that is not a standby stops
  // with store_unreachable.
  const std::string& uri = opts.store.empty() ? opts.data_dir : opts.store;
  auto& routes = runner.Keep(std::make_unique<SwitchedRoutes>());
  bool serving = false;
  auto opened = opts.init ? store::CreateLogState(uri, {}, opts.data_dir)
                          : store::OpenLogState(uri, {}, opts.data_dir);
  const auto standby_waits = [&opts](const Status& s) {
    return opts.standby && (s.reason() == store::reasons::kStoreInUse ||
                            s.reason() == store::reasons::kStoreUnreachable);
  };
  for (std::string said, follow_said; !opened.ok() && standby_waits(opened.status());) {
    if (opened.status().reason() != said) {
      said = opened.status().reason();
      if (said == store::reasons::kStoreInUse) {
        std::cerr << "vouch: standing by: another log service holds the state; taking over "
                     "when it stops\n";
      } else {
        std::cerr << "vouch: standing by: the database cannot be reached ("
                  << opened.status().message() << "); trying again every " << kStandbyRetry.count()
                  << " ms\n";
      }
    }
    if (!serving && said == store::reasons::kStoreInUse &&
        ServeAsStandby(runner, opts, signer->verifier_key(), witness_config.has_value(), clock,
                       routes, &follow_said)) {
      serving = true;
      if (int code = ServeAndAnnounce(runner, routes.AsHandler(),
                                      "log " + signer->verifier_key().ToString() + " (standby)");
          code != kExitOk) {
        return code;
      }
    }
    if (runner.WaitForSignalFor(kStandbyRetry) != 0) {
      runner.Shutdown();
      return kExitOk;
    }
    opened = store::OpenLogState(uri, {}, opts.data_dir);
  }
  if (!opened.ok()) {
    return StateFailure(opts.init ? "cannot create the log state" : "cannot open the log state",
                        opened.status());
  }
  const std::shared_ptr<store::LogStore> log_store = *std::move(opened);
  runner.Keep(log_store);
  ledger::SequencerOptions seq_options;
  seq_options.batch_size = opts.batch_size;
  seq_options.batch_interval =
      std::chrono::microseconds(static_cast<int64_t>(opts.batch_interval_ms * 1000));
  seq_options.max_pending_entries = opts.max_pending;
  // A failed commit (disk full, I/O error, damage) is on the server's log, not only in the 503s.
  seq_options.on_commit_failure = [](const Status& s) {
    std::cerr << "vouch: a commit failed; its entries were not acknowledged: " << s.message()
              << (s.reason().empty() ? "" : " (" + s.reason() + ")") << "\n";
  };
  auto started = ledger::Sequencer::Start(log_store, signer, clock, seq_options);
  if (!started.ok()) {
    const Status& s = started.status();
    const bool other_log = s.code() == StatusCode::kFailedPrecondition;
    return ReportFailure(false, other_log ? kExitUsage : kExitIo,
                         other_log ? "wrong_key" : "store_failed", "cannot start the log",
                         s.message());
  }
  ledger::Sequencer& sequencer = runner.Keep(*std::move(started));
  auto& reader = runner.Keep(std::make_unique<ledger::LogReader>(log_store, opts.cache_mib << 20));
  server::LogServiceOptions service_options;
  service_options.add_timeout = std::chrono::seconds(opts.add_timeout);
  service_options.explorer_url = opts.explorer_url;
  ledger::CheckpointPublisher* publisher = nullptr;
  if (witness_config) {
    publisher = StartPublisher(runner, sequencer, reader, opts, *std::move(witness_config), clock,
                               &exit_code);
    if (publisher == nullptr) return exit_code;
    service_options.published = [publisher] { return publisher->Latest(); };
  }
  auto& service =
      runner.Keep(std::make_unique<server::LogService>(sequencer, reader, service_options));
  routes.Set(service.Routes());

  std::cerr << "vouch: log " << sequencer.origin() << ", " << sequencer.Latest()->size()
            << " entries, database " << store::StoreUri::Parse(uri, "log.db")->Display() << "\n";
  if (publisher != nullptr) {
    std::cerr << "vouch: checkpoints are published once cosigned by the --policy quorum of "
              << publisher->witnesses().size() << " witness(es)\n";
  }
  if (opts.standby) std::cerr << "vouch: sequencing: this standby holds the log state now\n";
  if (!serving) {
    if (int code = ServeAndAnnounce(runner, routes.AsHandler(),
                                    "log " + sequencer.verifier_key().ToString());
        code != kExitOk) {
      return code;
    }
  }
  // Standbys of a shared state forward submissions to the URL this service advertises.
  if (store::StoreUri::Parse(uri, "log.db")->backend == store::StoreUri::Backend::kPostgres) {
    const std::string advertised = AdvertisedUrl(opts, runner);
    Status s = advertised.empty()
                   ? InvalidArgumentError("it listens on a wildcard address: give --advertise")
                   : log_store->AdvertiseSequencer(advertised);
    if (!s.ok()) {
      std::cerr << "vouch: warning: standbys cannot forward submissions to this service: "
                << s.message() << "\n";
    }
  }
  ReportSignal(runner.WaitForSignal());
  runner.StopServing();
  if (publisher != nullptr) publisher->Stop();
  sequencer.Stop();
  std::cerr << "vouch: stopped at " << sequencer.Latest()->size() << " entries\n";
  runner.Shutdown();
  return kExitOk;
}

// ---- serve witness ----

struct ServeWitnessOptions {
  std::string data_dir;
  std::string key_file;
  std::vector<std::string> logs;  // ORIGIN=VKEY
  std::string listen = "127.0.0.1:7380";
  std::string port_file;
  std::string store;  // empty: the SQLite state in data_dir
  ConnectionFlags connections;
  bool init = false;
};

int RunServeWitness(const CommandContext& ctx, const ServeWitnessOptions& opts) {
  const Clock& clock = RealClock();
  server::ServiceRunnerOptions runner_options =
      RunnerOptions(ctx, "witness", opts.data_dir, opts.port_file, opts.listen, opts.connections,
                    clock, server::kMaxAddCheckpointBody);
  server::ServiceRunner runner(std::move(runner_options));
  if (int code = SelfCheck(runner, "witness"); code != kExitOk) return code;

  auto key_text = runner.LoadPrivateKey(opts.key_file, kMaxKeyFileSize);
  if (!key_text.ok()) return RunnerFailure("cannot read --key", key_text.status());
  auto signer = tlog::ParseWitnessKeyFile(AsStringView(key_text->Reveal()));
  if (!signer.ok()) {
    return ReportFailure(false, kExitUsage, "key_malformed", "bad --key",
                         signer.status().message());
  }
  auto logs = ParseWitnessLogFlags(opts.logs);
  if (!logs.ok()) {
    return ReportFailure(false, kExitUsage, "log_malformed", "bad --log", logs.status().message());
  }
  if (logs->empty()) {
    return ReportFailure(false, kExitUsage, "no_logs", "bad usage",
                         "give at least one --log ORIGIN=VKEY");
  }
  auto witness = tlog::Witness::Create({*signer}, *std::move(logs));
  if (!witness.ok()) {
    return ReportFailure(false, kExitUsage, "config_invalid", "bad configuration",
                         witness.status().message());
  }
  if (int code = PrepareRunner(runner, opts.listen); code != kExitOk) return code;
  // The state: in --data, or in --store (a PostgreSQL state keeps its anchor in --data).
  const std::string& uri = opts.store.empty() ? opts.data_dir : opts.store;
  auto state = opts.init ? store::CreateWitnessState(uri, {}, opts.data_dir)
                         : store::OpenWitnessState(uri, {}, opts.data_dir);
  if (!state.ok()) {
    return StateFailure(
        opts.init ? "cannot create the witness state" : "cannot open the witness state",
        state.status());
  }
  auto& service = runner.Keep(
      std::make_unique<server::WitnessService>(*std::move(witness), *std::move(state), clock));
  if (int code = ServeAndAnnounce(runner, service.Routes(),
                                  "witness " + signer->verifier_key().ToString());
      code != kExitOk) {
    return code;
  }
  runner.WaitForSignal();
  runner.Shutdown();
  return kExitOk;
}

// ---- serve explorer ----

struct ServeExplorerOptions {
  std::string log_url;
  Trust trust;
  std::string pin;
  std::string listen = "127.0.0.1:7390";
  std::string port_file;
  std::string refresh = "PT2S";
  double timeout = 30;
  ConnectionFlags connections;
};

int RunServeExplorer(const CommandContext& ctx, ServeExplorerOptions opts) {
  const Clock& clock = RealClock();
  if (opts.log_url.empty()) opts.log_url = EnvDefault(kEnvLogUrl).value_or("");
  if (opts.log_url.empty()) {
    return ReportFailure(false, codes::kUsage, "bad usage",
                         "--log is required (or $VOUCH_LOG_URL)");
  }
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/true, false, false, &policy); rc != kExitOk) {
    return rc;
  }
  std::string policy_text = "log " + opts.trust.vkey + "\nquorum none\n";
  if (!opts.trust.policy_file.empty()) {
    auto text = ReadFileToString(opts.trust.policy_file, tlog::kMaxPolicySize);
    if (!text.ok()) return ReportStatus(false, "cannot read --policy", text.status());
    policy_text = *std::move(text);
  }
  auto pin = RootSetPinArg(opts.pin.empty() ? EnvDefault(kEnvRootSetPin).value_or("") : opts.pin);
  if (!pin.ok()) return ReportFailure(false, codes::kUsage, "bad usage", pin.status().message());
  auto refresh = DurationArg(opts.refresh, "--refresh");
  if (!refresh.ok() || *refresh < 1 || *refresh > 3600) {
    return ReportFailure(false, codes::kUsage, "bad usage", "--refresh must be PT1S to PT1H");
  }
  http::HttpClient http;
  auto log = server::LogClient::Create(
      opts.log_url, http, std::chrono::milliseconds(static_cast<int64_t>(opts.timeout * 1000)));
  if (!log.ok()) {
    return ReportFailure(false, codes::kUrlMalformed, "bad --log", log.status().message());
  }
  server::ServiceRunner runner(
      RunnerOptions(ctx, "explorer", "", opts.port_file, opts.listen, opts.connections, clock, 0));
  if (int code = SelfCheck(runner, "explorer"); code != kExitOk) return code;
  if (int code = PrepareRunner(runner, opts.listen); code != kExitOk) return code;
  server::ExplorerOptions options;
  options.policy_text = std::move(policy_text);
  options.replay.root_set_pin = *pin;
  options.refresh = std::chrono::seconds(*refresh);
  options.clock = &clock;
  auto& service = runner.Keep(
      std::make_unique<server::ExplorerService>(*std::move(policy), std::move(options), *log));
  // The first view before announcing: a log that cannot be read or audited is said at once (the
  // explorer still starts, and shows the failure until a refresh succeeds).
  if (Status s = service.Refresh(); !s.ok()) {
    std::cerr << "vouch serve explorer: cannot audit " << opts.log_url << " yet ("
              << (s.reason().empty() ? "log_unreachable" : s.reason()) << "): " << s.message()
              << "\n";
  }
  if (int code = ServeAndAnnounce(runner, service.Routes(), "explorer of " + opts.log_url);
      code != kExitOk) {
    return code;
  }
  runner.WaitForSignal();
  runner.Shutdown();
  return kExitOk;
}

// ---- serve root, serve broker: the self-check flags ----

// What SelfCheckFlags resolve to, for the self-check of `serve root` and `serve broker`.
struct SelfCheckSetup {
  std::optional<tlog::Policy> policy;
  // The replay pin and the freshness bounds; policy and clock are left to the caller.
  server::LedgerViewOptions ledger;
  std::chrono::seconds recheck_interval{60};
  std::unique_ptr<CollateralAttester> attester;
  // For the service's own quote (and a broker's requests): --pccs, else the first --collateral.
  server::CollateralSource collateral;
};

// --pccs and --pccs-refresh: a collateral source that fetches from the PCCS per platform and keeps
// what it fetched (pcs::CollateralCache); the source owns the cache and its HTTP client.
int ResolvePccs(const SelfCheckFlags& flags, bool json, server::CollateralSource* out) {
  if (auto url = http::Url::Parse(flags.pccs); !url.ok()) {
    return ReportFailure(json, codes::kUrlMalformed, "bad --pccs", url.status().message(),
                         "give the server's http(s) URL, e.g. https://pccs.example:8081");
  }
  auto refresh = DurationArg(flags.pccs_refresh, "--pccs-refresh");
  if (!refresh.ok() || *refresh < 1) {
    return ReportFailure(json, codes::kUsage, "bad usage",
                         "--pccs-refresh is a duration of at least a second (e.g. PT1H)");
  }
  auto http = std::make_shared<http::HttpClient>();
  pcs::CollateralCacheOptions options;
  options.base_url = flags.pccs;
  options.refresh = std::chrono::seconds(*refresh);
  auto cache = pcs::CollateralCache::Create(*http, options);
  if (!cache.ok()) return ReportStatus(json, kExitUsage, "bad --pccs", cache.status());
  *out = [http, cache = std::shared_ptr<pcs::CollateralCache>(*std::move(cache))](
             ByteSpan quote, UnixSeconds now) { return cache->Get(quote, now); };
  return kExitOk;
}

// Resolves `flags` (after $VOUCH_LOG_URL, $VOUCH_POLICY, $VOUCH_ROOT_SET_PIN); reports a bad flag
// and returns its exit code, else kExitOk.
int ResolveSelfCheckFlags(SelfCheckFlags& flags, const std::string& service, bool json,
                          SelfCheckSetup* out) {
  if (flags.ledger.log_url.empty()) flags.ledger.log_url = EnvDefault(kEnvLogUrl).value_or("");
  if (flags.ledger.log_url.empty()) {
    return ReportFailure(
        json, codes::kUsage, "bad usage",
        "--log is required: the " + service + " reads the ledger before it serves");
  }
  if (int rc = ResolveTrust(flags.ledger.trust, /*required=*/true, json, false, &out->policy);
      rc != kExitOk) {
    return rc;
  }
  if (out->policy->quorum() == "none") {
    return ReportFailure(json, codes::kPolicyQuorumNone, "bad --policy",
                         "the policy requires no witness (quorum none): a " + service +
                             " reads the ledger only through checkpoints a witness quorum "
                             "cosigned",
                         "name a quorum of witnesses in the policy");
  }
  auto pin = RootSetPinArg(flags.ledger.pin);
  if (!pin.ok()) return ReportFailure(json, codes::kUsage, "bad usage", pin.status().message());
  out->ledger.replay.root_set_pin = *pin;
  for (auto [flag, text, target] :
       {std::tuple{"--max-checkpoint-age", &flags.max_checkpoint_age,
                   &out->ledger.max_checkpoint_age},
        std::tuple{"--max-clock-skew", &flags.max_clock_skew, &out->ledger.max_clock_skew}}) {
    auto d = DurationArg(*text, flag);
    if (!d.ok()) return ReportFailure(json, codes::kUsage, "bad usage", d.status().message());
    *target = *d;
  }
  auto recheck = DurationArg(flags.recheck_interval, "--recheck-interval");
  if (!recheck.ok() || *recheck < 1) {
    return ReportFailure(json, codes::kUsage, "bad usage",
                         "--recheck-interval is a duration of at least a second (e.g. PT1M)");
  }
  out->recheck_interval = std::chrono::seconds(*recheck);
  auto attester = CollateralAttester::Create(flags.ledger.trust_roots, flags.ledger.sim_roots,
                                             flags.collateral);
  if (!attester.ok()) {
    return ReportStatus(json, kExitUsage, "bad --collateral or trust root", attester.status());
  }
  out->attester = *std::move(attester);
  if (!flags.pccs.empty()) return ResolvePccs(flags, json, &out->collateral);
  if (out->attester->first() == nullptr) {
    return ReportFailure(
        json, codes::kUsage, "bad usage",
        "--collateral or --pccs is required: it verifies the " + service + "'s own quote");
  }
  // The first --collateral, read again when the operator rewrites it (checked every 10 s).
  server::CollateralDirectoryOptions options;
  options.on_event = [](const std::string& event) { PrintError(event); };
  auto watched = server::WatchCollateralDirectory(flags.collateral.front(), RealClock(), options);
  if (!watched.ok()) return ReportStatus(json, kExitUsage, "bad --collateral", watched.status());
  out->collateral = *std::move(watched);
  return kExitOk;
}

// ---- serve root, serve broker: the start-up they share ----

// What `serve root` and `serve broker` hold once StartEnclaveService passed.
struct EnclaveServiceStart {
  std::unique_ptr<platform::Platform> platform;
  // The ledger view's options (policy and clock set), the recheck interval, the verifier and the
  // service's own collateral; the attester itself is kept by the runner.
  SelfCheckSetup setup;
  CollateralAttester* attester = nullptr;
  server::LogClient* log = nullptr;  // kept by the runner
};

// The start-up steps both attested services take, in this order: the platform (a root or broker
// runs only as an enclave; checked before anything else), the self-check flags, the image
// self-check, the address and the data directory (PrepareRunner), the log client (`log_timeout`
// bounds each call). What the service borrows is kept by the runner, which destroys it after
// the service. kExitOk, or the exit code reported.
int StartEnclaveService(server::ServiceRunner& runner, const std::string& name,
                        const std::string& start_hint, SelfCheckFlags& flags, const Clock& clock,
                        std::chrono::seconds log_timeout, const std::string& listen, bool json,
                        EnclaveServiceStart* out) {
  auto platform = platform::Platform::FromEnvironment();
  if (!platform.ok()) {
    return ReportStatus(json, "cannot start the " + name, platform.status(), start_hint);
  }
  out->platform = *std::move(platform);
  if (int rc = ResolveSelfCheckFlags(flags, name, json, &out->setup); rc != kExitOk) return rc;
  if (int code = SelfCheck(runner, name); code != kExitOk) return code;
  if (int code = PrepareRunner(runner, listen, json); code != kExitOk) return code;
  auto http = std::make_shared<http::HttpClient>();
  auto log = server::LogClient::Create(flags.ledger.log_url, *http, log_timeout);
  if (!log.ok()) return ReportStatus(json, kExitUsage, "bad --log", log.status());
  runner.Keep(http);
  out->log = &runner.Keep(std::make_shared<server::LogClient>(*std::move(log)));
  out->attester = &runner.Keep(std::shared_ptr<CollateralAttester>(std::move(out->setup.attester)));
  out->setup.ledger.policy =
      &runner.Keep(std::make_shared<tlog::Policy>(*std::move(out->setup.policy)));
  out->setup.ledger.clock = &clock;
  return kExitOk;
}

// What a service prints when the outcome of its self-check changes: "NAME: self-check passed",
// or "NAME: self-check failed (CODE): MESSAGE; not ACTIVITY".
std::function<void(const Status&)> SelfCheckReporter(std::string name, std::string activity) {
  return [name = std::move(name), activity = std::move(activity)](const Status& check) {
    std::cerr << (check.ok() ? name + ": self-check passed"
                             : name + ": self-check failed (" + check.reason() +
                                   "): " + check.message() + "; not " + activity)
              << std::endl;
  };
}

// The end both attested services share: a service that failed its self-check is not served
// (fail closed: one line, exit 3; spec/governance.md §5.1); else it serves `routes`, announced
// as `what`, until a signal.
int ServeEnclaveService(server::ServiceRunner& runner, const std::string& name,
                        const Status& created, const std::function<http::Handler()>& routes,
                        const std::function<std::string()>& what, bool json) {
  if (!created.ok()) {
    std::cerr << server::FormatSelfCheckFailure(name, created) << "\n";
    return kExitIo;
  }
  if (int code = ServeAndAnnounce(runner, routes(), what(), json); code != kExitOk) return code;
  ReportSignal(runner.WaitForSignal());
  runner.Shutdown();
  return kExitOk;
}

// ---- serve root ----

struct ServeRootOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:7382";
  std::string port_file;
  ConnectionFlags connections;
  SelfCheckFlags check;
  double sign_rate = 10;
  bool bootstrap = false;
  int timeout = 30;
  bool json = false;
};

int RunServeRoot(ServeRootOptions opts, const CommandContext& ctx) {
  const Clock& clock = RealClock();
  server::ServiceRunner runner(RunnerOptions(ctx, "root", opts.data_dir, opts.port_file,
                                             opts.listen, opts.connections, clock,
                                             dsse::kMaxEntrySize));
  EnclaveServiceStart start;
  if (int code = StartEnclaveService(
          runner, "root", "start it with 'vouch enclave run ROOT_BUNDLE -- serve root --data DIR'",
          opts.check, clock, std::chrono::seconds(opts.timeout), opts.listen, opts.json, &start);
      code != kExitOk) {
    return code;
  }
  server::RootServiceOptions options;
  options.ledger = start.setup.ledger;
  options.recheck_interval = start.setup.recheck_interval;
  options.verifier = &start.attester->verifier();
  options.collateral = start.setup.collateral;
  options.attester = start.attester;
  options.integrity_check = [&ctx] { return VerifyOwnImage(ctx).status(); };
  options.bootstrap = opts.bootstrap;
  options.sign_rate = opts.sign_rate;
  options.sign_burst = std::max(1.0, 2 * opts.sign_rate);
  options.on_check = SelfCheckReporter("root", "signing");
  options.log = start.log;
  auto key = server::EnclaveKey::LoadOrCreate(
      *start.platform, opts.data_dir + "/" + server::kRootKeyFileName, server::kRootKeyPurpose);
  if (!key.ok()) {
    return ReportStatus(opts.json, "cannot load the root key", key.status(),
                        "a root's sealed key opens only in the enclave and on the platform that "
                        "made it (docs/root.md)");
  }
  options.high_water_mark_path = opts.data_dir + "/" + server::kRootHighWaterMarkFileName;
  auto service =
      server::RootService::Create(std::move(start.platform), *std::move(key), std::move(options));
  const Status created = service.status();
  server::RootService* root = nullptr;
  if (service.ok()) root = &runner.Keep(std::shared_ptr<server::RootService>(*std::move(service)));
  return ServeEnclaveService(
      runner, "root", created, [root] { return root->Routes(); },
      [root] { return "root " + root->key().KeyId(); }, opts.json);
}

// ---- serve broker ----

struct ServeBrokerOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:7383";
  std::string port_file;
  ConnectionFlags connections;
  SelfCheckFlags check;
  std::string nonce_ttl = "PT2M";
  std::string log_timeout = "PT10S";
  std::vector<std::string> owner_keys;
  bool no_unadmitted = false;
  std::string evidence_retention = "P30D";
  std::string store;           // the operator's records; empty: DATA/broker.db
  bool shared_nonces = false;  // nonces in --store, shared with other front-ends
  bool json = false;
};

// What `vouch provision handoff` adds to a broker (spec/provisioning.md §6).
struct HandoffLimits {
  uint64_t max_releases = 1;
  std::string lifetime = "PT10M";
};

// Ends a hand-off broker's process (SIGTERM to itself, which WaitForSignal receives) once every
// release slot went to a logged release, or at `expires`. Stops polling when destroyed.
class HandoffWatch {
 public:
  HandoffWatch(const server::Broker& broker, const Clock& clock, UnixSeconds expires)
      : thread_([this, &broker, &clock, expires] {
          MutexLock lock(&mu_);
          while (!stop_) {
            if (broker.exhausted() || clock.Now() >= expires) {
              // Let the last answer be written first; Shutdown also lets it finish.
              cv_.WaitFor(&mu_, std::chrono::milliseconds(200));
              if (!stop_) ::kill(::getpid(), SIGTERM);
              return;
            }
            cv_.WaitFor(&mu_, std::chrono::milliseconds(50));
          }
        }) {}
  ~HandoffWatch() {
    {
      MutexLock lock(&mu_);
      stop_ = true;
    }
    cv_.SignalAll();
    thread_.join();
  }
  HandoffWatch(const HandoffWatch&) = delete;
  HandoffWatch& operator=(const HandoffWatch&) = delete;

 private:
  Mutex mu_;
  CondVar cv_;
  bool stop_ VOUCH_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// `serve broker`, or with `handoff` the one-shot broker of `provision handoff`: keys generated
// at start and never written, no data directory, at most handoff->max_releases releases within
// handoff->lifetime, then the process ends (exit 0, or 1 handoff_expired if it released nothing).
int RunBroker(ServeBrokerOptions opts, const HandoffLimits* handoff, const CommandContext& ctx) {
  const Clock& clock = RealClock();
  const std::string name = handoff != nullptr ? "handoff" : "broker";
  server::ServiceRunner runner(RunnerOptions(ctx, name, opts.data_dir, opts.port_file, opts.listen,
                                             opts.connections, clock, server::kMaxReleaseBody));
  // The broker's own flags first: a usage error creates nothing.
  std::optional<int64_t> lifetime;
  if (handoff != nullptr) {
    auto d = DurationArg(handoff->lifetime, "--lifetime");
    if (!d.ok() || *d < 10 || *d > 86'400) {
      return ReportFailure(opts.json, codes::kUsage, "bad usage",
                           "--lifetime is a duration from PT10S to P1D (e.g. PT10M)");
    }
    lifetime = *d;
  }
  auto ttl = DurationArg(opts.nonce_ttl, "--nonce-ttl");
  if (!ttl.ok() || *ttl < provision::kMinNonceTtl.count() ||
      *ttl > provision::kMaxNonceTtl.count()) {
    return ReportFailure(opts.json, codes::kUsage, "bad usage",
                         "--nonce-ttl is a duration from PT10S to PT10M (e.g. PT2M)");
  }
  auto log_timeout = DurationArg(opts.log_timeout, "--log-timeout");
  if (!log_timeout.ok() || *log_timeout < 1) {
    return ReportFailure(opts.json, codes::kUsage, "bad usage",
                         "--log-timeout is a duration of at least a second (e.g. PT10S)");
  }
  server::BrokerServiceOptions options;
  server::BrokerOptions& broker = options.broker;
  for (const std::string& path : opts.owner_keys) {
    auto key = ReadPublicKeyFile(path);
    if (!key.ok()) return ReportStatus(opts.json, kExitUsage, "bad --owner-key", key.status());
    broker.owner_allowlist.push_back(*std::move(key));
  }
  EnclaveServiceStart start;
  if (int code = StartEnclaveService(
          runner, name,
          handoff != nullptr
              ? "start it with 'vouch enclave run HANDOFF_BUNDLE -- provision handoff --log URL …'"
              : "start it with 'vouch enclave run BROKER_BUNDLE -- serve broker --data DIR'",
          opts.check, clock, std::chrono::seconds(*log_timeout), opts.listen, opts.json, &start);
      code != kExitOk) {
    return code;
  }
  options.recheck_interval = start.setup.recheck_interval;
  options.on_check = SelfCheckReporter(name, "releasing");
  options.log = start.log;
  broker.self_check.role = govern::Role::kBroker;
  broker.self_check.ledger = start.setup.ledger;
  broker.self_check.verifier = &start.attester->verifier();
  broker.self_check.collateral = start.setup.collateral;
  broker.self_check.integrity_check = [&ctx] { return VerifyOwnImage(ctx).status(); };
  broker.nonces.ttl = std::chrono::seconds(*ttl);
  broker.no_unadmitted = opts.no_unadmitted;
  auto& own_platform = runner.Keep(std::shared_ptr<platform::Platform>(std::move(start.platform)));
  auto keys = handoff != nullptr
                  ? server::BrokerKeys::Generate()
                  : server::BrokerKeys::LoadOrCreate(
                        own_platform, opts.data_dir + "/" + server::kBrokerKeysFileName);
  if (!keys.ok()) {
    return ReportStatus(opts.json, "cannot load the broker keys", keys.status(),
                        "a broker's sealed keys open only in the enclave and on the platform "
                        "that made them (docs/broker.md)");
  }
  auto& own_keys = runner.Keep(std::shared_ptr<server::BrokerKeys>(*std::move(keys)));
  auto report_data = own_keys.BindingReportData();
  if (!report_data.ok()) {
    return ReportStatus(opts.json, "cannot bind the broker keys", report_data.status());
  }
  broker.self_check.platform = &own_platform;
  broker.self_check.service_spki = ToBytes(own_keys.signer().verifier().spki_der());
  broker.self_check.report_data = *report_data;
  broker.hpke_key = &own_keys.hpke();
  broker.signing_key = &own_keys.signer();
  broker.append = [log = start.log](ByteSpan entry) -> StatusOr<uint64_t> {
    VOUCH_ASSIGN_OR_RETURN(server::AddResponse added, log->Add(entry));
    return added.index;
  };
  if (handoff != nullptr) {
    // Its process lives shorter than any checkpoint it could roll back to: no high-water mark.
    broker.mode = govern::BrokerMode::kHandoff;
    broker.max_releases = handoff->max_releases;
    broker.expires = clock.Now() + *lifetime;
  } else {
    broker.high_water_mark_path = opts.data_dir + "/" + server::kBrokerHighWaterMarkFileName;
    auto retention = DurationArg(opts.evidence_retention, "--evidence-retention");
    if (!retention.ok() || *retention < 1) {
      return ReportFailure(opts.json, codes::kUsage, "bad usage",
                           "--evidence-retention is a duration of at least a second (e.g. P30D)");
    }
    auto journal = store::OpenBrokerStore(opts.store.empty() ? opts.data_dir : opts.store);
    if (!journal.ok()) {
      return ReportStatus(opts.json, kExitIo, "cannot open the broker's store", journal.status());
    }
    options.journal = &runner.Keep(std::shared_ptr<store::BrokerStore>(*std::move(journal)));
    options.evidence_retention = *retention;
    if (opts.shared_nonces) {
      auto nonces =
          store::OpenSharedNonces(opts.store, {.ttl = broker.nonces.ttl.count(),
                                               .max_per_envelope = broker.nonces.max_per_envelope,
                                               .max_outstanding = broker.nonces.max_outstanding});
      if (!nonces.ok() && nonces.status().code() == StatusCode::kInvalidArgument) {
        return ReportFailure(opts.json, codes::kUsage, "bad usage",
                             "--shared-nonces needs --store postgres://… (the database the "
                             "front-ends share): " +
                                 nonces.status().message());
      }
      if (!nonces.ok()) {
        return ReportStatus(opts.json, kExitIo, "cannot open the shared nonces", nonces.status());
      }
      broker.shared_nonces = &runner.Keep(std::shared_ptr<store::SharedNonces>(*std::move(nonces)));
    }
  }
  auto service = server::BrokerService::Create(std::move(options));
  const Status created = service.status();
  server::BrokerService* served = nullptr;
  if (service.ok()) {
    served = &runner.Keep(std::shared_ptr<server::BrokerService>(*std::move(service)));
  }
  auto announced = [served, &name] {
    return name + " " + X25519KeyId(served->broker().hpke_public_key());
  };
  if (handoff == nullptr) {
    return ServeEnclaveService(
        runner, name, created, [served] { return served->Routes(); }, announced, opts.json);
  }
  if (!created.ok()) {
    std::cerr << server::FormatSelfCheckFailure(name, created) << "\n";
    return kExitIo;
  }
  if (int code = ServeAndAnnounce(runner, served->Routes(), announced(), opts.json);
      code != kExitOk) {
    return code;
  }
  const server::Broker& b = served->broker();
  const UnixSeconds expires = *b.expires();
  {
    HandoffWatch watch(b, clock, expires);
    runner.WaitForSignal();
  }
  runner.StopServing();  // in-flight answers finish; nothing is released after this
  const uint64_t released = b.released();
  runner.Shutdown();  // destroys the broker
  if (released == 0) {
    return ReportFailure(
        opts.json, ErrorCode{server::kHandoffExpired, kExitRejected}, "the hand-off ended",
        "it released nothing (its lifetime ends at " + FormatRfc3339(expires) + ")");
  }
  std::cerr << "handoff: " << released << " release(s); exiting\n";
  if (opts.json) PrintJsonResult(kVerdictOk, {{"released", released}});
  return kExitOk;
}

int RunServeBroker(ServeBrokerOptions opts, const CommandContext& ctx) {
  return RunBroker(std::move(opts), nullptr, ctx);
}

// --store (or $VOUCH_STORE) of `serve log` and `serve witness`: where their anchored state lives.
void AddStateStoreFlag(CLI::App* cmd, std::string* store) {
  cmd->add_option("--store", *store,
                  "Where the state lives: postgres://USER:PASSWORD@HOST/DB (its anchor stays in "
                  "--data; docs/postgres.md), sqlite:PATH, or a directory (default: --data)")
      ->envname("VOUCH_STORE");
}

void RegisterServeLog(CLI::App* serve, CommandContext& ctx) {
  auto opts = std::make_shared<ServeLogOptions>();
  CLI::App* cmd = serve->add_subcommand("log", "Run a transparency log");
  cmd->footer(
      std::string(
          "Runs a C2SP-compatible transparency log signed with --key (its origin is the key's "
          "name),\n"
          "stored durably in DIR/log.db (SQLite, WAL, synchronous=FULL) or in PostgreSQL "
          "(--store:\n"
          "one process sequences, --standby ones serve reads, forward submissions and take "
          "over;\ndocs/postgres.md). HTTP API (docs/log.md):\n"
          "  POST /add                        an entry (1..65,535 bytes); answers once it is "
          "durably\n"
          "                                   sequenced: "
          "{\"index\",\"leaf_hash\",\"duplicate\",\"tree_size\"}\n"
          "  GET  /checkpoint                 the latest signed checkpoint\n"
          "  GET  /tile/<L>/<N>[.p/<W>]       hash tiles (c2sp.org/tlog-tiles)\n"
          "  GET  /tile/entries/<N>[.p/<W>]   entry bundles\n"
          "  GET  /proof/<index>              a c2sp.org/tlog-proof receipt for an entry\n"
          "Prints 'log <vkey> listening on ADDR' once ready (after writing --port-file); stops\n"
          "cleanly on SIGTERM or SIGINT. --key must be readable by its owner only (chmod 600).\n"
          "\n"
          "With --policy, a checkpoint is published (GET /checkpoint, receipts) only once the\n"
          "policy's witness quorum has cosigned it (docs/log.md §5a). Each new\n"
          "checkpoint goes to every witness (--witness URL=VKEY, and the policy's witness lines\n"
          "that carry a URL) with a consistency proof; a witness that answers 422 is a split-view\n"
          "alarm and is not asked again. Entries keep being sequenced while witnesses are down.") +
      "\n\n" +
      "Exit codes: 0 stopped by a signal; 2 bad usage, bad --key (or one others may read),\n"
      "--policy, --witness or --listen, --data holds another log, or --init where a state exists;\n"
      "3 no state in --data (start once with --init), a database lost, rolled back or damaged\n"
      "(docs/log.md, \"Recovery\"), a --store database another 'serve log' serves, cannot open,\n"
      "lock or create --data, cannot listen, or cannot write --port-file.\n"
      "\n"
      "Example (a new log, then every later start without --init):\n"
      "  vouch log keygen --origin log.example/prod --out log.key\n"
      "  vouch serve log --data /var/lib/vouch-log --key log.key --init");
  cmd->add_option("--data", opts->data_dir, "Data directory (created 0700 if missing)")->required();
  cmd->add_flag("--init", opts->init,
                "Create the log's state in --data (once; every later start checks the state "
                "against its anchor)");
  AddStateStoreFlag(cmd, &opts->store);
  cmd->add_option("--explorer", opts->explorer_url,
                  "URL of this log's explorer ('vouch serve explorer'), named by GET /");
  cmd->add_flag("--standby", opts->standby,
                "With a PostgreSQL --store: while another log service holds the state, serve "
                "reads and forward submissions to it, and take over when it stops (also waits "
                "out a database that is down; docs/postgres.md)");
  cmd->add_option("--advertise", opts->advertise,
                  "With a PostgreSQL --store: the base URL standbys forward submissions to "
                  "(default: http://<the bound address>, when it is not a wildcard)");
  cmd->add_option("--key", opts->key_file, "Private key from 'vouch log keygen'")->required();
  cmd->add_option("--listen", opts->listen,
                  "Address to listen on (default 127.0.0.1:7381; port 0 picks a free port)");
  cmd->add_option("--port-file", opts->port_file, "Write the bound port here once listening");
  cmd->add_option("--batch-size", opts->batch_size,
                  "Most entries committed together (default 16384)");
  cmd->add_option("--batch-interval", opts->batch_interval_ms,
                  "Milliseconds an entry waits for others to join its batch (default 5)");
  cmd->add_option("--add-timeout", opts->add_timeout,
                  "Seconds POST /add waits for sequencing before answering 503 (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--max-pending", opts->max_pending,
                  "Submissions waiting before new ones get 503 (default 65536)");
  cmd->add_option("--cache-mib", opts->cache_mib, "Tile cache for proofs, MiB (default 96)");
  AddConnectionFlags(cmd, &opts->connections, 1024);
  cmd->add_option("--policy", opts->policy_file,
                  "c2sp.org/tlog-policy file: publish only checkpoints its quorum cosigned");
  cmd->add_option("--witness", opts->witnesses,
                  "A witness to ask, URL=VKEY (repeatable; VKEY must be a --policy witness)");
  cmd->add_option("--witness-timeout", opts->witness_timeout,
                  "Seconds a checkpoint waits for its quorum before it is retried (default 5)");
  cmd->add_option("--recosign-interval", opts->recosign_interval,
                  "Seconds after which an unchanged checkpoint is cosigned afresh (default 10; "
                  "0: never)");
  cmd->callback([opts, &ctx] { ctx.exit_code = RunServeLog(ctx, *opts); });
}

void RegisterServeWitness(CLI::App* serve, CommandContext& ctx) {
  auto opts = std::make_shared<ServeWitnessOptions>();
  CLI::App* cmd = serve->add_subcommand("witness", "Run a tlog-witness");
  SetLongDescription(
      cmd,
      "Serves C2SP tlog-witness: POST /add-checkpoint cosigns a checkpoint of a configured log\n"
      "when it consistently extends the last checkpoint this witness cosigned for it (state kept\n"
      "durably in DATA/witness.db, updated atomically before answering), and\n"
      "GET /<hex sha256(origin)>/checkpoint returns that checkpoint to monitors.\n"
      "Prints 'witness <vkey> listening on ADDR' once ready (after writing --port-file); stops on\n"
      "SIGTERM or SIGINT. --key must be readable by its owner only (chmod 600).");
  cmd->footer(
      "Exit codes: 0 stopped by a signal; 2 bad --key (or one others may read), --log or\n"
      "--listen, or --init where a state exists; 3 no state in --data (start once with --init),\n"
      "a state lost, rolled back or damaged (docs/witness.md), cannot create, lock or open\n"
      "--data, cannot listen, or cannot write --port-file.\n"
      "\n"
      "Example (the first start; later ones without --init):\n"
      "  vouch serve witness --data /var/lib/vouch-witness --key w1.key --init \\\n"
      "      --log \"log.example/prod=log.example/prod+3f2a9c01+AYx...\"");
  cmd->add_option("--data", opts->data_dir, "State directory (created 0700 if missing)")
      ->required();
  cmd->add_flag("--init", opts->init,
                "Create the witness state in --data (once; every later start checks the state "
                "against its anchor)");
  cmd->add_option("--key", opts->key_file, "Key from 'vouch witness keygen'")->required();
  cmd->add_option("--log", opts->logs,
                  "Accepted log: ORIGIN=VKEY, the log's key as 'vouch log keygen' prints it\n"
                  "(named ORIGIN); repeatable, several keys per origin allowed")
      ->required();
  cmd->add_option("--listen", opts->listen,
                  "Address (default 127.0.0.1:7380; port 0 picks a free port)");
  cmd->add_option("--port-file", opts->port_file, "Write the bound port here once listening");
  AddStateStoreFlag(cmd, &opts->store);
  AddConnectionFlags(cmd, &opts->connections, 512);
  cmd->callback([opts, &ctx] { ctx.exit_code = RunServeWitness(ctx, *opts); });
}

void RegisterServeRoot(CLI::App* serve, CommandContext& ctx) {
  auto opts = std::make_shared<ServeRootOptions>();
  CLI::App* cmd =
      serve->add_subcommand("root", "Run a root enclave (started by 'vouch enclave run')");
  SetLongDescription(
      cmd,
      "Runs a governance root as an enclave (docs/root.md): started by 'vouch enclave run', it\n"
      "reads its platform and identity from the environment, unseals its Ed25519 key from\n"
      "DATA/root-key.sealed (sealed to its MRENCLAVE; created there on the first start; a key\n"
      "that does not unseal is never replaced) and checks itself before it serves (docs/\n"
      "self-check.md): its image's integrity digest; its own quote over the key's binding,\n"
      "verified with --trust-root/--sim-root and the first --collateral (or --pccs); the ledger\n"
      "at --log (the checkpoint cosigned by the --policy's witness quorum, fresher than\n"
      "--max-checkpoint-age, every entry replayed with --root-set-pin); and that the root set in\n"
      "force lists its key and admits its identity. On failure it prints one line, 'vouch serve\n"
      "root: self-check failed (<code>): ...; refusing to serve', and exits 3. With --bootstrap\n"
      "an empty ledger is no failure: it then signs only a root set of version 1 listing itself.\n"
      "It serves GET /identity (key, binding quote, status and the receipt of its admission) and\n"
      "POST /sign: each proposal is re-checked against a fresh view of the ledger (docs/\n"
      "countersigning.md) and signed only if every rule holds. The check runs again every\n"
      "--recheck-interval; a failing one stops signing until one passes. Two roots must not\n"
      "share a machine (docs/root.md).");
  cmd->footer(
      "Exit codes: 0 stopped by a signal; 1 the sealed key in --data does not unseal in this\n"
      "enclave (sealed by another measurement or platform, or damaged); 2 not running as an\n"
      "enclave, bad usage (--log, --policy without a witness quorum, --collateral, --pccs,\n"
      "durations), or a sealed key others may read; 3 the self-check failed (one line names the\n"
      "code: integrity_*, self_not_admitted, self_revoked, no_root_set, checkpoint_stale,\n"
      "log_unreachable, ...), cannot create, lock or read --data, cannot listen, or cannot write\n"
      "--port-file.");
  cmd->add_option("--data", opts->data_dir, "Data directory (created 0700 if missing)")->required();
  cmd->add_option("--listen", opts->listen,
                  "Address to listen on (default 127.0.0.1:7382; port 0 picks a free port)");
  cmd->add_option("--port-file", opts->port_file, "Write the bound port here once listening");
  AddSelfCheckFlags(cmd, opts->check,
                    "A collateral directory: the first verifies this root's own quote (read "
                    "again when rewritten); each attests the roots of a proposed root set naming "
                    "its dirHash; repeatable");
  cmd->add_option("--sign-rate", opts->sign_rate,
                  "Proposals a second POST /sign accepts on average (default 10)")
      ->check(CLI::Range(0.1, 10000.0));
  cmd->add_flag("--bootstrap", opts->bootstrap,
                "Start without a root set in the ledger, to sign root set 1 listing this root");
  cmd->add_option("--timeout", opts->timeout, "Seconds for each call to the log (default 30)")
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--json", opts->json, "Report a failure to start as one JSON object");
  AddConnectionFlags(cmd, &opts->connections, 256);
  cmd->callback([opts, &ctx] { ctx.exit_code = RunServeRoot(*opts, ctx); });
}

// The flags `serve broker` and `provision handoff` share (after --listen).
void AddBrokerFlags(CLI::App* cmd, ServeBrokerOptions& opts) {
  cmd->add_option("--port-file", opts.port_file, "Write the bound port here once listening");
  AddSelfCheckFlags(cmd, opts.check,
                    "A collateral directory: verifies the broker's own quote and the quotes of "
                    "release requests unless --pccs is given (the request's collateral is "
                    "ignored); read again when rewritten");
  cmd->add_option("--nonce-ttl", opts.nonce_ttl,
                  "How long a challenge nonce is valid, PT10S..PT10M (default PT2M)");
  cmd->add_option("--log-timeout", opts.log_timeout,
                  "Timeout of each call to the log (default PT10S)");
  cmd->add_option("--owner-key", opts.owner_keys,
                  "Trust only envelopes signed by this owner key (PEM); repeatable");
  cmd->add_flag("--no-unadmitted", opts.no_unadmitted,
                "Refuse envelopes made under the unadmitted override");
}

void RegisterServeBroker(CLI::App* serve, CommandContext& ctx) {
  auto opts = std::make_shared<ServeBrokerOptions>();
  CLI::App* cmd = serve->add_subcommand(
      "broker", "Run the secret broker enclave (started by 'vouch enclave run')");
  SetLongDescription(
      cmd,
      "Runs the secret broker as an enclave (docs/broker.md, spec/provisioning.md §3): started by\n"
      "'vouch enclave run', it reads its platform and identity from the environment, unseals its\n"
      "X25519 HPKE key and Ed25519 signing key from DATA/broker-keys.sealed (sealed to its\n"
      "MRENCLAVE; created there on the first start; keys that do not unseal are never replaced)\n"
      "and checks itself before it serves (docs/self-check.md): its image's integrity digest; its\n"
      "own quote over both keys, verified with --trust-root/--sim-root and --collateral (or\n"
      "--pccs: the collateral of each quote's platform, fetched and kept per platform); the\n"
      "ledger at --log (the checkpoint cosigned by the --policy's witness quorum, fresher than\n"
      "--max-checkpoint-age, every entry replayed with --root-set-pin); and that the ledger\n"
      "admits its identity for role broker. On failure it prints one line, 'vouch serve broker:\n"
      "self-check failed (<code>): ...; refusing to serve', and exits 3. It serves GET /identity\n"
      "(keys, binding quote, collateral, the receipt of its admission), POST /challenge and POST\n"
      "/release (docs/broker.md, \"HTTP API\"): a secret is released only to an admitted enclave\n"
      "and only after its release record is in the log. The check runs again every\n"
      "--recheck-interval; a failing one stops releases until one passes. DATA/broker.db keeps\n"
      "the operator's records: every release (with its quote, for --evidence-retention) and the\n"
      "refusals of the last 7 days (at most 100,000; docs/broker.md, \"State\"). Several\n"
      "front-ends of one broker (copies of its sealed keys on the same platform) share their\n"
      "nonces with --shared-nonces and a PostgreSQL --store (docs/broker.md, \"Several\n"
      "front-ends\").");
  cmd->footer(
      "Exit codes: 0 stopped by a signal; 1 the sealed keys in --data do not unseal in this\n"
      "enclave (sealed by another measurement or platform, or damaged); 2 not running as an\n"
      "enclave, bad usage (--log, --policy without a witness quorum, --collateral, --pccs,\n"
      "--owner-key, durations, --shared-nonces without a PostgreSQL --store), or sealed keys\n"
      "others may read; 3 the self-check failed (one line names the code: integrity_*,\n"
      "self_not_admitted, self_revoked, no_root_set, checkpoint_stale, log_unreachable, ...),\n"
      "cannot create, lock or read --data, cannot listen, or cannot write --port-file.");
  cmd->add_option("--data", opts->data_dir, "Data directory (created 0700 if missing)")->required();
  cmd->add_option("--listen", opts->listen,
                  "Address to listen on (default 127.0.0.1:7383; port 0 picks a free port)");
  AddBrokerFlags(cmd, *opts);
  cmd->add_option("--evidence-retention", opts->evidence_retention,
                  "How long the quotes of releases are kept in the records (default P30D)");
  cmd->add_option("--store", opts->store,
                  "Where the operator's records go: postgres://USER:PASSWORD@HOST/DB, sqlite:PATH "
                  "or a directory (default: --data, i.e. DATA/broker.db)")
      ->envname("VOUCH_STORE");
  cmd->add_flag("--shared-nonces", opts->shared_nonces,
                "Keep the challenge nonces in the PostgreSQL --store, shared with the other "
                "front-ends of this broker (same sealed keys, same database): a nonce issued by "
                "one is released by any, once");
  cmd->add_flag("--json", opts->json, "Report a failure to start as one JSON object");
  AddConnectionFlags(cmd, &opts->connections, 256);
  cmd->callback([opts, &ctx] { ctx.exit_code = RunServeBroker(*opts, ctx); });
}

}  // namespace

void AddProvisionHandoffCommand(CLI::App* provision, CommandContext& ctx) {
  auto opts = std::make_shared<ServeBrokerOptions>();
  auto limits = std::make_shared<HandoffLimits>();
  opts->listen = "127.0.0.1:0";
  CLI::App* cmd = provision->add_subcommand(
      "handoff", "Run a one-shot broker enclave for one release (started by 'vouch enclave run')");
  SetLongDescription(
      cmd,
      "Runs the direct hand-off of spec/provisioning.md §6, the one-shot provisioning enclave: a\n"
      "broker (docs/broker.md) whose keys are generated at start and never sealed or written, so\n"
      "they die with the process. Started by 'vouch enclave run' on the target's host, it runs\n"
      "the broker's self-check (its measurement must be admitted for role broker; fail closed),\n"
      "serves GET /identity (\"mode\": \"handoff\", max_releases, expires), POST /challenge and\n"
      "POST /release exactly like 'serve broker' — the target's 'provision fetch' cannot tell the\n"
      "difference — announces its keys in the ledger and logs a release record (mode handoff)\n"
      "before it answers. After --max-releases logged releases it exits 0; at the end of\n"
      "--lifetime it exits, 1 (handoff_expired) if it released nothing. The owner makes the\n"
      "envelope while it runs ('provision envelope --broker URL'): its key exists only then.");
  cmd->footer(
      "Exit codes: 0 released (--json: {\"verdict\":\"ok\",\"released\":N}), or stopped by a\n"
      "signal after a release; 1 handoff_expired: nothing released before --lifetime ended, or\n"
      "stopped by a signal before; 2 not running as an enclave or bad usage; 3 the self-check\n"
      "failed (one line names the code), cannot listen, or cannot write --port-file.");
  cmd->add_option("--listen", opts->listen,
                  "Address to listen on (default 127.0.0.1:0: a free port; see --port-file)");
  AddBrokerFlags(cmd, *opts);
  cmd->add_option("--max-releases", limits->max_releases, "Releases before it exits (default 1)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000}));
  cmd->add_option("--lifetime", limits->lifetime, "How long it serves, PT10S..P1D (default PT10M)");
  cmd->add_flag("--json", opts->json, "Report how it ended as one JSON object");
  AddConnectionFlags(cmd, &opts->connections, 64);
  cmd->callback([opts, limits, &ctx] { ctx.exit_code = RunBroker(*opts, limits.get(), ctx); });
}

void RegisterServeExplorer(CLI::App* serve, CommandContext& ctx) {
  auto opts = std::make_shared<ServeExplorerOptions>();
  CLI::App* cmd = serve->add_subcommand("explorer", "Serve a web page about a Vouch log");
  SetLongDescription(
      cmd,
      "Serves the ledger explorer (docs/explorer.md): a web page about any Vouch log, read only\n"
      "through the log's public API (checkpoint, tiles, receipts) and replayed as 'vouch audit'\n"
      "replays it: the latest checkpoint verified against --policy (or --vkey) and its\n"
      "cosignatures, entries decoded by type with their verdicts and signers, the root-set\n"
      "history, what is admitted now, search by measurement or entry hash, and a check in the\n"
      "browser itself (WebCrypto) of an entry's inclusion proof and the checkpoint's signatures.\n"
      "Re-reads the log at most every --refresh, only what was appended. Prints 'explorer of\n"
      "<log> listening on ADDR' once ready; stops on SIGTERM or SIGINT.");
  cmd->footer(
      "Exit codes: 0 stopped by a signal; 2 bad usage (--log, --policy/--vkey, --root-set-pin,\n"
      "--refresh, --listen); 3 cannot listen or write --port-file. A log that cannot be read or\n"
      "audited does not stop it: the page shows why until a refresh succeeds.");
  cmd->add_option("--log", opts->log_url, "The log's URL (default: $VOUCH_LOG_URL)");
  AddTrustOptions(cmd, opts->trust);
  cmd->add_option("--root-set-pin", opts->pin,
                  "statement_digest of root set version 1 (default: $VOUCH_ROOT_SET_PIN; none: "
                  "the first is trusted on first use)");
  cmd->add_option("--refresh", opts->refresh, "Re-read the log at most this often (default PT2S)");
  cmd->add_option("--timeout", opts->timeout, "Seconds for each request to the log (default 30)")
      ->check(CLI::Range(0.1, 600.0));
  cmd->add_option("--listen", opts->listen,
                  "Address (default 127.0.0.1:7390; port 0 picks a free port)");
  cmd->add_option("--port-file", opts->port_file, "Write the bound port here once listening");
  AddConnectionFlags(cmd, &opts->connections, 256);
  cmd->callback([opts, &ctx] { ctx.exit_code = RunServeExplorer(ctx, *opts); });
}

void RegisterServeCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* serve = GetOrAddSubcommand(app, "serve", "Run a Vouch service");
  RegisterServeLog(serve, ctx);
  RegisterServeWitness(serve, ctx);
  RegisterServeRoot(serve, ctx);
  RegisterServeBroker(serve, ctx);
  RegisterServeExplorer(serve, ctx);
}

}  // namespace vouch::cli

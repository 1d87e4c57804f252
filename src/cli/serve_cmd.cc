// `vouch serve log`: runs a transparency log (docs/log.md): a Sequencer over a SQLite store in
// --data, served over HTTP by ledger::LogService. Stops cleanly on SIGTERM or SIGINT: stops
// accepting, finishes in-flight requests, sequences what was already submitted, closes the
// store.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/file.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/ledger/checkpoint_publisher.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/log_service.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/server/http_server.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/tlog/note.h"

namespace vouch::cli {
namespace {

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
  int max_connections = 1024;
  std::vector<std::string> witnesses;  // URL=VKEY
  std::string policy_file;
  double witness_timeout = 5;
  double recosign_interval = 10;
};

// Holds an exclusive lock on DIR/LOCK for the process's lifetime, so two servers never share
// a data directory (the kernel releases it if the process dies).
StatusOr<int> LockDataDir(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return FailedPreconditionError("the data directory " + dir +
                                     " is in use by another 'vouch serve log'");
    }
    return UnavailableError("cannot lock " + path + ": " + std::strerror(err));
  }
  return fd;
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
  auto witnesses = ledger::ResolveWitnesses(*policy, opts.witnesses);
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

int RunServeLog(const ServeLogOptions& opts) {
  auto key_text = ReadFileToString(opts.key_file, 4096);
  if (!key_text.ok()) {
    int code = ExitCodeForReadError(key_text.status());
    return ReportFailure(false, code, code == kExitIo ? "io_error" : "key_malformed",
                         "cannot read --key", key_text.status().message());
  }
  std::string_view key_line = *key_text;
  while (!key_line.empty() &&
         (key_line.back() == '\n' || key_line.back() == '\r' || key_line.back() == ' ')) {
    key_line.remove_suffix(1);
  }
  auto signer = tlog::Ed25519NoteSigner::ParseGoPrivateKey(key_line);
  SecureWipe(key_text->data(), key_text->size());
  if (!signer.ok()) {
    return ReportFailure(
        false, kExitUsage, "key_malformed", "bad --key",
        "not a log key from 'vouch log keygen' (" + signer.status().message() + ")");
  }
  struct stat st;
  if (::stat(opts.key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    PrintError("warning: " + opts.key_file + " is readable by other users (chmod 600 it)");
  }
  if (opts.batch_size < 1 || opts.batch_interval_ms < 0 || opts.batch_interval_ms > 60'000) {
    return ReportFailure(false, kExitUsage, "config_invalid", "bad usage",
                         "--batch-size must be at least 1 and --batch-interval 0..60000 ms");
  }

  std::optional<WitnessConfig> witness_config;
  if (!opts.policy_file.empty()) {
    int exit_code = kExitOk;
    witness_config = LoadWitnessConfig(opts, &exit_code);
    if (!witness_config) return exit_code;
  } else if (!opts.witnesses.empty()) {
    return ReportFailure(false, kExitUsage, "config_invalid", "bad usage",
                         "--witness needs --policy (the quorum that publishes a checkpoint)");
  }

  if (::mkdir(opts.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ReportFailure(false, kExitIo, "io_error", "cannot create --data",
                         opts.data_dir + ": " + std::strerror(errno));
  }
  auto lock = LockDataDir(opts.data_dir);
  if (!lock.ok()) {
    return ReportFailure(false, kExitIo, "data_dir_in_use", "cannot lock --data",
                         lock.status().message());
  }
  auto opened = store::SqliteLogStore::Open(opts.data_dir + "/log.db");
  if (!opened.ok()) {
    return ReportFailure(false, kExitIo, "store_failed", "cannot open the log database",
                         opened.status().message());
  }
  std::shared_ptr<store::LogStore> store(std::move(opened).value());

  // Before any thread starts, so that they all inherit the mask and only sigwait sees signals.
  BlockTerminationSignals();
  ledger::SequencerOptions seq_options;
  seq_options.batch_size = opts.batch_size;
  seq_options.batch_interval =
      std::chrono::microseconds(static_cast<int64_t>(opts.batch_interval_ms * 1000));
  seq_options.max_pending_entries = opts.max_pending;
  const Clock& clock = RealClock();
  auto sequencer = ledger::Sequencer::Start(
      store, std::make_shared<tlog::Ed25519NoteSigner>(*std::move(signer)), clock, seq_options);
  if (!sequencer.ok()) {
    const Status& s = sequencer.status();
    bool other_log = s.code() == StatusCode::kFailedPrecondition;
    return ReportFailure(false, other_log ? kExitUsage : kExitIo,
                         other_log ? "wrong_key" : "store_failed", "cannot start the log",
                         s.message());
  }
  ledger::LogReader reader(store, opts.cache_mib << 20);
  ledger::LogServiceOptions service_options;
  service_options.add_timeout = std::chrono::seconds(opts.add_timeout);

  http::HttpClient witness_client;
  std::unique_ptr<ledger::CheckpointPublisher> publisher;
  if (witness_config) {
    ledger::PublisherOptions publisher_options;
    publisher_options.witness_timeout =
        std::chrono::milliseconds(static_cast<int64_t>(opts.witness_timeout * 1000));
    publisher_options.recosign_interval =
        std::chrono::milliseconds(static_cast<int64_t>(opts.recosign_interval * 1000));
    publisher_options.state_file = opts.data_dir + "/cosigned-checkpoint";
    publisher_options.on_event = [](const std::string& event) { PrintError(event); };
    auto started = ledger::CheckpointPublisher::Start(
        **sequencer, reader, witness_client, clock, std::move(witness_config->policy),
        std::move(witness_config->witnesses), publisher_options);
    if (!started.ok()) {
      (*sequencer)->Stop();
      return ReportFailure(false, kExitUsage, "config_invalid", "cannot use the witnesses",
                           started.status().message());
    }
    publisher = *std::move(started);
    service_options.published = [p = publisher.get()] { return p->Latest(); };
  }
  ledger::LogService service(**sequencer, reader, service_options);

  http::ServerOptions server_options;
  server_options.listen_address = opts.listen;
  server_options.max_body_bytes = tlog::kMaxEntrySize;
  // Submitters wait (a few ms) for their batch: let many wait at once.
  server_options.max_handler_threads = 512;
  server_options.max_connections = static_cast<size_t>(opts.max_connections);
  server_options.stop_grace = std::chrono::milliseconds(2000) + service_options.add_timeout;
  auto server = http::HttpServer::Start(server_options, service.Routes());
  if (!server.ok()) {
    if (publisher) publisher->Stop();
    (*sequencer)->Stop();
    return ReportFailure(
        false, server.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitIo,
        "listen_failed", "cannot listen on " + opts.listen, server.status().message());
  }
  auto latest = (*sequencer)->Latest();
  std::cerr << "vouch: log " << (*sequencer)->origin() << ", " << latest->size()
            << " entries, database " << opts.data_dir << "/log.db\n";
  if (publisher) {
    std::cerr << "vouch: checkpoints are published once cosigned by the --policy quorum of "
              << publisher->witnesses().size() << " witness(es)\n";
  }
  std::cout << "log " << (*sequencer)->verifier_key().ToString() << " listening on "
            << (*server)->address() << std::endl;
  if (!opts.port_file.empty()) {
    std::string port = std::to_string((*server)->port()) + "\n";
    if (Status s = WriteFileAtomic(opts.port_file, AsBytes(port)); !s.ok()) {
      (*server)->Stop();
      if (publisher) publisher->Stop();
      (*sequencer)->Stop();
      return ReportFailure(false, kExitIo, "io_error", "cannot write --port-file", s.message());
    }
  }
  int sig = WaitForTerminationSignal();
  std::cerr << "vouch: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ": stopping\n";
  (*server)->Stop();
  if (publisher) publisher->Stop();
  (*sequencer)->Stop();
  std::cerr << "vouch: stopped at " << (*sequencer)->Latest()->size() << " entries\n";
  ::close(*lock);
  return kExitOk;
}

}  // namespace

void RegisterServeLogCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* serve = GetOrAddSubcommand(app, "serve", "Run a Vouch service");
  auto opts = std::make_shared<ServeLogOptions>();
  CLI::App* cmd = serve->add_subcommand("log", "Run a transparency log");
  cmd->footer(
      std::string(
          "Runs a C2SP-compatible transparency log signed with --key (its origin is the key's "
          "name),\n"
          "stored durably in DIR/log.db (SQLite, WAL, synchronous=FULL). HTTP API (docs/log.md):\n"
          "  POST /add                        an entry (1..65,535 bytes); answers once it is "
          "durably\n"
          "                                   sequenced: "
          "{\"index\",\"leaf_hash\",\"duplicate\",\"tree_size\"}\n"
          "  GET  /checkpoint                 the latest signed checkpoint\n"
          "  GET  /tile/<L>/<N>[.p/<W>]       hash tiles (c2sp.org/tlog-tiles)\n"
          "  GET  /tile/entries/<N>[.p/<W>]   entry bundles\n"
          "  GET  /proof/<index>              a c2sp.org/tlog-proof receipt for an entry\n"
          "Prints 'log <vkey> listening on ADDR' once ready; stops cleanly on SIGTERM or SIGINT.\n"
          "\n"
          "With --policy, a checkpoint is published (GET /checkpoint, receipts) only once the\n"
          "policy's witness quorum has cosigned it (docs/log.md §5a). Each new\n"
          "checkpoint goes to every witness (--witness URL=VKEY, and the policy's witness lines\n"
          "that carry a URL) with a consistency proof; a witness that answers 422 is a split-view\n"
          "alarm and is not asked again. Entries keep being sequenced while witnesses are down.") +
      "\n\n" +
      "Exit codes: 0 stopped by a signal; 2 bad usage, bad --key, --policy or --witness, or\n"
      "--data holds another log;\n"
      "3 cannot open, lock or create --data, or cannot listen.");
  cmd->add_option("--data", opts->data_dir, "Data directory (created 0700 if missing)")->required();
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
  cmd->add_option("--max-connections", opts->max_connections,
                  "Concurrent HTTP connections (default 1024)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--policy", opts->policy_file,
                  "c2sp.org/tlog-policy file: publish only checkpoints its quorum cosigned");
  cmd->add_option("--witness", opts->witnesses,
                  "A witness to ask, URL=VKEY (repeatable; VKEY must be a --policy witness)");
  cmd->add_option("--witness-timeout", opts->witness_timeout,
                  "Seconds a checkpoint waits for its quorum before it is retried (default 5)");
  cmd->add_option("--recosign-interval", opts->recosign_interval,
                  "Seconds after which an unchanged checkpoint is cosigned afresh (default 10; "
                  "0: never)");
  cmd->callback([opts, &ctx] { ctx.exit_code = RunServeLog(*opts); });
}

}  // namespace vouch::cli

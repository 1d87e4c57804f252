// `vouch witness keygen` and `vouch serve witness`: a C2SP tlog-witness (docs/witness.md).
#include <sys/stat.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/file.h"
#include "vouch/crypto/random.h"
#include "vouch/server/http_server.h"
#include "vouch/store/sqlite_witness_store.h"
#include "vouch/tlog/note.h"
#include "vouch/witness/witness_service.h"

namespace vouch::cli {
namespace {

struct KeygenOptions {
  std::string name;
  std::string out;
};

int RunKeygen(const KeygenOptions& opts) {
  if (opts.name.empty() || opts.name.find_first_of("+ \n") != std::string::npos) {
    return ReportFailure(false, kExitUsage, "invalid_name", "bad --name",
                         "a witness name is non-empty and has no '+', space or newline");
  }
  if (FileExists(opts.out)) {
    return ReportFailure(false, kExitUsage, "exists", "refusing to overwrite", opts.out);
  }
  auto seed = RandomSecret(32);
  if (!seed.ok())
    return ReportFailure(false, kExitIo, "internal", "keygen", seed.status().message());
  std::string file = witness::FormatWitnessKeyFile(opts.name, seed->Reveal());
  auto signer = witness::ParseWitnessKeyFile(file);
  if (file.empty() || !signer.ok()) {
    return ReportFailure(false, kExitIo, "internal", "keygen", "cannot derive the key");
  }
  Status written = WriteFileAtomic(opts.out, AsBytes(file), 0600);
  SecureWipe(file.data(), file.size());
  if (!written.ok())
    return ReportFailure(false, kExitIo, "io_error", "cannot write key", written.message());
  // The cosignature verifier key (type 0x04), for the logs and clients that trust this witness.
  std::cout << signer->verifier_key().ToString() << "\n";
  return kExitOk;
}

struct ServeOptions {
  std::string data_dir;
  std::string key_file;
  std::vector<std::string> logs;  // ORIGIN=VKEY
  std::string listen = "127.0.0.1:7380";
  std::string port_file;
};

StatusOr<std::vector<tlog::WitnessLog>> ParseLogs(const std::vector<std::string>& specs) {
  std::vector<tlog::WitnessLog> logs;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--log " + spec + ": expected ORIGIN=VKEY");
    }
    std::string origin = spec.substr(0, eq);
    auto key = tlog::VerifierKey::Parse(spec.substr(eq + 1));
    if (!key.ok()) return key.status().WithContext("--log " + origin);
    auto verifier = tlog::NewNoteVerifier(*key);
    if (!verifier.ok()) return verifier.status().WithContext("--log " + origin);
    auto it = std::find_if(logs.begin(), logs.end(),
                           [&](const tlog::WitnessLog& l) { return l.origin == origin; });
    std::vector<std::shared_ptr<const tlog::NoteVerifier>> verifiers;
    if (it != logs.end()) verifiers = it->keys.verifiers();
    verifiers.push_back(*verifier);
    VOUCH_ASSIGN_OR_RETURN(tlog::VerifierSet set, tlog::VerifierSet::Create(verifiers));
    if (it != logs.end()) {
      it->keys = std::move(set);
    } else {
      logs.push_back({origin, std::move(set)});
    }
  }
  return logs;
}

int RunServe(const ServeOptions& opts) {
  auto key_text = ReadFileToString(opts.key_file, 4096);
  if (!key_text.ok()) {
    return ReportFailure(false, ExitCodeForReadError(key_text.status()), "io_error",
                         "cannot read --key", key_text.status().message());
  }
  auto signer = witness::ParseWitnessKeyFile(*key_text);
  SecureWipe(key_text->data(), key_text->size());
  if (!signer.ok())
    return ReportFailure(false, kExitUsage, "key_malformed", "bad --key",
                         signer.status().message());
  auto logs = ParseLogs(opts.logs);
  if (!logs.ok())
    return ReportFailure(false, kExitUsage, "log_malformed", "bad --log", logs.status().message());
  if (logs->empty())
    return ReportFailure(false, kExitUsage, "no_logs", "bad usage",
                         "give at least one --log ORIGIN=VKEY");
  auto witness = tlog::Witness::Create({*signer}, std::move(*logs));
  if (!witness.ok())
    return ReportFailure(false, kExitUsage, "config_invalid", "bad configuration",
                         witness.status().message());
  ::mkdir(opts.data_dir.c_str(), 0700);
  auto store = ::vouch::store::OpenSqliteWitnessStore(opts.data_dir + "/witness.db");
  if (!store.ok())
    return ReportFailure(false, kExitIo, "io_error", "cannot open state", store.status().message());

  witness::WitnessService service(std::move(*witness), std::move(*store), RealClock());
  BlockTerminationSignals();
  http::ServerOptions server_options;
  server_options.listen_address = opts.listen;
  server_options.max_body_bytes = witness::kMaxAddCheckpointBody;
  auto server = http::HttpServer::Start(server_options, service.Routes());
  if (!server.ok())
    return ReportFailure(false, kExitIo, "listen_failed", "cannot listen",
                         server.status().message());
  std::cout << "witness " << signer->verifier_key().ToString() << " listening on "
            << (*server)->address() << std::endl;
  if (!opts.port_file.empty()) {
    std::string port = std::to_string((*server)->port()) + "\n";
    if (Status s = WriteFileAtomic(opts.port_file, AsBytes(port)); !s.ok()) {
      return ReportFailure(false, kExitIo, "io_error", "cannot write --port-file", s.message());
    }
  }
  WaitForTerminationSignal();
  (*server)->Stop();
  return kExitOk;
}

}  // namespace

void RegisterWitnessCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* witness = app.add_subcommand("witness", "Transparency-log witness keys");
  witness->require_subcommand(1);
  auto keygen_opts = std::make_shared<KeygenOptions>();
  CLI::App* keygen = witness->add_subcommand("keygen", "Create a witness signing key");
  keygen->description(
      "Creates an Ed25519 cosignature/v1 key (c2sp.org/tlog-cosignature). Writes the private key\n"
      "to --out with mode 0600 and prints the verifier key (type 0x04) to give to logs and\n"
      "clients, e.g. witness.example/w1+363f2b66+BItW...");
  keygen->footer("Exit codes: 0 created; 2 bad name or --out exists; 3 cannot write.");
  keygen->add_option("--name", keygen_opts->name, "Witness name (part of the key ID)")->required();
  keygen->add_option("--out", keygen_opts->out, "Private key file to create (0600)")->required();
  keygen->callback([keygen_opts, &ctx] { ctx.exit_code = RunKeygen(*keygen_opts); });

  CLI::App* serve = GetOrAddSubcommand(app, "serve", "Run a Vouch service");
  auto serve_opts = std::make_shared<ServeOptions>();
  CLI::App* serve_witness = serve->add_subcommand("witness", "Run a tlog-witness");
  serve_witness->description(
      "Serves C2SP tlog-witness: POST /add-checkpoint cosigns a checkpoint of a configured log\n"
      "when it consistently extends the last checkpoint this witness cosigned for it (state kept\n"
      "durably in DATA/witness.db, updated atomically before answering), and\n"
      "GET /<hex sha256(origin)>/checkpoint returns that checkpoint to monitors.\n"
      "Prints 'listening on ADDR' once ready; stops on SIGTERM or SIGINT.");
  serve_witness->footer(
      "Exit codes: 0 stopped by a signal; 2 bad key or --log; 3 cannot open state or listen.");
  serve_witness->add_option("--data", serve_opts->data_dir, "State directory")->required();
  serve_witness->add_option("--key", serve_opts->key_file, "Key from 'vouch witness keygen'")
      ->required();
  serve_witness
      ->add_option("--log", serve_opts->logs,
                   "Accepted log: ORIGIN=VKEY (Go note verifier key); repeatable,\n"
                   "several keys per origin allowed")
      ->required();
  serve_witness->add_option("--listen", serve_opts->listen,
                            "Address (default 127.0.0.1:7380; port 0 picks a free port)");
  serve_witness->add_option("--port-file", serve_opts->port_file, "Write the bound port here");
  serve_witness->callback([serve_opts, &ctx] { ctx.exit_code = RunServe(*serve_opts); });
}

}  // namespace vouch::cli

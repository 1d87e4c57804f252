// `vouch witness keygen`: a C2SP tlog-witness's key (docs/witness.md; `vouch serve witness` is in
// serve_cmd.cc).
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "vouch/crypto/random.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/note.h"

namespace vouch::cli {
namespace {

struct KeygenOptions {
  std::string name;
  std::string out;
  bool force = false;
  bool json = false;
};

int RunKeygen(const KeygenOptions& opts) {
  if (opts.name.empty() || opts.name.find_first_of("+ \n") != std::string::npos) {
    return ReportFailure(opts.json, codes::kInvalidName, "bad --name",
                         "a witness name is non-empty and has no '+', space or newline",
                         "e.g. --name witness.example/w1");
  }
  if (int rc = RefuseKeyOverwrite(opts.json, opts.out, opts.force,
                                  "give another --out, or --force to replace the key (logs and "
                                  "clients that trust the old one then reject its cosignatures)");
      rc != kExitOk) {
    return rc;
  }
  auto seed = RandomSecret(32);
  if (!seed.ok()) return ReportStatus(opts.json, "keygen", seed.status());
  std::string file = tlog::FormatWitnessKeyFile(opts.name, seed->Reveal());
  auto signer = tlog::ParseWitnessKeyFile(file);
  if (file.empty() || !signer.ok()) {
    return ReportFailure(opts.json, codes::kInternalError, "keygen", "cannot derive the key");
  }
  // The cosignature verifier key (type 0x04), for the logs and clients that trust this witness.
  return WriteNoteKeyFile(opts.json, opts.out, file, "name", opts.name,
                          signer->verifier_key().ToString());
}

}  // namespace

void RegisterWitnessCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* witness = app.add_subcommand("witness", "Transparency-log witness keys");
  witness->require_subcommand(1);
  witness->footer("Run a witness with 'vouch serve witness' (docs/witness.md).\n\n" +
                  std::string(kExitCodesHelp));
  auto keygen_opts = std::make_shared<KeygenOptions>();
  CLI::App* keygen = witness->add_subcommand("keygen", "Create a witness signing key");
  SetLongDescription(
      keygen,
      "Creates an Ed25519 cosignature/v1 key (c2sp.org/tlog-cosignature). Writes the private key\n"
      "to --out with mode 0600 and prints the verifier key (type 0x04) to give to logs and\n"
      "clients, e.g. witness.example/w1+363f2b66+BItW...");
  keygen->footer(
      "Exit codes: 0 created; 2 bad name or --out exists (without --force); 3 cannot write.");
  keygen->add_option("--name", keygen_opts->name, "Witness name (part of the key ID)")->required();
  keygen->add_option("--out", keygen_opts->out, "Private key file to create (0600)")->required();
  keygen->add_flag("--force", keygen_opts->force, "Replace an existing --out");
  keygen->add_flag("--json", keygen_opts->json, "Print one JSON object");
  keygen->callback([keygen_opts, &ctx] { ctx.exit_code = RunKeygen(*keygen_opts); });
}

}  // namespace vouch::cli

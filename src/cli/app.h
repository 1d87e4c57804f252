// The `vouch` command tree and its entry point: builds every command family's subcommands,
// parses argv with CLI11 and runs the chosen command. CLI11 exceptions are converted to exit
// codes here and never escape.
#ifndef VOUCH_CLI_APP_H_
#define VOUCH_CLI_APP_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli_common.h"

namespace vouch::cli {

// The whole command tree; subcommand callbacks store their exit code in `ctx`, which must
// outlive the app.
std::unique_ptr<CLI::App> BuildApp(CommandContext& ctx);

// What `vouch --version` prints: version, commit, build type, OpenSSL and SQLite versions.
std::string VersionText();

// Runs `vouch` with `argc`/`argv` and returns the exit code. `integrity_slot` is the running
// program's integrity slot (main.cc; docs/integrity.md), which `version --verify-integrity` and
// every `serve` check.
int RunVouch(int argc, char** argv,
             std::optional<build::IntegritySlot> integrity_slot = std::nullopt);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_APP_H_

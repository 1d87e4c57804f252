// Shared pieces of the `vouch` command: exit codes, error reporting, and the registry each
// command family (constraint_cmd.cc, sgx_cmd.cc, ...) adds its subcommands through.
// This layer only parses arguments, calls the library and formats; no logic lives here.
#ifndef VOUCH_CLI_CLI_COMMON_H_
#define VOUCH_CLI_CLI_COMMON_H_

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "vouch/base/status.h"
#include "vouch/base/statusor.h"
#include "vouch/tlog/policy.h"

namespace vouch::cli {

// Exit codes of every command (DESIGN.md §4, docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,        // success / accepted
  kExitRejected = 1,  // evidence, entry or proof examined and rejected (incl. unparseable evidence)
  kExitUsage = 2,     // cannot run as asked: bad usage, malformed constraint/EII/policy/config
  kExitIo = 3,        // I/O or internal error
};

inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success/accepted; 1 evidence, entry or proof examined and rejected;\n"
    "2 bad usage or a malformed constraint, EII JSON, policy or config file;\n"
    "3 I/O or internal error (unreadable file, unreachable server).";

// Where a command's subcommand callbacks put their exit code.
struct CommandContext {
  int exit_code = kExitOk;
};

// Prints "vouch: <message>" to stderr.
void PrintError(const std::string& message);

// Compact JSON; invalid UTF-8 (messages echo user input) becomes U+FFFD.
std::string DumpJson(const nlohmann::ordered_json& value);

// Reports a failure and returns `exit_code`: "vouch: <what>: <message>" on stderr, or with
// --json {"error":{"code":<code>,"message":<message>}} on stdout.
int ReportFailure(bool json, int exit_code, const std::string& code, const std::string& what,
                  const std::string& message);

// Exit code for a failure to read an input file: a missing or unreadable file is I/O (3),
// a file over the size limit is bad usage (2).
int ExitCodeForReadError(const Status& status);

// Reads and parses a c2sp.org/tlog-policy file. On failure, `*exit_code` and `*code` (the
// --json error code) say how to report it.
StatusOr<tlog::Policy> ReadPolicyFile(const std::string& path, int* exit_code, std::string* code);

// The subcommand `name` of `parent`, created with `description` on first use, so that several
// command families can share a parent such as `serve`.
CLI::App* GetOrAddSubcommand(CLI::App& parent, const std::string& name,
                             const std::string& description);

// Each command family registers its subcommands on `app`.
void RegisterConstraintCommands(CLI::App& app, CommandContext& ctx);
void RegisterSgxCommands(CLI::App& app, CommandContext& ctx);
void RegisterWitnessCommands(CLI::App& app, CommandContext& ctx);
void RegisterLogCommands(CLI::App& app, CommandContext& ctx);
void RegisterServeCommands(CLI::App& app, CommandContext& ctx);  // `serve log`, `serve witness`
void RegisterSimCommands(CLI::App& app, CommandContext& ctx);
void RegisterEnclaveCommands(CLI::App& app, CommandContext& ctx);  // also `measure`
void RegisterSealCommands(CLI::App& app, CommandContext& ctx);     // `seal`, `unseal`

}  // namespace vouch::cli

#endif  // VOUCH_CLI_CLI_COMMON_H_

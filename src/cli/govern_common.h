// Shared pieces of the governance commands (statement_cmd.cc, govern_cmd.cc, build_cmd.cc,
// audit_cmd.cc; docs/governance.md): their registration, argument parsers and error reporting.
#ifndef VOUCH_CLI_GOVERN_COMMON_H_
#define VOUCH_CLI_GOVERN_COMMON_H_

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "cli/cli_common.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/govern/statement.h"

namespace vouch::cli {

void RegisterStatementCommands(CLI::App& app, CommandContext& ctx);  // `statement`
void RegisterGovernCommands(CLI::App& app, CommandContext& ctx);     // `govern`
void RegisterBuildCommands(CLI::App& app, CommandContext& ctx);      // `build`
void RegisterAuditCommands(CLI::App& app, CommandContext& ctx);      // `audit`
void RegisterLedgerCommands(CLI::App& app, CommandContext& ctx);     // `ledger`

// "INDEX:SHA256" (decimal index, 64 lowercase hex entry_hash).
StatusOr<govern::EntryRef> ParseEntryRefArg(std::string_view text);
// A time argument (Unix seconds or RFC 3339); the wall clock, to the second, when empty.
StatusOr<UnixSeconds> TimeArgOrNow(const std::string& text);

// A Duration (PT1H, P1D) or a number of seconds; kInvalidArgument naming `option` otherwise.
StatusOr<int64_t> DurationArg(const std::string& text, const char* option);

// Reports a failed Status whose exit code depends on its role (docs/error-codes.md,
// "Governance"): error.code from ErrorCodeFor (error_codes.h); exit 3 when that says I/O or
// internal, else `exit_code` (1 for a statement examined, 2 for the user's own statement that a
// command refuses to write).
int ReportStatus(bool json, int exit_code, const std::string& what, const Status& status);

// Writes `data` to `path` ("-" for stdout) atomically with `mode`.
Status WriteOutput(const std::string& path, ByteSpan data, mode_t mode = 0644);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_GOVERN_COMMON_H_

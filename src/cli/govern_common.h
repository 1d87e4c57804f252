// Shared pieces of the governance commands (statement_cmd.cc, govern_cmd.cc, build_cmd.cc,
// audit_cmd.cc; docs/governance.md): their registration, argument parsers and error reporting.
#ifndef VOUCH_CLI_GOVERN_COMMON_H_
#define VOUCH_CLI_GOVERN_COMMON_H_

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_common.h"
#include "cli/log_common.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/replay.h"
#include "vouch/govern/statement.h"
#include "vouch/server/self_check.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/verifier.h"

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

// The root-set pin: `flag` (--root-set-pin), else $VOUCH_ROOT_SET_PIN (the flag wins; docs/cli.md,
// "Environment"); nullopt when neither is set. kInvalidArgument, naming where the text came
// from, unless it is 64 hex digits (root set version 1's statement_digest).
StatusOr<std::optional<Sha256Digest>> RootSetPinArg(const std::string& flag);

// Reports a failed Status whose exit code depends on its role (docs/error-codes.md,
// "Governance"): error.code from ErrorCodeFor (error_codes.h); exit 3 when that says I/O or
// internal, else `exit_code` (1 for a statement examined, 2 for the user's own statement that a
// command refuses to write).
int ReportStatus(bool json, int exit_code, const std::string& what, const Status& status);

// Full attestation of root evidence (governance.md §3.3) with collateral directories given on
// the command line (`audit --collateral`, `serve root --collateral`), matched to each root by
// the dirHash its evidence names: the quote verified at the set's issuedOn with the trust roots
// (Intel's when no --trust-root is given, plus every --sim-root), then the root's constraint
// checked against it. kNotFound when no directory has the dirHash.
class CollateralAttester final : public govern::EvidenceAttester {
 public:
  static StatusOr<std::unique_ptr<CollateralAttester>> Create(
      const std::vector<std::string>& trust_roots, const std::vector<std::string>& sim_roots,
      const std::vector<std::string>& collateral_dirs);

  Status Attest(const govern::RootDescriptor& root, UnixSeconds at) override;

  const sgx::DcapVerifier& verifier() const { return *verifier_; }
  // The collateral of the first directory given, if any.
  const sgx::Collateral* first() const { return first_; }

 private:
  explicit CollateralAttester(std::unique_ptr<sgx::DcapVerifier> verifier)
      : verifier_(std::move(verifier)) {}
  std::unique_ptr<sgx::DcapVerifier> verifier_;
  std::map<Sha256Digest, sgx::Collateral> by_hash_;
  const sgx::Collateral* first_ = nullptr;
};

// A command that reads a verified, replayed view of the ledger (server::SyncLedgerView), as
// `ledger countersign` and `provision envelope` do, in two steps so that the command can check
// its own inputs in between:
//   ResolveLedgerView: --policy (required; its quorum must not be "none"), --root-set-pin (or
//     $VOUCH_ROOT_SET_PIN) and --max-checkpoint-age into `out` (policy and clock set; the policy
//     is kept in `*policy`, which must outlive `out`);
//   ReadLedgerView: `log` (a Connect()ed client), synced.
// Each reports a failure and returns its exit code, else kExitOk.
int ResolveLedgerView(Trust& trust, const std::string& pin, const std::string& max_checkpoint_age,
                      bool json, bool verbose, std::optional<tlog::Policy>* policy,
                      server::LedgerViewOptions* out);
int ReadLedgerView(server::LogClient& log, const server::LedgerViewOptions& options, bool json,
                   bool verbose, std::optional<server::LedgerView>* out);

// The signers' key ids as a JSON array of hex strings.
Json SignerList(const dsse::SignerSet& signers);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_GOVERN_COMMON_H_

// The client side of a transparency log, shared by the commands that talk to one: `vouch log
// add|checkpoint|proof|verify-proof|audit` (log_cmd.cc), `vouch ledger submit` (ledger_cmd.cc)
// and the online `vouch audit LOG_URL` (audit_cmd.cc): what a command trusts (--vkey, --policy,
// $VOUCH_POLICY), where the log is (URL or $VOUCH_LOG_URL), how a client failure is reported,
// and the two exchanges with a log that submit reuses — add an entry, and fetch a receipt,
// waiting for the witness quorum.
//
// Every `int`-returning function reports its failure itself (as `json` asks, docs/cli.md) and
// returns the exit code; kExitOk when it succeeded.
#ifndef VOUCH_CLI_LOG_COMMON_H_
#define VOUCH_CLI_LOG_COMMON_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http_client.h"
#include "vouch/server/log_client.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/proof_file.h"

namespace vouch::cli {

inline constexpr char kTrustOptions[] =
    "Trust: --vkey VKEY (the log's verifier key; no witnesses required) or --policy FILE (a\n"
    "c2sp.org/tlog-policy file: accepted logs and a witness quorum); without either, the\n"
    "policy file in $VOUCH_POLICY, if set.";

inline constexpr char kUrlHelp[] = "The log, e.g. http://127.0.0.1:7381 (default: $VOUCH_LOG_URL)";

// What a client command trusts: a policy built from --vkey, or read from --policy (or from
// $VOUCH_POLICY when neither is given).
struct Trust {
  std::string vkey;
  std::string policy_file;
};

// --vkey and --policy (mutually exclusive).
void AddTrustOptions(CLI::App* cmd, Trust& trust);
// --policy only: commands that need a witness quorum.
void AddPolicyOption(CLI::App* cmd, Trust& trust);
// --root-set-pin: the statement_digest of root set version 1 that a ledger replay trusts.
void AddRootSetPinOption(CLI::App* cmd, std::string* pin);
// --max-checkpoint-age: how old the witnesses' checkpoint of the ledger may be.
void AddMaxCheckpointAgeOption(CLI::App* cmd, std::string* max_checkpoint_age);

// What a command that checks a service against the governance ledger trusts (`provision
// envelope`, the self-check of `serve root` and `serve broker`): the ledger (--log, --policy with
// a witness quorum, --root-set-pin) and the roots of the service's quote (--trust-root,
// --sim-root).
struct LedgerTrust {
  std::string log_url;
  Trust trust;
  std::string pin;
  std::vector<std::string> trust_roots;
  std::vector<std::string> sim_roots;
};
// Adds the flags above to `cmd`, in that order. `ledger` must outlive `cmd`.
void AddLedgerTrustOptions(CLI::App* cmd, LedgerTrust* ledger);

// Resolves `trust` (after $VOUCH_POLICY) into the policy a client command verifies with, in
// `*policy`. Without any, `*policy` stays empty, or, when the command needs one (`required`),
// that is a usage error ("trust_missing").
int ResolveTrust(Trust& trust, bool required, bool json, bool verbose,
                 std::optional<tlog::Policy>* policy);

// A checkpoint that `trust` rejected, worded for what was given: with --vkey there is no policy
// to speak of.
Status TrustRejection(const Trust& trust, const tlog::Checkpoint& cp, const Status& status);

// The log URL: the first positional, or $VOUCH_LOG_URL. For commands with a second positional
// (FILE, INDEX), CLI11 puts a lone positional into the URL; then it is the second one and the
// URL comes from the environment (`second` null: no second positional).
int ResolveUrl(std::string* url, std::string* second, const char* second_name, bool json,
               bool verbose);

// ResolveUrl for a command whose only positional is the URL, then ResolveTrust: the start of
// `log checkpoint`, `log audit` and the online `audit`.
int ResolveUrlAndTrust(std::string* url, Trust& trust, bool required, bool json, bool verbose,
                       std::optional<tlog::Policy>* policy);

// The error code for a failure talking to the log (or of what it sent): the library's reason
// for a rejection, log_response_malformed, not_found, or log_unreachable (exit 3).
Failure ClientFailureCode(const Status& status);
// Reports it (with a hint for an unreachable log).
int ClientFailure(bool json, const std::string& what, const Status& status);
// The same for a failed tree audit (ledger::AuditLog): its rejections keep their reasons.
Failure AuditFailureCode(const Status& status);

// A client of the log at `url`; a malformed URL is reported (exit 2).
StatusOr<server::LogClient> Connect(const std::string& url, http::HttpClient& http, int timeout,
                                    bool json, int* exit_code);

// --timeout, --verbose and --json.
void AddNetworkOptions(CLI::App* cmd, int& timeout, const char* timeout_help, bool& verbose,
                       bool& json);

// Reads an entry to submit from `path` ("-" for stdin): 1 to 65,535 bytes.
int ReadEntryFile(const std::string& path, bool json, Bytes* entry);

// POST /add: waits (up to `timeout` s, saying so on stderr after 2 s) until the log has durably
// sequenced `entry`, and checks the leaf hash it answers with.
int AddEntry(server::LogClient& log, ByteSpan entry, int timeout, bool json, bool verbose,
             server::AddResponse* added);

// The receipt (c2sp.org/tlog-proof) for entry `index` of the log at `url`: when the log has no
// checkpoint covering it yet (it publishes at its witness quorum), says so on stderr and waits up
// to `timeout` s; if the quorum does not come, names the missing witnesses
// (witness_quorum_missing). With a policy, the receipt's checkpoint is verified. `*text` is the
// receipt verbatim, `*file` parsed.
int FetchReceipt(const std::string& url, http::HttpClient& http, uint64_t index,
                 const tlog::Policy* policy, const Trust& trust, int timeout, bool json,
                 bool verbose, std::string* text, std::optional<tlog::ProofFile>* file);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_LOG_COMMON_H_

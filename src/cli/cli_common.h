// Shared pieces of the `vouch` command: reporting results and errors (the `--json` contract of
// docs/cli.md), environment defaults, progress and --verbose lines, and the registry each
// command family (constraint_cmd.cc, sgx_cmd.cc, ...) adds its subcommands through.
// This layer only parses arguments, calls the library and formats; no logic lives here.
#ifndef VOUCH_CLI_CLI_COMMON_H_
#define VOUCH_CLI_CLI_COMMON_H_

#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/error_codes.h"
#include "vouch/base/bytes.h"
#include "vouch/base/mutex.h"
#include "vouch/base/status.h"
#include "vouch/base/statusor.h"
#include "vouch/build/integrity.h"
#include "vouch/sgx/verifier.h"
#include "vouch/tlog/policy.h"

namespace vouch::cli {

using Json = nlohmann::ordered_json;

inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 success/accepted; 1 evidence, entry or proof examined and rejected;\n"
    "2 bad usage or a malformed constraint, EII JSON, policy or config file;\n"
    "3 I/O or internal error (unreadable file, unreachable server).";

// Where a command's subcommand callbacks put their exit code.
struct CommandContext {
  int exit_code = kExitOk;
  // The running program's own integrity slot (docs/integrity.md), copied by the `vouch` program
  // (main.cc), which alone defines it; absent when the command tree runs elsewhere (tests), where
  // every integrity check fails closed.
  std::optional<build::IntegritySlot> integrity_slot;
};

// The image-integrity check of the running program (spec/governance.md §5.2) against
// `ctx.integrity_slot`: the digests when they hold, else the check's reason
// (vouch/build/reasons.h); integrity_unsupported when the program carries no slot.
StatusOr<build::ImageDigests> VerifyOwnImage(const CommandContext& ctx);
// The same without judging the digests (build::CheckImageDigests does), for reporting them.
StatusOr<build::ImageDigests> ReadOwnImageDigests(const CommandContext& ctx);

// ---- Reporting (docs/cli.md, "Output") ----
//
// With --json a command prints exactly one JSON object on stdout, whose first member is
// "verdict": "accepted" (a verifying command accepted what it examined), "ok" (any other
// command succeeded), "rejected" (exit 1) or "error" (exit 2 or 3); a failure also has
// "error": {"code", "message"[, "hint"]}. Without --json, results go to stdout and failures to
// stderr as "vouch: <what>: <message>", then "hint: <hint>" when there is one.

inline constexpr char kVerdictAccepted[] = "accepted";
inline constexpr char kVerdictOk[] = "ok";
inline constexpr char kVerdictRejected[] = "rejected";
inline constexpr char kVerdictError[] = "error";
// "rejected" for exit 1, "error" for 2 and 3.
const char* FailureVerdict(int exit_code);

// Prints "vouch: <message>" to stderr.
void PrintError(const std::string& message);

// Compact JSON; invalid UTF-8 (messages echo user input) becomes U+FFFD.
std::string DumpJson(const Json& value);

// Prints {"verdict": `verdict`, <the members of `fields`>} on stdout.
void PrintJsonResult(std::string_view verdict, const Json& fields);

// Reports a failure of `what` and returns its exit code. With `json`: {"verdict", <fields>,
// "error": {"code", "message"[, "hint"]}} on stdout; otherwise the two lines above on stderr.
int ReportFailure(bool json, const ErrorCode& code, const std::string& what,
                  const std::string& message, const std::string& hint = "",
                  const Json& fields = Json::object());
// The same for a library Status: code and exit code from ErrorCodeFor (error_codes.h).
int ReportStatus(bool json, const std::string& what, const Status& status,
                 const std::string& hint = "", const Json& fields = Json::object());
// The same with an explicit exit code and code (for callers not yet on the table).
int ReportFailure(bool json, int exit_code, const std::string& code, const std::string& what,
                  const std::string& message);

// `--at`: the verification time given as Unix seconds or RFC 3339, or now when `text` is empty;
// kInvalidArgument for anything else. ReportBadAt reports that failure (code invalid_time,
// exit 2, with a hint showing both forms) and returns its exit code.
StatusOr<UnixSeconds> AtOrNow(const std::string& text);
int ReportBadAt(bool json, const Status& status);

// An output file that exists is refused (code file_exists, exit 2, with `hint`) unless `force`;
// "-" (standard output) never is. kExitOk otherwise.
int RefuseOverwrite(bool json, const std::string& path, bool force,
                    const std::string& hint = "give --force to replace it");
// The same for a key file, as the keygen commands word it ("refusing to overwrite: <path>
// exists", code file_exists, exit 2, with `hint`, unless `force`).
int RefuseKeyOverwrite(bool json, const std::string& path, bool force, const std::string& hint);

// The end of a keygen that makes a note signing key (`log keygen`, `witness keygen`): writes the
// key file `key` to `path` with mode 0600 (code io_error on failure) and wipes `key`, then prints
// the verifier key `vkey`; with --json {"verdict": "ok", `name_member`: `name`, "vkey",
// "key_file"}, where `name_member` is what the command calls the key's name. kExitOk, else the
// exit code reported.
int WriteNoteKeyFile(bool json, const std::string& path, std::string& key,
                     const std::string& name_member, const std::string& name,
                     const std::string& vkey);

// With --json, data never goes to standard output beside the object (docs/cli.md): `path` "-"
// is then refused (code usage, exit 2; `option` names the argument). kExitOk otherwise.
int RefuseStdoutWithJson(bool json, const std::string& path, const std::string& option);

// The default public-key file of a key generated into `out`: K.pem -> K.pub.pem; any other
// name gets ".pub.pem" appended.
std::string DefaultPublicKeyPath(const std::string& out);

// What a keygen command that writes a key pair (`statement keygen`, `provision
// custodian-keygen`) takes: --out, --pub-out, --force and --json.
struct KeyPairOptions {
  std::string out;
  std::string pub_out;
  bool force = false;
  bool json = false;
};
// --out and --pub-out (a command adds --force and --json where its help lists them).
void AddKeyPairFileOptions(CLI::App* cmd, KeyPairOptions* o);

// The two files a keygen command writes: `o.out` and the public key, `o.pub_out` or else
// DefaultPublicKeyPath(o.out). They must be two different files, neither "-" (code usage, exit
// 2), and neither may exist unless `o.force` (RefuseOverwrite with `overwrite_hint`). kExitOk with
// `*pub_out` set, else the exit code reported.
int ResolveKeyPairPaths(const KeyPairOptions& o, const std::string& overwrite_hint,
                        std::string* pub_out);

// Exit code for a failure to read an input file: a missing or unreadable file is I/O (3),
// a file over the size limit is bad usage (2).
int ExitCodeForReadError(const Status& status);
// io_error or input_too_large, for a failure to read an input file.
ErrorCode ReadErrorCode(const Status& status);
// Reports that failure of `what` (ReadErrorCode's code, the status's message) and returns its
// exit code.
int ReportReadFailure(bool json, const std::string& what, const Status& status,
                      const std::string& hint = "");
// Reads the input file `path` (at most `max_size` bytes) into `*out`; a failure is reported as
// "cannot read <path>" (ReportReadFailure). kExitOk, else the exit code reported.
int ReadInputFile(bool json, const std::string& path, size_t max_size, Bytes* out);

// Reads and parses a c2sp.org/tlog-policy file. On failure, `*exit_code` and `*code` (the
// --json error code) say how to report it.
StatusOr<tlog::Policy> ReadPolicyFile(const std::string& path, int* exit_code, std::string* code);

// A root certificate for SGX verification (`--trust-root`, `--sim-root`): DER, or PEM holding
// exactly one certificate. As a production root, a root of Vouch's own simulated PKI is refused
// (reason trust_root_is_simulation; docs/sgx-verify.md, "Trust roots"). Other failures: I/O, or
// reason root_malformed.
StatusOr<sgx::TrustRoot> ReadTrustRoot(const std::string& path, sgx::TrustRootKind kind);

// ---- Environment defaults (docs/cli.md, "Environment") ----

inline constexpr char kEnvLogUrl[] = "VOUCH_LOG_URL";
inline constexpr char kEnvPolicy[] = "VOUCH_POLICY";
inline constexpr char kEnvRootSetPin[] = "VOUCH_ROOT_SET_PIN";

// The value of environment variable `name`, when set and not empty.
std::optional<std::string> EnvDefault(const char* name);

// ---- --verbose and progress ----

// Prints "vouch: <line>" on stderr when `on`.
void Verbose(bool on, const std::string& line);

// The items as "a, b, c", or "none" for no items.
std::string JoinOrNone(const std::vector<std::string>& items);

// Writes `data` to `path` atomically with `mode`, or to standard output (unbuffered) for "-".
Status WriteOutput(const std::string& path, ByteSpan data, mode_t mode = 0644);

// The monotonic time that progress, --verbose timings and waits are measured with: the one
// place the command layer reads it.
std::chrono::steady_clock::time_point SteadyNow();

// Milliseconds since `start`, as "12 ms" or "1.5 s".
std::string Elapsed(std::chrono::steady_clock::time_point start);

// While it lives, tells the user on stderr that the command is waiting: first after `first`,
// then every `every`, as "vouch: <what> (<n> s of at most <limit> s)". Nothing is printed for
// waits shorter than `first`.
class WaitNotice {
 public:
  WaitNotice(std::string what, std::chrono::seconds limit,
             std::chrono::milliseconds first = std::chrono::seconds(2),
             std::chrono::milliseconds every = std::chrono::seconds(5));
  ~WaitNotice();
  WaitNotice(const WaitNotice&) = delete;
  WaitNotice& operator=(const WaitNotice&) = delete;

 private:
  void Run();

  const std::string what_;
  const std::chrono::seconds limit_;
  const std::chrono::milliseconds first_;
  const std::chrono::milliseconds every_;
  const std::chrono::steady_clock::time_point start_;
  Mutex mu_;
  CondVar cv_;
  bool done_ VOUCH_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// ---- The command tree ----

// Sets the text at the top of `cmd`'s own help page; its description (set when it was added)
// stays the one-line summary that its parent's help lists. Needs the app's formatter to be the
// command's own (help.h, HelpFormatter), which every command inherits from the root.
void SetLongDescription(CLI::App* cmd, std::string text);

// The subcommand `name` of `parent`, created with `description` on first use, so that several
// command families can share a parent such as `serve`.
CLI::App* GetOrAddSubcommand(CLI::App& parent, const std::string& name,
                             const std::string& description);

// Each command family registers its subcommands on `app`.
void RegisterConstraintCommands(CLI::App& app, CommandContext& ctx);
void RegisterSgxCommands(CLI::App& app, CommandContext& ctx);
void RegisterWitnessCommands(CLI::App& app, CommandContext& ctx);
void RegisterLogCommands(CLI::App& app, CommandContext& ctx);
void RegisterServeCommands(CLI::App& app, CommandContext& ctx);   // `serve log`, `serve witness`
void RegisterVersionCommand(CLI::App& app, CommandContext& ctx);  // `version`
void RegisterDemoCommand(CLI::App& app, CommandContext& ctx);     // `demo`
void RegisterSimCommands(CLI::App& app, CommandContext& ctx);
void RegisterEnclaveCommands(CLI::App& app, CommandContext& ctx);    // also `measure`
void RegisterSealCommands(CLI::App& app, CommandContext& ctx);       // `seal`, `unseal`
void RegisterProvisionCommands(CLI::App& app, CommandContext& ctx);  // `provision`
// `provision handoff` (serve_cmd.cc: it is a broker service), added to the `provision` family.
void AddProvisionHandoffCommand(CLI::App* provision, CommandContext& ctx);
// `provision envelope` (provision_envelope_cmd.cc).
void AddProvisionEnvelopeCommand(CLI::App* provision, CommandContext& ctx);
// `provision recover` (provision_recover_cmd.cc).
void AddProvisionRecoverCommand(CLI::App* provision, CommandContext& ctx);
// `provision fetch` and `provision unseal` (provision_fetch_cmd.cc): the enclave side of a
// release.
void AddProvisionFetchCommand(CLI::App* provision, CommandContext& ctx);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_CLI_COMMON_H_

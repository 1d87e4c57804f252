// The error codes of the `vouch` command and the one mapping from a library Status to a
// command's outcome (docs/error-codes.md, docs/cli.md).
//
// Every code that `--json` output can carry in error.code is in one table, each with the exit
// code it always comes with: the command layer's own codes (below) and the library's reasons
// (vouch/<module>/reasons.h). ErrorCodeFor() maps a Status through that table; nothing else in
// the command decides an exit code. A unit test (error_codes_test.cc) checks the table against
// docs/error-codes.md in both directions.
#ifndef VOUCH_CLI_ERROR_CODES_H_
#define VOUCH_CLI_ERROR_CODES_H_

#include <span>
#include <string>
#include <string_view>

#include "vouch/base/status.h"

namespace vouch::cli {

// Exit codes of every command (DESIGN.md §4, docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,        // success / accepted
  kExitRejected = 1,  // evidence, entry or proof examined and rejected (incl. unparseable evidence)
  kExitUsage = 2,     // cannot run as asked: bad usage, malformed constraint/EII/policy/config
  kExitIo = 3,        // I/O or internal error
};

// An error code and the exit code it comes with.
struct ErrorCode {
  std::string_view code;
  ExitCode exit_code;
};

// The command layer's own codes (the library's are its modules' reasons).
namespace codes {
// Generic: usage errors of the parser and of option values, I/O, and the fallbacks of
// ErrorCodeFor for statuses without a reason.
inline constexpr ErrorCode kUsage{"usage", kExitUsage};
inline constexpr ErrorCode kInvalidArgument{"invalid_argument", kExitUsage};
inline constexpr ErrorCode kInputTooLarge{"input_too_large", kExitUsage};
inline constexpr ErrorCode kFileExists{"file_exists", kExitUsage};
inline constexpr ErrorCode kInvalidTime{"invalid_time", kExitUsage};
inline constexpr ErrorCode kUrlMalformed{"url_malformed", kExitUsage};
inline constexpr ErrorCode kKeyMalformed{"key_malformed", kExitUsage};
inline constexpr ErrorCode kRejected{"rejected", kExitRejected};
inline constexpr ErrorCode kIoError{"io_error", kExitIo};
inline constexpr ErrorCode kInternalError{"internal_error", kExitIo};
// sgx verify / sgx collateral fetch.
inline constexpr ErrorCode kRootMalformed{"root_malformed", kExitUsage};
inline constexpr ErrorCode kTrustRootIsSimulation{"trust_root_is_simulation", kExitUsage};
inline constexpr ErrorCode kConstraintFailed{"constraint_failed", kExitRejected};
inline constexpr ErrorCode kPckCertMalformed{"pck_cert_malformed", kExitUsage};
inline constexpr ErrorCode kPckCertMissing{"pck_cert_missing", kExitUsage};
inline constexpr ErrorCode kPccsUnavailable{"pccs_unavailable", kExitIo};
// log and witness commands.
inline constexpr ErrorCode kInvalidOrigin{"invalid_origin", kExitUsage};
inline constexpr ErrorCode kInvalidName{"invalid_name", kExitUsage};
inline constexpr ErrorCode kEntryEmpty{"entry_empty", kExitUsage};
inline constexpr ErrorCode kIndexMalformed{"index_malformed", kExitUsage};
inline constexpr ErrorCode kTrustMissing{"trust_missing", kExitUsage};
inline constexpr ErrorCode kStateInvalid{"state_invalid", kExitUsage};
inline constexpr ErrorCode kPolicyQuorumNone{"policy_quorum_none", kExitUsage};
inline constexpr ErrorCode kLogUnreachable{"log_unreachable", kExitIo};
inline constexpr ErrorCode kWitnessQuorumMissing{"witness_quorum_missing", kExitIo};
inline constexpr ErrorCode kLogResponseMalformed{"log_response_malformed", kExitRejected};
inline constexpr ErrorCode kLeafHashMismatch{"leaf_hash_mismatch", kExitRejected};
inline constexpr ErrorCode kNotFound{"not_found", kExitRejected};
inline constexpr ErrorCode kEntryNotFound{"entry_not_found", kExitRejected};
inline constexpr ErrorCode kEntryTooLarge{"entry_too_large", kExitRejected};
inline constexpr ErrorCode kProofFileMismatch{"proof_file_mismatch", kExitRejected};
// serve log / serve witness.
inline constexpr ErrorCode kWrongKey{"wrong_key", kExitUsage};
inline constexpr ErrorCode kNoLogs{"no_logs", kExitUsage};
inline constexpr ErrorCode kLogMalformed{"log_malformed", kExitUsage};
inline constexpr ErrorCode kDataDirInUse{"data_dir_in_use", kExitIo};
inline constexpr ErrorCode kStoreFailed{"store_failed", kExitIo};
inline constexpr ErrorCode kListenFailed{"listen_failed", kExitIo};
// demo.
inline constexpr ErrorCode kDemoStepFailed{"demo_step_failed", kExitIo};
}  // namespace codes

// Every code: the command layer's and the library's, each once.
std::span<const ErrorCode> AllErrorCodes();
// The table's entry for `code`, or nullptr.
const ErrorCode* FindErrorCode(std::string_view code);

// What a failed Status means for the command: its reason and that reason's exit code when the
// table has it; otherwise a generic code by StatusCode:
//   kPermissionDenied                                       rejected, 1
//   kInvalidArgument, kFailedPrecondition, kAlreadyExists,
//   kOutOfRange                                             invalid_argument, 2
//   kNotFound, kUnavailable, kDeadlineExceeded, kDataLoss,
//   kResourceExhausted                                      io_error, 3
//   anything else                                           internal_error, 3
// A reason missing from the table keeps its text with the generic exit code.
struct Failure {
  std::string code;
  ExitCode exit_code;
};
Failure ErrorCodeFor(const Status& status);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_ERROR_CODES_H_

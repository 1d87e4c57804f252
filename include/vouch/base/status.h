// Status: the one error model of Vouch (no exceptions cross a public API).
//
// Codes follow abseil's canonical set. Vouch gives four of them a fixed meaning, because
// callers (and the CLI's exit codes) must keep these outcomes apart:
//   kInvalidArgument    the input is malformed (does not parse)
//   kFailedPrecondition the input parses but is inconsistent (e.g. an invalid constraint)
//   kPermissionDenied   the input was examined and rejected (bad signature, policy failure)
//   kUnavailable        I/O failed (unreadable file, unreachable server)
//   kInternal           a library (OpenSSL, SQLite) failed where it should not
//
// A Status may also carry a `reason`: a short, stable, machine-readable code such as
// "qe_identity_signature_invalid" that `--json` output prints as `error.code`.
//
// Thread-compatible value type.
#ifndef VOUCH_BASE_STATUS_H_
#define VOUCH_BASE_STATUS_H_

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace vouch {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Machine-readable reason code; empty when none was attached.
  const std::string& reason() const { return reason_; }

  // Returns a copy whose message is "`context`: <message>" (code and reason kept).
  Status WithContext(std::string_view context) const;
  // Returns a copy with `reason` attached (replacing any earlier one).
  Status WithReason(std::string reason) const;

  // "INVALID_ARGUMENT: message" or "OK".
  std::string ToString() const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.reason_ == b.reason_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

inline Status OkStatus() { return Status(); }
Status InvalidArgumentError(std::string message);
Status FailedPreconditionError(std::string message);
Status PermissionDeniedError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status UnavailableError(std::string message);
Status InternalError(std::string message);
Status OutOfRangeError(std::string message);
Status DataLossError(std::string message);
Status UnimplementedError(std::string message);
Status ResourceExhaustedError(std::string message);

// A verification or policy rejection with a stable reason code.
inline Status RejectedError(std::string reason, std::string message) {
  return Status(StatusCode::kPermissionDenied, std::move(message), std::move(reason));
}
// Malformed input with a stable reason code.
inline Status MalformedError(std::string reason, std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(reason));
}

}  // namespace vouch

#define VOUCH_STATUS_CONCAT_INNER_(a, b) a##b
#define VOUCH_STATUS_CONCAT_(a, b) VOUCH_STATUS_CONCAT_INNER_(a, b)

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define VOUCH_RETURN_IF_ERROR(expr)             \
  do {                                          \
    ::vouch::Status vouch_status_tmp_ = (expr); \
    if (!vouch_status_tmp_.ok()) {              \
      return vouch_status_tmp_;                 \
    }                                           \
  } while (false)

#endif  // VOUCH_BASE_STATUS_H_

// StatusOr<T>: either a value or a non-OK Status. Factories return it, so an object that
// exists is always valid (no two-phase init).
//
// Thread-compatible value type.
#ifndef VOUCH_BASE_STATUSOR_H_
#define VOUCH_BASE_STATUSOR_H_

#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>

#include "vouch/base/status.h"

namespace vouch {

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  using value_type = T;

  // REQUIRES: !status.ok(). An OK status without a value becomes an internal error.
  StatusOr(const Status& status) : status_(status) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = InternalError("StatusOr constructed from an OK status");
  }
  StatusOr(Status&& status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = InternalError("StatusOr constructed from an OK status");
  }
  StatusOr(const T& value) : value_(value) {}        // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status> &&
           !std::is_same_v<std::decay_t<U>, StatusOr<T>>) StatusOr(U&& value)
      : value_(std::forward<U>(value)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok(). Aborts otherwise: reading a value that is not there is a programming error.
  const T& value() const& { return Checked(); }
  T& value() & { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  const T& operator*() const& { return Checked(); }
  T& operator*() & { return Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  const T* operator->() const { return &Checked(); }
  T* operator->() { return &Checked(); }

 private:
  T& Checked() {
    if (!value_.has_value()) std::abort();
    return *value_;
  }
  const T& Checked() const {
    if (!value_.has_value()) std::abort();
    return *value_;
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace vouch

// Evaluates `rexpr` (a StatusOr); returns its status on error, else moves the value into `lhs`.
#define VOUCH_ASSIGN_OR_RETURN(lhs, rexpr) \
  VOUCH_ASSIGN_OR_RETURN_IMPL_(VOUCH_STATUS_CONCAT_(vouch_statusor_, __LINE__), lhs, rexpr)
#define VOUCH_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) {                                    \
    return tmp.status();                              \
  }                                                   \
  lhs = std::move(tmp).value()

#endif  // VOUCH_BASE_STATUSOR_H_

// TeeConstraint: one constraint string for either TEE, and the identity it is checked against
// (docs/constraints.md, "One flag for SGX and TDX"). This is the type for code that holds
// constraint strings without knowing the TEE in advance — `vouch sgx verify --constraint`, and
// governance admissions and the broker's release policy when they accept TDs.
//
//   * A string with a TEE term (TEE:TDX) is a TDX constraint (TdConstraint).
//   * Any other string is a Conclave constraint, parsed by EnclaveConstraint byte for byte: its
//     grammar, meaning and messages are untouched.
//   * A Conclave constraint checked against a TD, or a TDX constraint against an SGX enclave, is
//     a rejection (kPermissionDenied, reason "constraint_tee_mismatch"), never a match: the
//     identities are different types (EnclaveInstanceInfo, TdInstanceInfo) and no field of one
//     is ever read as a field of the other.
//
// Thread-compatible value type.
#ifndef VOUCH_CONSTRAINT_TEE_CONSTRAINT_H_
#define VOUCH_CONSTRAINT_TEE_CONSTRAINT_H_

#include <string>
#include <string_view>
#include <variant>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/constraint/td_constraint.h"
#include "vouch/constraint/td_instance_info.h"

namespace vouch {

enum class Tee { kSgx, kTdx };
std::string_view TeeName(Tee tee);  // "SGX", "TDX"

// An attested instance: an SGX enclave or an Intel TDX trust domain.
using TeeInstanceInfo = std::variant<EnclaveInstanceInfo, TdInstanceInfo>;
Tee TeeOf(const TeeInstanceInfo& instance);

class TeeConstraint {
 public:
  explicit TeeConstraint(EnclaveConstraint sgx) : constraint_(std::move(sgx)) {}
  explicit TeeConstraint(TdConstraint tdx) : constraint_(std::move(tdx)) {}

  // A TDX constraint when a space-separated token has the key TEE, else a Conclave constraint
  // (validated as EnclaveConstraint::Parse(s) does). Errors are those of the chosen parser; a
  // Conclave constraint with unknown TDX keys gets a hint to start it with TEE:TDX.
  static StatusOr<TeeConstraint> Parse(std::string_view descriptor);

  Tee tee() const;
  // The constraint for its TEE; null for the other.
  const EnclaveConstraint* sgx() const { return std::get_if<EnclaveConstraint>(&constraint_); }
  const TdConstraint* tdx() const { return std::get_if<TdConstraint>(&constraint_); }

  // The constraint's own Check() when `instance` is of its TEE; otherwise kPermissionDenied,
  // reason "constraint_tee_mismatch", saying which TEE each is.
  Status Check(const TeeInstanceInfo& instance, UnixSeconds now) const;

  // The canonical form of the underlying constraint.
  std::string ToString() const;

  friend bool operator==(const TeeConstraint&, const TeeConstraint&) = default;

 private:
  std::variant<EnclaveConstraint, TdConstraint> constraint_;
};

}  // namespace vouch

#endif  // VOUCH_CONSTRAINT_TEE_CONSTRAINT_H_

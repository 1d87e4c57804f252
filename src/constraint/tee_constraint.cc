#include "vouch/constraint/tee_constraint.h"

#include "vouch/constraint/reasons.h"

namespace vouch {
namespace {

// True when a space-separated token of `descriptor` has the key TEE.
bool HasTeeToken(std::string_view descriptor) {
  size_t pos = 0;
  while (pos <= descriptor.size()) {
    size_t end = descriptor.find(' ', pos);
    if (end == std::string_view::npos) end = descriptor.size();
    std::string_view piece = descriptor.substr(pos, end - pos);
    if (piece.substr(0, 4) == "TEE:") return true;
    pos = end + 1;
  }
  return false;
}

bool MentionsTdxKey(std::string_view message) {
  for (std::string_view key :
       {"MRTD", "RTMR", "MRSEAM", "MRCONFIGID", "MROWNER", "MRSERVICETD", "TDATTR", "XFAM"}) {
    if (message.find(key) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

std::string_view TeeName(Tee tee) { return tee == Tee::kSgx ? "SGX" : "TDX"; }

Tee TeeOf(const TeeInstanceInfo& instance) {
  return std::holds_alternative<EnclaveInstanceInfo>(instance) ? Tee::kSgx : Tee::kTdx;
}

StatusOr<TeeConstraint> TeeConstraint::Parse(std::string_view descriptor) {
  if (HasTeeToken(descriptor)) {
    VOUCH_ASSIGN_OR_RETURN(TdConstraint tdx, TdConstraint::Parse(descriptor));
    return TeeConstraint(std::move(tdx));
  }
  auto sgx = EnclaveConstraint::Parse(descriptor);
  if (!sgx.ok()) {
    const Status& s = sgx.status();
    if (s.message().rfind("Unknown keys [", 0) == 0 && MentionsTdxKey(s.message())) {
      return Status(s.code(), s.message() + " (TDX terms: start a TDX constraint with TEE:TDX)",
                    std::string(s.reason()));
    }
    return s;
  }
  return TeeConstraint(std::move(*sgx));
}

Tee TeeConstraint::tee() const { return sgx() != nullptr ? Tee::kSgx : Tee::kTdx; }

Status TeeConstraint::Check(const TeeInstanceInfo& instance, UnixSeconds now) const {
  if (const auto* enclave = std::get_if<EnclaveInstanceInfo>(&instance); enclave && sgx()) {
    return sgx()->Check(*enclave, now);
  }
  if (const auto* td = std::get_if<TdInstanceInfo>(&instance); td && tdx()) {
    return tdx()->Check(*td, now);
  }
  return RejectedError(
      constraint::reasons::kConstraintTeeMismatch,
      tee() == Tee::kSgx
          ? "The constraint names an SGX enclave (a Conclave constraint) but the evidence is an "
            "Intel TDX trust domain; name a TD with a TDX constraint (TEE:TDX MRTD:…)."
          : "The constraint names an Intel TDX trust domain (TEE:TDX) but the evidence is an SGX "
            "enclave; name an enclave with a Conclave constraint (C:… or S:… PROD:…).");
}

std::string TeeConstraint::ToString() const {
  return sgx() != nullptr ? sgx()->ToString() : tdx()->ToString();
}

}  // namespace vouch

// libFuzzer target for the constraint DSL parser (spec/constraint-dsl.md §2-§4, §10).
//
// Properties checked on every input, for parse(s) and parse(s, false):
//   * failures are kInvalidArgument (malformed) or, with the validity check, kFailedPrecondition;
//   * a parsed constraint round-trips: Parse(ToString()) == original and ToString is stable;
//   * Check() against a fixed enclave only accepts, rejects, or reports an invalid constraint;
//   * the hints (constraint/hints.h) are empty exactly for a valid constraint, and a rejection's
//     hint can be computed for any rejection.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/constraint/hints.h"

namespace {

vouch::EnclaveInstanceInfo FixedEnclave() {
  vouch::EnclaveInstanceInfo info;
  info.code_hash.fill(0xda);
  info.code_signer.fill(0x00);
  info.product_id = 1;
  info.isv_svn = 4;
  info.security.summary = vouch::SecuritySummary::kStale;
  info.security.timestamp = 1750330571;  // 2025-06-19T10:56:11Z
  return info;
}

void CheckOne(std::string_view text, bool check_validity) {
  auto parsed = vouch::EnclaveConstraint::Parse(text, check_validity);
  if (check_validity && parsed.ok() != vouch::ConstraintParseHint(text).empty()) std::abort();
  if (!parsed.ok()) {
    vouch::StatusCode code = parsed.status().code();
    if (code == vouch::StatusCode::kInvalidArgument) return;
    if (check_validity && code == vouch::StatusCode::kFailedPrecondition) return;
    std::abort();
  }
  const std::string canonical = parsed->ToString();
  auto again = vouch::EnclaveConstraint::Parse(canonical, check_validity);
  if (!again.ok() || !(*again == *parsed) || again->ToString() != canonical) std::abort();

  static const vouch::EnclaveInstanceInfo kEnclave = FixedEnclave();
  for (vouch::UnixSeconds now :
       {vouch::UnixSeconds{0}, vouch::UnixSeconds{1750330571}, vouch::UnixSeconds{253402300799}}) {
    vouch::Status s = parsed->Check(kEnclave, now);
    vouch::StatusCode code = s.code();
    if (code == vouch::StatusCode::kPermissionDenied) {
      (void)vouch::ConstraintCheckHint(*parsed, kEnclave, s);
    }
    if (code != vouch::StatusCode::kOk && code != vouch::StatusCode::kPermissionDenied &&
        code != vouch::StatusCode::kFailedPrecondition) {
      std::abort();
    }
    if (check_validity && code == vouch::StatusCode::kFailedPrecondition) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckOne(text, /*check_validity=*/true);
  CheckOne(text, /*check_validity=*/false);
  return 0;
}

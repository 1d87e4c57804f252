// Fuzzes the TDX constraint parser (through TeeConstraint, which also dispatches Conclave
// strings) and the TD info JSON reader. The first byte selects which.
//
// Properties: parse failures are kInvalidArgument or, for an invalid constraint,
// kFailedPrecondition; a parsed constraint round-trips through its canonical form; Check()
// against a fixed TD and a fixed enclave only accepts or rejects (a constraint of the other TEE
// always rejects with constraint_tee_mismatch); an accepted TD info document round-trips.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/constraint/tee_constraint.h"

namespace {

vouch::TdInstanceInfo FixedTd() {
  vouch::TdInstanceInfo td;
  td.mr_td.fill(0x91);
  td.rtmr[0].fill(0x44);
  td.td_attributes[3] = 0x10;
  td.security.summary = vouch::SecuritySummary::kSecure;
  td.security.timestamp = 1750329147;
  return td;
}

void FuzzConstraint(std::string_view text) {
  auto parsed = vouch::TeeConstraint::Parse(text);
  if (!parsed.ok()) {
    vouch::StatusCode code = parsed.status().code();
    if (code != vouch::StatusCode::kInvalidArgument &&
        code != vouch::StatusCode::kFailedPrecondition) {
      std::abort();
    }
    return;
  }
  const std::string canonical = parsed->ToString();
  auto again = vouch::TeeConstraint::Parse(canonical);
  if (!again.ok() || !(*again == *parsed) || again->ToString() != canonical) std::abort();
  static const vouch::TdInstanceInfo kTd = FixedTd();
  static const vouch::EnclaveInstanceInfo kEnclave = [] {
    vouch::EnclaveInstanceInfo e;
    e.code_hash.fill(0x91);
    return e;
  }();
  for (const vouch::TeeInstanceInfo& instance :
       {vouch::TeeInstanceInfo(kTd), vouch::TeeInstanceInfo(kEnclave)}) {
    vouch::Status s = parsed->Check(instance, 1752919234);
    if (!s.ok() && s.code() != vouch::StatusCode::kPermissionDenied) std::abort();
    if (vouch::TeeOf(instance) != parsed->tee() && s.reason() != "constraint_tee_mismatch") {
      std::abort();
    }
  }
}

void FuzzTdInfo(std::string_view text) {
  auto info = vouch::TdInstanceInfo::FromJson(text);
  if (!info.ok()) {
    if (info.status().code() != vouch::StatusCode::kInvalidArgument ||
        info.status().reason() != "td_info_malformed") {
      std::abort();
    }
    return;
  }
  const std::string json = info->ToJson();
  auto again = vouch::TdInstanceInfo::FromJson(json);
  if (!again.ok() || !(*again == *info) || again->ToJson() != json) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    FuzzConstraint(text);
  } else {
    FuzzTdInfo(text);
  }
  return 0;
}

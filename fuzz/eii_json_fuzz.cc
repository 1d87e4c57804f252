// libFuzzer target for the strict EII JSON reader (docs/eii-json.md).
//
// Properties checked on every input:
//   * a failure is kInvalidArgument with reason "eii_malformed" (no exception escapes);
//   * an accepted document round-trips: FromJson(ToJson()) == original, and writing it again
//     gives the same text, compact and pretty-printed;
//   * Check() of a constraint against it only accepts or rejects.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto info = vouch::EnclaveInstanceInfo::FromJson(text);
  if (!info.ok()) {
    if (info.status().code() != vouch::StatusCode::kInvalidArgument ||
        info.status().reason() != "eii_malformed") {
      std::abort();
    }
    return 0;
  }
  const std::string json = info->ToJson();
  auto again = vouch::EnclaveInstanceInfo::FromJson(json);
  if (!again.ok() || !(*again == *info) || again->ToJson() != json) std::abort();
  auto pretty = vouch::EnclaveInstanceInfo::FromJson(info->ToJson(2));
  if (!pretty.ok() || !(*pretty == *info)) std::abort();

  static const auto kConstraint = vouch::EnclaveConstraint::Parse(
      "C:DADADADADADADADADADADADADADADADADADADADADADADADADADADADADADADADA "
      "S:0000000000000000000000000000000000000000000000000000000000000000 PROD:1 REVOKE:1 "
      "EXPIRE:P1Y2M3D SEC:STALE");
  if (!kConstraint.ok()) std::abort();
  vouch::StatusCode code = kConstraint->Check(*info, 1750330571).code();
  if (code != vouch::StatusCode::kOk && code != vouch::StatusCode::kPermissionDenied) std::abort();
  return 0;
}

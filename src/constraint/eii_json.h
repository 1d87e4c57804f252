// Internal: EII JSON as nlohmann values, for commands and modules that embed an
// EnclaveInstanceInfo in a larger JSON document (e.g. `vouch sgx verify --json`). Kept out of
// the public header so that nlohmann does not leak into libvouch's API; reachable from every
// target that has src/ on its private include path.
//
// Neither function throws.
#ifndef VOUCH_CONSTRAINT_EII_JSON_H_
#define VOUCH_CONSTRAINT_EII_JSON_H_

#include <nlohmann/json.hpp>

#include "vouch/base/statusor.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch::internal {

// The EII JSON object, keys in the documented order (docs/eii-json.md). Dump it with
// nlohmann::json::error_handler_t::replace: `security.reason` may hold invalid UTF-8 when the
// EII was built in code.
nlohmann::ordered_json EiiToJsonValue(const EnclaveInstanceInfo& info);

// The checks of EnclaveInstanceInfo::FromJson on an already parsed value (duplicate keys can
// only be detected by FromJson, which sees the text).
StatusOr<EnclaveInstanceInfo> EiiFromJsonValue(const nlohmann::json& value);
StatusOr<EnclaveInstanceInfo> EiiFromJsonValue(const nlohmann::ordered_json& value);

}  // namespace vouch::internal

#endif  // VOUCH_CONSTRAINT_EII_JSON_H_

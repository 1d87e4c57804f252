// Internal: TD info JSON as an nlohmann value, for commands that embed a TdInstanceInfo in a
// larger JSON document (`vouch sgx verify --json`), as eii_json.h does for EIIs. Kept out of
// the public header so that nlohmann does not leak into libvouch's API. Does not throw.
#ifndef VOUCH_CONSTRAINT_TD_INFO_JSON_H_
#define VOUCH_CONSTRAINT_TD_INFO_JSON_H_

#include <nlohmann/json.hpp>

#include "vouch/constraint/td_instance_info.h"

namespace vouch::internal {

// The TD info JSON object, keys in the documented order (docs/td-info.md). Dump it with
// nlohmann::json::error_handler_t::replace: `security.reason` may hold invalid UTF-8 when the
// value was built in code.
nlohmann::ordered_json TdInfoToJsonValue(const TdInstanceInfo& info);

}  // namespace vouch::internal

#endif  // VOUCH_CONSTRAINT_TD_INFO_JSON_H_

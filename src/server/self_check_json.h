// Internal: the members every attested service's GET /identity `status` object shares (root
// and broker; docs/root.md and docs/broker.md "HTTP API"): the outcome of the last self-check
// and the admission it found.
//
//   "check": "ok" | <reason>, "message": <text>, "checked_size": N, "checked_at": <RFC 3339>,
//   "admitted_by": {"index": N, "sha256": <hex>} | null
//
// Thread-compatible free function.
#ifndef VOUCH_SERVER_SELF_CHECK_JSON_H_
#define VOUCH_SERVER_SELF_CHECK_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "vouch/base/encoding.h"
#include "vouch/base/status.h"
#include "vouch/base/time.h"
#include "vouch/govern/statement.h"

namespace vouch::server::internal {

// Writes the shared members into `j`, after any it already has.
inline void AddSelfCheckJson(nlohmann::ordered_json& j, const Status& check, uint64_t checked_size,
                             UnixSeconds checked_at,
                             const std::optional<govern::EntryRef>& admitted_by) {
  j["check"] = check.ok() ? "ok" : check.reason();
  j["message"] = check.message();
  j["checked_size"] = checked_size;
  j["checked_at"] = FormatRfc3339(checked_at);
  if (admitted_by) {
    j["admitted_by"] = {{"index", admitted_by->index}, {"sha256", HexEncode(admitted_by->sha256)}};
  } else {
    j["admitted_by"] = nullptr;
  }
}

}  // namespace vouch::server::internal

#endif  // VOUCH_SERVER_SELF_CHECK_JSON_H_

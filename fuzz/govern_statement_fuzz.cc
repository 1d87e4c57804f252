// libFuzzer target for the statement parser (checks S1-S3 of docs/governance.md; every
// predicate of docs/formats/statements.md) and the strict JSON reader / RFC 8785 writer.
//
// Properties checked on every input:
//   * failures are kInvalidArgument with a non-empty reason, and the error path is a JSON
//     pointer ("" or starting with '/');
//   * a parsed statement encodes back to exactly the input bytes (the payload is canonical and
//     the typed model loses nothing);
//   * the canonical form of any strictly parsed JSON value is a fixed point.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dsse/jcs.h"
#include "vouch/govern/statement.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = internal::ParseJson(text);
  if (json.ok()) {
    auto canonical = internal::CanonicalJson(*json);
    if (canonical.ok()) {
      auto again = internal::ParseJson(*canonical);
      if (!again.ok() || *internal::CanonicalJson(*again) != *canonical) std::abort();
    }
  } else if (json.status().code() != StatusCode::kInvalidArgument) {
    std::abort();
  }
  govern::ParseDiagnostics diag;
  auto st = govern::ParseStatement(AsBytes(text), &diag);
  if (!st.ok()) {
    if (st.status().code() != StatusCode::kInvalidArgument || st.status().reason().empty()) {
      std::abort();
    }
    if (!diag.path.empty() && diag.path[0] != '/') std::abort();
    return 0;
  }
  auto encoded = govern::EncodeStatement(*st);
  if (!encoded.ok() || AsStringView(*encoded) != text) std::abort();
  (void)govern::PersonalDataRule(text.substr(0, 256));
  return 0;
}

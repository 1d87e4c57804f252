// libFuzzer target for the provision-anchors.json reader (src/provision/anchors.cc,
// spec/provisioning.md §3.6), seeded with valid files (fuzz/corpus/provision_anchors/).
//
// Properties checked on every input (any violation aborts):
//   * a failure is kInvalidArgument with reason "anchors_malformed";
//   * what parses has 1..8 distinct owner keys and, if any, a non-empty policy;
//   * FromKeys accepts the parsed keys and policy again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/provision/anchors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  auto anchors = provision::Anchors::Parse(ByteSpan(data, size));
  if (!anchors.ok()) {
    if (anchors.status().code() != StatusCode::kInvalidArgument ||
        anchors.status().reason() != provision::kReasonAnchorsMalformed) {
      std::abort();
    }
    return 0;
  }
  const size_t n = anchors->owner_keys().size();
  if (n < 1 || n > provision::kMaxAnchorOwnerKeys) std::abort();
  if (anchors->policy() && anchors->policy()->empty()) std::abort();
  if (!provision::Anchors::FromKeys(anchors->owner_keys().keys(), anchors->policy()).ok()) {
    std::abort();
  }
  return 0;
}

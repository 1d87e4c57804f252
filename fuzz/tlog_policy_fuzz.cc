// Fuzzes witness-policy parsing (C2SP and Sigsum variants) and quorum evaluation
// (spec/transparency-log.md §10). Invariant: all listed witnesses satisfy the quorum unless some
// cannot verify.
#include <cstddef>
#include <cstdint>
#include <set>

#include "tlog_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch::tlog;
  std::string_view text = fuzz::AsText(data, size);
  for (bool sigsum : {false, true}) {
    auto p = sigsum ? Policy::ParseSigsum(text) : Policy::Parse(text);
    if (!p.ok()) continue;
    std::set<std::string> all;
    for (const auto& w : p->witnesses()) all.insert(w.name);
    fuzz::Check(p->QuorumSatisfied(all));
    bool none = p->QuorumSatisfied({});
    if (!none) fuzz::Check(!p->ExplainQuorum({}).empty());
    fuzz::Check(p->witnesses().size() <= kMaxPolicyWitnesses);
  }
  return 0;
}

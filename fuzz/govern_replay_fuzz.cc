// libFuzzer target for the ledger replay (docs/governance.md): the input is a JSON Lines file of
// entries, replayed in order as `vouch audit replay` does, without a pin (trust on first use).
//
// Properties checked on every input:
//   * replaying twice gives the same verdicts (validity is decided once, deterministically);
//   * an invalid entry carries a code, a valid one none;
//   * the queries and reports answer at every position without failing.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "vouch/govern/replay.h"

namespace {

std::vector<vouch::govern::EntryVerdict> Replay(const std::vector<std::string_view>& lines,
                                                vouch::govern::GovernanceState& state) {
  std::vector<vouch::govern::EntryVerdict> out;
  for (std::string_view line : lines) out.push_back(state.Append(vouch::AsBytes(line)));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size() && lines.size() < 64) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  govern::GovernanceState a({});
  govern::GovernanceState b({});
  auto va = Replay(lines, a);
  auto vb = Replay(lines, b);
  for (size_t i = 0; i < va.size(); ++i) {
    if (va[i].valid != vb[i].valid || va[i].code != vb[i].code || va[i].index != i) std::abort();
    if (va[i].valid != va[i].code.empty()) std::abort();
  }
  EnclaveInstanceInfo eii;
  eii.security.summary = SecuritySummary::kSecure;
  for (uint64_t j = 0; j <= a.size(); ++j) {
    (void)a.Admitted(eii, govern::Role::kWorkload, j, 1800000000);
    (void)a.RootInForce(eii, eii.report_data, j, 1800000000);
  }
  (void)a.RootSetChain();
  (void)a.Reproductions();
  (void)a.Admissions(1800000000);
  (void)a.Records();
  return 0;
}

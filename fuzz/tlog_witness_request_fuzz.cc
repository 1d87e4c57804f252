// Fuzzes add-checkpoint request parsing and the witness decision (spec/transparency-log.md §7)
// against three stored states. Invariants: parsed requests re-serialise exactly; the status is
// one of the protocol's; a new state exists iff the status is 200, and it never moves backwards.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "tlog_fuzz_common.h"
#include "vouch/tlog/merkle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch::tlog;
  std::string_view body = fuzz::AsText(data, size);
  auto request = AddCheckpointRequest::Parse(body);
  if (!request.ok()) {
    fuzz::Check(Witness::RequestParseFailure(request.status()).status == 400);
    return 0;
  }
  fuzz::Check(request->Serialize() == body);
  auto root5 = HashFromBase64("gy5gl3aksFyiCO95a/1vLXz88A3dRq+0l9Sxte8ZqZQ=");
  const std::optional<WitnessState> states[] = {std::nullopt, WitnessState{0, EmptyRoot(), ""},
                                                WitnessState{5, *root5, ""}};
  for (const auto& stored : states) {
    auto r = fuzz::TestWitness().AddCheckpoint(*request, stored, 1700000000);
    fuzz::Check(r.ok());
    const int s = r->status;
    fuzz::Check(s == 200 || s == 400 || s == 403 || s == 404 || s == 409 || s == 422);
    fuzz::Check(r->new_state.has_value() == (s == 200));
    if (r->new_state && stored) fuzz::Check(r->new_state->size >= stored->size);
    if (s == 409) fuzz::Check(r->content_type == kTlogSizeContentType);
  }
  return 0;
}

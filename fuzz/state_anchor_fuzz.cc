// Fuzzes the state anchor parser (docs/formats/state-anchor.md). Invariant: whatever it accepts
// serialises back to exactly the input (the parser is strict: one text per anchor).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vouch/store/state_anchor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto anchor = vouch::store::ParseStateAnchor(text);
  if (anchor.ok() && vouch::store::SerializeStateAnchor(*anchor) != text) __builtin_trap();
  return 0;
}

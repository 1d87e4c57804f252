// Fuzzes checkpoint parsing (spec/transparency-log.md §5) and cosignature decoding (§6).
// Invariants: a parsed checkpoint body re-serialises to exactly its text.
#include <cstddef>
#include <cstdint>

#include "tlog_fuzz_common.h"
#include "vouch/tlog/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch::tlog;
  std::string_view text = fuzz::AsText(data, size);
  auto body = Checkpoint::ParseText(text);
  if (body.ok()) fuzz::Check(body->ToText() == text);
  auto cp = SignedCheckpoint::Parse(text);
  if (cp.ok()) {
    fuzz::Check(cp->checkpoint().ToText() == cp->text());
    fuzz::Check(cp->Serialize() == text);
    cp->Verify(fuzz::Keys()).status().IgnoreError();
    fuzz::TestPolicy().VerifyCheckpoint(*cp).status().IgnoreError();
    for (const auto& sig : cp->note().signatures()) {
      auto c = CosignatureV1::Decode(sig.signature);
      if (c.ok()) fuzz::Check(c->Encode() == sig.signature);
    }
  }
  return 0;
}

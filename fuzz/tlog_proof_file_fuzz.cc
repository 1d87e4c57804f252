// Fuzzes tlog-proof parsing and verification (spec/transparency-log.md §9). Invariant: a parsed
// proof file serialises to exactly its input.
#include <cstddef>
#include <cstdint>

#include "tlog_fuzz_common.h"
#include "vouch/tlog/proof_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch::tlog;
  std::string_view text = fuzz::AsText(data, size);
  auto proof = ProofFile::Parse(text);
  if (proof.ok()) {
    fuzz::Check(proof->Serialize() == text);
    fuzz::Check(proof->index() < proof->checkpoint().checkpoint().size());
    proof->VerifyEntry(vouch::AsBytes("three"), fuzz::TestPolicy()).status().IgnoreError();
  }
  return 0;
}

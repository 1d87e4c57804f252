// libFuzzer target for the inner plaintext parser (src/provision/inner.cc,
// spec/provisioning.md §2.3), seeded with real inner plaintexts (fuzz/corpus/provision_inner/).
//
// Properties checked on every input (any violation aborts):
//   * Parse succeeds exactly when the input is "VPS1" ‖ 32 bytes ‖ u32be(L) ‖ L bytes with
//     1 <= L <= 32768 (an independent check of the grammar), and fails with "inner_malformed";
//   * what it parses re-encodes to the input byte for byte;
//   * its commitment verifies under the same id and fails under another.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "vouch/provision/inner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  ByteSpan in(data, size);
  bool well_formed = false;
  if (size >= 40 && std::memcmp(data, "VPS1", 4) == 0) {
    const uint32_t n = (uint32_t{data[36]} << 24) | (uint32_t{data[37]} << 16) |
                       (uint32_t{data[38]} << 8) | uint32_t{data[39]};
    well_formed = n >= 1 && n <= 32768 && size - 40 == n;
  }
  auto inner = provision::Inner::Parse(in);
  if (inner.ok() != well_formed) std::abort();
  if (!inner.ok()) {
    if (inner.status().reason() != provision::kReasonInnerMalformed) std::abort();
    return 0;
  }
  if (!EqualBytes(inner->Encode().Reveal(), in)) std::abort();
  provision::EnvelopeId id{};
  id[0] = data[size - 1];
  auto commitment = inner->CommitmentFor(id);
  if (!commitment.ok() || !inner->VerifyCommitment(id, *commitment).ok()) std::abort();
  id[1] = 1;
  if (inner->VerifyCommitment(id, *commitment).ok()) std::abort();
  return 0;
}

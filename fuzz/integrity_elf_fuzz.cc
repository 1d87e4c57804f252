// libFuzzer target for the image integrity slot lookup (build/integrity.h, docs/integrity.md):
// LocateIntegritySlot on hostile ELF images, and what the post-link step and the check do with
// an image it accepts. Seeds: fuzz/corpus/integrity_elf/ (a small real program with a slot,
// injected and not, and synthetic images).
//
// Properties checked on every input:
//   * a refusal is kInvalidArgument with reason integrity_unsupported;
//   * an accepted slot lies inside the input and starts with kIntegrityHeader;
//   * ComputeImageDigest is the SHA-256 of the input with the digest field zeroed;
//   * injecting succeeds exactly when the digest field is zero, then the check holds on the
//     result against its own slot, and a second injection is refused (already injected);
//   * ReadImageDigests against another slot is integrity_file_mismatch.
// Any violation aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "vouch/base/bytes.h"
#include "vouch/build/integrity.h"
#include "vouch/build/reasons.h"
#include "vouch/crypto/sha.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  namespace b = vouch::build;
  const ByteSpan in(data, size);
  auto located = b::LocateIntegritySlot(in);
  if (!located.ok()) {
    if (located.status().code() != StatusCode::kInvalidArgument ||
        located.status().reason() != b::reasons::kIntegrityUnsupported) {
      std::abort();
    }
    if (b::ComputeImageDigest(in).ok()) std::abort();
    return 0;
  }
  const uint64_t offset = *located;
  if (offset > size || size - offset < b::kIntegritySlotSize) std::abort();
  const ByteSpan slot = in.subspan(offset, b::kIntegritySlotSize);
  if (!EqualBytes(b::kIntegrityHeader, slot.first(b::kIntegrityDigestOffset))) std::abort();

  Bytes zeroed(in.begin(), in.end());
  std::fill_n(zeroed.begin() + static_cast<ptrdiff_t>(offset + b::kIntegrityDigestOffset), 32, 0);
  auto digest = b::ComputeImageDigest(in);
  if (!digest.ok() || *digest != Sha256(zeroed)) std::abort();

  const bool was_zero = EqualBytes(zeroed, in);
  Bytes image(in.begin(), in.end());
  auto injected = b::InjectIntegrityDigest(image);
  if (injected.ok() != was_zero) std::abort();
  if (!injected.ok()) {
    if (injected.status().reason() != b::reasons::kIntegrityAlreadyInjected) std::abort();
    if (!EqualBytes(image, in)) std::abort();
    return 0;
  }
  if (*injected != *digest) std::abort();
  const ByteSpan running = ByteSpan(image).subspan(offset, b::kIntegritySlotSize);
  auto digests = b::ReadImageDigests(image, running);
  if (!digests.ok() || !b::CheckImageDigests(*digests).ok()) std::abort();
  auto again = b::InjectIntegrityDigest(image);
  if (again.ok() || again.status().reason() != b::reasons::kIntegrityAlreadyInjected) std::abort();
  auto other = b::ReadImageDigests(image, slot);  // the slot as it was: all-zero digest
  if (other.ok() || other.status().reason() != b::reasons::kIntegrityFileMismatch) std::abort();
  return 0;
}

// The image integrity digest (spec/governance.md §5.2, docs/integrity.md): a FIPS 140-style
// self-test of an executable file against accidental change. The program defines one 64-byte
// slot in its own ELF section `.vouch_integrity`; a post-link step writes into it the SHA-256 of
// the file as linked; the running program recomputes it from /proc/self/exe.
//
//   slot (64 bytes, section .vouch_integrity, SHT_PROGBITS, SHF_ALLOC, sh_size 64)
//   +----------------------------------+--------+--------+--------+------------------------+
//   | FF "vouch-integrity" (16 bytes)  | fmt=1  | alg=1  | 0 x 8  | digest D (32 bytes)    |
//   +----------------------------------+--------+--------+--------+------------------------+
//   0                                  16       20       24       32                       64
//
//   D = SHA-256(file with bytes [sh_offset + 32, sh_offset + 64) set to zero)
//
// This library never defines the slot itself (libvouch is linked into other programs): the
// `vouch` program does (src/cli/main.cc) and hands its bytes to the check.
//
// Every function takes hostile input: each offset and size is checked against the file before it
// is used. Errors carry the reasons of vouch/build/reasons.h:
//   integrity_unsupported       (kInvalidArgument) not ELF64 little-endian, section headers
//                               absent, extended numbering, no or several `.vouch_integrity`
//                               sections, wrong type, flags or size, outside the file, or a
//                               header other than kIntegrityHeader
//   integrity_already_injected  (kFailedPrecondition) InjectIntegrityDigest on a written slot
//   integrity_file_mismatch     (kPermissionDenied) the file is not the running image
//   integrity_digest_missing    (kPermissionDenied) the digest field is all zero
//   integrity_digest_mismatch   (kPermissionDenied) the file changed since the post-link step
// and kUnavailable/kNotFound/kInvalidArgument (over the size limit) for a file that cannot be
// read, as base/file.h says.
//
// Thread-safe (no shared state).
#ifndef VOUCH_BUILD_INTEGRITY_H_
#define VOUCH_BUILD_INTEGRITY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"

namespace vouch::build {

inline constexpr char kIntegritySectionName[] = ".vouch_integrity";
inline constexpr size_t kIntegritySlotSize = 64;
// Bytes [0, 32) of the slot: the header; bytes [32, 64): the digest.
inline constexpr size_t kIntegrityDigestOffset = 32;
inline constexpr std::array<uint8_t, kIntegrityDigestOffset> kIntegrityHeader = {
    0xFF, 'v', 'o', 'u', 'c', 'h', '-', 'i', 'n', 't',
    'e',  'g', 'r', 'i', 't', 'y', 1,   0,   0,   0,  // format, u32 LE
    1,    0,   0,   0,                                // algorithm, u32 LE: SHA-256
    0,    0,   0,   0,   0,   0,   0,   0};
// The largest image the check reads (/proc/self/exe) and the post-link step rewrites.
inline constexpr size_t kMaxImageSize = size_t{1} << 30;
// Where the running program's image is.
inline constexpr char kRunningImagePath[] = "/proc/self/exe";

using IntegritySlot = std::array<uint8_t, kIntegritySlotSize>;

// The file offset (sh_offset) of the one `.vouch_integrity` slot of ELF64 little-endian `image`,
// found as spec §5.2 "Finding it" says; integrity_unsupported for every other shape.
StatusOr<uint64_t> LocateIntegritySlot(ByteSpan image);

// D of `image`: the SHA-256 of its bytes with the digest field of its slot taken as zero.
StatusOr<Sha256Digest> ComputeImageDigest(ByteSpan image);

// The post-link step in memory: locates the slot, requires its digest field to be zero
// (integrity_already_injected otherwise, `image` unchanged), computes D and writes it there.
// Returns D.
StatusOr<Sha256Digest> InjectIntegrityDigest(std::span<uint8_t> image);

// The post-link step on file `path` (at most kMaxImageSize bytes): InjectIntegrityDigest, then
// replaces the file atomically (temp file, fsync, rename) with the same permission bits.
// Returns D. The file is unchanged on any failure.
StatusOr<Sha256Digest> InjectIntegrityDigestFile(const std::string& path);

// What the check found in an image whose slot is the running program's.
struct ImageDigests {
  Sha256Digest stored{};    // the slot's digest field (all zero: never injected)
  Sha256Digest computed{};  // D recomputed from the file
};

// Locates the slot of `image` and compares its 64 bytes with `running_slot`, the running
// program's own slot (integrity_file_mismatch when they differ, or when `running_slot` is not 64
// bytes), then recomputes D. Does not judge the digests: CheckImageDigests does.
StatusOr<ImageDigests> ReadImageDigests(ByteSpan image, ByteSpan running_slot);

// OK when `digests.stored` is written and equals `digests.computed`; integrity_digest_missing
// when it is all zero; integrity_digest_mismatch (both digests in hex in the message) otherwise.
Status CheckImageDigests(const ImageDigests& digests);

// ReadImageDigests on the file `image_path` (default: the running program's, /proc/self/exe),
// read whole, at most kMaxImageSize bytes.
StatusOr<ImageDigests> ReadRunningImageDigests(ByteSpan running_slot,
                                               const std::string& image_path = kRunningImagePath);

// The whole check of spec §5.2: ReadRunningImageDigests, then CheckImageDigests. Returns the
// digests when they hold.
StatusOr<ImageDigests> VerifyRunningImage(ByteSpan running_slot,
                                          const std::string& image_path = kRunningImagePath);

}  // namespace vouch::build

#endif  // VOUCH_BUILD_INTEGRITY_H_

#include "vouch/build/integrity.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "vouch/base/byte_reader.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/build/reasons.h"

namespace vouch::build {
namespace {

// ELF64 (System V gABI): the parts of the file header and section headers the lookup reads.
constexpr size_t kElfHeaderSize = 64;
constexpr uint8_t kElfClass64 = 2;    // e_ident[EI_CLASS]
constexpr uint8_t kElfDataLsb = 1;    // e_ident[EI_DATA]
constexpr size_t kEShoff = 0x28;      // u64
constexpr size_t kEShentsize = 0x3A;  // u16
constexpr size_t kEShnum = 0x3C;      // u16
constexpr size_t kEShstrndx = 0x3E;   // u16
constexpr uint16_t kShnLoreserve = 0xff00;
constexpr size_t kSectionHeaderSize = 64;
constexpr size_t kShName = 0;     // u32
constexpr size_t kShType = 4;     // u32
constexpr size_t kShFlags = 8;    // u64
constexpr size_t kShOffset = 24;  // u64
constexpr size_t kShSize = 32;    // u64
constexpr uint32_t kShtProgbits = 1;
constexpr uint32_t kShtNobits = 8;
constexpr uint64_t kShfAlloc = 2;

Status Unsupported(const std::string& message) {
  return MalformedError(reasons::kIntegrityUnsupported, message);
}

// The `size` bytes of `image` at `offset`, or integrity_unsupported naming `what` when they are
// not all inside it (overflow included). The one place the lookup checks bounds.
StatusOr<ByteSpan> Slice(ByteSpan image, uint64_t offset, uint64_t size, std::string_view what) {
  if (offset > image.size() || size > image.size() - offset) {
    return Unsupported(std::string(what) + " (offset " + std::to_string(offset) + ", " +
                       std::to_string(size) + " bytes) lies outside the " +
                       std::to_string(image.size()) + "-byte file");
  }
  return image.subspan(static_cast<size_t>(offset), static_cast<size_t>(size));
}

struct SectionHeader {
  uint32_t name = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

SectionHeader ParseSectionHeader(ByteSpan bytes) {  // REQUIRES: 64 bytes
  SectionHeader h;
  h.name = LoadU32Le(bytes.data() + kShName);
  h.type = LoadU32Le(bytes.data() + kShType);
  h.flags = LoadU64Le(bytes.data() + kShFlags);
  h.offset = LoadU64Le(bytes.data() + kShOffset);
  h.size = LoadU64Le(bytes.data() + kShSize);
  return h;
}

// Whether the NUL-terminated name at `offset` of string table `strtab` is `name`; a name that
// runs off the table's end is no name.
bool NameIs(ByteSpan strtab, uint32_t offset, std::string_view name) {
  if (offset >= strtab.size()) return false;
  const ByteSpan rest = strtab.subspan(offset);
  const auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
  if (nul == rest.end()) return false;
  return AsStringView(rest.first(static_cast<size_t>(nul - rest.begin()))) == name;
}

bool AllZero(ByteSpan bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// D over `image`, whose slot is at `offset`. REQUIRES: offset + 64 <= image.size().
Sha256Digest DigestAt(ByteSpan image, uint64_t offset) {
  const size_t digest_begin = static_cast<size_t>(offset) + kIntegrityDigestOffset;
  const size_t digest_end = static_cast<size_t>(offset) + kIntegritySlotSize;
  static constexpr std::array<uint8_t, kIntegritySlotSize - kIntegrityDigestOffset> kZero{};
  Sha256Hasher hasher;
  hasher.Update(image.first(digest_begin));
  hasher.Update(kZero);
  hasher.Update(image.subspan(digest_end));
  return hasher.Finish();
}

Sha256Digest StoredDigest(ByteSpan image, uint64_t offset) {
  Sha256Digest stored{};
  const ByteSpan field =
      image.subspan(static_cast<size_t>(offset) + kIntegrityDigestOffset, stored.size());
  std::copy(field.begin(), field.end(), stored.begin());
  return stored;
}

}  // namespace

StatusOr<uint64_t> LocateIntegritySlot(ByteSpan image) {
  if (image.size() < kElfHeaderSize || image[0] != 0x7F || image[1] != 'E' || image[2] != 'L' ||
      image[3] != 'F') {
    return Unsupported("not an ELF file");
  }
  if (image[4] != kElfClass64 || image[5] != kElfDataLsb) {
    return Unsupported("not a 64-bit little-endian ELF file");
  }
  const uint64_t shoff = LoadU64Le(image.data() + kEShoff);
  const uint16_t shentsize = LoadU16Le(image.data() + kEShentsize);
  const uint16_t shnum = LoadU16Le(image.data() + kEShnum);
  const uint16_t shstrndx = LoadU16Le(image.data() + kEShstrndx);
  if (shentsize != kSectionHeaderSize) {
    return Unsupported("e_shentsize is " + std::to_string(shentsize) + ", not 64");
  }
  if (shnum == 0) {
    return Unsupported("no section headers (e_shnum 0; extended numbering is unsupported)");
  }
  if (shstrndx >= kShnLoreserve || shstrndx >= shnum) {
    return Unsupported("e_shstrndx " + std::to_string(shstrndx) + " names no section of " +
                       std::to_string(shnum));
  }
  VOUCH_ASSIGN_OR_RETURN(ByteSpan headers, Slice(image, shoff, uint64_t{shnum} * kSectionHeaderSize,
                                                 "the section header table"));
  const SectionHeader strtab_header = ParseSectionHeader(
      headers.subspan(size_t{shstrndx} * kSectionHeaderSize, kSectionHeaderSize));
  if (strtab_header.type == kShtNobits) {
    return Unsupported("the section name table has no bytes in the file");
  }
  VOUCH_ASSIGN_OR_RETURN(ByteSpan strtab, Slice(image, strtab_header.offset, strtab_header.size,
                                                "the section name table"));
  int found = 0;
  SectionHeader slot;
  for (size_t i = 0; i < shnum; ++i) {
    const SectionHeader h =
        ParseSectionHeader(headers.subspan(i * kSectionHeaderSize, kSectionHeaderSize));
    if (!NameIs(strtab, h.name, kIntegritySectionName)) continue;
    ++found;
    slot = h;
  }
  if (found != 1) {
    return Unsupported(std::to_string(found) + " sections named " + kIntegritySectionName +
                       ", not exactly one");
  }
  if (slot.type != kShtProgbits || (slot.flags & kShfAlloc) == 0) {
    return Unsupported(std::string(kIntegritySectionName) +
                       " is not an allocated PROGBITS section");
  }
  if (slot.size != kIntegritySlotSize) {
    return Unsupported(std::string(kIntegritySectionName) + " holds " + std::to_string(slot.size) +
                       " bytes, not 64");
  }
  VOUCH_ASSIGN_OR_RETURN(ByteSpan bytes,
                         Slice(image, slot.offset, kIntegritySlotSize, kIntegritySectionName));
  if (!EqualBytes(kIntegrityHeader, bytes.first(kIntegrityDigestOffset))) {
    return Unsupported(std::string(kIntegritySectionName) +
                       " does not start with the format 1, SHA-256 header");
  }
  return slot.offset;
}

StatusOr<Sha256Digest> ComputeImageDigest(ByteSpan image) {
  VOUCH_ASSIGN_OR_RETURN(uint64_t offset, LocateIntegritySlot(image));
  return DigestAt(image, offset);
}

StatusOr<Sha256Digest> InjectIntegrityDigest(std::span<uint8_t> image) {
  VOUCH_ASSIGN_OR_RETURN(uint64_t offset, LocateIntegritySlot(image));
  const std::span<uint8_t> field =
      image.subspan(static_cast<size_t>(offset) + kIntegrityDigestOffset, Sha256Digest().size());
  if (!AllZero(field)) {
    return Status(StatusCode::kFailedPrecondition,
                  "the integrity digest is already injected (" + HexEncode(field) + ")",
                  reasons::kIntegrityAlreadyInjected);
  }
  const Sha256Digest digest = DigestAt(image, offset);
  std::copy(digest.begin(), digest.end(), field.begin());
  return digest;
}

StatusOr<Sha256Digest> InjectIntegrityDigestFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return UnavailableError("cannot stat " + path + ": " + std::strerror(errno));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes image, ReadFile(path, kMaxImageSize));
  auto digest = InjectIntegrityDigest(image);
  if (!digest.ok()) return digest.status().WithContext(path);
  VOUCH_RETURN_IF_ERROR(WriteFileAtomic(path, image, st.st_mode & 07777));
  return digest;
}

StatusOr<ImageDigests> ReadImageDigests(ByteSpan image, ByteSpan running_slot) {
  VOUCH_ASSIGN_OR_RETURN(uint64_t offset, LocateIntegritySlot(image));
  const ByteSpan file_slot = image.subspan(static_cast<size_t>(offset), kIntegritySlotSize);
  if (!EqualBytes(file_slot, running_slot)) {
    return RejectedError(reasons::kIntegrityFileMismatch,
                         "its integrity slot differs from the running program's: the file is "
                         "not the running image");
  }
  ImageDigests digests;
  digests.stored = StoredDigest(image, offset);
  digests.computed = DigestAt(image, offset);
  return digests;
}

Status CheckImageDigests(const ImageDigests& digests) {
  if (AllZero(digests.stored)) {
    return RejectedError(reasons::kIntegrityDigestMissing,
                         "the image's integrity digest was never injected (it is all zero)");
  }
  if (digests.stored != digests.computed) {
    return RejectedError(reasons::kIntegrityDigestMismatch,
                         "the image changed after its integrity digest was injected (stored " +
                             HexEncode(digests.stored) + ", computed " +
                             HexEncode(digests.computed) + ")");
  }
  return OkStatus();
}

StatusOr<ImageDigests> ReadRunningImageDigests(ByteSpan running_slot,
                                               const std::string& image_path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes image, ReadFile(image_path, kMaxImageSize));
  auto digests = ReadImageDigests(image, running_slot);
  if (!digests.ok()) return digests.status().WithContext(image_path);
  return digests;
}

StatusOr<ImageDigests> VerifyRunningImage(ByteSpan running_slot, const std::string& image_path) {
  VOUCH_ASSIGN_OR_RETURN(ImageDigests digests, ReadRunningImageDigests(running_slot, image_path));
  VOUCH_RETURN_IF_ERROR(CheckImageDigests(digests));
  return digests;
}

}  // namespace vouch::build

#include "vouch/build/integrity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/build/reasons.h"

namespace vouch::build {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kProgbits = 1;
constexpr uint32_t kStrtab = 3;
constexpr uint32_t kNobits = 8;
constexpr uint64_t kAlloc = 2;

void PutU16(Bytes& b, size_t at, uint16_t v) {
  for (size_t i = 0; i < 2; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutU32(Bytes& b, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutU64(Bytes& b, size_t at, uint64_t v) {
  for (size_t i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

struct Section {
  std::string name;
  uint32_t type = kProgbits;
  uint64_t flags = kAlloc;
  Bytes data;
  std::optional<uint64_t> size;    // sh_size, when not data.size()
  std::optional<uint64_t> offset;  // sh_offset, when not where the data was put
};

Bytes Slot() {
  Bytes slot(kIntegrityHeader.begin(), kIntegrityHeader.end());
  slot.resize(kIntegritySlotSize, 0);
  return slot;
}

Section MakeSection(std::string name, uint64_t flags, Bytes data) {
  Section s;
  s.name = std::move(name);
  s.flags = flags;
  s.data = std::move(data);
  return s;
}

Section SlotSection() { return MakeSection(kIntegritySectionName, kAlloc, Slot()); }

// A synthetic ELF64 LE image: the 64-byte header, a code-like filler, each section's data, the
// section name table, then the section header table (a null section first, the name table
// last; e_shstrndx points at it).
struct Image {
  std::vector<Section> sections = {MakeSection(".text", kAlloc | 4, Bytes(100, 0x90)),
                                   SlotSection(),
                                   MakeSection(".data", kAlloc | 1, Bytes(24, 0x11))};
  uint8_t elf_class = 2;
  uint8_t elf_data = 1;
  uint16_t shentsize = 64;
  std::optional<uint16_t> shnum;
  std::optional<uint16_t> shstrndx;
  std::optional<uint64_t> shoff;

  Bytes Build() const {
    Bytes out(64, 0);
    out[0] = 0x7F;
    out[1] = 'E';
    out[2] = 'L';
    out[3] = 'F';
    out[4] = elf_class;
    out[5] = elf_data;
    out[6] = 1;
    PutU16(out, 0x10, 3);   // ET_DYN
    PutU16(out, 0x12, 62);  // x86-64
    Bytes names(1, 0);
    std::vector<uint64_t> offsets;
    std::vector<uint32_t> name_offsets;
    for (const Section& s : sections) {
      while (out.size() % 16 != 0) out.push_back(0);
      offsets.push_back(out.size());
      Append(out, s.data);
      name_offsets.push_back(static_cast<uint32_t>(names.size()));
      Append(names, AsBytes(s.name));
      names.push_back(0);
    }
    const uint32_t strtab_name = static_cast<uint32_t>(names.size());
    Append(names, AsBytes(".shstrtab"));
    names.push_back(0);
    const uint64_t strtab_offset = out.size();
    Append(out, names);
    while (out.size() % 8 != 0) out.push_back(0);
    const uint64_t table = out.size();
    const size_t count = sections.size() + 2;
    out.resize(out.size() + count * 64, 0);
    for (size_t i = 0; i < sections.size(); ++i) {
      const Section& s = sections[i];
      const size_t h = table + (i + 1) * 64;
      PutU32(out, h + 0, name_offsets[i]);
      PutU32(out, h + 4, s.type);
      PutU64(out, h + 8, s.flags);
      PutU64(out, h + 24, s.offset.value_or(offsets[i]));
      PutU64(out, h + 32, s.size.value_or(s.data.size()));
    }
    const size_t h = table + (count - 1) * 64;
    PutU32(out, h + 0, strtab_name);
    PutU32(out, h + 4, kStrtab);
    PutU64(out, h + 24, strtab_offset);
    PutU64(out, h + 32, names.size());
    PutU64(out, 0x28, shoff.value_or(table));
    PutU16(out, 0x34, 64);
    PutU16(out, 0x3A, shentsize);
    PutU16(out, 0x3C, shnum.value_or(static_cast<uint16_t>(count)));
    PutU16(out, 0x3E, shstrndx.value_or(static_cast<uint16_t>(count - 1)));
    return out;
  }
};

// Where Build() puts the slot of the default image (header, 100 bytes of .text, aligned).
uint64_t DefaultSlotOffset() { return 176; }

void ExpectUnsupported(const Bytes& image, const std::string& message) {
  auto located = LocateIntegritySlot(image);
  EXPECT_THAT(located, StatusIs(StatusCode::kInvalidArgument, HasSubstr(message)));
  EXPECT_THAT(located, ReasonIs(reasons::kIntegrityUnsupported));
}

TEST(IntegrityLocateTest, FindsTheOneSlot) {
  const Bytes image = Image().Build();
  auto located = LocateIntegritySlot(image);
  ASSERT_THAT(located, IsOk());
  EXPECT_EQ(*located, DefaultSlotOffset());
  EXPECT_TRUE(EqualBytes(Slot(), ByteSpan(image).subspan(*located, 64)));
}

TEST(IntegrityLocateTest, RefusesWhatIsNotElf64LittleEndian) {
  ExpectUnsupported({}, "not an ELF file");
  Bytes image = Image().Build();
  ExpectUnsupported(Bytes(image.begin(), image.begin() + 63), "not an ELF file");
  image[1] = 'X';
  ExpectUnsupported(image, "not an ELF file");
  Image elf32;
  elf32.elf_class = 1;
  ExpectUnsupported(elf32.Build(), "64-bit little-endian");
  Image big_endian;
  big_endian.elf_data = 2;
  ExpectUnsupported(big_endian.Build(), "64-bit little-endian");
}

TEST(IntegrityLocateTest, RefusesOddSectionHeaderTables) {
  Image wrong_entry_size;
  wrong_entry_size.shentsize = 40;
  ExpectUnsupported(wrong_entry_size.Build(), "e_shentsize is 40");
  Image none;
  none.shnum = 0;
  ExpectUnsupported(none.Build(), "extended numbering");
  Image extended_names;
  extended_names.shstrndx = 0xFFFF;  // SHN_XINDEX
  ExpectUnsupported(extended_names.Build(), "e_shstrndx 65535");
  Image past_the_table;
  past_the_table.shstrndx = 5;
  ExpectUnsupported(past_the_table.Build(), "e_shstrndx 5 names no section of 5");
  Image outside;
  outside.shoff = uint64_t{1} << 40;
  ExpectUnsupported(outside.Build(), "the section header table");
  Image wrapping;
  wrapping.shoff = ~uint64_t{0} - 10;
  ExpectUnsupported(wrapping.Build(), "the section header table");
  Image too_many;
  too_many.shnum = 6;  // one more header than the file holds
  ExpectUnsupported(too_many.Build(), "the section header table");
  // The file cut inside the section header table.
  const Bytes whole = Image().Build();
  ExpectUnsupported(Bytes(whole.begin(), whole.end() - 1), "the section header table");
}

TEST(IntegrityLocateTest, RefusesANameTableOutsideTheFile) {
  Bytes image = Image().Build();
  const uint64_t table = LoadU64Le(image.data() + 0x28);
  PutU64(image, table + 4 * 64 + 24, image.size() - 3);  // .shstrtab's sh_offset
  ExpectUnsupported(image, "the section name table");
}

TEST(IntegrityLocateTest, RefusesNoOrTwoSlots) {
  Image none;
  none.sections.erase(none.sections.begin() + 1);
  ExpectUnsupported(none.Build(), "0 sections named .vouch_integrity");
  Image two;
  two.sections.push_back(SlotSection());
  ExpectUnsupported(two.Build(), "2 sections named .vouch_integrity");
  // A name that only starts the same is another section.
  Image prefix;
  prefix.sections[1].name = ".vouch_integrity2";
  ExpectUnsupported(prefix.Build(), "0 sections named");
}

TEST(IntegrityLocateTest, RefusesAWrongSlotSection) {
  Image nobits;
  nobits.sections[1].type = kNobits;
  ExpectUnsupported(nobits.Build(), "not an allocated PROGBITS section");
  Image not_alloc;
  not_alloc.sections[1].flags = 0;
  ExpectUnsupported(not_alloc.Build(), "not an allocated PROGBITS section");
  Image small;
  small.sections[1].size = 32;
  ExpectUnsupported(small.Build(), "holds 32 bytes, not 64");
  Image large;
  large.sections[1].data.resize(128, 0);
  ExpectUnsupported(large.Build(), "holds 128 bytes, not 64");
  Image outside;
  outside.sections[1].offset = 100000;
  ExpectUnsupported(outside.Build(), "lies outside the");
  Image wrapping;
  wrapping.sections[1].offset = ~uint64_t{0} - 20;
  ExpectUnsupported(wrapping.Build(), "lies outside the");
}

TEST(IntegrityLocateTest, RefusesAWrongHeader) {
  for (size_t i : {size_t{0}, size_t{5}, size_t{16}, size_t{20}, size_t{31}}) {
    Image image;
    image.sections[1].data[i] ^= 0x01;
    ExpectUnsupported(image.Build(), "does not start with the format 1, SHA-256 header");
  }
}

TEST(IntegrityDigestTest, HashesTheImageWithTheDigestFieldZero) {
  Bytes image = Image().Build();
  auto digest = ComputeImageDigest(image);
  ASSERT_THAT(digest, IsOk());
  EXPECT_EQ(*digest, Sha256(image));  // the field is zero as linked
  // Whatever the field holds, D is the same; any other byte changes it.
  Bytes written = image;
  written[DefaultSlotOffset() + 40] = 0xAB;
  EXPECT_EQ(ComputeImageDigest(written).value(), *digest);
  Bytes changed = image;
  changed[70] ^= 0x01;
  EXPECT_NE(ComputeImageDigest(changed).value(), *digest);
  Bytes tail = image;
  tail.push_back(0);
  EXPECT_NE(ComputeImageDigest(tail).value(), *digest);
}

TEST(IntegrityInjectTest, WritesTheDigestOnceOnly) {
  Bytes image = Image().Build();
  const Sha256Digest expected = Sha256(image);
  auto digest = InjectIntegrityDigest(image);
  ASSERT_THAT(digest, IsOk());
  EXPECT_EQ(*digest, expected);
  EXPECT_TRUE(EqualBytes(expected, ByteSpan(image).subspan(DefaultSlotOffset() + 32, 32)));
  EXPECT_EQ(ComputeImageDigest(image).value(), expected);

  const Bytes before = image;
  auto again = InjectIntegrityDigest(image);
  EXPECT_THAT(again, StatusIs(StatusCode::kFailedPrecondition, HasSubstr(HexEncode(expected))));
  EXPECT_THAT(again, ReasonIs(reasons::kIntegrityAlreadyInjected));
  EXPECT_EQ(image, before);

  Bytes bad = Image().Build();
  bad[0] = 0;
  EXPECT_THAT(InjectIntegrityDigest(bad), ReasonIs(reasons::kIntegrityUnsupported));
}

TEST(IntegrityInjectTest, ReplacesTheFileKeepingItsMode) {
  const std::string dir = testing::MakeTempDir("integrity");
  const std::string path = dir + "/prog";
  const Bytes image = Image().Build();
  ASSERT_THAT(WriteFileAtomic(path, image, 0751), IsOk());
  auto digest = InjectIntegrityDigestFile(path);
  ASSERT_THAT(digest, IsOk());
  EXPECT_EQ(*digest, Sha256(image));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0751u);
  const Bytes injected = ReadFile(path).value();
  EXPECT_EQ(injected.size(), image.size());
  EXPECT_TRUE(EqualBytes(*digest, ByteSpan(injected).subspan(DefaultSlotOffset() + 32, 32)));

  auto again = InjectIntegrityDigestFile(path);
  EXPECT_THAT(again, ReasonIs(reasons::kIntegrityAlreadyInjected));
  EXPECT_THAT(again, StatusIs(StatusCode::kFailedPrecondition, HasSubstr(path)));
  EXPECT_EQ(ReadFile(path).value(), injected);
  EXPECT_FALSE(InjectIntegrityDigestFile(dir + "/missing").ok());
}

TEST(IntegrityCheckTest, AcceptsAnInjectedImageAndReportsEachFailure) {
  const std::string dir = testing::MakeTempDir("integrity");
  const std::string path = dir + "/prog";
  ASSERT_THAT(WriteFileAtomic(path, Image().Build(), 0755), IsOk());
  // As linked: the running slot is the compiled one, the digest all zero.
  auto missing = VerifyRunningImage(Slot(), path);
  EXPECT_THAT(missing, StatusIs(StatusCode::kPermissionDenied, HasSubstr("never injected")));
  EXPECT_THAT(missing, ReasonIs(reasons::kIntegrityDigestMissing));

  auto digest = InjectIntegrityDigestFile(path);
  ASSERT_THAT(digest, IsOk());
  const Bytes injected = ReadFile(path).value();
  const ByteSpan running = ByteSpan(injected).subspan(DefaultSlotOffset(), 64);
  auto ok = VerifyRunningImage(running, path);
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->stored, *digest);
  EXPECT_EQ(ok->computed, *digest);

  // The file is not the running image: its slot differs (or the caller's slot is no slot).
  EXPECT_THAT(VerifyRunningImage(Slot(), path), ReasonIs(reasons::kIntegrityFileMismatch));
  EXPECT_THAT(VerifyRunningImage(running.first(63), path),
              ReasonIs(reasons::kIntegrityFileMismatch));

  // One byte outside the slot changed.
  Bytes altered = injected;
  altered[80] ^= 0x20;
  ASSERT_THAT(WriteFileAtomic(path, altered, 0755), IsOk());
  const Sha256Digest altered_digest = ComputeImageDigest(altered).value();
  auto mismatch = VerifyRunningImage(running, path);
  EXPECT_THAT(mismatch, ReasonIs(reasons::kIntegrityDigestMismatch));
  EXPECT_THAT(mismatch, StatusIs(StatusCode::kPermissionDenied,
                                 HasSubstr("stored " + HexEncode(*digest) + ", computed " +
                                           HexEncode(altered_digest))));
  auto digests = ReadRunningImageDigests(running, path);
  ASSERT_THAT(digests, IsOk());
  EXPECT_EQ(digests->stored, *digest);
  EXPECT_NE(digests->computed, *digest);

  // Not an image at all, or no file.
  ASSERT_THAT(WriteFileAtomic(path, AsBytes("#!/bin/sh\n"), 0755), IsOk());
  EXPECT_THAT(VerifyRunningImage(running, path), ReasonIs(reasons::kIntegrityUnsupported));
  EXPECT_THAT(VerifyRunningImage(running, dir + "/missing"), StatusIs(StatusCode::kNotFound));
}

TEST(IntegrityCheckTest, JudgesDigests) {
  ImageDigests digests;
  EXPECT_THAT(CheckImageDigests(digests), ReasonIs(reasons::kIntegrityDigestMissing));
  digests.stored[0] = 1;
  EXPECT_THAT(CheckImageDigests(digests), ReasonIs(reasons::kIntegrityDigestMismatch));
  digests.computed[0] = 1;
  EXPECT_THAT(CheckImageDigests(digests), IsOk());
}

}  // namespace
}  // namespace vouch::build

// RFC 6962 §2.1 hashing, compact ranges and the in-memory tree (spec/transparency-log.md §1).
#include "vouch/tlog/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

// RFC 6962 §2.1's domain separation: leaves and interior nodes never hash alike.
constexpr uint8_t kLeafPrefix[] = {0x00};
constexpr uint8_t kNodePrefix[] = {0x01};

}  // namespace

Hash HashLeaf(ByteSpan entry) { return Sha256WithPrefix(kLeafPrefix, {entry}); }

// The hot path (every tree operation): a fixed-size buffer, no loop over parts.
Hash HashChildren(const Hash& left, const Hash& right) {
  std::array<uint8_t, 1 + 2 * kHashSize> buf;
  buf[0] = kNodePrefix[0];
  std::copy(left.begin(), left.end(), buf.begin() + 1);
  std::copy(right.begin(), right.end(), buf.begin() + 1 + kHashSize);
  return Sha256(buf);
}

Hash HashChildren(ByteSpan left, ByteSpan right) {
  return Sha256WithPrefix(kNodePrefix, {left, right});
}

const Hash& EmptyRoot() {
  static const Hash kEmpty = Sha256(ByteSpan());
  return kEmpty;
}

StatusOr<Hash> HashFromBytes(ByteSpan bytes, std::string_view what) {
  if (bytes.size() != kHashSize) {
    return MalformedError(reasons::kHashSizeInvalid, std::string(what) + " must be 32 bytes, got " +
                                                         std::to_string(bytes.size()));
  }
  Hash h;
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

StatusOr<Hash> HashFromBase64(std::string_view text, std::string_view what) {
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) {
    return MalformedError(
        reasons::kHashEncodingInvalid,
        std::string(what) + " is not valid base64 (" + bytes.status().message() + ")");
  }
  return HashFromBytes(*bytes, what);
}

size_t DecomposeRange(uint64_t begin, uint64_t end, std::span<NodeId, kMaxRangeNodes> out) {
  size_t n = 0;
  while (begin < end) {
    // The largest aligned power of two starting at `begin` that fits in [begin, end).
    int align = begin == 0 ? 64 : std::countr_zero(begin);
    int fit = static_cast<int>(std::bit_width(end - begin)) - 1;
    int level = std::min(align, fit);
    out[n++] = NodeId{static_cast<uint8_t>(level), begin >> level};
    begin += uint64_t{1} << level;
  }
  return n;
}

Hash FoldRange(std::span<const Hash> nodes) {
  Hash h = nodes.back();
  for (size_t i = nodes.size() - 1; i-- > 0;) {
    h = HashChildren(nodes[i], h);
  }
  return h;
}

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  CompactRange range;
  for (const Hash& leaf : leaf_hashes) {
    range.Append(leaf);
  }
  return range.Root();
}

StatusOr<CompactRange> CompactRange::Create(uint64_t size, std::span<const Hash> hashes) {
  if (hashes.size() != static_cast<size_t>(std::popcount(size))) {
    return InvalidArgumentError("a compact range of size " + std::to_string(size) + " has " +
                                std::to_string(std::popcount(size)) + " hashes, got " +
                                std::to_string(hashes.size()));
  }
  CompactRange r;
  r.size_ = size;
  r.count_ = hashes.size();
  std::copy(hashes.begin(), hashes.end(), r.hashes_.begin());
  return r;
}

StatusOr<CompactRange> CompactRange::FromReader(uint64_t size, const HashReader& reader) {
  std::array<NodeId, kMaxRangeNodes> ids;
  size_t n = DecomposeRange(0, size, ids);
  std::array<Hash, 64> hashes;
  VOUCH_RETURN_IF_ERROR(
      reader.ReadHashes(std::span<const NodeId>(ids.data(), n), std::span<Hash>(hashes.data(), n)));
  return Create(size, std::span<const Hash>(hashes.data(), n));
}

std::vector<NodeId> CompactRange::node_ids() const {
  std::array<NodeId, kMaxRangeNodes> ids;
  size_t n = DecomposeRange(0, size_, ids);
  return std::vector<NodeId>(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(n));
}

Hash CompactRange::Root() const {
  if (count_ == 0) {
    return EmptyRoot();
  }
  return FoldRange(hashes());
}

void MemoryTree::Append(const Hash& leaf_hash) {
  if (levels_.empty()) {
    levels_.emplace_back();
  }
  levels_[0].push_back(leaf_hash);
  // Complete every parent that the new leaf finishes.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    const auto& row = levels_[level];
    Hash parent = HashChildren(row[row.size() - 2], row[row.size() - 1]);
    if (levels_.size() == level + 1) {
      levels_.emplace_back();
    }
    levels_[level + 1].push_back(parent);
  }
}

Hash MemoryTree::RootAt(uint64_t size) const {
  std::array<NodeId, kMaxRangeNodes> ids;
  size_t n = DecomposeRange(0, size, ids);
  if (n == 0) {
    return EmptyRoot();
  }
  std::array<Hash, 64> hashes;
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = levels_[ids[i].level][ids[i].index];
  }
  return FoldRange(std::span<const Hash>(hashes.data(), n));
}

Status MemoryTree::ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) const {
  if (ids.size() != out.size()) {
    return InternalError("ReadHashes: output size mismatch");
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const NodeId& id = ids[i];
    if (id.level >= levels_.size() || id.index >= levels_[id.level].size()) {
      return NotFoundError("node (level " + std::to_string(id.level) + ", index " +
                           std::to_string(id.index) + ") is not in the tree of size " +
                           std::to_string(size()));
    }
    out[i] = levels_[id.level][id.index];
  }
  return OkStatus();
}

}  // namespace vouch::tlog

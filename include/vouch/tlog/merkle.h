// RFC 6962 Merkle tree hashing (spec/transparency-log.md §1, RFC 6962 §2.1 = RFC 9162 §2.1.1):
// pure hash functions, the root of a list of leaf hashes, a compact range (the O(log n) right
// border of the tree, used to append leaves and compute roots without holding the tree), the
// node addressing used by proofs and tiles, and an in-memory tree for tests and small tools.
//
//   MTH({})       = SHA-256("")
//   MTH({d0})     = SHA-256(0x00 ‖ d0)                           leaf hash
//   MTH(D[0:n])   = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))    k = largest power of two < n
//
// Node addressing. A node (level l, index i) is the root of the perfect subtree over the leaves
// [i·2^l, (i+1)·2^l). Level 0 nodes are leaf hashes. Example, a tree of size 6:
//
//   level 2   N(2,0) = MTH(D[0:4])
//   level 1   N(1,0) = MTH(D[0:2])   N(1,1) = MTH(D[2:4])   N(1,2) = MTH(D[4:6])
//   level 0   N(0,0) … N(0,5)        (the leaf hashes)
//   root      MTH(D[0:6]) = H(0x01 ‖ N(2,0) ‖ N(1,2))   (not a node: 6 is not a power of two)
//
// Thread-safety: the free functions are thread-safe. CompactRange and MemoryTree are
// thread-compatible values (no internal locking); HashReader implementations must document
// their own contract (const methods may be called concurrently unless stated otherwise).
#ifndef VOUCH_TLOG_MERKLE_H_
#define VOUCH_TLOG_MERKLE_H_

#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch::tlog {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256(0x00 ‖ `entry`). Allocation-free for entries up to 4 KiB.
Hash HashLeaf(ByteSpan entry);
// SHA-256(0x01 ‖ `left` ‖ `right`). Allocation-free.
Hash HashChildren(const Hash& left, const Hash& right);
// SHA-256(0x01 ‖ `left` ‖ `right`) over arbitrary byte strings (the hasher test vectors use
// non-hash inputs). Prefer the Hash overload.
Hash HashChildren(ByteSpan left, ByteSpan right);
// MTH of the empty tree: SHA-256("") = e3b0c442…b855.
const Hash& EmptyRoot();

// Converts exactly 32 bytes into a Hash; anything else is kInvalidArgument naming `what`.
StatusOr<Hash> HashFromBytes(ByteSpan bytes, std::string_view what = "hash");
// Strict standard base64 (RFC 4648 §4, padded) of exactly 32 bytes.
StatusOr<Hash> HashFromBase64(std::string_view text, std::string_view what = "hash");

// The root (level, index) of a perfect subtree; see the banner for the addressing.
struct NodeId {
  uint8_t level = 0;   // 0..63
  uint64_t index = 0;  // REQUIRES: (index + 1) << level does not overflow
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// Upper bound of DecomposeRange's output (an unaligned range has two runs of at most 64).
inline constexpr size_t kMaxRangeNodes = 128;

// Writes to `out` the perfect subtrees that make up the leaf range [`begin`, `end`), left to
// right (largest first when `begin` is aligned, as in every RFC 6962 proof and root), and returns
// how many. Allocation-free. REQUIRES: begin <= end.
size_t DecomposeRange(uint64_t begin, uint64_t end, std::span<NodeId, kMaxRangeNodes> out);

// MTH of the range whose perfect-subtree decomposition (largest first, as produced by
// DecomposeRange for an aligned range) has the hashes `nodes`: H(n0, H(n1, … H(nk-1, nk))).
// REQUIRES: !nodes.empty().
Hash FoldRange(std::span<const Hash> nodes);

// MTH(D) for the leaf hashes `leaf_hashes` (EmptyRoot() for none). O(n) time, O(log n) memory.
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// A source of perfect-subtree hashes of one tree (a database, tiles, memory). The storage
// layer implements this; proof generation (proof.h) and tiles (tiles.h) consume it.
class HashReader {
 public:
  virtual ~HashReader() = default;
  // Fills `out[i]` with the hash of node `ids[i]`, for all i, in one call (so an
  // implementation can batch its reads). Returns kNotFound when a node is not stored.
  // REQUIRES: out.size() == ids.size().
  virtual Status ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) const = 0;
};

// The right border of a tree of size n: the hashes of the perfect subtrees of [0, n), largest
// (leftmost) first — popcount(n) hashes. Appending a leaf merges equal-height subtrees, so a log
// integrates in O(1) amortised hashing per leaf with O(log n) memory. No heap allocation.
//
//   size 6 = 0b110:  hashes() = [N(2,0), N(1,2)]
class CompactRange {
 public:
  // The empty tree.
  CompactRange() = default;

  // A compact range from stored state: `hashes` must be the popcount(`size`) subtree hashes of
  // [0, size), largest first (as returned by hashes()).
  static StatusOr<CompactRange> Create(uint64_t size, std::span<const Hash> hashes);
  // Reads the border hashes of a tree of size `size` from `reader` (one batched read).
  static StatusOr<CompactRange> FromReader(uint64_t size, const HashReader& reader);

  uint64_t size() const { return size_; }
  std::span<const Hash> hashes() const { return std::span<const Hash>(hashes_.data(), count_); }
  // The node ids of hashes(), in the same order.
  std::vector<NodeId> node_ids() const;

  // Appends one leaf hash. REQUIRES: size() < 2^64 − 1.
  void Append(const Hash& leaf_hash) {
    Append(leaf_hash, [](uint8_t, uint64_t, const Hash&) {});
  }
  // As Append, and calls `visit(level, index, hash)` for every node that becomes complete: the
  // leaf itself (level 0) and each parent created by merging, bottom up. The storage layer uses
  // this to fill hash tiles.
  template <typename Visitor>
  void Append(const Hash& leaf_hash, Visitor&& visit);

  // MTH of the tree: EmptyRoot() for size 0.
  Hash Root() const;

  friend bool operator==(const CompactRange& a, const CompactRange& b) {
    return a.size_ == b.size_ &&
           std::equal(a.hashes().begin(), a.hashes().end(), b.hashes().begin(), b.hashes().end());
  }

 private:
  uint64_t size_ = 0;
  size_t count_ = 0;
  std::array<Hash, 64> hashes_{};
};

template <typename Visitor>
void CompactRange::Append(const Hash& leaf_hash, Visitor&& visit) {
  uint64_t index = size_;
  visit(uint8_t{0}, index, leaf_hash);
  Hash merged = leaf_hash;
  uint8_t level = 0;
  // Each trailing one bit of the old size is a subtree of the same height to merge with.
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    merged = HashChildren(hashes_[--count_], merged);
    ++level;
    index >>= 1;
    visit(level, index, merged);
  }
  hashes_[count_++] = merged;
  ++size_;
}

// A whole tree in memory: every level's node hashes. Implements HashReader. Intended for tests,
// fakes of the storage layer and small tools; a log uses CompactRange plus tiles instead.
class MemoryTree : public HashReader {
 public:
  MemoryTree() = default;
  void Append(const Hash& leaf_hash);
  void AppendEntry(ByteSpan entry) { Append(HashLeaf(entry)); }
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // MTH of the first `size` leaves. REQUIRES: size <= this->size().
  Hash RootAt(uint64_t size) const;
  Hash Root() const { return RootAt(size()); }

  Status ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) const override;

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_MERKLE_H_

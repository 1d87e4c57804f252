// Tiled logs (c2sp.org/tlog-tiles v0.1.0; spec/transparency-log.md §8): tile paths, hash-tile
// contents, entry bundles, which tiles cover a tree, a HashReader over tiles, and an integrator
// that appends entries and produces the tiles to write — all pure (the caller does the I/O).
//
//   <prefix>/tile/<L>/<N>[.p/<W>]      hash tile: level L (0..63), index N, partial width W
//   <prefix>/tile/entries/<N>[.p/<W>]  entry bundle
//   N is zero-padded 3-digit groups, all but the last prefixed with "x": 1234067 → x001/x234/067
//
// Hash tile n at level l holds, for i = 0..W−1, MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]):
// the roots of consecutive perfect subtrees of height 8·l, i.e. tree nodes (8·l, n·256 + i).
// The 8 inner levels of a tile are recomputed by hashing:
//
//   tile level 1  ── node (8, j): [tile 0/j covers nodes (0, 256j .. 256j+255)]
//   tile level 0  ── leaf hashes
//
// A full tile has 256 hashes (8,192 bytes); the partial tile at level l for tree size s has
// floor(s / 256^l) mod 256 hashes; partial tiles are never hashed into the level above. An entry
// bundle is the concatenation of its entries, each prefixed by a big-endian uint16 length (so an
// entry is at most 65,535 bytes); entry i of bundle n hashes to hash i of tile 0/n.
//
// Not implemented: Go sumdb tile paths (tile/8/<L>/<N>, tile/8/data/<N>), pruning policy (the
// storage layer refuses reads below its minimum index).
//
// Thread-safety: TileId, HashTile and the free functions are immutable/pure and thread-safe.
// TileHashReader is safe for concurrent use if its TileSource is. TileIntegrator is
// thread-compatible (one writer).
#ifndef VOUCH_TLOG_TILES_H_
#define VOUCH_TLOG_TILES_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/tlog/merkle.h"

namespace vouch::tlog {

inline constexpr uint16_t kTileWidth = 256;  // hashes in a full tile
inline constexpr int kTileHeight = 8;        // tree levels per tile level
inline constexpr int kMaxTileLevel = 63;     // largest level a path may name
inline constexpr size_t kMaxEntrySize = 65535;

// A hash tile or an entry bundle.
struct TileId {
  enum class Kind : uint8_t { kHash, kEntries };
  Kind kind = Kind::kHash;
  uint8_t level = 0;            // hash tiles: 0..63; 0 for bundles
  uint64_t index = 0;           // N
  uint16_t width = kTileWidth;  // 1..256; below 256 the tile is partial

  static TileId HashTile(uint8_t level, uint64_t index, uint16_t width = kTileWidth) {
    return TileId{Kind::kHash, level, index, width};
  }
  static TileId Bundle(uint64_t index, uint16_t width = kTileWidth) {
    return TileId{Kind::kEntries, 0, index, width};
  }
  bool partial() const { return width < kTileWidth; }
  bool is_bundle() const { return kind == Kind::kEntries; }
  friend bool operator==(const TileId&, const TileId&) = default;
};

// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]" (no prefix, no leading '/').
// REQUIRES: a valid id (width 1..256, level <= 63).
std::string TilePath(const TileId& id);
// Parses a canonical tile path as produced by TilePath. Errors are kInvalidArgument, reason
// "tile_path_invalid".
StatusOr<TileId> ParseTilePath(std::string_view path);

// Every hash tile (full, then the partial one, level by level) that exists for a tree of size
// `size`. The right edge alone is PartialHashTilesForSize.
std::vector<TileId> HashTilesForSize(uint64_t size);
// The partial hash tiles for a tree of size `size` (at most one per level).
std::vector<TileId> PartialHashTilesForSize(uint64_t size);
// Every entry bundle for a tree of size `size`.
std::vector<TileId> EntryBundlesForSize(uint64_t size);
// The width of hash tile (level, index) in a tree of size `size`: 0 if it does not exist.
uint16_t HashTileWidth(uint8_t level, uint64_t index, uint64_t size);

// A parsed hash tile with all inner nodes precomputed (width − popcount(width) hashes), so node
// lookups cost nothing. Immutable; cache these.
class HashTile {
 public:
  // `data` must be exactly 32·id.width bytes. REQUIRES: !id.is_bundle().
  static StatusOr<HashTile> Parse(const TileId& id, ByteSpan data);
  // REQUIRES: hashes.size() == id.width.
  static StatusOr<HashTile> FromHashes(const TileId& id, std::span<const Hash> hashes);

  const TileId& id() const { return id_; }
  uint16_t width() const { return id_.width; }
  // The tile's bottom row (width hashes).
  std::span<const Hash> hashes() const { return std::span<const Hash>(nodes_.data(), id_.width); }
  // The root of tile hashes [j·2^height, (j+1)·2^height), height 0..8.
  // REQUIRES: (j + 1) << height <= width().
  const Hash& Node(int height, uint32_t j) const { return nodes_[offsets_[height] + j]; }
  // The tile file contents: the bottom row, 32·width bytes.
  Bytes Serialize() const;

 private:
  HashTile(const TileId& id, std::vector<Hash> nodes);
  TileId id_;
  std::array<uint32_t, kTileHeight + 1> offsets_{};
  std::vector<Hash> nodes_;
};

// Where a TileHashReader gets hash tiles (the storage layer, a cache, an HTTP client).
class TileSource {
 public:
  virtual ~TileSource() = default;
  // Returns hash tile (`level`, `index`) with at least `width` hashes: the partial tile of that
  // width or any wider one (e.g. the full tile); only the first `width` hashes are used.
  virtual StatusOr<std::shared_ptr<const HashTile>> ReadHashTile(uint8_t level, uint64_t index,
                                                                 uint16_t width) const = 0;
};

// Serves node hashes of the tree of size `tree_size` from tiles (for proof generation and
// TreeRoot). It trusts its source: a client auditing untrusted tiles must compare the root
// computed from them with a verified checkpoint (TreeRoot(tree_size, reader)), and verify proofs.
class TileHashReader final : public HashReader {
 public:
  // `source` is borrowed and must outlive the reader.
  TileHashReader(uint64_t tree_size, const TileSource& source)
      : tree_size_(tree_size), source_(source) {}
  Status ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) const override;

 private:
  uint64_t tree_size_;
  const TileSource& source_;
};

// Splits an entry bundle into its entries (views into `bundle`). Checks every length prefix and
// that nothing is left over; `expected_count` (if non-zero) must equal the number of entries.
// Errors: kInvalidArgument, reason "entry_bundle_malformed".
StatusOr<std::vector<ByteSpan>> ParseEntryBundle(ByteSpan bundle, size_t expected_count = 0);
// Concatenates entries with their uint16 big-endian lengths; at most 256 entries of at most
// 65,535 bytes each.
StatusOr<Bytes> EncodeEntryBundle(std::span<const ByteSpan> entries);

// A tile or bundle to write, with its contents.
struct TileWrite {
  TileId id;
  Bytes data;
};

// Appends entries to a tiled log and produces the tiles and bundles to write (the sequencer's
// integration step). It keeps only the compact range and the right-edge partial rows: O(log n)
// memory. Mutable; thread-compatible.
class TileIntegrator {
 public:
  // An empty log.
  TileIntegrator() = default;
  // Continues a log of size `size` from its stored tiles: the partial hash tiles of that size
  // are read from `tiles`, the compact range through a TileHashReader, and `partial_bundle` must
  // be the partial entry bundle (size mod 256 entries; empty when that is 0).
  static StatusOr<TileIntegrator> Resume(uint64_t size, const TileSource& tiles,
                                         ByteSpan partial_bundle);

  uint64_t size() const { return range_.size(); }
  Hash Root() const { return range_.Root(); }
  const CompactRange& range() const { return range_; }

  // Appends `entries` (each at most 65,535 bytes; checked before anything changes) and returns
  // the writes for the new size: every hash tile and bundle completed during this call (full)
  // and the new partial tile of every level that changed, plus the new partial bundle.
  StatusOr<std::vector<TileWrite>> Append(std::span<const ByteSpan> entries);

 private:
  CompactRange range_;
  std::array<std::vector<Hash>, 8> rows_;  // partial bottom row of each tile level
  Bytes bundle_;                           // partial entry bundle
  uint16_t bundle_count_ = 0;
};

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_TILES_H_

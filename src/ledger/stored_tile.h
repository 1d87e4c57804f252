// Internal to ledger/: the stored form of a full hash tile, which the sequencer writes and the
// log reader reads (through store::LogStore, which stores it as opaque bytes). The format is
// documented in docs/formats/stored-tile.md; it is part of a log's database, so changing it
// needs a schema migration.
#ifndef VOUCH_LEDGER_STORED_TILE_H_
#define VOUCH_LEDGER_STORED_TILE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/store/log_store.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/tiles.h"

namespace vouch::ledger::internal {

// The stored form of a full hash tile: all 511 of its nodes, arranged so that the nodes one
// inclusion proof needs lie in two 32-hash (1 KiB) blocks, which a store can read without the
// rest (LogStore::ReadTileHashes):
//
//   slots 32·k .. 32·k+29   block k (0..15): the nodes of heights 0..3 above tile hashes
//                           16·k .. 16·k+15 (16 + 8 + 4 + 2), then 2 empty slots
//   slots 512 .. 542        the top: all nodes of heights 4..8 (16 + 8 + 4 + 2 + 1)
//
// 543 hashes, 17,376 bytes. A proof for a leaf in block k needs block k (its siblings at
// heights 0..3) and the top (heights 4..7). Partial tiles are stored as served (width × 32
// bytes). docs/formats/stored-tile.md.
inline constexpr size_t kStoredBlockHashes = 32;
inline constexpr size_t kStoredFullTileHashes = 16 * kStoredBlockHashes + 31;
inline constexpr size_t kStoredFullTileSize = kStoredFullTileHashes * tlog::kHashSize;
// Slot (in hashes) of node (height, j) — 0 <= j < 256 >> height — of a full stored tile.
inline constexpr size_t StoredTileNodeOffset(int height, uint32_t j) {
  constexpr size_t kBlockOffset[4] = {0, 16, 24, 28};
  constexpr size_t kTopOffset[9] = {0, 0, 0, 0, 0, 16, 24, 28, 30};
  if (height < 4) {
    const uint32_t per_block = 16u >> height;
    return kStoredBlockHashes * (j / per_block) + kBlockOffset[height] + j % per_block;
  }
  return 16 * kStoredBlockHashes + kTopOffset[height] + j;
}
// Converts a parsed full tile to its stored form. REQUIRES: tile.width() == 256.
Bytes EncodeStoredFullTile(const tlog::HashTile& tile);
// The 256 tile hashes (as served) of a full tile in stored form. REQUIRES: stored.size() ==
// kStoredFullTileSize.
Bytes DecodeStoredFullTile(ByteSpan stored);

// Hash tiles as served, read from a log store (full ones decoded from their stored form), for
// TileIntegrator::Resume and the partial tiles of a snapshot. kDataLoss for a stored tile
// narrower than asked or of the wrong size; the store's errors.
class StoreTileSource final : public tlog::TileSource {
 public:
  // `store` is borrowed and must outlive this object.
  explicit StoreTileSource(const store::LogStore& store) : store_(store) {}
  StatusOr<std::shared_ptr<const tlog::HashTile>> ReadHashTile(uint8_t level, uint64_t index,
                                                               uint16_t width) const override;

 private:
  const store::LogStore& store_;
};

// The partial hash tiles of the tree of size `size` (LogSnapshot's), read from `source`: the
// tile of level l, or null when that level has none. The store keeps the widest version of a
// tile, whose first W hashes are the partial tile of width W, so a tree that grew since is no
// obstacle.
StatusOr<std::array<std::shared_ptr<const tlog::HashTile>, 8>> ReadPartialTiles(
    const tlog::TileSource& source, uint64_t size);

}  // namespace vouch::ledger::internal

#endif  // VOUCH_LEDGER_STORED_TILE_H_

// Internal to ledger/: the stored form of a full hash tile, which the sequencer writes and the
// log reader reads (through store::LogStore, which stores it as opaque bytes). The format is
// documented in docs/formats/stored-tile.md; it is part of a log's database, so changing it
// needs a schema migration.
#ifndef VOUCH_LEDGER_STORED_TILE_H_
#define VOUCH_LEDGER_STORED_TILE_H_

#include <cstddef>
#include <cstdint>

#include "vouch/base/bytes.h"
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

}  // namespace vouch::ledger::internal

#endif  // VOUCH_LEDGER_STORED_TILE_H_

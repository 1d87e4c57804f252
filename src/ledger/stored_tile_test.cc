// The stored form of a full hash tile (stored_tile.h).
#include "ledger/stored_tile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace vouch::ledger::internal {
namespace {

using tlog::Hash;
using tlog::TileId;

TEST(StoredTileTest, EveryNodeHasItsOwnSlotAndAProofReadsTwoBlocks) {
  std::vector<Hash> hashes(256);
  for (int i = 0; i < 256; ++i) hashes[i] = tlog::HashLeaf(AsBytes("entry " + std::to_string(i)));
  auto tile = *tlog::HashTile::FromHashes(TileId::HashTile(0, 0), hashes);
  Bytes stored = EncodeStoredFullTile(tile);
  ASSERT_EQ(stored.size(), kStoredFullTileSize);
  std::set<size_t> used;
  for (int h = 0; h <= 8; ++h) {
    for (uint32_t j = 0; j < (256u >> h); ++j) {
      const size_t slot = StoredTileNodeOffset(h, j);
      ASSERT_LT(slot, kStoredFullTileHashes);
      EXPECT_TRUE(used.insert(slot).second) << h << "/" << j;
      EXPECT_TRUE(std::equal(tile.Node(h, j).begin(), tile.Node(h, j).end(),
                             stored.begin() + static_cast<ptrdiff_t>(slot * 32)));
    }
  }
  EXPECT_EQ(used.size(), 511u);
  EXPECT_EQ(DecodeStoredFullTile(stored), tile.Serialize());
  // The siblings on the path of every leaf lie in at most two 32-hash blocks.
  for (uint32_t leaf = 0; leaf < 256; ++leaf) {
    std::set<size_t> blocks;
    for (int h = 0; h < 8; ++h) {
      blocks.insert(StoredTileNodeOffset(h, (leaf >> h) ^ 1) / kStoredBlockHashes);
    }
    EXPECT_LE(blocks.size(), 2u) << leaf;
  }
}

}  // namespace
}  // namespace vouch::ledger::internal

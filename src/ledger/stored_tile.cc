// The stored form of a full hash tile (stored_tile.h, docs/formats/stored-tile.md).
#include "ledger/stored_tile.h"

#include <algorithm>

namespace vouch::ledger::internal {

Bytes EncodeStoredFullTile(const tlog::HashTile& tile) {
  Bytes out(kStoredFullTileSize, 0);
  for (int h = 0; h <= tlog::kTileHeight; ++h) {
    for (uint32_t j = 0; j < (uint32_t{tlog::kTileWidth} >> h); ++j) {
      const tlog::Hash& node = tile.Node(h, j);
      std::copy(node.begin(), node.end(),
                out.begin() + static_cast<ptrdiff_t>(StoredTileNodeOffset(h, j) * tlog::kHashSize));
    }
  }
  return out;
}

Bytes DecodeStoredFullTile(ByteSpan stored) {
  Bytes out;
  out.reserve(size_t{tlog::kTileWidth} * tlog::kHashSize);
  for (uint32_t j = 0; j < tlog::kTileWidth; ++j) {
    ::vouch::Append(out,
                    stored.subspan(StoredTileNodeOffset(0, j) * tlog::kHashSize, tlog::kHashSize));
  }
  return out;
}

}  // namespace vouch::ledger::internal

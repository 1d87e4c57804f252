// The stored form of a full hash tile (stored_tile.h, docs/formats/stored-tile.md).
#include "ledger/stored_tile.h"

#include <algorithm>
#include <string>
#include <utility>

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

StatusOr<std::shared_ptr<const tlog::HashTile>> StoreTileSource::ReadHashTile(
    uint8_t level, uint64_t index, uint16_t width) const {
  using tlog::TileId;
  VOUCH_ASSIGN_OR_RETURN(store::StoredTile t, store_.ReadTile(level, index));
  if (t.width < width) {
    return DataLossError("stored tile " + tlog::TilePath(TileId::HashTile(level, index, width)) +
                         " has only " + std::to_string(t.width) + " hashes");
  }
  Bytes data = std::move(t.data);
  if (t.width == tlog::kTileWidth) {
    if (data.size() != kStoredFullTileSize) {
      return DataLossError("stored full tile " + tlog::TilePath(TileId::HashTile(level, index)) +
                           " has the wrong size");
    }
    data = DecodeStoredFullTile(data);
  }
  VOUCH_ASSIGN_OR_RETURN(tlog::HashTile tile,
                         tlog::HashTile::Parse(TileId::HashTile(level, index, t.width), data));
  return std::make_shared<const tlog::HashTile>(std::move(tile));
}

StatusOr<std::array<std::shared_ptr<const tlog::HashTile>, 8>> ReadPartialTiles(
    const tlog::TileSource& source, uint64_t size) {
  std::array<std::shared_ptr<const tlog::HashTile>, 8> partials{};
  for (const tlog::TileId& id : tlog::PartialHashTilesForSize(size)) {
    VOUCH_ASSIGN_OR_RETURN(auto tile, source.ReadHashTile(id.level, id.index, id.width));
    VOUCH_ASSIGN_OR_RETURN(tlog::HashTile exact,
                           tlog::HashTile::FromHashes(id, tile->hashes().first(id.width)));
    partials[id.level] = std::make_shared<const tlog::HashTile>(std::move(exact));
  }
  return partials;
}

}  // namespace vouch::ledger::internal

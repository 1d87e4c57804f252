// Fuzzes tile paths and entry bundles (spec/transparency-log.md §8). Invariants: a parsed path
// re-serialises exactly; a parsed bundle re-encodes exactly.
#include <cstddef>
#include <cstdint>

#include "tlog_fuzz_common.h"
#include "vouch/tlog/tiles.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch::tlog;
  std::string_view text = fuzz::AsText(data, size);
  auto id = ParseTilePath(text);
  if (id.ok()) fuzz::Check(TilePath(*id) == text);
  vouch::ByteSpan bytes(data, size);
  auto entries = ParseEntryBundle(bytes);
  if (entries.ok()) {
    auto again = EncodeEntryBundle(*entries);
    fuzz::Check(again.ok() && *again == vouch::Bytes(bytes.begin(), bytes.end()));
  }
  if (size % kHashSize == 0 && size > 0 && size <= kTileWidth * kHashSize) {
    auto tile =
        HashTile::Parse(TileId::HashTile(0, 0, static_cast<uint16_t>(size / kHashSize)), bytes);
    fuzz::Check(tile.ok() && tile->Serialize() == vouch::Bytes(bytes.begin(), bytes.end()));
  }
  return 0;
}

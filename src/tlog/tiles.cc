// Tiles, c2sp.org/tlog-tiles v0.1.0 (spec/transparency-log.md §8).
#include "vouch/tlog/tiles.h"

#include <algorithm>
#include <string>

#include "tlog/text.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

Status BadPath(std::string_view path, const std::string& why) {
  return MalformedError(reasons::kTilePathInvalid,
                        "invalid tile path " + internal::Quote(path) + ": " + why);
}

Status BadBundle(const std::string& why) {
  return MalformedError(reasons::kEntryBundleMalformed, "malformed entry bundle: " + why);
}

// One entry of a bundle: its length as a big-endian u16, then its bytes.
// REQUIRES: entry.size() <= kMaxEntrySize.
void AppendBundleEntry(Bytes& bundle, ByteSpan entry) {
  std::array<uint8_t, 2> length;
  StoreU16Be(length.data(), static_cast<uint16_t>(entry.size()));
  Append(bundle, length);
  Append(bundle, entry);
}

std::string FormatIndex(uint64_t index) {
  // Groups of three digits, most significant first.
  std::vector<uint64_t> groups;
  do {
    groups.push_back(index % 1000);
    index /= 1000;
  } while (index > 0);
  std::string out;
  for (size_t i = groups.size(); i-- > 0;) {
    std::string g = std::to_string(groups[i]);
    g.insert(0, 3 - g.size(), '0');
    if (i > 0) {
      out += "x" + g + "/";
    } else {
      out += g;
    }
  }
  return out;
}

bool ThreeDigits(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string TilePath(const TileId& id) {
  std::string out = "tile/";
  out += id.is_bundle() ? std::string("entries") : std::to_string(id.level);
  out += "/" + FormatIndex(id.index);
  if (id.partial()) {
    out += ".p/" + std::to_string(id.width);
  }
  return out;
}

StatusOr<TileId> ParseTilePath(std::string_view path) {
  if (path.substr(0, 5) != "tile/") {
    return BadPath(path, "it must start with tile/");
  }
  std::string_view rest = path.substr(5);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return BadPath(path, "no tile index");
  }
  std::string_view level_part = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  TileId id;
  if (level_part == "entries") {
    id.kind = TileId::Kind::kEntries;
  } else {
    auto level = internal::ParseDecimal(level_part);
    if (!level || *level > static_cast<uint64_t>(kMaxTileLevel)) {
      return BadPath(path, "the level must be a decimal 0..63 or \"entries\"");
    }
    id.level = static_cast<uint8_t>(*level);
  }
  size_t p = rest.find(".p/");
  if (p != std::string_view::npos) {
    auto width = internal::ParseDecimal(rest.substr(p + 3));
    if (!width || *width < 1 || *width >= kTileWidth) {
      return BadPath(path, "a partial width must be a decimal 1..255");
    }
    id.width = static_cast<uint16_t>(*width);
    rest = rest.substr(0, p);
  }
  uint64_t index = 0;
  size_t groups = 0;
  while (true) {
    slash = rest.find('/');
    std::string_view group = rest.substr(0, slash);
    bool last = slash == std::string_view::npos;
    if (!last) {
      if (group.size() != 4 || group[0] != 'x' || !ThreeDigits(group.substr(1))) {
        return BadPath(path, "index elements before the last are x followed by 3 digits");
      }
      group.remove_prefix(1);
      if (groups == 0 && group == "000") {
        return BadPath(path, "the index has a leading x000");
      }
    } else if (!ThreeDigits(group)) {
      return BadPath(path, "the last index element is 3 digits");
    }
    uint64_t g = 0;
    for (char c : group) {
      g = g * 10 + static_cast<uint64_t>(c - '0');
    }
    if (index > (UINT64_MAX - g) / 1000) {
      return BadPath(path, "the index does not fit 64 bits");
    }
    index = index * 1000 + g;
    ++groups;
    if (last) {
      break;
    }
    rest = rest.substr(slash + 1);
  }
  id.index = index;
  return id;
}

uint16_t HashTileWidth(uint8_t level, uint64_t index, uint64_t size) {
  if (level >= kTileHeight) {
    return 0;  // 256^8 = 2^64: no tree has a level-8 tile.
  }
  uint64_t nodes = size >> (kTileHeight * level);
  uint64_t full = nodes / kTileWidth;
  if (index < full) {
    return kTileWidth;
  }
  if (index == full) {
    return static_cast<uint16_t>(nodes % kTileWidth);
  }
  return 0;
}

std::vector<TileId> HashTilesForSize(uint64_t size) {
  std::vector<TileId> out;
  for (int level = 0; level < kTileHeight; ++level) {
    uint64_t nodes = size >> (kTileHeight * level);
    if (nodes == 0) {
      break;
    }
    for (uint64_t i = 0; i < nodes / kTileWidth; ++i) {
      out.push_back(TileId::HashTile(static_cast<uint8_t>(level), i));
    }
    if (nodes % kTileWidth != 0) {
      out.push_back(TileId::HashTile(static_cast<uint8_t>(level), nodes / kTileWidth,
                                     static_cast<uint16_t>(nodes % kTileWidth)));
    }
  }
  return out;
}

std::vector<TileId> PartialHashTilesForSize(uint64_t size) {
  std::vector<TileId> out;
  for (int level = 0; level < kTileHeight; ++level) {
    uint64_t nodes = size >> (kTileHeight * level);
    if (nodes == 0) {
      break;
    }
    if (nodes % kTileWidth != 0) {
      out.push_back(TileId::HashTile(static_cast<uint8_t>(level), nodes / kTileWidth,
                                     static_cast<uint16_t>(nodes % kTileWidth)));
    }
  }
  return out;
}

std::vector<TileId> EntryBundlesForSize(uint64_t size) {
  std::vector<TileId> out;
  for (uint64_t i = 0; i < size / kTileWidth; ++i) {
    out.push_back(TileId::Bundle(i));
  }
  if (size % kTileWidth != 0) {
    out.push_back(TileId::Bundle(size / kTileWidth, static_cast<uint16_t>(size % kTileWidth)));
  }
  return out;
}

// ---- HashTile ----

HashTile::HashTile(const TileId& id, std::vector<Hash> nodes) : id_(id), nodes_(std::move(nodes)) {
  uint32_t offset = 0;
  for (int h = 0; h <= kTileHeight; ++h) {
    offsets_[h] = offset;
    offset += static_cast<uint32_t>(id_.width >> h);
  }
}

StatusOr<HashTile> HashTile::FromHashes(const TileId& id, std::span<const Hash> hashes) {
  if (id.is_bundle() || id.width < 1 || id.width > kTileWidth || id.level > kMaxTileLevel) {
    return InvalidArgumentError("not a hash tile id");
  }
  if (hashes.size() != id.width) {
    return MalformedError(reasons::kTileMalformed, "tile " + TilePath(id) + " must have " +
                                                       std::to_string(id.width) + " hashes, got " +
                                                       std::to_string(hashes.size()));
  }
  std::vector<Hash> nodes(hashes.begin(), hashes.end());
  nodes.reserve(size_t{2} * id.width);
  size_t prev = 0;
  size_t count = id.width;
  for (int h = 1; h <= kTileHeight; ++h) {
    size_t next = nodes.size();
    for (size_t j = 0; j + 1 < count; j += 2) {
      nodes.push_back(HashChildren(nodes[prev + j], nodes[prev + j + 1]));
    }
    prev = next;
    count /= 2;
  }
  return HashTile(id, std::move(nodes));
}

StatusOr<HashTile> HashTile::Parse(const TileId& id, ByteSpan data) {
  if (id.is_bundle()) {
    return InvalidArgumentError("an entry bundle is not a hash tile");
  }
  if (data.size() != size_t{id.width} * kHashSize) {
    return MalformedError(reasons::kTileMalformed,
                          "tile " + TilePath(id) + " must be " +
                              std::to_string(size_t{id.width} * kHashSize) + " bytes, got " +
                              std::to_string(data.size()));
  }
  std::vector<Hash> hashes(id.width);
  for (size_t i = 0; i < id.width; ++i) {
    std::copy(data.begin() + static_cast<ptrdiff_t>(i * kHashSize),
              data.begin() + static_cast<ptrdiff_t>((i + 1) * kHashSize), hashes[i].begin());
  }
  return FromHashes(id, hashes);
}

Bytes HashTile::Serialize() const {
  Bytes out;
  out.reserve(size_t{id_.width} * kHashSize);
  for (const Hash& h : hashes()) {
    Append(out, h);
  }
  return out;
}

// ---- TileHashReader ----

Status TileHashReader::ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) const {
  if (ids.size() != out.size()) {
    return InternalError("ReadHashes: output size mismatch");
  }
  // Proofs touch few tiles, several times: remember the ones read in this call.
  struct Cached {
    uint8_t level;
    uint64_t index;
    std::shared_ptr<const HashTile> tile;
  };
  std::vector<Cached> cache;
  for (size_t k = 0; k < ids.size(); ++k) {
    const NodeId id = ids[k];
    if (id.level >= 64 || id.index >= (tree_size_ >> id.level)) {
      return NotFoundError("node (level " + std::to_string(id.level) + ", index " +
                           std::to_string(id.index) + ") is not in the tree of size " +
                           std::to_string(tree_size_));
    }
    const auto tile_level = static_cast<uint8_t>(id.level / kTileHeight);
    const int height = id.level % kTileHeight;
    const uint64_t first = id.index << height;  // first tile-level node under this node
    const uint64_t tile_index = first / kTileWidth;
    const auto pos = static_cast<uint32_t>(first % kTileWidth);
    const uint16_t width = HashTileWidth(tile_level, tile_index, tree_size_);
    std::shared_ptr<const HashTile> tile;
    for (const auto& c : cache) {
      if (c.level == tile_level && c.index == tile_index) {
        tile = c.tile;
      }
    }
    if (tile == nullptr) {
      VOUCH_ASSIGN_OR_RETURN(tile, source_.ReadHashTile(tile_level, tile_index, width));
      if (tile == nullptr || tile->id().level != tile_level || tile->id().index != tile_index ||
          tile->width() < width) {
        return DataLossError("tile source returned the wrong tile for " +
                             TilePath(TileId::HashTile(tile_level, tile_index, width)));
      }
      cache.push_back(Cached{tile_level, tile_index, tile});
    }
    out[k] = tile->Node(height, pos >> height);
  }
  return OkStatus();
}

// ---- Entry bundles ----

StatusOr<std::vector<ByteSpan>> ParseEntryBundle(ByteSpan bundle, size_t expected_count) {
  std::vector<ByteSpan> entries;
  size_t pos = 0;
  while (pos < bundle.size()) {
    if (entries.size() == kTileWidth) {
      return BadBundle("more than 256 entries");
    }
    if (bundle.size() - pos < 2) {
      return BadBundle("truncated length prefix at byte " + std::to_string(pos));
    }
    size_t len = LoadU16Be(bundle.data() + pos);
    pos += 2;
    if (bundle.size() - pos < len) {
      return BadBundle("entry " + std::to_string(entries.size()) + " claims " +
                       std::to_string(len) + " bytes but " + std::to_string(bundle.size() - pos) +
                       " remain");
    }
    entries.push_back(bundle.subspan(pos, len));
    pos += len;
  }
  if (expected_count != 0 && entries.size() != expected_count) {
    return BadBundle("expected " + std::to_string(expected_count) + " entries, got " +
                     std::to_string(entries.size()));
  }
  return entries;
}

StatusOr<Bytes> EncodeEntryBundle(std::span<const ByteSpan> entries) {
  if (entries.size() > kTileWidth) {
    return InvalidArgumentError("a bundle holds at most 256 entries");
  }
  Bytes out;
  for (ByteSpan e : entries) {
    if (e.size() > kMaxEntrySize) {
      return InvalidArgumentError("entry of " + std::to_string(e.size()) +
                                  " bytes exceeds the 65,535-byte limit");
    }
    AppendBundleEntry(out, e);
  }
  return out;
}

// ---- TileIntegrator ----

StatusOr<TileIntegrator> TileIntegrator::Resume(uint64_t size, const TileSource& tiles,
                                                ByteSpan partial_bundle) {
  TileIntegrator t;
  for (const TileId& id : PartialHashTilesForSize(size)) {
    VOUCH_ASSIGN_OR_RETURN(auto tile, tiles.ReadHashTile(id.level, id.index, id.width));
    if (tile == nullptr || tile->width() < id.width) {
      return DataLossError("stored tile " + TilePath(id) + " is missing or too short");
    }
    auto row = tile->hashes().first(id.width);
    t.rows_[id.level].assign(row.begin(), row.end());
  }
  TileHashReader reader(size, tiles);
  VOUCH_ASSIGN_OR_RETURN(t.range_, CompactRange::FromReader(size, reader));
  const size_t want = size % kTileWidth;
  VOUCH_ASSIGN_OR_RETURN(std::vector<ByteSpan> entries, ParseEntryBundle(partial_bundle));
  if (entries.size() != want) {
    return DataLossError("the partial entry bundle has " + std::to_string(entries.size()) +
                         " entries, a log of size " + std::to_string(size) + " needs " +
                         std::to_string(want));
  }
  // The stored bundle must match the stored level-0 tile.
  for (size_t i = 0; i < entries.size(); ++i) {
    if (HashLeaf(entries[i]) != t.rows_[0][i]) {
      return DataLossError("entry " + std::to_string(size - want + i) +
                           " of the partial bundle does not match its level-0 tile hash");
    }
  }
  t.bundle_.assign(partial_bundle.begin(), partial_bundle.end());
  t.bundle_count_ = static_cast<uint16_t>(want);
  return t;
}

StatusOr<std::vector<TileWrite>> TileIntegrator::Append(std::span<const ByteSpan> entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].size() > kMaxEntrySize) {
      return InvalidArgumentError("entry " + std::to_string(i) + " is " +
                                  std::to_string(entries[i].size()) +
                                  " bytes; entries are at most 65,535 bytes");
    }
  }
  if (entries.size() > UINT64_MAX - 1 - range_.size()) {
    return OutOfRangeError("the log is full");
  }
  std::vector<TileWrite> writes;
  std::array<bool, 8> touched{};
  for (ByteSpan entry : entries) {
    const uint64_t index = range_.size();
    AppendBundleEntry(bundle_, entry);
    if (++bundle_count_ == kTileWidth) {
      writes.push_back(TileWrite{TileId::Bundle(index / kTileWidth), std::move(bundle_)});
      bundle_.clear();
      bundle_count_ = 0;
    }
    range_.Append(HashLeaf(entry), [&](uint8_t level, uint64_t node_index, const Hash& h) {
      if (level % kTileHeight != 0) {
        return;
      }
      const int tl = level / kTileHeight;
      auto& row = rows_[tl];
      row.push_back(h);
      touched[tl] = true;
      if (row.size() == kTileWidth) {
        TileWrite w{TileId::HashTile(static_cast<uint8_t>(tl), node_index / kTileWidth), {}};
        w.data.reserve(size_t{kTileWidth} * kHashSize);
        for (const Hash& x : row) {
          ::vouch::Append(w.data, x);
        }
        writes.push_back(std::move(w));
        row.clear();
      }
    });
  }
  const uint64_t size = range_.size();
  for (int tl = 0; tl < kTileHeight; ++tl) {
    const auto& row = rows_[tl];
    if (!touched[tl] || row.empty()) {
      continue;
    }
    const uint64_t nodes = size >> (kTileHeight * tl);
    TileWrite w{TileId::HashTile(static_cast<uint8_t>(tl), nodes / kTileWidth,
                                 static_cast<uint16_t>(row.size())),
                {}};
    w.data.reserve(row.size() * kHashSize);
    for (const Hash& x : row) {
      ::vouch::Append(w.data, x);
    }
    writes.push_back(std::move(w));
  }
  if (!entries.empty() && bundle_count_ > 0) {
    writes.push_back(TileWrite{TileId::Bundle(size / kTileWidth, bundle_count_), bundle_});
  }
  return writes;
}

}  // namespace vouch::tlog

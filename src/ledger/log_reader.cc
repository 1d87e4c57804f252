#include "vouch/ledger/log_reader.h"

#include <cstring>
#include <string>

#include "ledger/stored_tile.h"
#include "ledger/tile_cache.h"
#include "vouch/base/mutex.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/proof_file.h"

namespace vouch::ledger {

using internal::DecodeStoredFullTile;
using internal::kStoredBlockHashes;
using internal::kStoredFullTileHashes;
using internal::kStoredFullTileSize;
using internal::StoredTileNodeOffset;
using internal::TileCache;
using internal::TopBlock;
using tlog::Hash;
using tlog::kHashSize;
using tlog::kTileHeight;
using tlog::kTileWidth;
using tlog::NodeId;
using tlog::TileId;

namespace internal {

// The newest entry bundle read — the tip of the log, usually partial, which every client that
// follows the log fetches again as it grows — kept encoded, with where each entry's encoding
// ends: a request for its first W entries is a copy of a prefix, and a wider one reads from the
// store only the entries it does not have yet. Entries never change once sequenced, so what it
// holds stays right. At most one bundle (256 entries of at most 65,537 encoded bytes).
class BundleTail {
 public:
  // The first `width` entries of bundle `index`, encoded. REQUIRES: they are committed.
  StatusOr<Bytes> Read(const store::LogStore& store, uint64_t index, uint16_t width) const
      VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (index < index_) return ReadFromStore(store, index, width);  // an older one: not kept
    if (index > index_) {
      index_ = index;
      encoded_.clear();
      ends_.clear();
    }
    if (ends_.size() < width) {
      const uint64_t begin = index * kTileWidth;
      VOUCH_ASSIGN_OR_RETURN(std::vector<Bytes> entries,
                             store.ReadEntries(begin + ends_.size(), begin + width));
      for (const Bytes& entry : entries) {
        const ByteSpan one[] = {entry};
        VOUCH_ASSIGN_OR_RETURN(Bytes framed, tlog::EncodeEntryBundle(one));
        ::vouch::Append(encoded_, framed);
        ends_.push_back(encoded_.size());
      }
    }
    return Bytes(encoded_.begin(), encoded_.begin() + static_cast<ptrdiff_t>(ends_[width - 1]));
  }

  static StatusOr<Bytes> ReadFromStore(const store::LogStore& store, uint64_t index,
                                       uint16_t width) {
    const uint64_t begin = index * kTileWidth;
    VOUCH_ASSIGN_OR_RETURN(std::vector<Bytes> entries, store.ReadEntries(begin, begin + width));
    std::vector<ByteSpan> spans(entries.begin(), entries.end());
    return tlog::EncodeEntryBundle(spans);
  }

 private:
  mutable Mutex mu_;
  mutable uint64_t index_ VOUCH_GUARDED_BY(mu_) = 0;
  mutable Bytes encoded_ VOUCH_GUARDED_BY(mu_);
  mutable std::vector<size_t> ends_ VOUCH_GUARDED_BY(mu_);
};

}  // namespace internal

namespace {

Status NotInTree(const TileId& id, uint64_t size) {
  return NotFoundError(tlog::TilePath(id) + " does not exist in the published tree of size " +
                       std::to_string(size));
}

// The stored form of full hash tile (level, index), from the cache or the store (then cached,
// evicting the least recently used tiles).
StatusOr<std::shared_ptr<const Bytes>> FullTile(const store::LogStore& store,
                                                const TileCache& cache, uint8_t level,
                                                uint64_t index) {
  const uint64_t key = TileCache::Key(level, index);
  if (auto cached = cache.Tile(key)) return cached;
  VOUCH_ASSIGN_OR_RETURN(store::StoredTile t, store.ReadTile(level, index));
  if (t.width != kTileWidth || t.data.size() != kStoredFullTileSize) {
    return DataLossError("stored tile " + tlog::TilePath(TileId::HashTile(level, index)) +
                         " is not a complete full tile (width " + std::to_string(t.width) + ")");
  }
  auto data = std::make_shared<const Bytes>(std::move(t.data));
  cache.AddTile(key, data);
  return data;
}

// Node hashes of the snapshot's tree: full tiles from the store (inner nodes included), the
// right edge from the snapshot's partial tiles.
class SnapshotHashReader final : public tlog::HashReader {
 public:
  SnapshotHashReader(const store::LogStore& store, const TileCache& cache,
                     const LogSnapshot& snapshot)
      : store_(store), cache_(cache), snapshot_(snapshot) {}

  Status ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) const override {
    if (ids.size() != out.size()) return InternalError("ReadHashes: output size mismatch");
    const uint64_t size = snapshot_.size();
    // Proofs touch few tiles, several times each.
    uint64_t last_key = UINT64_MAX;
    std::shared_ptr<const Bytes> last;
    // Level-0 tiles that are neither cached nor admitted to the cache: the hashes to read from
    // the store (slot in the stored tile, position in `out`), by tile index.
    std::vector<std::pair<uint64_t, std::vector<std::pair<uint32_t, size_t>>>> direct;
    for (size_t k = 0; k < ids.size(); ++k) {
      const NodeId id = ids[k];
      if (id.level >= 64 || id.index >= (size >> id.level)) {
        return NotFoundError("node (level " + std::to_string(id.level) + ", index " +
                             std::to_string(id.index) + ") is not in the tree of size " +
                             std::to_string(size));
      }
      const auto tile_level = static_cast<uint8_t>(id.level / kTileHeight);
      const int height = id.level % kTileHeight;
      const uint64_t first = id.index << height;
      const uint64_t tile_index = first / kTileWidth;
      const auto j = static_cast<uint32_t>((first % kTileWidth) >> height);
      if (tlog::HashTileWidth(tile_level, tile_index, size) != kTileWidth) {
        const auto& tile = snapshot_.partial_tile(tile_level);
        if (tile == nullptr || tile->id().index != tile_index) {
          return InternalError("the snapshot lacks the partial tile of level " +
                               std::to_string(tile_level));
        }
        out[k] = tile->Node(height, j);
        continue;
      }
      const auto slot = static_cast<uint32_t>(StoredTileNodeOffset(height, j));
      const uint64_t key = TileCache::Key(tile_level, tile_index);
      if (key != last_key) {
        last = cache_.Tile(key);
        if (last == nullptr && (tile_level > 0 || cache_.HasRoom(key))) {
          VOUCH_ASSIGN_OR_RETURN(last, FullTile(store_, cache_, tile_level, tile_index));
        }
        last_key = key;
      }
      if (last != nullptr) {
        std::memcpy(out[k].data(), last->data() + size_t{slot} * kHashSize, kHashSize);
        continue;
      }
      if (direct.empty() || direct.back().first != tile_index) direct.push_back({tile_index, {}});
      direct.back().second.push_back({slot, k});
    }
    // Uncached level-0 tiles: the hashes below height 4 come from one block of the stored tile;
    // those above from its top block, which is cached on its own (1 KiB per tile), so a proof
    // usually costs one small store read.
    constexpr uint32_t kTop = 16 * kStoredBlockHashes;
    constexpr uint32_t kTopHashes = kStoredFullTileHashes - kTop;
    for (const auto& [tile_index, wanted] : direct) {
      std::shared_ptr<const TopBlock> top = cache_.Top(tile_index);
      std::vector<uint32_t> slots;
      std::vector<size_t> positions;
      for (const auto& [slot, k] : wanted) {
        if (slot >= kTop && top != nullptr) {
          out[k] = (*top)[slot - kTop];
        } else if (slot < kTop) {
          slots.push_back(slot);
          positions.push_back(k);
        }
      }
      const size_t block_slots = slots.size();
      if (top == nullptr) {
        for (uint32_t t = 0; t < kTopHashes; ++t) slots.push_back(kTop + t);
      }
      std::vector<Hash> hashes(slots.size());
      VOUCH_RETURN_IF_ERROR(store_.ReadTileHashes(0, tile_index, slots, hashes));
      for (size_t i = 0; i < block_slots; ++i) out[positions[i]] = hashes[i];
      if (top == nullptr) {
        auto fetched = std::make_shared<TopBlock>();
        std::copy(hashes.begin() + static_cast<ptrdiff_t>(block_slots), hashes.end(),
                  fetched->begin());
        for (const auto& [slot, k] : wanted) {
          if (slot >= kTop) out[k] = (*fetched)[slot - kTop];
        }
        cache_.AddTop(tile_index, std::move(fetched));
      }
    }
    return OkStatus();
  }

 private:
  const store::LogStore& store_;
  const TileCache& cache_;
  const LogSnapshot& snapshot_;
};

}  // namespace

LogReader::LogReader(std::shared_ptr<const store::LogStore> store, size_t cache_bytes)
    : store_(std::move(store)),
      cache_(std::make_unique<const TileCache>(cache_bytes)),
      tail_(std::make_unique<const internal::BundleTail>()) {}

LogReader::~LogReader() = default;

uint16_t LogReader::ExistingWidth(const TileId& id, uint64_t size) {
  if (id.is_bundle()) {
    const uint64_t full = size / kTileWidth;
    if (id.index < full) return kTileWidth;
    if (id.index == full) return static_cast<uint16_t>(size % kTileWidth);
    return 0;
  }
  return tlog::HashTileWidth(id.level, id.index, size);
}

StatusOr<Bytes> LogReader::ReadTile(const TileId& id, const LogSnapshot& snapshot) const {
  const uint64_t size = snapshot.size();
  if (id.width < 1 || id.width > kTileWidth || (!id.is_bundle() && id.level > 63)) {
    return InvalidArgumentError("invalid tile id");
  }
  const uint16_t exists = ExistingWidth(id, size);
  // A full request needs a full tile; a partial one of width W a tile at least W wide.
  if (exists == 0 || exists < id.width) return NotInTree(id, size);

  if (id.is_bundle()) {
    // The tip bundle from memory; older (full) ones, read rarely and once by each follower,
    // from the store.
    if (id.index == size / kTileWidth || id.index + 1 == size / kTileWidth) {
      return tail_->Read(*store_, id.index, id.width);
    }
    return internal::BundleTail::ReadFromStore(*store_, id.index, id.width);
  }
  const size_t bytes = size_t{id.width} * kHashSize;
  if (exists == kTileWidth) {
    VOUCH_ASSIGN_OR_RETURN(auto tile, FullTile(*store_, *cache_, id.level, id.index));
    Bytes data = DecodeStoredFullTile(*tile);
    data.resize(bytes);
    return data;
  }
  const auto& tile = snapshot.partial_tile(id.level);
  if (tile == nullptr || tile->id().index != id.index) {
    return InternalError("the snapshot lacks the partial tile of level " +
                         std::to_string(id.level));
  }
  Bytes data = tile->Serialize();
  data.resize(bytes);
  return data;
}

StatusOr<std::vector<Hash>> LogReader::InclusionProof(uint64_t index,
                                                      const LogSnapshot& snapshot) const {
  if (index >= snapshot.size()) {
    return NotFoundError("entry " + std::to_string(index) +
                         " is not in the published tree of size " +
                         std::to_string(snapshot.size()));
  }
  SnapshotHashReader reader(*store_, *cache_, snapshot);
  return tlog::InclusionProof(index, snapshot.border(), reader);
}

StatusOr<std::vector<Hash>> LogReader::ConsistencyProof(uint64_t size1,
                                                        const LogSnapshot& snapshot) const {
  if (size1 == 0 || size1 > snapshot.size()) {
    return InvalidArgumentError("a consistency proof needs 0 < size1 <= " +
                                std::to_string(snapshot.size()));
  }
  SnapshotHashReader reader(*store_, *cache_, snapshot);
  return tlog::ConsistencyProof(size1, snapshot.border(), reader);
}

StatusOr<std::string> LogReader::ProofFile(uint64_t index, const LogSnapshot& snapshot) const {
  VOUCH_ASSIGN_OR_RETURN(std::vector<Hash> proof, InclusionProof(index, snapshot));
  VOUCH_ASSIGN_OR_RETURN(tlog::ProofFile file,
                         tlog::ProofFile::Create(index, std::move(proof), snapshot.checkpoint()));
  return file.Serialize();
}

}  // namespace vouch::ledger

// Internal to ledger/: the log reader's caches of stored full tiles (stored_tile.h) — an LRU
// cache of whole tiles, sharded so that concurrent proofs rarely share a lock, and a second LRU
// cache of the top blocks (heights 4..8) of level-0 tiles that are not cached whole. Half of the
// byte budget goes to each. log_reader.h says how the reader uses them.
//
// Thread-safety: thread-safe (each shard and the top cache have their own lock).
#ifndef VOUCH_LEDGER_TILE_CACHE_H_
#define VOUCH_LEDGER_TILE_CACHE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <utility>

#include "ledger/stored_tile.h"
#include "vouch/base/bytes.h"
#include "vouch/base/mutex.h"
#include "vouch/tlog/merkle.h"

namespace vouch::ledger::internal {

// The top block (the nodes of heights 4..8) of a stored full tile.
using TopBlock = std::array<tlog::Hash, kStoredFullTileHashes - 16 * kStoredBlockHashes>;

class TileCache {
 public:
  // Keys of whole tiles: level << 56 | index.
  static uint64_t Key(uint8_t level, uint64_t index) { return (uint64_t{level} << 56) | index; }

  explicit TileCache(size_t cache_bytes);
  TileCache(const TileCache&) = delete;
  TileCache& operator=(const TileCache&) = delete;

  // The cached stored tile with key `key` (now the most recently used), or null.
  std::shared_ptr<const Bytes> Tile(uint64_t key) const;
  // Whether one more full tile fits in the shard of `key` without evicting.
  bool HasRoom(uint64_t key) const;
  // Caches `data` (a stored full tile) under `key` unless it is there already, evicting the
  // shard's least recently used tiles beyond its budget. A budget of 0 caches nothing.
  void AddTile(uint64_t key, std::shared_ptr<const Bytes> data) const;

  // The cached top block of level-0 tile `index`, or null.
  std::shared_ptr<const TopBlock> Top(uint64_t index) const;
  void AddTop(uint64_t index, std::shared_ptr<const TopBlock> top) const;

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    uint64_t key;
    std::shared_ptr<const Bytes> data;
  };
  struct Shard {
    mutable Mutex mu;
    std::list<Entry> lru VOUCH_GUARDED_BY(mu);  // most recent first
    std::unordered_map<uint64_t, std::list<Entry>::iterator> index VOUCH_GUARDED_BY(mu);
    size_t bytes VOUCH_GUARDED_BY(mu) = 0;
  };
  Shard& ShardOf(uint64_t key) const { return shards_[(key ^ (key >> 56)) % kShards]; }

  const size_t shard_bytes_;  // budget per shard (half of the cache is for full tiles)
  mutable std::array<Shard, kShards> shards_;

  // Top blocks of level-0 tiles that are not in the full-tile cache (the other half).
  static constexpr size_t kTopEntryBytes = sizeof(TopBlock) + 96;  // with list and map nodes
  using TopList = std::list<std::pair<uint64_t, std::shared_ptr<const TopBlock>>>;
  const size_t top_capacity_;
  mutable Mutex top_mu_;
  mutable TopList top_lru_ VOUCH_GUARDED_BY(top_mu_);
  mutable std::unordered_map<uint64_t, TopList::iterator> top_index_ VOUCH_GUARDED_BY(top_mu_);
};

}  // namespace vouch::ledger::internal

#endif  // VOUCH_LEDGER_TILE_CACHE_H_

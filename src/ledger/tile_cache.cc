// The log reader's tile caches (tile_cache.h).
#include "ledger/tile_cache.h"

namespace vouch::ledger::internal {

TileCache::TileCache(size_t cache_bytes)
    : shard_bytes_(cache_bytes / 2 / kShards), top_capacity_(cache_bytes / 2 / kTopEntryBytes) {}

std::shared_ptr<const Bytes> TileCache::Tile(uint64_t key) const {
  Shard& shard = ShardOf(key);
  MutexLock lock(&shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return nullptr;
  if (it->second != shard.lru.begin()) shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->data;
}

bool TileCache::HasRoom(uint64_t key) const {
  Shard& shard = ShardOf(key);
  MutexLock lock(&shard.mu);
  return shard.bytes + kStoredFullTileSize <= shard_bytes_;
}

void TileCache::AddTile(uint64_t key, std::shared_ptr<const Bytes> data) const {
  if (shard_bytes_ == 0) return;
  Shard& shard = ShardOf(key);
  MutexLock lock(&shard.mu);
  if (shard.index.count(key) != 0) return;
  shard.bytes += data->size();
  shard.lru.push_front(Entry{key, std::move(data)});
  shard.index[key] = shard.lru.begin();
  while (shard.bytes > shard_bytes_ && !shard.lru.empty()) {
    shard.bytes -= shard.lru.back().data->size();
    shard.index.erase(shard.lru.back().key);
    shard.lru.pop_back();
  }
}

std::shared_ptr<const TopBlock> TileCache::Top(uint64_t index) const {
  MutexLock lock(&top_mu_);
  auto it = top_index_.find(index);
  if (it == top_index_.end()) return nullptr;
  if (it->second != top_lru_.begin()) top_lru_.splice(top_lru_.begin(), top_lru_, it->second);
  return it->second->second;
}

void TileCache::AddTop(uint64_t index, std::shared_ptr<const TopBlock> top) const {
  if (top_capacity_ == 0) return;
  MutexLock lock(&top_mu_);
  if (top_index_.count(index) != 0) return;
  top_lru_.emplace_front(index, std::move(top));
  top_index_[index] = top_lru_.begin();
  while (top_lru_.size() > top_capacity_) {
    top_index_.erase(top_lru_.back().first);
    top_lru_.pop_back();
  }
}

}  // namespace vouch::ledger::internal

// Read side of the log: the tlog-tiles resources (spec/transparency-log.md §8), inclusion and
// consistency proofs (§2) and tlog-proof receipts (§9), all for one published LogSnapshot and
// served from the store plus the snapshot's in-memory partial tiles.
//
// A resource is served only if the snapshot's tree justifies it: a full hash tile or bundle
// once it is complete at snapshot.size(); a partial one of width W when the tile at that size is
// full or at least W wide (its first W hashes or entries — byte-identical to the partial tile
// the log had at the size where it was W wide). Everything else is kNotFound.
//
// Proofs read only perfect-subtree hashes: stored full tiles carry their inner nodes
// (docs/formats/stored-tile.md) and the snapshot's RightBorder supplies the right-edge
// folds, so generating a proof does no hashing. Full tiles are kept in an LRU cache of bounded
// size. Tiles above level 0 (1/256 of them) are always cached; a level-0 tile is cached while
// the cache has room, and once it is full a proof reads just the hashes it needs from a level-0
// tile that is not cached (LogStore::ReadTileHashes: its block below height 4) instead of
// churning the cache, with the tile's top block (heights 4..8, 1 KiB) kept in a second LRU
// cache — so a log much larger than the cache costs about one 1 KiB store read per proof. Half
// of `cache_bytes` goes to each cache. The newest entry bundle (the one at the tip, which
// followers fetch again and again as it grows) is kept in memory besides: a request reads from
// the store only the entries of it that no earlier request read.
//
// Thread-safety: thread-safe (the store is, and the cache is locked).
#ifndef VOUCH_LEDGER_LOG_READER_H_
#define VOUCH_LEDGER_LOG_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/store/log_store.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/tiles.h"

namespace vouch::ledger {

namespace internal {
class TileCache;
class BundleTail;
}  // namespace internal

class LogReader {
 public:
  // `store` is shared with the sequencer. `cache_bytes` bounds the full-tile cache.
  explicit LogReader(std::shared_ptr<const store::LogStore> store,
                     size_t cache_bytes = size_t{96} << 20);
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  // The bytes of hash tile or entry bundle `id` as served at `snapshot` (see the banner).
  // kNotFound when the snapshot does not justify it.
  StatusOr<Bytes> ReadTile(const tlog::TileId& id, const LogSnapshot& snapshot) const;

  // The inclusion proof of entry `index` in the snapshot's tree. kNotFound if index >= size.
  StatusOr<std::vector<tlog::Hash>> InclusionProof(uint64_t index,
                                                   const LogSnapshot& snapshot) const;
  // The consistency proof from `size1` (1..size) to the snapshot's size.
  StatusOr<std::vector<tlog::Hash>> ConsistencyProof(uint64_t size1,
                                                     const LogSnapshot& snapshot) const;
  // A c2sp.org/tlog-proof@v1 receipt for entry `index` against the snapshot's checkpoint.
  StatusOr<std::string> ProofFile(uint64_t index, const LogSnapshot& snapshot) const;

  // The width of tile `id` that exists at tree size `size` (0 when none).
  static uint16_t ExistingWidth(const tlog::TileId& id, uint64_t size);

 private:
  const std::shared_ptr<const store::LogStore> store_;
  const std::unique_ptr<const internal::TileCache> cache_;
  const std::unique_ptr<const internal::BundleTail> tail_;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_LOG_READER_H_

#include "vouch/ledger/audit.h"

#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vouch/base/encoding.h"
#include "vouch/ledger/reasons.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/reasons.h"

namespace vouch::ledger {
namespace {

using tlog::Hash;
using tlog::HashTile;
using tlog::kHashSize;
using tlog::kTileHeight;
using tlog::kTileWidth;
using tlog::TileId;

// Fetches `id` (from byte `offset` on, when not 0), mapping "not served" to a rejection.
StatusOr<Bytes> Fetch(TileFetcher& fetcher, const TileId& id, uint64_t offset = 0) {
  auto data = offset == 0 ? fetcher.FetchTile(id) : fetcher.FetchTileFrom(id, offset);
  if (!data.ok() && data.status().code() == StatusCode::kNotFound) {
    return RejectedError(reasons::kTileMissing,
                         "the log does not serve " + tlog::TilePath(id) +
                             ", which its checkpoint requires: " + data.status().message());
  }
  if (!data.ok() && data.status().code() == StatusCode::kOutOfRange) {
    return RejectedError(reasons::kTileInvalid,
                         tlog::TilePath(id) + " is not longer than the " + std::to_string(offset) +
                             " bytes of it read before: " + data.status().message());
  }
  return data;
}

StatusOr<std::vector<Hash>> FetchHashes(TileFetcher& fetcher, const TileId& id) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, Fetch(fetcher, id));
  if (data.size() != size_t{id.width} * kHashSize) {
    return RejectedError(reasons::kTileInvalid, tlog::TilePath(id) + " is " +
                                                    std::to_string(data.size()) + " bytes, not " +
                                                    std::to_string(size_t{id.width} * kHashSize));
  }
  std::vector<Hash> hashes(id.width);
  for (size_t i = 0; i < id.width; ++i) {
    std::copy(data.begin() + static_cast<ptrdiff_t>(i * kHashSize),
              data.begin() + static_cast<ptrdiff_t>((i + 1) * kHashSize), hashes[i].begin());
  }
  return hashes;
}

// Tiles for the consistency proof, fetched on demand (a proof needs a handful).
class FetcherTileSource final : public tlog::TileSource {
 public:
  explicit FetcherTileSource(TileFetcher& fetcher) : fetcher_(fetcher) {}
  StatusOr<std::shared_ptr<const HashTile>> ReadHashTile(uint8_t level, uint64_t index,
                                                         uint16_t width) const override {
    auto key = std::make_pair(level, index);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second->width() >= width) return it->second;
    const TileId id = TileId::HashTile(level, index, width);
    VOUCH_ASSIGN_OR_RETURN(std::vector<Hash> hashes, FetchHashes(fetcher_, id));
    VOUCH_ASSIGN_OR_RETURN(HashTile tile, HashTile::FromHashes(id, hashes));
    auto shared = std::make_shared<const HashTile>(std::move(tile));
    cache_[key] = shared;
    return shared;
  }

 private:
  TileFetcher& fetcher_;
  mutable std::map<std::pair<uint8_t, uint64_t>, std::shared_ptr<const HashTile>> cache_;
};

// The tile one level up that holds the nodes being recomputed, fetched when first needed.
struct UpperTile {
  uint64_t index = UINT64_MAX;
  std::vector<Hash> hashes;
};

}  // namespace

StatusOr<Bytes> TileFetcher::FetchTileFrom(const TileId& id, uint64_t offset) {
  VOUCH_ASSIGN_OR_RETURN(Bytes data, FetchTile(id));
  if (data.size() <= offset) {
    return OutOfRangeError(tlog::TilePath(id) + " is " + std::to_string(data.size()) + " bytes");
  }
  data.erase(data.begin(), data.begin() + static_cast<ptrdiff_t>(offset));
  return data;
}

namespace {

// Checks the log's checkpoint `cp` against the one trusted before: same origin, no rollback, no
// fork at the same size, and (when it grew and `prove`) a valid consistency proof, read from the
// tiles. Sets `*proven` when a proof was verified.
Status CheckAgainstTrusted(TileFetcher& fetcher, const tlog::Checkpoint& old,
                           const tlog::Checkpoint& cp, bool prove, bool* proven) {
  const uint64_t n = cp.size();
  if (old.origin() != cp.origin()) {
    return RejectedError(reasons::kOriginMismatch, "the log's checkpoint is for origin \"" +
                                                       cp.origin() + "\", the trusted one for \"" +
                                                       old.origin() + "\"");
  }
  if (old.size() > n) {
    return RejectedError(reasons::kCheckpointRollback,
                         "rollback: the log's checkpoint has size " + std::to_string(n) +
                             ", smaller than the size " + std::to_string(old.size()) +
                             " it showed before");
  }
  if (old.size() == n && old.root() != cp.root()) {
    return RejectedError(reasons::kCheckpointFork,
                         "split view: the log shows size " + std::to_string(n) + " with root " +
                             Base64Encode(cp.root()) + ", but it showed root " +
                             Base64Encode(old.root()) + " for that size before");
  }
  if (prove && old.size() > 0 && old.size() < n) {
    FetcherTileSource source(fetcher);
    tlog::TileHashReader reader(n, source);
    VOUCH_ASSIGN_OR_RETURN(std::vector<Hash> proof, tlog::ConsistencyProof(old.size(), n, reader));
    Status s = tlog::VerifyConsistency(old.size(), n, proof, old.root(), cp.root());
    if (!s.ok()) {
      return RejectedError(tlog::reasons::kConsistencyProofInvalid,
                           "the checkpoint of size " + std::to_string(n) +
                               " is not consistent with the trusted one of size " +
                               std::to_string(old.size()) + ": " + s.message());
    }
    *proven = true;
  }
  return OkStatus();
}

// Recomputes the tree of size n from its level-0 tiles, checking every tile above level 0
// against the nodes it recomputes.
class TreeRecomputation {
 public:
  // Continues the tree `start` (the empty tree, or a trusted prefix) up to size n.
  TreeRecomputation(TileFetcher& fetcher, uint64_t n, const tlog::CompactRange& start)
      : fetcher_(fetcher), n_(n), range_(start) {}

  // Appends one leaf; fails on the first upper tile that disagrees (or cannot be fetched).
  Status Append(const Hash& leaf) {
    range_.Append(leaf, [this](uint8_t level, uint64_t index, const Hash& hash) {
      CheckNode(level, index, hash);
    });
    return mismatch_;
  }
  const tlog::CompactRange& range() const { return range_; }
  // Upper tiles fetched.
  uint64_t tiles() const { return tiles_; }

 private:
  void CheckNode(uint8_t level, uint64_t index, const Hash& hash) {
    if (level == 0 || level % kTileHeight != 0 || !mismatch_.ok()) return;
    const auto tl = static_cast<uint8_t>(level / kTileHeight);
    const uint64_t tile_index = index / kTileWidth;
    UpperTile& up = upper_[tl];
    if (up.index != tile_index) {
      const TileId id = TileId::HashTile(tl, tile_index, tlog::HashTileWidth(tl, tile_index, n_));
      auto hashes = FetchHashes(fetcher_, id);
      ++tiles_;
      if (!hashes.ok()) {
        mismatch_ = hashes.status();
        return;
      }
      up.index = tile_index;
      up.hashes = std::move(hashes).value();
    }
    if (up.hashes[index % kTileWidth] != hash) {
      mismatch_ = RejectedError(reasons::kTileInvalid,
                                "hash " + std::to_string(index % kTileWidth) + " of " +
                                    tlog::TilePath(TileId::HashTile(
                                        tl, tile_index, static_cast<uint16_t>(up.hashes.size()))) +
                                    " does not match the tree recomputed from the tiles below it");
    }
  }

  TileFetcher& fetcher_;
  const uint64_t n_;
  tlog::CompactRange range_;
  std::array<UpperTile, 8> upper_;
  Status mismatch_;
  uint64_t tiles_ = 0;
};

// Fetches the entry bundle of level-0 tile t (width w), checks that its entries from the
// `skip`-th on hash to their `leaves`, and hands those to options.on_entry. The first `skip`
// belong to the trusted prefix of a resumed audit, which neither uses nor vouches for them:
// when their byte length `prefix_bytes` is known, only the entries after them are fetched.
// Returns the bundle's byte length.
StatusOr<uint64_t> CheckBundle(TileFetcher& fetcher, uint64_t t, uint16_t w,
                               const std::vector<Hash>& leaves, size_t skip, uint64_t prefix_bytes,
                               const AuditOptions& options) {
  const TileId id = TileId::HashTile(0, t, w);
  const TileId bundle_id = TileId::Bundle(t, w);
  const bool tail_only = skip > 0 && prefix_bytes > 0;
  VOUCH_ASSIGN_OR_RETURN(Bytes bundle, Fetch(fetcher, bundle_id, tail_only ? prefix_bytes : 0));
  // entries[i - first] is entry i of the tile.
  const size_t first = tail_only ? skip : 0;
  auto entries = tlog::ParseEntryBundle(bundle, w - first);
  if (!entries.ok()) {
    return RejectedError(
        reasons::kTileInvalid,
        tlog::TilePath(bundle_id) +
            (tail_only ? " (its entries from " + std::to_string(skip) + " on): " : ": ") +
            entries.status().message());
  }
  for (size_t i = skip; i < w; ++i) {
    if (tlog::HashLeaf((*entries)[i - first]) != leaves[i]) {
      return RejectedError(reasons::kTileInvalid, "entry " + std::to_string(t * kTileWidth + i) +
                                                      " in " + tlog::TilePath(bundle_id) +
                                                      " does not hash to its leaf in " +
                                                      tlog::TilePath(id));
    }
  }
  if (options.on_entry) {
    for (size_t i = skip; i < w; ++i) {
      VOUCH_RETURN_IF_ERROR(options.on_entry(t * kTileWidth + i, (*entries)[i - first]));
    }
  }
  return (tail_only ? prefix_bytes : 0) + bundle.size();
}

// What Recompute established.
struct Recomputed {
  tlog::CompactRange range;
  uint64_t tiles = 0;  // hash tiles fetched, of every level
  uint64_t bundles = 0;
  uint64_t tip_bundle_bytes = 0;
};

// Recomputes the tree of checkpoint `cp` from the log's tiles: the whole tree, or (resume) what
// was appended after the trusted prefix; its root must be the checkpoint's.
StatusOr<Recomputed> Recompute(TileFetcher& fetcher, const AuditOptions& options,
                               const tlog::Checkpoint& cp, uint64_t trusted_size) {
  const uint64_t n = cp.size();
  const uint64_t start = options.resume.has_value() ? trusted_size : 0;
  TreeRecomputation tree(fetcher, n, options.resume.value_or(tlog::CompactRange()));
  uint64_t level0_fetched = 0;
  uint64_t bundles = 0;
  uint64_t tip_bundle_bytes = 0;
  const uint64_t level0_tiles = (n + kTileWidth - 1) / kTileWidth;
  for (uint64_t t = start / kTileWidth; t < level0_tiles; ++t) {
    const uint16_t w = tlog::HashTileWidth(0, t, n);
    // The first tile of a resumed recomputation may begin with leaves of the trusted prefix.
    const size_t skip = t == start / kTileWidth ? start % kTileWidth : 0;
    if (skip == w) {  // a resumed audit of a tree that has not grown: nothing new to read
      tip_bundle_bytes = options.resume_bundle_bytes;
      continue;
    }
    VOUCH_ASSIGN_OR_RETURN(std::vector<Hash> leaves,
                           FetchHashes(fetcher, TileId::HashTile(0, t, w)));
    ++level0_fetched;
    if (options.check_entries) {
      const uint64_t prefix_bytes = skip > 0 ? options.resume_bundle_bytes : 0;
      VOUCH_ASSIGN_OR_RETURN(uint64_t bytes,
                             CheckBundle(fetcher, t, w, leaves, skip, prefix_bytes, options));
      tip_bundle_bytes = w < kTileWidth ? bytes : 0;
      ++bundles;
    }
    for (size_t i = skip; i < leaves.size(); ++i) {
      const Hash& leaf = leaves[i];
      VOUCH_RETURN_IF_ERROR(tree.Append(leaf));
      if (options.trusted.has_value() && tree.range().size() == trusted_size &&
          tree.range().Root() != options.trusted->root()) {
        return RejectedError(reasons::kCheckpointFork,
                             "the tree recomputed from the tiles has root " +
                                 Base64Encode(tree.range().Root()) + " at the trusted size " +
                                 std::to_string(trusted_size) + ", not the trusted root");
      }
    }
    if (options.progress) options.progress(tree.range().size(), n);
  }
  if (tree.range().Root() != cp.root()) {
    return RejectedError(reasons::kRootMismatch, "the tree recomputed from the tiles has root " +
                                                     Base64Encode(tree.range().Root()) +
                                                     ", not the checkpoint's " +
                                                     Base64Encode(cp.root()));
  }
  return Recomputed{.range = tree.range(),
                    .tiles = level0_fetched + tree.tiles(),
                    .bundles = bundles,
                    .tip_bundle_bytes = tip_bundle_bytes};
}

}  // namespace

StatusOr<AuditResult> AuditLog(TileFetcher& fetcher, const AuditOptions& options) {
  if (options.policy == nullptr) return InvalidArgumentError("AuditLog: no policy");
  VOUCH_ASSIGN_OR_RETURN(std::string note, fetcher.FetchCheckpoint());
  VOUCH_ASSIGN_OR_RETURN(tlog::SignedCheckpoint signed_cp, tlog::SignedCheckpoint::Parse(note));
  if (options.verified_note == nullptr || *options.verified_note != note) {
    VOUCH_RETURN_IF_ERROR(options.policy->VerifyCheckpoint(signed_cp).status());
  }
  const tlog::Checkpoint& cp = signed_cp.checkpoint();
  const uint64_t n = cp.size();

  const uint64_t trusted_size = options.trusted.has_value() ? options.trusted->size() : 0;
  if (options.resume.has_value() &&
      (!options.trusted.has_value() || options.resume->size() != trusted_size ||
       options.resume->Root() != options.trusted->root())) {
    return InvalidArgumentError("AuditLog: the range to resume from is not the trusted tree");
  }
  // A resumed audit proves that the checkpoint extends the trusted one by recomputing its root
  // from the trusted tree's range and the new leaves, so it reads no consistency proof; only when
  // the recomputation fails does the proof tell a fork (consistency_proof_invalid) from tiles
  // that do not match.
  const bool resumed = options.resume.has_value();
  bool proven = false;
  if (options.trusted.has_value()) {
    VOUCH_RETURN_IF_ERROR(CheckAgainstTrusted(fetcher, *options.trusted, cp, !resumed, &proven));
  }
  auto tree = Recompute(fetcher, options, cp, trusted_size);
  if (!tree.ok() && resumed) {
    Status fork = CheckAgainstTrusted(fetcher, *options.trusted, cp, /*prove=*/true, &proven);
    if (fork.reason() == "consistency_proof_invalid") return fork;
  }
  VOUCH_RETURN_IF_ERROR(tree.status());
  if (resumed) proven = trusted_size > 0 && trusted_size < n;
  return AuditResult{.checkpoint_note = std::move(note),
                     .checkpoint = cp,
                     .trusted_size = trusted_size,
                     .consistency_proven = proven,
                     .tiles = tree->tiles,
                     .bundles = tree->bundles,
                     .range = tree->range,
                     .tip_bundle_bytes = tree->tip_bundle_bytes};
}

}  // namespace vouch::ledger

#include "store/validate.h"

#include <algorithm>
#include <bit>
#include <string>
#include <utility>

#include "vouch/store/reasons.h"
#include "vouch/tlog/tiles.h"

namespace vouch::store::internal {

Status ValidateBatch(const AppendBatch& batch) {
  const uint64_t size = batch.new_state.size;
  if (batch.entries.size() > INT64_MAX || batch.old_size > INT64_MAX - batch.entries.size() ||
      size != batch.old_size + batch.entries.size()) {
    return InvalidArgumentError("append batch: new size " + std::to_string(size) +
                                " is not old size " + std::to_string(batch.old_size) + " + " +
                                std::to_string(batch.entries.size()) + " entries");
  }
  for (const NewEntry& e : batch.entries) {
    if (e.data.size() > tlog::kMaxEntrySize) {
      return InvalidArgumentError("append batch: an entry is larger than 65,535 bytes");
    }
  }
  if (batch.new_state.range.size() != static_cast<size_t>(std::popcount(size))) {
    return InvalidArgumentError("append batch: the compact range of size " + std::to_string(size) +
                                " must have " + std::to_string(std::popcount(size)) + " hashes");
  }
  if (batch.new_state.checkpoint.empty()) {
    return InvalidArgumentError("append batch: no checkpoint");
  }
  for (const StoredTile& t : batch.tiles) {
    if (t.level > kMaxStoredTileLevel || t.index >= kMaxStoredTileIndex || t.width < 1 ||
        t.width > tlog::kTileWidth || t.data.empty() || t.data.size() > kMaxStoredTileSize) {
      return InvalidArgumentError("append batch: invalid tile (level " + std::to_string(t.level) +
                                  ", index " + std::to_string(t.index) + ", width " +
                                  std::to_string(t.width) + ")");
    }
  }
  return OkStatus();
}

Status ValidateRelease(const BrokerRelease& release) {
  if (release.quote.size() > kMaxStoredQuote) {
    return InvalidArgumentError("broker store: a quote of more than 64 KiB");
  }
  return OkStatus();
}

Status ValidateRefusal(const BrokerRefusal& refusal) {
  if (refusal.code.empty() || refusal.code.size() > kMaxRefusalCode ||
      refusal.remote_address.size() > kMaxRemoteAddress) {
    return InvalidArgumentError("broker store: a refusal's code or address is too long");
  }
  return OkStatus();
}

Status ValidateRange(uint64_t begin, uint64_t end) {
  if (begin > end || end - begin > 65536 || end > INT64_MAX) {
    return InvalidArgumentError("invalid entry range [" + std::to_string(begin) + ", " +
                                std::to_string(end) + ")");
  }
  return OkStatus();
}

StatusOr<tlog::Hash> RangeRoot(uint64_t size, const std::vector<tlog::Hash>& range) {
  auto compact = tlog::CompactRange::Create(size, range);
  if (!compact.ok()) {
    return DataLossError("the compact range of a tree of " + std::to_string(size) +
                         " entries is malformed: " + compact.status().message());
  }
  return compact->Root();
}

StatusOr<tlog::Checkpoint> ParseCheckpointBody(const std::string& note) {
  const size_t blank = note.find("\n\n");
  return tlog::Checkpoint::ParseText(blank == std::string::npos
                                         ? std::string_view(note)
                                         : std::string_view(note).substr(0, blank + 1));
}

StatusOr<tlog::Hash> AnchorableRoot(const std::optional<std::string>& bound_origin,
                                    const LogTreeState& state) {
  if (!bound_origin.has_value()) {
    return FailedPreconditionError("an anchored log store appends only after Bind");
  }
  auto root = RangeRoot(state.size, state.range);
  if (!root.ok()) return InvalidArgumentError("append batch: " + root.status().message());
  auto body = ParseCheckpointBody(state.checkpoint);
  if (!body.ok() || body->origin() != *bound_origin || body->size() != state.size ||
      body->root() != *root) {
    return InvalidArgumentError(
        "append batch: the checkpoint is not this log's checkpoint for the new tree");
  }
  return *root;
}

Status AdvanceLogAnchor(const std::string& anchor_path, const std::string& origin,
                        AnchoredTree tree, StateAnchor& anchor) {
  anchor.trees.clear();
  anchor.trees.emplace(origin, tree);
  return WriteStateAnchor(anchor_path, anchor);
}

Status AnchorCommittedBatch(const std::string& anchor_path, const std::string& origin,
                            const LogTreeState& state, const tlog::Hash& root,
                            StateAnchor& anchor) {
  Status written = AdvanceLogAnchor(anchor_path, origin, AnchoredTree{state.size, root}, anchor);
  if (!written.ok()) {
    return Status(StatusCode::kUnavailable,
                  "the batch is committed but the state anchor could not be updated, so it is "
                  "not acknowledged: " +
                      written.message(),
                  kCommittedNotAcknowledged);
  }
  return OkStatus();
}

Status AnchorError(StateKind kind, StatusCode code, const char* reason, std::string message) {
  return Status(
      code,
      std::move(message) + " (docs/" + std::string(StateKindName(kind)) + ".md, \"Recovery\")",
      reason);
}

Status AnchorError(StatusCode code, const char* reason, std::string message) {
  return AnchorError(StateKind::kLog, code, reason, std::move(message));
}

Status WriteWitnessAnchor(const std::string& anchor_path, const StateAnchor& anchor) {
  Status written = WriteStateAnchor(anchor_path, anchor);
  if (!written.ok()) {
    return Status(StatusCode::kUnavailable,
                  "witness store: the state is committed but the state anchor could not be "
                  "updated, so nothing is cosigned: " +
                      written.message(),
                  reasons::kStateAnchorWrite);
  }
  return OkStatus();
}

}  // namespace vouch::store::internal

namespace vouch::store {

Status LogStore::AdvertiseSequencer(const std::string& /*url*/) {
  return UnimplementedError("this store is served by one process: it records no sequencer URL");
}

StatusOr<std::string> LogStore::ReadSequencerUrl() const {
  return UnimplementedError("this store is served by one process: it records no sequencer URL");
}

Status LogStore::ReadTileHashes(uint8_t level, uint64_t index, std::span<const uint32_t> slots,
                                std::span<tlog::Hash> out) const {
  if (slots.size() != out.size()) return InternalError("ReadTileHashes: output size mismatch");
  VOUCH_ASSIGN_OR_RETURN(StoredTile tile, ReadTile(level, index));
  for (size_t i = 0; i < slots.size(); ++i) {
    const size_t offset = size_t{slots[i]} * tlog::kHashSize;
    if (offset + tlog::kHashSize > tile.data.size()) {
      return OutOfRangeError("hash slot " + std::to_string(slots[i]) + " is beyond tile (level " +
                             std::to_string(level) + ", index " + std::to_string(index) + ")");
    }
    std::copy(tile.data.begin() + static_cast<ptrdiff_t>(offset),
              tile.data.begin() + static_cast<ptrdiff_t>(offset + tlog::kHashSize), out[i].begin());
  }
  return OkStatus();
}

}  // namespace vouch::store

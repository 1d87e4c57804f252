#include "store/memory_log_store.h"

#include <cstring>
#include <string>
#include <unordered_set>

#include "store/validate.h"

namespace vouch::store {

size_t MemoryLogStore::HashKey::operator()(const tlog::Hash& h) const {
  size_t v;
  std::memcpy(&v, h.data(), sizeof(v));
  return v;
}

Status MemoryLogStore::AdvertiseSequencer(const std::string& url) {
  MutexLock lock(&mu_);
  sequencer_url_ = url;
  return OkStatus();
}

StatusOr<std::string> MemoryLogStore::ReadSequencerUrl() const {
  MutexLock lock(&mu_);
  return sequencer_url_;
}

Status MemoryLogStore::Bind(const LogIdentity& identity) {
  MutexLock lock(&mu_);
  if (!identity_.has_value()) {
    identity_ = identity;
    return OkStatus();
  }
  if (*identity_ != identity) {
    return FailedPreconditionError("the store holds log \"" + identity_->origin + "\" (" +
                                   identity_->vkey + "), not \"" + identity.origin + "\" (" +
                                   identity.vkey + ")");
  }
  return OkStatus();
}

StatusOr<LogTreeState> MemoryLogStore::ReadState() const {
  MutexLock lock(&mu_);
  return state_;
}

Status MemoryLogStore::ApplyLocked(const AppendBatch& batch) {
  if (batch.old_size != state_.size) {
    return Status(StatusCode::kAborted, "append batch extends size " +
                                            std::to_string(batch.old_size) +
                                            " but the store holds " + std::to_string(state_.size));
  }
  std::unordered_set<tlog::Hash, HashKey> in_batch;
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    if (by_leaf_hash_.count(batch.entries[i].leaf_hash) != 0 ||
        !in_batch.insert(batch.entries[i].leaf_hash).second) {
      return AlreadyExistsError("an entry with the leaf hash of new entry " +
                                std::to_string(batch.old_size + i) + " is already stored");
    }
  }
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    entries_.push_back(ToBytes(batch.entries[i].data));
    leaf_hashes_.push_back(batch.entries[i].leaf_hash);
    by_leaf_hash_[batch.entries[i].leaf_hash] = batch.old_size + i;
  }
  for (const StoredTile& t : batch.tiles) {
    auto& slot = tiles_[{t.level, t.index}];
    if (slot.width <= t.width) slot = t;
  }
  state_ = batch.new_state;
  checkpoints_[batch.new_state.size] = batch.new_state.checkpoint;
  return OkStatus();
}

Status MemoryLogStore::Append(const AppendBatch& batch) {
  VOUCH_RETURN_IF_ERROR(internal::ValidateBatch(batch));
  MutexLock lock(&mu_);
  if (fail_count_ > 0) {
    --fail_count_;
    if (fail_after_commit_) VOUCH_RETURN_IF_ERROR(ApplyLocked(batch));
    return fail_status_;
  }
  VOUCH_RETURN_IF_ERROR(ApplyLocked(batch));
  ++append_count_;
  return OkStatus();
}

StatusOr<std::vector<std::optional<uint64_t>>> MemoryLogStore::FindLeafHashes(
    std::span<const tlog::Hash> leaf_hashes) const {
  MutexLock lock(&mu_);
  std::vector<std::optional<uint64_t>> out;
  out.reserve(leaf_hashes.size());
  for (const tlog::Hash& h : leaf_hashes) {
    auto it = by_leaf_hash_.find(h);
    out.push_back(it == by_leaf_hash_.end() ? std::nullopt : std::optional<uint64_t>(it->second));
  }
  return out;
}

StatusOr<std::vector<Bytes>> MemoryLogStore::ReadEntries(uint64_t begin, uint64_t end) const {
  VOUCH_RETURN_IF_ERROR(internal::ValidateRange(begin, end));
  MutexLock lock(&mu_);
  if (end > entries_.size()) {
    return NotFoundError("entries up to " + std::to_string(end) + " are not stored (size " +
                         std::to_string(entries_.size()) + ")");
  }
  return std::vector<Bytes>(entries_.begin() + static_cast<ptrdiff_t>(begin),
                            entries_.begin() + static_cast<ptrdiff_t>(end));
}

StatusOr<std::vector<tlog::Hash>> MemoryLogStore::ReadLeafHashes(uint64_t begin,
                                                                 uint64_t end) const {
  VOUCH_RETURN_IF_ERROR(internal::ValidateRange(begin, end));
  MutexLock lock(&mu_);
  if (end > leaf_hashes_.size()) {
    return NotFoundError("entries up to " + std::to_string(end) + " are not stored");
  }
  return std::vector<tlog::Hash>(leaf_hashes_.begin() + static_cast<ptrdiff_t>(begin),
                                 leaf_hashes_.begin() + static_cast<ptrdiff_t>(end));
}

StatusOr<StoredTile> MemoryLogStore::ReadTile(uint8_t level, uint64_t index) const {
  MutexLock lock(&mu_);
  auto it = tiles_.find({level, index});
  if (it == tiles_.end()) {
    return NotFoundError("tile (level " + std::to_string(level) + ", index " +
                         std::to_string(index) + ") is not stored");
  }
  return it->second;
}

StatusOr<std::string> MemoryLogStore::ReadCheckpoint(uint64_t size) const {
  MutexLock lock(&mu_);
  auto it = checkpoints_.find(size);
  if (it == checkpoints_.end()) {
    return NotFoundError("no checkpoint was signed for size " + std::to_string(size));
  }
  return it->second;
}

void MemoryLogStore::FailAppends(int count, Status status, bool after_commit) {
  MutexLock lock(&mu_);
  fail_count_ = count;
  fail_status_ = std::move(status);
  fail_after_commit_ = after_commit;
}

int MemoryLogStore::append_count() const {
  MutexLock lock(&mu_);
  return append_count_;
}

}  // namespace vouch::store

// A read-only view of a log sequenced elsewhere (log_follower.h).
#include "vouch/ledger/log_follower.h"

#include <string>
#include <utility>

#include "ledger/stored_tile.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::ledger {

namespace internal {

Status CheckStoredCheckpoint(const std::string& checkpoint, const tlog::VerifierKey& vkey,
                             uint64_t size, const tlog::Hash& root) {
  auto signed_cp = tlog::SignedCheckpoint::Parse(checkpoint);
  if (!signed_cp.ok()) {
    return DataLossError("the stored checkpoint does not parse: " + signed_cp.status().message());
  }
  const tlog::Checkpoint& cp = signed_cp->checkpoint();
  if (cp.origin() != vkey.name() || cp.size() != size || cp.root() != root) {
    return DataLossError("the stored checkpoint (" + cp.origin() + ", size " +
                         std::to_string(cp.size()) +
                         ") does not describe the stored tree of size " + std::to_string(size));
  }
  VOUCH_ASSIGN_OR_RETURN(auto verifier, tlog::NewNoteVerifier(vkey));
  VOUCH_ASSIGN_OR_RETURN(auto keys, tlog::VerifierSet::Create({verifier}));
  if (Status s = signed_cp->Verify(keys).status(); !s.ok()) {
    // The store is bound to this key: a signature that does not verify is damage, not another
    // log's store.
    return DataLossError("the stored checkpoint is not signed by " + vkey.ToString() + ": " +
                         s.message());
  }
  return OkStatus();
}

}  // namespace internal

StatusOr<std::shared_ptr<const LogSnapshot>> ReadCommittedSnapshot(const store::LogStore& store,
                                                                   const tlog::VerifierKey& vkey) {
  VOUCH_ASSIGN_OR_RETURN(store::LogTreeState state, store.ReadState());
  if (state.checkpoint.empty()) return NotFoundError("the log has no checkpoint yet");
  auto range = tlog::CompactRange::Create(state.size, state.range);
  if (!range.ok()) {
    return DataLossError("the stored compact range of size " + std::to_string(state.size) +
                         " is malformed: " + range.status().message());
  }
  VOUCH_RETURN_IF_ERROR(
      internal::CheckStoredCheckpoint(state.checkpoint, vkey, state.size, range->Root()));
  VOUCH_ASSIGN_OR_RETURN(auto partials,
                         internal::ReadPartialTiles(internal::StoreTileSource(store), state.size));
  return std::make_shared<const LogSnapshot>(*range, std::move(state.checkpoint), partials);
}

StatusOr<std::unique_ptr<LogFollower>> LogFollower::Open(
    std::shared_ptr<const store::LogStore> store, const tlog::VerifierKey& vkey, const Clock& clock,
    LogFollowerOptions options) {
  auto first = ReadCommittedSnapshot(*store, vkey);
  if (!first.ok() && first.status().code() != StatusCode::kNotFound) return first.status();
  std::unique_ptr<LogFollower> follower(
      new LogFollower(std::move(store), vkey, clock, std::move(options)));
  MutexLock lock(&follower->mu_);
  if (first.ok()) follower->snapshot_ = *std::move(first);
  follower->read_at_ = clock.SteadyNow();
  return follower;
}

std::shared_ptr<const LogSnapshot> LogFollower::Latest() const {
  {
    MutexLock lock(&mu_);
    if (clock_.SteadyNow() - read_at_ < options_.max_age) return snapshot_;
  }
  if (refresh_mu_.TryLock()) {
    Refresh();
    refresh_mu_.Unlock();
  }
  MutexLock lock(&mu_);
  return snapshot_;
}

void LogFollower::Refresh() const {
  auto read = ReadCommittedSnapshot(*store_, vkey_);
  std::shared_ptr<const LogSnapshot> current;
  {
    MutexLock lock(&mu_);
    read_at_ = clock_.SteadyNow();
    current = snapshot_;
  }
  std::string event;
  if (!read.ok()) {
    if (read.status().code() != StatusCode::kNotFound) {
      event = "cannot read the log's committed tree (serving the one read before): " +
              read.status().message();
    }
  } else if (current != nullptr &&
             ((*read)->size() < current->size() ||
              ((*read)->size() == current->size() && (*read)->root() != current->root()))) {
    event = "the log's database went back from " + std::to_string(current->size()) + " to " +
            std::to_string((*read)->size()) +
            " entries, or holds another tree of that size; serving the tree read before";
  } else {
    MutexLock lock(&mu_);
    snapshot_ = *std::move(read);
  }
  if (event != last_event_) {
    last_event_ = event;
    if (!event.empty() && options_.on_event) options_.on_event(event);
  }
}

}  // namespace vouch::ledger

// A read-only view of a log sequenced elsewhere (log_follower.h).
#include "vouch/ledger/log_follower.h"

#include <string>
#include <utility>

#include "ledger/stored_tile.h"
#include "vouch/base/mutex.h"
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

struct LogFollower::State {
  // Held by the one caller that reads the store; never waited for (TryLock).
  Mutex refresh_mu;
  std::string last_event VOUCH_GUARDED_BY(refresh_mu);
  Mutex mu;
  std::shared_ptr<const LogSnapshot> snapshot VOUCH_GUARDED_BY(mu);
  Clock::SteadyTime read_at VOUCH_GUARDED_BY(mu);
};

LogFollower::LogFollower(std::shared_ptr<const store::LogStore> store,
                         const tlog::VerifierKey& vkey, const Clock& clock,
                         LogFollowerOptions options)
    : store_(std::move(store)),
      vkey_(vkey),
      clock_(clock),
      options_(std::move(options)),
      state_(std::make_unique<State>()) {}

LogFollower::~LogFollower() = default;

StatusOr<std::unique_ptr<LogFollower>> LogFollower::Open(
    std::shared_ptr<const store::LogStore> store, const tlog::VerifierKey& vkey, const Clock& clock,
    LogFollowerOptions options) {
  auto first = ReadCommittedSnapshot(*store, vkey);
  if (!first.ok() && first.status().code() != StatusCode::kNotFound) return first.status();
  std::unique_ptr<LogFollower> follower(
      new LogFollower(std::move(store), vkey, clock, std::move(options)));
  State& state = *follower->state_;
  MutexLock lock(&state.mu);
  if (first.ok()) state.snapshot = *std::move(first);
  state.read_at = clock.SteadyNow();
  return follower;
}

std::shared_ptr<const LogSnapshot> LogFollower::Latest() const {
  State& state = *state_;
  {
    MutexLock lock(&state.mu);
    if (clock_.SteadyNow() - state.read_at < options_.max_age) return state.snapshot;
  }
  if (state.refresh_mu.TryLock()) {
    Refresh();
    state.refresh_mu.Unlock();
  }
  MutexLock lock(&state.mu);
  return state.snapshot;
}

void LogFollower::Refresh() const {
  State& state = *state_;
  state.refresh_mu.AssertHeld();
  auto read = ReadCommittedSnapshot(*store_, vkey_);
  std::shared_ptr<const LogSnapshot> current;
  {
    MutexLock lock(&state.mu);
    state.read_at = clock_.SteadyNow();
    current = state.snapshot;
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
    MutexLock lock(&state.mu);
    state.snapshot = *std::move(read);
  }
  if (event != state.last_event) {
    state.last_event = event;
    if (!event.empty() && options_.on_event) options_.on_event(event);
  }
}

}  // namespace vouch::ledger

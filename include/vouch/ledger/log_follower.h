// A read-only view of a log whose state another process sequences: `vouch serve log --standby`
// on a PostgreSQL state shared by several front-ends (docs/postgres.md, "Several front-ends").
// It reads the committed tree from the store, checks it, and hands it out as a LogSnapshot that
// a LogReader serves tiles and proofs from.
//
// ReadCommittedSnapshot reads the store's tree state and checks it as the sequencer's recovery
// does, except for the tiles under the compact range: the checkpoint parses, names the log's
// origin (the key's name), is signed by its key, and describes the stored size and the root of
// the stored compact range. The partial hash tiles at that size are read from the store (it
// keeps each tile's widest version, whose first W hashes are the tile of width W, so a tree that
// grew meanwhile is no obstacle). kNotFound before the log's first checkpoint; kDataLoss for a
// state that fails a check; the store's errors.
//
// LogFollower keeps the newest snapshot read and reads again when it is older than `max_age`,
// on the thread of the Latest() call that finds it stale (one reader at a time; the other callers
// get the previous snapshot meanwhile, never wait for the store). It never goes back: a read
// that fails, fails a check or finds a smaller tree keeps the previous snapshot, and is reported
// through `on_event` (once per distinct message, so an outage is said once).
//
// Thread-safety: thread-safe.
#ifndef VOUCH_LEDGER_LOG_FOLLOWER_H_
#define VOUCH_LEDGER_LOG_FOLLOWER_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/store/log_store.h"
#include "vouch/tlog/note.h"

namespace vouch::ledger {

// The committed tree of `store` as a checked snapshot (see the banner).
StatusOr<std::shared_ptr<const LogSnapshot>> ReadCommittedSnapshot(const store::LogStore& store,
                                                                   const tlog::VerifierKey& vkey);

struct LogFollowerOptions {
  // How old a snapshot may get before Latest() reads the store again.
  std::chrono::milliseconds max_age{250};
  // Told about a read that was not adopted (see the banner); may be empty.
  std::function<void(const std::string&)> on_event;
};

class LogFollower {
 public:
  // Reads the first snapshot; fails as ReadCommittedSnapshot does, except that a log without a
  // checkpoint yet is no error (Latest() is null until it has one). `store` is shared; `clock`
  // is borrowed and must outlive the follower.
  static StatusOr<std::unique_ptr<LogFollower>> Open(std::shared_ptr<const store::LogStore> store,
                                                     const tlog::VerifierKey& vkey,
                                                     const Clock& clock,
                                                     LogFollowerOptions options = {});

  // The newest snapshot read (read again first when it is stale), or null before the log's
  // first checkpoint.
  std::shared_ptr<const LogSnapshot> Latest() const;

  const std::shared_ptr<const store::LogStore>& store() const { return store_; }

  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

 private:
  struct State;  // the snapshot and its locks (log_follower.cc)
  LogFollower(std::shared_ptr<const store::LogStore> store, const tlog::VerifierKey& vkey,
              const Clock& clock, LogFollowerOptions options);
  // Reads the store and adopts what it finds when it is good and not smaller. REQUIRES: the
  // caller is the one reader (State::refresh_mu).
  void Refresh() const;

  const std::shared_ptr<const store::LogStore> store_;
  const tlog::VerifierKey vkey_;
  const Clock& clock_;
  const LogFollowerOptions options_;
  const std::unique_ptr<State> state_;
};

namespace internal {
// Checks that `checkpoint` is the log's (origin = vkey's name, signed by vkey) and describes a
// tree of `size` entries and root `root`. kDataLoss otherwise. Shared with the sequencer's
// recovery.
Status CheckStoredCheckpoint(const std::string& checkpoint, const tlog::VerifierKey& vkey,
                             uint64_t size, const tlog::Hash& root);
}  // namespace internal

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_LOG_FOLLOWER_H_

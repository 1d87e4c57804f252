// The log's sequencer (spec/transparency-log.md §11, design notes; modelled on Tessera's POSIX
// driver): a single writer that batches submissions, deduplicates them, assigns indices,
// integrates them into the tree, produces the hash tiles, signs a checkpoint and commits all of
// it in one durable store transaction — and only then answers the submitters.
//
//   Submit(entry) ─► queue ─► [batch: up to batch_size entries, or batch_interval after the
//                              first one was queued]
//     sequencing thread:   ─► dedup (within the batch, against batches still being committed,
//                              then against the store's leaf hashes)
//                          ─► tlog::TileIntegrator::Append (new tiles, new compact range)
//                          ─► checkpoint "<origin>\n<size>\n<root>\n", signed (Ed25519 note)
//     committing thread:   ─► store::LogStore::Append  (entries + tiles + state + checkpoint,
//                                                       one transaction, fsynced)
//                          ─► publish the new LogSnapshot ─► fulfil the submitters' futures
//
// The two threads form a pipeline: batch N+1 is deduplicated, integrated and signed while batch
// N is being committed. Batches are committed strictly in order; if a commit fails, every batch
// prepared on top of it fails too (the store's fencing guarantees it) and the sequencing thread
// reloads the tree from the store before preparing more.
//
// Guarantees:
//   * An AddResult is delivered only after the entry is durable at that index, and the
//     checkpoint that includes it is durable and published (Latest()).
//   * Identical entries get one index: a duplicate (already stored, or earlier in the same
//     batch) is answered with the existing index and `duplicate = true`.
//   * Every published checkpoint extends the previous one: the tree state is persisted in the
//     same transaction as the checkpoint, and the sequencer resumes from the store after a crash
//     or a failed commit (a commit whose outcome is unknown is resolved by re-reading the store).
//   * The checkpoint's origin is the signing key's name.
//
// The signer is the abstract tlog::NoteSigner, so that a key held elsewhere (e.g. inside an
// enclave) can sign checkpoints; the sequencer shares ownership of it for its lifetime. Time
// (batch intervals, Add's timeout, WaitForNewer's deadline, the stats) comes from the Clock
// passed to Start.
//
// Thread-safety: thread-safe. Submit, Add and Latest may be called from any number of threads;
// one internal thread sequences. Stop() and the destructor must not run concurrently with each
// other.
#ifndef VOUCH_LEDGER_SEQUENCER_H_
#define VOUCH_LEDGER_SEQUENCER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/clock.h"
#include "vouch/base/mutex.h"
#include "vouch/base/statusor.h"
#include "vouch/store/log_store.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/tiles.h"

namespace vouch::ledger {

struct SequencerOptions {
  // A batch is committed as soon as it holds this many entries...
  size_t batch_size = 16384;
  // ...or once its first entry has waited this long (0: as soon as the previous commit ended).
  std::chrono::microseconds batch_interval{5000};
  // Pushback: Submit fails with kResourceExhausted while this many entries or bytes wait.
  size_t max_pending_entries = 65536;
  size_t max_pending_bytes = size_t{64} << 20;
  // Told of each commit that failed (disk full, I/O error, damage; its submitters get the same
  // Status), on the committing thread and outside the sequencer's locks, so that a server can
  // say so on its own log as well as in its answers. Null: nobody is told.
  std::function<void(const Status&)> on_commit_failure;
};

// What a submitter learns once its entry is durably sequenced.
struct AddResult {
  uint64_t index = 0;      // zero-based index of the entry in the log
  tlog::Hash leaf_hash{};  // SHA-256(0x00 ‖ entry)
  bool duplicate = false;  // the entry was already in the log (index is the existing one)
  uint64_t tree_size = 0;  // size of the published checkpoint that includes it
};

// An immutable view of one published tree size: what readers serve and prove against.
class LogSnapshot {
 public:
  // REQUIRES: `partial_tiles[l]` is the parsed partial hash tile of level l at range.size(), or
  // null when that level has none; `checkpoint` is the signed note for that size.
  LogSnapshot(const tlog::CompactRange& range, std::string checkpoint,
              std::array<std::shared_ptr<const tlog::HashTile>, 8> partial_tiles)
      : border_(range), checkpoint_(std::move(checkpoint)), partial_tiles_(partial_tiles) {}

  uint64_t size() const { return border_.size(); }
  const tlog::Hash& root() const { return border_.root(); }
  // The signed checkpoint note, verbatim.
  const std::string& checkpoint() const { return checkpoint_; }
  const tlog::RightBorder& border() const { return border_; }
  // The same tree with another checkpoint note for it (e.g. the cosigned one).
  std::shared_ptr<const LogSnapshot> WithCheckpoint(std::string checkpoint) const {
    auto copy = std::make_shared<LogSnapshot>(*this);
    copy->checkpoint_ = std::move(checkpoint);
    return copy;
  }
  // The partial hash tile of tile level `level` (0..7), or null.
  const std::shared_ptr<const tlog::HashTile>& partial_tile(int level) const {
    return partial_tiles_[level];
  }

 private:
  tlog::RightBorder border_;
  std::string checkpoint_;
  std::array<std::shared_ptr<const tlog::HashTile>, 8> partial_tiles_;
};

// Counters, for logs and benchmarks.
struct SequencerStats {
  uint64_t batches = 0;     // commits
  uint64_t entries = 0;     // new entries sequenced
  uint64_t duplicates = 0;  // submissions answered with an existing index
  uint64_t failed_commits = 0;
  // Time spent by the sequencing thread looking up duplicates, integrating and signing, and
  // committing to the store.
  std::chrono::nanoseconds lookup_time{0};
  std::chrono::nanoseconds integrate_time{0};
  std::chrono::nanoseconds commit_time{0};
};

class Sequencer {
 public:
  // Checks that `signer` is an Ed25519 note key whose signatures verify under its verifier
  // key, binds `store` to the signer's log (origin = key name), recovers the tree from it
  // (checking the stored compact range, tiles, partial bundle and checkpoint against each other
  // and the checkpoint's signature against the signer's key), signs and commits the size-0
  // checkpoint of a new log, and starts the sequencing thread. kInvalidArgument for an unusable
  // signer, kDataLoss when the store is inconsistent, kFailedPrecondition when it belongs to
  // another log or key. `clock` is borrowed and must outlive the sequencer.
  static StatusOr<std::unique_ptr<Sequencer>> Start(std::shared_ptr<store::LogStore> store,
                                                    std::shared_ptr<const tlog::NoteSigner> signer,
                                                    const Clock& clock,
                                                    SequencerOptions options = {});
  // Stops (as Stop()).
  ~Sequencer();
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Queues `entry` (copied). The future becomes ready once the entry is durably sequenced, or
  // with an error: kInvalidArgument (over 65,535 bytes), kResourceExhausted (pushback: too much
  // is waiting), kUnavailable (stopped, or the store failed to commit the batch).
  std::future<StatusOr<AddResult>> Submit(ByteSpan entry) VOUCH_EXCLUDES(mu_);
  // Submit and wait at most `timeout`: kDeadlineExceeded when the entry is not sequenced by
  // then (it may still be later; submitting it again returns its index once it is).
  StatusOr<AddResult> Add(ByteSpan entry, std::chrono::milliseconds timeout) VOUCH_EXCLUDES(mu_);

  // The latest published tree size. Never null.
  std::shared_ptr<const LogSnapshot> Latest() const VOUCH_EXCLUDES(snapshot_mu_);
  // Calls `listener` after each newly published tree (on a sequencer thread, with no lock of
  // the sequencer's held except the listeners' own) until the returned subscription is
  // destroyed; once its destructor returns, the listener is not running and never runs again.
  // The listener must be fast and must not subscribe or unsubscribe.
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

   private:
    friend class Sequencer;
    Subscription(const Sequencer* sequencer, uint64_t id) : sequencer_(sequencer), id_(id) {}
    const Sequencer* sequencer_;
    uint64_t id_;
  };
  [[nodiscard]] std::unique_ptr<Subscription> OnPublish(std::function<void()> listener) const
      VOUCH_EXCLUDES(listeners_mu_);

  // Waits until the published size exceeds `size` or `deadline` passes; returns Latest().
  std::shared_ptr<const LogSnapshot> WaitForNewer(uint64_t size, Clock::SteadyTime deadline) const
      VOUCH_EXCLUDES(snapshot_mu_);

  const std::string& origin() const { return origin_; }
  // The log's verifier key (type 0x01).
  const tlog::VerifierKey& verifier_key() const { return vkey_; }
  const std::shared_ptr<store::LogStore>& store() const { return store_; }
  SequencerStats stats() const VOUCH_EXCLUDES(mu_);

  // Stops accepting submissions, sequences everything already queued, and joins the
  // sequencing thread. Idempotent.
  void Stop() VOUCH_EXCLUDES(mu_);

 private:
  // Lets Add wait for its entry on the clock (a std::future waits in real time only).
  struct Completion {
    Mutex mu;
    CondVar cv;
    bool done VOUCH_GUARDED_BY(mu) = false;
  };
  struct Pending {
    Bytes entry;
    tlog::Hash leaf_hash;
    std::promise<StatusOr<AddResult>> done;
    Clock::SteadyTime queued;
    std::shared_ptr<Completion> completion;  // Add's, or null
  };
  struct HashHasher {
    size_t operator()(const tlog::Hash& h) const;
  };
  // A batch integrated and signed by the sequencing thread, waiting for the committing thread.
  struct Prepared {
    std::vector<Pending> items;
    std::vector<uint64_t> index;                  // per item
    std::vector<bool> duplicate;                  // per item
    store::AppendBatch commit;                    // no entries: nothing to write (all duplicates)
    std::shared_ptr<const LogSnapshot> snapshot;  // to publish once committed (null if none)
    std::vector<tlog::Hash> new_hashes;           // in-flight leaf hashes to forget afterwards
    std::chrono::nanoseconds lookup_time{0};
    std::chrono::nanoseconds integrate_time{0};
  };

  Sequencer(std::shared_ptr<store::LogStore> store, std::shared_ptr<const tlog::NoteSigner> signer,
            const Clock& clock, SequencerOptions options);
  // Queues `entry`; `completion` (may be null) is told when the future is ready.
  std::future<StatusOr<AddResult>> Enqueue(ByteSpan entry, std::shared_ptr<Completion> completion)
      VOUCH_EXCLUDES(mu_);
  // Answers a submitter.
  static void Resolve(Pending& pending, StatusOr<AddResult> result);
  // Reloads the integrator, partial tiles and snapshot from the store (startup, and after a
  // failed commit once the pipeline is empty). Only on the sequencing thread (or before it
  // starts).
  Status Recover();
  // Sequencing thread: cuts batches and prepares them.
  void Run() VOUCH_EXCLUDES(mu_, pipe_mu_);
  // Committing thread: commits prepared batches in order and answers their submitters.
  void Commit() VOUCH_EXCLUDES(mu_, pipe_mu_);
  // Deduplicates, integrates and signs `batch` on top of the integrator's tree.
  StatusOr<Prepared> Prepare(std::vector<Pending>& batch) VOUCH_EXCLUDES(pipe_mu_);
  void Complete(Prepared& p) VOUCH_EXCLUDES(mu_);
  // Signs the checkpoint for the integrator's current tree.
  StatusOr<std::string> SignCurrent() const;
  void Publish(std::shared_ptr<const LogSnapshot> snapshot) VOUCH_EXCLUDES(snapshot_mu_);

  const std::shared_ptr<store::LogStore> store_;
  const std::shared_ptr<const tlog::NoteSigner> signer_;
  const Clock& clock_;
  const tlog::VerifierKey vkey_;
  const std::string origin_;
  const SequencerOptions options_;

  // Owned by the sequencing thread (and by Start before the threads exist).
  tlog::TileIntegrator integrator_;
  std::array<std::shared_ptr<const tlog::HashTile>, 8> partial_tiles_;

  // Submissions.
  mutable Mutex mu_;
  CondVar cv_;
  std::deque<Pending> queue_ VOUCH_GUARDED_BY(mu_);
  size_t pending_bytes_ VOUCH_GUARDED_BY(mu_) = 0;
  bool stopping_ VOUCH_GUARDED_BY(mu_) = false;
  SequencerStats stats_ VOUCH_GUARDED_BY(mu_);

  // The pipeline between the two threads: at most kMaxPrepared batches, in order.
  static constexpr size_t kMaxPrepared = 2;
  Mutex pipe_mu_ VOUCH_ACQUIRED_AFTER(mu_);
  CondVar pipe_cv_;
  std::deque<Prepared> prepared_ VOUCH_GUARDED_BY(pipe_mu_);
  // Leaf hash → index of entries prepared but not yet committed (for deduplication).
  std::unordered_map<tlog::Hash, uint64_t, HashHasher> in_flight_ VOUCH_GUARDED_BY(pipe_mu_);
  // A commit failed: every batch prepared on top of it fails, and the sequencing thread
  // recovers from the store once the pipeline is empty.
  bool broken_ VOUCH_GUARDED_BY(pipe_mu_) = false;
  bool run_done_ VOUCH_GUARDED_BY(pipe_mu_) = false;

  mutable Mutex listeners_mu_;
  mutable std::map<uint64_t, std::function<void()>> listeners_ VOUCH_GUARDED_BY(listeners_mu_);
  mutable uint64_t next_listener_ VOUCH_GUARDED_BY(listeners_mu_) = 0;

  mutable Mutex snapshot_mu_;
  mutable CondVar snapshot_cv_;  // a new snapshot was published
  std::shared_ptr<const LogSnapshot> snapshot_ VOUCH_GUARDED_BY(snapshot_mu_);

  std::thread sequencing_thread_;
  std::thread committing_thread_;
};

// The stored form of a full hash tile: all 511 of its nodes, arranged so that the nodes one
// inclusion proof needs lie in two 32-hash (1 KiB) blocks, which a store can read without the
// rest (LogStore::ReadTileHashes):
//
//   slots 32·k .. 32·k+29   block k (0..15): the nodes of heights 0..3 above tile hashes
//                           16·k .. 16·k+15 (16 + 8 + 4 + 2), then 2 empty slots
//   slots 512 .. 542        the top: all nodes of heights 4..8 (16 + 8 + 4 + 2 + 1)
//
// 543 hashes, 17,376 bytes. A proof for a leaf in block k needs block k (its siblings at
// heights 0..3) and the top (heights 4..7). Partial tiles are stored as served (width × 32
// bytes). docs/log.md, "Storage".
inline constexpr size_t kStoredBlockHashes = 32;
inline constexpr size_t kStoredFullTileHashes = 16 * kStoredBlockHashes + 31;
inline constexpr size_t kStoredFullTileSize = kStoredFullTileHashes * tlog::kHashSize;
// Slot (in hashes) of node (height, j) — 0 <= j < 256 >> height — of a full stored tile.
inline constexpr size_t StoredTileNodeOffset(int height, uint32_t j) {
  constexpr size_t kBlockOffset[4] = {0, 16, 24, 28};
  constexpr size_t kTopOffset[9] = {0, 0, 0, 0, 0, 16, 24, 28, 30};
  if (height < 4) {
    const uint32_t per_block = 16u >> height;
    return kStoredBlockHashes * (j / per_block) + kBlockOffset[height] + j % per_block;
  }
  return 16 * kStoredBlockHashes + kTopOffset[height] + j;
}
// Converts a parsed full tile to its stored form. REQUIRES: tile.width() == 256.
Bytes EncodeStoredFullTile(const tlog::HashTile& tile);
// The 256 tile hashes (as served) of a full tile in stored form. REQUIRES: stored.size() ==
// kStoredFullTileSize.
Bytes DecodeStoredFullTile(ByteSpan stored);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_SEQUENCER_H_

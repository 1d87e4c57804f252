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
#include <functional>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/clock.h"
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

namespace internal {
class SequencerImpl;
}  // namespace internal

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
  std::future<StatusOr<AddResult>> Submit(ByteSpan entry);
  // Submit without a future: `done` gets the outcome, once — on this thread when the entry is
  // refused at once, else on a sequencer thread, possibly with the sequencer's locks held: it
  // must be fast and must not call the sequencer. For a submitter that must not hold a thread
  // while it waits (the log's POST /add).
  using Callback = std::function<void(StatusOr<AddResult>)>;
  void SubmitThen(ByteSpan entry, Callback done);
  // Submit and wait at most `timeout`: kDeadlineExceeded when the entry is not sequenced by
  // then (it may still be later; submitting it again returns its index once it is).
  StatusOr<AddResult> Add(ByteSpan entry, std::chrono::milliseconds timeout);
  // Submits every entry (in order; other submitters' entries may fall between them) and waits
  // at most `timeout` in all. Result i is entry i's outcome, as Add's: each entry succeeds or
  // fails on its own (a batch is not atomic).
  std::vector<StatusOr<AddResult>> AddAll(std::span<const ByteSpan> entries,
                                          std::chrono::milliseconds timeout);

  // The latest published tree size. Never null.
  std::shared_ptr<const LogSnapshot> Latest() const;
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
    friend class internal::SequencerImpl;
    Subscription(const internal::SequencerImpl* sequencer, uint64_t id)
        : sequencer_(sequencer), id_(id) {}
    const internal::SequencerImpl* sequencer_;
    uint64_t id_;
  };
  [[nodiscard]] std::unique_ptr<Subscription> OnPublish(std::function<void()> listener) const;

  // Waits until the published size exceeds `size` or `deadline` passes; returns Latest().
  std::shared_ptr<const LogSnapshot> WaitForNewer(uint64_t size, Clock::SteadyTime deadline) const;

  const std::string& origin() const;
  // The log's verifier key (type 0x01).
  const tlog::VerifierKey& verifier_key() const;
  const std::shared_ptr<store::LogStore>& store() const;
  SequencerStats stats() const;

  // Stops accepting submissions, sequences everything already queued, and joins the
  // sequencing thread. Idempotent.
  void Stop();

 private:
  explicit Sequencer(std::unique_ptr<internal::SequencerImpl> impl);
  const std::unique_ptr<internal::SequencerImpl> impl_;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_SEQUENCER_H_

// The log's sequencer (spec/transparency-log.md §11, design notes; modelled on Tessera's POSIX
// driver): a single writer that batches submissions, deduplicates them, assigns indices,
// integrates them into the tree, produces the hash tiles, signs a checkpoint and commits all of
// it in one durable store transaction — and only then answers the submitters.
//
//   Submit(entry) ─► queue ─► [batch: up to batch_size entries, or batch_interval after the
//                              first one was queued]
//                          ─► dedup (within the batch, then against the store's leaf hashes)
//                          ─► tlog::TileIntegrator::Append (new tiles, new compact range)
//                          ─► checkpoint "<origin>\n<size>\n<root>\n", signed (Ed25519 note)
//                          ─► store::LogStore::Append  (entries + tiles + state + checkpoint,
//                                                       one transaction, fsynced)
//                          ─► publish the new LogSnapshot ─► fulfil the submitters' futures
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
// Thread-safety: thread-safe. Submit, Add and Latest may be called from any number of threads;
// one internal thread sequences. Stop() and the destructor must not run concurrently with each
// other.
#ifndef VOUCH_LEDGER_SEQUENCER_H_
#define VOUCH_LEDGER_SEQUENCER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "vouch/base/bytes.h"
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
  size_t batch_size = 4096;
  // ...or once its first entry has waited this long (0: as soon as the previous commit ended).
  std::chrono::microseconds batch_interval{5000};
  // Pushback: Submit fails with kResourceExhausted while this many entries or bytes wait.
  size_t max_pending_entries = 65536;
  size_t max_pending_bytes = size_t{64} << 20;
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
};

class Sequencer {
 public:
  // Binds `store` to the signer's log (origin = key name), recovers the tree from it (checking
  // the stored compact range, tiles, partial bundle and checkpoint against each other and the
  // checkpoint's signature against `signer`), signs and commits the size-0 checkpoint of a new
  // log, and starts the sequencing thread. kDataLoss when the store is inconsistent,
  // kFailedPrecondition when it belongs to another log or key.
  static StatusOr<std::unique_ptr<Sequencer>> Start(std::shared_ptr<store::LogStore> store,
                                                    tlog::Ed25519NoteSigner signer,
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

  const std::string& origin() const { return origin_; }
  // The log's verifier key (type 0x01).
  const tlog::VerifierKey& verifier_key() const { return vkey_; }
  const std::shared_ptr<store::LogStore>& store() const { return store_; }
  SequencerStats stats() const VOUCH_EXCLUDES(mu_);

  // Stops accepting submissions, sequences everything already queued, and joins the
  // sequencing thread. Idempotent.
  void Stop() VOUCH_EXCLUDES(mu_);

 private:
  struct Pending {
    Bytes entry;
    tlog::Hash leaf_hash;
    std::promise<StatusOr<AddResult>> done;
    std::chrono::steady_clock::time_point queued;
  };

  Sequencer(std::shared_ptr<store::LogStore> store, tlog::Ed25519NoteSigner signer,
            SequencerOptions options);
  // Reloads the integrator, partial tiles and snapshot from the store (startup, after a failed
  // commit). Only on the sequencing thread (or before it starts).
  Status Recover();
  void Run() VOUCH_EXCLUDES(mu_);
  void Process(std::vector<Pending>& batch);
  // Signs the checkpoint for the integrator's current tree.
  StatusOr<std::string> SignCurrent() const;
  void Publish(std::shared_ptr<const LogSnapshot> snapshot) VOUCH_EXCLUDES(snapshot_mu_);

  const std::shared_ptr<store::LogStore> store_;
  const tlog::Ed25519NoteSigner signer_;
  const tlog::VerifierKey vkey_;
  const std::string origin_;
  const SequencerOptions options_;

  // Owned by the sequencing thread (and by Start before the thread exists).
  tlog::TileIntegrator integrator_;
  std::array<std::shared_ptr<const tlog::HashTile>, 8> partial_tiles_;
  bool healthy_ = true;

  mutable Mutex mu_;
  CondVar cv_;
  std::deque<Pending> queue_ VOUCH_GUARDED_BY(mu_);
  size_t pending_bytes_ VOUCH_GUARDED_BY(mu_) = 0;
  bool stopping_ VOUCH_GUARDED_BY(mu_) = false;
  SequencerStats stats_ VOUCH_GUARDED_BY(mu_);

  mutable Mutex snapshot_mu_;
  std::shared_ptr<const LogSnapshot> snapshot_ VOUCH_GUARDED_BY(snapshot_mu_);

  std::thread thread_;
};

// The stored form of a full hash tile: its 256 hashes followed by its 255 inner nodes, height by
// height (128 at height 1, ..., the tile's root at height 8): 511 hashes, 16,352 bytes. Partial
// tiles are stored as served (width × 32 bytes). docs/log.md, "Storage".
inline constexpr size_t kStoredFullTileSize = 511 * tlog::kHashSize;
// Offset, in hashes, of node (height, j) of a full stored tile.
inline constexpr size_t StoredTileNodeOffset(int height, uint32_t j) {
  return (size_t{512} - (size_t{512} >> height)) + j;
}
// Converts a parsed full tile to its stored form. REQUIRES: tile.width() == 256.
Bytes EncodeStoredFullTile(const tlog::HashTile& tile);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_SEQUENCER_H_

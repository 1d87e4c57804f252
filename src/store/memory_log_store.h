// Test support (target vouch::store_testing): an in-memory LogStore (log_store.h), in the style
// of LevelDB's StringDest: the same contract as the SQLite store without durability (it passes
// the conformance suite, log_store_conformance.h), plus fault injection so tests can see what a
// sequencer does when storage fails.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_STORE_MEMORY_LOG_STORE_H_
#define VOUCH_STORE_MEMORY_LOG_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vouch/base/mutex.h"
#include "vouch/store/log_store.h"

namespace vouch::store {

class MemoryLogStore final : public LogStore {
 public:
  MemoryLogStore() = default;

  Status Bind(const LogIdentity& identity) override;
  StatusOr<LogTreeState> ReadState() const override;
  Status Append(const AppendBatch& batch) override;
  StatusOr<std::vector<std::optional<uint64_t>>> FindLeafHashes(
      std::span<const tlog::Hash> leaf_hashes) const override;
  StatusOr<std::vector<Bytes>> ReadEntries(uint64_t begin, uint64_t end) const override;
  StatusOr<std::vector<tlog::Hash>> ReadLeafHashes(uint64_t begin, uint64_t end) const override;
  StatusOr<StoredTile> ReadTile(uint8_t level, uint64_t index) const override;
  StatusOr<std::string> ReadCheckpoint(uint64_t size) const override;
  // As a shared state does (for tests of standbys): the URL is kept in memory.
  Status AdvertiseSequencer(const std::string& url) override;
  StatusOr<std::string> ReadSequencerUrl() const override;

  // Fault injection. The next `count` Appends fail with `status`. When `after_commit` is true
  // they apply the batch first and then report the failure (as a database whose commit reached
  // the disk but whose acknowledgement was lost).
  void FailAppends(int count, Status status, bool after_commit = false);
  // How many Appends have succeeded (committed and reported OK).
  int append_count() const;

 private:
  struct HashKey {
    size_t operator()(const tlog::Hash& h) const;
  };
  Status ApplyLocked(const AppendBatch& batch) VOUCH_REQUIRES(mu_);

  mutable Mutex mu_;
  std::optional<LogIdentity> identity_ VOUCH_GUARDED_BY(mu_);
  LogTreeState state_ VOUCH_GUARDED_BY(mu_);
  std::vector<Bytes> entries_ VOUCH_GUARDED_BY(mu_);
  std::vector<tlog::Hash> leaf_hashes_ VOUCH_GUARDED_BY(mu_);
  std::unordered_map<tlog::Hash, uint64_t, HashKey> by_leaf_hash_ VOUCH_GUARDED_BY(mu_);
  std::map<std::pair<uint8_t, uint64_t>, StoredTile> tiles_ VOUCH_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> checkpoints_ VOUCH_GUARDED_BY(mu_);
  int fail_count_ VOUCH_GUARDED_BY(mu_) = 0;
  Status fail_status_ VOUCH_GUARDED_BY(mu_);
  bool fail_after_commit_ VOUCH_GUARDED_BY(mu_) = false;
  int append_count_ VOUCH_GUARDED_BY(mu_) = 0;
  std::string sequencer_url_ VOUCH_GUARDED_BY(mu_);
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_MEMORY_LOG_STORE_H_

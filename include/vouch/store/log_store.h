// Durable storage of one transparency log (DESIGN.md §2, layer 4): its entries with their
// indices, the tree state (size, compact range, the checkpoint signed for that size), the hash
// tiles, and the history of signed checkpoints. One narrow interface, three implementations:
// SQLite (sqlite_log_store.h, the embedded default), PostgreSQL (postgres_log_store.h,
// docs/postgres.md; not yet behind `vouch serve log`) and an in-memory fake (memory_log_store.h)
// for tests.
//
// The interface knows nothing about Merkle trees beyond the 32-byte hashes it stores: the
// sequencer (src/ledger/) decides what goes into a batch and what tile bytes mean. Everything
// a batch carries is applied atomically and durably by Append, or not at all:
//
//   Append(batch)  ──►  entries [old_size, new_size) with their leaf hashes
//                       + hash tiles (inserted, or replaced by a wider version)
//                       + tree state (size, compact range, checkpoint)
//                       + the checkpoint in the history
//                  ──►  OK only once all of it is on stable storage.
//
// Single writer, fenced: Append fails with kAborted, changing nothing, unless the stored size
// equals batch.old_size, so two sequencers that somehow share a store cannot both append.
//
// Errors: kNotFound for absent data; kFailedPrecondition for a store that belongs to another log
// or a schema it does not know; kAborted for a fenced append; kAlreadyExists for a leaf hash
// that is already stored (the sequencer deduplicates first, so this means a bug); kDataLoss for
// stored data that is inconsistent; kUnavailable / kInternal for I/O and database failures.
//
// Thread-safety: implementations are thread-safe. Reads may run concurrently with each other
// and with an Append; a read sees either all of a batch or none of it.
#ifndef VOUCH_STORE_LOG_STORE_H_
#define VOUCH_STORE_LOG_STORE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/tlog/merkle.h"

namespace vouch::store {

// Which log a store holds; written by the first Bind and checked by every later one.
struct LogIdentity {
  std::string origin;  // the checkpoint origin
  std::string vkey;    // the log's verifier key, "<name>+<key id>+<base64>"
  friend bool operator==(const LogIdentity&, const LogIdentity&) = default;
};

// The committed tree: its size, the compact range of [0, size) (popcount(size) perfect-subtree
// hashes, largest first; tlog::CompactRange::hashes()) and the signed checkpoint for that size.
// A store that was never appended to has size 0, no hashes and an empty checkpoint.
struct LogTreeState {
  uint64_t size = 0;
  std::vector<tlog::Hash> range;
  std::string checkpoint;
};

// One new entry: its RFC 6962 leaf hash and its bytes (at most 65,535).
struct NewEntry {
  tlog::Hash leaf_hash;
  ByteSpan data;  // borrowed for the duration of Append
};

// A hash tile as stored: tile level (0..7), tile index, width (1..256) and opaque bytes. The
// store keeps one version per (level, index) — the widest it was given.
struct StoredTile {
  uint8_t level = 0;
  uint64_t index = 0;
  uint16_t width = 0;
  Bytes data;
};

// Everything one sequencing step commits, atomically.
struct AppendBatch {
  uint64_t old_size = 0;          // the stored size this batch extends (fencing)
  std::vector<NewEntry> entries;  // entries[i] gets index old_size + i
  std::vector<StoredTile> tiles;  // hash tiles created or widened by this batch
  LogTreeState new_state;         // new_state.size == old_size + entries.size()
};

// The reason of Append's "committed but not to be acknowledged" failure (kUnavailable).
inline constexpr char kCommittedNotAcknowledged[] = "state_anchor_write";

class LogStore {
 public:
  virtual ~LogStore() = default;

  // Records `identity` in an empty store, or checks that a used store holds this log.
  // kFailedPrecondition when it holds another one.
  virtual Status Bind(const LogIdentity& identity) = 0;

  // The committed tree state.
  virtual StatusOr<LogTreeState> ReadState() const = 0;

  // Appends `batch` atomically and durably (see the banner). REQUIRES: one caller at a time.
  // A failure with reason kCommittedNotAcknowledged means the batch IS committed but must not
  // be acknowledged (an anchored store could not record the new checkpoint in its state
  // anchor): the caller must not take it for a success after re-reading the state.
  virtual Status Append(const AppendBatch& batch) = 0;

  // For each of `leaf_hashes`, the index of the stored entry with that leaf hash, if any.
  virtual StatusOr<std::vector<std::optional<uint64_t>>> FindLeafHashes(
      std::span<const tlog::Hash> leaf_hashes) const = 0;

  // The entries [begin, end), in order. kNotFound if any of them is not stored.
  // REQUIRES: begin <= end, end - begin <= 65,536.
  virtual StatusOr<std::vector<Bytes>> ReadEntries(uint64_t begin, uint64_t end) const = 0;

  // The leaf hashes of entries [begin, end). kNotFound if any of them is not stored.
  // REQUIRES: begin <= end, end - begin <= 65,536.
  virtual StatusOr<std::vector<tlog::Hash>> ReadLeafHashes(uint64_t begin, uint64_t end) const = 0;

  // The stored (widest) version of hash tile (`level`, `index`); kNotFound if none.
  virtual StatusOr<StoredTile> ReadTile(uint8_t level, uint64_t index) const = 0;

  // Hashes `slots[i]` (32-byte slots: bytes [32·slot, 32·slot + 32)) of the stored data of tile
  // (`level`, `index`) into `out[i]`, without reading the rest of it (proof generation needs a
  // few hashes of a 16 KiB tile). kNotFound if the tile is not stored, kOutOfRange if a slot is
  // beyond its data. The default reads the whole tile. REQUIRES: out.size() == slots.size().
  virtual Status ReadTileHashes(uint8_t level, uint64_t index, std::span<const uint32_t> slots,
                                std::span<tlog::Hash> out) const;

  // The checkpoint signed for tree size `size`; kNotFound if none was.
  virtual StatusOr<std::string> ReadCheckpoint(uint64_t size) const = 0;

  // OK while the store accepts appends; kDataLoss (reason "store_damaged") once it has seen
  // damage and stopped them (fail closed: see sqlite_log_store.h). For health reports.
  virtual Status Health() const { return OkStatus(); }

  // Several services on one state (PostgreSQL; docs/postgres.md, "Several front-ends"): the one
  // that sequences records the base URL at which it takes submissions, and the others, which
  // forward submissions to it, read it. The URL is what was given, unchecked; empty when none
  // is recorded. A backend that one process serves (SQLite) has no such record:
  // kUnimplemented.
  virtual Status AdvertiseSequencer(const std::string& url);
  virtual StatusOr<std::string> ReadSequencerUrl() const;
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_LOG_STORE_H_

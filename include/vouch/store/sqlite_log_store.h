// The embedded LogStore (log_store.h): one SQLite database file in WAL mode with
// `synchronous=FULL`, so a committed Append survives a crash of the process or of the machine
// (the WAL is fsynced at every commit). Schema, durability argument and tuning:
// docs/log.md, "Storage".
//
//   meta(key TEXT PRIMARY KEY, value TEXT)              schema version, origin, vkey
//   entries(idx INTEGER PRIMARY KEY, leaf_hash BLOB, data BLOB)
//   leaf_index(prefix INTEGER, idx INTEGER, PRIMARY KEY(prefix, idx)) WITHOUT ROWID
//                                                        deduplication: first 8 bytes of the
//                                                        leaf hash → index (full hash compared)
//   tiles(id INTEGER PRIMARY KEY, width INTEGER, size INTEGER) id = level << 56 | index
//   tile_chunks(id INTEGER PRIMARY KEY, data BLOB)       the tile's bytes in 1 KiB chunks,
//                                                        id = level << 58 | index << 5 | chunk
//   tree(id = 1, size, range BLOB, checkpoint TEXT)      the committed state
//   checkpoints(size INTEGER PRIMARY KEY, note TEXT)     every checkpoint signed
//
// One connection writes (serialised by a mutex); reads use a small pool of read-only
// connections, so tile and proof reads run in parallel with appends (WAL readers see the last
// commit that completed before their statement began); a background connection checkpoints
// the WAL into the database file, off the commit path.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_STORE_SQLITE_LOG_STORE_H_
#define VOUCH_STORE_SQLITE_LOG_STORE_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/store/log_store.h"

namespace vouch::store {

namespace internal {
class SqliteLogStoreImpl;
}  // namespace internal

struct SqliteOptions {
  // Page cache of the writing connection and of each reading connection, in KiB.
  int writer_cache_kib = 32 * 1024;
  int reader_cache_kib = 8 * 1024;
  // Read-only connections (opened on demand; readers beyond this many wait for one).
  int reader_connections = 4;
  // WAL pages (4 KiB) after which a background connection checkpoints the WAL into the database
  // file, and after which the writer itself does (blocking) because the background one fell
  // behind.
  int checkpoint_pages = 4096;
  int max_wal_pages = 65536;
  // false: no background or forced WAL checkpoints while the store is open (SQLite still
  // checkpoints when the last connection closes). For tests that need commits to stay in the
  // WAL; never in production (the WAL grows without bound).
  bool background_checkpoint = true;
  // The integrity check at open (PRAGMA quick_check) is given at most this long; when it runs
  // out, `warn` is told and the store opens without it (docs/log.md, "Storage"). 0 skips it.
  // Also used by the witness store.
  std::chrono::milliseconds quick_check_budget{20'000};
  // Measures that budget. Borrowed: must outlive the open.
  const Clock* clock = &RealClock();
  // Where non-fatal warnings go (default: one line on standard error).
  std::function<void(std::string_view)> warn;
};

// Every open checks the database first: PRAGMA quick_check (bounded by quick_check_budget) and
// the whole schema (every table, column and index; a missing one is refused with kDataLoss,
// reason "store_schema", never recreated). While open, any sign of damage (SQLITE_CORRUPT,
// SQLITE_NOTADB, an inconsistent stored value) stops appends: Append returns kDataLoss (reason
// "store_damaged") and Health() says why; reads still answer what they can.
//
// The state anchor (state_anchor.h) is the file StateAnchorPathFor(path) (DIR/log.anchor for
// DIR/log.db). Errors of CreateState and OpenState (reasons for docs/error-codes.md):
//   kAlreadyExists      state_exists          CreateState: the anchor exists already
//   kFailedPrecondition state_missing         OpenState: neither anchor nor database (run init)
//   kFailedPrecondition state_not_anchored    OpenState: a database without anchor (older vouch,
//                                             or a deleted anchor): adopt it once with init
//   kDataLoss           state_anchor_invalid  the anchor is damaged or of another kind
//   kDataLoss           state_lost            the database is missing, empty, or belongs to
//                                             another state (state id) or another log (origin)
//   kDataLoss           state_behind          the database is behind the newest signed
//                                             checkpoint, or does not extend it (another root)
//   kDataLoss           store_schema, store_corrupt   damage found at open
//   kUnavailable        state_anchor_write    Append committed but the anchor could not be
//                                             rewritten: the batch is not acknowledged
class SqliteLogStore final : public LogStore {
 public:
  // Creates the log's state — the explicit init step (`--init`): a new database file `path`
  // (its directory must exist; a missing or 0-byte file) with its schema and a new random state
  // id, and its anchor. An existing database without anchor (created by an older vouch) is
  // adopted: it is checked, gets a state id if it has none, and the anchor is written from its
  // current state (docs/log.md, "Recovery"). The returned store is anchored (as OpenState).
  static StatusOr<std::unique_ptr<SqliteLogStore>> CreateState(const std::string& path,
                                                               SqliteOptions options = {});
  // Opens the existing state at `path`: refuses it unless its anchor exists and the database
  // matches it — same state id, same origin, a tree at least as large as the anchored size
  // whose checkpoint at that size has the anchored root. Appends keep the anchor current: it is
  // rewritten after each commit, before Append returns.
  static StatusOr<std::unique_ptr<SqliteLogStore>> OpenState(const std::string& path,
                                                             SqliteOptions options = {});
  // For tests and benchmarks of the store itself, never for a service (the store factory,
  // open_store.h, offers only CreateState/OpenState): when the anchor exists it is OpenState;
  // otherwise it opens the database, creating it (schema, state id) when missing, with the
  // integrity and schema checks but no anchor.
  static StatusOr<std::unique_ptr<SqliteLogStore>> Open(const std::string& path,
                                                        SqliteOptions options = {});
  ~SqliteLogStore() override;
  SqliteLogStore(const SqliteLogStore&) = delete;
  SqliteLogStore& operator=(const SqliteLogStore&) = delete;

  Status Bind(const LogIdentity& identity) override;
  StatusOr<LogTreeState> ReadState() const override;
  Status Append(const AppendBatch& batch) override;
  StatusOr<std::vector<std::optional<uint64_t>>> FindLeafHashes(
      std::span<const tlog::Hash> leaf_hashes) const override;
  StatusOr<std::vector<Bytes>> ReadEntries(uint64_t begin, uint64_t end) const override;
  StatusOr<std::vector<tlog::Hash>> ReadLeafHashes(uint64_t begin, uint64_t end) const override;
  StatusOr<StoredTile> ReadTile(uint8_t level, uint64_t index) const override;
  Status ReadTileHashes(uint8_t level, uint64_t index, std::span<const uint32_t> slots,
                        std::span<tlog::Hash> out) const override;
  StatusOr<std::string> ReadCheckpoint(uint64_t size) const override;
  Status Health() const override;

 private:
  explicit SqliteLogStore(std::unique_ptr<internal::SqliteLogStoreImpl> impl);
  std::unique_ptr<internal::SqliteLogStoreImpl> impl_;
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_SQLITE_LOG_STORE_H_

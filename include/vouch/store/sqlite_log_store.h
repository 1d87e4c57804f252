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

#include <cstddef>
#include <memory>
#include <string>

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
};

class SqliteLogStore final : public LogStore {
 public:
  // Opens or creates the database file `path` (its directory must exist), creates the schema if
  // needed and checks its version.
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

 private:
  explicit SqliteLogStore(std::unique_ptr<internal::SqliteLogStoreImpl> impl);
  std::unique_ptr<internal::SqliteLogStoreImpl> impl_;
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_SQLITE_LOG_STORE_H_

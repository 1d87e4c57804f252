// SQLite LogStore: schema and durability in docs/log.md, "Storage".
#include "vouch/store/sqlite_log_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/validate.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/mutex.h"
#include "vouch/store/reasons.h"
#include "vouch/store/state_anchor.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::store {
namespace internal {
namespace {

constexpr int kSchemaVersion = 1;
constexpr SqliteConnection::Mode kWriter = SqliteConnection::Mode::kReadWriteCreate;

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries(
  idx INTEGER PRIMARY KEY,
  leaf_hash BLOB NOT NULL,
  data BLOB NOT NULL);
CREATE TABLE leaf_index(
  prefix INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY (prefix, idx)) WITHOUT ROWID;
CREATE TABLE tiles(id INTEGER PRIMARY KEY, width INTEGER NOT NULL, size INTEGER NOT NULL);
CREATE TABLE tile_chunks(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE tree(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL,
  range BLOB NOT NULL,
  checkpoint TEXT NOT NULL);
CREATE TABLE checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL);
)sql";

// Statements, by name.
constexpr const char* kSelectTreeSize = "SELECT size FROM tree WHERE id = 1";
constexpr const char* kSelectTree = "SELECT size, range, checkpoint FROM tree WHERE id = 1";
constexpr const char* kInsertEntry = "INSERT INTO entries(idx, leaf_hash, data) VALUES(?, ?, ?)";
constexpr const char* kUpsertTile =
    "INSERT INTO tiles(id, width, size) VALUES(?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
    "width = excluded.width, size = excluded.size WHERE excluded.width >= tiles.width";
constexpr const char* kDeleteChunks = "DELETE FROM tile_chunks WHERE id >= ? AND id < ?";
constexpr const char* kInsertChunk = "INSERT INTO tile_chunks(id, data) VALUES(?, ?)";
constexpr const char* kSelectChunks =
    "SELECT id, data FROM tile_chunks WHERE id >= ? AND id < ? ORDER BY id";
constexpr const char* kSelectChunk = "SELECT data FROM tile_chunks WHERE id = ?";
constexpr const char* kReplaceTree =
    "INSERT OR REPLACE INTO tree(id, size, range, checkpoint) VALUES(1, ?, ?, ?)";
constexpr const char* kReplaceCheckpoint =
    "INSERT OR REPLACE INTO checkpoints(size, note) VALUES(?, ?)";
constexpr const char* kFindLeafHash =
    "SELECT e.idx, e.leaf_hash FROM leaf_index AS l JOIN entries AS e ON e.idx = l.idx "
    "WHERE l.prefix = ?";
constexpr const char* kInsertLeafIndex = "INSERT INTO leaf_index(prefix, idx) VALUES(?, ?)";
constexpr const char* kSelectEntries =
    "SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx";
constexpr const char* kSelectLeafHashes =
    "SELECT idx, leaf_hash FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx";
constexpr const char* kSelectTile = "SELECT width, size FROM tiles WHERE id = ?";
constexpr const char* kSelectCheckpoint = "SELECT note FROM checkpoints WHERE size = ?";
constexpr const char* kSelectMeta = "SELECT value FROM meta WHERE key = ?";
constexpr const char* kInsertMeta = "INSERT INTO meta(key, value) VALUES(?, ?)";

// The deduplication index key: the first 8 bytes of a leaf hash (big-endian, as a signed
// 64-bit integer). Distinct leaf hashes may share a prefix; lookups compare the full hash.
int64_t LeafPrefix(const tlog::Hash& h) { return static_cast<int64_t>(LoadU64Be(h.data())); }

// Tile data is stored in chunks of kChunkSize bytes, one row each, small enough to live inside
// a B-tree page: a read of a few hashes touches only the chunks that hold them, never a chain
// of overflow pages. Chunk rows are keyed level << 58 | index << 5 | chunk.
constexpr size_t kChunkSize = 1024;
constexpr uint64_t kMaxChunks = 32;
int64_t ChunkKey(uint8_t level, uint64_t index, uint64_t chunk) {
  // REQUIRES: chunk <= kMaxChunks (kMaxChunks: the end of the tile's key range).
  return static_cast<int64_t>((uint64_t{level} << 58) + (index << 5) + chunk);
}

// Positions of `hashes` ordered by (prefix, hash), so index reads and writes walk the B-tree
// in key order.
std::vector<size_t> SortedByPrefix(std::span<const tlog::Hash> hashes) {
  std::vector<size_t> order(hashes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int64_t pa = LeafPrefix(hashes[a]);
    int64_t pb = LeafPrefix(hashes[b]);
    return pa != pb ? pa < pb : hashes[a] < hashes[b];
  });
  return order;
}

// 1234567 → "1,234,567" (for operators' messages).
std::string Grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The size of the file at `path`; -1 when it does not exist.
int64_t FileSizeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

}  // namespace

class SqliteLogStoreImpl {
 public:
  SqliteLogStoreImpl(std::string path, SqliteOptions options)
      : path_(std::move(path)),
        anchor_path_(StateAnchorPathFor(path_)),
        options_(std::move(options)) {}

  Status Init(StateMode mode) VOUCH_EXCLUDES(writer_mu_) {
    MutexLock lock(&writer_mu_);
    VOUCH_ASSIGN_OR_RETURN(anchor_, ReadStateAnchor(anchor_path_));
    const bool db_present = FileSizeOf(path_) > 0;
    VOUCH_RETURN_IF_ERROR(
        CheckStateBeforeOpen(StateKind::kLog, mode, path_, anchor_path_, anchor_, db_present));
    if (anchor_.has_value()) {
      mode = StateMode::kOpen;
      if (!db_present) {
        return internal::AnchorError(
            StatusCode::kDataLoss, reasons::kStateLost,
            "the log database " + path_ + " is missing or empty, but this log " + SignedSummary() +
                ": restore the database from backup, or start a new log with a "
                "new key");
      }
    }
    VOUCH_ASSIGN_OR_RETURN(
        writer_, SqliteConnection::Open(
                     path_, mode == StateMode::kOpen ? SqliteConnection::Mode::kReadWrite : kWriter,
                     options_.writer_cache_kib));
    // WAL with synchronous=FULL: every commit fsyncs the WAL before it returns.
    VOUCH_RETURN_IF_ERROR(writer_->EnableDurableWal(path_));
    VOUCH_RETURN_IF_ERROR(writer_->Exec("PRAGMA foreign_keys = OFF"));
    // Checkpoints (copying the WAL into the database file) run on a background connection, so
    // commits do not wait for them; see Checkpointer().
    VOUCH_RETURN_IF_ERROR(writer_->Exec("PRAGMA wal_autocheckpoint = 0"));
    sqlite3_wal_hook(writer_->db(), &SqliteLogStoreImpl::WalHook, this);
    VOUCH_RETURN_IF_ERROR(writer_->Exec("PRAGMA journal_size_limit = 67108864"));
    if (db_present) {
      VOUCH_RETURN_IF_ERROR(
          QuickCheck(*writer_, path_, options_.quick_check_budget, *options_.clock, Warner()));
    }
    VOUCH_ASSIGN_OR_RETURN(const bool empty, SchemaIsEmpty(*writer_));
    if (empty && mode == StateMode::kOpen) {
      return internal::AnchorError(
          StatusCode::kDataLoss, reasons::kStateLost,
          "the log database " + path_ + " is empty, but this log " + SignedSummary() +
              ": restore the database from backup, or start a new log with a new "
              "key");
    }
    VOUCH_RETURN_IF_ERROR(writer_->Transaction([&] {
      writer_mu_.AssertHeld();
      return empty ? CreateSchemaLocked() : CheckSchemaLocked();
    }));
    VOUCH_RETURN_IF_ERROR(FsyncDirectoryOf(path_));
    VOUCH_ASSIGN_OR_RETURN(bound_origin_, ReadMetaLocked("origin"));
    if (mode == StateMode::kCreate) VOUCH_RETURN_IF_ERROR(WriteNewAnchorLocked());
    if (mode == StateMode::kOpen) VOUCH_RETURN_IF_ERROR(CompareWithAnchorLocked());
    VOUCH_ASSIGN_OR_RETURN(auto checkpointer, SqliteConnection::Open(path_, kWriter, 2048));
    checkpointer_ =
        std::thread([this, c = std::shared_ptr<SqliteConnection>(std::move(checkpointer))] {
          Checkpointer(*c);
        });
    return OkStatus();
  }

  ~SqliteLogStoreImpl() {
    {
      MutexLock lock(&checkpoint_mu_);
      checkpoint_stop_ = true;
      checkpoint_cv_.SignalAll();
    }
    if (checkpointer_.joinable()) checkpointer_.join();
  }

  Status Bind(const LogIdentity& identity) VOUCH_EXCLUDES(writer_mu_) {
    MutexLock lock(&writer_mu_);
    VOUCH_ASSIGN_OR_RETURN(auto origin, ReadMetaLocked("origin"));
    VOUCH_ASSIGN_OR_RETURN(auto vkey, ReadMetaLocked("vkey"));
    if (origin.has_value() || vkey.has_value()) {
      if (origin != identity.origin || vkey != identity.vkey) {
        return FailedPreconditionError(
            "the database " + path_ + " holds the log \"" + origin.value_or("") + "\" (key " +
            vkey.value_or("") + "), not \"" + identity.origin + "\" (key " + identity.vkey + ")");
      }
      return OkStatus();
    }
    VOUCH_RETURN_IF_ERROR(damage_.Health());
    Status bound = writer_->Transaction([&] {
      writer_mu_.AssertHeld();
      VOUCH_RETURN_IF_ERROR(WriteMetaLocked("origin", identity.origin));
      return WriteMetaLocked("vkey", identity.vkey);
    });
    VOUCH_RETURN_IF_ERROR(damage_.Observe(bound));
    bound_origin_ = identity.origin;
    return OkStatus();
  }

  Status Health() const { return damage_.Health(); }

  StatusOr<LogTreeState> ReadState() const {
    return WithReader([&](SqliteConnection& c) -> StatusOr<LogTreeState> {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectTree));
      StmtReset reset(stmt);
      int rc = sqlite3_step(stmt);
      LogTreeState state;
      if (rc == SQLITE_DONE) return state;
      if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "read tree state");
      int64_t size = sqlite3_column_int64(stmt, 0);
      ByteSpan range = ColumnBlob(stmt, 1);
      if (size < 0 || range.size() % tlog::kHashSize != 0 ||
          range.size() / tlog::kHashSize !=
              static_cast<size_t>(std::popcount(static_cast<uint64_t>(size)))) {
        return DataLossError("sqlite: the stored tree state of " + path_ + " is inconsistent");
      }
      state.size = static_cast<uint64_t>(size);
      for (size_t i = 0; i < range.size(); i += tlog::kHashSize) {
        tlog::Hash h;
        std::memcpy(h.data(), range.data() + i, tlog::kHashSize);
        state.range.push_back(h);
      }
      state.checkpoint = ColumnText(stmt, 2);
      return state;
    });
  }

  Status Append(const AppendBatch& batch) VOUCH_EXCLUDES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(ValidateBatch(batch));
    MutexLock lock(&writer_mu_);
    // Fail closed: nothing is appended to a store that has shown damage.
    VOUCH_RETURN_IF_ERROR(damage_.Health());
    tlog::Hash root{};
    if (anchor_.has_value()) {
      VOUCH_ASSIGN_OR_RETURN(root, CheckAnchorableLocked(batch.new_state));
    }
    // The commit fsyncs the WAL (synchronous=FULL): when it returns OK the batch is durable.
    Status committed = writer_->Transaction([&] {
      writer_mu_.AssertHeld();
      return AppendLocked(batch);
    });
    VOUCH_RETURN_IF_ERROR(damage_.Observe(committed));
    // The anchor records the newly signed tree before the batch is acknowledged (Append
    // returns); a crash in between leaves the database ahead of the anchor, which is accepted.
    if (anchor_.has_value()) {
      VOUCH_RETURN_IF_ERROR(internal::AnchorCommittedBatch(anchor_path_, *bound_origin_,
                                                           batch.new_state, root, *anchor_));
    }
    // Bound the WAL if the background checkpointer cannot keep up: checkpoint and restart it
    // here (waiting for readers). A failure only postpones this; the batch is committed.
    if (options_.background_checkpoint && wal_frames_.load() > options_.max_wal_pages) {
      int log = 0;
      int done = 0;
      sqlite3_wal_checkpoint_v2(writer_->db(), "main", SQLITE_CHECKPOINT_RESTART, &log, &done);
    }
    return OkStatus();
  }

  StatusOr<std::vector<std::optional<uint64_t>>> FindLeafHashes(
      std::span<const tlog::Hash> leaf_hashes) const {
    // On a reader connection, so lookups for the next batch run while a commit is in progress;
    // each statement sees every commit that completed before it began.
    return WithReader([&](SqliteConnection& c) { return Lookup(c, leaf_hashes); });
  }

  StatusOr<std::vector<Bytes>> ReadEntries(uint64_t begin, uint64_t end) const {
    VOUCH_RETURN_IF_ERROR(ValidateRange(begin, end));
    return WithReader([&](SqliteConnection& c) -> StatusOr<std::vector<Bytes>> {
      std::vector<Bytes> out;
      out.reserve(end - begin);
      VOUCH_RETURN_IF_ERROR(ScanRange(c, kSelectEntries, begin, end, [&](sqlite3_stmt* stmt) {
        ByteSpan data = ColumnBlob(stmt, 1);
        out.emplace_back(data.begin(), data.end());
      }));
      return out;
    });
  }

  StatusOr<std::vector<tlog::Hash>> ReadLeafHashes(uint64_t begin, uint64_t end) const {
    VOUCH_RETURN_IF_ERROR(ValidateRange(begin, end));
    return WithReader([&](SqliteConnection& c) -> StatusOr<std::vector<tlog::Hash>> {
      std::vector<tlog::Hash> out;
      out.reserve(end - begin);
      bool bad = false;
      VOUCH_RETURN_IF_ERROR(ScanRange(c, kSelectLeafHashes, begin, end, [&](sqlite3_stmt* stmt) {
        ByteSpan h = ColumnBlob(stmt, 1);
        tlog::Hash hash{};
        if (h.size() != tlog::kHashSize) {
          bad = true;
        } else {
          std::memcpy(hash.data(), h.data(), h.size());
        }
        out.push_back(hash);
      }));
      if (bad) return DataLossError("sqlite: a stored leaf hash is not 32 bytes");
      return out;
    });
  }

  StatusOr<StoredTile> ReadTile(uint8_t level, uint64_t index) const {
    VOUCH_RETURN_IF_ERROR(CheckTileId(level, index));
    return WithReader([&](SqliteConnection& c) -> StatusOr<StoredTile> {
      VOUCH_ASSIGN_OR_RETURN(auto meta, ReadTileMeta(c, level, index));
      StoredTile tile{level, index, meta.first, {}};
      tile.data.reserve(meta.second);
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectChunks));
      StmtReset reset(stmt);
      sqlite3_bind_int64(stmt, 1, ChunkKey(level, index, 0));
      sqlite3_bind_int64(stmt, 2, ChunkKey(level, index, kMaxChunks));
      int64_t next = ChunkKey(level, index, 0);
      while (true) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "read tile");
        if (sqlite3_column_int64(stmt, 0) != next++) break;
        ::vouch::Append(tile.data, ColumnBlob(stmt, 1));
      }
      if (tile.data.size() != meta.second) {
        return DataLossError("sqlite: stored tile (level " + std::to_string(level) + ", index " +
                             std::to_string(index) + ") is incomplete");
      }
      return tile;
    });
  }

  Status ReadTileHashes(uint8_t level, uint64_t index, std::span<const uint32_t> slots,
                        std::span<tlog::Hash> out) const {
    if (slots.size() != out.size()) return InternalError("ReadTileHashes: output size mismatch");
    VOUCH_RETURN_IF_ERROR(CheckTileId(level, index));
    return WithReader([&](SqliteConnection& c) -> Status {
      // Only the chunks are read (every statement is a read transaction of its own, and a
      // proof calls this once); the tile's metadata only to explain a failure.
      auto explain = [&](uint32_t slot) -> Status {
        VOUCH_ASSIGN_OR_RETURN(auto meta, ReadTileMeta(c, level, index));
        if (size_t{slot} * tlog::kHashSize + tlog::kHashSize > meta.second) {
          return OutOfRangeError("hash slot " + std::to_string(slot) + " is beyond tile (level " +
                                 std::to_string(level) + ", index " + std::to_string(index) + ")");
        }
        return DataLossError("sqlite: a chunk of tile (level " + std::to_string(level) +
                             ", index " + std::to_string(index) + ") is missing");
      };
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectChunk));
      StmtReset reset(stmt);
      // Read each chunk that holds a requested slot once.
      std::vector<size_t> order(slots.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return slots[a] < slots[b]; });
      uint64_t loaded = kMaxChunks;
      Bytes chunk;
      for (size_t i : order) {
        const size_t offset = size_t{slots[i]} * tlog::kHashSize;
        const uint64_t want = offset / kChunkSize;
        if (want >= kMaxChunks) return explain(slots[i]);
        if (want != loaded) {
          sqlite3_reset(stmt);
          sqlite3_bind_int64(stmt, 1, ChunkKey(level, index, want));
          int rc = sqlite3_step(stmt);
          if (rc == SQLITE_DONE) {
            sqlite3_reset(stmt);
            return explain(slots[i]);
          }
          if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "read tile chunk");
          ByteSpan data = ColumnBlob(stmt, 0);
          chunk.assign(data.begin(), data.end());
          loaded = want;
        }
        const size_t at = offset % kChunkSize;
        if (at + tlog::kHashSize > chunk.size()) {
          sqlite3_reset(stmt);
          return explain(slots[i]);
        }
        std::copy(chunk.begin() + static_cast<ptrdiff_t>(at),
                  chunk.begin() + static_cast<ptrdiff_t>(at + tlog::kHashSize), out[i].begin());
      }
      return OkStatus();
    });
  }

  StatusOr<std::string> ReadCheckpoint(uint64_t size) const {
    if (size > INT64_MAX) return NotFoundError("no checkpoint for size " + std::to_string(size));
    return WithReader([&](SqliteConnection& c) -> StatusOr<std::string> {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectCheckpoint));
      StmtReset reset(stmt);
      sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(size));
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) {
        return NotFoundError("no checkpoint was signed for size " + std::to_string(size));
      }
      if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "read checkpoint");
      return ColumnText(stmt, 0);
    });
  }

 private:
  // For each of `hashes`, the index of the stored entry with that leaf hash. Reads the prefix
  // index in key order and compares full hashes (prefixes may collide).
  static StatusOr<std::vector<std::optional<uint64_t>>> Lookup(SqliteConnection& c,
                                                               std::span<const tlog::Hash> hashes) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kFindLeafHash));
    StmtReset reset(stmt);
    std::vector<std::optional<uint64_t>> out(hashes.size());
    for (size_t i : SortedByPrefix(hashes)) {
      sqlite3_reset(stmt);
      sqlite3_bind_int64(stmt, 1, LeafPrefix(hashes[i]));
      while (true) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "look up leaf hash");
        ByteSpan stored = ColumnBlob(stmt, 1);
        if (EqualBytes(hashes[i], stored)) {
          out[i] = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
          break;
        }
      }
    }
    return out;
  }

  static Status CheckTileId(uint8_t level, uint64_t index) {
    if (level > kMaxStoredTileLevel || index >= kMaxStoredTileIndex) {
      return NotFoundError("tile (level " + std::to_string(level) + ", index " +
                           std::to_string(index) + ") cannot exist");
    }
    return OkStatus();
  }

  // (width, size in bytes) of a stored tile.
  static StatusOr<std::pair<uint16_t, size_t>> ReadTileMeta(SqliteConnection& c, uint8_t level,
                                                            uint64_t index) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectTile));
    StmtReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, TileKey(level, index));
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
      return NotFoundError("tile (level " + std::to_string(level) + ", index " +
                           std::to_string(index) + ") is not stored");
    }
    if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "read tile");
    int64_t width = sqlite3_column_int64(stmt, 0);
    int64_t size = sqlite3_column_int64(stmt, 1);
    if (width < 1 || width > 256 || size < 0 || static_cast<uint64_t>(size) > kMaxStoredTileSize) {
      return DataLossError("sqlite: a stored tile's width or size is invalid");
    }
    return std::make_pair(static_cast<uint16_t>(width), static_cast<size_t>(size));
  }

  // A new database: the schema, its version and a new state id.
  Status CreateSchemaLocked() VOUCH_REQUIRES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(writer_->Exec(kSchema));
    VOUCH_RETURN_IF_ERROR(WriteMetaLocked("schema_version", std::to_string(kSchemaVersion)));
    VOUCH_ASSIGN_OR_RETURN(std::string id, NewStateId());
    return WriteMetaLocked("state_id", id);
  }

  // An existing database: the whole schema as expected (nothing is created), a known version.
  Status CheckSchemaLocked() VOUCH_REQUIRES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(CheckSchema(*writer_, path_, kSchema));
    VOUCH_ASSIGN_OR_RETURN(auto version, ReadMetaLocked("schema_version"));
    if (!version.has_value()) {
      return Status(StatusCode::kDataLoss,
                    "sqlite: the database " + path_ + " has no schema version",
                    reasons::kStoreSchema);
    }
    if (*version != std::to_string(kSchemaVersion)) {
      return FailedPreconditionError("the database " + path_ + " has schema version " + *version +
                                     "; this program knows version " +
                                     std::to_string(kSchemaVersion));
    }
    return OkStatus();
  }

  std::function<void(std::string_view)> Warner() const {
    if (options_.warn) return options_.warn;
    return [](std::string_view line) {
      std::fprintf(stderr, "vouch: %.*s\n", static_cast<int>(line.size()), line.data());
    };
  }

  // "signed a checkpoint for 1,341 entries" from the anchor, for messages.
  std::string SignedSummary() const VOUCH_REQUIRES(writer_mu_) {
    if (!anchor_.has_value() || anchor_->trees.empty()) {
      return "was initialised (anchor " + anchor_path_ + ")";
    }
    return "signed a checkpoint for " + Grouped(anchor_->trees.begin()->second.size) +
           " entries (anchor " + anchor_path_ + ")";
  }

  // CreateState: the database's state id (given one if it has none) and, for a database in
  // use, its current tree, into a new anchor.
  Status WriteNewAnchorLocked() VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(auto id, ReadMetaLocked("state_id"));
    StateAnchor anchor;
    anchor.kind = StateKind::kLog;
    if (id.has_value()) {
      anchor.state_id = *id;
    } else {
      VOUCH_ASSIGN_OR_RETURN(anchor.state_id, NewStateId());
      VOUCH_RETURN_IF_ERROR(writer_->Transaction([&] {
        writer_mu_.AssertHeld();
        return WriteMetaLocked("state_id", anchor.state_id);
      }));
    }
    VOUCH_ASSIGN_OR_RETURN(LogTreeState state, ReadState());
    if (bound_origin_.has_value() && !state.checkpoint.empty()) {
      VOUCH_ASSIGN_OR_RETURN(tlog::Hash root, internal::RangeRoot(state.size, state.range));
      anchor.trees.emplace(*bound_origin_, AnchoredTree{state.size, root});
    }
    VOUCH_RETURN_IF_ERROR(WriteStateAnchor(anchor_path_, anchor));
    anchor_ = std::move(anchor);
    return OkStatus();
  }

  // OpenState: the database is the anchored state, at or beyond what was signed.
  Status CompareWithAnchorLocked() VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(auto id, ReadMetaLocked("state_id"));
    if (id != anchor_->state_id) {
      return internal::AnchorError(
          StatusCode::kDataLoss, reasons::kStateLost,
          "the log database " + path_ + " belongs to another state (state id " +
              id.value_or("none") + ", the anchor " + anchor_path_ + " has " + anchor_->state_id +
              "): it was replaced by an unrelated database; restore this log's "
              "database from backup, or start a new log with a new key");
    }
    for (const auto& [origin, tree] : anchor_->trees) {
      if (bound_origin_ != origin) {
        return internal::AnchorError(StatusCode::kDataLoss, reasons::kStateLost,
                                     "the log database " + path_ + " holds the log \"" +
                                         bound_origin_.value_or("") +
                                         "\", but its anchor is for \"" + origin + "\"");
      }
      VOUCH_ASSIGN_OR_RETURN(LogTreeState state, ReadState());
      if (state.size < tree.size) {
        return internal::AnchorError(
            StatusCode::kDataLoss, reasons::kStateBehind,
            "the log database " + path_ + " has " + Grouped(state.size) +
                " entries but this log signed a checkpoint for " + Grouped(tree.size) +
                ": the database is behind what was signed (lost, rolled back, or its WAL "
                "deleted); restore it from backup, or start a new log with a new key");
      }
      auto note = ReadCheckpoint(tree.size);
      StatusOr<tlog::Checkpoint> body = note.ok() ? internal::ParseCheckpointBody(*note)
                                                  : StatusOr<tlog::Checkpoint>(note.status());
      if (!body.ok() || body->size() != tree.size || body->root() != tree.root) {
        return internal::AnchorError(
            StatusCode::kDataLoss, reasons::kStateBehind,
            "the log database " + path_ + " (" + Grouped(state.size) +
                " entries) does not extend the checkpoint this log signed for " +
                Grouped(tree.size) + " entries: its checkpoint for that size is " +
                (body.ok() ? "for another root" : "unusable (" + body.status().message() + ")") +
                "; restore the database from backup, or start a new log with a new key");
      }
    }
    // A database ahead of its anchor (a crash between a commit and the anchor's update, or a
    // store bound but never anchored): it extends what was anchored, and its newest checkpoint
    // may be published from now on, so the anchor records it first.
    if (bound_origin_.has_value()) {
      VOUCH_ASSIGN_OR_RETURN(LogTreeState state, ReadState());
      auto it = anchor_->trees.find(*bound_origin_);
      if (!state.checkpoint.empty() &&
          (it == anchor_->trees.end() || it->second.size < state.size)) {
        VOUCH_ASSIGN_OR_RETURN(tlog::Hash root, internal::RangeRoot(state.size, state.range));
        VOUCH_RETURN_IF_ERROR(internal::AdvanceLogAnchor(anchor_path_, *bound_origin_,
                                                         AnchoredTree{state.size, root}, *anchor_));
      }
    }
    return OkStatus();
  }

  // What an anchored Append records (internal::AnchorableRoot).
  StatusOr<tlog::Hash> CheckAnchorableLocked(const LogTreeState& state) VOUCH_REQUIRES(writer_mu_) {
    return internal::AnchorableRoot(bound_origin_, state);
  }

  StatusOr<std::optional<std::string>> ReadMetaLocked(const std::string& key)
      VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kSelectMeta));
    StmtReset reset(stmt);
    BindText(stmt, 1, key);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return SqliteError(rc, writer_->db(), "read meta");
    return std::optional<std::string>(ColumnText(stmt, 0));
  }

  Status WriteMetaLocked(const std::string& key, const std::string& value)
      VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kInsertMeta));
    StmtReset reset(stmt);
    BindText(stmt, 1, key);
    BindText(stmt, 2, value);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return SqliteError(rc, writer_->db(), "write meta");
    return OkStatus();
  }

  // One Append, table by table (a PostgreSQL store mirrors these steps): the fence on the tree
  // size, the entries, the deduplication index, the tiles, the tree state and the checkpoint
  // history.
  Status AppendLocked(const AppendBatch& batch) VOUCH_REQUIRES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(CheckFenceLocked(batch.old_size));
    VOUCH_RETURN_IF_ERROR(InsertEntriesLocked(batch));
    VOUCH_RETURN_IF_ERROR(IndexLeafHashesLocked(batch));
    for (const StoredTile& tile : batch.tiles) VOUCH_RETURN_IF_ERROR(WriteTileLocked(tile));
    VOUCH_RETURN_IF_ERROR(WriteTreeStateLocked(batch.new_state));
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kReplaceCheckpoint));
    StmtReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(batch.new_state.size));
    BindText(stmt, 2, batch.new_state.checkpoint);
    return StepDone(stmt, writer_->db(), "write checkpoint");
  }

  // kAborted unless the stored tree size is `old_size` (single writer, fenced).
  Status CheckFenceLocked(uint64_t old_size) VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kSelectTreeSize));
    StmtReset reset(stmt);
    const int rc = sqlite3_step(stmt);
    uint64_t stored = 0;
    if (rc == SQLITE_ROW) {
      stored = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
    } else if (rc != SQLITE_DONE) {
      return SqliteError(rc, writer_->db(), "read tree size");
    }
    if (stored != old_size) {
      return Status(StatusCode::kAborted, "append batch extends size " + std::to_string(old_size) +
                                              " but the store holds " + std::to_string(stored));
    }
    return OkStatus();
  }

  Status InsertEntriesLocked(const AppendBatch& batch) VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kInsertEntry));
    StmtReset reset(stmt);
    for (size_t i = 0; i < batch.entries.size(); ++i) {
      sqlite3_reset(stmt);
      sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(batch.old_size + i));
      BindBlob(stmt, 2, batch.entries[i].leaf_hash);
      BindBlob(stmt, 3, batch.entries[i].data);
      VOUCH_RETURN_IF_ERROR(StepDone(stmt, writer_->db(), "insert entry"));
    }
    return OkStatus();
  }

  // The deduplication index. The sequencer only sends new leaf hashes; check anyway (in key
  // order, the same pages the insert touches next) so the store never holds two entries with
  // one leaf hash.
  Status IndexLeafHashesLocked(const AppendBatch& batch) VOUCH_REQUIRES(writer_mu_) {
    std::vector<tlog::Hash> hashes;
    hashes.reserve(batch.entries.size());
    for (const NewEntry& e : batch.entries) hashes.push_back(e.leaf_hash);
    VOUCH_ASSIGN_OR_RETURN(auto existing, Lookup(*writer_, hashes));
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kInsertLeafIndex));
    StmtReset reset(stmt);
    const tlog::Hash* previous = nullptr;
    for (size_t i : SortedByPrefix(hashes)) {
      if (existing[i].has_value() || (previous != nullptr && *previous == hashes[i])) {
        return AlreadyExistsError("an entry with the leaf hash of new entry " +
                                  std::to_string(batch.old_size + i) + " is already stored");
      }
      previous = &hashes[i];
      sqlite3_reset(stmt);
      sqlite3_bind_int64(stmt, 1, LeafPrefix(hashes[i]));
      sqlite3_bind_int64(stmt, 2, static_cast<int64_t>(batch.old_size + i));
      VOUCH_RETURN_IF_ERROR(StepDone(stmt, writer_->db(), "index entry"));
    }
    return OkStatus();
  }

  // Stores `tile` unless a wider version of it is stored: its row in `tiles`, and its bytes in
  // chunks (replacing the narrower version's).
  Status WriteTileLocked(const StoredTile& tile) VOUCH_REQUIRES(writer_mu_) {
    sqlite3* db = writer_->db();
    {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * upsert, writer_->Prepare(kUpsertTile));
      StmtReset reset(upsert);
      sqlite3_bind_int64(upsert, 1, TileKey(tile.level, tile.index));
      sqlite3_bind_int(upsert, 2, tile.width);
      sqlite3_bind_int64(upsert, 3, static_cast<int64_t>(tile.data.size()));
      VOUCH_RETURN_IF_ERROR(StepDone(upsert, db, "write tile"));
      if (sqlite3_changes(db) == 0) return OkStatus();  // a wider version is stored
    }
    {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * del, writer_->Prepare(kDeleteChunks));
      StmtReset reset(del);
      sqlite3_bind_int64(del, 1, ChunkKey(tile.level, tile.index, 0));
      sqlite3_bind_int64(del, 2, ChunkKey(tile.level, tile.index, kMaxChunks));
      VOUCH_RETURN_IF_ERROR(StepDone(del, db, "replace tile"));
    }
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * insert, writer_->Prepare(kInsertChunk));
    StmtReset reset(insert);
    for (uint64_t k = 0; k * kChunkSize < tile.data.size(); ++k) {
      ByteSpan part = ByteSpan(tile.data).subspan(k * kChunkSize);
      if (part.size() > kChunkSize) part = part.first(kChunkSize);
      sqlite3_reset(insert);
      sqlite3_bind_int64(insert, 1, ChunkKey(tile.level, tile.index, k));
      BindBlob(insert, 2, part);
      VOUCH_RETURN_IF_ERROR(StepDone(insert, db, "write tile chunk"));
    }
    return OkStatus();
  }

  Status WriteTreeStateLocked(const LogTreeState& state) VOUCH_REQUIRES(writer_mu_) {
    Bytes range;
    range.reserve(state.range.size() * tlog::kHashSize);
    for (const tlog::Hash& h : state.range) ::vouch::Append(range, h);
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kReplaceTree));
    StmtReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(state.size));
    BindBlob(stmt, 2, range);
    BindText(stmt, 3, state.checkpoint);
    return StepDone(stmt, writer_->db(), "write tree state");
  }

  // Calls `row(stmt)` for each row of `sql` (bound to [begin, end)) and checks that the rows
  // are exactly the indices begin, begin + 1, ..., end − 1.
  template <typename Row>
  Status ScanRange(SqliteConnection& c, const char* sql, uint64_t begin, uint64_t end,
                   Row&& row) const {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(sql));
    StmtReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(begin));
    sqlite3_bind_int64(stmt, 2, static_cast<int64_t>(end));
    uint64_t next = begin;
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "read entries");
      if (static_cast<uint64_t>(sqlite3_column_int64(stmt, 0)) != next) {
        return NotFoundError("entry " + std::to_string(next) + " is not stored");
      }
      row(stmt);
      ++next;
    }
    if (next != end) return NotFoundError("entry " + std::to_string(next) + " is not stored");
    return OkStatus();
  }

  // Runs `fn(connection)` on an idle read-only connection (opening one if none is idle).
  template <typename Fn>
  auto WithReader(Fn&& fn) const -> decltype(fn(std::declval<SqliteConnection&>())) {
    // At most reader_connections exist (each has its own page cache): callers beyond that wait.
    std::unique_ptr<SqliteConnection> conn;
    {
      MutexLock lock(&pool_mu_);
      while (idle_.empty() && open_readers_ >= options_.reader_connections)
        pool_cv_.Wait(&pool_mu_);
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_readers_;
      }
    }
    if (conn == nullptr) {
      auto opened = SqliteConnection::Open(path_, SqliteConnection::Mode::kReadOnly,
                                           options_.reader_cache_kib);
      if (!opened.ok()) {
        MutexLock lock(&pool_mu_);
        --open_readers_;
        pool_cv_.Signal();
        return opened.status();
      }
      conn = std::move(opened).value();
    }
    auto result = fn(*conn);
    damage_.Observe(result);
    MutexLock lock(&pool_mu_);
    idle_.push_back(std::move(conn));
    pool_cv_.Signal();
    return result;
  }

  // Called by SQLite after each commit on the writer connection with the WAL's size in pages.
  static int WalHook(void* arg, sqlite3* /*db*/, const char* /*name*/, int pages) {
    auto* self = static_cast<SqliteLogStoreImpl*>(arg);
    self->wal_frames_.store(pages);
    if (self->options_.background_checkpoint && pages >= self->options_.checkpoint_pages) {
      MutexLock lock(&self->checkpoint_mu_);
      self->checkpoint_wanted_ = true;
      self->checkpoint_cv_.Signal();
    }
    return SQLITE_OK;
  }

  // Copies committed WAL pages into the database file whenever the WAL has grown past
  // checkpoint_pages (PASSIVE: never blocks the writer or readers). With synchronous=FULL the
  // database file is fsynced before the WAL is reused.
  void Checkpointer(SqliteConnection& c) VOUCH_EXCLUDES(checkpoint_mu_) {
    while (true) {
      {
        MutexLock lock(&checkpoint_mu_);
        while (!checkpoint_wanted_ && !checkpoint_stop_) checkpoint_cv_.Wait(&checkpoint_mu_);
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      int log = 0;
      int done = 0;
      sqlite3_wal_checkpoint_v2(c.db(), "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    }
  }

  const std::string path_;
  const std::string anchor_path_;
  const SqliteOptions options_;
  mutable DamageTracker damage_;
  // The anchor (null for an unanchored legacy store), and the origin the store is bound to.
  std::optional<StateAnchor> anchor_ VOUCH_GUARDED_BY(writer_mu_);
  std::optional<std::string> bound_origin_ VOUCH_GUARDED_BY(writer_mu_);
  std::atomic<int> wal_frames_{0};
  Mutex checkpoint_mu_;
  CondVar checkpoint_cv_;
  bool checkpoint_wanted_ VOUCH_GUARDED_BY(checkpoint_mu_) = false;
  bool checkpoint_stop_ VOUCH_GUARDED_BY(checkpoint_mu_) = false;
  std::thread checkpointer_;
  Mutex writer_mu_;
  std::unique_ptr<SqliteConnection> writer_ VOUCH_GUARDED_BY(writer_mu_);
  mutable Mutex pool_mu_;
  mutable CondVar pool_cv_;
  mutable std::vector<std::unique_ptr<SqliteConnection>> idle_ VOUCH_GUARDED_BY(pool_mu_);
  mutable int open_readers_ VOUCH_GUARDED_BY(pool_mu_) = 0;
};

}  // namespace internal

namespace {

StatusOr<std::unique_ptr<internal::SqliteLogStoreImpl>> OpenImpl(const std::string& path,
                                                                 SqliteOptions options,
                                                                 internal::StateMode mode) {
  if (options.reader_connections < 1 || options.checkpoint_pages < 1 ||
      options.max_wal_pages < options.checkpoint_pages) {
    return InvalidArgumentError(
        "SqliteOptions: reader_connections and checkpoint_pages must be positive, and "
        "max_wal_pages at least checkpoint_pages");
  }
  if (options.clock == nullptr) return InvalidArgumentError("SqliteOptions: no clock");
  auto impl = std::make_unique<internal::SqliteLogStoreImpl>(path, std::move(options));
  VOUCH_RETURN_IF_ERROR(impl->Init(mode));
  return impl;
}

}  // namespace

StatusOr<std::unique_ptr<SqliteLogStore>> SqliteLogStore::CreateState(const std::string& path,
                                                                      SqliteOptions options) {
  VOUCH_ASSIGN_OR_RETURN(auto impl,
                         OpenImpl(path, std::move(options), internal::StateMode::kCreate));
  return std::unique_ptr<SqliteLogStore>(new SqliteLogStore(std::move(impl)));
}

StatusOr<std::unique_ptr<SqliteLogStore>> SqliteLogStore::OpenState(const std::string& path,
                                                                    SqliteOptions options) {
  VOUCH_ASSIGN_OR_RETURN(auto impl, OpenImpl(path, std::move(options), internal::StateMode::kOpen));
  return std::unique_ptr<SqliteLogStore>(new SqliteLogStore(std::move(impl)));
}

StatusOr<std::unique_ptr<SqliteLogStore>> SqliteLogStore::Open(const std::string& path,
                                                               SqliteOptions options) {
  VOUCH_ASSIGN_OR_RETURN(auto impl,
                         OpenImpl(path, std::move(options), internal::StateMode::kLegacy));
  return std::unique_ptr<SqliteLogStore>(new SqliteLogStore(std::move(impl)));
}

Status SqliteLogStore::Health() const { return impl_->Health(); }

SqliteLogStore::SqliteLogStore(std::unique_ptr<internal::SqliteLogStoreImpl> impl)
    : impl_(std::move(impl)) {}
SqliteLogStore::~SqliteLogStore() = default;

Status SqliteLogStore::Bind(const LogIdentity& identity) { return impl_->Bind(identity); }
StatusOr<LogTreeState> SqliteLogStore::ReadState() const { return impl_->ReadState(); }
Status SqliteLogStore::Append(const AppendBatch& batch) { return impl_->Append(batch); }
StatusOr<std::vector<std::optional<uint64_t>>> SqliteLogStore::FindLeafHashes(
    std::span<const tlog::Hash> leaf_hashes) const {
  return impl_->FindLeafHashes(leaf_hashes);
}
StatusOr<std::vector<Bytes>> SqliteLogStore::ReadEntries(uint64_t begin, uint64_t end) const {
  return impl_->ReadEntries(begin, end);
}
StatusOr<std::vector<tlog::Hash>> SqliteLogStore::ReadLeafHashes(uint64_t begin,
                                                                 uint64_t end) const {
  return impl_->ReadLeafHashes(begin, end);
}
StatusOr<StoredTile> SqliteLogStore::ReadTile(uint8_t level, uint64_t index) const {
  return impl_->ReadTile(level, index);
}
Status SqliteLogStore::ReadTileHashes(uint8_t level, uint64_t index,
                                      std::span<const uint32_t> slots,
                                      std::span<tlog::Hash> out) const {
  return impl_->ReadTileHashes(level, index, slots, out);
}
StatusOr<std::string> SqliteLogStore::ReadCheckpoint(uint64_t size) const {
  return impl_->ReadCheckpoint(size);
}

}  // namespace vouch::store

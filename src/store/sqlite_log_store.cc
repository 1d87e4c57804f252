// SQLite LogStore: schema and durability in docs/log.md, "Storage".
#include "vouch/store/sqlite_log_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/validate.h"
#include "vouch/base/mutex.h"

namespace vouch::store {
namespace internal {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries(
  idx INTEGER PRIMARY KEY,
  leaf_hash BLOB NOT NULL,
  data BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS entries_by_leaf_hash ON entries(leaf_hash);
CREATE TABLE IF NOT EXISTS tiles(id INTEGER PRIMARY KEY, width INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tree(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL,
  range BLOB NOT NULL,
  checkpoint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, note TEXT NOT NULL);
)sql";

// Statements, by name.
constexpr const char* kSelectTreeSize = "SELECT size FROM tree WHERE id = 1";
constexpr const char* kSelectTree = "SELECT size, range, checkpoint FROM tree WHERE id = 1";
constexpr const char* kInsertEntry = "INSERT INTO entries(idx, leaf_hash, data) VALUES(?, ?, ?)";
constexpr const char* kUpsertTile =
    "INSERT INTO tiles(id, width, data) VALUES(?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
    "width = excluded.width, data = excluded.data WHERE excluded.width >= tiles.width";
constexpr const char* kReplaceTree =
    "INSERT OR REPLACE INTO tree(id, size, range, checkpoint) VALUES(1, ?, ?, ?)";
constexpr const char* kReplaceCheckpoint =
    "INSERT OR REPLACE INTO checkpoints(size, note) VALUES(?, ?)";
constexpr const char* kFindLeafHash = "SELECT idx FROM entries WHERE leaf_hash = ?";
constexpr const char* kSelectEntries =
    "SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx";
constexpr const char* kSelectLeafHashes =
    "SELECT idx, leaf_hash FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx";
constexpr const char* kSelectTile = "SELECT width, data FROM tiles WHERE id = ?";
constexpr const char* kSelectCheckpoint = "SELECT note FROM checkpoints WHERE size = ?";
constexpr const char* kSelectMeta = "SELECT value FROM meta WHERE key = ?";
constexpr const char* kInsertMeta = "INSERT INTO meta(key, value) VALUES(?, ?)";

Status SqliteStatus(int rc, sqlite3* db, const std::string& what) {
  std::string message = "sqlite: " + what + ": " +
                        (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + " (" +
                        sqlite3_errstr(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
      return UnavailableError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(message);
    default:
      return InternalError(message);
  }
}

// One connection with its prepared statements.
class Connection {
 public:
  static StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, bool writer,
                                                    int cache_kib) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    auto conn = std::unique_ptr<Connection>(new Connection(db));
    if (rc != SQLITE_OK) return SqliteStatus(rc, db, "cannot open " + path);
    sqlite3_busy_timeout(db, 10'000);
    VOUCH_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size = -" + std::to_string(cache_kib)));
    VOUCH_RETURN_IF_ERROR(conn->Exec("PRAGMA mmap_size = 0"));
    VOUCH_RETURN_IF_ERROR(conn->Exec("PRAGMA trusted_schema = OFF"));
    if (!writer) VOUCH_RETURN_IF_ERROR(conn->Exec("PRAGMA query_only = ON"));
    return conn;
  }

  ~Connection() {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  Status Exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_, sql.substr(0, 60));
    return OkStatus();
  }

  // A reset prepared statement for `sql` (a string constant: cached by address).
  StatusOr<sqlite3_stmt*> Prepare(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "prepare");
    stmts_.emplace(sql, stmt);
    return stmt;
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

// Resets a statement when it goes out of scope, so no read transaction stays open.
class StmtReset {
 public:
  explicit StmtReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtReset() { sqlite3_reset(stmt_); }
  StmtReset(const StmtReset&) = delete;
  StmtReset& operator=(const StmtReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

int BindBlob(sqlite3_stmt* stmt, int i, ByteSpan data) {
  // A zero-length blob must still be a blob, not NULL.
  static const uint8_t kEmpty = 0;
  return sqlite3_bind_blob64(stmt, i, data.empty() ? &kEmpty : data.data(), data.size(),
                             SQLITE_STATIC);
}

int BindText(sqlite3_stmt* stmt, int i, const std::string& text) {
  return sqlite3_bind_text64(stmt, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

ByteSpan ColumnBlob(sqlite3_stmt* stmt, int i) {
  const void* p = sqlite3_column_blob(stmt, i);
  int n = sqlite3_column_bytes(stmt, i);
  if (p == nullptr || n <= 0) return {};
  return ByteSpan(static_cast<const uint8_t*>(p), static_cast<size_t>(n));
}

std::string ColumnText(sqlite3_stmt* stmt, int i) {
  const unsigned char* p = sqlite3_column_text(stmt, i);
  int n = sqlite3_column_bytes(stmt, i);
  if (p == nullptr || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

Status FsyncDirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return UnavailableError("cannot open directory " + dir + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return UnavailableError("cannot fsync directory " + dir + ": " + std::strerror(err));
  return OkStatus();
}

}  // namespace

class SqliteLogStoreImpl {
 public:
  SqliteLogStoreImpl(std::string path, SqliteOptions options)
      : path_(std::move(path)), options_(options) {}

  Status Init() VOUCH_EXCLUDES(writer_mu_) {
    MutexLock lock(&writer_mu_);
    VOUCH_ASSIGN_OR_RETURN(writer_, Connection::Open(path_, true, options_.writer_cache_kib));
    // WAL with synchronous=FULL: every commit fsyncs the WAL before it returns.
    {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare("PRAGMA journal_mode = WAL"));
      StmtReset reset(stmt);
      int rc = sqlite3_step(stmt);
      if (rc != SQLITE_ROW) return SqliteStatus(rc, writer_->db(), "PRAGMA journal_mode");
      if (ColumnText(stmt, 0) != "wal") {
        return UnavailableError("sqlite: cannot switch " + path_ + " to WAL mode (got " +
                                ColumnText(stmt, 0) + ")");
      }
    }
    VOUCH_RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous = FULL"));
    VOUCH_RETURN_IF_ERROR(writer_->Exec("PRAGMA foreign_keys = OFF"));
    VOUCH_RETURN_IF_ERROR(writer_->Exec("PRAGMA wal_autocheckpoint = " +
                                        std::to_string(options_.wal_autocheckpoint_pages)));
    VOUCH_RETURN_IF_ERROR(writer_->Exec("PRAGMA journal_size_limit = 67108864"));
    VOUCH_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = CreateSchemaLocked();
    if (!s.ok()) {
      writer_->Exec("ROLLBACK").IgnoreError();
      return s;
    }
    VOUCH_RETURN_IF_ERROR(writer_->Exec("COMMIT"));
    // The database file's directory entry must be durable too (SQLite syncs the directory for
    // the WAL it creates, not for the main file).
    return FsyncDirectoryOf(path_);
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
    VOUCH_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = WriteMetaLocked("origin", identity.origin);
    if (s.ok()) s = WriteMetaLocked("vkey", identity.vkey);
    if (!s.ok()) {
      writer_->Exec("ROLLBACK").IgnoreError();
      return s;
    }
    return writer_->Exec("COMMIT");
  }

  StatusOr<LogTreeState> ReadState() const {
    return WithReader([&](Connection& c) -> StatusOr<LogTreeState> {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectTree));
      StmtReset reset(stmt);
      int rc = sqlite3_step(stmt);
      LogTreeState state;
      if (rc == SQLITE_DONE) return state;
      if (rc != SQLITE_ROW) return SqliteStatus(rc, c.db(), "read tree state");
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
    VOUCH_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status s = AppendLocked(batch);
    if (!s.ok()) {
      if (!sqlite3_get_autocommit(writer_->db())) writer_->Exec("ROLLBACK").IgnoreError();
      return s;
    }
    // The commit fsyncs the WAL (synchronous=FULL): when it returns OK the batch is durable.
    s = writer_->Exec("COMMIT");
    if (!s.ok() && !sqlite3_get_autocommit(writer_->db())) {
      writer_->Exec("ROLLBACK").IgnoreError();
    }
    return s;
  }

  StatusOr<std::vector<std::optional<uint64_t>>> FindLeafHashes(
      std::span<const tlog::Hash> leaf_hashes) VOUCH_EXCLUDES(writer_mu_) {
    // On the writer connection: the sequencer asks right after its own commits.
    MutexLock lock(&writer_mu_);
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kFindLeafHash));
    std::vector<std::optional<uint64_t>> out;
    out.reserve(leaf_hashes.size());
    for (const tlog::Hash& h : leaf_hashes) {
      sqlite3_reset(stmt);
      BindBlob(stmt, 1, h);
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        out.emplace_back(static_cast<uint64_t>(sqlite3_column_int64(stmt, 0)));
      } else if (rc == SQLITE_DONE) {
        out.emplace_back(std::nullopt);
      } else {
        sqlite3_reset(stmt);
        return SqliteStatus(rc, writer_->db(), "look up leaf hash");
      }
    }
    sqlite3_reset(stmt);
    return out;
  }

  StatusOr<std::vector<Bytes>> ReadEntries(uint64_t begin, uint64_t end) const {
    VOUCH_RETURN_IF_ERROR(ValidateRange(begin, end));
    return WithReader([&](Connection& c) -> StatusOr<std::vector<Bytes>> {
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
    return WithReader([&](Connection& c) -> StatusOr<std::vector<tlog::Hash>> {
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
    if (level > kMaxStoredTileLevel || index >= (uint64_t{1} << 56)) {
      return NotFoundError("tile (level " + std::to_string(level) + ", index " +
                           std::to_string(index) + ") cannot exist");
    }
    return WithReader([&](Connection& c) -> StatusOr<StoredTile> {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectTile));
      StmtReset reset(stmt);
      sqlite3_bind_int64(stmt, 1, TileKey(level, index));
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) {
        return NotFoundError("tile (level " + std::to_string(level) + ", index " +
                             std::to_string(index) + ") is not stored");
      }
      if (rc != SQLITE_ROW) return SqliteStatus(rc, c.db(), "read tile");
      int64_t width = sqlite3_column_int64(stmt, 0);
      if (width < 1 || width > 256) return DataLossError("sqlite: a stored tile width is invalid");
      ByteSpan data = ColumnBlob(stmt, 1);
      return StoredTile{level, index, static_cast<uint16_t>(width),
                        Bytes(data.begin(), data.end())};
    });
  }

  StatusOr<std::string> ReadCheckpoint(uint64_t size) const {
    if (size > INT64_MAX) return NotFoundError("no checkpoint for size " + std::to_string(size));
    return WithReader([&](Connection& c) -> StatusOr<std::string> {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(kSelectCheckpoint));
      StmtReset reset(stmt);
      sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(size));
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) {
        return NotFoundError("no checkpoint was signed for size " + std::to_string(size));
      }
      if (rc != SQLITE_ROW) return SqliteStatus(rc, c.db(), "read checkpoint");
      return ColumnText(stmt, 0);
    });
  }

 private:
  Status CreateSchemaLocked() VOUCH_REQUIRES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(writer_->Exec(kSchema));
    VOUCH_ASSIGN_OR_RETURN(auto version, ReadMetaLocked("schema_version"));
    if (!version.has_value()) {
      return WriteMetaLocked("schema_version", std::to_string(kSchemaVersion));
    }
    if (*version != std::to_string(kSchemaVersion)) {
      return FailedPreconditionError("the database " + path_ + " has schema version " + *version +
                                     "; this program knows version " +
                                     std::to_string(kSchemaVersion));
    }
    return OkStatus();
  }

  StatusOr<std::optional<std::string>> ReadMetaLocked(const std::string& key)
      VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kSelectMeta));
    StmtReset reset(stmt);
    BindText(stmt, 1, key);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return SqliteStatus(rc, writer_->db(), "read meta");
    return std::optional<std::string>(ColumnText(stmt, 0));
  }

  Status WriteMetaLocked(const std::string& key, const std::string& value)
      VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kInsertMeta));
    StmtReset reset(stmt);
    BindText(stmt, 1, key);
    BindText(stmt, 2, value);
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return SqliteStatus(rc, writer_->db(), "write meta");
    return OkStatus();
  }

  Status AppendLocked(const AppendBatch& batch) VOUCH_REQUIRES(writer_mu_) {
    sqlite3* db = writer_->db();
    {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kSelectTreeSize));
      StmtReset reset(stmt);
      int rc = sqlite3_step(stmt);
      uint64_t stored = 0;
      if (rc == SQLITE_ROW) {
        stored = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
      } else if (rc != SQLITE_DONE) {
        return SqliteStatus(rc, db, "read tree size");
      }
      if (stored != batch.old_size) {
        return Status(StatusCode::kAborted, "append batch extends size " +
                                                std::to_string(batch.old_size) +
                                                " but the store holds " + std::to_string(stored));
      }
    }
    {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kInsertEntry));
      for (size_t i = 0; i < batch.entries.size(); ++i) {
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(batch.old_size + i));
        BindBlob(stmt, 2, batch.entries[i].leaf_hash);
        BindBlob(stmt, 3, batch.entries[i].data);
        int rc = sqlite3_step(stmt);
        if (rc != SQLITE_DONE) {
          sqlite3_reset(stmt);
          if ((rc & 0xff) == SQLITE_CONSTRAINT) {
            return AlreadyExistsError("an entry with the leaf hash of new entry " +
                                      std::to_string(batch.old_size + i) + " is already stored");
          }
          return SqliteStatus(rc, db, "insert entry");
        }
      }
      sqlite3_reset(stmt);
    }
    {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kUpsertTile));
      for (const StoredTile& t : batch.tiles) {
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, TileKey(t.level, t.index));
        sqlite3_bind_int(stmt, 2, t.width);
        BindBlob(stmt, 3, t.data);
        int rc = sqlite3_step(stmt);
        if (rc != SQLITE_DONE) {
          sqlite3_reset(stmt);
          return SqliteStatus(rc, db, "write tile");
        }
      }
      sqlite3_reset(stmt);
    }
    {
      Bytes range;
      range.reserve(batch.new_state.range.size() * tlog::kHashSize);
      for (const tlog::Hash& h : batch.new_state.range) ::vouch::Append(range, h);
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kReplaceTree));
      StmtReset reset(stmt);
      sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(batch.new_state.size));
      BindBlob(stmt, 2, range);
      BindText(stmt, 3, batch.new_state.checkpoint);
      int rc = sqlite3_step(stmt);
      if (rc != SQLITE_DONE) return SqliteStatus(rc, db, "write tree state");
    }
    {
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, writer_->Prepare(kReplaceCheckpoint));
      StmtReset reset(stmt);
      sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(batch.new_state.size));
      BindText(stmt, 2, batch.new_state.checkpoint);
      int rc = sqlite3_step(stmt);
      if (rc != SQLITE_DONE) return SqliteStatus(rc, db, "write checkpoint");
    }
    return OkStatus();
  }

  // Calls `row(stmt)` for each row of `sql` (bound to [begin, end)) and checks that the rows
  // are exactly the indices begin, begin + 1, ..., end − 1.
  template <typename Row>
  Status ScanRange(Connection& c, const char* sql, uint64_t begin, uint64_t end, Row&& row) const {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(sql));
    StmtReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(begin));
    sqlite3_bind_int64(stmt, 2, static_cast<int64_t>(end));
    uint64_t next = begin;
    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return SqliteStatus(rc, c.db(), "read entries");
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
  auto WithReader(Fn&& fn) const -> decltype(fn(std::declval<Connection&>())) {
    std::unique_ptr<Connection> conn;
    {
      MutexLock lock(&pool_mu_);
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (conn == nullptr) {
      auto opened = Connection::Open(path_, false, options_.reader_cache_kib);
      if (!opened.ok()) return opened.status();
      conn = std::move(opened).value();
    }
    auto result = fn(*conn);
    MutexLock lock(&pool_mu_);
    if (idle_.size() < static_cast<size_t>(options_.reader_connections)) {
      idle_.push_back(std::move(conn));
    }
    return result;
  }

  const std::string path_;
  const SqliteOptions options_;
  Mutex writer_mu_;
  std::unique_ptr<Connection> writer_ VOUCH_GUARDED_BY(writer_mu_);
  mutable Mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Connection>> idle_ VOUCH_GUARDED_BY(pool_mu_);
};

}  // namespace internal

StatusOr<std::unique_ptr<SqliteLogStore>> SqliteLogStore::Open(const std::string& path,
                                                               SqliteOptions options) {
  auto impl = std::make_unique<internal::SqliteLogStoreImpl>(path, options);
  VOUCH_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<SqliteLogStore>(new SqliteLogStore(std::move(impl)));
}

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
StatusOr<std::string> SqliteLogStore::ReadCheckpoint(uint64_t size) const {
  return impl_->ReadCheckpoint(size);
}

}  // namespace vouch::store

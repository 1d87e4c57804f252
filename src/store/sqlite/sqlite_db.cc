// The SQLite layer shared by the SQLite stores (sqlite_db.h).
#include "store/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vouch::store::internal {

Status SqliteError(int rc, sqlite3* db, std::string_view what) {
  std::string message = "sqlite: " + std::string(what) + ": " +
                        (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + " (" +
                        sqlite3_errstr(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(StatusCode::kUnavailable, std::move(message), "store_busy");
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return Status(StatusCode::kUnavailable, std::move(message), "store_io_error");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status(StatusCode::kUnavailable, std::move(message), "store_read_only");
    case SQLITE_FULL:
      return Status(StatusCode::kResourceExhausted, std::move(message), "store_full");
    case SQLITE_NOMEM:
      return Status(StatusCode::kResourceExhausted, std::move(message), "store_out_of_memory");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(StatusCode::kDataLoss, std::move(message), "store_corrupt");
    case SQLITE_CONSTRAINT:
      return Status(StatusCode::kAlreadyExists, std::move(message), "store_constraint");
    default:
      return InternalError(std::move(message));
  }
}

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                   Mode mode, int cache_kib) {
  const bool writer = mode == Mode::kReadWriteCreate;
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                    (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // The connection owns `db` from here on, even when opening failed (sqlite3_close_v2 frees it).
  auto connection = std::unique_ptr<SqliteConnection>(new SqliteConnection(db));
  if (rc != SQLITE_OK) return SqliteError(rc, db, "cannot open " + path);
  sqlite3_busy_timeout(db, 10'000);
  VOUCH_RETURN_IF_ERROR(connection->Exec("PRAGMA cache_size = -" + std::to_string(cache_kib)));
  VOUCH_RETURN_IF_ERROR(connection->Exec("PRAGMA mmap_size = 0"));
  VOUCH_RETURN_IF_ERROR(connection->Exec("PRAGMA trusted_schema = OFF"));
  if (!writer) VOUCH_RETURN_IF_ERROR(connection->Exec("PRAGMA query_only = ON"));
  return connection;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, text.substr(0, 60));
  return OkStatus();
}

StatusOr<sqlite3_stmt*> SqliteConnection::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, db_, "prepare");
  statements_.emplace(sql, stmt);
  return stmt;
}

Status SqliteConnection::EnableDurableWal(const std::string& path) {
  {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare("PRAGMA journal_mode = WAL"));
    StmtReset reset(stmt);
    const int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) return SqliteError(rc, db_, "PRAGMA journal_mode");
    if (ColumnText(stmt, 0) != "wal") {
      return UnavailableError("sqlite: cannot switch " + path + " to WAL mode (got " +
                              ColumnText(stmt, 0) + ")");
    }
  }
  return Exec("PRAGMA synchronous = FULL");
}

void SqliteConnection::RollBack() {
  if (!sqlite3_get_autocommit(db_)) Exec("ROLLBACK").IgnoreError();
}

int BindBlob(sqlite3_stmt* stmt, int i, ByteSpan data) {
  static const uint8_t kEmpty = 0;
  return sqlite3_bind_blob64(stmt, i, data.empty() ? &kEmpty : data.data(), data.size(),
                             SQLITE_STATIC);
}

int BindText(sqlite3_stmt* stmt, int i, std::string_view text) {
  return sqlite3_bind_text64(stmt, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

ByteSpan ColumnBlob(sqlite3_stmt* stmt, int i) {
  const void* p = sqlite3_column_blob(stmt, i);
  const int n = sqlite3_column_bytes(stmt, i);
  if (p == nullptr || n <= 0) return {};
  return ByteSpan(static_cast<const uint8_t*>(p), static_cast<size_t>(n));
}

std::string ColumnText(sqlite3_stmt* stmt, int i) {
  const unsigned char* p = sqlite3_column_text(stmt, i);
  const int n = sqlite3_column_bytes(stmt, i);
  if (p == nullptr || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

Status StepDone(sqlite3_stmt* stmt, sqlite3* db, std::string_view what) {
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_DONE) return SqliteError(rc, db, what);
  return OkStatus();
}

Status FsyncDirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return UnavailableError("cannot open directory " + dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return UnavailableError("cannot fsync directory " + dir + ": " + std::strerror(err));
  return OkStatus();
}

}  // namespace vouch::store::internal

// The SQLite layer shared by the SQLite stores (sqlite_db.h).
#include "store/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/validate.h"
#include "vouch/store/reasons.h"

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
      return Status(StatusCode::kDataLoss, std::move(message), reasons::kStoreCorrupt);
    case SQLITE_CONSTRAINT:
      return Status(StatusCode::kAlreadyExists, std::move(message), "store_constraint");
    default:
      return InternalError(std::move(message));
  }
}

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                   Mode mode, int cache_kib) {
  const bool writer = mode != Mode::kReadOnly;
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
              (writer ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY);
  if (mode == Mode::kReadWriteCreate) flags |= SQLITE_OPEN_CREATE;
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

const Status& DamageTracker::Observe(const Status& status) {
  if (status.code() != StatusCode::kDataLoss || damaged()) return status;
  MutexLock lock(&mu_);
  if (first_error_.empty()) first_error_ = status.message();
  damaged_.store(true, std::memory_order_release);
  return status;
}

Status DamageTracker::Health() const {
  if (!damaged()) return OkStatus();
  MutexLock lock(&mu_);
  return Status(
      StatusCode::kDataLoss,
      "store damaged: appends stopped (" + first_error_ + "); see docs/log.md, \"Recovery\"",
      reasons::kStoreDamaged);
}

namespace {

struct Deadline {
  const Clock& clock;
  Clock::SteadyTime at;
  bool expired = false;
};

int ProgressHandler(void* arg) {
  auto* d = static_cast<Deadline*>(arg);
  if (d->clock.SteadyNow() >= d->at) d->expired = true;
  return d->expired ? 1 : 0;
}

}  // namespace

Status QuickCheck(SqliteConnection& c, const std::string& path, std::chrono::milliseconds budget,
                  const Clock& clock, const std::function<void(std::string_view)>& warn) {
  if (budget.count() <= 0) return OkStatus();
  Deadline deadline{clock, clock.SteadyNow() + budget};
  sqlite3_progress_handler(c.db(), 1000, &ProgressHandler, &deadline);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(c.db(), "PRAGMA quick_check(20)", -1, &stmt, nullptr);
  std::vector<std::string> problems;
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      std::string line = ColumnText(stmt, 0);
      if (line != "ok") problems.push_back(std::move(line));
    }
  }
  const bool expired = deadline.expired;
  sqlite3_finalize(stmt);
  sqlite3_progress_handler(c.db(), 0, nullptr, nullptr);
  if (expired) {
    if (warn) {
      warn("store: the integrity check (PRAGMA quick_check) of " + path +
           " did not finish within " + std::to_string(budget.count()) +
           " ms; continuing without it");
    }
    return OkStatus();
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, c.db(), "integrity check of " + path);
  if (!problems.empty()) {
    std::string message = "sqlite: " + path + " is damaged (PRAGMA quick_check): ";
    for (size_t i = 0; i < problems.size() && i < 3; ++i) {
      if (i > 0) message += "; ";
      message += problems[i];
    }
    if (problems.size() > 3) message += "; ...";
    return Status(StatusCode::kDataLoss, std::move(message), reasons::kStoreCorrupt);
  }
  return OkStatus();
}

StatusOr<bool> SchemaIsEmpty(SqliteConnection& c) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(c.db(), "SELECT count(*) FROM sqlite_schema", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  const int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) return SqliteError(rc, c.db(), "read schema");
  return n == 0;
}

namespace {

// Each schema object by name: its type and table, and for a table its columns (name, declared
// type, NOT NULL, primary-key position) and whether it is WITHOUT ROWID.
StatusOr<std::map<std::string, std::string>> SchemaDescription(sqlite3* db) {
  static constexpr const char* kObjects =
      "SELECT name, type || ' on ' || tbl_name FROM sqlite_schema ORDER BY name";
  static constexpr const char* kTables =
      "SELECT t.name, CASE t.wr WHEN 1 THEN 'without rowid' ELSE 'rowid' END || ': ' || "
      "group_concat(c.name || ' ' || c.type || ' ' || c.\"notnull\" || ' ' || c.pk, ', ') "
      "FROM pragma_table_list AS t JOIN pragma_table_xinfo(t.name) AS c "
      "WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite_%' "
      "GROUP BY t.name ORDER BY t.name";
  std::map<std::string, std::string> out;
  for (const char* sql : {kObjects, kTables}) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) out[ColumnText(stmt, 0)] += " " + ColumnText(stmt, 1);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return SqliteError(rc, db, "read schema");
  }
  return out;
}

}  // namespace

Status CheckSchema(SqliteConnection& c, const std::string& path, const char* schema_sql) {
  VOUCH_ASSIGN_OR_RETURN(
      auto expected_db,
      SqliteConnection::Open(":memory:", SqliteConnection::Mode::kReadWriteCreate, 64));
  VOUCH_RETURN_IF_ERROR(expected_db->Exec(schema_sql));
  VOUCH_ASSIGN_OR_RETURN(auto expected, SchemaDescription(expected_db->db()));
  VOUCH_ASSIGN_OR_RETURN(auto actual, SchemaDescription(c.db()));
  auto refuse = [&](const std::string& what) {
    return Status(StatusCode::kDataLoss,
                  "sqlite: the schema of " + path + " is damaged: " + what +
                      "; it is refused, never recreated (docs/log.md, \"Recovery\")",
                  reasons::kStoreSchema);
  };
  for (const auto& [name, description] : expected) {
    auto it = actual.find(name);
    if (it == actual.end()) return refuse("\"" + name + "\" is missing");
    if (it->second != description) {
      return refuse("\"" + name + "\" is" + it->second + ", expected" + description);
    }
  }
  for (const auto& [name, description] : actual) {
    if (!expected.contains(name)) return refuse("unexpected \"" + name + "\"");
  }
  return OkStatus();
}

Status CheckStateBeforeOpen(StateKind kind, StateMode mode, const std::string& path,
                            const std::string& anchor_path,
                            const std::optional<StateAnchor>& anchor, bool db_present) {
  const std::string name(StateKindName(kind));
  const auto refuse = [&](StatusCode code, const char* reason, std::string message) {
    return AnchorError(kind, code, reason, std::move(message));
  };
  if (mode == StateMode::kCreate && anchor.has_value()) {
    return Status(StatusCode::kAlreadyExists,
                  "the " + name + " state at " + path + " exists already (its anchor " +
                      anchor_path + " exists); open it without init",
                  reasons::kStateExists);
  }
  if (mode == StateMode::kOpen && !anchor.has_value()) {
    if (db_present) {
      return refuse(StatusCode::kFailedPrecondition, reasons::kStateNotAnchored,
                    "the " + name + " database " + path + " has no state anchor (" + anchor_path +
                        "): a database from an older vouch, or one whose anchor was deleted, is "
                        "refused until it is adopted once, explicitly, with --init");
    }
    return refuse(StatusCode::kFailedPrecondition, reasons::kStateMissing,
                  "there is no " + name + " state at " + path + ": create one with `vouch serve " +
                      name + " --init`");
  }
  if (anchor.has_value() && anchor->kind != kind) {
    return refuse(StatusCode::kDataLoss, reasons::kStateAnchorInvalid,
                  "the state anchor " + anchor_path + " is not a " + name + "'s");
  }
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

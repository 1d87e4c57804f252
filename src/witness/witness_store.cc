#include "vouch/witness/witness_store.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>

namespace vouch::witness {
namespace {

class SqliteWitnessStore : public WitnessStore {
 public:
  explicit SqliteWitnessStore(sqlite3* db) : db_(db) {}
  ~SqliteWitnessStore() override { sqlite3_close_v2(db_); }
  SqliteWitnessStore(const SqliteWitnessStore&) = delete;
  SqliteWitnessStore& operator=(const SqliteWitnessStore&) = delete;

  StatusOr<tlog::WitnessResponse> Update(const std::string& origin,
                                         const Decision& decide) override {
    std::lock_guard lock(mu_);
    // BEGIN IMMEDIATE takes the write lock before reading, so no other writer (thread or
    // process) can interleave between the read and the write.
    VOUCH_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    auto stored = Read(origin);
    if (!stored.ok()) return Rollback(stored.status());
    auto response = decide(*stored);
    if (!response.ok()) return Rollback(response.status());
    if (response->new_state) {
      if (Status s = Write(origin, *response->new_state); !s.ok()) return Rollback(s);
    }
    if (Status s = Exec("COMMIT"); !s.ok()) return Rollback(s);
    return response;
  }

  StatusOr<std::optional<tlog::WitnessState>> Get(const std::string& origin) override {
    std::lock_guard lock(mu_);
    return Read(origin);
  }

 private:
  Status Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      return UnavailableError(std::string("witness store: ") + sql + ": " + message);
    }
    return OkStatus();
  }

  Status Rollback(const Status& cause) {
    Exec("ROLLBACK").IgnoreError();
    return cause;
  }

  StatusOr<std::optional<tlog::WitnessState>> Read(const std::string& origin) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT size, root, note FROM witness_state WHERE origin = ?", -1,
                           &stmt, nullptr) != SQLITE_OK) {
      return UnavailableError(std::string("witness store: ") + sqlite3_errmsg(db_));
    }
    sqlite3_bind_text(stmt, 1, origin.data(), static_cast<int>(origin.size()), SQLITE_TRANSIENT);
    std::optional<tlog::WitnessState> out;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      tlog::WitnessState state;
      state.size = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
      const void* root = sqlite3_column_blob(stmt, 1);
      if (sqlite3_column_bytes(stmt, 1) != static_cast<int>(state.root.size()) || root == nullptr) {
        sqlite3_finalize(stmt);
        return DataLossError("witness store: corrupt root for origin " + origin);
      }
      std::memcpy(state.root.data(), root, state.root.size());
      const unsigned char* note = sqlite3_column_text(stmt, 2);
      state.note.assign(reinterpret_cast<const char*>(note),
                        static_cast<size_t>(sqlite3_column_bytes(stmt, 2)));
      out = std::move(state);
    } else if (rc != SQLITE_DONE) {
      sqlite3_finalize(stmt);
      return UnavailableError(std::string("witness store: ") + sqlite3_errmsg(db_));
    }
    sqlite3_finalize(stmt);
    return out;
  }

  Status Write(const std::string& origin, const tlog::WitnessState& state) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_,
                           "INSERT INTO witness_state (origin, size, root, note) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT(origin) DO UPDATE SET size = excluded.size, "
                           "root = excluded.root, note = excluded.note",
                           -1, &stmt, nullptr) != SQLITE_OK) {
      return UnavailableError(std::string("witness store: ") + sqlite3_errmsg(db_));
    }
    sqlite3_bind_text(stmt, 1, origin.data(), static_cast<int>(origin.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(state.size));
    sqlite3_bind_blob(stmt, 3, state.root.data(), static_cast<int>(state.root.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, state.note.data(), static_cast<int>(state.note.size()),
                      SQLITE_TRANSIENT);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
      return UnavailableError(std::string("witness store: ") + sqlite3_errmsg(db_));
    }
    return OkStatus();
  }

  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace

StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return UnavailableError("cannot open witness store " + path + ": " + message);
  }
  auto store = std::make_unique<SqliteWitnessStore>(db);
  sqlite3_busy_timeout(db, 10000);
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
        "CREATE TABLE IF NOT EXISTS witness_state (origin TEXT PRIMARY KEY, "
        "size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL)"}) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      return UnavailableError("cannot initialise witness store " + path + ": " + message);
    }
  }
  return std::unique_ptr<WitnessStore>(std::move(store));
}

}  // namespace vouch::witness

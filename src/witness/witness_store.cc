#include "vouch/witness/witness_store.h"

#include <sqlite3.h>

#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

namespace vouch::witness {
namespace {

class SqliteWitnessStore : public WitnessStore {
 public:
  explicit SqliteWitnessStore(sqlite3* db) : db_(db) {}
  ~SqliteWitnessStore() override { sqlite3_close_v2(db_); }
  SqliteWitnessStore(const SqliteWitnessStore&) = delete;
  SqliteWitnessStore& operator=(const SqliteWitnessStore&) = delete;

  // Group commit: callers queue their decisions; one of them (the leader) applies every queued
  // decision in arrival order inside one transaction, each seeing the state the previous ones
  // left, commits once, and then answers them all. Atomicity is unchanged (a decision and its
  // write are in the same transaction, before any answer); durable throughput is no longer
  // bounded by one fsync per request.
  StatusOr<tlog::WitnessResponse> Update(const std::string& origin,
                                         const Decision& decide) override {
    Pending pending{origin, &decide, std::nullopt};
    std::unique_lock lock(queue_mu_);
    queue_.push_back(&pending);
    while (!pending.result && leader_active_) done_cv_.wait(lock);
    if (pending.result) return *std::move(pending.result);
    leader_active_ = true;
    std::vector<Pending*> batch;
    batch.swap(queue_);
    lock.unlock();
    ApplyBatch(batch);
    lock.lock();
    leader_active_ = false;
    done_cv_.notify_all();
    return *std::move(pending.result);
  }

  StatusOr<std::optional<tlog::WitnessState>> Get(const std::string& origin) override {
    std::lock_guard lock(mu_);
    return Read(origin);
  }

 private:
  struct Pending {
    std::string origin;
    const Decision* decide;
    std::optional<StatusOr<tlog::WitnessResponse>> result;
  };

  void ApplyBatch(const std::vector<Pending*>& batch) {
    std::lock_guard lock(mu_);
    auto fail_all = [&](const Status& status) {
      Exec("ROLLBACK").IgnoreError();
      for (Pending* p : batch) p->result = status;
    };
    // BEGIN IMMEDIATE takes the write lock before reading, so no other writer (thread or
    // process) can interleave between the reads and the writes.
    if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) {
      for (Pending* p : batch) p->result = s;
      return;
    }
    std::map<std::string, std::optional<tlog::WitnessState>> states;
    std::vector<StatusOr<tlog::WitnessResponse>> responses;
    for (Pending* p : batch) {
      auto it = states.find(p->origin);
      if (it == states.end()) {
        auto stored = Read(p->origin);
        if (!stored.ok()) return fail_all(stored.status());
        it = states.emplace(p->origin, std::move(*stored)).first;
      }
      auto response = (*p->decide)(it->second);
      if (response.ok() && response->new_state) {
        if (Status s = Write(p->origin, *response->new_state); !s.ok()) return fail_all(s);
        it->second = response->new_state;
      }
      responses.push_back(std::move(response));
    }
    if (Status s = Exec("COMMIT"); !s.ok()) return fail_all(s);
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(responses[i]);
  }

  Status Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      return UnavailableError(std::string("witness store: ") + sql + ": " + message);
    }
    return OkStatus();
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
    if (sqlite3_prepare_v2(
            db_,
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

  std::mutex mu_;  // guards db_
  sqlite3* db_;
  std::mutex queue_mu_;
  std::condition_variable done_cv_;
  std::vector<Pending*> queue_;  // guarded by queue_mu_
  bool leader_active_ = false;   // guarded by queue_mu_
};

}  // namespace

StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return UnavailableError("cannot open witness store " + path + ": " + message);
  }
  auto store = std::make_unique<SqliteWitnessStore>(db);
  sqlite3_busy_timeout(db, 10000);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
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

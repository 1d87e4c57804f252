// SQLite WitnessStore with group commit (sqlite_witness_store.h).
#include "vouch/store/sqlite_witness_store.h"

#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "vouch/base/mutex.h"

namespace vouch::store {
namespace {

using internal::SqliteConnection;
using internal::SqliteError;
using internal::StmtReset;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS witness_state (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, "
    "root BLOB NOT NULL, note TEXT NOT NULL)";
constexpr const char* kSelectState = "SELECT size, root, note FROM witness_state WHERE origin = ?";
constexpr const char* kUpsertState =
    "INSERT INTO witness_state (origin, size, root, note) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
    "note = excluded.note";

class SqliteWitnessStore final : public WitnessStore {
 public:
  explicit SqliteWitnessStore(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}

  StatusOr<tlog::WitnessResponse> Update(const std::string& origin, const Decision& decide) override
      VOUCH_EXCLUDES(queue_mu_) {
    Pending pending{origin, &decide, std::nullopt};
    std::vector<Pending*> batch;
    {
      MutexLock lock(&queue_mu_);
      queue_.push_back(&pending);
      while (!pending.result && leader_active_) done_cv_.Wait(&queue_mu_);
      if (pending.result) return *std::move(pending.result);
      // This caller leads: it applies everything queued so far, its own decision included.
      leader_active_ = true;
      batch.swap(queue_);
    }
    std::vector<StatusOr<tlog::WitnessResponse>> results = ApplyBatch(batch);
    MutexLock lock(&queue_mu_);
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
    leader_active_ = false;
    done_cv_.SignalAll();
    return *std::move(pending.result);
  }

  StatusOr<std::optional<tlog::WitnessState>> Get(const std::string& origin) override
      VOUCH_EXCLUDES(db_mu_) {
    MutexLock lock(&db_mu_);
    return ReadLocked(origin);
  }

 private:
  struct Pending {
    std::string origin;
    const Decision* decide;
    std::optional<StatusOr<tlog::WitnessResponse>> result;
  };

  // Applies `batch` in one transaction: the response to each decision, or the transaction's
  // failure for all of them.
  std::vector<StatusOr<tlog::WitnessResponse>> ApplyBatch(const std::vector<Pending*>& batch)
      VOUCH_EXCLUDES(db_mu_) {
    MutexLock lock(&db_mu_);
    std::vector<StatusOr<tlog::WitnessResponse>> responses;
    Status status = db_->Transaction([&] {
      db_mu_.AssertHeld();
      std::map<std::string, std::optional<tlog::WitnessState>> states;
      for (Pending* p : batch) {
        auto it = states.find(p->origin);
        if (it == states.end()) {
          VOUCH_ASSIGN_OR_RETURN(auto stored, ReadLocked(p->origin));
          it = states.emplace(p->origin, std::move(stored)).first;
        }
        auto response = (*p->decide)(it->second);
        if (response.ok() && response->new_state) {
          VOUCH_RETURN_IF_ERROR(WriteLocked(p->origin, *response->new_state));
          it->second = response->new_state;
        }
        responses.push_back(std::move(response));
      }
      return OkStatus();
    });
    if (!status.ok()) responses.assign(batch.size(), status);
    return responses;
  }

  StatusOr<std::optional<tlog::WitnessState>> ReadLocked(const std::string& origin)
      VOUCH_REQUIRES(db_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, db_->Prepare(kSelectState));
    StmtReset reset(stmt);
    internal::BindText(stmt, 1, origin);
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return std::optional<tlog::WitnessState>();
    if (rc != SQLITE_ROW) return SqliteError(rc, db_->db(), "witness store: read");
    tlog::WitnessState state;
    const int64_t size = sqlite3_column_int64(stmt, 0);
    const ByteSpan root = internal::ColumnBlob(stmt, 1);
    if (size < 0 || root.size() != state.root.size()) {
      return DataLossError("witness store: corrupt state for origin " + origin);
    }
    state.size = static_cast<uint64_t>(size);
    std::memcpy(state.root.data(), root.data(), state.root.size());
    state.note = internal::ColumnText(stmt, 2);
    return std::optional<tlog::WitnessState>(std::move(state));
  }

  Status WriteLocked(const std::string& origin, const tlog::WitnessState& state)
      VOUCH_REQUIRES(db_mu_) {
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, db_->Prepare(kUpsertState));
    StmtReset reset(stmt);
    internal::BindText(stmt, 1, origin);
    sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(state.size));
    internal::BindBlob(stmt, 3, state.root);
    internal::BindText(stmt, 4, state.note);
    return internal::StepDone(stmt, db_->db(), "witness store: write");
  }

  Mutex db_mu_;
  const std::unique_ptr<SqliteConnection> db_ VOUCH_PT_GUARDED_BY(db_mu_);
  Mutex queue_mu_;
  CondVar done_cv_;
  std::vector<Pending*> queue_ VOUCH_GUARDED_BY(queue_mu_);
  bool leader_active_ VOUCH_GUARDED_BY(queue_mu_) = false;
};

}  // namespace

StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(
      auto db, SqliteConnection::Open(path, SqliteConnection::Mode::kReadWriteCreate, 2048));
  VOUCH_RETURN_IF_ERROR(db->EnableDurableWal(path));
  VOUCH_RETURN_IF_ERROR(db->Exec(kSchema));
  VOUCH_RETURN_IF_ERROR(internal::FsyncDirectoryOf(path));
  return std::unique_ptr<WitnessStore>(new SqliteWitnessStore(std::move(db)));
}

}  // namespace vouch::store

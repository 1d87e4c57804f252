// SQLite WitnessStore with group commit (sqlite_witness_store.h).
#include "vouch/store/sqlite_witness_store.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/validate.h"
#include "vouch/base/mutex.h"
#include "vouch/store/reasons.h"
#include "vouch/store/state_anchor.h"

namespace vouch::store {
namespace {

using internal::SqliteConnection;
using internal::SqliteError;
using internal::StateMode;
using internal::StmtReset;

// Added for the state anchor; a database of an older vouch gets it when opened by Open (legacy)
// or adopted by CreateState.
constexpr const char* kMetaTable = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";
constexpr const char* kSchema =
    "CREATE TABLE witness_state (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, "
    "root BLOB NOT NULL, note TEXT NOT NULL);"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);";
constexpr const char* kSelectMeta = "SELECT value FROM meta WHERE key = ?";
constexpr const char* kInsertMeta = "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)";
constexpr const char* kSelectAll = "SELECT origin, size, root FROM witness_state";
constexpr const char* kSelectState = "SELECT size, root, note FROM witness_state WHERE origin = ?";
constexpr const char* kUpsertState =
    "INSERT INTO witness_state (origin, size, root, note) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
    "note = excluded.note";

class SqliteWitnessStore final : public WitnessStore {
 public:
  SqliteWitnessStore(std::unique_ptr<SqliteConnection> db, std::string anchor_path,
                     std::optional<StateAnchor> anchor)
      : db_(std::move(db)), anchor_path_(std::move(anchor_path)), anchor_(std::move(anchor)) {}

  Status Health() const override { return damage_.Health(); }

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
    auto result = ReadLocked(origin);
    damage_.Observe(result);
    return result;
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
    // Fail closed: nothing is cosigned from a store that has shown damage.
    if (Status health = damage_.Health(); !health.ok()) {
      responses.assign(batch.size(), health);
      return responses;
    }
    std::map<std::string, AnchoredTree> changed;
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
          const AnchoredTree tree{response->new_state->size, response->new_state->root};
          // Re-cosigning the stored checkpoint changes nothing the anchor records.
          if (anchor_.has_value()) {
            auto anchored = anchor_->trees.find(p->origin);
            if (anchored == anchor_->trees.end() || anchored->second != tree) {
              changed[p->origin] = tree;
            }
          }
        }
        responses.push_back(std::move(response));
      }
      return OkStatus();
    });
    damage_.Observe(status);
    if (status.ok() && anchor_.has_value() && !changed.empty()) {
      // The anchor records every newly cosigned tree before any response is given.
      for (auto& [origin, tree] : changed) anchor_->trees[origin] = tree;
      status = internal::WriteWitnessAnchor(anchor_path_, *anchor_);
    }
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
      return Status(StatusCode::kDataLoss, "witness store: corrupt state for origin " + origin,
                    reasons::kStoreCorrupt);
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
  const std::string anchor_path_;
  std::optional<StateAnchor> anchor_ VOUCH_GUARDED_BY(db_mu_);  // none: unanchored (legacy)
  mutable internal::DamageTracker damage_;
  Mutex queue_mu_;
  CondVar done_cv_;
  std::vector<Pending*> queue_ VOUCH_GUARDED_BY(queue_mu_);
  bool leader_active_ VOUCH_GUARDED_BY(queue_mu_) = false;
};

StatusOr<std::optional<std::string>> ReadMeta(SqliteConnection& db, const std::string& key) {
  VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, db.Prepare(kSelectMeta));
  StmtReset reset(stmt);
  internal::BindText(stmt, 1, key);
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return SqliteError(rc, db.db(), "witness store: read meta");
  return std::optional<std::string>(internal::ColumnText(stmt, 0));
}

Status WriteMeta(SqliteConnection& db, const std::string& key, const std::string& value) {
  VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, db.Prepare(kInsertMeta));
  StmtReset reset(stmt);
  internal::BindText(stmt, 1, key);
  internal::BindText(stmt, 2, value);
  return internal::StepDone(stmt, db.db(), "witness store: write meta");
}

// Every stored (origin, size, root).
StatusOr<std::map<std::string, AnchoredTree>> ReadAll(SqliteConnection& db) {
  VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, db.Prepare(kSelectAll));
  StmtReset reset(stmt);
  std::map<std::string, AnchoredTree> out;
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return SqliteError(rc, db.db(), "witness store: read");
    const int64_t size = sqlite3_column_int64(stmt, 1);
    const ByteSpan root = internal::ColumnBlob(stmt, 2);
    AnchoredTree tree;
    if (size < 0 || root.size() != tree.root.size()) {
      return Status(StatusCode::kDataLoss, "witness store: corrupt state", reasons::kStoreCorrupt);
    }
    tree.size = static_cast<uint64_t>(size);
    std::memcpy(tree.root.data(), root.data(), tree.root.size());
    out.emplace(internal::ColumnText(stmt, 0), tree);
  }
  return out;
}

std::function<void(std::string_view)> Warner(const SqliteOptions& options) {
  if (options.warn) return options.warn;
  return [](std::string_view line) {
    std::fprintf(stderr, "vouch: %.*s\n", static_cast<int>(line.size()), line.data());
  };
}

StatusOr<std::unique_ptr<WitnessStore>> OpenWitness(const std::string& path,
                                                    const SqliteOptions& options, StateMode mode) {
  if (options.clock == nullptr) return InvalidArgumentError("SqliteOptions: no clock");
  const std::string anchor_path = StateAnchorPathFor(path);
  VOUCH_ASSIGN_OR_RETURN(std::optional<StateAnchor> anchor, ReadStateAnchor(anchor_path));
  struct stat st {};
  const bool db_present = ::stat(path.c_str(), &st) == 0 && st.st_size > 0;
  VOUCH_RETURN_IF_ERROR(internal::CheckStateBeforeOpen(StateKind::kWitness, mode, path, anchor_path,
                                                       anchor, db_present));
  if (anchor.has_value()) {
    mode = StateMode::kOpen;
    if (!db_present) {
      return internal::AnchorError(StateKind::kWitness, StatusCode::kDataLoss, reasons::kStateLost,
                                   "the witness database " + path +
                                       " is missing or empty, but this " +
                                       "witness has state (anchor " + anchor_path + ", " +
                                       std::to_string(anchor->trees.size()) +
                                       " logs cosigned): restore the database from backup");
    }
  }
  VOUCH_ASSIGN_OR_RETURN(
      auto db,
      SqliteConnection::Open(path,
                             mode == StateMode::kOpen ? SqliteConnection::Mode::kReadWrite
                                                      : SqliteConnection::Mode::kReadWriteCreate,
                             2048));
  VOUCH_RETURN_IF_ERROR(db->EnableDurableWal(path));
  if (db_present) {
    VOUCH_RETURN_IF_ERROR(internal::QuickCheck(*db, path, options.quick_check_budget,
                                               *options.clock, Warner(options)));
  }
  VOUCH_ASSIGN_OR_RETURN(const bool empty, internal::SchemaIsEmpty(*db));
  if (empty) {
    if (mode == StateMode::kOpen) {
      return internal::AnchorError(StateKind::kWitness, StatusCode::kDataLoss, reasons::kStateLost,
                                   "the witness database " + path +
                                       " is empty, but this witness has "
                                       "state (anchor " +
                                       anchor_path + "): restore it from backup");
    }
    VOUCH_ASSIGN_OR_RETURN(std::string id, NewStateId());
    Status created = db->Transaction([&] {
      VOUCH_RETURN_IF_ERROR(db->Exec(kSchema));
      return WriteMeta(*db, "state_id", id);
    });
    VOUCH_RETURN_IF_ERROR(created);
  } else {
    if (mode != StateMode::kOpen) {
      // A database of an older vouch: only witness_state; give it the meta table.
      sqlite3_stmt* stmt = nullptr;
      int rc = sqlite3_prepare_v2(
          db->db(), "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'", -1,
          &stmt, nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
      const bool has_meta = rc == SQLITE_ROW && sqlite3_column_int64(stmt, 0) > 0;
      sqlite3_finalize(stmt);
      if (rc != SQLITE_ROW) return SqliteError(rc, db->db(), "witness store: read schema");
      if (!has_meta) VOUCH_RETURN_IF_ERROR(db->Exec(kMetaTable));
    }
    VOUCH_RETURN_IF_ERROR(internal::CheckSchema(*db, path, kSchema));
  }
  VOUCH_RETURN_IF_ERROR(internal::FsyncDirectoryOf(path));
  if (mode == StateMode::kCreate) {
    StateAnchor created;
    created.kind = StateKind::kWitness;
    VOUCH_ASSIGN_OR_RETURN(auto id, ReadMeta(*db, "state_id"));
    if (id.has_value()) {
      created.state_id = *id;
    } else {
      VOUCH_ASSIGN_OR_RETURN(created.state_id, NewStateId());
      VOUCH_RETURN_IF_ERROR(WriteMeta(*db, "state_id", created.state_id));
    }
    VOUCH_ASSIGN_OR_RETURN(created.trees, ReadAll(*db));
    VOUCH_RETURN_IF_ERROR(WriteStateAnchor(anchor_path, created));
    anchor = std::move(created);
  } else if (mode == StateMode::kOpen) {
    VOUCH_ASSIGN_OR_RETURN(auto id, ReadMeta(*db, "state_id"));
    VOUCH_ASSIGN_OR_RETURN(auto stored, ReadAll(*db));
    VOUCH_RETURN_IF_ERROR(CheckWitnessAgainstAnchor("the witness database " + path, id, stored,
                                                    anchor_path, *anchor));
  }
  return std::unique_ptr<WitnessStore>(
      new SqliteWitnessStore(std::move(db), anchor_path, std::move(anchor)));
}

}  // namespace

StatusOr<std::unique_ptr<WitnessStore>> CreateSqliteWitnessState(const std::string& path,
                                                                 const SqliteOptions& options) {
  return OpenWitness(path, options, StateMode::kCreate);
}

StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessState(const std::string& path,
                                                               const SqliteOptions& options) {
  return OpenWitness(path, options, StateMode::kOpen);
}

StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(const std::string& path,
                                                               const SqliteOptions& options) {
  return OpenWitness(path, options, StateMode::kLegacy);
}

}  // namespace vouch::store

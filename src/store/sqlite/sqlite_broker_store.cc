// SQLite BrokerStore (broker_store.h): one database in WAL mode; releases are written through a
// connection with synchronous=FULL (durable at commit), refusals through a second one with
// synchronous=NORMAL (durable at the next WAL checkpoint: best effort, no fsync per refusal, so
// a flood of bad requests costs the disk nothing extra).
#include "vouch/store/sqlite_broker_store.h"

#include <algorithm>
#include <utility>

#include "store/sqlite/sqlite_db.h"
#include "store/validate.h"
#include "vouch/base/mutex.h"
#include "vouch/store/reasons.h"

namespace vouch::store {
namespace {

using internal::BindBlob;
using internal::BindText;
using internal::ColumnBlob;
using internal::ColumnText;
using internal::SqliteConnection;
using internal::SqliteError;
using internal::StepDone;
using internal::StmtReset;

constexpr int kCacheKib = 2 * 1024;
constexpr const char* kBrokerSchema =
    "CREATE TABLE releases (release_id BLOB PRIMARY KEY, envelope_id BLOB NOT NULL, "
    "time INTEGER NOT NULL, log_index INTEGER NOT NULL, leaf_hash BLOB NOT NULL, "
    "mrenclave BLOB NOT NULL, quote BLOB);"
    "CREATE INDEX releases_time ON releases (time);"
    "CREATE INDEX releases_evidence ON releases (time) WHERE quote IS NOT NULL;"
    "CREATE TABLE refusals (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, code TEXT NOT NULL, "
    "envelope_id BLOB, remote_address TEXT NOT NULL);"
    "CREATE INDEX refusals_time ON refusals (time);";
constexpr const char* kInsertRelease =
    "INSERT INTO releases (release_id, envelope_id, time, log_index, leaf_hash, mrenclave, quote) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kInsertRefusal =
    "INSERT INTO refusals (time, code, envelope_id, remote_address) VALUES (?, ?, ?, ?)";
constexpr const char* kPruneRefusalsByAge = "DELETE FROM refusals WHERE time < ?";
constexpr const char* kPruneRefusalsByCount =
    "DELETE FROM refusals WHERE id <= (SELECT max(id) FROM refusals) - ?";
constexpr const char* kDropEvidence =
    "UPDATE releases SET quote = NULL WHERE time < ? AND quote IS NOT NULL";
constexpr const char* kSelectReleases =
    "SELECT release_id, envelope_id, time, log_index, leaf_hash, mrenclave, quote FROM releases "
    "ORDER BY time DESC, rowid DESC LIMIT ?";
constexpr const char* kSelectRefusals =
    "SELECT time, code, envelope_id, remote_address FROM refusals ORDER BY time DESC, id DESC "
    "LIMIT ?";

template <size_t N>
bool ColumnArray(sqlite3_stmt* stmt, int i, std::array<uint8_t, N>* out) {
  ByteSpan b = ColumnBlob(stmt, i);
  if (b.size() != N) return false;
  std::copy(b.begin(), b.end(), out->begin());
  return true;
}

Status Damaged(const char* table) {
  return Status(StatusCode::kDataLoss,
                std::string("broker store: a row of ") + table + " has a wrong-sized column",
                reasons::kStoreCorrupt);
}

// The rows of `sql` on `c`, its one parameter the most rows to read (`limit`), each read by
// `read_row` (a StatusOr<Row> from the statement at that row). `what` names the read in errors.
template <typename Row, typename ReadRow>
StatusOr<std::vector<Row>> ReadRows(SqliteConnection& c, const char* sql, size_t limit,
                                    std::string_view what, const ReadRow& read_row) {
  VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, c.Prepare(sql));
  StmtReset reset(stmt);
  sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<Row> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    VOUCH_ASSIGN_OR_RETURN(Row row, read_row(stmt));
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, c.db(), what);
  return out;
}

// A row of kSelectReleases.
StatusOr<BrokerRelease> ReleaseAt(sqlite3_stmt* stmt) {
  BrokerRelease r;
  if (!ColumnArray(stmt, 0, &r.release_id) || !ColumnArray(stmt, 1, &r.envelope_id) ||
      !ColumnArray(stmt, 4, &r.leaf_hash) || !ColumnArray(stmt, 5, &r.mrenclave)) {
    return Damaged("releases");
  }
  r.time = sqlite3_column_int64(stmt, 2);
  r.log_index = static_cast<uint64_t>(sqlite3_column_int64(stmt, 3));
  ByteSpan quote = ColumnBlob(stmt, 6);
  r.quote.assign(quote.begin(), quote.end());
  return r;
}

// A row of kSelectRefusals.
StatusOr<BrokerRefusal> RefusalAt(sqlite3_stmt* stmt) {
  BrokerRefusal r;
  r.time = sqlite3_column_int64(stmt, 0);
  r.code = ColumnText(stmt, 1);
  if (sqlite3_column_type(stmt, 2) != SQLITE_NULL) {
    Id16 id{};
    if (!ColumnArray(stmt, 2, &id)) return Damaged("refusals");
    r.envelope_id = id;
  }
  r.remote_address = ColumnText(stmt, 3);
  return r;
}

class SqliteBrokerStore final : public BrokerStore {
 public:
  SqliteBrokerStore(std::unique_ptr<SqliteConnection> durable,
                    std::unique_ptr<SqliteConnection> lazy, BrokerStoreOptions options)
      : durable_(std::move(durable)), lazy_(std::move(lazy)), options_(options) {}

  Status AddRelease(const BrokerRelease& r) override VOUCH_EXCLUDES(mu_) {
    VOUCH_RETURN_IF_ERROR(internal::ValidateRelease(r));
    MutexLock lock(&mu_);
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, durable_->Prepare(kInsertRelease));
    StmtReset reset(stmt);
    BindBlob(stmt, 1, r.release_id);
    BindBlob(stmt, 2, r.envelope_id);
    sqlite3_bind_int64(stmt, 3, r.time);
    sqlite3_bind_int64(stmt, 4, static_cast<int64_t>(r.log_index));
    BindBlob(stmt, 5, r.leaf_hash);
    BindBlob(stmt, 6, r.mrenclave);
    if (r.quote.empty()) {
      sqlite3_bind_null(stmt, 7);
    } else {
      BindBlob(stmt, 7, r.quote);
    }
    return StepDone(stmt, durable_->db(), "broker store: add a release");
  }

  Status AddRefusal(const BrokerRefusal& r) override VOUCH_EXCLUDES(mu_) {
    VOUCH_RETURN_IF_ERROR(internal::ValidateRefusal(r));
    MutexLock lock(&mu_);
    return lazy_->Transaction([&]() -> Status {
      mu_.AssertHeld();
      {
        VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, lazy_->Prepare(kInsertRefusal));
        StmtReset reset(stmt);
        sqlite3_bind_int64(stmt, 1, r.time);
        BindText(stmt, 2, r.code);
        if (r.envelope_id) {
          BindBlob(stmt, 3, *r.envelope_id);
        } else {
          sqlite3_bind_null(stmt, 3);
        }
        BindText(stmt, 4, r.remote_address);
        VOUCH_RETURN_IF_ERROR(StepDone(stmt, lazy_->db(), "broker store: add a refusal"));
      }
      {
        VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, lazy_->Prepare(kPruneRefusalsByAge));
        StmtReset reset(stmt);
        sqlite3_bind_int64(stmt, 1, r.time - options_.refusal_retention);
        VOUCH_RETURN_IF_ERROR(StepDone(stmt, lazy_->db(), "broker store: prune refusals"));
      }
      VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, lazy_->Prepare(kPruneRefusalsByCount));
      StmtReset reset(stmt);
      sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(options_.max_refusals));
      return StepDone(stmt, lazy_->db(), "broker store: prune refusals");
    });
  }

  StatusOr<uint64_t> DropEvidenceBefore(UnixSeconds before) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    VOUCH_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, durable_->Prepare(kDropEvidence));
    StmtReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, before);
    VOUCH_RETURN_IF_ERROR(StepDone(stmt, durable_->db(), "broker store: drop evidence"));
    return static_cast<uint64_t>(sqlite3_changes64(durable_->db()));
  }

  StatusOr<std::vector<BrokerRelease>> Releases(size_t limit) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return ReadRows<BrokerRelease>(*durable_, kSelectReleases, limit, "broker store: read releases",
                                   ReleaseAt);
  }

  StatusOr<std::vector<BrokerRefusal>> Refusals(size_t limit) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return ReadRows<BrokerRefusal>(*lazy_, kSelectRefusals, limit, "broker store: read refusals",
                                   RefusalAt);
  }

 private:
  Mutex mu_;
  std::unique_ptr<SqliteConnection> durable_ VOUCH_PT_GUARDED_BY(mu_);
  std::unique_ptr<SqliteConnection> lazy_ VOUCH_PT_GUARDED_BY(mu_);
  const BrokerStoreOptions options_;
};

}  // namespace

StatusOr<std::unique_ptr<BrokerStore>> OpenSqliteBrokerStore(const std::string& path,
                                                             const BrokerStoreOptions& options) {
  if (options.max_refusals == 0 || options.refusal_retention <= 0) {
    return InvalidArgumentError("broker store: max_refusals and refusal_retention must be > 0");
  }
  VOUCH_ASSIGN_OR_RETURN(
      auto durable,
      SqliteConnection::Open(path, SqliteConnection::Mode::kReadWriteCreate, kCacheKib));
  VOUCH_RETURN_IF_ERROR(durable->EnableDurableWal(path));
  VOUCH_ASSIGN_OR_RETURN(const bool empty, internal::SchemaIsEmpty(*durable));
  if (empty) {
    VOUCH_RETURN_IF_ERROR(durable->Transaction([&] { return durable->Exec(kBrokerSchema); }));
    VOUCH_RETURN_IF_ERROR(internal::FsyncDirectoryOf(path));
  } else {
    VOUCH_RETURN_IF_ERROR(internal::CheckSchema(*durable, path, kBrokerSchema));
  }
  VOUCH_ASSIGN_OR_RETURN(
      auto lazy, SqliteConnection::Open(path, SqliteConnection::Mode::kReadWrite, kCacheKib));
  VOUCH_RETURN_IF_ERROR(lazy->Exec("PRAGMA synchronous=NORMAL"));
  return std::unique_ptr<BrokerStore>(
      new SqliteBrokerStore(std::move(durable), std::move(lazy), options));
}

}  // namespace vouch::store

// The witness state on PostgreSQL (postgres_witness_store.h).
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/validate.h"
#include "vouch/base/mutex.h"
#include "vouch/store/postgres_witness_store.h"
#include "vouch/store/reasons.h"
#include "vouch/store/state_anchor.h"

namespace vouch::store {
namespace {

using internal::PgBytea;
using internal::PgConnection;
using internal::PgRows;
using internal::PgSchema;

constexpr int kWitnessSchemaVersion = 1;
constexpr const char* kWitnessTables =
    "CREATE TABLE vouch_witness.meta (key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE vouch_witness.witness_state (origin text PRIMARY KEY, "
    "size bigint NOT NULL CHECK (size >= 0), root bytea NOT NULL, checkpoint text NOT NULL);";
// The columns of schema version 1, as information_schema lists them (table, column, type).
constexpr const char* kWitnessExpectedColumns[][3] = {
    {"meta", "key", "text"},
    {"meta", "value", "text"},
    {"schema_version", "version", "integer"},
    {"witness_state", "checkpoint", "text"},
    {"witness_state", "origin", "text"},
    {"witness_state", "root", "bytea"},
    {"witness_state", "size", "bigint"},
};
constexpr const char* kSelectState =
    "SELECT size, root, checkpoint FROM vouch_witness.witness_state WHERE origin = $1";
constexpr const char* kSelectAll = "SELECT origin, size, root FROM vouch_witness.witness_state";
constexpr const char* kUpdateState =
    "UPDATE vouch_witness.witness_state SET size = $2, root = $3, checkpoint = $4 "
    "WHERE origin = $1 AND size = $5 AND root = $6";
constexpr const char* kInsertState =
    "INSERT INTO vouch_witness.witness_state (origin, size, root, checkpoint) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (origin) DO NOTHING";
// How often an update re-reads and decides again when other processes keep changing the row.
constexpr int kMaxAttempts = 16;

Status Corrupt(const std::string& what) {
  return Status(StatusCode::kDataLoss, "witness store: corrupt state " + what,
                reasons::kStoreCorrupt);
}

// A stored (size, root) pair at `row` of `rows`, columns `size_column` and `size_column + 1`.
StatusOr<AnchoredTree> TreeAt(const PgRows& rows, int row, int size_column) {
  VOUCH_ASSIGN_OR_RETURN(int64_t size, rows.Int(row, size_column));
  VOUCH_ASSIGN_OR_RETURN(Bytes root, rows.Bytea(row, size_column + 1));
  AnchoredTree tree;
  if (size < 0 || root.size() != tree.root.size()) return Corrupt("(size or root)");
  tree.size = static_cast<uint64_t>(size);
  std::memcpy(tree.root.data(), root.data(), tree.root.size());
  return tree;
}

class PostgresWitnessStore final : public WitnessStore {
 public:
  PostgresWitnessStore(std::unique_ptr<PgConnection> db, std::string anchor_path,
                       StateAnchor anchor)
      : db_(std::move(db)), anchor_path_(std::move(anchor_path)), anchor_(std::move(anchor)) {}

  Status Health() const override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return damage_;
  }

  StatusOr<tlog::WitnessResponse> Update(const std::string& origin, const Decision& decide) override
      VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    // Fail closed: nothing is cosigned from a store that has shown damage.
    VOUCH_RETURN_IF_ERROR(damage_);
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      VOUCH_ASSIGN_OR_RETURN(std::optional<tlog::WitnessState> stored, ReadLocked(origin));
      StatusOr<tlog::WitnessResponse> response = decide(stored);
      if (!response.ok() || !response->new_state) return response;
      VOUCH_ASSIGN_OR_RETURN(const bool written,
                             CompareAndSetLocked(origin, stored, *response->new_state));
      if (!written) continue;  // another process changed the row: read and decide again
      VOUCH_RETURN_IF_ERROR(AnchorLocked(origin, *response->new_state));
      return response;
    }
    return Status(StatusCode::kAborted,
                  "witness store: the state of " + origin +
                      " kept changing under concurrent updates; try again",
                  "store_conflict");
  }

  StatusOr<std::optional<tlog::WitnessState>> Get(const std::string& origin) override
      VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return ReadLocked(origin);
  }

 private:
  StatusOr<std::optional<tlog::WitnessState>> ReadLocked(const std::string& origin)
      VOUCH_REQUIRES(mu_) {
    auto rows = db_->Query(kSelectState, {origin}, "witness store: read");
    if (!rows.ok()) return Observe(rows.status());
    if (rows->rows() == 0) return std::optional<tlog::WitnessState>();
    auto tree = TreeAt(*rows, 0, 0);
    if (!tree.ok()) return Observe(Corrupt("for origin " + origin));
    tlog::WitnessState state;
    state.size = tree->size;
    state.root = tree->root;
    state.note = rows->Text(0, 2);
    return std::optional<tlog::WitnessState>(std::move(state));
  }

  // Writes `next` if the row still holds `stored` (no row when nullopt). One statement, one
  // durable commit. false when the row changed meanwhile.
  StatusOr<bool> CompareAndSetLocked(const std::string& origin,
                                     const std::optional<tlog::WitnessState>& stored,
                                     const tlog::WitnessState& next) VOUCH_REQUIRES(mu_) {
    std::vector<internal::PgParam> params = {origin, std::to_string(next.size), PgBytea(next.root),
                                             next.note};
    if (stored) {
      params.push_back(std::to_string(stored->size));
      params.push_back(PgBytea(stored->root));
    }
    auto rows = db_->Query(stored ? kUpdateState : kInsertState, params, "witness store: write");
    if (!rows.ok()) return Observe(rows.status());
    return rows->affected() == 1;
  }

  // Records a newly cosigned tree in the anchor before it is returned.
  Status AnchorLocked(const std::string& origin, const tlog::WitnessState& state)
      VOUCH_REQUIRES(mu_) {
    const AnchoredTree tree{state.size, state.root};
    auto anchored = anchor_.trees.find(origin);
    // Re-cosigning the stored checkpoint changes nothing the anchor records.
    if (anchored != anchor_.trees.end() && anchored->second == tree) return OkStatus();
    anchor_.trees[origin] = tree;
    return internal::WriteWitnessAnchor(anchor_path_, anchor_);
  }

  // Remembers damage (kDataLoss): from then on, updates are refused.
  Status Observe(Status status) VOUCH_REQUIRES(mu_) {
    if (status.code() == StatusCode::kDataLoss && damage_.ok()) {
      damage_ = Status(StatusCode::kDataLoss,
                       "store damaged: updates stopped (" + status.message() +
                           "); see docs/witness.md, \"Recovery\"",
                       reasons::kStoreDamaged);
    }
    return status;
  }

  mutable Mutex mu_;
  const std::unique_ptr<PgConnection> db_ VOUCH_PT_GUARDED_BY(mu_);
  const std::string anchor_path_;
  StateAnchor anchor_ VOUCH_GUARDED_BY(mu_);
  Status damage_ VOUCH_GUARDED_BY(mu_);
};

constexpr PgSchema kWitnessSchema{"vouch_witness", "witness", kWitnessSchemaVersion,
                                  kWitnessExpectedColumns, "docs/witness.md, \"Recovery\""};

StatusOr<std::map<std::string, AnchoredTree>> ReadAll(PgConnection& db) {
  VOUCH_ASSIGN_OR_RETURN(PgRows rows, db.Query(kSelectAll, {}, "witness store: read"));
  std::map<std::string, AnchoredTree> out;
  for (int i = 0; i < rows.rows(); ++i) {
    VOUCH_ASSIGN_OR_RETURN(AnchoredTree tree, TreeAt(rows, i, 1));
    out.emplace(rows.Text(i, 0), tree);
  }
  return out;
}

StatusOr<std::optional<std::string>> ReadStateId(PgConnection& db) {
  VOUCH_ASSIGN_OR_RETURN(PgRows rows,
                         db.Query("SELECT value FROM vouch_witness.meta WHERE key = 'state_id'", {},
                                  "witness store: read meta"));
  if (rows.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.Text(0, 0));
}

StatusOr<std::unique_ptr<WitnessStore>> OpenState(const std::string& uri,
                                                  const std::string& anchor_path, bool create) {
  VOUCH_ASSIGN_OR_RETURN(std::optional<StateAnchor> anchor, ReadStateAnchor(anchor_path));
  const std::string display = internal::RedactPgUri(uri);
  if (create && anchor.has_value()) {
    return Status(StatusCode::kAlreadyExists,
                  "the witness state exists already (its anchor " + anchor_path +
                      " exists); open it without --init",
                  reasons::kStateExists);
  }
  if (!create && !anchor.has_value()) {
    return internal::AnchorError(
        StateKind::kWitness, StatusCode::kFailedPrecondition, reasons::kStateMissing,
        "there is no witness state anchored at " + anchor_path +
            ": create one with `vouch serve witness --init --store " + display + "`");
  }
  if (anchor.has_value() && anchor->kind != StateKind::kWitness) {
    return internal::AnchorError(StateKind::kWitness, StatusCode::kDataLoss,
                                 reasons::kStateAnchorInvalid,
                                 "the state anchor " + anchor_path + " is not a witness's");
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> db, PgConnection::Open(uri));
  VOUCH_ASSIGN_OR_RETURN(const bool exists, HasSchema(*db, kWitnessSchema));
  if (create) {
    if (exists) {
      return Status(StatusCode::kAlreadyExists,
                    display +
                        " already holds a witness state (schema vouch_witness) that is "
                        "not anchored at " +
                        anchor_path +
                        ": open it where its anchor is, or drop the schema to start anew",
                    reasons::kStateExists);
    }
    StateAnchor created;
    created.kind = StateKind::kWitness;
    VOUCH_ASSIGN_OR_RETURN(created.state_id, NewStateId());
    const Status schema_created = db->Transaction([&] {
      VOUCH_RETURN_IF_ERROR(
          CreateSchema(*db, kWitnessSchema, kWitnessTables, "witness store: create the schema"));
      return db
          ->Query("INSERT INTO vouch_witness.meta (key, value) VALUES ('state_id', $1)",
                  {created.state_id}, "witness store: write meta")
          .status();
    });
    VOUCH_RETURN_IF_ERROR(schema_created);
    VOUCH_RETURN_IF_ERROR(WriteStateAnchor(anchor_path, created));
    return std::unique_ptr<WitnessStore>(
        new PostgresWitnessStore(std::move(db), anchor_path, std::move(created)));
  }
  if (!exists) {
    return internal::AnchorError(StateKind::kWitness, StatusCode::kDataLoss, reasons::kStateLost,
                                 display +
                                     " holds no witness state (schema vouch_witness), but this "
                                     "witness has state (anchor " +
                                     anchor_path + ", " + std::to_string(anchor->trees.size()) +
                                     " logs cosigned): restore the database from backup");
  }
  VOUCH_RETURN_IF_ERROR(CheckSchema(*db, kWitnessSchema));
  VOUCH_ASSIGN_OR_RETURN(std::optional<std::string> id, ReadStateId(*db));
  VOUCH_ASSIGN_OR_RETURN(auto stored, ReadAll(*db));
  VOUCH_RETURN_IF_ERROR(CheckWitnessAgainstAnchor("the witness database " + display, id, stored,
                                                  anchor_path, *anchor));
  return std::unique_ptr<WitnessStore>(
      new PostgresWitnessStore(std::move(db), anchor_path, *std::move(anchor)));
}

}  // namespace

StatusOr<std::unique_ptr<WitnessStore>> CreatePostgresWitnessState(const std::string& uri,
                                                                   const std::string& anchor_path) {
  return OpenState(uri, anchor_path, /*create=*/true);
}

StatusOr<std::unique_ptr<WitnessStore>> OpenPostgresWitnessState(const std::string& uri,
                                                                 const std::string& anchor_path) {
  return OpenState(uri, anchor_path, /*create=*/false);
}

}  // namespace vouch::store

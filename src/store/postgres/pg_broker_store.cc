// The broker's bookkeeping on PostgreSQL (postgres_broker_store.h).
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/validate.h"
#include "vouch/base/mutex.h"
#include "vouch/store/postgres_broker_store.h"
#include "vouch/store/reasons.h"
#include "vouch/store/shared_nonces.h"

namespace vouch::store {
namespace {

using internal::PgBytea;
using internal::PgConnection;
using internal::PgParam;
using internal::PgRows;
using internal::PgSchema;

constexpr int kBrokerSchemaVersion = 1;
constexpr const char* kBrokerTables =
    "CREATE TABLE vouch_broker.releases (release_id bytea PRIMARY KEY, seq bigserial NOT NULL, "
    "envelope_id bytea NOT NULL, time bigint NOT NULL, log_index bigint NOT NULL, "
    "leaf_hash bytea NOT NULL, mrenclave bytea NOT NULL, quote bytea);"
    "CREATE INDEX releases_time ON vouch_broker.releases (time);"
    "CREATE INDEX releases_evidence ON vouch_broker.releases (time) WHERE quote IS NOT NULL;"
    "CREATE TABLE vouch_broker.refusals (id bigserial PRIMARY KEY, time bigint NOT NULL, "
    "code text NOT NULL, envelope_id bytea, remote_address text NOT NULL);"
    "CREATE INDEX refusals_time ON vouch_broker.refusals (time);";
constexpr const char* kBrokerExpectedColumns[][3] = {
    {"refusals", "code", "text"},        {"refusals", "envelope_id", "bytea"},
    {"refusals", "id", "bigint"},        {"refusals", "remote_address", "text"},
    {"refusals", "time", "bigint"},      {"releases", "envelope_id", "bytea"},
    {"releases", "leaf_hash", "bytea"},  {"releases", "log_index", "bigint"},
    {"releases", "mrenclave", "bytea"},  {"releases", "quote", "bytea"},
    {"releases", "release_id", "bytea"}, {"releases", "seq", "bigint"},
    {"releases", "time", "bigint"},      {"schema_version", "version", "integer"},
};
constexpr PgSchema kBrokerSchema{"vouch_broker", "broker", kBrokerSchemaVersion,
                                 kBrokerExpectedColumns, "docs/broker.md, \"State\""};

constexpr const char* kInsertRelease =
    "INSERT INTO vouch_broker.releases (release_id, envelope_id, time, log_index, leaf_hash, "
    "mrenclave, quote) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (release_id) DO NOTHING";
constexpr const char* kInsertRefusal =
    "INSERT INTO vouch_broker.refusals (time, code, envelope_id, remote_address) "
    "VALUES ($1, $2, $3, $4)";
constexpr const char* kPruneRefusalsByAge = "DELETE FROM vouch_broker.refusals WHERE time < $1";
constexpr const char* kPruneRefusalsByCount =
    "DELETE FROM vouch_broker.refusals WHERE id <= (SELECT max(id) FROM vouch_broker.refusals) - "
    "$1";
constexpr const char* kDropEvidence =
    "UPDATE vouch_broker.releases SET quote = NULL WHERE time < $1 AND quote IS NOT NULL";
constexpr const char* kSelectReleases =
    "SELECT release_id, envelope_id, time, log_index, leaf_hash, mrenclave, quote "
    "FROM vouch_broker.releases ORDER BY time DESC, seq DESC LIMIT $1";
constexpr const char* kSelectRefusals =
    "SELECT time, code, envelope_id, remote_address FROM vouch_broker.refusals "
    "ORDER BY time DESC, id DESC LIMIT $1";

template <size_t N>
StatusOr<std::array<uint8_t, N>> ArrayAt(const PgRows& rows, int row, int column) {
  VOUCH_ASSIGN_OR_RETURN(Bytes b, rows.Bytea(row, column));
  if (b.size() != N) {
    return Status(StatusCode::kDataLoss, "broker store: a column has the wrong size",
                  reasons::kStoreCorrupt);
  }
  std::array<uint8_t, N> out{};
  std::memcpy(out.data(), b.data(), N);
  return out;
}

std::string Limit(size_t limit) {
  return std::to_string(std::min<size_t>(limit, static_cast<size_t>(INT64_MAX)));
}

class PostgresBrokerStore final : public BrokerStore {
 public:
  PostgresBrokerStore(std::unique_ptr<PgConnection> db, BrokerStoreOptions options)
      : db_(std::move(db)), options_(options) {}

  Status AddRelease(const BrokerRelease& r) override VOUCH_EXCLUDES(mu_) {
    VOUCH_RETURN_IF_ERROR(internal::ValidateRelease(r));
    MutexLock lock(&mu_);
    VOUCH_ASSIGN_OR_RETURN(
        PgRows added,
        db_->Query(kInsertRelease,
                   {PgBytea(r.release_id), PgBytea(r.envelope_id), std::to_string(r.time),
                    std::to_string(r.log_index), PgBytea(r.leaf_hash), PgBytea(r.mrenclave),
                    r.quote.empty() ? PgParam() : PgParam(PgBytea(r.quote))},
                   "broker store: add a release"));
    if (added.affected() == 0) {
      return Status(StatusCode::kAlreadyExists, "broker store: the release id is stored already",
                    "store_constraint");
    }
    return OkStatus();
  }

  Status AddRefusal(const BrokerRefusal& r) override VOUCH_EXCLUDES(mu_) {
    VOUCH_RETURN_IF_ERROR(internal::ValidateRefusal(r));
    MutexLock lock(&mu_);
    return db_->Transaction([&]() -> Status {
      mu_.AssertHeld();
      VOUCH_RETURN_IF_ERROR(
          db_->Exec("SET LOCAL synchronous_commit = off", "broker store: best-effort commit"));
      VOUCH_RETURN_IF_ERROR(
          db_->Query(
                 kInsertRefusal,
                 {std::to_string(r.time), r.code,
                  r.envelope_id ? PgParam(PgBytea(*r.envelope_id)) : PgParam(), r.remote_address},
                 "broker store: add a refusal")
              .status());
      VOUCH_RETURN_IF_ERROR(db_->Query(kPruneRefusalsByAge,
                                       {std::to_string(r.time - options_.refusal_retention)},
                                       "broker store: prune refusals")
                                .status());
      return db_
          ->Query(kPruneRefusalsByCount, {std::to_string(options_.max_refusals)},
                  "broker store: prune refusals")
          .status();
    });
  }

  StatusOr<uint64_t> DropEvidenceBefore(UnixSeconds before) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    VOUCH_ASSIGN_OR_RETURN(PgRows dropped, db_->Query(kDropEvidence, {std::to_string(before)},
                                                      "broker store: drop evidence"));
    return dropped.affected();
  }

  StatusOr<std::vector<BrokerRelease>> Releases(size_t limit) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    VOUCH_ASSIGN_OR_RETURN(PgRows rows,
                           db_->Query(kSelectReleases, {Limit(limit)}, "broker store: read"));
    std::vector<BrokerRelease> out;
    for (int i = 0; i < rows.rows(); ++i) {
      BrokerRelease r;
      VOUCH_ASSIGN_OR_RETURN(r.release_id, (ArrayAt<16>(rows, i, 0)));
      VOUCH_ASSIGN_OR_RETURN(r.envelope_id, (ArrayAt<16>(rows, i, 1)));
      VOUCH_ASSIGN_OR_RETURN(r.time, rows.Int(i, 2));
      VOUCH_ASSIGN_OR_RETURN(int64_t index, rows.Int(i, 3));
      r.log_index = static_cast<uint64_t>(index);
      VOUCH_ASSIGN_OR_RETURN(r.leaf_hash, (ArrayAt<32>(rows, i, 4)));
      VOUCH_ASSIGN_OR_RETURN(r.mrenclave, (ArrayAt<32>(rows, i, 5)));
      if (!rows.IsNull(i, 6)) {
        VOUCH_ASSIGN_OR_RETURN(r.quote, rows.Bytea(i, 6));
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  StatusOr<std::vector<BrokerRefusal>> Refusals(size_t limit) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    VOUCH_ASSIGN_OR_RETURN(PgRows rows,
                           db_->Query(kSelectRefusals, {Limit(limit)}, "broker store: read"));
    std::vector<BrokerRefusal> out;
    for (int i = 0; i < rows.rows(); ++i) {
      BrokerRefusal r;
      VOUCH_ASSIGN_OR_RETURN(r.time, rows.Int(i, 0));
      r.code = rows.Text(i, 1);
      if (!rows.IsNull(i, 2)) {
        VOUCH_ASSIGN_OR_RETURN(r.envelope_id, (ArrayAt<16>(rows, i, 2)));
      }
      r.remote_address = rows.Text(i, 3);
      out.push_back(std::move(r));
    }
    return out;
  }

 private:
  Mutex mu_;
  std::unique_ptr<PgConnection> db_ VOUCH_PT_GUARDED_BY(mu_);
  const BrokerStoreOptions options_;
};

// ---- nonces shared by several front-ends (shared_nonces.h), in their own schema ----

constexpr int kNoncesSchemaVersion = 1;
constexpr const char* kNoncesTables =
    "CREATE TABLE vouch_nonces.nonces (nonce bytea PRIMARY KEY, envelope_id bytea NOT NULL, "
    "expires bigint NOT NULL, consumed bigint);"
    "CREATE INDEX nonces_outstanding ON vouch_nonces.nonces (expires, envelope_id) "
    "WHERE consumed IS NULL;"
    "CREATE INDEX nonces_expires ON vouch_nonces.nonces (expires);";
constexpr const char* kExpectedNonceColumns[][3] = {
    {"nonces", "consumed", "bigint"},         {"nonces", "envelope_id", "bytea"},
    {"nonces", "expires", "bigint"},          {"nonces", "nonce", "bytea"},
    {"schema_version", "version", "integer"},
};
constexpr PgSchema kNoncesSchema{"vouch_nonces", "shared nonces", kNoncesSchemaVersion,
                                 kExpectedNonceColumns, "docs/broker.md, \"Several front-ends\""};

// $1 nonce, $2 envelope id, $3 now, $4 expires, $5 max per envelope, $6 max outstanding: one
// row: kept (1 or 0), the envelope's outstanding nonces and whether the nonce is kept already —
// the counts the decision was made on.
constexpr const char* kIssueNonce =
    "WITH o AS (SELECT count(*) FILTER (WHERE envelope_id = $2) AS mine, count(*) AS total, "
    "(SELECT count(*) FROM vouch_nonces.nonces WHERE nonce = $1) AS known "
    "FROM vouch_nonces.nonces WHERE consumed IS NULL AND expires > $3), "
    "kept AS (INSERT INTO vouch_nonces.nonces (nonce, envelope_id, expires) "
    "SELECT $1, $2, $4 FROM o WHERE o.mine < $5 AND o.total < $6 "
    "ON CONFLICT (nonce) DO NOTHING RETURNING 1) "
    "SELECT (SELECT count(*) FROM kept), o.mine, o.known FROM o";
constexpr const char* kForgetNonces = "DELETE FROM vouch_nonces.nonces WHERE expires <= $1";
// $1 nonce, $2 envelope id, $3 now.
constexpr const char* kConsumeNonce =
    "UPDATE vouch_nonces.nonces SET consumed = $3 WHERE nonce = $1 AND envelope_id = $2 "
    "AND consumed IS NULL AND expires > $3 RETURNING 1";
constexpr const char* kWhyNotConsumed =
    "SELECT envelope_id, expires, consumed IS NOT NULL FROM vouch_nonces.nonces WHERE nonce = $1";

class PostgresSharedNonces final : public SharedNonces {
 public:
  PostgresSharedNonces(std::unique_ptr<PgConnection> db, SharedNonceOptions options)
      : db_(std::move(db)), options_(options) {}

  StatusOr<NonceIssue> Issue(const Digest32& nonce, const Id16& envelope_id,
                             UnixSeconds now) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    // Entries past the retention horizon go, at most once a second from each front-end.
    if (now != last_forget_) {
      VOUCH_RETURN_IF_ERROR(db_->Query(kForgetNonces, {std::to_string(now - options_.ttl)},
                                       "shared nonces: forget expired nonces")
                                .status());
      last_forget_ = now;
    }
    const std::string at = std::to_string(now);
    // Not synced at commit: a nonce lost with a crash of the database is only unknown, as every
    // nonce is after a restart of a single broker; the consumption (below) is synced.
    int64_t issued = 0, mine = 0, known = 0;
    const Status stored = db_->Transaction([&]() -> Status {
      mu_.AssertHeld();
      VOUCH_RETURN_IF_ERROR(
          db_->Exec("SET LOCAL synchronous_commit = off", "shared nonces: unsynced commit"));
      VOUCH_ASSIGN_OR_RETURN(
          PgRows kept,
          db_->Query(kIssueNonce,
                     {PgBytea(nonce), PgBytea(envelope_id), at, std::to_string(now + options_.ttl),
                      Limit(options_.max_per_envelope), Limit(options_.max_outstanding)},
                     "shared nonces: issue"));
      VOUCH_ASSIGN_OR_RETURN(issued, kept.Int(0, 0));
      VOUCH_ASSIGN_OR_RETURN(mine, kept.Int(0, 1));
      VOUCH_ASSIGN_OR_RETURN(known, kept.Int(0, 2));
      return OkStatus();
    });
    VOUCH_RETURN_IF_ERROR(stored);
    if (issued == 1) return NonceIssue::kKept;
    if (known != 0) {
      return InternalError("shared nonces: the random source repeated a nonce still kept");
    }
    return static_cast<size_t>(mine) >= options_.max_per_envelope ? NonceIssue::kEnvelopeFull
                                                                  : NonceIssue::kBookFull;
  }

  StatusOr<NonceConsume> Consume(const Digest32& nonce, const Id16& envelope_id,
                                 UnixSeconds now) override VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    VOUCH_ASSIGN_OR_RETURN(
        PgRows burnt,
        db_->Query(kConsumeNonce, {PgBytea(nonce), PgBytea(envelope_id), std::to_string(now)},
                   "shared nonces: consume"));
    if (burnt.rows() == 1) return NonceConsume::kConsumed;
    VOUCH_ASSIGN_OR_RETURN(PgRows why,
                           db_->Query(kWhyNotConsumed, {PgBytea(nonce)}, "shared nonces: consume"));
    if (why.rows() == 0) return NonceConsume::kUnknown;
    VOUCH_ASSIGN_OR_RETURN(const Id16 issued_for, (ArrayAt<16>(why, 0, 0)));
    VOUCH_ASSIGN_OR_RETURN(const int64_t expires, why.Int(0, 1));
    // As the in-memory book: forgotten one ttl after its expiry, even if not deleted yet.
    if (now >= expires + options_.ttl) return NonceConsume::kUnknown;
    if (issued_for != envelope_id) return NonceConsume::kEnvelopeMismatch;
    if (now >= expires) return NonceConsume::kExpired;
    return NonceConsume::kUsed;
  }

 private:
  Mutex mu_;
  std::unique_ptr<PgConnection> db_ VOUCH_PT_GUARDED_BY(mu_);
  UnixSeconds last_forget_ VOUCH_GUARDED_BY(mu_) = 0;
  const SharedNonceOptions options_;
};

// A connection to `uri` whose database has `schema`: created with `tables` on first open, checked
// (CheckSchema) on every later one. Front-ends that start together on a new database create it
// once: the creating transaction holds a transaction-scoped advisory lock on the schema's name
// and looks again under it, so the others wait for the first and then find its schema (under
// READ COMMITTED each statement sees what committed before it).
StatusOr<std::unique_ptr<PgConnection>> OpenWithSchema(const std::string& uri,
                                                       const PgSchema& schema,
                                                       std::string_view tables) {
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> db, PgConnection::Open(uri));
  VOUCH_ASSIGN_OR_RETURN(bool exists, HasSchema(*db, schema));
  if (!exists) {
    const std::string what = "create the " + std::string(schema.what) + " schema";
    const Status made = db->Transaction([&]() -> Status {
      auto locked =
          db->Query("SELECT pg_advisory_xact_lock(hashtext($1))", {std::string(schema.name)}, what);
      if (!locked.ok()) return locked.status();
      VOUCH_ASSIGN_OR_RETURN(exists, HasSchema(*db, schema));
      return exists ? OkStatus() : CreateSchema(*db, schema, tables, what);
    });
    VOUCH_RETURN_IF_ERROR(made);
  }
  if (exists) VOUCH_RETURN_IF_ERROR(CheckSchema(*db, schema));
  return db;
}

}  // namespace

StatusOr<std::unique_ptr<BrokerStore>> OpenPostgresBrokerStore(const std::string& uri,
                                                               const BrokerStoreOptions& options) {
  if (options.max_refusals == 0 || options.refusal_retention <= 0) {
    return InvalidArgumentError("broker store: max_refusals and refusal_retention must be > 0");
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> db,
                         OpenWithSchema(uri, kBrokerSchema, kBrokerTables));
  return std::unique_ptr<BrokerStore>(new PostgresBrokerStore(std::move(db), options));
}

StatusOr<std::unique_ptr<SharedNonces>> OpenPostgresSharedNonces(
    const std::string& uri, const SharedNonceOptions& options) {
  if (options.ttl <= 0 || options.max_per_envelope == 0 ||
      options.max_outstanding < options.max_per_envelope) {
    return InvalidArgumentError(
        "shared nonces: ttl and max_per_envelope must be > 0, max_outstanding >= "
        "max_per_envelope");
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> db,
                         OpenWithSchema(uri, kNoncesSchema, kNoncesTables));
  return std::unique_ptr<SharedNonces>(new PostgresSharedNonces(std::move(db), options));
}

}  // namespace vouch::store

// Internal to store/postgres/: one libpq connection (docs/postgres.md). Statements are sent with
// text parameters and read as text (bytea as PostgreSQL's hex form, decoded here), which keeps
// the code small and the statements within the subset PostgreSQL-compatible databases share.
//
// Every connection runs `SET synchronous_commit = on; SET bytea_output = hex` (so that bytea
// arrives in the hex form decoded here, whatever the database's default) and refuses a server
// whose `fsync` is off (kFailedPrecondition, reason "store_not_durable"): nothing is
// acknowledged before its COMMIT is durable.
//
// Errors (each with the server's message and the statement's purpose):
//   kUnavailable, "store_unreachable"   cannot connect, or the connection broke
//   kResourceExhausted, "store_full"    SQLSTATE class 53 (disk full, out of memory, ...)
//   kAborted, "store_conflict"          40001 / 40P01 (serialization failure, deadlock): retry
//   kInternal, "store_failed"           anything else
//
// Thread-safety: not thread-safe; one owner at a time (the stores lock around it).
#ifndef VOUCH_STORE_POSTGRES_PG_CONN_H_
#define VOUCH_STORE_POSTGRES_PG_CONN_H_

#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch::store::internal {

// A statement parameter: text, or NULL.
using PgParam = std::optional<std::string>;

// bytea as a text parameter: "\x" and lowercase hex.
std::string PgBytea(ByteSpan bytes);

// A query's rows, as text.
class PgRows {
 public:
  explicit PgRows(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<size_t>(PQgetlength(result_.get(), row, column)));
  }
  // A bigint column; kDataLoss when it is not one.
  StatusOr<int64_t> Int(int row, int column) const;
  // A bytea column (hex form); kDataLoss when it is not one.
  StatusOr<Bytes> Bytea(int row, int column) const;
  // For a statement without rows: how many rows it changed.
  uint64_t affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class PgConnection {
 public:
  // Connects to `uri` (a libpq connection URI; a 10 s connect timeout unless the URI sets one),
  // makes commits synchronous and checks that the server is durable.
  static StatusOr<std::unique_ptr<PgConnection>> Open(const std::string& uri);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Reconnects when the connection broke (then sets the session settings again and runs the
  // reconnect hook); Exec and Query call it first, so a server that restarted is reached again
  // by the next statement.
  Status EnsureConnected();
  // What a new session must do before it is used, after every reconnect (e.g. take again the
  // session lock the broken session held). Until it succeeds every statement fails with its
  // error and it is tried again.
  void set_reconnect_hook(std::function<Status()> hook) { reconnect_hook_ = std::move(hook); }
  // Runs `sql` (one or more statements, no parameters).
  Status Exec(std::string_view sql, std::string_view what);
  // Runs one statement with text parameters $1, $2, ...
  StatusOr<PgRows> Query(const std::string& sql, const std::vector<PgParam>& params,
                         std::string_view what);
  // BEGIN, `body`, COMMIT (ROLLBACK when `body` fails). A COMMIT whose outcome is unknown (the
  // connection broke) is reported as kUnavailable: callers read back before retrying.
  Status Transaction(const std::function<Status()>& body);

  // The URI without its password, for messages.
  const std::string& display() const { return display_; }

 private:
  PgConnection(PGconn* conn, std::string display) : conn_(conn), display_(std::move(display)) {}
  Status Error(PGresult* result, std::string_view what) const;

  PGconn* const conn_;
  const std::string display_;
  std::function<Status()> reconnect_hook_;
  bool hook_pending_ = false;  // reconnected, the hook not yet run successfully
};

// One service's schema in the database (docs/postgres.md): `name` ("vouch_log"), named as
// `what` ("log") in messages, at `version`, with exactly `columns` (table, column, data_type as
// information_schema gives it) sorted by table then column, and a table schema_version holding
// one row. `recovery` says where the docs tell how to recover.
struct PgSchema {
  std::string_view name;
  std::string_view what;
  int64_t version = 0;
  std::span<const char* const[3]> columns;
  std::string_view recovery;
};
// Whether the database has the schema `schema.name`.
StatusOr<bool> HasSchema(PgConnection& db, const PgSchema& schema);
// Creates the schema `schema.name` with its table schema_version holding `schema.version`, then
// runs `tables`: statements that create the schema's other tables, named within it ("CREATE
// TABLE vouch_log.meta ..."). `what` names the step in errors. Run it in a transaction.
Status CreateSchema(PgConnection& db, const PgSchema& schema, std::string_view tables,
                    std::string_view what);
// OK when the schema is `schema.version`, whole. kFailedPrecondition "store_version_newer" for
// a newer version (checked first); kDataLoss "store_schema" when a table, column or the version
// row is missing or changed. Never repairs anything.
Status CheckSchema(PgConnection& db, const PgSchema& schema);

// `uri` with every password replaced by "***" (for messages and logs): the one in the userinfo
// (postgresql://user:PASSWORD@host/db) and any password=... parameter (in the query of a URI
// or in a keyword/value connection string).
std::string RedactPgUri(const std::string& uri);

}  // namespace vouch::store::internal

#endif  // VOUCH_STORE_POSTGRES_PG_CONN_H_

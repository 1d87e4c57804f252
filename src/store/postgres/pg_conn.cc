// One libpq connection (pg_conn.h).
#include "store/postgres/pg_conn.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>

#include "vouch/base/encoding.h"
#include "vouch/store/reasons.h"

namespace vouch::store::internal {
namespace {

// What every session sets, on connecting and after each reconnect: commits acknowledged only
// once durable, and bytea results in the hex form that PgRows::Bytea decodes (whatever the
// server's or database's default).
constexpr char kSessionSettings[] = "SET synchronous_commit = on; SET bytea_output = hex";

std::string Trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::string RedactPgUri(const std::string& uri) {
  std::string out = uri;
  // postgresql://user:password@host/...: what lies between the user's ':' and the '@'.
  const size_t scheme = out.find("://");
  const size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
  // The authority ends at the path or query; its userinfo at the last '@' in it.
  const size_t end = out.find_first_of("/?", authority);
  const size_t at = out.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (scheme != std::string::npos && at != std::string::npos && at >= authority) {
    const size_t colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // ...?password=secret&...: the value of every password parameter.
  for (size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    if (pos > 0 && out[pos - 1] != '?' && out[pos - 1] != '&' && out[pos - 1] != ' ') continue;
    const size_t value = pos + 9;
    const size_t stop = out.find_first_of("& ", value);
    out.replace(value, (stop == std::string::npos ? out.size() : stop) - value, "***");
  }
  return out;
}

std::string PgBytea(ByteSpan bytes) { return "\\x" + HexEncode(bytes); }

StatusOr<int64_t> PgRows::Int(int row, int column) const {
  const std::string text = Text(row, column);
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return Status(StatusCode::kDataLoss, "not an integer: \"" + text + "\"",
                  reasons::kStoreCorrupt);
  }
  return value;
}

StatusOr<Bytes> PgRows::Bytea(int row, int column) const {
  const std::string text = Text(row, column);
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') {
    return Status(StatusCode::kDataLoss, "not a bytea in hex form", reasons::kStoreCorrupt);
  }
  auto bytes = HexDecode(std::string_view(text).substr(2));
  if (!bytes.ok()) {
    return Status(StatusCode::kDataLoss, "not a bytea in hex form", reasons::kStoreCorrupt);
  }
  return *std::move(bytes);
}

uint64_t PgRows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  uint64_t value = 0;
  for (; n != nullptr && *n >= '0' && *n <= '9'; ++n) {
    value = value * 10 + static_cast<uint64_t>(*n - '0');
  }
  return value;
}

StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(const std::string& uri) {
  const std::string display = RedactPgUri(uri);
  // A connect timeout unless the URI sets one: an unreachable server is an error, not a hang.
  // dbname last: the URI it expands to overrides the defaults before it.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "vouch", uri.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return Status(StatusCode::kResourceExhausted, "postgres " + display + ": out of memory",
                  "store_full");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    return Status(StatusCode::kUnavailable, "cannot connect to " + display + ": " + message,
                  reasons::kStoreUnreachable);
  }
  std::unique_ptr<PgConnection> c(new PgConnection(conn, display));
  VOUCH_RETURN_IF_ERROR(c->Exec(kSessionSettings, "set up the session"));
  VOUCH_ASSIGN_OR_RETURN(PgRows fsync, c->Query("SHOW fsync", {}, "read fsync"));
  if (fsync.rows() != 1 || fsync.Text(0, 0) != "on") {
    return Status(StatusCode::kFailedPrecondition,
                  "postgres " + display +
                      " runs with fsync off: a commit it acknowledges may be lost on a crash, "
                      "so vouch refuses it",
                  reasons::kStoreNotDurable);
  }
  return c;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Error(PGresult* result, std::string_view what) const {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message =
      Trimmed(result == nullptr ? PQerrorMessage(conn_) : PQresultErrorMessage(result));
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  message = "postgres " + display_ + ": " + std::string(what) + ": " + message;
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Status(StatusCode::kUnavailable, std::move(message), reasons::kStoreUnreachable);
  }
  const std::string code = state == nullptr ? "" : state;
  if (code.rfind("53", 0) == 0) {
    return Status(StatusCode::kResourceExhausted, std::move(message), "store_full");
  }
  if (code == "40001" || code == "40P01") {
    return Status(StatusCode::kAborted, std::move(message), "store_conflict");
  }
  if (code.rfind("08", 0) == 0) {
    return Status(StatusCode::kUnavailable, std::move(message), reasons::kStoreUnreachable);
  }
  return Status(StatusCode::kInternal, std::move(message), "store_failed");
}

Status PgConnection::EnsureConnected() {
  if (PQstatus(conn_) != CONNECTION_OK) {
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Status(StatusCode::kUnavailable,
                    "cannot reconnect to " + display_ + ": " + Trimmed(PQerrorMessage(conn_)),
                    reasons::kStoreUnreachable);
    }
    PGresult* result = PQexec(conn_, kSessionSettings);
    const bool ok = result != nullptr && PQresultStatus(result) == PGRES_COMMAND_OK;
    Status error = ok ? OkStatus() : Error(result, "set up the session");
    PQclear(result);
    VOUCH_RETURN_IF_ERROR(error);
    hook_pending_ = reconnect_hook_ != nullptr;
  }
  if (!hook_pending_) return OkStatus();
  hook_pending_ = false;  // the hook's own statements run on this connection
  Status hooked = reconnect_hook_();
  hook_pending_ = !hooked.ok();
  return hooked;
}

Status PgConnection::Exec(std::string_view sql, std::string_view what) {
  VOUCH_RETURN_IF_ERROR(EnsureConnected());
  const std::string text(sql);
  PGresult* result = PQexec(conn_, text.c_str());
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    PQclear(result);
    return OkStatus();
  }
  Status error = Error(result, what);
  PQclear(result);
  return error;
}

StatusOr<PgRows> PgConnection::Query(const std::string& sql, const std::vector<PgParam>& params,
                                     std::string_view what) {
  VOUCH_RETURN_IF_ERROR(EnsureConnected());
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  PGresult* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                  values.data(), nullptr, nullptr, /*resultFormat=*/0);
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgRows(result);
  Status error = Error(result, what);
  PQclear(result);
  return error;
}

Status PgConnection::Transaction(const std::function<Status()>& body) {
  VOUCH_RETURN_IF_ERROR(Exec("BEGIN", "begin"));
  Status status = body();
  if (!status.ok()) {
    (void)Exec("ROLLBACK", "roll back");
    return status;
  }
  return Exec("COMMIT", "commit");
}

StatusOr<bool> HasSchema(PgConnection& db, const PgSchema& schema) {
  VOUCH_ASSIGN_OR_RETURN(
      PgRows rows,
      db.Query("SELECT count(*) FROM pg_namespace WHERE nspname = $1", {std::string(schema.name)},
               std::string(schema.what) + " store: read schema"));
  VOUCH_ASSIGN_OR_RETURN(int64_t n, rows.Int(0, 0));
  return n > 0;
}

Status CreateSchema(PgConnection& db, const PgSchema& schema, std::string_view tables,
                    std::string_view what) {
  const std::string name(schema.name);
  return db.Exec("CREATE SCHEMA " + name + ";CREATE TABLE " + name +
                     ".schema_version (version integer NOT NULL);INSERT INTO " + name +
                     ".schema_version VALUES (" + std::to_string(schema.version) + ");" +
                     std::string(tables),
                 what);
}

Status CheckSchema(PgConnection& db, const PgSchema& schema) {
  const std::string what = std::string(schema.what) + " store: read schema";
  VOUCH_ASSIGN_OR_RETURN(
      PgRows columns,
      db.Query("SELECT table_name, column_name, data_type FROM information_schema.columns "
               "WHERE table_schema = $1 ORDER BY 1, 2",
               {std::string(schema.name)}, what));
  std::vector<std::vector<std::string>> found;
  found.reserve(static_cast<size_t>(columns.rows()));
  for (int i = 0; i < columns.rows(); ++i) {
    found.push_back({columns.Text(i, 0), columns.Text(i, 1), columns.Text(i, 2)});
  }
  std::vector<std::vector<std::string>> expected;
  expected.reserve(schema.columns.size());
  for (const auto& c : schema.columns) expected.push_back({c[0], c[1], c[2]});
  const bool has_version_table = std::any_of(
      found.begin(), found.end(), [](const auto& c) { return c[0] == "schema_version"; });
  if (has_version_table) {
    VOUCH_ASSIGN_OR_RETURN(
        PgRows version,
        db.Query("SELECT version FROM " + std::string(schema.name) + ".schema_version", {}, what));
    if (version.rows() == 1) {
      VOUCH_ASSIGN_OR_RETURN(int64_t v, version.Int(0, 0));
      if (v > schema.version) {
        return Status(StatusCode::kFailedPrecondition,
                      db.display() + " holds " + std::string(schema.what) + " schema version " +
                          std::to_string(v) + ", newer than this vouch's " +
                          std::to_string(schema.version) + ": run a newer vouch",
                      reasons::kStoreVersionNewer);
      }
      if (v == schema.version && found == expected) return OkStatus();
    }
  }
  return Status(StatusCode::kDataLoss,
                "the " + std::string(schema.what) + " schema " + std::string(schema.name) + " in " +
                    db.display() + " is not version " + std::to_string(schema.version) +
                    " whole (a table, column or the version row is missing or changed); "
                    "restore the database from backup (" +
                    std::string(schema.recovery) + ")",
                reasons::kStoreSchema);
}

}  // namespace vouch::store::internal

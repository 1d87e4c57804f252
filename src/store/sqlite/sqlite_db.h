// Internal: the SQLite layer shared by the SQLite stores (sqlite_log_store.cc,
// sqlite_witness_store.cc): one connection with its cached prepared statements, binding and
// column helpers, durable WAL set-up, transactions, the checks a state store makes before it
// opens its database, and one mapping of SQLite result codes to Status codes, so that every
// SQLite store reports a failure the same way:
//
//   SQLite result code (primary)       StatusCode          reason
//   BUSY, LOCKED                       kUnavailable        store_busy       (another writer)
//   IOERR, CANTOPEN, PROTOCOL          kUnavailable        store_io_error
//   READONLY, PERM, AUTH               kUnavailable        store_read_only
//   FULL                               kResourceExhausted  store_full       (disk full)
//   NOMEM                              kResourceExhausted  store_out_of_memory
//   CORRUPT, NOTADB                    kDataLoss           store_corrupt
//   CONSTRAINT                         kAlreadyExists      store_constraint
//   anything else                      kInternal           (none)
//
// A PostgreSQL backend (src/store/postgres/, planned) maps its SQLSTATEs onto the same codes.
//
// Thread-compatible: a connection is used by one thread at a time (the stores lock around it).
#ifndef VOUCH_STORE_SQLITE_SQLITE_DB_H_
#define VOUCH_STORE_SQLITE_SQLITE_DB_H_

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vouch/base/bytes.h"
#include "vouch/base/clock.h"
#include "vouch/base/mutex.h"
#include "vouch/base/statusor.h"
#include "vouch/store/state_anchor.h"

namespace vouch::store::internal {

// The Status for SQLite result code `rc` (extended codes allowed) while doing `what`, with
// the database's message when `db` is not null (see the banner for the mapping).
Status SqliteError(int rc, sqlite3* db, std::string_view what);

// One connection and its prepared statements.
class SqliteConnection {
 public:
  enum class Mode {
    kReadOnly,         // opens an existing file; query_only
    kReadWrite,        // opens an existing file for writing; never creates one
    kReadWriteCreate,  // creates the file when missing (its directory must exist)
  };

  // Opens `path` with a page cache of `cache_kib` KiB, a 10 s busy timeout, memory mapping off
  // and trusted_schema off.
  static StatusOr<std::unique_ptr<SqliteConnection>> Open(const std::string& path, Mode mode,
                                                          int cache_kib);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* db() const { return db_; }

  // Runs one or more SQL statements without results.
  Status Exec(std::string_view sql);

  // A reset prepared statement for `sql`, which must be a string constant (statements are
  // cached by its address for the connection's lifetime).
  StatusOr<sqlite3_stmt*> Prepare(const char* sql);

  // Switches the database to WAL with synchronous=FULL: once a commit returns, it survives a
  // crash of the process or the machine (the WAL is fsynced at every commit).
  Status EnableDurableWal(const std::string& path);

  // Runs `body()` inside BEGIN IMMEDIATE ... COMMIT (the write lock is taken before anything is
  // read, so no other writer can interleave). When `body` or the commit fails, rolls back and
  // returns that failure.
  template <typename Body>
  Status Transaction(Body&& body) {
    VOUCH_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status s = body();
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) RollBack();
    return s;
  }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  // Rolls back an open transaction, if any (a failed COMMIT may have closed it already).
  void RollBack();

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

// Resets a statement when it goes out of scope, so that no read transaction stays open.
class StmtReset {
 public:
  explicit StmtReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StmtReset() { sqlite3_reset(stmt_); }
  StmtReset(const StmtReset&) = delete;
  StmtReset& operator=(const StmtReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// Binds `data` (borrowed until the statement is reset) to parameter `i`; an empty span is
// bound as an empty blob, not NULL.
int BindBlob(sqlite3_stmt* stmt, int i, ByteSpan data);
// Binds `text` (borrowed until the statement is reset) to parameter `i`.
int BindText(sqlite3_stmt* stmt, int i, std::string_view text);
// Column `i` of the current row: a view valid until the next step or reset, or a copy.
ByteSpan ColumnBlob(sqlite3_stmt* stmt, int i);
std::string ColumnText(sqlite3_stmt* stmt, int i);

// Steps `stmt`, which must complete without a row (an INSERT, UPDATE or DELETE).
Status StepDone(sqlite3_stmt* stmt, sqlite3* db, std::string_view what);

// Fail closed: remembers the first sign of damage any statement of a store saw (SQLITE_CORRUPT
// or SQLITE_NOTADB, which SqliteError maps to kDataLoss, or a kDataLoss from a consistency check
// of read data). From then on the store refuses every write (WriteAllowed) while reads still
// answer what they can. Never reset: a damaged store is repaired offline (docs/log.md,
// "Recovery").
//
// Thread-safe.
class DamageTracker {
 public:
  // Records `status` when it reports data loss; returns it unchanged.
  const Status& Observe(const Status& status) VOUCH_EXCLUDES(mu_);
  template <typename T>
  const StatusOr<T>& Observe(const StatusOr<T>& result) {
    if (!result.ok()) Observe(result.status());
    return result;
  }
  bool damaged() const { return damaged_.load(std::memory_order_acquire); }
  // OK, or kDataLoss (reason "store_damaged") "store damaged: appends stopped (<first error>)".
  Status Health() const VOUCH_EXCLUDES(mu_);

 private:
  std::atomic<bool> damaged_{false};
  mutable Mutex mu_;
  std::string first_error_ VOUCH_GUARDED_BY(mu_);
};

// PRAGMA quick_check on `c`, given at most `budget` (a progress handler interrupts it then).
// OK when it finds nothing; kDataLoss (reason "store_corrupt") naming what it found (table,
// page) otherwise. When the budget runs out the check stops, `warn` is told so (the database is
// used unchecked: an operator can run `sqlite3 FILE 'PRAGMA integrity_check'` offline) and the
// result is OK. A budget of zero skips the check.
Status QuickCheck(SqliteConnection& c, const std::string& path, std::chrono::milliseconds budget,
                  const Clock& clock, const std::function<void(std::string_view)>& warn);

// Whether the database on `c` has no schema objects at all (a new or 0-byte file).
StatusOr<bool> SchemaIsEmpty(SqliteConnection& c);

// Compares the database's whole schema — every table (its columns, their types, NOT NULL and
// primary-key positions, WITHOUT ROWID) and every index — with the one `schema_sql` creates in
// an empty database. kDataLoss (reason "store_schema") naming the first table or index that is
// missing, unexpected or different: a damaged schema is refused, never recreated.
Status CheckSchema(SqliteConnection& c, const std::string& path, const char* schema_sql);

// How a SQLite state store (log or witness) is opened.
enum class StateMode {
  kLegacy,  // Open: anchored when the anchor exists, else open-or-create without anchor
  kCreate,  // CreateState: create or adopt, write the anchor
  kOpen,    // OpenState: the anchor must exist and match
};

// What every SQLite state store refuses before it opens the database `path` of a `kind` state,
// given the anchor read from `anchor_path` (nullopt: none) and whether the database file holds
// data (`db_present`): CreateState when the anchor exists (kAlreadyExists, "state_exists");
// OpenState without one (kFailedPrecondition, "state_not_anchored" beside a database, else
// "state_missing"); an anchor of another kind (kDataLoss, "state_anchor_invalid"). The errors an
// operator recovers from point to docs/KIND.md, "Recovery".
Status CheckStateBeforeOpen(StateKind kind, StateMode mode, const std::string& path,
                            const std::string& anchor_path,
                            const std::optional<StateAnchor>& anchor, bool db_present);

// Fsyncs the directory that holds `path`, so that a newly created file's directory entry is
// durable too (SQLite syncs the directory for the WAL it creates, not for the main file).
Status FsyncDirectoryOf(const std::string& path);

}  // namespace vouch::store::internal

#endif  // VOUCH_STORE_SQLITE_SQLITE_DB_H_

// The embedded WitnessStore (witness_store.h): one SQLite database file in WAL mode with
// `synchronous=FULL`, so an Update that returned survives a crash of the process or a power
// loss. Schema (docs/witness.md, "State"):
//
//   witness_state(origin TEXT PRIMARY KEY, size INTEGER, root BLOB, note TEXT)
//   meta(key TEXT PRIMARY KEY, value TEXT)      state_id (added by this version)
//
// Checks at open, fail closed while running, and the state anchor (DIR/witness.anchor beside
// DIR/witness.db) as for the log store: sqlite_log_store.h lists the errors and their reasons.
// The anchor records, per log origin, the newest cosigned size and root; it is rewritten after
// every committed Update that changes a state, before any response of that commit is given. At
// open the database must hold, per anchored origin, at least the anchored size, and at the
// anchored size the anchored root (a larger size was checked consistent when it was cosigned).
//
// Group commit: concurrent Updates queue their decisions; one of them applies every queued
// decision in arrival order inside one transaction, each seeing the state the previous ones
// left, commits once, and then answers them all. A decision and its write are in the same
// transaction, before any answer; durable throughput is not bounded by one fsync per request.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_STORE_SQLITE_WITNESS_STORE_H_
#define VOUCH_STORE_SQLITE_WITNESS_STORE_H_

#include <memory>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/witness_store.h"

namespace vouch::store {

// Creates the witness's state — the explicit init step (`--init`): a new database `path` (its
// directory must exist; a missing or 0-byte file) with its schema and a new state id, and its
// anchor. A database without anchor (older vouch) is adopted: checked, given the meta table and
// a state id, and the anchor is written from every stored state. Only quick_check_budget, clock
// and warn of `options` apply.
StatusOr<std::unique_ptr<WitnessStore>> CreateSqliteWitnessState(const std::string& path,
                                                                 const SqliteOptions& options = {});
// Opens the existing state at `path`; refuses it unless its anchor exists and it matches it.
StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessState(const std::string& path,
                                                               const SqliteOptions& options = {});
// For tests and benchmarks of the store itself, never for a service (the store factory,
// open_store.h, offers only the state functions above). Anchored (as OpenSqliteWitnessState) when
// the anchor exists; otherwise opens or creates the database with the integrity and schema checks
// but no anchor.
StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(const std::string& path,
                                                               const SqliteOptions& options = {});

}  // namespace vouch::store

#endif  // VOUCH_STORE_SQLITE_WITNESS_STORE_H_

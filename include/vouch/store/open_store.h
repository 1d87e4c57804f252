// Opening a store from a URI, so that services never hard-code a backend (DESIGN.md §2, layer
// 4; docs/log.md, "Storage"):
//
//   sqlite:PATH                   the SQLite database file PATH (its directory must exist)
//   DIR                           a plain path: the default backend, SQLite, in the directory DIR
//                                 (DIR/log.db for a log, DIR/witness.db for a witness,
//                                 DIR/broker.db for a broker's records)
//   postgres://… postgresql://…   PostgreSQL (libpq connection URI; docs/postgres.md): the log
//                                 and witness states (each with its anchor in a local
//                                 directory, below), the broker's records and shared nonces
//
// Any other "scheme:" prefix is kInvalidArgument (a directory whose name looks like one is
// written "./name"). Backends each have their own CMake target; this factory (target
// vouch::store_factory) is the only code that links them all.
//
// Thread-safety: thread-safe (the functions share no state).
#ifndef VOUCH_STORE_OPEN_STORE_H_
#define VOUCH_STORE_OPEN_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"
#include "vouch/store/broker_store.h"
#include "vouch/store/log_store.h"
#include "vouch/store/shared_nonces.h"
#include "vouch/store/sqlite_log_store.h"
#include "vouch/store/witness_store.h"

namespace vouch::store {

// A parsed store URI.
struct StoreUri {
  enum class Backend { kSqlite, kPostgres };
  Backend backend = Backend::kSqlite;
  // kSqlite: the database file; kPostgres: the connection URI as given.
  std::string location;

  // Parses `uri`; a plain directory resolves to `default_file` in it (e.g. "log.db").
  // kInvalidArgument for an empty URI, an unknown scheme or an empty path.
  static StatusOr<StoreUri> Parse(std::string_view uri, std::string_view default_file);
  // `location` for messages and logs: a PostgreSQL URI without its password.
  std::string Display() const;
};

// Creating a state is an explicit step (`vouch serve log --init`, `vouch serve witness --init`):
// it creates the database and its state anchor (state_anchor.h; for DIR: DIR/log.db and
// DIR/log.anchor), or adopts a database of an older vouch that has no anchor. Every later start
// opens the state, which is checked against its anchor and refused when it is missing, behind
// or another one. Errors and their reasons: sqlite_log_store.h; operators: docs/log.md,
// "Recovery".
//
//   --init:       CreateLogState(uri)      then serve with the returned store
//   otherwise:    OpenLogState(uri)        kFailedPrecondition state_missing/state_not_anchored
//                                          → tell the operator to run with --init (exit 3);
//                                          kDataLoss → refuse to start (exit 3)
//
// A PostgreSQL state keeps its anchor in `anchor_dir` (anchor_dir/log.anchor; the service's
// --data), which it requires (kInvalidArgument when empty); the other backends ignore it. Its
// errors: postgres_log_store.h.
StatusOr<std::shared_ptr<LogStore>> CreateLogState(std::string_view uri,
                                                   const SqliteOptions& sqlite = {},
                                                   std::string_view anchor_dir = {});
StatusOr<std::shared_ptr<LogStore>> OpenLogState(std::string_view uri,
                                                 const SqliteOptions& sqlite = {},
                                                 std::string_view anchor_dir = {});
// A PostgreSQL log state opened to follow it while another service sequences it (`serve log
// --standby`; OpenPostgresLogFollower): read-only, with its anchor in `anchor_dir`. Another
// backend is kInvalidArgument (one process serves it).
StatusOr<std::shared_ptr<LogStore>> OpenLogFollower(std::string_view uri,
                                                    std::string_view anchor_dir);
// The same for a witness (default file witness.db, anchor witness.anchor). A PostgreSQL state
// keeps its anchor in `anchor_dir` (anchor_dir/witness.anchor; the service's --data), which it
// requires (kInvalidArgument when empty); the other backends ignore it.
StatusOr<std::unique_ptr<WitnessStore>> CreateWitnessState(std::string_view uri,
                                                           const SqliteOptions& sqlite = {},
                                                           std::string_view anchor_dir = {});
StatusOr<std::unique_ptr<WitnessStore>> OpenWitnessState(std::string_view uri,
                                                         const SqliteOptions& sqlite = {},
                                                         std::string_view anchor_dir = {});

// A broker's bookkeeping (broker_store.h; default file broker.db), created when missing: records
// for the operator, no state anchor.
StatusOr<std::unique_ptr<BrokerStore>> OpenBrokerStore(std::string_view uri,
                                                       const BrokerStoreOptions& options = {});

// Nonces shared by several front-ends of one broker (shared_nonces.h): PostgreSQL only, since
// the front-ends share the database; another store is kInvalidArgument.
StatusOr<std::unique_ptr<SharedNonces>> OpenSharedNonces(std::string_view uri,
                                                         const SharedNonceOptions& options);

}  // namespace vouch::store

#endif  // VOUCH_STORE_OPEN_STORE_H_

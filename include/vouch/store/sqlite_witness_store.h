// The embedded WitnessStore (witness_store.h): one SQLite database file in WAL mode with
// `synchronous=FULL`, so an Update that returned survives a crash of the process or a power
// loss. Schema (docs/witness.md, "State"):
//
//   witness_state(origin TEXT PRIMARY KEY, size INTEGER, root BLOB, note TEXT)
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
#include "vouch/store/witness_store.h"

namespace vouch::store {

// Opens or creates the database file `path` (its directory must exist) and its schema.
StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(const std::string& path);

}  // namespace vouch::store

#endif  // VOUCH_STORE_SQLITE_WITNESS_STORE_H_

// The broker's bookkeeping on PostgreSQL (docs/postgres.md): the BrokerStore contract
// (broker_store.h) in the schema `vouch_broker` (schema_version 1, releases, refusals) of the
// database a libpq connection URI names, created on first open; a schema version newer than this
// program's is refused (kFailedPrecondition "store_version_newer"), a changed one too (kDataLoss
// "store_schema"). Several brokers may share it.
//
// A release is committed with synchronous_commit = on before AddRelease returns; a refusal with
// synchronous_commit = off for its transaction (best effort, as the SQLite store's NORMAL).
//
// Errors: pg_conn.h's table ("store_unreachable", "store_full", "store_not_durable", ...); a
// release id stored already is kAlreadyExists "store_constraint", as in SQLite.
//
// Thread-safety: thread-safe (one connection, used under a lock).
#ifndef VOUCH_STORE_POSTGRES_BROKER_STORE_H_
#define VOUCH_STORE_POSTGRES_BROKER_STORE_H_

#include <memory>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/store/broker_store.h"
#include "vouch/store/shared_nonces.h"

namespace vouch::store {

StatusOr<std::unique_ptr<BrokerStore>> OpenPostgresBrokerStore(
    const std::string& uri, const BrokerStoreOptions& options = {});

// Nonces shared by several broker front-ends (shared_nonces.h) in the schema `vouch_nonces`
// (schema_version 1, nonces) of the same kind of database, created on first open with the same
// version rules. kInvalidArgument for options out of range.
StatusOr<std::unique_ptr<SharedNonces>> OpenPostgresSharedNonces(const std::string& uri,
                                                                 const SharedNonceOptions& options);

}  // namespace vouch::store

#endif  // VOUCH_STORE_POSTGRES_BROKER_STORE_H_

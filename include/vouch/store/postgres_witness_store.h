// The witness state on PostgreSQL (docs/postgres.md): the WitnessStore contract
// (witness_store.h) over a PostgreSQL 15 database reached by a libpq connection URI, with the
// same state rules as the SQLite store (sqlite_witness_store.h):
//
//   * Creating the state is explicit (CreatePostgresWitnessState, `vouch serve witness --init
//     --store postgres://…`): it creates the schema `vouch_witness` (schema_version 1, meta,
//     witness_state) with a new state id, and writes the state anchor at `anchor_path`, a local
//     file (DATA/witness.anchor) that losing or replacing the database does not lose.
//   * Every open (OpenPostgresWitnessState) compares the database with the anchor and refuses
//     one that is missing, of another state, or behind what was cosigned (kDataLoss, reasons
//     "state_lost", "state_behind"); a schema version newer than this program's is refused
//     (kFailedPrecondition, "store_version_newer").
//   * An update reads the origin's state, decides, and writes the new state with a
//     compare-and-set (`UPDATE … WHERE size = old AND root = old`, or `INSERT … ON CONFLICT DO
//     NOTHING` for an origin's first checkpoint), committed (synchronous_commit = on) before it
//     returns; when the compare fails because another process changed the row, it reads and
//     decides again. The anchor is rewritten before a newly cosigned tree is returned.
//
// Errors: pg_conn.h's table ("store_unreachable", "store_full", "store_not_durable", ...) and
// the state reasons of reasons.h.
//
// Thread-safety: thread-safe (one connection, used under a lock).
#ifndef VOUCH_STORE_POSTGRES_WITNESS_STORE_H_
#define VOUCH_STORE_POSTGRES_WITNESS_STORE_H_

#include <memory>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/store/witness_store.h"

namespace vouch::store {

// Creates the state in the database `uri`; kAlreadyExists ("state_exists") when the anchor
// exists or the database already holds a witness state.
StatusOr<std::unique_ptr<WitnessStore>> CreatePostgresWitnessState(const std::string& uri,
                                                                   const std::string& anchor_path);
// Opens the existing state; kFailedPrecondition ("state_missing") without an anchor.
StatusOr<std::unique_ptr<WitnessStore>> OpenPostgresWitnessState(const std::string& uri,
                                                                 const std::string& anchor_path);

}  // namespace vouch::store

#endif  // VOUCH_STORE_POSTGRES_WITNESS_STORE_H_

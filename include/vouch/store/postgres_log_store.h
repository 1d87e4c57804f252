// The transparency log's store on PostgreSQL (docs/postgres.md, "The log store"): the LogStore
// contract (log_store.h) over a PostgreSQL 15 database reached by a libpq connection URI. Its
// tables live in the schema `vouch_log`:
//
//   schema_version(version integer)                     one row: 1
//   meta(key text PRIMARY KEY, value text)              state_id, origin, vkey, sequencer_url
//   entries(idx bigint PRIMARY KEY,                     the entries; UNIQUE (leaf_hash) is the
//           leaf_hash bytea UNIQUE, data bytea)         deduplication index
//   tiles(level smallint, idx bigint, width integer,    one version per tile, the widest given;
//         data bytea, PRIMARY KEY (level, idx))         data STORAGE EXTERNAL (uncompressed
//                                                       TOAST), so a slice reads only its chunks
//   tree(id = 1, size bigint, compact_range bytea,      the committed state (one row, created
//        checkpoint text)                               with the schema: size 0)
//   checkpoints(size bigint PRIMARY KEY, note text)     every checkpoint signed
//
// Append is one transaction on the writing connection, committed with synchronous_commit = on
// (pg_conn.h) before it returns OK, so it is atomic and durable. It is fenced: it first locks
// the tree row (`SELECT size … FOR UPDATE`) and fails with kAborted, changing nothing, unless
// the locked size equals batch.old_size — two store objects (two sequencers) on one database
// serialise on that lock, and the second sees the first's size once the first commits (READ
// COMMITTED re-reads a locked row), so only one Append of a given old_size succeeds. Under the
// lock it looks up the batch's leaf hashes (kAlreadyExists when one is stored or repeated; the
// UNIQUE constraint backs this up), inserts the entries, inserts each tile or replaces it only
// with a version at least as wide (`ON CONFLICT … DO UPDATE … WHERE excluded.width >=
// tiles.width`), updates the tree row and records the checkpoint in the history.
//
// Creating the state creates the schema (with a new random state id); opening it checks every
// table and column of version 1 (a missing or changed one: kDataLoss, "store_schema") and
// refuses a newer version (kFailedPrecondition, "store_version_newer"). Damage found while
// reading (a hash that is not 32 bytes, an inconsistent tree row or tile) is kDataLoss and stops
// appends: Health() and every later Append return kDataLoss ("store_damaged"); reads still
// answer what they can.
//
// The state anchor, as for the SQLite log store (sqlite_log_store.h, state_anchor.h): creating
// the state is explicit (CreatePostgresLogState: the schema with a new state id, and the anchor
// at `anchor_path`, a local file such as DATA/log.anchor that losing or replacing the database
// does not lose); every OpenPostgresLogState compares the database with it and refuses one that
// is missing, of another state or log, or behind the newest signed checkpoint (kDataLoss,
// "state_lost" / "state_behind"); an anchored Append rewrites the anchor after its commit and
// before it returns (failure: kUnavailable, kCommittedNotAcknowledged). OpenPostgresLogStore
// opens without an anchor: for tests of the store itself, never for a service.
//
// One service per state: the anchored store holds a session-level advisory lock on its writing
// connection for its life (CreatePostgresLogState takes it before it creates the schema,
// OpenPostgresLogState after it compared the database with the anchor and advanced the anchor to
// it); while another holds it, the open fails with kFailedPrecondition "store_in_use" (`serve
// log --standby` tries again). The server drops the lock with the session; a reconnected writing
// connection takes it again before its first statement, and until it has it every append fails
// "store_in_use".
//
// The service that holds the lock records the URL at which it takes submissions in meta
// ("sequencer_url"; LogStore::AdvertiseSequencer), where standbys read it.
//
// Errors: pg_conn.h's table ("store_unreachable", "store_full", "store_not_durable", ...) and
// log_store.h's codes.
//
// Thread-safety: thread-safe. Two connections, each used under its own lock: one for Bind and
// Append, one for reads (each read is one statement, so it sees all of a batch or none of it,
// and reads do not wait for an Append's commit).
#ifndef VOUCH_STORE_POSTGRES_LOG_STORE_H_
#define VOUCH_STORE_POSTGRES_LOG_STORE_H_

#include <memory>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/store/log_store.h"

namespace vouch::store {

// Creates the log's state in the database `uri`; kAlreadyExists ("state_exists") when the
// anchor exists or the database already holds a log state.
StatusOr<std::unique_ptr<LogStore>> CreatePostgresLogState(const std::string& uri,
                                                           const std::string& anchor_path);
// Opens the existing state; kFailedPrecondition ("state_missing") without an anchor.
StatusOr<std::unique_ptr<LogStore>> OpenPostgresLogState(const std::string& uri,
                                                         const std::string& anchor_path);
// Opens the existing state to follow it while another service sequences it (`serve log
// --standby`): checked against the anchor (and the anchor advanced) as OpenPostgresLogState
// does, but without the sequencing lock; its reads answer, its writes (Bind, Append,
// AdvertiseSequencer) fail with kFailedPrecondition "store_in_use".
StatusOr<std::unique_ptr<LogStore>> OpenPostgresLogFollower(const std::string& uri,
                                                            const std::string& anchor_path);
// For tests of the store itself: opens the log store in the database `uri` without an anchor,
// creating the schema vouch_log when the database has none, checking it otherwise.
StatusOr<std::unique_ptr<LogStore>> OpenPostgresLogStore(const std::string& uri);

}  // namespace vouch::store

#endif  // VOUCH_STORE_POSTGRES_LOG_STORE_H_

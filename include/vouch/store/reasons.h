// Reason codes of the store module: the `reason` of the Statuses its state functions return
// (open_store.h, sqlite_log_store.h, sqlite_witness_store.h), which `vouch serve log` and
// `vouch serve witness` print as error.code. Meanings and exit codes: docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_STORE_REASONS_H_
#define VOUCH_STORE_REASONS_H_

namespace vouch::store::reasons {

// Creating and opening a state (open_store.h): kAlreadyExists, kFailedPrecondition.
inline constexpr char kStateExists[] = "state_exists";
inline constexpr char kStateMissing[] = "state_missing";
inline constexpr char kStateNotAnchored[] = "state_not_anchored";
// The database contradicts its state anchor, or is damaged (kDataLoss).
inline constexpr char kStateAnchorInvalid[] = "state_anchor_invalid";
inline constexpr char kStateLost[] = "state_lost";
inline constexpr char kStateBehind[] = "state_behind";
inline constexpr char kStoreSchema[] = "store_schema";
inline constexpr char kStoreCorrupt[] = "store_corrupt";
inline constexpr char kStoreDamaged[] = "store_damaged";
// A batch committed but its anchor could not be written (kUnavailable): never acknowledged.
inline constexpr char kStateAnchorWrite[] = "state_anchor_write";
// A database server (PostgreSQL, docs/postgres.md): unreachable or the connection broke
// (kUnavailable); running with fsync off (kFailedPrecondition); holding a schema version newer
// than this program's (kFailedPrecondition).
inline constexpr char kStoreUnreachable[] = "store_unreachable";
inline constexpr char kStoreNotDurable[] = "store_not_durable";
inline constexpr char kStoreVersionNewer[] = "store_version_newer";
// Another log service holds the database's sequencing lock (a PostgreSQL log state is served by
// one process at a time; kFailedPrecondition).
inline constexpr char kStoreInUse[] = "store_in_use";

}  // namespace vouch::store::reasons

#endif  // VOUCH_STORE_REASONS_H_

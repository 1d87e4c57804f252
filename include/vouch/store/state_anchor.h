// The state anchor (docs/formats/state-anchor.md): a small file kept beside a store's database
// and outside it (DIR/log.anchor beside DIR/log.db, DIR/witness.anchor beside DIR/witness.db),
// so that losing, wiping, rolling back or replacing the database does not lose the record of
// what the service signed or cosigned. It holds
//
//   * the kind of state (log or witness),
//   * a random 128-bit state id, created with the state and also stored in the database's
//     meta table: a database whose id differs belongs to another state,
//   * per key — the log's origin, or each origin a witness cosigned — the newest tree size and
//     root hash signed or cosigned.
//
// At every open the SQLite stores compare their database with it and refuse (kDataLoss) a
// database that is behind it or does not extend it; after every commit that signs or cosigns a
// newer tree they rewrite it (atomically and durably) before the commit is acknowledged.
// docs/log.md, "Recovery", says what an operator does when the comparison fails.
//
// Thread-safety: the functions are thread-safe; concurrent writers of one file must serialise.
#ifndef VOUCH_STORE_STATE_ANCHOR_H_
#define VOUCH_STORE_STATE_ANCHOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"
#include "vouch/tlog/merkle.h"

namespace vouch::store {

enum class StateKind { kLog, kWitness };

// "log" or "witness".
std::string_view StateKindName(StateKind kind);

// A tree size and its root hash, as signed (log) or cosigned (witness).
struct AnchoredTree {
  uint64_t size = 0;
  tlog::Hash root{};
  friend bool operator==(const AnchoredTree&, const AnchoredTree&) = default;
};

struct StateAnchor {
  StateKind kind = StateKind::kLog;
  std::string state_id;                       // 32 lowercase hex digits
  std::map<std::string, AnchoredTree> trees;  // by origin; a log has at most one
  friend bool operator==(const StateAnchor&, const StateAnchor&) = default;
};

// Largest anchor file accepted (a witness of ~100,000 logs fits).
inline constexpr size_t kMaxStateAnchorSize = size_t{16} << 20;
// Longest origin accepted in an anchor.
inline constexpr size_t kMaxAnchoredOriginSize = 1024;

// A new random state id (128 bits from getrandom(2), hex). kInternal if no randomness.
StatusOr<std::string> NewStateId();

// The anchor's text, byte-exact as in docs/formats/state-anchor.md.
// REQUIRES: `anchor` is valid (ParseStateAnchor would accept its text).
std::string SerializeStateAnchor(const StateAnchor& anchor);

// Parses an anchor strictly: exactly the text SerializeStateAnchor produces for some valid
// anchor, nothing else (no missing or extra lines, no unsorted or duplicate origins, lowercase
// hex, canonical decimal sizes). kInvalidArgument naming the line otherwise.
StatusOr<StateAnchor> ParseStateAnchor(std::string_view text);

// The anchor file that belongs to the database file `db_path`: the same path with its ".db"
// suffix (if any) replaced by ".anchor" (DIR/log.db → DIR/log.anchor).
std::string StateAnchorPathFor(const std::string& db_path);

// The anchor stored at `path`; nullopt when there is no such file. kDataLoss (reason
// "state_anchor_invalid") when it exists but is not a valid anchor, kUnavailable when it
// cannot be read.
StatusOr<std::optional<StateAnchor>> ReadStateAnchor(const std::string& path);

// Replaces the file at `path` with `anchor`, atomically and durably (temporary file, fsync,
// rename, fsync of the directory), mode 0644.
Status WriteStateAnchor(const std::string& path, const StateAnchor& anchor);

// A witness database, whatever its backend, checked against its anchor: it must be the anchored
// state (`state_id`, as stored in the database; nullopt when it has none) and hold, for every
// anchored origin, at least the anchored size, with the anchored root at that size. `database`
// names it in messages ("the witness database DIR/witness.db"). kDataLoss (reasons
// "state_lost", "state_behind") naming both sizes otherwise.
Status CheckWitnessAgainstAnchor(const std::string& database,
                                 const std::optional<std::string>& state_id,
                                 const std::map<std::string, AnchoredTree>& stored,
                                 const std::string& anchor_path, const StateAnchor& anchor);

}  // namespace vouch::store

#endif  // VOUCH_STORE_STATE_ANCHOR_H_

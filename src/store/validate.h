// Checks shared by every LogStore implementation (a batch must be self-consistent before any of
// it is written) and by every BrokerStore's, and what the anchored stores (SQLite, PostgreSQL; log
// and witness) compute alike.
#ifndef VOUCH_SRC_STORE_VALIDATE_H_
#define VOUCH_SRC_STORE_VALIDATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vouch/base/status.h"
#include "vouch/base/statusor.h"
#include "vouch/store/broker_store.h"
#include "vouch/store/log_store.h"
#include "vouch/store/state_anchor.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"

namespace vouch::store::internal {

// The largest tile level a tree of at most 2^63 − 1 leaves can have.
inline constexpr uint8_t kMaxStoredTileLevel = 7;
// Tile indices below 2^53 (a level-0 tile index covers trees of up to 2^61 leaves) and tile data
// of at most 32 KiB: the SQLite store keys tile chunks as level << 58 | index << 5 | chunk.
inline constexpr uint64_t kMaxStoredTileIndex = uint64_t{1} << 53;
inline constexpr size_t kMaxStoredTileSize = 32 * 1024;

// OK when `batch` is well formed: sizes add up, entries are at most 65,535 bytes, the compact
// range has popcount(size) hashes, the checkpoint is non-empty, tile ids and widths are valid.
// Does not look at stored data. kInvalidArgument otherwise.
Status ValidateBatch(const AppendBatch& batch);

// OK when a BrokerStore may record `release`: its quote is at most kMaxStoredQuote bytes.
// kInvalidArgument otherwise.
Status ValidateRelease(const BrokerRelease& release);

// OK when a BrokerStore may record `refusal`: a code of 1 to kMaxRefusalCode bytes and an address
// of at most kMaxRemoteAddress. kInvalidArgument otherwise.
Status ValidateRefusal(const BrokerRefusal& refusal);

// The tiles table key: level << 56 | index. REQUIRES: level <= 7, index < 2^56.
inline int64_t TileKey(uint8_t level, uint64_t index) {
  return static_cast<int64_t>((uint64_t{level} << 56) | index);
}

// REQUIRES: begin <= end and a sane range length, else kInvalidArgument.
Status ValidateRange(uint64_t begin, uint64_t end);

// The root of the tree of `size` entries whose compact range is `range` (largest subtree first;
// tlog::CompactRange). kDataLoss when the range does not fit the size.
StatusOr<tlog::Hash> RangeRoot(uint64_t size, const std::vector<tlog::Hash>& range);

// The checkpoint body of a signed checkpoint note (the text before the blank line).
StatusOr<tlog::Checkpoint> ParseCheckpointBody(const std::string& note);

// What an anchored log store's Append records: the root of `state`, after checking that its
// checkpoint is the log `bound_origin`'s for that size and root (so an anchor never records what
// was not signed). kFailedPrecondition before Bind (no origin), kInvalidArgument otherwise.
StatusOr<tlog::Hash> AnchorableRoot(const std::optional<std::string>& bound_origin,
                                    const LogTreeState& state);

// Records `tree` as the newest signed tree of the log `origin` in `anchor` (a log's anchor holds
// one tree, so any other is dropped) and rewrites the anchor file at `anchor_path`
// (WriteStateAnchor, whose error it returns).
Status AdvanceLogAnchor(const std::string& anchor_path, const std::string& origin,
                        AnchoredTree tree, StateAnchor& anchor);

// The last step of an anchored Append, after its commit: AdvanceLogAnchor to the batch's tree
// (`state`, whose root AnchorableRoot returned). When the anchor cannot be rewritten,
// kUnavailable with reason kCommittedNotAcknowledged: the batch is committed but must not be
// acknowledged.
Status AnchorCommittedBatch(const std::string& anchor_path, const std::string& origin,
                            const LogTreeState& state, const tlog::Hash& root, StateAnchor& anchor);

// A refusal to open a `kind` state that disagrees with its anchor: `message` with a pointer to the
// operators' recovery notes (docs/KIND.md, "Recovery"), `code` and `reason`.
Status AnchorError(StateKind kind, StatusCode code, const char* reason, std::string message);
// The same for a log state.
Status AnchorError(StatusCode code, const char* reason, std::string message);

// What a witness store does once a commit cosigned newer trees: rewrite its anchor (`anchor`, at
// `anchor_path`) before any response is given. When it cannot, kUnavailable (reason
// "state_anchor_write"): the state is committed, but nothing is cosigned.
Status WriteWitnessAnchor(const std::string& anchor_path, const StateAnchor& anchor);

}  // namespace vouch::store::internal

#endif  // VOUCH_SRC_STORE_VALIDATE_H_

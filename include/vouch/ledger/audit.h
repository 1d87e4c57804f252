// Auditing a tiled log (spec/transparency-log.md §3, §8): fetch the checkpoint and verify it
// against a policy; check it is consistent with the last checkpoint the auditor trusted (a
// rollback or a different root at the same size is refused); then fetch every hash tile and
// entry bundle and recompute the whole tree, which must give the checkpoint's root.
//
// An auditor that audited an earlier checkpoint may resume from it (AuditOptions::resume) and read
// only what was appended since. The recomputation streams: level-0 tiles are read in order, each
// entry's leaf hash is checked against its tile, the leaf hashes are appended to a compact range,
// and every node at a tile boundary (levels 8, 16, ...) is compared with the hash the log serves
// for it in the tile one level up. Memory is O(tile levels × tile size), whatever the size of the
// log.
//
// Outcomes: OK with an AuditResult; kPermissionDenied when the log is caught misbehaving,
// with reasons "checkpoint_rollback", "checkpoint_fork", "origin_mismatch",
// "consistency_proof_invalid", "tile_invalid" (a tile or bundle of the wrong size or
// format, a bundle whose entries do not hash to their tile, a tile hash that does not match
// the recomputed node), "tile_missing" (a tile the checkpoint justifies is not served),
// "root_mismatch", and the policy's reasons ("policy_*", "note_*"); kInvalidArgument when the
// checkpoint does not parse ("checkpoint_malformed"); kUnavailable / kDeadlineExceeded when the
// fetcher cannot reach the log.
//
// Thread-safety: AuditLog is thread-compatible (it uses its fetcher from the calling thread).
#ifndef VOUCH_LEDGER_AUDIT_H_
#define VOUCH_LEDGER_AUDIT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/tiles.h"

namespace vouch::ledger {

// Where an audit reads the log (HTTP in the CLI, a LogReader in tests and benchmarks).
class TileFetcher {
 public:
  virtual ~TileFetcher() = default;
  // The log's current checkpoint note.
  virtual StatusOr<std::string> FetchCheckpoint() = 0;
  // The bytes of tile or bundle `id`; kNotFound when the log does not serve it.
  virtual StatusOr<Bytes> FetchTile(const tlog::TileId& id) = 0;
  // Its bytes from byte `offset` on — the new entries of a partial bundle whose first `offset`
  // bytes the caller read before (a wider partial bundle begins with the narrower one's
  // bytes). This default fetches the whole tile and drops the prefix (kOutOfRange when it is
  // not longer than `offset`); an HTTP client asks the log for the range only.
  virtual StatusOr<Bytes> FetchTileFrom(const tlog::TileId& id, uint64_t offset);
};

// A TileFetcher that also serves receipts (server::LogClient; the self-check's step 7).
class ReceiptFetcher : public TileFetcher {
 public:
  // The receipt (c2sp.org/tlog-proof@v1 text, unverified) of entry `index`.
  virtual StatusOr<std::string> FetchProof(uint64_t index) = 0;
};

// A TileFetcher that answers one checkpoint note the caller already fetched (and verified) and
// reads tiles from `log` (borrowed), so that an audit is about exactly that checkpoint.
class PinnedCheckpointFetcher final : public TileFetcher {
 public:
  PinnedCheckpointFetcher(TileFetcher& log, std::string note) : log_(log), note_(std::move(note)) {}
  StatusOr<std::string> FetchCheckpoint() override { return note_; }
  StatusOr<Bytes> FetchTile(const tlog::TileId& id) override { return log_.FetchTile(id); }
  StatusOr<Bytes> FetchTileFrom(const tlog::TileId& id, uint64_t offset) override {
    return log_.FetchTileFrom(id, offset);
  }

 private:
  TileFetcher& log_;
  std::string note_;
};

struct AuditOptions {
  // Which logs (and witness quorum) the checkpoint must satisfy. REQUIRES: non-null.
  const tlog::Policy* policy = nullptr;
  // A checkpoint note the caller has just verified against `policy`, or null: a fetched note
  // byte for byte equal to it is not verified again (e.g. one pinned by
  // PinnedCheckpointFetcher). Borrowed for the call.
  const std::string* verified_note = nullptr;
  // The last checkpoint this auditor trusted (from its state file), if any.
  std::optional<tlog::Checkpoint> trusted;
  // Also fetch every entry bundle and check it against its level-0 tile.
  bool check_entries = true;
  // Called after each level-0 tile with (entries checked, tree size).
  std::function<void(uint64_t, uint64_t)> progress;
  // With check_entries: called for every entry in index order once it matched its leaf hash
  // (the entry is a view into the bundle, valid during the call). A non-OK status stops the
  // audit and is returned as is. The tree is only known to match the checkpoint's root when
  // AuditLog returns OK, so callers judge nothing final before then.
  std::function<Status(uint64_t index, ByteSpan entry)> on_entry;
  // Continue from the trusted tree instead of recomputing it: its compact range, as an earlier
  // AuditLog of that tree returned it (AuditResult::range). Only the entries from
  // trusted->size() on are read and handed to on_entry; the root recomputed from this range and
  // them must still be the checkpoint's, so the new entries are proven to extend the trusted
  // tree. REQUIRES: `trusted` is set; the range's size and root are the trusted checkpoint's
  // (else kInvalidArgument, nothing fetched).
  std::optional<tlog::CompactRange> resume;
  // With `resume` and a trusted size that is not a multiple of 256: the byte length of the
  // entry bundle of the trusted tree's last, partial tile (AuditResult::tip_bundle_bytes of the
  // audit that returned the range), or 0 when unknown. When set, only that bundle's new entries
  // are fetched (TileFetcher::FetchTileFrom); a log that answers other bytes fails the audit
  // as a tile that does not match, never passes it.
  uint64_t resume_bundle_bytes = 0;
};

struct AuditResult {
  std::string checkpoint_note;  // the verified checkpoint, verbatim
  tlog::Checkpoint checkpoint;
  uint64_t trusted_size = 0;  // size of the trusted checkpoint (0 if none)
  // The checkpoint was proven to extend the trusted one of a smaller size: by a consistency
  // proof read from the tiles or, for a resumed audit, by the root recomputed from the trusted
  // tree's range (which needs no proof; one is read only to name a fork when that fails).
  bool consistency_proven = false;
  uint64_t tiles = 0;        // hash tiles fetched for the recomputation
  uint64_t bundles = 0;      // entry bundles fetched
  tlog::CompactRange range;  // the recomputed tree's, for a later resume
  // The byte length of the entry bundle of the tree's last tile when that tile is partial and
  // its bundle was read (check_entries; for a resumed audit of a tree that has not grown,
  // AuditOptions::resume_bundle_bytes), else 0: resume_bundle_bytes of a later resume.
  uint64_t tip_bundle_bytes = 0;
};

StatusOr<AuditResult> AuditLog(TileFetcher& fetcher, const AuditOptions& options);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_AUDIT_H_

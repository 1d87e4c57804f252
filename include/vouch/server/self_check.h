// The startup self-check of `vouch serve root` and `vouch serve broker` (spec/governance.md
// §5.1; DESIGN.md §3, "Self-check at startup, fail closed"), and the verified view of the
// ledger it is built on, which the root's re-check of a proposal reuses.
//
//   LedgerView view = SyncLedgerView(log, options, &previous)   steps 3–5
//   SelfCheckResult r = RunSelfCheck(log, options, &previous)   steps 1–7
//
// SyncLedgerView fetches the log's checkpoint, verifies it against the witness policy (the log's
// signature and the quorum: quorum "none" is refused), takes its quorum time t_q (policy.h) and
// requires now − max_checkpoint_age ≤ t_q ≤ now + max_clock_skew; with a previous view it also
// requires a size and a t_q no lower than the previous ones and a consistent tree (a consistency
// proof from the previous checkpoint). It then reads every hash tile and entry bundle the
// checkpoint covers, recomputes the tree (ledger::AuditLog) and replays every entry through a
// fresh govern::GovernanceState with the caller's pin: the view's state is the governance state
// at the checkpoint's size n, derived from nothing the log merely asserts. When the previous
// view is of the same tree (origin, size and root hash), its state is reused and only the
// checkpoint is fetched. When the previous view has a state (one this process verified and
// replayed) and the log grew, the sync is incremental (spec §5.1 step 5's alternative): only
// the tiles from the first new entry on are read, the tree is recomputed from the previous
// view's compact range (so the new entries are proven to extend the verified tree), and the new
// entries are replayed on a copy of the previous state — the previous view stays valid for
// whoever still holds it. Otherwise (the first sync, or a high-water mark read back from disk)
// the cost is one full read of the log (tiles of 256 entries) and a replay of every entry.
//
// RunSelfCheck runs, in order, and stops at the first failure:
//   1  the image integrity hook (build/integrity.h), when given;
//   2  own identity: a quote from the platform over the service key's report data, verified
//      with the caller's trust roots and collateral at now; the verified report must state the
//      platform's own MRENCLAVE and that report data → the service's EnclaveInstanceInfo;
//   3–5 SyncLedgerView; then no root set in force is "no_root_set" (with the first version-1
//      root set's rejection, e.g. root_set_pin_mismatch, in the message when there was one);
//   6  root: GovernanceState::RootInForce(own EII, own SPKI, n, now); broker:
//      Admitted(own EII, broker, n, now) — "self_not_admitted", "self_revoked" (the measurement
//      or the key is revoked) or "root_set_expired";
//   7  the receipt: an inclusion proof of the entry that admits it (a root: the root-set entry
//      in force; a broker: the first admission in `by`) fetched from the log and verified with
//      the policy against the entry's leaf hash ("inclusion_proof_invalid").
//
// Errors carry the step's code as Status::reason() (docs/error-codes.md, "Self-check"):
// kUnavailable "log_unreachable"; kPermissionDenied for every check that failed (the policy's
// reasons, checkpoint_stale, checkpoint_from_future, checkpoint_rollback, the tree audit's
// reasons, no_root_set, self_not_admitted, self_revoked, root_set_expired,
// inclusion_proof_invalid, the quote's `sgx verify` reason); kFailedPrecondition
// "self_identity_unavailable"; kInvalidArgument "policy_quorum_none". `vouch serve` turns a
// failure at startup into exit 3 and the one line of FormatSelfCheckFailure.
//
// Thread-compatible: the functions use their fetchers from the calling thread; a LedgerView is
// immutable and its state may be queried from any thread.
#ifndef VOUCH_SERVER_SELF_CHECK_H_
#define VOUCH_SERVER_SELF_CHECK_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/govern/replay.h"
#include "vouch/govern/statement.h"
#include "vouch/ledger/audit.h"
#include "vouch/platform/platform.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/verifier.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/policy.h"

namespace vouch::server {

// Self-check codes (spec/governance.md §5.1), besides the policy's, the tree audit's, the
// governance query's and `sgx verify`'s.
inline constexpr char kLogUnreachable[] = "log_unreachable";
inline constexpr char kPolicyQuorumNone[] = "policy_quorum_none";
inline constexpr char kCheckpointStale[] = "checkpoint_stale";
inline constexpr char kCheckpointFromFuture[] = "checkpoint_from_future";
inline constexpr char kSelfIdentityUnavailable[] = "self_identity_unavailable";
inline constexpr char kSelfNotAdmitted[] = "self_not_admitted";
inline constexpr char kSelfRevoked[] = "self_revoked";
// What a service answers (503) while its last self-check failed.
inline constexpr char kSelfCheckFailed[] = "self_check_failed";

struct LedgerViewOptions {
  // The witness policy; its quorum must not be "none". REQUIRES: non-null; borrowed.
  const tlog::Policy* policy = nullptr;
  // Replay options: the pin of root set version 1 and the optional evidence attester. `origin`
  // is ignored: the checkpoint's origin is the ledger's.
  govern::ReplayOptions replay;
  // t_q must be within [now − max_checkpoint_age, now + max_clock_skew].
  int64_t max_checkpoint_age = 300;
  int64_t max_clock_skew = 300;
  // REQUIRES: non-null; borrowed.
  const Clock* clock = nullptr;
};

struct LedgerView {
  std::string checkpoint_note;  // verbatim, with its cosignatures
  tlog::Checkpoint checkpoint;
  UnixSeconds quorum_time = 0;      // t_q
  std::set<std::string> witnesses;  // the policy names of the witnesses that cosigned
  UnixSeconds synced_at = 0;        // the clock's time when the view was verified
  // The governance state at checkpoint.size(). Never null in a returned view. Replayed with
  // ReplayOptions::list_releases off: its Releases() is empty (a service's memory would
  // otherwise grow with every release recorded).
  std::shared_ptr<const govern::GovernanceState> state;
  // The RFC 6962 leaf hashes of the valid root-set and admission entries, by index (what a
  // receipt is checked against).
  std::map<uint64_t, tlog::Hash> leaf_hashes;
  // The verdict code of the first version-1 root set that was refused, if any (e.g.
  // root_set_pin_mismatch), for "no_root_set" messages.
  std::string first_root_set_rejection;
  // The compact range of the verified tree (empty in a view without a state), from which the
  // next sync resumes.
  tlog::CompactRange tree;
  // The byte length of the entry bundle of the tree's last tile when it is partial (else 0),
  // so that the next sync fetches only the entries appended to it since.
  uint64_t tip_bundle_bytes = 0;
};

// Steps 3–5. `previous`: the high-water mark, or null: the newest view this process trusted,
// or one that LoadHighWaterMark gave (no state). The new checkpoint must not be smaller, must
// be consistent with it (a consistency proof, AuditLog) and its t_q not earlier
// ("checkpoint_rollback"). When `previous` has a state and the tree is the same, that state is
// reused, and when the note is byte for byte the previous view's, so is its verification;
// otherwise every entry is replayed. REQUIRES: `previous` was made with the same options.
StatusOr<LedgerView> SyncLedgerView(ledger::TileFetcher& log, const LedgerViewOptions& options,
                                    const LedgerView* previous);

// The high-water mark across restarts (spec §5.1 step 4), in one file: the checkpoint note of
// the newest view, sealed to the enclave's MRENCLAVE (seal/seal.h, associated data
// kHighWaterMarkAad), written atomically with mode 0600 (docs/self-check.md).
inline constexpr char kHighWaterMarkAad[] = "vouch-high-water-mark/v1";
inline constexpr size_t kMaxHighWaterMarkFileSize = 64 * 1024;
Status SealHighWaterMark(platform::Platform& platform, const std::string& path,
                         const LedgerView& view);
// Reads it back: nullopt when there is no file; else the note verified again under
// `options.policy` (its quorum time recomputed) as a LedgerView without a state, for
// SyncLedgerView's `previous`. Errors: the file's, seal/'s for a blob that does not unseal here
// (another measurement, a damaged file), the checkpoint's or the policy's for a note that does
// not verify. A service must not start on any of them: a lost mark is a rollback opening.
StatusOr<std::optional<LedgerView>> LoadHighWaterMark(platform::Platform& platform,
                                                      const std::string& path,
                                                      const LedgerViewOptions& options);

// Keeps `view` in `*kept` as a service's high-water mark, sealing it to `path` first when it is
// newer (larger, or a later quorum time) than the one kept; an empty `path` keeps it in memory
// only. A failed seal leaves `*kept` unchanged and is returned: the view must not be used.
Status KeepHighWaterMark(platform::Platform& platform, const std::string& path,
                         std::optional<LedgerView>* kept, LedgerView view);

// A service's fresh view: SyncLedgerView from `*kept` (its high-water mark), then
// KeepHighWaterMark. A read that fails is kUnavailable "this `service` cannot read the ledger
// (REASON): …" with the read's reason; a mark that cannot be kept is its error, with context.
Status RefreshLedgerView(ledger::TileFetcher& log, const LedgerViewOptions& options,
                         platform::Platform& platform, const std::string& path,
                         std::string_view service, std::optional<LedgerView>* kept);

// The collateral that verifies `quote` at `now`: a collateral directory's (whatever the quote),
// a PCCS's for the quote's platform (pcs::CollateralCache), the simulated platform's.
using CollateralSource = std::function<StatusOr<sgx::Collateral>(ByteSpan quote, UnixSeconds now)>;

struct SelfCheckOptions {
  // govern::Role::kRoot or govern::Role::kBroker.
  govern::Role role = govern::Role::kRoot;
  // The platform the service runs on. REQUIRES: non-null; borrowed.
  platform::Platform* platform = nullptr;
  // The service's signing key (SPKI DER): a root's is what the root set lists.
  Bytes service_spki;
  // The report data the service's quote carries (a root: govern::RootKeyReportData).
  std::array<uint8_t, 64> report_data{};
  // Verifies the service's own quote. REQUIRES: non-null; borrowed.
  const sgx::DcapVerifier* verifier = nullptr;
  // The collateral for the service's own quote at a time. REQUIRES: non-null.
  CollateralSource collateral;
  // Step 1; null: skipped (the caller ran it already).
  std::function<Status()> integrity_check;
  LedgerViewOptions ledger;
};

struct SelfCheckResult {
  LedgerView view;
  Bytes quote;                   // the service's key-binding quote (step 2)
  EnclaveInstanceInfo self;      // what the verified quote says about the service
  govern::EntryRef admitted_by;  // the root-set entry in force, or the broker's admission
  std::string receipt;           // .tlog-proof of admitted_by, verified
};

// Steps 1–7, at options.ledger.clock->Now().
StatusOr<SelfCheckResult> RunSelfCheck(ledger::ReceiptFetcher& log, const SelfCheckOptions& options,
                                       const LedgerView* previous);

// Step 6 on a view: no_root_set when none is in force, else RootInForce (a root) or
// Admitted(broker) with the codes above; OK with the entry that admits the service.
StatusOr<govern::EntryRef> CheckAdmitted(const LedgerView& view, govern::Role role,
                                         const EnclaveInstanceInfo& self, ByteSpan service_spki,
                                         UnixSeconds now);

// "vouch serve <service>: self-check failed (<code>): <detail>; refusing to serve".
std::string FormatSelfCheckFailure(std::string_view service, const Status& status);

}  // namespace vouch::server

#endif  // VOUCH_SERVER_SELF_CHECK_H_

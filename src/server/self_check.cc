// The self-check of spec/governance.md §5.1 (contract in self_check.h).
#include "vouch/server/self_check.h"

#include <algorithm>
#include <utility>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/signer.h"
#include "vouch/govern/codes.h"
#include "vouch/ledger/reasons.h"
#include "vouch/seal/seal.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/proof_file.h"
#include "vouch/tlog/reasons.h"

namespace vouch::server {
namespace {

// "at size 1207 (checkpoint cosigned by 2 witnesses at 2026-12-01T10:04:55Z)".
std::string Where(const LedgerView& view) {
  return "in " + view.checkpoint.origin() + " at size " + std::to_string(view.checkpoint.size()) +
         " (checkpoint cosigned by " + std::to_string(view.witnesses.size()) + " witness" +
         (view.witnesses.size() == 1 ? "" : "es") + " at " + FormatRfc3339(view.quorum_time) + ")";
}

Status Unreachable(const Status& s) {
  return Status(StatusCode::kUnavailable, "the log cannot be reached: " + s.message(),
                kLogUnreachable);
}

bool IsTransport(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
}

// Step 2.
StatusOr<std::pair<Bytes, EnclaveInstanceInfo>> CheckOwnIdentity(const SelfCheckOptions& o,
                                                                 UnixSeconds now) {
  const platform::EnclaveIdentity& id = o.platform->identity();
  auto quote = o.platform->Quote(o.report_data);
  if (!quote.ok()) {
    return Status(StatusCode::kFailedPrecondition,
                  "the platform gives no quote: " + quote.status().message(),
                  kSelfIdentityUnavailable);
  }
  auto collateral = o.collateral(*quote, now);
  if (!collateral.ok()) {
    return Status(
        StatusCode::kFailedPrecondition,
        "no collateral to verify the service's own quote: " + collateral.status().message(),
        kSelfIdentityUnavailable);
  }
  auto verified = o.verifier->Verify(*quote, *collateral, {now, false});
  if (!verified.ok()) {
    return RejectedError(verified.status().reason(), "the service's own quote does not verify (" +
                                                         verified.status().reason() +
                                                         "): " + verified.status().message());
  }
  if (verified->enclave.mr_enclave != id.mr_enclave) {
    return Status(StatusCode::kFailedPrecondition,
                  "the verified quote states MRENCLAVE " + HexEncode(verified->enclave.mr_enclave) +
                      ", the platform says " + HexEncode(id.mr_enclave),
                  kSelfIdentityUnavailable);
  }
  if (verified->enclave.report_data != o.report_data) {
    return Status(StatusCode::kFailedPrecondition,
                  "the verified quote does not carry the service key's report data",
                  kSelfIdentityUnavailable);
  }
  return std::make_pair(std::move(quote).value(), sgx::ToEnclaveInstanceInfo(*verified));
}

// Step 6 for a root: OK with the root-set entry in force.
StatusOr<govern::EntryRef> RootAdmission(const LedgerView& view, const EnclaveInstanceInfo& self,
                                         ByteSpan spki, UnixSeconds now) {
  const uint64_t n = view.checkpoint.size();
  Status s = view.state->RootInForce(self, spki, n, now);
  if (!s.ok()) {
    const std::string& r = s.reason();
    std::string detail = "key " + KeyIdOf(spki) + " with MRENCLAVE " + HexEncode(self.code_hash) +
                         " is not a root in force " + Where(view) + " (" + r + "): " + s.message();
    if (r == govern::kRootSetExpired) return RejectedError(r, detail);
    if (r == govern::kRevoked) return RejectedError(kSelfRevoked, detail);
    return RejectedError(kSelfNotAdmitted, detail);
  }
  auto chain = view.state->RootSetChain();
  return govern::EntryRef{chain.back().index, chain.back().entry_hash};
}

// Step 6 for a broker: OK with the first admission that admits it.
StatusOr<govern::EntryRef> BrokerAdmission(const LedgerView& view, const EnclaveInstanceInfo& self,
                                           UnixSeconds now) {
  govern::AdmissionDecision d =
      view.state->Admitted(self, govern::Role::kBroker, view.checkpoint.size(), now);
  if (d.admitted) return d.by.front();
  std::string detail = "no admission for role broker admits MRENCLAVE " +
                       HexEncode(self.code_hash) + " " + Where(view) + " (" + d.code +
                       "): " + d.message;
  if (d.code == govern::kRootSetExpired) return RejectedError(d.code, detail);
  if (d.code == govern::kRevoked) return RejectedError(kSelfRevoked, detail);
  return RejectedError(kSelfNotAdmitted, detail);
}

}  // namespace

StatusOr<LedgerView> SyncLedgerView(ledger::TileFetcher& log, const LedgerViewOptions& options,
                                    const LedgerView* previous) {
  const tlog::Policy& policy = *options.policy;
  if (policy.quorum() == "none") {
    return MalformedError(kPolicyQuorumNone,
                          "the witness policy requires no witness (quorum none): a service's view "
                          "of the ledger must be cosigned by a witness quorum");
  }
  const UnixSeconds now = options.clock->Now();
  auto note = log.FetchCheckpoint();
  if (!note.ok()) return IsTransport(note.status()) ? Unreachable(note.status()) : note.status();
  auto signed_cp = tlog::SignedCheckpoint::Parse(*note);
  if (!signed_cp.ok()) return signed_cp.status();
  UnixSeconds quorum_time = 0;
  std::set<std::string> witnesses;
  if (previous != nullptr && previous->state != nullptr && *note == previous->checkpoint_note) {
    // Byte for byte the note this process verified (and replayed) for the previous view, under
    // these options: its verification stands (releases under load share checkpoints).
    quorum_time = previous->quorum_time;
    witnesses = previous->witnesses;
  } else {
    auto verified = policy.VerifyCheckpoint(*signed_cp);
    if (!verified.ok()) return verified.status();
    quorum_time = static_cast<UnixSeconds>(verified->quorum_time.value_or(0));
    witnesses = verified->witnesses;
  }

  LedgerView view{.checkpoint_note = std::move(note).value(),
                  .checkpoint = signed_cp->checkpoint(),
                  .quorum_time = quorum_time,
                  .witnesses = std::move(witnesses),
                  .synced_at = now,
                  .state = nullptr,
                  .leaf_hashes = {},
                  .first_root_set_rejection = {},
                  .tree = {},
                  .tip_bundle_bytes = 0};
  // Step 4: freshness, and no step back from the high-water mark.
  if (view.quorum_time < now - options.max_checkpoint_age) {
    return RejectedError(kCheckpointStale, "the newest checkpoint (size " +
                                               std::to_string(view.checkpoint.size()) +
                                               ") was cosigned by the witness quorum at " +
                                               FormatRfc3339(view.quorum_time) + ", more than " +
                                               std::to_string(options.max_checkpoint_age) + " s" +
                                               " before now (" + FormatRfc3339(now) + ")");
  }
  if (view.quorum_time > now + options.max_clock_skew) {
    return RejectedError(kCheckpointFromFuture,
                         "the witness quorum cosigned the newest checkpoint at " +
                             FormatRfc3339(view.quorum_time) + ", more than " +
                             std::to_string(options.max_clock_skew) + " s" + " after now (" +
                             FormatRfc3339(now) + ")");
  }
  std::optional<tlog::Checkpoint> trusted;
  if (previous != nullptr) {
    if (view.quorum_time < previous->quorum_time) {
      return RejectedError(ledger::reasons::kCheckpointRollback,
                           "the newest checkpoint's quorum time " +
                               FormatRfc3339(view.quorum_time) +
                               " is before that of the checkpoint trusted before (" +
                               FormatRfc3339(previous->quorum_time) + ")");
    }
    trusted = previous->checkpoint;  // AuditLog refuses a smaller size or another tree
  }

  // The same tree as the previous view: its replayed state stands (nothing else to read).
  if (previous != nullptr && previous->state != nullptr &&
      previous->checkpoint.size() == view.checkpoint.size() &&
      previous->checkpoint.root() == view.checkpoint.root() &&
      previous->checkpoint.origin() == view.checkpoint.origin()) {
    view.state = previous->state;
    view.leaf_hashes = previous->leaf_hashes;
    view.first_root_set_rejection = previous->first_root_set_rejection;
    view.tree = previous->tree;
    view.tip_bundle_bytes = previous->tip_bundle_bytes;
    return view;
  }

  // Step 5: the tree recomputed and every entry replayed, in one pass — or, when the previous
  // view has a replayed state (this process verified it), only what was appended since: the
  // recomputation resumes from its tree, the replay from a copy of its state.
  const bool resume = previous != nullptr && previous->state != nullptr &&
                      previous->tree.size() == previous->checkpoint.size() &&
                      previous->tree.Root() == previous->checkpoint.root();
  std::shared_ptr<govern::GovernanceState> state;
  ledger::AuditOptions audit;
  if (resume) {
    state = std::make_shared<govern::GovernanceState>(*previous->state);
    view.leaf_hashes = previous->leaf_hashes;
    view.first_root_set_rejection = previous->first_root_set_rejection;
    audit.resume = previous->tree;
    audit.resume_bundle_bytes = previous->tip_bundle_bytes;
  } else {
    govern::ReplayOptions replay = options.replay;
    replay.origin = view.checkpoint.origin();
    // A view decides; it lists no releases, and so does not grow with them.
    replay.list_releases = false;
    state = std::make_shared<govern::GovernanceState>(replay);
  }
  ledger::PinnedCheckpointFetcher pinned(log, view.checkpoint_note);
  audit.policy = &policy;
  audit.verified_note = &view.checkpoint_note;  // verified above (or for the previous view)
  audit.trusted = trusted;
  audit.check_entries = true;
  audit.on_entry = [&](uint64_t index, ByteSpan entry) {
    govern::EntryVerdict v = state->Append(entry);
    if (v.kind == govern::StatementKind::kRootSet && !v.valid &&
        view.first_root_set_rejection.empty() && state->RootSetChain().empty()) {
      view.first_root_set_rejection = v.code;
    }
    if (v.valid && (v.kind == govern::StatementKind::kRootSet ||
                    v.kind == govern::StatementKind::kAdmission)) {
      view.leaf_hashes[index] = tlog::HashLeaf(entry);
    }
    return OkStatus();
  };
  auto tree = ledger::AuditLog(pinned, audit);
  if (!tree.ok()) return IsTransport(tree.status()) ? Unreachable(tree.status()) : tree.status();
  view.state = std::move(state);
  view.tree = tree->range;
  view.tip_bundle_bytes = tree->tip_bundle_bytes;
  return view;
}

Status SealHighWaterMark(platform::Platform& platform, const std::string& path,
                         const LedgerView& view) {
  // (Not a secret; seal/ takes its plaintext as SecretBytes.)
  const SecretBytes note(AsBytes(view.checkpoint_note));
  VOUCH_ASSIGN_OR_RETURN(Bytes blob, seal::Seal(platform, platform::SealPolicy::kMrEnclave, note,
                                                AsBytes(kHighWaterMarkAad)));
  return WriteFileAtomic(path, blob, 0600).WithContext("cannot write the high-water mark " + path);
}

Status KeepHighWaterMark(platform::Platform& platform, const std::string& path,
                         std::optional<LedgerView>* kept, LedgerView view) {
  const bool newer = !*kept || view.checkpoint.size() > (*kept)->checkpoint.size() ||
                     view.quorum_time > (*kept)->quorum_time;
  if (newer && !path.empty()) VOUCH_RETURN_IF_ERROR(SealHighWaterMark(platform, path, view));
  *kept = std::move(view);
  return OkStatus();
}

Status RefreshLedgerView(ledger::TileFetcher& log, const LedgerViewOptions& options,
                         platform::Platform& platform, const std::string& path,
                         std::string_view service, std::optional<LedgerView>* kept) {
  auto synced = SyncLedgerView(log, options, *kept ? &**kept : nullptr);
  if (!synced.ok()) {
    return Status(StatusCode::kUnavailable,
                  "this " + std::string(service) + " cannot read the ledger (" +
                      synced.status().reason() + "): " + synced.status().message(),
                  synced.status().reason());
  }
  return KeepHighWaterMark(platform, path, kept, *std::move(synced))
      .WithContext("this " + std::string(service) + " cannot keep its high-water mark");
}

StatusOr<std::optional<LedgerView>> LoadHighWaterMark(platform::Platform& platform,
                                                      const std::string& path,
                                                      const LedgerViewOptions& options) {
  auto file = ReadFile(path, kMaxHighWaterMarkFileSize);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) return std::optional<LedgerView>();
    return file.status().WithContext("cannot read the high-water mark " + path);
  }
  auto opened = seal::Unseal(platform, *file, AsBytes(kHighWaterMarkAad));
  if (!opened.ok()) {
    return opened.status().WithContext("the high-water mark " + path +
                                       " does not unseal in this enclave");
  }
  std::string note(AsStringView(opened->Reveal()));
  auto signed_cp = tlog::SignedCheckpoint::Parse(note);
  if (!signed_cp.ok()) return signed_cp.status().WithContext("the high-water mark " + path);
  auto verified = options.policy->VerifyCheckpoint(*signed_cp);
  if (!verified.ok()) return verified.status().WithContext("the high-water mark " + path);
  return std::optional<LedgerView>(
      LedgerView{.checkpoint_note = std::move(note),
                 .checkpoint = signed_cp->checkpoint(),
                 .quorum_time = static_cast<UnixSeconds>(verified->quorum_time.value_or(0)),
                 .witnesses = verified->witnesses,
                 .synced_at = 0,
                 .state = nullptr,
                 .leaf_hashes = {},
                 .first_root_set_rejection = {},
                 .tree = {}});
}

StatusOr<SelfCheckResult> RunSelfCheck(ledger::ReceiptFetcher& log, const SelfCheckOptions& options,
                                       const LedgerView* previous) {
  const UnixSeconds now = options.ledger.clock->Now();
  // Step 1.
  if (options.integrity_check) VOUCH_RETURN_IF_ERROR(options.integrity_check());
  // Step 2.
  VOUCH_ASSIGN_OR_RETURN(auto own, CheckOwnIdentity(options, now));
  // Steps 3–5.
  VOUCH_ASSIGN_OR_RETURN(LedgerView view, SyncLedgerView(log, options.ledger, previous));
  // Step 6.
  VOUCH_ASSIGN_OR_RETURN(govern::EntryRef admitted_by,
                         CheckAdmitted(view, options.role, own.second, options.service_spki, now));
  // Step 7.
  auto leaf = view.leaf_hashes.find(admitted_by.index);
  if (leaf == view.leaf_hashes.end()) {
    return InternalError("the admitting entry's leaf hash was not recorded");
  }
  auto text = log.FetchProof(admitted_by.index);
  if (!text.ok()) return IsTransport(text.status()) ? Unreachable(text.status()) : text.status();
  auto proof = tlog::ProofFile::Parse(*text);
  Status proven =
      proof.ok() ? proof->Verify(leaf->second, *options.ledger.policy).status() : proof.status();
  if (proven.ok() && proof->index() != admitted_by.index) {
    proven = RejectedError(tlog::reasons::kInclusionProofInvalid,
                           "the receipt is for entry " + std::to_string(proof->index()));
  }
  if (!proven.ok()) {
    return RejectedError(tlog::reasons::kInclusionProofInvalid,
                         "the log's receipt for entry " + std::to_string(admitted_by.index) +
                             " does not prove its inclusion: " + proven.message());
  }
  return SelfCheckResult{.view = std::move(view),
                         .quote = std::move(own.first),
                         .self = std::move(own.second),
                         .admitted_by = admitted_by,
                         .receipt = std::move(text).value()};
}

StatusOr<govern::EntryRef> CheckAdmitted(const LedgerView& view, govern::Role role,
                                         const EnclaveInstanceInfo& self, ByteSpan service_spki,
                                         UnixSeconds now) {
  if (view.state->RootSetChain().empty()) {
    std::string why = view.first_root_set_rejection.empty()
                          ? "the log holds no root set"
                          : "no root set is in force: the first version-1 root set was refused (" +
                                view.first_root_set_rejection + ")";
    return RejectedError(govern::kNoRootSet, why + " " + Where(view));
  }
  return role == govern::Role::kRoot ? RootAdmission(view, self, service_spki, now)
                                     : BrokerAdmission(view, self, now);
}

std::string FormatSelfCheckFailure(std::string_view service, const Status& status) {
  std::string code = status.reason().empty() ? "internal" : status.reason();
  return "vouch serve " + std::string(service) + ": self-check failed (" + code +
         "): " + status.message() + "; refusing to serve";
}

}  // namespace vouch::server

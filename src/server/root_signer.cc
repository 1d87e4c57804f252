// The decisions of a root (contract in root_signer.h).
#include "vouch/server/root_signer.h"

#include <algorithm>
#include <utility>

#include "vouch/base/encoding.h"
#include "vouch/base/mutex.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/statement.h"

namespace vouch::server {
namespace internal {

struct RootSignerState {
  // Held while a proposal is judged or a check runs, ledger reads included.
  mutable Mutex mu;
  RootStatus status VOUCH_GUARDED_BY(mu);
  // A copy of `status` as of the last change, for status(): GET /identity must not wait for a
  // ledger read. Lock order: mu, then published_mu.
  mutable Mutex published_mu;
  RootStatus published VOUCH_GUARDED_BY(published_mu);
  // The newest view verified (the high-water mark of the next sync), if any.
  std::optional<LedgerView> view VOUCH_GUARDED_BY(mu);
  // What the root's own verified quote says about it (from the last passing check).
  std::optional<EnclaveInstanceInfo> self VOUCH_GUARDED_BY(mu);
};

}  // namespace internal

namespace {

Status RootSelfCheckFailed(const Status& check) {
  return Status(StatusCode::kUnavailable,
                "this root does not sign while its self-check fails (" + check.reason() +
                    "): " + check.message(),
                kSelfCheckFailed);
}

// §4.4, as a root enforces it when it signs.
Status CheckIssueTimeNow(UnixSeconds issued_on, UnixSeconds now, int64_t max_issue_lag,
                         int64_t max_skew) {
  if (issued_on > now + max_skew) {
    return RejectedError(govern::kStatementFromFuture,
                         "issuedOn " + FormatRfc3339(issued_on) + " is more than " +
                             std::to_string(max_skew) + " s after now (" + FormatRfc3339(now) +
                             ")");
  }
  if (issued_on < now - max_issue_lag) {
    return RejectedError(govern::kStatementBackdated,
                         "issuedOn " + FormatRfc3339(issued_on) + " is more than maxIssueLag (" +
                             std::to_string(max_issue_lag) + " s) before now (" +
                             FormatRfc3339(now) + ")");
  }
  return OkStatus();
}

void PublishLocked(internal::RootSignerState& state) VOUCH_REQUIRES(state.mu) {
  MutexLock lock(&state.published_mu);
  state.published = state.status;
}

// Keeps `view` as the high-water mark: in memory, and sealed when it is newer than the last one.
Status KeepViewLocked(const RootSignerOptions& options, internal::RootSignerState& state,
                      LedgerView view) VOUCH_REQUIRES(state.mu) {
  return KeepHighWaterMark(*options.self_check.platform, options.high_water_mark_path, &state.view,
                           std::move(view));
}

Status RunCheckLocked(ledger::ReceiptFetcher& log, const RootSignerOptions& options,
                      internal::RootSignerState& state) VOUCH_REQUIRES(state.mu) {
  const UnixSeconds now = options.self_check.ledger.clock->Now();
  const LedgerView* previous = state.view ? &*state.view : nullptr;
  auto result = RunSelfCheck(log, options.self_check, previous);
  if (result.ok()) {
    Status kept = KeepViewLocked(options, state, result->view);
    if (!kept.ok()) result = kept;
  }
  RootStatus& st = state.status;
  st.checked_at = now;
  if (result.ok()) {
    st.check = OkStatus();
    st.bootstrap = false;
    st.checked_size = result->view.checkpoint.size();
    st.admitted_by = result->admitted_by;
    st.receipt = result->receipt;
    state.self = result->self;
    PublishLocked(state);
    return OkStatus();
  }
  st.check = result.status();
  st.admitted_by.reset();
  st.receipt.clear();
  // Joining: no root set yet, or one that does not list this root (yet). A revoked root, or
  // one whose identity fails, never joins.
  st.bootstrap = options.bootstrap && (result.status().reason() == govern::kNoRootSet ||
                                       result.status().reason() == kSelfNotAdmitted);
  PublishLocked(state);
  return result.status();
}

}  // namespace

RootSigner::RootSigner(ledger::ReceiptFetcher& log, RootSignerOptions options)
    : log_(log),
      options_(std::move(options)),
      state_(std::make_unique<internal::RootSignerState>()) {}

RootSigner::~RootSigner() = default;

StatusOr<std::unique_ptr<RootSigner>> RootSigner::Create(ledger::ReceiptFetcher& log,
                                                         RootSignerOptions options) {
  auto signer = std::unique_ptr<RootSigner>(new RootSigner(log, std::move(options)));
  if (!signer->options_.high_water_mark_path.empty()) {
    VOUCH_ASSIGN_OR_RETURN(std::optional<LedgerView> mark,
                           LoadHighWaterMark(*signer->options_.self_check.platform,
                                             signer->options_.high_water_mark_path,
                                             signer->options_.self_check.ledger));
    MutexLock lock(&signer->state_->mu);
    signer->state_->view = std::move(mark);
  }
  Status check = signer->RunCheck();
  RootStatus status = signer->status();
  if (!check.ok() && !status.bootstrap) return check;
  return signer;
}

Status RootSigner::Recheck() { return RunCheck(); }

Status RootSigner::RunCheck() {
  MutexLock lock(&state_->mu);
  return RunCheckLocked(log_, options_, *state_);
}

RootStatus RootSigner::status() const {
  MutexLock lock(&state_->published_mu);
  return state_->published;
}

StatusOr<dsse::Signature> RootSigner::Sign(ByteSpan statement) {
  MutexLock lock(&state_->mu);
  RootStatus& st = state_->status;
  if (!st.check.ok() && !st.bootstrap) return RootSelfCheckFailed(st.check);

  // A fresh view; the last one is the high-water mark.
  VOUCH_RETURN_IF_ERROR(RefreshLedgerView(log_, options_.self_check.ledger,
                                          *options_.self_check.platform,
                                          options_.high_water_mark_path, "root", &state_->view));
  const LedgerView& view = *state_->view;

  govern::ParseDiagnostics diag;
  auto parsed = govern::ParseStatement(statement, &diag);
  if (st.bootstrap && !view.state->RootSetChain().empty()) {
    // A joining root: perhaps the ledger lists it by now.
    (void)RunCheckLocked(log_, options_, *state_);
  }
  if (st.bootstrap) {
    // Not a root in force (yet): it signs only a root set that lists it — version 1 while there
    // is none, else the next version, whose rules (Review) ask for its admission for role root.
    const auto* rs = parsed.ok() ? std::get_if<govern::RootSet>(&parsed->predicate) : nullptr;
    const bool lists_me =
        rs != nullptr &&
        std::any_of(rs->roots.begin(), rs->roots.end(), [&](const govern::RootDescriptor& r) {
          return r.key.key->key_digest() == key().verifier().key_digest();
        });
    if (!lists_me) {
      const bool none = view.state->RootSetChain().empty();
      return RejectedError(none ? govern::kNoRootSet : kSelfNotAdmitted,
                           std::string("this root is not in a root set in force ") +
                               (none ? "(the ledger has none)" : "(yet)") +
                               ": it signs only a root set that lists its own key (" +
                               key().verifier().KeyId() + ")");
    }
  } else if (view.state->RootSetChain().empty()) {
    return RootSelfCheckFailed(st.check);
  } else {
    // Removed or revoked since the last check: stop now, not at the next one.
    const UnixSeconds at = options_.self_check.ledger.clock->Now();
    auto admitted =
        CheckAdmitted(view, govern::Role::kRoot, *state_->self, key().verifier().spki_der(), at);
    if (!admitted.ok()) {
      st.check = admitted.status();
      st.admitted_by.reset();
      st.receipt.clear();
      PublishLocked(*state_);
      return RootSelfCheckFailed(st.check);
    }
  }

  govern::EntryVerdict verdict = view.state->Review(statement);
  if (!verdict.valid) {
    return RejectedError(verdict.code, verdict.message.empty() ? verdict.code : verdict.message);
  }
  const UnixSeconds now = std::max(options_.self_check.ledger.clock->Now(), view.quorum_time);
  VOUCH_RETURN_IF_ERROR(CheckIssueTimeNow(verdict.issued_on.value_or(0), now, verdict.max_issue_lag,
                                          options_.self_check.ledger.max_clock_skew));
  if (const auto* rs = std::get_if<govern::RootSet>(&parsed->predicate)) {
    for (const govern::RootDescriptor& root : rs->roots) {
      if (options_.attester == nullptr) {
        return RejectedError(govern::kRootEvidenceUnverified,
                             "this root has no collateral to attest root " + root.name +
                                 "'s evidence with (serve root --collateral)");
      }
      Status attested = options_.attester->Attest(root, rs->issued_on);
      if (attested.code() == StatusCode::kNotFound) {
        return RejectedError(govern::kRootEvidenceUnverified,
                             "root " + root.name + ": " + attested.message());
      }
      if (!attested.ok()) {
        return RejectedError(govern::kRootEvidenceInvalid,
                             "root " + root.name + ": " + attested.message());
      }
    }
  }
  return dsse::SignPayload(key(), dsse::kInTotoPayloadType, statement);
}

}  // namespace vouch::server

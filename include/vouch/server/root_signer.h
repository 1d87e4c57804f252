// What a root decides (`vouch serve root`, docs/root.md; DESIGN.md §3 "Dual, independently built
// roots"): whether it may serve at all (its self-check, self_check.h), and whether it signs a
// proposed statement. It never signs on another root's word: every proposal is judged against
// its own verified, replayed view of the ledger.
//
//   auto signer = RootSigner::Create(log, options);   // runs the self-check: fails closed
//   signer->Recheck();                                  // every --recheck-interval
//   StatusOr<dsse::Signature> s = signer->Sign(statement);
//
// Sign(statement), in order (the first failure is the answer):
//   1  the last self-check passed (else kUnavailable "self_check_failed", the check's code in
//      the message) — except in bootstrap (below);
//   2  a view of the ledger no older than the freshness bound: SyncLedgerView with the view of
//      the last sign or check as its high-water mark (only the checkpoint is fetched when the
//      tree has not changed);
//   3  the statement judged as the next entry, signatures aside (GovernanceState::Review: every
//      rule of spec/governance.md §4.2 with its code, e.g. not_reproduced, revoked,
//      root_set_version_gap, reference_not_found, provenance_not_proposable);
//   4  its issue time within [now − maxIssueLag, now + max_clock_skew] (§4.4), where now is the
//      clock's time but never earlier than the checkpoint's quorum time (statement_backdated,
//      statement_from_future);
//   5  a root set: every root's evidence attested at issuedOn with the collateral its statement
//      names (root_evidence_unverified when the collateral is not at hand, root_evidence_invalid);
//   6  signs PAE(application/vnd.in-toto+json, statement) with the sealed key.
// Rejections (3–5) are kPermissionDenied with the rule's code as reason.
//
// Joining (`serve root --bootstrap`): when the self-check fails only because the root is not in
// a root set in force — the ledger has none (no_root_set), or the set in force does not list
// its key (self_not_admitted) — the root still starts and signs exactly one kind of statement:
// a root set that lists its own key (version 1 while there is none, with its pin if it was
// given one; otherwise the next version, for which Review asks an admission of the root for
// role root), with every other rule of Review, among them the reproduction of each root's
// measurement by builders' provenance already in the log. Once a set in force lists it, it is
// an ordinary root and must pass the self-check. A revoked root never joins.
//
// Thread-safe: Sign, Recheck and the accessors may be called from any thread; proposals are
// judged one at a time. status() never waits for a ledger read: it returns the status as of the
// last completed check or proposal.
#ifndef VOUCH_SERVER_ROOT_SIGNER_H_
#define VOUCH_SERVER_ROOT_SIGNER_H_

#include <memory>
#include <optional>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/signer.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/replay.h"
#include "vouch/ledger/audit.h"
#include "vouch/server/self_check.h"

namespace vouch::server {

namespace internal {
struct RootSignerState;
}  // namespace internal

struct RootSignerOptions {
  // Role kRoot; its service_spki is `key`'s.
  SelfCheckOptions self_check;
  // The root's sealed signing key. REQUIRES: non-null; borrowed.
  const PublicKeySign* key = nullptr;
  // Attests the evidence of the roots of a proposed root set; null: root sets are refused
  // (root_evidence_unverified). Borrowed.
  govern::EvidenceAttester* attester = nullptr;
  bool bootstrap = false;
  // Where the high-water mark is kept across restarts (SealHighWaterMark, on
  // self_check.platform); empty: in memory only (tests). Create refuses a file that does not
  // load (LoadHighWaterMark's errors); every newer view the root verifies is sealed there before
  // it is used, and a failure to write it fails that check or proposal.
  std::string high_water_mark_path;
};

// What the last self-check established, for GET /identity.
struct RootStatus {
  Status check;                // OK, or why the root does not sign
  bool bootstrap = false;      // waiting for root set 1
  uint64_t checked_size = 0;   // the ledger size of the last view
  UnixSeconds checked_at = 0;  // when the last check ran
  std::optional<govern::EntryRef> admitted_by;
  std::string receipt;  // .tlog-proof of admitted_by
};

class RootSigner {
 public:
  // Runs the self-check; its failure is returned (exit 3 for `serve root`), except no_root_set
  // with `bootstrap`. `log` is borrowed and must outlive the signer.
  static StatusOr<std::unique_ptr<RootSigner>> Create(ledger::ReceiptFetcher& log,
                                                      RootSignerOptions options);
  ~RootSigner();
  RootSigner(const RootSigner&) = delete;
  RootSigner& operator=(const RootSigner&) = delete;

  // Runs the self-check again; returns its outcome, which Sign obeys until the next one.
  Status Recheck();
  RootStatus status() const;
  StatusOr<dsse::Signature> Sign(ByteSpan statement);

  const PublicKeySign& key() const { return *options_.key; }

 private:
  RootSigner(ledger::ReceiptFetcher& log, RootSignerOptions options);
  Status RunCheck();

  ledger::ReceiptFetcher& log_;
  const RootSignerOptions options_;
  std::unique_ptr<internal::RootSignerState> state_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_ROOT_SIGNER_H_

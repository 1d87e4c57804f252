// The rules that decide, at every position of the ledger, whether each entry is valid
// (spec/governance.md §3.2–§4.5; docs/governance.md), and the query every later component asks:
// is this enclave admitted for this role at this position, and by which entries?
//
//   GovernanceState state(options);          // S_0: empty, with the verifier's pin and origin
//   for (each entry e_i in log order)
//     EntryVerdict v = state.Append(e_i);    // judged once, against S_i; valid entries join
//     S_{i+1}
//   AdmissionDecision d = state.Admitted(eii, Role::kBroker, state.size(), now);
//
// Append() runs the checks of §4.2 in order — E1–E8 (envelope), S1–S3 (statement), G1–G5
// (ledger origin, root set in force, signatures counted once per distinct key, time window,
// kind-specific rules of §3.3–§3.6), P1 (provenance) — and the first failure is the entry's
// verdict. Invalid entries are normal input (anyone can append): they change nothing and keep
// nothing. A revocation never rewrites history: it ends what an earlier entry established from
// its own position on, which the position-indexed state answers for every j ≤ size().
//
// Entries are fed one at a time, so an online auditor feeds them as it reads tiles; memory is
// bounded by the state (valid root sets, provenance, admissions, revocations, the latest
// version of each processing record), not by the length of the log. Provenance whose builder key
// no root set lists yet keeps its payload until a root set lists the key (its signature is then
// verified once).
//
// Findings: alarms (signed_invalid, not_reproducible, root_evidence_invalid, root_set_unpinned is
// a warning) and warnings are attached to the verdict of the entry that raised them (§4.5).
// The collateral-dependent attestation of root evidence is an optional hook whose outcome is a
// finding, never state, so every replay computes the same state (§8 #18).
//
// Proposals (a root before it countersigns, issue 14: it never signs on another root's word):
//
//   EntryVerdict v = state.Review(statement);  // the payload it would sign, judged as entry
//   if (v.valid) sign(PAE(statement));          // size(), signatures aside; state unchanged
//
// Review() and Append() share one judging path; Review() skips exactly the checks that need the
// envelope's signatures (see Review below).
//
// Thread-compatible: Append() mutates; the const queries (Review() included) may run
// concurrently with each other.
#ifndef VOUCH_GOVERN_REPLAY_H_
#define VOUCH_GOVERN_REPLAY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/crypto/sha.h"
#include "vouch/dsse/envelope.h"
#include "vouch/dsse/self_signed.h"
#include "vouch/govern/statement.h"

namespace vouch::govern {

// Full attestation of a root's evidence (quote signature, PCK chain, TCB status, the
// constraint's SEC and EXPIRE) with the collateral the statement names by dirHash — what every
// root does before signing and a verifier holding the collateral should do too (§3.3).
class EvidenceAttester {
 public:
  virtual ~EvidenceAttester() = default;
  // OK when the evidence verifies at `at` and meets `root.constraint`; kNotFound when the
  // collateral is not available (finding root_evidence_unverified); any other error is the
  // rejection (finding root_evidence_invalid with its message).
  virtual Status Attest(const RootDescriptor& root, UnixSeconds at) = 0;
};

struct ReplayOptions {
  // The ledger's checkpoint origin (G1). Unset: the `ledger` of the first valid root set.
  std::optional<std::string> origin;
  // statement_digest of root set version 1 (`--root-set-pin`). Unset: the first version-1
  // root set is trusted on first use and a root_set_unpinned warning says so.
  std::optional<Sha256Digest> root_set_pin;
  // Optional; borrowed, must outlive the state.
  EvidenceAttester* attester = nullptr;
  // Optional: entries this process signed itself (a broker's release records and broker-key
  // statement), whose one signature by the key they name is taken as verified when they come
  // back byte for byte (dsse/self_signed.h). Verdicts are the same with or without it.
  std::shared_ptr<const dsse::SelfSignedEntries> self_signed;
  // Optional: statements this process parsed already (EncodeStatement's parse-back), taken
  // instead of parsing a payload with the same SHA-256 again. Verdicts are the same with or
  // without it.
  std::shared_ptr<const ParsedStatements> parsed;
  // Whether Releases() lists every valid release record (about 300 bytes each, for as long as
  // the state lives). A service that only decides on the state (a root's or a broker's view)
  // turns it off, so that its memory does not grow with every release the ledger records.
  // Verdicts and ActivityReleases are the same either way.
  bool list_releases = true;
};

enum class Severity : uint8_t { kAlarm, kWarning };
std::string_view SeverityName(Severity severity);  // "alarm", "warning"

struct Finding {
  Severity severity = Severity::kWarning;
  std::string code;
  std::string message;
};

struct EntryVerdict {
  uint64_t index = 0;
  Sha256Digest entry_hash{};
  // The statement kind once known (S2); unset for entries that are not statements of a known
  // type.
  std::optional<StatementKind> kind;
  bool valid = false;
  std::string code;     // empty when valid
  std::string message;  // what was wrong, for people
  std::string path;     // JSON pointer for statement errors (S2/S3), else empty
  std::optional<UnixSeconds> issued_on;
  // maxIssueLag of the root set in force (default PT1H): the online bound of §4.4.
  int64_t max_issue_lag = 3600;
  std::vector<Finding> findings;
};

// Online audit (§4.4): the issue-time check of entry i against the quorum times t_q of the
// last recorded checkpoint with size ≤ i (`before`) and the first with size > i (`after`).
// Returns statement_from_future, statement_backdated, issue_time_unverified, or nullopt.
std::optional<std::string> CheckIssueTime(UnixSeconds issued_on, std::optional<UnixSeconds> before,
                                          std::optional<UnixSeconds> after, int64_t max_issue_lag,
                                          int64_t max_skew = 300);

// The quorum times t_q (spec/governance.md §5.1 step 4) of the checkpoints an online auditor
// has verified, by tree size — what its state file keeps between runs — and the issue-time
// bound of §4.4 over them. For entry i, the checkpoints that do not cover it (size ≤ i) prove
// that it was not yet logged at their t_q, and those that cover it (size > i) that it was logged
// by theirs: `before` is the latest t_q of the former, `after` the earliest of the latter. Only
// the earliest and the latest t_q of each size are kept (nothing else can be `before` or
// `after`), so the record grows with the number of audits, not of entries.
class CheckpointTimes {
 public:
  struct Record {
    uint64_t size = 0;
    UnixSeconds quorum_time = 0;
  };

  // O(log records); the lookup arrays are rebuilt once, by the next Check.
  void Add(uint64_t size, UnixSeconds quorum_time);
  // Ascending by size, then time.
  std::vector<Record> records() const;
  bool empty() const { return by_size_.empty(); }

  // The bound for entry `index` issued at `issued_on` (CheckIssueTime with `before`/`after` as
  // above, `max_skew` ≥ 0): a Finding — statement_from_future and statement_backdated are
  // alarms, issue_time_unverified a warning — whose message names the times compared, or
  // nullopt when the issue time is within the bound (or nothing recorded bounds it).
  // O(log records) after the first call following an Add.
  std::optional<Finding> Check(uint64_t index, UnixSeconds issued_on, int64_t max_issue_lag,
                               int64_t max_skew);

 private:
  void Rebuild();
  // size → (earliest, latest) t_q.
  std::map<uint64_t, std::pair<UnixSeconds, UnixSeconds>> by_size_;
  // Parallel arrays over by_size_ (valid unless stale_): sizes, prefix maximum of the latest
  // t_q, suffix minimum of the earliest t_q.
  bool stale_ = false;
  std::vector<uint64_t> sizes_;
  std::vector<UnixSeconds> prefix_latest_;
  std::vector<UnixSeconds> suffix_earliest_;
};

// §3.3 step 1 without the pin: a root set after version `current` (none: the first) must be
// `current` + 1 (1). Rejections "root_set_version_gap", "root_set_version_replayed".
Status CheckRootSetVersion(std::optional<uint64_t> current, uint64_t candidate);

// §3.3 step 4 (TUF 5.3.4): among the distinct keys that signed, at least `old_threshold` keys of
// `old_keys` (skipped when null: version 1) and at least `new_threshold` keys of `new_keys`; a key
// in both sets counts in both. Rejections "old_set_threshold_not_met",
// "new_set_threshold_not_met".
Status CheckRootSetSignatures(const dsse::SignerSet& signers, const dsse::KeySet* old_keys,
                              uint32_t old_threshold, const dsse::KeySet& new_keys,
                              uint32_t new_threshold);

struct AdmissionDecision {
  bool admitted = false;
  std::vector<EntryRef> by;  // the admissions that admit it, ascending index
  std::string code;          // when not admitted (§4.3 codes)
  std::string message;
};

// Summaries for reports.
struct RootSetSummary {
  uint64_t index = 0;
  uint64_t version = 0;
  Sha256Digest statement_digest{};
  Sha256Digest entry_hash{};
  UnixSeconds issued_on = 0;
  UnixSeconds expires = 0;
  uint32_t threshold = 0;
  uint32_t reproduction_threshold = 0;
  struct Root {
    std::string name;
    std::string keyid;
    std::string constraint;
    Sha256Hash mrenclave{};
    // How it is trusted: "set 1 references", "carried", or "admission <index>".
    std::string source;
  };
  std::vector<Root> roots;
  struct Builder {
    std::string id;
    std::vector<std::string> keyids;
  };
  std::vector<Builder> builders;
};

struct ReproductionSummary {
  std::string repository;
  std::string git_commit;
  std::string target;
  std::string bundle_format;
  struct Measurement {
    Sha256Hash mrenclave{};
    std::vector<std::string> builders;  // distinct counting builder ids
    std::vector<uint64_t> entries;      // counting provenance indexes
  };
  std::vector<Measurement> measurements;
  bool conflict = false;  // two counting builders disagree on MRENCLAVE (not_reproducible)
};

struct AdmissionSummary {
  EntryRef entry;
  Role role = Role::kWorkload;
  std::string constraint;
  UnixSeconds not_before = 0;
  UnixSeconds expires = 0;
  std::optional<uint64_t> revoked_at;  // index of the revocation that ended it
  bool in_force = false;               // at the queried position and time (§4.3 without EII)
  std::string reason;                  // why not in force
};

struct RevocationSummary {
  EntryRef entry;
  Revocation revocation;
};

struct RecordSummary {
  EntryRef entry;
  ProcessingRecord record;  // the latest valid version of its activity
};

// A valid release record (provisioning §4.1): who received which envelope's secret, from which
// broker, on what evidence — what `vouch audit releases` lists (§7).
struct ReleaseSummary {
  EntryRef entry;
  UnixSeconds issued_on = 0;
  ReleaseId release_id{};
  ReleaseId envelope_id{};
  Sha256Digest envelope_sha256{};
  BrokerMode broker_mode = BrokerMode::kBroker;
  Sha256Hash broker_mrenclave{};
  std::string broker_signing_keyid;
  std::string constraint;
  EnclaveIdentity identity;  // the target's
  Sha256Digest quote_sha256{};
  bool unadmitted_override = false;
  std::optional<std::string> activity_id;
};

// The valid release records that name one activity (provisioning §4.3), any version of it.
struct ReleaseTally {
  uint64_t releases = 0;
  UnixSeconds first = 0;  // the earliest and latest issuedOn; 0 when releases == 0
  UnixSeconds last = 0;
};

class GovernanceState {
 public:
  explicit GovernanceState(ReplayOptions options);
  ~GovernanceState();
  // A copy is an independent state at the same position: appending to one leaves the other as
  // it was (an incremental sync extends a copy of a state others still query). Its cost is the
  // state's size (records, not entries); no signature is verified again.
  GovernanceState(const GovernanceState& other);
  GovernanceState& operator=(const GovernanceState&) = delete;
  GovernanceState(GovernanceState&&) noexcept;
  GovernanceState& operator=(GovernanceState&&) noexcept;

  // Judges entry size() against the current state and, when valid, adds it.
  EntryVerdict Append(ByteSpan entry);

  // Judges the proposal `statement` — the in-toto statement a root is asked to sign, as the
  // exact DSSE payload bytes (JCS-canonical, as `vouch statement sign` signs it; the pretty
  // `vouch govern … --out` file must be canonicalized first, or S1 refuses it with
  // payload_not_canonical) — as if it were appended as entry size() with enough valid
  // signatures. Never changes the state: size(), the queries and the reports answer as before.
  //
  // Checked, in Append's order and with Append's codes and messages: S1–S3; G1 (ledger), G2 (a
  // root set in force), G4 (issue time within the set in force), G5 (§3.3–§3.6: versions, pin,
  // keys, evidence binding, reproduction against the builders and revocations logged so far,
  // references, windows, revocation targets, record versions). Findings are attached as Append
  // attaches them (root_evidence_unverified / root_evidence_invalid through the attester,
  // root_set_unpinned, not_reproducible).
  //
  // Not checked, because they concern signatures, which are the caller's business (it adds its
  // own and counts them): G3 (signatures of the set in force, threshold), §3.3 step 4 (old and
  // new set thresholds), the signed_invalid alarm. E1–E8 concern the envelope, which the caller
  // builds: a statement too large for any entry fails later, in dsse::LedgerEntry::Create.
  //
  // Refused outright: provenance (provenance_not_proposable, after S1–S3): builders sign
  // provenance, roots never do (§2.3).
  //
  // Statements only, not envelopes: what a root signs is PAE(payloadType, payload), so the
  // payload is what it must judge; the signatures a partially signed envelope carries are
  // irrelevant to its decision (it never signs on another root's word), and an envelope with
  // none does not even parse (E3 wants 1..16). A caller holding an envelope passes
  // dsse::LedgerEntry::Parse(bytes)->payload().
  //
  // The verdict: index = size(); entry_hash all zero (an entry's hash covers its signatures);
  // kind, code, message, path, issued_on, max_issue_lag and findings as Append would set them.
  // A valid verdict means Append(entry) is valid for any canonical entry (E1–E8) with this
  // payload whose signatures pass G3 (or step 4) — provided nothing is appended in between.
  //
  // Judging a root set verifies the signatures of provenance that waits for the builder keys it
  // lists (root set 1 relies on provenance logged before it) without caching the results.
  // REQUIRES: `options.attester`, if any, may be called concurrently when Reviews of root sets
  // run concurrently.
  EntryVerdict Review(ByteSpan statement) const;
  // Number of entries appended so far (the next entry's index).
  uint64_t size() const;
  // The origin in use (option, or the first valid root set's), if known yet.
  std::optional<std::string> origin() const;

  // §4.3: is `eii` admitted for `role` at position `j` (0 ≤ j ≤ size(); the state before entry
  // j) at the caller's time `t`?
  AdmissionDecision Admitted(const EnclaveInstanceInfo& eii, Role role, uint64_t j,
                             UnixSeconds t) const;
  // §4.3: is `spki_der` the key of a root of the set in force at `j`, unrevoked, with `eii`
  // meeting its constraint and its reproduction standing? OK, or a rejection whose reason is a
  // §4.3 code ("not_admitted" when no root has this key).
  Status RootInForce(const EnclaveInstanceInfo& eii, ByteSpan spki_der, uint64_t j,
                     UnixSeconds t) const;

  // The signature rules Append applies to `entry` at position size(): for a root set, §3.3
  // step 4 (a threshold of the set in force's unrevoked root keys, none for version 1, and of
  // the new set's); for an admission, revocation or record, G3 (a threshold of the set in
  // force). OK when they hold; "threshold_not_met" (or the step-4 codes), with
  // "statement_signature_invalid" when a trusted key's signature does not verify; "no_root_set";
  // kInvalidArgument for provenance (its builders sign it) or a payload that is no statement.
  // With Review, the whole of Append's judgement, split as a countersigning client needs it.
  Status CheckSignatures(const dsse::LedgerEntry& entry) const;

  // Reports (§4.5), at position size().  // Reports (§4.5), at position size().
  std::vector<RootSetSummary> RootSetChain() const;
  std::vector<ReproductionSummary> Reproductions() const;
  std::vector<AdmissionSummary> Admissions(UnixSeconds t) const;
  std::vector<RevocationSummary> Revocations() const;
  std::vector<RecordSummary> Records() const;
  // The releases recorded for `activity_id` so far (§3.6.4's releases, first_release,
  // last_release).
  ReleaseTally ActivityReleases(std::string_view activity_id) const;
  // Every valid release record so far, in log order (about 300 bytes of memory each); empty
  // when ReplayOptions::list_releases is off.
  const std::vector<ReleaseSummary>& Releases() const;
  // The admission entry at `ref`, if it is a valid admission.
  const Admission* FindAdmission(const EntryRef& ref) const;
  // The index of the valid broker-key statement that announced signing key `keyid` (64 hex),
  // if one did (provisioning §3.7).
  std::optional<uint64_t> BrokerKeyAnnouncement(std::string_view keyid) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch::govern

#endif  // VOUCH_GOVERN_REPLAY_H_

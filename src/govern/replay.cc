#include "vouch/govern/replay.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "vouch/base/encoding.h"
#include "vouch/govern/codes.h"
#include "vouch/sgx/quote.h"

namespace vouch::govern {

namespace {

struct BuildKey {
  std::string repository;
  std::string git_commit;
  std::string target;
  std::string bundle_format;
  friend bool operator==(const BuildKey&, const BuildKey&) = default;
  friend bool operator<(const BuildKey& a, const BuildKey& b) {
    return std::tie(a.repository, a.git_commit, a.target, a.bundle_format) <
           std::tie(b.repository, b.git_commit, b.target, b.bundle_format);
  }
};

enum class SigState : uint8_t { kUnverified, kValid, kInvalid };

struct ProvenanceRecord {
  uint64_t index = 0;
  Sha256Digest entry_hash{};
  std::string keyid;
  Bytes sig;
  Bytes payload;  // kept only until the signature has been verified
  SigState sig_state = SigState::kUnverified;
  std::string builder_id;
  BuildKey build;
  Sha256Hash mrenclave{};
  uint16_t isv_prod_id = 0;
};

// A root set's builders as reproduction counts them: key → builder id, and k.
struct BuilderSet {
  std::unordered_map<std::string, std::string> id_by_keyid;
  uint32_t k = 2;
  // While a root set is judged (null otherwise): the signature verdicts, by entry index, of
  // provenance whose key this set lists and the state has not verified yet (Judged::unlearned;
  // judging changes nothing, Append moves them into the provenance records afterwards).
  const std::unordered_map<uint64_t, bool>* unlearned = nullptr;
};

struct RootRecord {
  std::string name;
  std::shared_ptr<const PublicKeyVerify> key;
  std::string keyid;
  std::string constraint_text;
  EnclaveConstraint constraint;
  Sha256Hash mrenclave{};
  // Its reproduction: set 1's references (counted with set 1's builders) or its admission's
  // (counted with the builders of the set in force at that admission).
  std::vector<EntryRef> repro_refs;
  const BuilderSet* repro_builders = nullptr;
  std::string source;
};

struct RootSetRecord {
  uint64_t index = 0;
  Sha256Digest statement_digest{};
  Sha256Digest entry_hash{};
  std::string ledger;
  UnixSeconds issued_on = 0;
  UnixSeconds expires = 0;
  uint64_t version = 0;
  uint32_t threshold = 0;
  int64_t max_admission_validity = 0;
  int64_t max_issue_lag = 0;
  std::vector<RootRecord> roots;
  std::vector<RootSetSummary::Builder> builder_list;
  BuilderSet builders;
};

struct AdmissionRecord {
  uint64_t index = 0;
  Sha256Digest entry_hash{};
  Admission admission;
  EnclaveConstraint constraint;
  const RootSetRecord* set = nullptr;  // in force at the admission
  std::optional<uint64_t> revoked_at;
};

struct SignerRevocation {
  uint64_t index = 0;
  Sha256Hash mrsigner{};
  std::optional<uint16_t> product_id;
  std::optional<uint32_t> isv_svn_below;
};

// The entry being judged: a logged entry (Append) or a proposal (Review).
struct Candidate {
  // The logged entry; null for a proposal, whose signatures are the caller's business (G3 and
  // root-set step 4 are skipped, no signed_invalid alarm) and which changes nothing.
  const dsse::LedgerEntry* entry = nullptr;
  Sha256Digest entry_hash{};  // all zero for a proposal
  Sha256Digest statement_digest{};
  bool proposal() const { return entry == nullptr; }
};

// A valid broker-key statement (provisioning §3.7): the broker's signing key and the identity
// that announced it.
struct BrokerKeyRecord {
  uint64_t index = 0;
  std::shared_ptr<const PublicKeyVerify> signing_key;
  std::string hpke_keyid;
  EnclaveIdentity identity;
};

// What judging a statement found (Judge decides, Append adds).
struct Judged {
  std::optional<BrokerKeyRecord> broker_key;
  // What a valid statement adds to the state.
  std::unique_ptr<RootSetRecord> root_set;
  std::unique_ptr<AdmissionRecord> admission;
  const RootSetRecord* in_force = nullptr;
  // A root set judged up to step 6: the signature verdicts of the pending provenance under the
  // builder keys it lists. Facts about those entries whatever the set's verdict, so Append
  // keeps them either way (a set that fails later does not make the next one verify again).
  std::optional<std::unordered_map<uint64_t, bool>> unlearned;
};

// What a valid entry at an index is, for references.
struct IndexedEntry {
  StatementKind kind = StatementKind::kProvenance;
  Sha256Digest entry_hash{};
  size_t slot = 0;  // into provenance / admissions
};

Status Rejected(const char* code, std::string message) {
  return RejectedError(code, std::move(message));
}

std::string Short(const Sha256Hash& h) { return HexEncode(h); }

std::string RefText(const EntryRef& r) {
  return "{index " + std::to_string(r.index) + ", sha256 " + HexEncode(r.sha256).substr(0, 16) +
         "…}";
}

Sha256Hash ToHash(const Bytes& b) {
  Sha256Hash h{};
  std::copy_n(b.begin(), std::min<size_t>(32, b.size()), h.begin());
  return h;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kAlarm ? "alarm" : "warning";
}

std::optional<std::string> CheckIssueTime(UnixSeconds issued_on, std::optional<UnixSeconds> before,
                                          std::optional<UnixSeconds> after, int64_t max_issue_lag,
                                          int64_t max_skew) {
  if (after && issued_on > *after + max_skew) return std::string(kStatementFromFuture);
  if (before && issued_on < *before - max_issue_lag - max_skew) {
    return std::string(kStatementBackdated);
  }
  if (!before && after && *after - issued_on > max_issue_lag) {
    return std::string(kIssueTimeUnverified);
  }
  return std::nullopt;
}

void CheckpointTimes::Add(uint64_t size, UnixSeconds quorum_time) {
  auto [it, fresh] = by_size_.emplace(size, std::make_pair(quorum_time, quorum_time));
  if (!fresh) {
    it->second.first = std::min(it->second.first, quorum_time);
    it->second.second = std::max(it->second.second, quorum_time);
  }
  stale_ = true;
}

void CheckpointTimes::Rebuild() {
  stale_ = false;
  const size_t n = by_size_.size();
  sizes_.assign(n, 0);
  prefix_latest_.assign(n, 0);
  suffix_earliest_.assign(n, 0);
  size_t k = 0;
  for (const auto& [size, times] : by_size_) {
    sizes_[k] = size;
    prefix_latest_[k] = k == 0 ? times.second : std::max(prefix_latest_[k - 1], times.second);
    ++k;
  }
  k = n;
  for (auto it = by_size_.rbegin(); it != by_size_.rend(); ++it) {
    --k;
    suffix_earliest_[k] =
        k + 1 == n ? it->second.first : std::min(suffix_earliest_[k + 1], it->second.first);
  }
}

std::vector<CheckpointTimes::Record> CheckpointTimes::records() const {
  std::vector<Record> out;
  for (const auto& [size, times] : by_size_) {
    out.push_back({size, times.first});
    if (times.second != times.first) out.push_back({size, times.second});
  }
  return out;
}

std::optional<Finding> CheckpointTimes::Check(uint64_t index, UnixSeconds issued_on,
                                              int64_t max_issue_lag, int64_t max_skew) {
  if (stale_) Rebuild();
  // Records [0, k) do not cover entry `index` (size ≤ index); [k, n) do.
  const size_t k =
      static_cast<size_t>(std::upper_bound(sizes_.begin(), sizes_.end(), index) - sizes_.begin());
  std::optional<UnixSeconds> before;
  std::optional<UnixSeconds> after;
  if (k > 0) before = prefix_latest_[k - 1];
  if (k < sizes_.size()) after = suffix_earliest_[k];
  auto code = CheckIssueTime(issued_on, before, after, max_issue_lag, max_skew);
  if (!code) return std::nullopt;
  const std::string issued = "issuedOn " + FormatRfc3339(issued_on);
  const std::string entry = "entry " + std::to_string(index);
  const std::string lag = std::to_string(max_issue_lag) + " s";
  const std::string skew = std::to_string(max_skew) + " s";
  if (*code == kStatementFromFuture) {
    return Finding{Severity::kAlarm, *code,
                   issued + " is later than " + FormatRfc3339(*after) +
                       ", when the witness quorum had already cosigned a checkpoint covering " +
                       entry + " (clock skew allowed: " + skew + ")"};
  }
  if (*code == kStatementBackdated) {
    return Finding{Severity::kAlarm, *code,
                   issued + " is more than maxIssueLag (" + lag + ") + " + skew + " before " +
                       FormatRfc3339(*before) +
                       ", when the witness quorum cosigned a checkpoint that did not yet hold " +
                       entry + ": backdated"};
  }
  return Finding{
      Severity::kWarning, *code,
      issued + " is more than maxIssueLag (" + lag + ") before " + FormatRfc3339(*after) +
          ", the earliest witness time this auditor has for a checkpoint covering " + entry +
          ", and no checkpoint it recorded before bounds it from below (audit with "
          "--state at least every maxIssueLag / 2)"};
}

Status CheckRootSetVersion(std::optional<uint64_t> current, uint64_t candidate) {
  if (!current) {
    if (candidate != 1) {
      return Rejected(kRootSetVersionGap,
                      "the first root set is version 1, not " + std::to_string(candidate));
    }
    return OkStatus();
  }
  if (candidate <= *current) {
    return Rejected(kRootSetVersionReplayed, "version " + std::to_string(candidate) +
                                                 " is not after the version in force (" +
                                                 std::to_string(*current) + ")");
  }
  if (candidate > *current + 1) {
    return Rejected(kRootSetVersionGap, "version " + std::to_string(candidate) +
                                            " skips; the next version is " +
                                            std::to_string(*current + 1));
  }
  return OkStatus();
}

Status CheckRootSetSignatures(const dsse::SignerSet& signers, const dsse::KeySet* old_keys,
                              uint32_t old_threshold, const dsse::KeySet& new_keys,
                              uint32_t new_threshold) {
  auto count = [&](const dsse::KeySet& keys) {
    size_t n = 0;
    for (const Sha256Digest& s : signers) n += keys.Contains(s) ? 1 : 0;
    return n;
  };
  if (old_keys != nullptr) {
    size_t n = count(*old_keys);
    if (n < old_threshold) {
      return Rejected(kOldSetThresholdNotMet,
                      std::to_string(n) +
                          " distinct unrevoked keys of the root set in force "
                          "signed; its threshold is " +
                          std::to_string(old_threshold));
    }
  }
  size_t n = count(new_keys);
  if (n < new_threshold) {
    return Rejected(kNewSetThresholdNotMet, std::to_string(n) +
                                                " distinct keys of the new root set signed; its "
                                                "threshold is " +
                                                std::to_string(new_threshold));
  }
  return OkStatus();
}

// Heap records with stable addresses (other records point at them) that a copy duplicates:
// GovernanceState's copy builds its records with this, then re-points what refers into them
// (Impl::RepointAfterCopy).
template <typename T>
class DeepVector : public std::vector<std::unique_ptr<T>> {
 public:
  DeepVector() = default;
  DeepVector(const DeepVector& other) : std::vector<std::unique_ptr<T>>() {
    this->reserve(other.size());
    for (const auto& p : other) this->push_back(std::make_unique<T>(*p));
  }
  DeepVector(DeepVector&&) noexcept = default;
  DeepVector& operator=(const DeepVector&) = delete;
  DeepVector& operator=(DeepVector&&) noexcept = default;
  ~DeepVector() = default;
};

struct GovernanceState::Impl {
  ReplayOptions options;
  std::optional<std::string> origin;
  uint64_t size = 0;

  DeepVector<RootSetRecord> chain;
  dsse::KeySet current_trusted;  // unrevoked roots of chain.back()

  std::vector<ProvenanceRecord> provenance;
  std::map<BuildKey, std::vector<size_t>> prov_by_build;
  std::map<Sha256Hash, std::vector<size_t>> prov_by_mrenclave;
  std::unordered_map<std::string, std::vector<size_t>> pending_by_keyid;
  std::unordered_map<std::string, std::shared_ptr<const PublicKeyVerify>> known_builder_keys;

  DeepVector<AdmissionRecord> admissions;
  std::map<uint64_t, IndexedEntry> by_index;

  std::map<Sha256Hash, uint64_t> measurement_revoked;  // first revocation index
  std::vector<SignerRevocation> signer_revocations;
  std::map<std::string, uint64_t> builder_key_revoked;
  std::map<std::string, uint64_t> root_key_revoked;
  std::vector<RevocationSummary> revocations;
  std::map<std::string, RecordSummary> records;  // latest version by activity id
  // Every valid processing record, by index: what a release record's `record` may name (the
  // version in force when the broker judged it may since have been superseded).
  struct RecordVersion {
    Sha256Digest entry_hash{};
    std::string activity_id;
    uint64_t version = 0;
  };
  std::map<uint64_t, RecordVersion> record_versions;
  // Announced broker signing keys by keyid: the first valid broker-key statement for each.
  std::unordered_map<std::string, BrokerKeyRecord> broker_keys;
  // Valid release records, in log order, and by the activity they name.
  std::vector<ReleaseSummary> releases;
  std::map<std::string, ReleaseTally, std::less<>> releases_by_activity;

  // After a copy from `from`: what pointed into `from`'s root sets points into this copy's.
  void RepointAfterCopy(const Impl& from) {
    std::unordered_map<const RootSetRecord*, const RootSetRecord*> sets;
    std::unordered_map<const BuilderSet*, const BuilderSet*> builders;
    for (size_t i = 0; i < chain.size(); ++i) {
      sets.emplace(from.chain[i].get(), chain[i].get());
      builders.emplace(&from.chain[i]->builders, &chain[i]->builders);
    }
    for (auto& set : chain) {
      for (RootRecord& root : set->roots) {
        if (root.repro_builders != nullptr) root.repro_builders = builders.at(root.repro_builders);
      }
    }
    for (auto& a : admissions) {
      if (a->set != nullptr) a->set = sets.at(a->set);
    }
  }

  // ---- lookups at a position ----

  const RootSetRecord* SetInForce(uint64_t j) const {
    auto it = std::lower_bound(chain.begin(), chain.end(), j,
                               [](const auto& r, uint64_t pos) { return r->index < pos; });
    if (it == chain.begin()) return nullptr;
    return std::prev(it)->get();
  }

  static bool RevokedBefore(const std::map<std::string, uint64_t>& m, const std::string& key,
                            uint64_t j) {
    auto it = m.find(key);
    return it != m.end() && it->second < j;
  }

  bool MeasurementRevokedBefore(const Sha256Hash& m, uint64_t j) const {
    auto it = measurement_revoked.find(m);
    return it != measurement_revoked.end() && it->second < j;
  }

  // A signer revocation that blocks identities with this MRSIGNER, product and ISVSVN.
  bool IdentitySignerRevokedBefore(const Sha256Hash& mrsigner, uint16_t product, uint16_t svn,
                                   uint64_t j) const {
    for (const SignerRevocation& r : signer_revocations) {
      if (r.index >= j || r.mrsigner != mrsigner) continue;
      if (r.product_id && *r.product_id != product) continue;
      if (r.isv_svn_below && svn >= *r.isv_svn_below) continue;
      return true;
    }
    return false;
  }

  // A signer revocation that forbids admitting "S:mrsigner PROD:product" at all (one that only
  // covers old SVNs leaves newer builds admissible).
  bool AdmissionSignerRevokedBefore(const Sha256Hash& mrsigner, std::optional<int32_t> product,
                                    uint64_t j) const {
    for (const SignerRevocation& r : signer_revocations) {
      if (r.index >= j || r.mrsigner != mrsigner || r.isv_svn_below) continue;
      if (r.product_id && (!product || *r.product_id != *product)) continue;
      return true;
    }
    return false;
  }

  dsse::KeySet UnrevokedRoots(const RootSetRecord& set, uint64_t j) const {
    dsse::KeySet keys;
    for (const RootRecord& r : set.roots) {
      if (!RevokedBefore(root_key_revoked, r.keyid, j)) keys.Add(r.key);
    }
    return keys;
  }

  // ---- reproduction (§3.2) ----

  // Whether provenance `p` counts for builders `b` at `j`; its builder id in `*builder`.
  bool Counts(const ProvenanceRecord& p, const BuilderSet& b, uint64_t j,
              const std::string** builder) const {
    if (p.index >= j) return false;
    if (p.sig_state == SigState::kUnverified) {
      if (b.unlearned == nullptr) return false;
      auto verdict = b.unlearned->find(p.index);
      if (verdict == b.unlearned->end() || !verdict->second) return false;
    } else if (p.sig_state != SigState::kValid) {
      return false;
    }
    auto it = b.id_by_keyid.find(p.keyid);
    if (it == b.id_by_keyid.end() || it->second != p.builder_id) return false;
    if (RevokedBefore(builder_key_revoked, p.keyid, j)) return false;
    if (builder) *builder = &it->second;
    return true;
  }

  bool Conflict(const BuildKey& build, const BuilderSet& b, uint64_t j) const {
    auto it = prov_by_build.find(build);
    if (it == prov_by_build.end()) return false;
    const Sha256Hash* first = nullptr;
    for (size_t slot : it->second) {
      const ProvenanceRecord& p = provenance[slot];
      if (!Counts(p, b, j, nullptr)) continue;
      if (first == nullptr) {
        first = &p.mrenclave;
      } else if (*first != p.mrenclave) {
        return true;
      }
    }
    return false;
  }

  // Resolves references to provenance entries before `j` that count for `b`.
  Status ResolveProvenance(const std::vector<EntryRef>& refs, const BuilderSet& b, uint64_t j,
                           std::vector<const ProvenanceRecord*>* out) const {
    for (const EntryRef& ref : refs) {
      auto it = by_index.find(ref.index);
      if (ref.index >= j || it == by_index.end() || it->second.entry_hash != ref.sha256) {
        return Rejected(kReferenceNotFound, "reference " + RefText(ref) +
                                                " names no valid entry before index " +
                                                std::to_string(j) + " with that entry_hash");
      }
      if (it->second.kind != StatementKind::kProvenance) {
        return Rejected(kReferenceNotProvenance,
                        "reference " + RefText(ref) + " is a " +
                            std::string(StatementKindName(it->second.kind)) +
                            " entry, not build provenance");
      }
      const ProvenanceRecord& p = provenance[it->second.slot];
      if (!Counts(p, b, j, nullptr)) {
        return Rejected(kReferenceNotProvenance,
                        "reference " + RefText(ref) +
                            " is provenance that does not count: its key is not a listed "
                            "builder key, is revoked, its signature does not verify, or its "
                            "builder.id is not that builder's");
      }
      out->push_back(&p);
    }
    return OkStatus();
  }

  // `provs` (resolved, all counting) reproduce `m` for `b` at `j`.
  Status ReproducedBy(const std::vector<const ProvenanceRecord*>& provs, const Sha256Hash& m,
                      const BuilderSet& b, uint64_t j) const {
    if (provs.empty()) {
      return Rejected(kNotReproduced, "no reference reproduces MRENCLAVE " + Short(m));
    }
    const BuildKey& build = provs[0]->build;
    std::set<std::string> builders;
    for (const ProvenanceRecord* p : provs) {
      if (p->mrenclave != m || p->build != build) {
        return Rejected(kNotReproduced,
                        "references disagree: they must name one build (repository, commit, "
                        "target, format) and MRENCLAVE " +
                            Short(m));
      }
      builders.insert(p->builder_id);
    }
    if (builders.size() < b.k) {
      return Rejected(kNotReproduced, "MRENCLAVE " + Short(m) + " is reproduced by " +
                                          std::to_string(builders.size()) +
                                          " distinct builder(s); " + std::to_string(b.k) +
                                          " required");
    }
    if (Conflict(build, b, j)) {
      return Rejected(kNotReproducible,
                      "two counted builders disagree on the MRENCLAVE of " + build.repository +
                          "@" + build.git_commit + " (" + build.target +
                          "): reported, not ignored; it clears only when a builder key is "
                          "revoked");
    }
    return OkStatus();
  }

  // Whether the references still reproduce `m` at `j`: references that no longer count (their
  // builder key revoked before j) or are for other measurements are left out, and what remains
  // must reproduce `m` (queries, reports, carried roots: "counting only unrevoked builder keys").
  Status RefsStillReproduce(const std::vector<EntryRef>& refs, const Sha256Hash& m,
                            const BuilderSet& b, uint64_t j) const {
    std::vector<const ProvenanceRecord*> for_m;
    for (const EntryRef& ref : refs) {
      auto it = by_index.find(ref.index);
      if (ref.index >= j || it == by_index.end() || it->second.entry_hash != ref.sha256 ||
          it->second.kind != StatementKind::kProvenance) {
        continue;
      }
      const ProvenanceRecord& p = provenance[it->second.slot];
      if (p.mrenclave == m && Counts(p, b, j, nullptr)) for_m.push_back(&p);
    }
    return ReproducedBy(for_m, m, b, j);
  }

  // Root set 1: each reference resolves to counting provenance for exactly `m`, and they
  // reproduce it.
  Status RefsReproduceExactly(const std::vector<EntryRef>& refs, const Sha256Hash& m,
                              const BuilderSet& b, uint64_t j) const {
    std::vector<const ProvenanceRecord*> provs;
    VOUCH_RETURN_IF_ERROR(ResolveProvenance(refs, b, j, &provs));
    return ReproducedBy(provs, m, b, j);
  }

  // Dynamically reproduced at j: some build has ≥ k distinct counting builders with `m` and no
  // conflict.
  Status DynamicallyReproduced(const Sha256Hash& m, const BuilderSet& b, uint64_t j) const {
    auto it = prov_by_mrenclave.find(m);
    std::map<BuildKey, std::set<std::string>> per_build;
    if (it != prov_by_mrenclave.end()) {
      for (size_t slot : it->second) {
        const std::string* id = nullptr;
        if (Counts(provenance[slot], b, j, &id)) per_build[provenance[slot].build].insert(*id);
      }
    }
    bool conflict = false;
    size_t best = 0;
    for (const auto& [build, ids] : per_build) {
      if (ids.size() < b.k) {
        best = std::max(best, ids.size());
        continue;
      }
      if (!Conflict(build, b, j)) return OkStatus();
      conflict = true;
    }
    if (conflict) {
      return Rejected(kNotReproducible, "builders disagree on the build of MRENCLAVE " + Short(m));
    }
    return Rejected(kNotReproduced, "MRENCLAVE " + Short(m) + " is reproduced by " +
                                        std::to_string(best) + " distinct builder(s); " +
                                        std::to_string(b.k) + " required");
  }

  // Whether `p`'s signature verifies under `key` (its payload and signature are still kept).
  static bool SignatureVerifies(const ProvenanceRecord& p, const PublicKeyVerify& key) {
    return key.Verify(dsse::Pae(dsse::kInTotoPayloadType, p.payload), p.sig).ok();
  }

  static void SetVerified(ProvenanceRecord& p, bool ok) {
    p.sig_state = ok ? SigState::kValid : SigState::kInvalid;
    Bytes().swap(p.payload);
    Bytes().swap(p.sig);
  }

  // The signature verdicts of the provenance, still unverified, whose keys `rs` lists (for
  // BuilderSet::unlearned): what the set's builders count, without changing the state.
  std::unordered_map<uint64_t, bool> VerifyPending(const RootSet& rs) const {
    std::unordered_map<uint64_t, bool> out;
    for (const BuilderDescriptor& b : rs.builders) {
      for (const Key& k : b.keys) {
        auto pending = pending_by_keyid.find(k.KeyId());
        if (pending == pending_by_keyid.end()) continue;
        for (size_t slot : pending->second) {
          const ProvenanceRecord& p = provenance[slot];
          out.emplace(p.index, SignatureVerifies(p, *k.key));
        }
      }
    }
    return out;
  }

  // Remembers the builder keys of a root set judged up to step 6 and settles the provenance
  // waiting for them, with the verdicts judging the set computed (`verdicts`).
  void LearnBuilderKeys(const RootSet& rs, const std::unordered_map<uint64_t, bool>& verdicts) {
    for (const BuilderDescriptor& d : rs.builders) {
      for (const Key& k : d.keys) {
        std::string keyid = k.KeyId();
        known_builder_keys.emplace(keyid, k.key);
        auto pending = pending_by_keyid.find(keyid);
        if (pending == pending_by_keyid.end()) continue;
        for (size_t slot : pending->second) {
          ProvenanceRecord& p = provenance[slot];
          auto verdict = verdicts.find(p.index);
          SetVerified(p,
                      verdict != verdicts.end() ? verdict->second : SignatureVerifies(p, *k.key));
        }
        pending_by_keyid.erase(pending);
      }
    }
  }

  // ---- judging ----

  // P1. A proposal of provenance is refused: builders sign provenance, roots never do (§2.3).
  Status JudgeProvenance(const Candidate& e, uint64_t i) const {
    if (e.proposal()) {
      return Rejected(kProvenanceNotProposable,
                      "provenance is signed by exactly one builder key, never by the roots: it "
                      "is not a proposal a root reviews or signs");
    }
    const std::vector<dsse::Signature>& sigs = e.entry->signatures();
    if (sigs.size() != 1) {
      return Rejected(kProvenanceSignatureCount,
                      "provenance has exactly one signature (its builder's), this one " +
                          std::to_string(sigs.size()));
    }
    const dsse::Signature& sig = sigs[0];
    if (RevokedBefore(builder_key_revoked, sig.keyid, i + 1)) {
      return Rejected(kBuilderKeyRevoked, "builder key " + sig.keyid + " was revoked at index " +
                                              std::to_string(builder_key_revoked.at(sig.keyid)));
    }
    return OkStatus();
  }

  void AddProvenance(const dsse::LedgerEntry& entry, const Provenance& p, uint64_t i) {
    const dsse::Signature& sig = entry.signatures()[0];
    ProvenanceRecord rec;
    rec.index = i;
    rec.entry_hash = entry.entry_hash();
    rec.keyid = sig.keyid;
    rec.sig = sig.sig;
    rec.payload = entry.payload();
    rec.builder_id = p.builder_id;
    rec.build = {p.repository, p.git_commit, p.target, p.bundle_format};
    rec.mrenclave = p.mrenclave;
    rec.isv_prod_id = p.isv_prod_id;
    size_t slot = provenance.size();
    provenance.push_back(std::move(rec));
    ProvenanceRecord& stored = provenance.back();
    if (auto key = known_builder_keys.find(stored.keyid); key != known_builder_keys.end()) {
      SetVerified(stored, SignatureVerifies(stored, *key->second));
    } else {
      pending_by_keyid[stored.keyid].push_back(slot);
    }
    prov_by_build[stored.build].push_back(slot);
    prov_by_mrenclave[stored.mrenclave].push_back(slot);
    by_index[i] = {StatementKind::kProvenance, stored.entry_hash, slot};
  }

  Status CheckOrigin(const std::string& ledger) const {
    if (origin && *origin != ledger) {
      return Rejected(kLedgerMismatch, "statement is for ledger \"" + ledger +
                                           "\", this ledger is \"" + *origin + "\"");
    }
    return OkStatus();
  }

  // G1–G4 for admissions, revocations and records; G3 (signatures) only for a logged entry.
  Status JudgeCommon(const Candidate& e, const std::string& ledger, UnixSeconds issued_on,
                     const RootSetRecord** in_force) const {
    VOUCH_RETURN_IF_ERROR(CheckOrigin(ledger));
    const RootSetRecord* c = chain.empty() ? nullptr : chain.back().get();
    if (c == nullptr) {
      return Rejected(kNoRootSet, "no root set is in force yet (the pinned version 1 comes first)");
    }
    if (!e.proposal()) {
      VOUCH_ASSIGN_OR_RETURN(
          dsse::SignerSet signers,
          dsse::VerifiedSigners(e.entry->SignedBytes(), e.entry->signatures(), current_trusted));
      VOUCH_RETURN_IF_ERROR(dsse::CheckThreshold(signers, c->threshold,
                                                 "root set version " + std::to_string(c->version)));
    }
    if (issued_on < c->issued_on) {
      return Rejected(kIssuedBeforeRootSet, "issuedOn " + FormatRfc3339(issued_on) +
                                                " is before the root set in force (" +
                                                FormatRfc3339(c->issued_on) + ")");
    }
    if (issued_on >= c->expires) {
      return Rejected(kRootSetExpired, "the root set in force (version " +
                                           std::to_string(c->version) + ") expired at " +
                                           FormatRfc3339(c->expires) +
                                           "; it issues nothing until a new version is logged");
    }
    *in_force = c;
    return OkStatus();
  }

  Status JudgeAdmission(const Admission& a, const RootSetRecord& c, uint64_t i,
                        EnclaveConstraint* parsed) const {
    // Window.
    UnixSeconds nb = a.effective_not_before();
    if (nb < a.issued_on || nb >= a.expires) {
      return Rejected(kValidityWindowInvalid, "needs issuedOn <= notBefore < expires");
    }
    if (a.expires - a.issued_on > c.max_admission_validity) {
      return Rejected(kValidityWindowInvalid,
                      "expires - issuedOn exceeds the root set's maxAdmissionValidity");
    }
    // Role rules.
    auto constraint = EnclaveConstraint::Parse(a.constraint);
    if (!constraint.ok()) return constraint.status();  // S3 checked it already
    const auto& hashes = constraint->acceptable_code_hashes();
    const auto& signers = constraint->acceptable_signers();
    bool c_form = !hashes.empty() && signers.empty() && !constraint->product_id();
    bool s_form = hashes.empty() && !signers.empty() && constraint->product_id();
    if (!c_form && !(a.role == Role::kWorkload && s_form)) {
      return Rejected(kConstraintNotAllowed,
                      a.role == Role::kWorkload
                          ? "a workload is admitted by C: measurements, or by S: with PROD: and "
                            "no C:"
                          : "a root or broker is admitted by C: measurements only (no S:, PROD:)");
    }
    // Revocations.
    for (const Bytes& h : hashes) {
      if (MeasurementRevokedBefore(ToHash(h), i)) {
        return Rejected(kRevoked, "MRENCLAVE " + HexEncode(h) + " is revoked");
      }
    }
    for (const Bytes& s : signers) {
      if (AdmissionSignerRevokedBefore(ToHash(s), constraint->product_id(), i)) {
        return Rejected(kRevoked, "MRSIGNER " + HexEncode(s) + " is revoked for this product");
      }
    }
    // Reproduction.
    std::vector<const ProvenanceRecord*> provs;
    VOUCH_RETURN_IF_ERROR(ResolveProvenance(a.reproduced_by, c.builders, i, &provs));
    std::map<Sha256Hash, std::vector<const ProvenanceRecord*>> by_m;
    for (size_t r = 0; r < provs.size(); ++r) {
      const ProvenanceRecord* p = provs[r];
      if (c_form && hashes.count(Bytes(p->mrenclave.begin(), p->mrenclave.end())) == 0) {
        return Rejected(kNotReproduced, "reference " + RefText(a.reproduced_by[r]) +
                                            " is for MRENCLAVE " + Short(p->mrenclave) +
                                            ", which the constraint does not name");
      }
      if (s_form && p->isv_prod_id != *constraint->product_id()) {
        return Rejected(kNotReproduced,
                        "reference " + RefText(a.reproduced_by[r]) + " builds product " +
                            std::to_string(p->isv_prod_id) +
                            ", not PROD:" + std::to_string(*constraint->product_id()));
      }
      by_m[p->mrenclave].push_back(p);
    }
    if (c_form) {
      for (const Bytes& h : hashes) {
        Sha256Hash m = ToHash(h);
        VOUCH_RETURN_IF_ERROR(ReproducedBy(by_m[m], m, c.builders, i));
      }
    } else {
      for (const auto& [m, group] : by_m) {
        VOUCH_RETURN_IF_ERROR(ReproducedBy(group, m, c.builders, i));
      }
    }
    *parsed = std::move(constraint).value();
    return OkStatus();
  }

  Status JudgeRevocation(const Revocation& r, const RootSetRecord& c, uint64_t i) const {
    if (r.kind == RevocationKind::kAdmission) {
      auto it = by_index.find(r.entry.index);
      if (r.entry.index >= i || it == by_index.end() ||
          it->second.kind != StatementKind::kAdmission || it->second.entry_hash != r.entry.sha256) {
        return Rejected(kRevocationTargetUnknown,
                        "target " + RefText(r.entry) + " is not a valid admission before it");
      }
    }
    if (r.kind == RevocationKind::kRootKey) {
      bool in_set = false;
      size_t unrevoked = 0;
      for (const RootRecord& root : c.roots) {
        bool revoked = RevokedBefore(root_key_revoked, root.keyid, i);
        if (root.keyid == r.keyid && !revoked) in_set = true;
        if (!revoked) ++unrevoked;
      }
      if (in_set && unrevoked - 1 < c.threshold) {
        return Rejected(kRevocationWouldDeadlock,
                        "revoking this root key leaves " + std::to_string(unrevoked - 1) +
                            " unrevoked roots for threshold " + std::to_string(c.threshold) +
                            "; rotate the key out of the root set first, then revoke it");
      }
    }
    return OkStatus();
  }

  Status JudgeRecord(const ProcessingRecord& r, uint64_t i) const {
    auto it = records.find(r.activity_id);
    uint64_t expected = it == records.end() ? 1 : it->second.record.activity_version + 1;
    if (r.activity_version != expected) {
      return Rejected(kRecordVersionGap, "activity \"" + r.activity_id + "\" is at version " +
                                             std::to_string(expected - 1) + "; the next is " +
                                             std::to_string(expected));
    }
    for (const EntryRef& ref : r.covers) {
      auto e = by_index.find(ref.index);
      if (ref.index >= i || e == by_index.end() || e->second.entry_hash != ref.sha256) {
        return Rejected(kReferenceNotFound,
                        "covered entry " + RefText(ref) + " is not a valid entry before it");
      }
      if (e->second.kind != StatementKind::kAdmission) {
        return Rejected(kReferenceNotAdmission,
                        "covered entry " + RefText(ref) + " is not an admission");
      }
    }
    return OkStatus();
  }

  Status JudgeRootSet(const Candidate& e, const RootSet& rs, uint64_t i, EntryVerdict* v,
                      Judged* judged) const {
    const RootSetRecord* c = chain.empty() ? nullptr : chain.back().get();
    VOUCH_RETURN_IF_ERROR(CheckOrigin(rs.ledger));
    Sha256Digest digest = e.statement_digest;
    // Step 1.
    VOUCH_RETURN_IF_ERROR(CheckRootSetVersion(
        c == nullptr ? std::nullopt : std::optional<uint64_t>(c->version), rs.version));
    if (c == nullptr && options.root_set_pin && *options.root_set_pin != digest) {
      return Rejected(kRootSetPinMismatch, "statement digest " + HexEncode(digest) +
                                               " is not the pinned root set " +
                                               HexEncode(*options.root_set_pin));
    }
    // Step 2.
    std::set<Sha256Digest> spkis;
    std::set<std::string> builder_ids;
    std::vector<const Key*> all_keys;
    for (const RootDescriptor& r : rs.roots) all_keys.push_back(&r.key);
    for (const BuilderDescriptor& b : rs.builders) {
      if (!builder_ids.insert(b.id).second) {
        return Rejected(kDuplicateBuilder, "builder id " + b.id + " is listed twice");
      }
      for (const Key& k : b.keys) all_keys.push_back(&k);
    }
    for (const Key* k : all_keys) {
      if (!spkis.insert(k->key->key_digest()).second) {
        return Rejected(kDuplicateKey, "key " + k->KeyId() + " is listed twice");
      }
      if (builder_key_revoked.count(k->KeyId()) || root_key_revoked.count(k->KeyId())) {
        return Rejected(kKeyRevoked, "key " + k->KeyId() + " is revoked");
      }
    }
    int64_t max_validity = *ParseDuration(rs.max_admission_validity);
    int64_t max_lag = *ParseDuration(rs.max_issue_lag);
    if (rs.expires <= rs.issued_on) return Rejected(kExpired, "expires is not after issuedOn");
    // Step 3.
    if (c != nullptr && rs.issued_on < c->issued_on) {
      return Rejected(kIssuedBeforeRootSet, "issuedOn is before the root set in force");
    }
    // Step 4 (a logged entry only).
    if (!e.proposal()) {
      dsse::KeySet trusted;
      if (c != nullptr) {
        for (const auto& k : current_trusted.keys()) trusted.Add(k);
      }
      dsse::KeySet new_keys;
      for (const RootDescriptor& r : rs.roots) {
        trusted.Add(r.key.key);
        new_keys.Add(r.key.key);
      }
      VOUCH_ASSIGN_OR_RETURN(
          dsse::SignerSet signers,
          dsse::VerifiedSigners(e.entry->SignedBytes(), e.entry->signatures(), trusted));
      VOUCH_RETURN_IF_ERROR(CheckRootSetSignatures(signers, c ? &current_trusted : nullptr,
                                                   c ? c->threshold : 0, new_keys, rs.threshold));
    }
    // Step 5.
    auto rec = std::make_unique<RootSetRecord>();
    rec->index = i;
    rec->statement_digest = digest;
    rec->entry_hash = e.entry_hash;
    rec->ledger = rs.ledger;
    rec->issued_on = rs.issued_on;
    rec->expires = rs.expires;
    rec->version = rs.version;
    rec->threshold = rs.threshold;
    rec->max_admission_validity = max_validity;
    rec->max_issue_lag = max_lag;
    rec->builders.k = rs.reproduction_threshold;
    for (const BuilderDescriptor& b : rs.builders) {
      RootSetSummary::Builder summary{b.id, {}};
      for (const Key& k : b.keys) {
        rec->builders.id_by_keyid[k.KeyId()] = b.id;
        summary.keyids.push_back(k.KeyId());
      }
      rec->builder_list.push_back(std::move(summary));
    }
    for (const RootDescriptor& r : rs.roots) {
      auto quote = sgx::Quote::Parse(r.quote);
      if (!quote.ok()) {
        return Rejected(kRootEvidenceMalformed, "root " + r.name + ": the quote does not parse: " +
                                                    quote.status().message());
      }
      if (quote->report_body().report_data != RootKeyReportData(r.key.key->spki_der())) {
        return Rejected(kRootKeyBindingMismatch,
                        "root " + r.name +
                            ": report_data is not SHA-256(\"vouch-root-key/v1\" || "
                            "SPKI) || 0^32 for its key");
      }
      RootRecord root;
      root.name = r.name;
      root.key = r.key.key;
      root.keyid = r.key.KeyId();
      root.constraint_text = r.constraint;
      root.constraint = *EnclaveConstraint::Parse(r.constraint);
      root.mrenclave = quote->report_body().mr_enclave;
      Bytes m(root.mrenclave.begin(), root.mrenclave.end());
      if (root.constraint.acceptable_code_hashes().count(m) == 0) {
        return Rejected(kRootConstraintNotMet, "root " + r.name + ": MRENCLAVE " +
                                                   Short(root.mrenclave) +
                                                   " of its quote is not in its constraint");
      }
      rec->roots.push_back(std::move(root));
    }
    // Step 6. Provenance logged before its builder key was listed is verified now under the
    // keys this set lists, so that its builders can count it (root set 1 relies on that).
    judged->unlearned = VerifyPending(rs);
    rec->builders.unlearned = &*judged->unlearned;
    for (size_t n = 0; n < rs.roots.size(); ++n) {
      RootRecord& root = rec->roots[n];
      if (MeasurementRevokedBefore(root.mrenclave, i)) {
        return Rejected(
            kRevoked, "root " + root.name + ": MRENCLAVE " + Short(root.mrenclave) + " is revoked");
      }
      if (rs.version == 1) {
        root.repro_refs = rs.roots[n].reproduced_by;
        root.repro_builders = &rec->builders;
        root.source = "set 1 references";
      } else {
        const RootRecord* carried = nullptr;
        for (const RootRecord& old : c->roots) {
          if (old.keyid == root.keyid && old.constraint_text == root.constraint_text)
            carried = &old;
        }
        if (carried != nullptr) {
          root.repro_refs = carried->repro_refs;
          root.repro_builders = carried->repro_builders;
          root.source = carried->source;
        } else {
          const AdmissionRecord* found = nullptr;
          for (const auto& a : admissions) {
            if (a->admission.role != Role::kRoot ||
                a->admission.constraint != root.constraint_text ||
                (a->revoked_at && *a->revoked_at < i) ||
                a->admission.effective_not_before() > rs.issued_on ||
                rs.issued_on >= a->admission.expires) {
              continue;
            }
            found = a.get();
            break;
          }
          if (found == nullptr) {
            return Rejected(kRootNotAdmitted,
                            "root " + root.name +
                                " is new and no valid, unrevoked admission for role root with "
                                "its constraint covers issuedOn");
          }
          if (rs.issued_on >= c->expires) {
            return Rejected(kRootSetExpired,
                            "the set in force expired; renew it (same roots, later expires) "
                            "before adding roots");
          }
          root.repro_refs = found->admission.reproduced_by;
          root.repro_builders = &found->set->builders;
          root.source = "admission " + std::to_string(found->index);
        }
      }
      Status repro =
          rs.version == 1
              ? RefsReproduceExactly(root.repro_refs, root.mrenclave, *root.repro_builders, i)
              : RefsStillReproduce(root.repro_refs, root.mrenclave, *root.repro_builders, i);
      if (!repro.ok()) {
        return Status(repro.code(), "root " + root.name + ": " + repro.message(), repro.reason());
      }
    }
    // Attestation of the evidence (findings only).
    for (const RootDescriptor& r : rs.roots) {
      if (options.attester == nullptr) {
        v->findings.push_back({Severity::kWarning, kRootEvidenceUnverified,
                               "root " + r.name + ": evidence not attested (no collateral given)"});
        continue;
      }
      Status s = options.attester->Attest(r, rs.issued_on);
      if (s.code() == StatusCode::kNotFound) {
        v->findings.push_back(
            {Severity::kWarning, kRootEvidenceUnverified, "root " + r.name + ": " + s.message()});
      } else if (!s.ok()) {
        v->findings.push_back(
            {Severity::kAlarm, kRootEvidenceInvalid, "root " + r.name + ": " + s.message()});
      }
    }
    if (c == nullptr && !options.root_set_pin) {
      v->findings.push_back({Severity::kWarning, kRootSetUnpinned,
                             "no --root-set-pin: trusting root set 1 on first use (statement "
                             "digest " +
                                 HexEncode(digest) + ")"});
    }
    judged->root_set = std::move(rec);
    return OkStatus();
  }

  void AddRootSet(std::unique_ptr<RootSetRecord> rec) {
    rec->builders.unlearned = nullptr;  // Append learned them
    if (!origin) origin = rec->ledger;
    by_index[rec->index] = {StatementKind::kRootSet, rec->entry_hash, 0};
    chain.push_back(std::move(rec));
    current_trusted = UnrevokedRoots(*chain.back(), size);
  }

  void AddRevocation(const dsse::LedgerEntry& entry, const Revocation& r, uint64_t i) {
    switch (r.kind) {
      case RevocationKind::kMeasurement:
        measurement_revoked.emplace(r.mrenclave, i);
        break;
      case RevocationKind::kSigner:
        signer_revocations.push_back({i, r.mrsigner, r.product_id, r.isv_svn_below});
        break;
      case RevocationKind::kAdmission: {
        AdmissionRecord& a = *admissions[by_index[r.entry.index].slot];
        if (!a.revoked_at) a.revoked_at = i;
        break;
      }
      case RevocationKind::kBuilderKey:
        builder_key_revoked.emplace(r.keyid, i);
        break;
      case RevocationKind::kRootKey:
        root_key_revoked.emplace(r.keyid, i);
        if (!chain.empty()) current_trusted = UnrevokedRoots(*chain.back(), i + 1);
        break;
    }
    by_index[i] = {StatementKind::kRevocation, entry.entry_hash(), revocations.size()};
    revocations.push_back({{i, entry.entry_hash()}, r});
  }

  // An entry the roots of the set in force signed (a threshold of distinct unrevoked keys,
  // signatures that do not verify ignored) although it is invalid: an alarm.
  void CheckSignedInvalid(const dsse::LedgerEntry& entry, EntryVerdict* v) const {
    static constexpr std::string_view kSignatureCodes[] = {
        dsse::kThresholdNotMet, dsse::kStatementSignatureInvalid, kOldSetThresholdNotMet,
        kNewSetThresholdNotMet};
    if (chain.empty() || std::find(std::begin(kSignatureCodes), std::end(kSignatureCodes),
                                   v->code) != std::end(kSignatureCodes)) {
      return;
    }
    const RootSetRecord& c = *chain.back();
    Bytes pae = entry.SignedBytes();
    dsse::SignerSet signers;
    for (const dsse::Signature& s : entry.signatures()) {
      const PublicKeyVerify* key = current_trusted.Find(s.keyid);
      if (key != nullptr && key->Verify(pae, s.sig).ok()) signers.insert(key->key_digest());
    }
    if (signers.size() >= c.threshold) {
      v->findings.push_back(
          {Severity::kAlarm, kSignedInvalid,
           "a threshold of the roots in force signed this invalid entry (" + v->code + ")"});
    }
  }

  EntryVerdict Append(ByteSpan bytes) {
    EntryVerdict v;
    v.index = size;
    v.entry_hash = Sha256(bytes);
    const uint64_t i = size++;
    if (!chain.empty()) v.max_issue_lag = chain.back()->max_issue_lag;
    auto entry = dsse::LedgerEntry::Parse(bytes);
    if (!entry.ok()) {
      v.code = entry.status().reason();
      v.message = entry.status().message();
      return v;
    }
    const Candidate e{&*entry, entry->entry_hash(), entry->statement_digest()};
    std::optional<Statement> st;
    Judged judged;
    Status verdict = JudgePayload(e, entry->payload(), i, &v, &st, &judged);
    if (judged.unlearned) LearnBuilderKeys(std::get<RootSet>(st->predicate), *judged.unlearned);
    if (!verdict.ok()) {
      Reject(verdict, &v);
      CheckSignedInvalid(*entry, &v);
      AlarmNotReproducible(&v);
      return v;
    }
    Apply(*entry, *st, i, std::move(judged));
    v.valid = true;
    return v;
  }

  // The proposal `statement` judged as entry size(); the state is not changed.
  EntryVerdict Review(ByteSpan statement) const {
    EntryVerdict v;
    v.index = size;
    if (!chain.empty()) v.max_issue_lag = chain.back()->max_issue_lag;
    const Candidate e{nullptr, {}, Sha256(statement)};
    std::optional<Statement> st;
    Judged judged;
    Status verdict = JudgePayload(e, statement, size, &v, &st, &judged);
    if (!verdict.ok()) {
      Reject(verdict, &v);
      AlarmNotReproducible(&v);
      return v;
    }
    v.valid = true;
    return v;
  }

  static void Reject(const Status& verdict, EntryVerdict* v) {
    v->code = verdict.reason().empty() ? "internal" : verdict.reason();
    v->message = verdict.message();
  }

  static void AlarmNotReproducible(EntryVerdict* v) {
    if (v->code == kNotReproducible) {
      v->findings.push_back({Severity::kAlarm, kNotReproducible, v->message});
    }
  }

  // S1–S3, then G1–G5 or P1, for the statement `payload` of candidate `e` at index `i`: the one
  // judging path of Append and Review. Sets v->kind, v->path and v->issued_on; `*st` is the
  // statement once it parses, and `*judged` what judging it found.
  Status JudgePayload(const Candidate& e, ByteSpan payload, uint64_t i, EntryVerdict* v,
                      std::optional<Statement>* st, Judged* judged) const {
    if (options.parsed != nullptr) {
      if (auto known = options.parsed->Get(e.statement_digest)) {
        v->kind = (*known)->kind();
        v->issued_on = (*known)->issued_on();
        *st = **known;
        return Judge(e, **st, i, v, judged);
      }
    }
    ParseDiagnostics diag;
    auto parsed = ParseStatement(payload, &diag);
    v->kind = diag.kind;
    if (!parsed.ok()) {
      v->path = diag.path;
      return parsed.status();
    }
    v->issued_on = parsed->issued_on();
    *st = std::move(parsed).value();
    return Judge(e, **st, i, v, judged);
  }

  // The EII an identity object states (no report data, no CPUSVN).
  static EnclaveInstanceInfo IdentityEii(const EnclaveIdentity& id) {
    EnclaveInstanceInfo eii;
    eii.code_hash = id.mrenclave;
    eii.code_signer = id.mrsigner;
    eii.product_id = id.isv_prod_id;
    eii.isv_svn = id.isv_svn;
    eii.mode = id.mode;
    eii.security.summary = id.summary;
    eii.security.timestamp = id.collateral_time;
    return eii;
  }

  // At least one signature of a logged entry verifies under `key` (and none that names it
  // fails); a proposal's signatures are the caller's business.
  Status SignedBy(const Candidate& e, const std::shared_ptr<const PublicKeyVerify>& key,
                  const std::string& what) const {
    if (e.proposal()) return OkStatus();
    if (options.self_signed != nullptr && e.entry->signatures().size() == 1 &&
        options.self_signed->Contains(*key, e.entry_hash)) {
      return OkStatus();  // this process's own signature over these very bytes
    }
    dsse::KeySet trusted;
    trusted.Add(key);
    VOUCH_ASSIGN_OR_RETURN(
        dsse::SignerSet signers,
        dsse::VerifiedSigners(e.entry->SignedBytes(), e.entry->signatures(), trusted));
    return dsse::CheckThreshold(signers, 1, what);
  }

  // Provisioning §3.7: the identity that announces a broker key must be admitted for role
  // broker at position `i`, at the statement's time `t`.
  Status BrokerAdmitted(const EnclaveIdentity& identity, uint64_t i, UnixSeconds t) const {
    AdmissionDecision d = Admitted(IdentityEii(identity), Role::kBroker, i, t);
    if (d.admitted) return OkStatus();
    return Rejected(kBrokerNotAdmitted, "broker MRENCLAVE " + Short(identity.mrenclave) +
                                            " is not admitted for role broker at position " +
                                            std::to_string(i) + " (" + d.code + "): " + d.message);
  }

  // §3.7 broker-key statement: signed by the key it announces, by an admitted broker.
  Status JudgeBrokerKey(const Candidate& e, const BrokerKey& b, uint64_t i, Judged* judged) const {
    VOUCH_RETURN_IF_ERROR(CheckOrigin(b.ledger));
    VOUCH_RETURN_IF_ERROR(
        SignedBy(e, b.signing_key.key, "broker signing key " + b.signing_key.KeyId()));
    // The quote binds both keys and is the identity's (its signature, PCK chain, TCB status and
    // the identity's mode, summary and collateralTime need collateral: not checked here).
    auto quote = sgx::Quote::Parse(b.quote);
    if (!quote.ok()) {
      return Rejected(kBrokerEvidenceMalformed,
                      "the broker's quote does not parse: " + quote.status().message());
    }
    const sgx::ReportBody& body = quote->report_body();
    if (body.report_data != BrokerKeyReportData(b.hpke_key.key, b.signing_key.key->spki_der())) {
      return Rejected(kBrokerKeyBindingMismatch,
                      "report_data is not SHA-256(\"vouch-broker-key/v1\" || SPKI(hpkeKey) || "
                      "SPKI(signingKey)) || 0^32");
    }
    if (body.mr_enclave != b.identity.mrenclave || body.mr_signer != b.identity.mrsigner ||
        body.isv_prod_id != b.identity.isv_prod_id || body.isv_svn != b.identity.isv_svn) {
      return Rejected(kBrokerIdentityMismatch,
                      "the quote's MRENCLAVE, MRSIGNER, ISVPRODID or ISVSVN is not the "
                      "statement's identity");
    }
    VOUCH_RETURN_IF_ERROR(BrokerAdmitted(b.identity, i, b.issued_on));
    judged->broker_key = BrokerKeyRecord{i, b.signing_key.key, b.hpke_key.KeyId(), b.identity};
    return OkStatus();
  }

  // §3.7 auditor rule for a release record (§4.1): its signingKeyid was announced earlier by a
  // valid broker-key statement for the same broker (MRENCLAVE, HPKE key), the record is signed
  // by that key, and the announcing identity is admitted for role broker at this position.
  Status JudgeRelease(const Candidate& e, const ReleaseRecord& r, uint64_t i) const {
    VOUCH_RETURN_IF_ERROR(CheckOrigin(r.ledger));
    auto it = broker_keys.find(r.broker_signing_keyid);
    if (it == broker_keys.end() || it->second.index >= i) {
      return Rejected(kBrokerKeyUnannounced,
                      "broker signing key " + r.broker_signing_keyid +
                          " was not announced by a valid broker-key statement earlier in the log");
    }
    const BrokerKeyRecord& announced = it->second;
    if (announced.identity.mrenclave != r.broker_mrenclave ||
        announced.hpke_keyid != r.broker_hpke_keyid) {
      return Rejected(kBrokerKeyMismatch,
                      "broker MRENCLAVE or HPKE keyid differ from the broker-key statement at "
                      "index " +
                          std::to_string(announced.index) + " that announced signing key " +
                          r.broker_signing_keyid);
    }
    VOUCH_RETURN_IF_ERROR(
        SignedBy(e, announced.signing_key, "broker signing key " + r.broker_signing_keyid));
    VOUCH_RETURN_IF_ERROR(JudgeReleaseRecordRef(r, i));
    return BrokerAdmitted(announced.identity, i, r.issued_on);
  }

  // A release serving an activity names the version of its processing record (governance.md
  // §3.6.1): a valid record before it, of that activity id and version.
  Status JudgeReleaseRecordRef(const ReleaseRecord& r, uint64_t i) const {
    if (!r.record) return OkStatus();
    auto it = record_versions.find(r.record->index);
    if (r.record->index >= i || it == record_versions.end() ||
        it->second.entry_hash != r.record->sha256) {
      return Rejected(kReferenceNotFound, "record " + RefText(*r.record) +
                                              " is not a valid processing record before it");
    }
    if (!r.activity_id || it->second.activity_id != *r.activity_id ||
        it->second.version != r.activity_version) {
      return Rejected(kReleaseRecordMismatch, "record " + RefText(*r.record) + " is version " +
                                                  std::to_string(it->second.version) +
                                                  " of activity \"" + it->second.activity_id +
                                                  "\", not the release's activity");
    }
    return OkStatus();
  }

  Status Judge(const Candidate& e, const Statement& st, uint64_t i, EntryVerdict* v,
               Judged* judged) const {
    if (std::holds_alternative<Provenance>(st.predicate)) return JudgeProvenance(e, i);
    if (const auto* b = std::get_if<BrokerKey>(&st.predicate)) {
      return JudgeBrokerKey(e, *b, i, judged);
    }
    if (const auto* r = std::get_if<ReleaseRecord>(&st.predicate)) return JudgeRelease(e, *r, i);
    // Provisioning §5.3: a re-wrap is signed by the envelope's owners, whose keys the ledger does
    // not hold; it is judged for its ledger and listed, with no effect on the state.
    if (const auto* w = std::get_if<Rewrap>(&st.predicate)) return CheckOrigin(w->ledger);
    if (const auto* rs = std::get_if<RootSet>(&st.predicate)) {
      return JudgeRootSet(e, *rs, i, v, judged);
    }
    VOUCH_RETURN_IF_ERROR(JudgeCommon(e, *st.ledger(), st.issued_on(), &judged->in_force));
    const RootSetRecord& c = *judged->in_force;
    if (const auto* a = std::get_if<Admission>(&st.predicate)) {
      EnclaveConstraint parsed;
      VOUCH_RETURN_IF_ERROR(JudgeAdmission(*a, c, i, &parsed));
      auto rec = std::make_unique<AdmissionRecord>();
      rec->index = i;
      rec->entry_hash = e.entry_hash;
      rec->admission = *a;
      rec->constraint = std::move(parsed);
      rec->set = &c;
      judged->admission = std::move(rec);
      return OkStatus();
    }
    if (const auto* r = std::get_if<Revocation>(&st.predicate)) {
      return JudgeRevocation(*r, c, i);
    }
    return JudgeRecord(std::get<ProcessingRecord>(st.predicate), i);
  }

  // Adds the valid entry `entry` (statement `st`, judged at index `i`) to the state.
  void Apply(const dsse::LedgerEntry& entry, const Statement& st, uint64_t i, Judged judged) {
    if (const auto* p = std::get_if<Provenance>(&st.predicate)) {
      AddProvenance(entry, *p, i);
    } else if (std::holds_alternative<RootSet>(st.predicate)) {
      AddRootSet(std::move(judged.root_set));
    } else if (std::holds_alternative<Admission>(st.predicate)) {
      by_index[i] = {StatementKind::kAdmission, entry.entry_hash(), admissions.size()};
      admissions.push_back(std::move(judged.admission));
    } else if (const auto* r = std::get_if<Revocation>(&st.predicate)) {
      AddRevocation(entry, *r, i);
    } else if (std::holds_alternative<BrokerKey>(st.predicate)) {
      std::string keyid = judged.broker_key->signing_key->KeyId();
      broker_keys.emplace(std::move(keyid), std::move(*judged.broker_key));
    } else if (std::holds_alternative<Rewrap>(st.predicate)) {
      // No state: the entry's verdict (valid, kind rewrap) is what the audit lists.
    } else if (const auto* rel = std::get_if<ReleaseRecord>(&st.predicate)) {
      // A release changes no governance state; it is listed (unless the options say not to),
      // and counted for its activity (§3.6.4).
      if (options.list_releases) {
        releases.push_back({.entry = {i, entry.entry_hash()},
                            .issued_on = rel->issued_on,
                            .release_id = rel->release_id,
                            .envelope_id = rel->envelope_id,
                            .envelope_sha256 = rel->envelope_sha256,
                            .broker_mode = rel->broker_mode,
                            .broker_mrenclave = rel->broker_mrenclave,
                            .broker_signing_keyid = rel->broker_signing_keyid,
                            .constraint = rel->constraint,
                            .identity = rel->identity,
                            .quote_sha256 = rel->quote_sha256,
                            .unadmitted_override = rel->unadmitted_override,
                            .activity_id = rel->activity_id});
      }
      if (rel->activity_id) {
        ReleaseTally& t = releases_by_activity[*rel->activity_id];
        t.first = t.releases == 0 ? rel->issued_on : std::min(t.first, rel->issued_on);
        t.last = t.releases == 0 ? rel->issued_on : std::max(t.last, rel->issued_on);
        ++t.releases;
      }
    } else {
      const auto& rec = std::get<ProcessingRecord>(st.predicate);
      auto old = records.find(rec.activity_id);
      if (old != records.end()) by_index.erase(old->second.entry.index);
      by_index[i] = {StatementKind::kProcessingRecord, entry.entry_hash(), 0};
      records[rec.activity_id] = {{i, entry.entry_hash()}, rec};
      record_versions[i] = {entry.entry_hash(), rec.activity_id, rec.activity_version};
    }
  }

  // ---- queries ----

  // The reproduction of a C-admission for `m` at `j`, or of an S-admission (dynamic).
  Status AdmissionReproduces(const AdmissionRecord& a, const Sha256Hash& m, const RootSetRecord& c,
                             uint64_t j) const {
    if (!a.constraint.acceptable_code_hashes().empty()) {
      return RefsStillReproduce(a.admission.reproduced_by, m, a.set->builders, j);
    }
    return DynamicallyReproduced(m, c.builders, j);
  }

  AdmissionDecision Admitted(const EnclaveInstanceInfo& eii, Role role, uint64_t j,
                             UnixSeconds t) const {
    AdmissionDecision d;
    auto fail = [&](const char* code, std::string message) {
      d.code = code;
      d.message = std::move(message);
      return d;
    };
    const RootSetRecord* c = SetInForce(j);
    if (c == nullptr)
      return fail(kNoRootSet, "no root set is in force at position " + std::to_string(j));
    if (t >= c->expires) {
      return fail(kRootSetExpired, "root set version " + std::to_string(c->version) +
                                       " expired at " + FormatRfc3339(c->expires));
    }
    if (MeasurementRevokedBefore(eii.code_hash, j)) {
      return fail(kRevoked, "MRENCLAVE " + Short(eii.code_hash) + " is revoked");
    }
    if (IdentitySignerRevokedBefore(eii.code_signer, eii.product_id, eii.isv_svn, j)) {
      return fail(kRevoked, "MRSIGNER " + Short(eii.code_signer) + " is revoked for product " +
                                std::to_string(eii.product_id) + ", ISVSVN " +
                                std::to_string(eii.isv_svn));
    }
    int best_stage = -1;
    std::string best_code = kNotAdmitted;
    std::string best_message = "no admission for role " + std::string(RoleName(role)) +
                               " matches MRENCLAVE " + Short(eii.code_hash);
    auto note = [&](int stage, const char* code, const std::string& message) {
      if (stage > best_stage) {
        best_stage = stage;
        best_code = code;
        best_message = message;
      }
    };
    for (const auto& a : admissions) {
      if (a->index >= j) break;
      if (a->admission.role != role || (a->revoked_at && *a->revoked_at < j)) continue;
      // Only admissions about this identity (its MRENCLAVE, or its MRSIGNER) are candidates.
      const auto& hashes = a->constraint.acceptable_code_hashes();
      const auto& signers = a->constraint.acceptable_signers();
      if (hashes.count(Bytes(eii.code_hash.begin(), eii.code_hash.end())) == 0 &&
          signers.count(Bytes(eii.code_signer.begin(), eii.code_signer.end())) == 0) {
        continue;
      }
      std::string ref = "admission " + std::to_string(a->index);
      if (t < a->admission.effective_not_before()) {
        note(0, kNotYetValid,
             ref + " is valid from " + FormatRfc3339(a->admission.effective_not_before()));
        continue;
      }
      if (t >= a->admission.expires) {
        note(0, kExpired, ref + " expired at " + FormatRfc3339(a->admission.expires));
        continue;
      }
      Status check = a->constraint.Check(eii, t);
      if (!check.ok()) {
        note(1, kConstraintFailed, ref + ": " + check.message());
        continue;
      }
      Status repro = AdmissionReproduces(*a, eii.code_hash, *c, j);
      if (!repro.ok()) {
        note(2, kNotReproduced, ref + ": " + repro.message());
        continue;
      }
      d.by.push_back({a->index, a->entry_hash});
    }
    if (!d.by.empty()) {
      d.admitted = true;
      return d;
    }
    d.code = best_code;
    d.message = best_message;
    return d;
  }

  Status RootInForce(const EnclaveInstanceInfo& eii, ByteSpan spki, uint64_t j,
                     UnixSeconds t) const {
    const RootSetRecord* c = SetInForce(j);
    if (c == nullptr)
      return Rejected(kNoRootSet, "no root set is in force at position " + std::to_string(j));
    if (t >= c->expires) {
      return Rejected(kRootSetExpired, "root set version " + std::to_string(c->version) +
                                           " expired at " + FormatRfc3339(c->expires));
    }
    std::string keyid = KeyIdOf(spki);
    const RootRecord* root = nullptr;
    for (const RootRecord& r : c->roots) {
      if (r.keyid == keyid) root = &r;
    }
    if (root == nullptr) {
      return Rejected(kNotAdmitted, "key " + keyid + " is not a root of root set version " +
                                        std::to_string(c->version));
    }
    if (RevokedBefore(root_key_revoked, keyid, j)) {
      return Rejected(kRevoked, "root key " + keyid + " is revoked");
    }
    Status check = root->constraint.Check(eii, t);
    if (!check.ok())
      return Rejected(kConstraintFailed, "root " + root->name + ": " + check.message());
    if (MeasurementRevokedBefore(eii.code_hash, j) ||
        IdentitySignerRevokedBefore(eii.code_signer, eii.product_id, eii.isv_svn, j)) {
      return Rejected(kRevoked, "root " + root->name + ": its identity is revoked");
    }
    Status repro = RefsStillReproduce(root->repro_refs, eii.code_hash, *root->repro_builders, j);
    if (!repro.ok()) return Rejected(kNotReproduced, "root " + root->name + ": " + repro.message());
    return OkStatus();
  }
};

GovernanceState::GovernanceState(ReplayOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->origin = options.origin;
  impl_->options = std::move(options);
}
GovernanceState::GovernanceState(const GovernanceState& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {
  impl_->RepointAfterCopy(*other.impl_);
}
GovernanceState::~GovernanceState() = default;
GovernanceState::GovernanceState(GovernanceState&&) noexcept = default;
GovernanceState& GovernanceState::operator=(GovernanceState&&) noexcept = default;

EntryVerdict GovernanceState::Append(ByteSpan entry) { return impl_->Append(entry); }
EntryVerdict GovernanceState::Review(ByteSpan statement) const { return impl_->Review(statement); }
uint64_t GovernanceState::size() const { return impl_->size; }
std::optional<std::string> GovernanceState::origin() const { return impl_->origin; }

AdmissionDecision GovernanceState::Admitted(const EnclaveInstanceInfo& eii, Role role, uint64_t j,
                                            UnixSeconds t) const {
  return impl_->Admitted(eii, role, std::min(j, impl_->size), t);
}

Status GovernanceState::RootInForce(const EnclaveInstanceInfo& eii, ByteSpan spki_der, uint64_t j,
                                    UnixSeconds t) const {
  return impl_->RootInForce(eii, spki_der, std::min(j, impl_->size), t);
}

Status GovernanceState::CheckSignatures(const dsse::LedgerEntry& entry) const {
  const Impl& s = *impl_;
  VOUCH_ASSIGN_OR_RETURN(Statement st, ParseStatement(entry.payload()));
  const RootSetRecord* c = s.chain.empty() ? nullptr : s.chain.back().get();
  if (const auto* rs = std::get_if<RootSet>(&st.predicate)) {
    // §3.3 step 4: the set in force's unrevoked roots and the new set's, each to its threshold.
    dsse::KeySet trusted;
    if (c != nullptr) {
      for (const auto& k : s.current_trusted.keys()) trusted.Add(k);
    }
    dsse::KeySet new_keys;
    for (const RootDescriptor& r : rs->roots) {
      trusted.Add(r.key.key);
      new_keys.Add(r.key.key);
    }
    VOUCH_ASSIGN_OR_RETURN(dsse::SignerSet signers,
                           dsse::VerifiedSigners(entry.SignedBytes(), entry.signatures(), trusted));
    return CheckRootSetSignatures(signers, c ? &s.current_trusted : nullptr, c ? c->threshold : 0,
                                  new_keys, rs->threshold);
  }
  if (st.kind() == StatementKind::kProvenance) {
    return InvalidArgumentError("provenance is signed by its builders (P1), not by the roots");
  }
  if (c == nullptr) {
    return Rejected(kNoRootSet, "no root set is in force yet (the pinned version 1 comes first)");
  }
  // G3.
  VOUCH_ASSIGN_OR_RETURN(
      dsse::SignerSet signers,
      dsse::VerifiedSigners(entry.SignedBytes(), entry.signatures(), s.current_trusted));
  return dsse::CheckThreshold(signers, c->threshold,
                              "root set version " + std::to_string(c->version));
}

std::vector<RootSetSummary> GovernanceState::RootSetChain() const {
  std::vector<RootSetSummary> out;
  for (const auto& r : impl_->chain) {
    RootSetSummary s;
    s.index = r->index;
    s.version = r->version;
    s.statement_digest = r->statement_digest;
    s.entry_hash = r->entry_hash;
    s.issued_on = r->issued_on;
    s.expires = r->expires;
    s.threshold = r->threshold;
    s.reproduction_threshold = r->builders.k;
    for (const RootRecord& root : r->roots) {
      s.roots.push_back({root.name, root.keyid, root.constraint_text, root.mrenclave, root.source});
    }
    s.builders = r->builder_list;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ReproductionSummary> GovernanceState::Reproductions() const {
  std::vector<ReproductionSummary> out;
  if (impl_->chain.empty()) return out;
  const BuilderSet& b = impl_->chain.back()->builders;
  uint64_t j = impl_->size;
  for (const auto& [build, slots] : impl_->prov_by_build) {
    ReproductionSummary s{
        build.repository, build.git_commit, build.target, build.bundle_format, {}, false};
    std::map<Sha256Hash, ReproductionSummary::Measurement> per_m;
    for (size_t slot : slots) {
      const std::string* id = nullptr;
      const ProvenanceRecord& p = impl_->provenance[slot];
      if (!impl_->Counts(p, b, j, &id)) continue;
      auto& m = per_m[p.mrenclave];
      m.mrenclave = p.mrenclave;
      if (std::find(m.builders.begin(), m.builders.end(), *id) == m.builders.end()) {
        m.builders.push_back(*id);
      }
      m.entries.push_back(p.index);
    }
    if (per_m.empty()) continue;
    for (auto& [m, meas] : per_m) s.measurements.push_back(std::move(meas));
    s.conflict = s.measurements.size() > 1;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<AdmissionSummary> GovernanceState::Admissions(UnixSeconds t) const {
  std::vector<AdmissionSummary> out;
  uint64_t j = impl_->size;
  const RootSetRecord* c = impl_->SetInForce(j);
  for (const auto& a : impl_->admissions) {
    AdmissionSummary s;
    s.entry = {a->index, a->entry_hash};
    s.role = a->admission.role;
    s.constraint = a->admission.constraint;
    s.not_before = a->admission.effective_not_before();
    s.expires = a->admission.expires;
    s.revoked_at = a->revoked_at;
    if (a->revoked_at) {
      s.reason = "revoked at index " + std::to_string(*a->revoked_at);
    } else if (c == nullptr || t >= c->expires) {
      s.reason = "the root set in force is expired";
    } else if (t < s.not_before) {
      s.reason = "not yet valid";
    } else if (t >= s.expires) {
      s.reason = "expired";
    } else {
      for (const Bytes& h : a->constraint.acceptable_code_hashes()) {
        Sha256Hash m = ToHash(h);
        if (impl_->MeasurementRevokedBefore(m, j)) {
          s.reason = "MRENCLAVE " + HexEncode(m) + " revoked";
          break;
        }
        Status repro =
            impl_->RefsStillReproduce(a->admission.reproduced_by, m, a->set->builders, j);
        if (!repro.ok()) {
          s.reason = repro.reason() + ": " + repro.message();
          break;
        }
      }
      for (const Bytes& sg : a->constraint.acceptable_signers()) {
        if (impl_->AdmissionSignerRevokedBefore(ToHash(sg), a->constraint.product_id(), j)) {
          s.reason = "MRSIGNER revoked";
        }
      }
      s.in_force = s.reason.empty();
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<RevocationSummary> GovernanceState::Revocations() const { return impl_->revocations; }

std::vector<RecordSummary> GovernanceState::Records() const {
  std::vector<RecordSummary> out;
  for (const auto& [id, r] : impl_->records) out.push_back(r);
  return out;
}

const std::vector<ReleaseSummary>& GovernanceState::Releases() const { return impl_->releases; }

ReleaseTally GovernanceState::ActivityReleases(std::string_view activity_id) const {
  auto it = impl_->releases_by_activity.find(activity_id);
  return it == impl_->releases_by_activity.end() ? ReleaseTally{} : it->second;
}

std::optional<uint64_t> GovernanceState::BrokerKeyAnnouncement(std::string_view keyid) const {
  auto it = impl_->broker_keys.find(std::string(keyid));
  if (it == impl_->broker_keys.end()) return std::nullopt;
  return it->second.index;
}

const Admission* GovernanceState::FindAdmission(const EntryRef& ref) const {
  auto it = impl_->by_index.find(ref.index);
  if (it == impl_->by_index.end() || it->second.kind != StatementKind::kAdmission ||
      it->second.entry_hash != ref.sha256) {
    return nullptr;
  }
  return &impl_->admissions[it->second.slot]->admission;
}

}  // namespace vouch::govern

#include "vouch/govern/target_admission.h"

#include <algorithm>
#include <string>

#include "vouch/base/encoding.h"

namespace vouch::govern {
namespace {

bool Holds(const EnclaveConstraint::HashSet& set, const Bytes& name) { return set.count(name) > 0; }

}  // namespace

Status TargetRevoked(const GovernanceState& state, const EnclaveConstraint& target) {
  const std::optional<int32_t> product = target.product_id();
  for (const RevocationSummary& r : state.Revocations()) {
    const Revocation& v = r.revocation;
    if (v.kind == RevocationKind::kMeasurement &&
        Holds(target.acceptable_code_hashes(), ToBytes(v.mrenclave))) {
      return RejectedError(kTargetRevoked,
                           "MRENCLAVE " + HexEncode(v.mrenclave) + " is revoked (entry " +
                               std::to_string(r.entry.index) + ", " + v.reason + ")");
    }
    if (v.kind == RevocationKind::kSigner && !v.isv_svn_below &&
        Holds(target.acceptable_signers(), ToBytes(v.mrsigner)) &&
        (!v.product_id || (product && *product == *v.product_id))) {
      return RejectedError(kTargetRevoked,
                           "MRSIGNER " + HexEncode(v.mrsigner) + " is revoked (entry " +
                               std::to_string(r.entry.index) + ", " + v.reason + ")");
    }
  }
  return OkStatus();
}

StatusOr<std::vector<EntryRef>> TargetAdmitted(const GovernanceState& state,
                                               const EnclaveConstraint& target, Role role,
                                               UnixSeconds t) {
  VOUCH_RETURN_IF_ERROR(TargetRevoked(state, target));
  struct InForce {
    EntryRef entry;
    EnclaveConstraint constraint;
  };
  std::vector<InForce> admissions;
  for (const AdmissionSummary& a : state.Admissions(t)) {
    if (a.role != role || !a.in_force) continue;
    // A valid admission's constraint parsed when it was judged; it parses again.
    auto c = EnclaveConstraint::Parse(a.constraint);
    if (c.ok()) admissions.push_back({a.entry, *std::move(c)});
  }
  std::vector<EntryRef> by;
  std::vector<std::string> missing;
  auto cover = [&](auto&& admits, const std::string& name) {
    bool found = false;
    for (const InForce& a : admissions) {
      if (!admits(a.constraint)) continue;
      found = true;
      if (std::find(by.begin(), by.end(), a.entry) == by.end()) by.push_back(a.entry);
    }
    if (!found) missing.push_back(name);
  };
  for (const Bytes& h : target.acceptable_code_hashes()) {
    cover([&](const EnclaveConstraint& c) { return Holds(c.acceptable_code_hashes(), h); },
          "C:" + HexEncodeUpper(h));
  }
  for (const Bytes& s : target.acceptable_signers()) {
    cover(
        [&](const EnclaveConstraint& c) {
          return Holds(c.acceptable_signers(), s) && c.product_id() == target.product_id();
        },
        "S:" + HexEncodeUpper(s) + " PROD:" + std::to_string(target.product_id().value_or(-1)));
  }
  if (!missing.empty() || by.empty()) {
    std::string names;
    for (const std::string& m : missing) names += (names.empty() ? "" : ", ") + m;
    return RejectedError(kTargetNotAdmitted,
                         "no admission for role " + std::string(RoleName(role)) +
                             " in force at size " + std::to_string(state.size()) + " covers " +
                             (names.empty() ? std::string("the constraint") : names));
  }
  std::sort(by.begin(), by.end(),
            [](const EntryRef& a, const EntryRef& b) { return a.index < b.index; });
  return by;
}

std::optional<RecordSummary> LatestRecord(const GovernanceState& state, std::string_view activity) {
  for (RecordSummary& r : state.Records()) {
    if (r.record.activity_id == activity) return std::move(r);
  }
  return std::nullopt;
}

bool RecordCovers(const RecordSummary& record, std::span<const EntryRef> admissions) {
  const auto& covers = record.record.covers;
  return std::any_of(admissions.begin(), admissions.end(), [&](const EntryRef& a) {
    return std::find(covers.begin(), covers.end(), a) != covers.end();
  });
}

}  // namespace vouch::govern

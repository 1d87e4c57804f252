// What an owner asks before sealing a secret to a constraint (spec/provisioning.md §2.4 steps 4
// and 5): is the target constraint admitted for a role, by which admissions, and does a
// processing record cover one of them?
//
// The admission rule (§4.3 of spec/governance.md without an EnclaveInstanceInfo: the target has
// never run): the constraint is admitted iff
//   - each code hash `C:h` is in the constraint of an admission for `role` in force at the
//     state's position and `t` (GovernanceState::Admissions(t), in_force), and
//   - each signer `S:s` with the constraint's `PROD:p` is in one (its `S` set holds s and its
//     PROD is p),
//   - and no name is revoked: a measurement revocation of h; a signer revocation of s that
//     covers every SVN (no isvSvnBelow) and product p or every product — what forbids admitting
//     the name at all (a revocation of old SVNs only leaves newer builds admissible).
//
// Errors (kPermissionDenied): "target_revoked" naming the first revoked name, else
// "target_not_admitted" naming every name no admission in force covers. A revoked name is
// refused before anything else: an owner may override a missing admission (§2.4 step 4,
// --allow-unadmitted) but never a revocation.
//
// Thread-safe: reads a const state.
#ifndef VOUCH_GOVERN_TARGET_ADMISSION_H_
#define VOUCH_GOVERN_TARGET_ADMISSION_H_

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/govern/replay.h"
#include "vouch/govern/statement.h"

namespace vouch::govern {

inline constexpr char kTargetNotAdmitted[] = "target_not_admitted";
inline constexpr char kTargetRevoked[] = "target_revoked";

// The admissions that admit a target (ascending index, distinct; at least one).
StatusOr<std::vector<EntryRef>> TargetAdmitted(const GovernanceState& state,
                                               const EnclaveConstraint& target, Role role,
                                               UnixSeconds t);

// Only the revocation half of the rule: OK, or "target_revoked" (what --allow-unadmitted still
// refuses).
Status TargetRevoked(const GovernanceState& state, const EnclaveConstraint& target);

// The latest valid processing record of `activity` (any coverage), if there is one.
std::optional<RecordSummary> LatestRecord(const GovernanceState& state, std::string_view activity);

// Whether `record` covers one of `admissions` (governance.md §3.6.1 `covers`).
bool RecordCovers(const RecordSummary& record, std::span<const EntryRef> admissions);

}  // namespace vouch::govern

#endif  // VOUCH_GOVERN_TARGET_ADMISSION_H_

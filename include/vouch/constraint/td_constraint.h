// TdConstraint: which Intel TDX trust domains you trust, as a string in the style of Conclave's
// constraints (docs/constraints.md, "TDX constraints"):
//
//   TEE:TDX MRTD:<96 hex> [MRTD:…] [RTMR0:<96 hex>] … [RTMR3:…] [MRCONFIGID:…] [MROWNER:…]
//   [MROWNERCONFIG:…] [MRSEAM:<96 hex>]… [MRSERVICETD:<96 hex>] [TDATTR:<16 hex>]
//   [XFAM:<16 hex>] [SEC:INSECURE|STALE|SECURE] [EXPIRE:<period>]
//
// `TEE:TDX` is mandatory, so a TDX constraint never parses as a Conclave constraint (which
// rejects the unknown key TEE) and TeeConstraint can tell the two apart; a Conclave string has
// no way to be checked against a TD, nor a TDX string against an SGX enclave
// (vouch/constraint/tee_constraint.h). SEC and EXPIRE mean exactly what they mean in Conclave
// constraints: SEC defaults to STALE, so a debug or simulated TD (always INSECURE) is refused
// unless SEC:INSECURE, which accepts only INSECURE TDs.
//
//   kInvalidArgument     malformed constraint, reason "constraint_malformed"
//   kFailedPrecondition  no MRTD, reason "constraint_invalid"
//   kPermissionDenied    TD rejected by Check(), with a reason naming the failed term
//
// Thread-compatible value type.
#ifndef VOUCH_CONSTRAINT_TD_CONSTRAINT_H_
#define VOUCH_CONSTRAINT_TD_CONSTRAINT_H_

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/td_instance_info.h"

namespace vouch {

class TdConstraint {
 public:
  using HashSet = std::set<Sha384Hash>;
  using Attributes = std::array<uint8_t, 8>;

  // Parses the grammar above: tokens KEY:VALUE separated by ASCII spaces, in any order; MRTD
  // and MRSEAM repeat (any of the values is acceptable), every other key appears at most once;
  // keys and SEC values are case-sensitive, hex and EXPIRE are not. Validates (Validate()).
  static StatusOr<TdConstraint> Parse(std::string_view descriptor);

  const HashSet& acceptable_mr_tds() const { return mr_tds_; }
  const HashSet& acceptable_mr_seams() const { return mr_seams_; }
  const std::array<std::optional<Sha384Hash>, 4>& rtmrs() const { return rtmrs_; }
  const std::optional<Sha384Hash>& mr_config_id() const { return mr_config_id_; }
  const std::optional<Sha384Hash>& mr_owner() const { return mr_owner_; }
  const std::optional<Sha384Hash>& mr_owner_config() const { return mr_owner_config_; }
  const std::optional<Sha384Hash>& mr_servicetd() const { return mr_servicetd_; }
  const std::optional<Attributes>& td_attributes() const { return td_attributes_; }
  const std::optional<Attributes>& xfam() const { return xfam_; }
  SecuritySummary min_security_level() const { return min_security_level_; }
  const std::optional<Period>& max_attestation_age() const { return max_attestation_age_; }

  // At least one MRTD; else kFailedPrecondition "A TDX constraint must name at least one MRTD."
  Status Validate() const;

  // Checks `td` at time `now` (the verification time, used only by EXPIRE), stopping at the
  // first failure, in this order (kPermissionDenied, reason in brackets):
  //   1. Validate() (kFailedPrecondition)
  //   2. MRTD is one of the MRTD values                           [mrtd_mismatch]
  //   3. MRSEAM is one of the MRSEAM values, if any               [mrseam_mismatch]
  //   4. RTMR0..3 equal the given values                          [rtmr_mismatch]
  //   5. MRCONFIGID, MROWNER, MROWNERCONFIG equal the given ones  [mr_config_id_mismatch,
  //                                                  mr_owner_mismatch, mr_owner_config_mismatch]
  //   6. TD_ATTRIBUTES and XFAM equal the given ones              [td_attributes_mismatch,
  //                                                                xfam_mismatch]
  //   7. MRSERVICETD equals the given one; without the term, no service TD may be bound (a TD
  //      1.0 report, or an all-zero MRSERVICETD)                  [servicetd_mismatch]
  //   8. security level: SEC:INSECURE exact, else a minimum       [security_level_mismatch,
  //                                                                security_level_too_low]
  //   9. EXPIRE: now minus the period is strictly before the timestamp [attestation_too_old]
  Status Check(const TdInstanceInfo& td, UnixSeconds now) const;

  // The canonical form: TEE:TDX, MRTD…, MRSEAM… (each group sorted), RTMR0..3, MRCONFIGID,
  // MROWNER, MROWNERCONFIG, MRSERVICETD, TDATTR, XFAM, EXPIRE, SEC (always); hex upper case.
  // Parse(ToString()) == *this.
  std::string ToString() const;

  friend bool operator==(const TdConstraint&, const TdConstraint&) = default;

 private:
  HashSet mr_tds_;
  HashSet mr_seams_;
  std::array<std::optional<Sha384Hash>, 4> rtmrs_;
  std::optional<Sha384Hash> mr_config_id_;
  std::optional<Sha384Hash> mr_owner_;
  std::optional<Sha384Hash> mr_owner_config_;
  std::optional<Sha384Hash> mr_servicetd_;
  std::optional<Attributes> td_attributes_;
  std::optional<Attributes> xfam_;
  SecuritySummary min_security_level_ = SecuritySummary::kStale;
  std::optional<Period> max_attestation_age_;
};

}  // namespace vouch

#endif  // VOUCH_CONSTRAINT_TD_CONSTRAINT_H_

// EnclaveConstraint: the Conclave-compatible enclave constraint DSL (spec/constraint-dsl.md).
//
//   auto c = EnclaveConstraint::Parse("S:4F2A... PROD:1 SEC:SECURE EXPIRE:P30D");
//   if (!c.ok()) ...                       // malformed or invalid constraint
//   Status verdict = c->Check(eii, now);   // OK = accepted
//
// A constraint string written for R3 Conclave parses to the same constraint and accepts or
// rejects the same enclaves with the same messages (one deliberate fix: the code-hash message
// ends with ")", §0.1). The three outcomes of the reference keep separate status codes:
//
//   kInvalidArgument     malformed constraint (reference: IllegalArgumentException and
//                        DateTimeParseException), reason "constraint_malformed"
//   kFailedPrecondition  invalid (inconsistent) constraint, the criteria check of §5
//                        (reference: IllegalStateException), reason "constraint_invalid"
//   kPermissionDenied    enclave rejected by Check() (reference: InvalidEnclaveException),
//                        with a reason naming the failed step (see Check())
//
// Messages are the reference's, verbatim.
//
// Thread-compatible value type.
#ifndef VOUCH_CONSTRAINT_CONSTRAINT_H_
#define VOUCH_CONSTRAINT_CONSTRAINT_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch {

class EnclaveConstraint {
 public:
  // Hash sets hold 32-byte (SHA-256) values and, as the reference does, 64-byte (SHA-512)
  // values, which never match an enclave. std::set<Bytes> orders them exactly as their
  // upper-case hex text sorts, which is the order ToString() and the messages use.
  using HashSet = std::set<Bytes>;

  // The empty constraint: no hashes or signers, no product ID, no revocation level, minimum
  // security level STALE, no maximum attestation age. It is not valid until a code hash or a
  // signer (and then a product ID) is added.
  EnclaveConstraint() = default;

  // Parses the DSL (§2-§4): tokens `C:`, `S:`, `PROD:`, `REVOKE:`, `SEC:`, `EXPIRE:` separated
  // by ASCII spaces. With `check_validity`, the criteria check of §5 runs at the end (the
  // reference's parse(s)); without it the result may be incomplete (parse(s, false)), and
  // Validate() or Check() reports that later.
  static StatusOr<EnclaveConstraint> Parse(std::string_view descriptor, bool check_validity = true);

  const HashSet& acceptable_code_hashes() const { return code_hashes_; }
  const HashSet& acceptable_signers() const { return signers_; }
  std::optional<int32_t> product_id() const { return product_id_; }
  std::optional<int32_t> min_revocation_level() const { return min_revocation_level_; }
  SecuritySummary min_security_level() const { return min_security_level_; }
  const std::optional<Period>& max_attestation_age() const { return max_attestation_age_; }

  // Adds an acceptable code hash (MRENCLAVE) or signer (MRSIGNER). `hash` must be 32 bytes
  // (SHA-256) or 64 bytes (SHA-512, kept but never matching); else kInvalidArgument.
  Status AddCodeHash(ByteSpan hash);
  Status AddSigner(ByteSpan hash);
  // 0..65535; else kInvalidArgument "Product ID is negative." or
  // "Product ID is not a 16-bit number.".
  Status SetProductId(int32_t product_id);
  void ClearProductId() { product_id_.reset(); }
  // >= 0; else kInvalidArgument "Min revocation level is negative.".
  Status SetMinRevocationLevel(int32_t level);
  void ClearMinRevocationLevel() { min_revocation_level_.reset(); }
  // kInvalidArgument for a value outside the enum.
  Status SetMinSecurityLevel(SecuritySummary level);
  // Any period, including zero and negative ones (§8.3 says what they mean).
  void SetMaxAttestationAge(const Period& age) { max_attestation_age_ = age; }
  void ClearMaxAttestationAge() { max_attestation_age_.reset(); }

  // The criteria check of §5: OK, or kFailedPrecondition with one of
  // "Either a code hash or a code signer must be provided.",
  // "A code signer must be provided with a product ID.",
  // "A product ID must be provided with a code signer.".
  Status Validate() const;

  // Checks `info` against this constraint at time `now` (the verification time, used only by
  // EXPIRE), stopping at the first failure (§6):
  //   1. Validate() (kFailedPrecondition);
  //   2. code hash / signer match       reason code_hash_mismatch, code_signer_mismatch,
  //                                     code_hash_and_signer_mismatch
  //   3. product ID                     reason product_id_mismatch
  //   4. revocation level               reason revocation_level_too_low
  //   5. security level                 reason security_level_mismatch (SEC:INSECURE, exact),
  //                                     security_level_too_low
  //   6. attestation age: pass iff `now` minus EXPIRE (UTC calendar arithmetic) is strictly
  //      before info.security.timestamp; reason attestation_too_old.
  // Steps 2-6 fail with kPermissionDenied and the reference's message. An EXPIRE check with
  // |now| > 2^62 (beyond any calendar) fails with kInvalidArgument.
  Status Check(const EnclaveInstanceInfo& info, UnixSeconds now) const;

  // The canonical form (§10): C:<HEX>..., S:<HEX>..., PROD:n, REVOKE:n, EXPIRE:<period>,
  // SEC:<level> (always), hex upper case and each hash group sorted. Parse(ToString()) == *this.
  std::string ToString() const;

  // Compares both hash sets, product ID, revocation level, security level and the period
  // (years, months and days exactly: P2W == P14D, P1Y != P12M).
  friend bool operator==(const EnclaveConstraint&, const EnclaveConstraint&) = default;

 private:
  HashSet code_hashes_;
  HashSet signers_;
  std::optional<int32_t> product_id_;
  std::optional<int32_t> min_revocation_level_;
  SecuritySummary min_security_level_ = SecuritySummary::kStale;
  std::optional<Period> max_attestation_age_;
};

}  // namespace vouch

#endif  // VOUCH_CONSTRAINT_CONSTRAINT_H_

// Reason codes of the constraint module: the `reason` of the Statuses it returns, which `--json`
// output prints as error.code. Their meanings and exit codes are in docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_CONSTRAINT_REASONS_H_
#define VOUCH_CONSTRAINT_REASONS_H_

namespace vouch::constraint::reasons {

// The constraint string does not parse (kInvalidArgument) or is inconsistent (kFailedPrecondition).
inline constexpr char kConstraintMalformed[] = "constraint_malformed";
inline constexpr char kConstraintInvalid[] = "constraint_invalid";

// EnclaveInstanceInfo JSON that does not follow docs/eii-json.md (kInvalidArgument).
inline constexpr char kEiiMalformed[] = "eii_malformed";

// EnclaveConstraint::Check rejections (kPermissionDenied), in the order of the checks.
inline constexpr char kCodeHashMismatch[] = "code_hash_mismatch";
inline constexpr char kCodeSignerMismatch[] = "code_signer_mismatch";
inline constexpr char kCodeHashAndSignerMismatch[] = "code_hash_and_signer_mismatch";
inline constexpr char kProductIdMismatch[] = "product_id_mismatch";
inline constexpr char kRevocationLevelTooLow[] = "revocation_level_too_low";
inline constexpr char kSecurityLevelMismatch[] = "security_level_mismatch";
inline constexpr char kSecurityLevelTooLow[] = "security_level_too_low";
inline constexpr char kAttestationTooOld[] = "attestation_too_old";

// TD info JSON that does not follow docs/td-info.md (kInvalidArgument).
inline constexpr char kTdInfoMalformed[] = "td_info_malformed";

// TdConstraint::Check rejections (kPermissionDenied) beyond the shared ones above, in the order
// of the checks (docs/constraints.md, "TDX constraints"), and TeeConstraint's refusal to check one
// TEE's constraint against the other's identity.
inline constexpr char kMrtdMismatch[] = "mrtd_mismatch";
inline constexpr char kMrseamMismatch[] = "mrseam_mismatch";
inline constexpr char kRtmrMismatch[] = "rtmr_mismatch";
inline constexpr char kMrConfigIdMismatch[] = "mr_config_id_mismatch";
inline constexpr char kMrOwnerMismatch[] = "mr_owner_mismatch";
inline constexpr char kMrOwnerConfigMismatch[] = "mr_owner_config_mismatch";
inline constexpr char kTdAttributesMismatch[] = "td_attributes_mismatch";
inline constexpr char kXfamMismatch[] = "xfam_mismatch";
inline constexpr char kServicetdMismatch[] = "servicetd_mismatch";
inline constexpr char kConstraintTeeMismatch[] = "constraint_tee_mismatch";

}  // namespace vouch::constraint::reasons

#endif  // VOUCH_CONSTRAINT_REASONS_H_

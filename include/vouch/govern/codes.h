// Stable error codes of the governance layer (spec/governance.md §4.6), as Status::reason() and
// as `error.code` / verdict codes in `--json` output (docs/error-codes.md, "Governance").
// The envelope codes E1–E8 and the signature-counting codes live in vouch/dsse/envelope.h;
// "key_malformed" in vouch/crypto/signer.h.
#ifndef VOUCH_GOVERN_CODES_H_
#define VOUCH_GOVERN_CODES_H_

namespace vouch::govern {

// S1–S3 (§2, §3): the statement.
inline constexpr char kPayloadMalformed[] = "payload_malformed";
inline constexpr char kPayloadNotCanonical[] = "payload_not_canonical";
inline constexpr char kStatementTypeInvalid[] = "statement_type_invalid";
inline constexpr char kSubjectInvalid[] = "subject_invalid";
inline constexpr char kSubjectMismatch[] = "subject_mismatch";
inline constexpr char kPredicateTypeUnknown[] = "predicate_type_unknown";
inline constexpr char kPredicateMalformed[] = "predicate_malformed";
inline constexpr char kPersonalDataSuspected[] = "personal_data_suspected";
inline constexpr char kConstraintMalformed[] = "constraint_malformed";
inline constexpr char kConstraintInvalid[] = "constraint_invalid";
inline constexpr char kConstraintNotCanonical[] = "constraint_not_canonical";
inline constexpr char kConstraintNotAllowed[] = "constraint_not_allowed";
inline constexpr char kKeyidMismatch[] = "keyid_mismatch";
inline constexpr char kProvenanceBuildTypeUnknown[] = "provenance_build_type_unknown";

// G1–G4 (§4.2).
inline constexpr char kLedgerMismatch[] = "ledger_mismatch";
inline constexpr char kNoRootSet[] = "no_root_set";
inline constexpr char kIssuedBeforeRootSet[] = "issued_before_root_set";
inline constexpr char kRootSetExpired[] = "root_set_expired";

// Root sets (§3.3).
inline constexpr char kRootSetPinMismatch[] = "root_set_pin_mismatch";
inline constexpr char kRootSetVersionGap[] = "root_set_version_gap";
inline constexpr char kRootSetVersionReplayed[] = "root_set_version_replayed";
inline constexpr char kDuplicateKey[] = "duplicate_key";
inline constexpr char kDuplicateBuilder[] = "duplicate_builder";
inline constexpr char kKeyRevoked[] = "key_revoked";
inline constexpr char kExpired[] = "expired";
inline constexpr char kOldSetThresholdNotMet[] = "old_set_threshold_not_met";
inline constexpr char kNewSetThresholdNotMet[] = "new_set_threshold_not_met";
inline constexpr char kRootEvidenceMalformed[] = "root_evidence_malformed";
inline constexpr char kRootKeyBindingMismatch[] = "root_key_binding_mismatch";
inline constexpr char kRootConstraintNotMet[] = "root_constraint_not_met";
inline constexpr char kRootNotAdmitted[] = "root_not_admitted";

// Provenance, reproduction, references (§3.1, §3.2, §3.6, P1).
inline constexpr char kReferenceNotFound[] = "reference_not_found";
inline constexpr char kReferenceNotProvenance[] = "reference_not_provenance";
inline constexpr char kReferenceNotAdmission[] = "reference_not_admission";
inline constexpr char kNotReproduced[] = "not_reproduced";
inline constexpr char kNotReproducible[] = "not_reproducible";
inline constexpr char kProvenanceSignatureCount[] = "provenance_signature_count";
inline constexpr char kBuilderKeyRevoked[] = "builder_key_revoked";
// GovernanceState::Review: a provenance statement proposed to the roots. Builders sign provenance
// (one builder key, §2.3, §3.1); roots never do, so it is no proposal a root reviews.
inline constexpr char kProvenanceNotProposable[] = "provenance_not_proposable";

// Admissions, revocations, records (§3.4–§3.6).
inline constexpr char kValidityWindowInvalid[] = "validity_window_invalid";
inline constexpr char kRevoked[] = "revoked";
inline constexpr char kRevocationTargetUnknown[] = "revocation_target_unknown";
inline constexpr char kRevocationWouldDeadlock[] = "revocation_would_deadlock";
inline constexpr char kRecordVersionGap[] = "record_version_gap";
inline constexpr char kRegisterEntryMissing[] = "register_entry_missing";

// Provisioning (spec/provisioning.md §3.7, §4.1): broker-key statements and release records.
// The broker's signing key was not announced by a valid broker-key statement before the release.
inline constexpr char kBrokerKeyUnannounced[] = "broker_key_unannounced";
// The release names a broker MRENCLAVE or HPKE keyid other than the announcement of its key.
inline constexpr char kBrokerKeyMismatch[] = "broker_key_mismatch";
// The release's `record` is a valid processing record, but of another activity id or version
// than its `activity` (governance.md §3.6.1; a `record` that is no valid processing record
// before it is reference_not_found).
inline constexpr char kReleaseRecordMismatch[] = "release_record_mismatch";
// A broker-key statement's quote does not parse, does not bind its two keys in report_data, or
// its report body is not the statement's identity (MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN).
inline constexpr char kBrokerEvidenceMalformed[] = "broker_evidence_malformed";
inline constexpr char kBrokerKeyBindingMismatch[] = "broker_key_binding_mismatch";
inline constexpr char kBrokerIdentityMismatch[] = "broker_identity_mismatch";
// The broker's identity is not admitted for role broker at the entry's position.
inline constexpr char kBrokerNotAdmitted[] = "broker_not_admitted";

// Query results (§4.3).
inline constexpr char kNotAdmitted[] = "not_admitted";
inline constexpr char kNotYetValid[] = "not_yet_valid";
inline constexpr char kConstraintFailed[] = "constraint_failed";

// Audit alarms and warnings (§3.3, §4.4, §4.5).
inline constexpr char kStatementBackdated[] = "statement_backdated";
inline constexpr char kStatementFromFuture[] = "statement_from_future";
inline constexpr char kSignedInvalid[] = "signed_invalid";
inline constexpr char kRootEvidenceInvalid[] = "root_evidence_invalid";
inline constexpr char kIssueTimeUnverified[] = "issue_time_unverified";
inline constexpr char kRootEvidenceUnverified[] = "root_evidence_unverified";
// Replay without --root-set-pin: the first version-1 root set was trusted on first use.
inline constexpr char kRootSetUnpinned[] = "root_set_unpinned";

}  // namespace vouch::govern

#endif  // VOUCH_GOVERN_CODES_H_

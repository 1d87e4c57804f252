// Reason codes of the tlog module: the `reason` of the Statuses it returns, which `--json`
// output prints as error.code. Their meanings and exit codes are in docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_TLOG_REASONS_H_
#define VOUCH_TLOG_REASONS_H_

namespace vouch::tlog::reasons {

// Malformed input (kInvalidArgument).
inline constexpr char kNoteMalformed[] = "note_malformed";
inline constexpr char kVkeyMalformed[] = "vkey_malformed";
inline constexpr char kSkeyMalformed[] = "skey_malformed";
inline constexpr char kCheckpointMalformed[] = "checkpoint_malformed";
inline constexpr char kCosignatureMalformed[] = "cosignature_malformed";
inline constexpr char kHashSizeInvalid[] = "hash_size_invalid";
inline constexpr char kHashEncodingInvalid[] = "hash_encoding_invalid";
inline constexpr char kPolicyMalformed[] = "policy_malformed";
inline constexpr char kProofRequestInvalid[] = "proof_request_invalid";
inline constexpr char kProofFileMalformed[] = "proof_file_malformed";
inline constexpr char kTilePathInvalid[] = "tile_path_invalid";
inline constexpr char kTileMalformed[] = "tile_malformed";
inline constexpr char kEntryBundleMalformed[] = "entry_bundle_malformed";
inline constexpr char kWitnessRequestMalformed[] = "witness_request_malformed";

// Rejected (kPermissionDenied): signatures, policies and proofs that do not verify.
inline constexpr char kNoteSignatureInvalid[] = "note_signature_invalid";
inline constexpr char kNoteKeyAmbiguous[] = "note_key_ambiguous";
inline constexpr char kNoteUnverified[] = "note_unverified";
inline constexpr char kPolicyUnknownLog[] = "policy_unknown_log";
inline constexpr char kPolicyLogSignatureMissing[] = "policy_log_signature_missing";
inline constexpr char kPolicyQuorumNotMet[] = "policy_quorum_not_met";
inline constexpr char kInclusionProofInvalid[] = "inclusion_proof_invalid";
inline constexpr char kConsistencyProofInvalid[] = "consistency_proof_invalid";
inline constexpr char kSubtreeInclusionProofInvalid[] = "subtree_inclusion_proof_invalid";
inline constexpr char kSubtreeConsistencyProofInvalid[] = "subtree_consistency_proof_invalid";

}  // namespace vouch::tlog::reasons

#endif  // VOUCH_TLOG_REASONS_H_

// Reason codes of the seal module: the `reason` of the Statuses it returns, which `--json`
// output prints as error.code. Their meanings and exit codes are in docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_SEAL_REASONS_H_
#define VOUCH_SEAL_REASONS_H_

namespace vouch::seal::reasons {

// Unsealing: the blob is malformed (kInvalidArgument) or refused (kPermissionDenied).
inline constexpr char kSealedBlobMalformed[] = "sealed_blob_malformed";
inline constexpr char kSealIdentityMismatch[] = "seal_identity_mismatch";
inline constexpr char kSealProductMismatch[] = "seal_product_mismatch";
inline constexpr char kSealSvnTooNew[] = "seal_svn_too_new";
inline constexpr char kSealOpenFailed[] = "seal_open_failed";

}  // namespace vouch::seal::reasons

#endif  // VOUCH_SEAL_REASONS_H_

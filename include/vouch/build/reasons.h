// Reason codes of the build module: the `reason` of the Statuses of build/integrity.h (the image
// integrity digest, spec/governance.md §5.2), which `vouch version --verify-integrity`, every
// `vouch serve …` self-check and `vouch-inject-integrity` report. Meanings and exit codes:
// docs/error-codes.md and docs/integrity.md; the `vouch` command's table (src/cli/error_codes.cc)
// refers to these names. Stable: renaming one is an incompatible change.
#ifndef VOUCH_BUILD_REASONS_H_
#define VOUCH_BUILD_REASONS_H_

namespace vouch::build::reasons {

// The image is not an ELF64 little-endian file with exactly one well-formed `.vouch_integrity`
// section (kInvalidArgument).
inline constexpr char kIntegrityUnsupported[] = "integrity_unsupported";
// The post-link step found a digest already written (kFailedPrecondition).
inline constexpr char kIntegrityAlreadyInjected[] = "integrity_already_injected";
// The check: the file's slot differs from the running image's (not the running image), the
// digest field is all zero (never injected), the recomputed digest differs (kPermissionDenied).
inline constexpr char kIntegrityFileMismatch[] = "integrity_file_mismatch";
inline constexpr char kIntegrityDigestMissing[] = "integrity_digest_missing";
inline constexpr char kIntegrityDigestMismatch[] = "integrity_digest_mismatch";

}  // namespace vouch::build::reasons

#endif  // VOUCH_BUILD_REASONS_H_

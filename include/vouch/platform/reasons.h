// Reason codes of the platform module: the `reason` of the Statuses it returns, which `--json`
// output prints as error.code. Their meanings and exit codes are in docs/error-codes.md; the
// `vouch` command's table (src/cli/error_codes.cc) refers to these names, and a test checks that
// table against the document. Stable: renaming one is an incompatible change.
#ifndef VOUCH_PLATFORM_REASONS_H_
#define VOUCH_PLATFORM_REASONS_H_

namespace vouch::platform::reasons {

// Enclave bundles (bundle.h).
inline constexpr char kManifestMalformed[] = "manifest_malformed";
inline constexpr char kBundleMalformed[] = "bundle_malformed";
inline constexpr char kBundleUnsigned[] = "bundle_unsigned";
inline constexpr char kBundleChanged[] = "bundle_changed";
inline constexpr char kBundleSignatureMismatch[] = "bundle_signature_mismatch";

// The simulated platform (sim.h).
inline constexpr char kSimExists[] = "sim_exists";
inline constexpr char kSimNotInitialized[] = "sim_not_initialized";
inline constexpr char kSimStateInsecure[] = "sim_state_insecure";
inline constexpr char kSimStateMalformed[] = "sim_state_malformed";
inline constexpr char kSimCertificatesExpired[] = "sim_certificates_expired";

// The platform API (platform.h) and Gramine (gramine.h).
inline constexpr char kIdentityMalformed[] = "identity_malformed";
inline constexpr char kPlatformUnavailable[] = "platform_unavailable";
inline constexpr char kPlatformMalformed[] = "platform_malformed";
inline constexpr char kSealSvnTooNew[] = "seal_svn_too_new";
inline constexpr char kGramineMalformed[] = "gramine_malformed";
inline constexpr char kGramineAttestationDisabled[] = "gramine_attestation_disabled";
inline constexpr char kGramineSvnUnavailable[] = "gramine_svn_unavailable";

}  // namespace vouch::platform::reasons

#endif  // VOUCH_PLATFORM_REASONS_H_

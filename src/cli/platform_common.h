// Shared pieces of the enclave-side commands (sim_cmd.cc, enclave_cmd.cc, seal_cmd.cc):
// choosing exit codes and error codes for platform statuses, opening the simulated platform,
// and acting as a signed bundle's identity.
#ifndef VOUCH_CLI_PLATFORM_COMMON_H_
#define VOUCH_CLI_PLATFORM_COMMON_H_

#include <memory>
#include <string>

#include "vouch/base/status.h"
#include "vouch/platform/bundle.h"
#include "vouch/platform/platform.h"
#include "vouch/platform/sim.h"

namespace vouch::cli {

// The exit code for a failure of the platform, bundle, sealing or SIGSTRUCT layers:
//   1  examined and rejected: kPermissionDenied, and malformed evidence-like inputs (sealed
//      blobs, SIGSTRUCTs: reasons sealed_blob_malformed, sigstruct_malformed)
//   2  cannot run as asked: other kInvalidArgument (manifests, identities, options),
//      kFailedPrecondition (no simulated platform, insecure state, expired certificates),
//      kAlreadyExists, and an unsigned bundle
//   3  I/O and internal errors (kUnavailable, kNotFound files, kInternal)
int PlatformExitCode(const Status& status);
// The --json error code: the status's reason, or "io_error" / "internal_error" /
// "invalid_argument".
std::string PlatformErrorCode(const Status& status);
// ReportFailure with the two above.
int ReportPlatformFailure(bool json, const std::string& what, const Status& status);

// `dir`, or the default simulation directory ($VOUCH_SIM_DIR, ~/.local/share/vouch/sim).
std::string ResolveSimDir(const std::string& dir);
// An absolute version of `path` (for paths handed to a child process).
std::string AbsolutePath(const std::string& path);

// A bundle loaded, measured and its signature checked: what `enclave run/quote` and
// `seal/unseal` act as.
struct SignedBundle {
  platform::BundleManifest manifest;
  platform::BundleMeasurement measurement;
  platform::EnclaveIdentity identity;
  std::string dir;
};
StatusOr<SignedBundle> LoadSignedBundle(const std::string& dir);

// The simulated platform in `sim_dir` acting as `identity`.
StatusOr<std::unique_ptr<platform::Platform>> OpenSimPlatform(
    const std::string& sim_dir, const platform::EnclaveIdentity& identity);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_PLATFORM_COMMON_H_

// Shared pieces of the enclave-side commands (sim_cmd.cc, enclave_cmd.cc, seal_cmd.cc): opening
// the simulated platform and acting as a signed bundle's identity. Their failures are reported
// with ReportStatus (cli_common.h), through the one error-code table (error_codes.h).
#ifndef VOUCH_CLI_PLATFORM_COMMON_H_
#define VOUCH_CLI_PLATFORM_COMMON_H_

#include <memory>
#include <string>

#include "vouch/base/status.h"
#include "vouch/platform/bundle.h"
#include "vouch/platform/platform.h"
#include "vouch/platform/sim.h"

namespace vouch::cli {

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

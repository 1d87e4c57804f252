#include "cli/platform_common.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli_common.h"

namespace vouch::cli {

int PlatformExitCode(const Status& status) {
  const std::string& reason = status.reason();
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return kExitRejected;
    case StatusCode::kInvalidArgument:
      if (reason == "sealed_blob_malformed" || reason == "sigstruct_malformed") {
        return kExitRejected;
      }
      return kExitUsage;
    case StatusCode::kFailedPrecondition:
      return reason == "bundle_changed" ? kExitIo : kExitUsage;
    case StatusCode::kAlreadyExists:
      return kExitUsage;
    case StatusCode::kNotFound:
      return reason == "bundle_unsigned" ? kExitUsage : kExitIo;
    default:
      return kExitIo;
  }
}

std::string PlatformErrorCode(const Status& status) {
  if (!status.reason().empty()) return status.reason();
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kNotFound:
      return "io_error";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    default:
      return "internal_error";
  }
}

int ReportPlatformFailure(bool json, const std::string& what, const Status& status) {
  return ReportFailure(json, PlatformExitCode(status), PlatformErrorCode(status), what,
                       status.message());
}

std::string ResolveSimDir(const std::string& dir) {
  return dir.empty() ? platform::DefaultSimDir() : dir;
}

std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) == nullptr) return path;
  return std::string(cwd) + "/" + path;
}

StatusOr<SignedBundle> LoadSignedBundle(const std::string& dir) {
  VOUCH_ASSIGN_OR_RETURN(platform::Bundle bundle, platform::Bundle::Load(dir));
  VOUCH_ASSIGN_OR_RETURN(platform::BundleMeasurement m, bundle.Measure());
  VOUCH_ASSIGN_OR_RETURN(platform::EnclaveIdentity id, bundle.SignedIdentity(m));
  return SignedBundle{bundle.manifest(), std::move(m), id, bundle.dir()};
}

StatusOr<std::unique_ptr<platform::Platform>> OpenSimPlatform(
    const std::string& sim_dir, const platform::EnclaveIdentity& identity) {
  VOUCH_ASSIGN_OR_RETURN(platform::SimInstallation installation,
                         platform::SimInstallation::Open(sim_dir));
  return platform::NewSimPlatform(
      std::make_shared<const platform::SimInstallation>(std::move(installation)), identity);
}

}  // namespace vouch::cli

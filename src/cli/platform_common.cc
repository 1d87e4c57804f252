#include "cli/platform_common.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli_common.h"

namespace vouch::cli {

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

#include "vouch/server/collateral_directory.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "vouch/base/mutex.h"
#include "vouch/sgx/collateral.h"

namespace vouch::server {
namespace {

// What a look at the directory compares: (name, inode, size, mtime in ns) of each regular file,
// sorted. The inode tells a file replaced by rename even within the file system's timestamp
// granularity (a few ms).
using Listing = std::vector<std::tuple<std::string, uint64_t, int64_t, int64_t>>;

// The listing of `dir`; an unreadable directory lists as empty (its read then fails and says why).
Listing List(const std::string& dir) {
  Listing listing;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    listing.emplace_back(
        it->path().filename().string(), static_cast<uint64_t>(st.st_ino),
        static_cast<int64_t>(st.st_size),
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
  }
  std::sort(listing.begin(), listing.end());
  return listing;
}

class Watched {
 public:
  Watched(std::string dir, const Clock& clock, CollateralDirectoryOptions options)
      : dir_(std::move(dir)), clock_(clock), options_(std::move(options)) {}

  // The first read: its failure is the caller's.
  Status Load() {
    Listing listing = List(dir_);
    VOUCH_ASSIGN_OR_RETURN(sgx::Collateral collateral, sgx::ReadCollateralDirectory(dir_));
    MutexLock look(&look_mu_);
    listing_ = std::move(listing);
    MutexLock lock(&mu_);
    collateral_ = std::make_shared<const sgx::Collateral>(std::move(collateral));
    next_look_ = clock_.SteadyNow() + options_.check_interval;
    return OkStatus();
  }

  // The directory is looked at outside mu_, by the one caller whose turn it is (the others
  // answer with the collateral they have meanwhile, never waiting for the file system).
  StatusOr<sgx::Collateral> Get() {
    bool look = false;
    {
      MutexLock lock(&mu_);
      const Clock::SteadyTime now = clock_.SteadyNow();
      if (now >= next_look_) {
        next_look_ = now + options_.check_interval;
        look = true;
      }
    }
    if (look && look_mu_.TryLock()) {
      std::optional<std::string> event = Look();
      look_mu_.Unlock();
      if (event && options_.on_event) options_.on_event(*event);
    }
    std::shared_ptr<const sgx::Collateral> current;
    {
      MutexLock lock(&mu_);
      current = collateral_;
    }
    return *current;
  }

 private:
  // Reads the directory again when its listing differs from the last good read's (a failed
  // read is tried again at every look, and told once until it changes); what to tell, if any.
  std::optional<std::string> Look() VOUCH_REQUIRES(look_mu_) {
    Listing listing = List(dir_);
    if (listing == listing_) return std::nullopt;
    auto read = sgx::ReadCollateralDirectory(dir_);
    if (!read.ok()) {
      std::string failure = "collateral: " + dir_ +
                            " unusable, keeping the last good read: " + read.status().message();
      if (failure == last_failure_) return std::nullopt;
      last_failure_ = failure;
      return failure;
    }
    listing_ = std::move(listing);
    last_failure_.clear();
    auto collateral = std::make_shared<const sgx::Collateral>(*std::move(read));
    MutexLock lock(&mu_);
    collateral_ = std::move(collateral);
    return "collateral: " + dir_ + " read again";
  }

  const std::string dir_;
  const Clock& clock_;
  const CollateralDirectoryOptions options_;
  // Held by the one caller that looks at the directory (TryLock: never waited for).
  Mutex look_mu_;
  Listing listing_ VOUCH_GUARDED_BY(look_mu_);  // of the last good read
  std::string last_failure_ VOUCH_GUARDED_BY(look_mu_);
  Mutex mu_;
  std::shared_ptr<const sgx::Collateral> collateral_ VOUCH_GUARDED_BY(mu_);
  Clock::SteadyTime next_look_ VOUCH_GUARDED_BY(mu_){};
};

}  // namespace

StatusOr<CollateralSource> WatchCollateralDirectory(const std::string& dir, const Clock& clock,
                                                    CollateralDirectoryOptions options) {
  auto watched = std::make_shared<Watched>(dir, clock, std::move(options));
  VOUCH_RETURN_IF_ERROR(watched->Load());
  return CollateralSource(
      [watched](ByteSpan /*quote*/, UnixSeconds /*now*/) { return watched->Get(); });
}

}  // namespace vouch::server

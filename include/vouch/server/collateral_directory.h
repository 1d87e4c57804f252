// A collateral directory that the operator keeps fresh (spec/provisioning.md §3.3: a broker's
// own collateral source is "--collateral DIR kept fresh, or --pccs URL"; docs/collateral.md):
// `serve root` and `serve broker` verify their own quote, and a broker its requests' quotes,
// with the collateral of a directory that a job (cron, a PCCS mirror) rewrites before the old
// collateral expires. The source reads the directory again when it changed, so a long-running
// service never needs a restart to take new collateral.
//
//   auto source = WatchCollateralDirectory("/var/lib/vouch/collateral", RealClock(), {});
//   if (!source.ok()) ...;                  // the directory as read at start is unusable
//   StatusOr<sgx::Collateral> c = (*source)(quote, now);   // the newest good read
//
// Change detection: a call looks at the directory (the name, inode, size and modification
// time of every regular file in it) at most once per `check_interval` of `clock`'s steady time
// (one call at a time, without blocking the others, which answer with the collateral they have);
// when that differs from the last read, the directory is read again (sgx::ReadCollateralDirectory).
// A read that fails — an update half written, a file removed — keeps the collateral of the last
// good read and is tried again at every look (told once per distinct failure): an operator's update
// should replace the files one by one, each atomically (rename), as `vouch sgx collateral fetch
// --out` and sgx::WriteCollateralDirectory do. The collateral itself is verified where it is used
// (expiry, signatures): a stale directory shows as expired collateral there, not here.
//
// Thread-safety: the returned source may be called from any number of threads.
#ifndef VOUCH_SERVER_COLLATERAL_DIRECTORY_H_
#define VOUCH_SERVER_COLLATERAL_DIRECTORY_H_

#include <chrono>
#include <functional>
#include <string>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/server/self_check.h"

namespace vouch::server {

struct CollateralDirectoryOptions {
  // How often the directory is looked at, at most.
  std::chrono::nanoseconds check_interval = std::chrono::seconds(10);
  // Told of every reload ("collateral: DIR read again") and failed read ("collateral: DIR
  // unusable, keeping the last good read: …"); may be empty. Called without locks held.
  std::function<void(const std::string&)> on_event;
};

// Reads `dir` now (its errors: sgx::ReadCollateralDirectory's) and returns a source answering
// with its collateral, whatever the quote, read again as above. `clock` is borrowed and must
// outlive the source.
StatusOr<CollateralSource> WatchCollateralDirectory(const std::string& dir, const Clock& clock,
                                                    CollateralDirectoryOptions options);

}  // namespace vouch::server

#endif  // VOUCH_SERVER_COLLATERAL_DIRECTORY_H_

// A service's own collateral source backed by an Intel PCS or a PCCS (`serve broker --pccs URL`,
// spec/provisioning.md §3.3): the collateral for a quote's platform — its FMSPC, PCK CA and TEE
// (SelectorFromQuote) — fetched on first use and kept per platform until it is due again, so that
// a broker verifies every enclave with the newest TCB Info for that enclave's own platform, never
// with collateral a client chose.
//
// Contract of Get(quote, now), with `now` the caller's time:
//   - A quote that names no platform (no PCK certificate in it) is kInvalidArgument.
//   - The platform's entry is *fresh* while now < fetched + refresh and now < the nextUpdate of
//     its TCB Info and QE Identity: returned as kept, no request made.
//   - Otherwise the collateral is fetched (FetchCollateral, bounded by `timeout`); the answer
//     replaces the entry. Fetches are serialised for the whole cache, and a caller that waited
//     for another's fetch of the same platform takes its result: a burst of requests for one
//     platform costs one fetch.
//   - A failed fetch falls back to the kept entry while now < its nextUpdate (the verifier still
//     checks every date and signature in it); no new attempt is made for that platform before
//     `retry_after` has passed, so an unreachable PCCS does not cost every request a timeout.
//     With no usable entry the fetch's error is returned (kUnavailable naming the URL, or
//     kDataLoss "pccs_bad_response").
//   - At most `max_platforms` entries; a new platform beyond that evicts the entry fetched
//     longest ago.
// Nothing here is trusted: the collateral is checked by the quote's verifier like any other.
//
// Thread-safe. The client is borrowed and used by one fetch at a time.
#ifndef VOUCH_PCS_COLLATERAL_CACHE_H_
#define VOUCH_PCS_COLLATERAL_CACHE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/http/http_client.h"
#include "vouch/pcs/pcs_client.h"
#include "vouch/sgx/collateral.h"

namespace vouch::pcs {

struct CollateralCacheOptions {
  // The PCS or PCCS root, as FetchCollateral takes it.
  std::string base_url;
  std::chrono::milliseconds timeout{10'000};  // per fetch
  std::chrono::seconds refresh{3600};         // fetch again after this, even if still valid
  std::chrono::seconds retry_after{30};       // after a failed fetch, for that platform
  size_t max_platforms = 64;
};

namespace internal {
class CollateralCacheState;
}  // namespace internal

class CollateralCache {
 public:
  // kInvalidArgument for an empty base_url, a zero refresh, timeout or max_platforms.
  static StatusOr<std::unique_ptr<CollateralCache>> Create(http::Client& client,
                                                           CollateralCacheOptions options);
  ~CollateralCache();
  CollateralCache(const CollateralCache&) = delete;
  CollateralCache& operator=(const CollateralCache&) = delete;

  StatusOr<sgx::Collateral> Get(ByteSpan quote, UnixSeconds now);

  // What the cache did, for tests and reports.
  struct Counters {
    uint64_t hits = 0;       // answered from a fresh entry
    uint64_t fetches = 0;    // fetches that succeeded
    uint64_t failures = 0;   // fetches that failed
    uint64_t fallbacks = 0;  // answered from a kept entry after a failed or skipped fetch
  };
  Counters counters() const;

 private:
  CollateralCache(http::Client& client, CollateralCacheOptions options);

  http::Client& client_;
  const CollateralCacheOptions options_;
  std::unique_ptr<internal::CollateralCacheState> state_;
};

}  // namespace vouch::pcs

#endif  // VOUCH_PCS_COLLATERAL_CACHE_H_

#include "vouch/pcs/collateral_cache.h"

#include <algorithm>
#include <utility>

#include "vouch/pcs/reasons.h"

namespace vouch::pcs {

StatusOr<std::unique_ptr<CollateralCache>> CollateralCache::Create(http::Client& client,
                                                                   CollateralCacheOptions options) {
  if (options.base_url.empty() || options.refresh.count() <= 0 || options.max_platforms == 0 ||
      options.timeout.count() <= 0 || options.retry_after.count() < 0) {
    return Status(StatusCode::kInvalidArgument,
                  "a collateral cache needs a PCCS URL, a positive refresh interval and timeout, "
                  "and room for a platform");
  }
  return std::unique_ptr<CollateralCache>(new CollateralCache(client, std::move(options)));
}

std::optional<StatusOr<sgx::Collateral>> CollateralCache::FromKept(const Key& key,
                                                                   UnixSeconds now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  bool usable = e.collateral != nullptr && now < e.valid_until;
  if (usable && e.failed == 0 && now < e.fetched + options_.refresh.count()) {
    ++counters_.hits;
    return StatusOr<sgx::Collateral>(*e.collateral);
  }
  if (e.failed != 0 && now >= e.failed && now < e.failed + options_.retry_after.count()) {
    if (!usable) return StatusOr<sgx::Collateral>(e.last_error);
    ++counters_.fallbacks;
    return StatusOr<sgx::Collateral>(*e.collateral);
  }
  return std::nullopt;
}

CollateralCache::Entry& CollateralCache::EntryFor(const Key& key) {
  if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  if (entries_.size() >= options_.max_platforms) {
    auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.fetched < b.second.fetched; });
    entries_.erase(oldest);
  }
  return entries_[key];
}

namespace {

// The earliest nextUpdate of the collateral's signed JSON: after it the entry is of no use.
StatusOr<UnixSeconds> ValidUntil(const sgx::Collateral& c) {
  auto tcb = sgx::TcbInfo::Parse(c.tcb_info.body);
  auto qe = sgx::QeIdentity::Parse(c.qe_identity.body);
  if (!tcb.ok() || !qe.ok()) {
    const Status& bad = !tcb.ok() ? tcb.status() : qe.status();
    return Status(StatusCode::kDataLoss,
                  "the PCCS served collateral that does not parse: " + bad.message(),
                  reasons::kPccsBadResponse);
  }
  return std::min(tcb->next_update(), qe->next_update());
}

}  // namespace

StatusOr<sgx::Collateral> CollateralCache::Get(ByteSpan quote, UnixSeconds now) {
  VOUCH_ASSIGN_OR_RETURN(PlatformSelector platform, SelectorFromQuote(quote, std::nullopt));
  const Key key{platform.fmspc, platform.ca, platform.tdx};
  {
    MutexLock l(&mu_);
    if (auto kept = FromKept(key, now)) return *std::move(kept);
  }
  MutexLock fetching(&fetch_mu_);
  {
    // Another caller may have fetched (or failed to fetch) this platform while this one waited.
    MutexLock l(&mu_);
    if (auto kept = FromKept(key, now)) return *std::move(kept);
  }
  StatusOr<sgx::Collateral> fetched =
      FetchCollateral(client_, options_.base_url, platform, options_.timeout);
  StatusOr<UnixSeconds> valid_until =
      fetched.ok() ? ValidUntil(*fetched) : StatusOr<UnixSeconds>(fetched.status());
  MutexLock l(&mu_);
  Entry& e = EntryFor(key);
  if (valid_until.ok()) {
    ++counters_.fetches;
    e = Entry{std::make_shared<const sgx::Collateral>(*std::move(fetched)), now, *valid_until, 0,
              Status()};
    return *e.collateral;
  }
  ++counters_.failures;
  e.failed = now;
  e.last_error = valid_until.status();
  if (e.collateral != nullptr && now < e.valid_until) {
    ++counters_.fallbacks;
    return *e.collateral;
  }
  return e.last_error;
}

CollateralCache::Counters CollateralCache::counters() const {
  MutexLock l(&mu_);
  return counters_;
}

}  // namespace vouch::pcs

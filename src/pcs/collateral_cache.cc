#include "vouch/pcs/collateral_cache.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "vouch/base/mutex.h"
#include "vouch/pcs/reasons.h"

namespace vouch::pcs {
namespace internal {

class CollateralCacheState {
 public:
  using Key = std::tuple<std::array<uint8_t, 6>, std::string, bool>;  // fmspc, ca, tdx
  struct Entry {
    std::optional<sgx::Collateral> collateral;  // none until a fetch succeeded
    UnixSeconds fetched = 0;
    UnixSeconds valid_until = 0;  // min(TCB Info, QE Identity) nextUpdate
    UnixSeconds failed = 0;       // the last failed fetch; 0: none since the last success
    Status last_error;
  };

  explicit CollateralCacheState(const CollateralCacheOptions& options) : options_(options) {}

  // The entry holds collateral that is still valid at `now`.
  static bool Usable(const Entry& e, UnixSeconds now) {
    return e.collateral.has_value() && now < e.valid_until;
  }

  // The answer the kept entry gives at `now` without a fetch (fresh, or inside retry_after of
  // a failed fetch); nullopt: fetch.
  std::optional<StatusOr<sgx::Collateral>> FromKept(const Key& key, UnixSeconds now)
      VOUCH_REQUIRES(mu);
  // The entry for `key`, made (evicting the entry fetched longest ago when full) if missing.
  Entry& EntryFor(const Key& key) VOUCH_REQUIRES(mu);

  // Held across a fetch: one at a time.
  Mutex fetch_mu;
  mutable Mutex mu VOUCH_ACQUIRED_AFTER(fetch_mu);
  std::map<Key, Entry> entries VOUCH_GUARDED_BY(mu);
  CollateralCache::Counters counters VOUCH_GUARDED_BY(mu);

 private:
  const CollateralCacheOptions& options_;
};

}  // namespace internal

using internal::CollateralCacheState;

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

CollateralCache::CollateralCache(http::Client& client, CollateralCacheOptions options)
    : client_(client),
      options_(std::move(options)),
      state_(std::make_unique<CollateralCacheState>(options_)) {}

CollateralCache::~CollateralCache() = default;

std::optional<StatusOr<sgx::Collateral>> CollateralCacheState::FromKept(const Key& key,
                                                                        UnixSeconds now) {
  auto it = entries.find(key);
  if (it == entries.end()) return std::nullopt;
  const Entry& e = it->second;
  const bool usable = Usable(e, now);
  if (usable && e.failed == 0 && now < e.fetched + options_.refresh.count()) {
    ++counters.hits;
    return StatusOr<sgx::Collateral>(*e.collateral);
  }
  if (e.failed != 0 && now >= e.failed && now < e.failed + options_.retry_after.count()) {
    if (!usable) return StatusOr<sgx::Collateral>(e.last_error);
    ++counters.fallbacks;
    return StatusOr<sgx::Collateral>(*e.collateral);
  }
  return std::nullopt;
}

CollateralCacheState::Entry& CollateralCacheState::EntryFor(const Key& key) {
  if (auto it = entries.find(key); it != entries.end()) return it->second;
  if (entries.size() >= options_.max_platforms) {
    auto oldest = std::min_element(
        entries.begin(), entries.end(),
        [](const auto& a, const auto& b) { return a.second.fetched < b.second.fetched; });
    entries.erase(oldest);
  }
  return entries[key];
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
  const CollateralCacheState::Key key{platform.fmspc, platform.ca, platform.tdx};
  CollateralCacheState& s = *state_;
  {
    MutexLock l(&s.mu);
    if (auto kept = s.FromKept(key, now)) return *std::move(kept);
  }
  MutexLock fetching(&s.fetch_mu);
  {
    // Another caller may have fetched (or failed to fetch) this platform while this one waited.
    MutexLock l(&s.mu);
    if (auto kept = s.FromKept(key, now)) return *std::move(kept);
  }
  StatusOr<sgx::Collateral> fetched =
      FetchCollateral(client_, options_.base_url, platform, options_.timeout);
  StatusOr<UnixSeconds> valid_until =
      fetched.ok() ? ValidUntil(*fetched) : StatusOr<UnixSeconds>(fetched.status());
  MutexLock l(&s.mu);
  CollateralCacheState::Entry& e = s.EntryFor(key);
  if (valid_until.ok()) {
    ++s.counters.fetches;
    e = CollateralCacheState::Entry{*std::move(fetched), now, *valid_until, 0, Status()};
    return *e.collateral;
  }
  ++s.counters.failures;
  e.failed = now;
  e.last_error = valid_until.status();
  if (CollateralCacheState::Usable(e, now)) {
    ++s.counters.fallbacks;
    return *e.collateral;
  }
  return e.last_error;
}

CollateralCache::Counters CollateralCache::counters() const {
  MutexLock l(&state_->mu);
  return state_->counters;
}

}  // namespace vouch::pcs

#include "vouch/pcs/collateral_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "pcs/pccs_stand_in.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/sgx/verifier.h"

namespace vouch::pcs {
namespace {

constexpr char kCase[] = "sgx-dcap/phala-dcap-qvl/sgx-v3-2025-06";
constexpr UnixSeconds kAt = 1752919277;       // the vector's verification time, 1 s before its end
constexpr UnixSeconds kT0 = kAt - 7 * 86400;  // when the cache tests start

// A real HTTP client that counts the requests it sends and can be told to fail them all.
class CountingClient final : public http::Client {
 public:
  StatusOr<http::HttpResponse> Send(std::string_view method, std::string_view url,
                                    std::string_view body, std::string_view content_type,
                                    const http::Headers& headers,
                                    std::chrono::milliseconds timeout) override {
    ++requests;
    if (down) return Status(StatusCode::kUnavailable, "the PCCS is down (test)");
    return real_.Send(method, url, body, content_type, headers, timeout);
  }
  std::atomic<int> requests{0};
  std::atomic<bool> down{false};

 private:
  http::HttpClient real_;
};

class CollateralCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = StartPccsStandIn(expected_, "00a067110000", "processor", {});
    ASSERT_THAT(server, IsOk());
    server_ = *std::move(server);
    options_.base_url = "http://" + server_->address();
    options_.refresh = std::chrono::seconds(600);
    options_.retry_after = std::chrono::seconds(30);
  }
  std::unique_ptr<CollateralCache> Make() {
    auto cache = CollateralCache::Create(client_, options_);
    EXPECT_THAT(cache, IsOk());
    return *std::move(cache);
  }
  // One fetch of the collateral is four requests (TCB Info, QE Identity, two CRLs).
  int Fetches() const { return client_.requests / 4; }

  sgx::Collateral expected_ = *sgx::ReadCollateralDirectory(vouch::testing::TestDataPath(kCase));
  Bytes quote_ = vouch::testing::ReadTestData(std::string(kCase) + "/quote.bin");
  std::unique_ptr<http::HttpServer> server_;
  CountingClient client_;
  CollateralCacheOptions options_;
};

TEST_F(CollateralCacheTest, RejectsBadOptions) {
  for (auto bad : {+[](CollateralCacheOptions& o) { o.base_url.clear(); },
                   +[](CollateralCacheOptions& o) { o.refresh = std::chrono::seconds(0); },
                   +[](CollateralCacheOptions& o) { o.max_platforms = 0; },
                   +[](CollateralCacheOptions& o) { o.timeout = {}; }}) {
    CollateralCacheOptions o = options_;
    bad(o);
    EXPECT_THAT(CollateralCache::Create(client_, o), StatusIs(StatusCode::kInvalidArgument));
  }
}

TEST_F(CollateralCacheTest, FetchesOnceThenAnswersFromTheEntryAndItVerifies) {
  auto cache = Make();
  auto first = cache->Get(quote_, kT0);
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->tcb_info.body, expected_.tcb_info.body);
  EXPECT_EQ(first->pck_crl, expected_.pck_crl);
  auto verifier =
      *sgx::DcapVerifier::Create({{sgx::IntelSgxRootCa(), sgx::TrustRootKind::kProduction}});
  EXPECT_THAT(verifier->Verify(quote_, *first, {kAt, false}), IsOk());
  for (int i = 0; i < 5; ++i) ASSERT_THAT(cache->Get(quote_, kT0 + 599), IsOk());
  EXPECT_EQ(client_.requests, 4);
  EXPECT_EQ(cache->counters().fetches, 1u);
  EXPECT_EQ(cache->counters().hits, 5u);
}

TEST_F(CollateralCacheTest, RefetchesAfterTheRefreshInterval) {
  auto cache = Make();
  ASSERT_THAT(cache->Get(quote_, kT0), IsOk());
  ASSERT_THAT(cache->Get(quote_, kT0 + 600), IsOk());
  EXPECT_EQ(Fetches(), 2);
}

TEST_F(CollateralCacheTest, AnEntryPastItsNextUpdateIsFetchedAgainAndNotServedWhenTheFetchFails) {
  options_.refresh = std::chrono::hours(24 * 365);
  auto cache = Make();
  ASSERT_THAT(cache->Get(quote_, kT0), IsOk());
  // The TCB Info's nextUpdate (2025-07-19T10:56:11Z) is after the QE Identity's
  // (2025-07-19T10:01:18Z): the earlier bounds the entry.
  const UnixSeconds qe_next_update = *ParseRfc3339("2025-07-19T10:01:18Z");
  ASSERT_THAT(cache->Get(quote_, qe_next_update - 1), IsOk());
  EXPECT_EQ(Fetches(), 1);
  client_.down = true;
  EXPECT_THAT(cache->Get(quote_, qe_next_update), StatusIs(StatusCode::kUnavailable));
  EXPECT_GT(client_.requests, 4);  // it was asked again
}

TEST_F(CollateralCacheTest, AFailedRefreshFallsBackToTheValidEntryAndWaitsBeforeTrying) {
  auto cache = Make();
  ASSERT_THAT(cache->Get(quote_, kT0), IsOk());
  client_.down = true;
  auto fallback = cache->Get(quote_, kT0 + 600);  // due, the fetch fails: the kept entry
  ASSERT_THAT(fallback, IsOk());
  EXPECT_EQ(fallback->tcb_info.body, expected_.tcb_info.body);
  const int after_failure = client_.requests;
  ASSERT_THAT(cache->Get(quote_, kT0 + 629), IsOk());  // inside retry_after: no request
  EXPECT_EQ(client_.requests, after_failure);
  client_.down = false;
  ASSERT_THAT(cache->Get(quote_, kT0 + 630), IsOk());  // retry_after passed: fetched again
  EXPECT_EQ(client_.requests, after_failure + 4);
  auto c = cache->counters();
  EXPECT_EQ(c.fetches, 2u);
  EXPECT_EQ(c.failures, 1u);
  EXPECT_EQ(c.fallbacks, 2u);
}

TEST_F(CollateralCacheTest, AnUnknownPlatformIsAnErrorAndIsNotAskedForAgainAtOnce) {
  server_->Stop();
  auto other = StartPccsStandIn(expected_, "ffffffffffff", "processor", {});  // another FMSPC
  ASSERT_THAT(other, IsOk());
  options_.base_url = "http://" + (*other)->address();
  auto cache = Make();
  EXPECT_THAT(cache->Get(quote_, kT0), StatusIs(StatusCode::kUnavailable));
  const int asked = client_.requests;
  EXPECT_GE(asked, 1);
  EXPECT_THAT(cache->Get(quote_, kT0 + 1), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(client_.requests, asked);
}

TEST_F(CollateralCacheTest, AQuoteWithoutAPlatformIsInvalid) {
  auto cache = Make();
  EXPECT_THAT(cache->Get(AsBytes("not a quote"), kAt), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(client_.requests, 0);
}

TEST_F(CollateralCacheTest, ConcurrentCallersForOnePlatformShareOneFetch) {
  auto cache = Make();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { ok += cache->Get(quote_, kT0).ok() ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(Fetches(), 1);
}

}  // namespace
}  // namespace vouch::pcs

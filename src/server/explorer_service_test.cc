#include "vouch/server/explorer_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "server/ledger_fixture.h"
#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/tlog/reasons.h"

namespace vouch::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Json = nlohmann::json;
using ledger_testing::kBuilderA;
using ledger_testing::kBuilderB;
using ledger_testing::kHour;
using ledger_testing::Measurement;

class ExplorerServiceTest : public ledger_testing::GovernedLedgerTest {
 protected:
  void SetUp() override {
    GovernedLedgerTest::SetUp();
    ExplorerOptions o;
    o.policy_text = policy_text_;
    o.clock = clock_.get();
    service_ = std::make_unique<ExplorerService>(*policy_, std::move(o), *ledger_);
    router_ = std::make_unique<http::Router>(service_->Routes());
  }

  http::HttpResponse Get(const std::string& target) {
    http::HttpRequest request;
    request.method = "GET";
    request.target = target;
    const size_t q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) {
      request.raw_query = target.substr(q + 1);
      request.query = *http::ParseQuery(request.raw_query);
    }
    return (*router_)(request);
  }

  Json GetJson(const std::string& target) {
    http::HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return Json::parse(r.body);
  }

  // Two builders' provenance of an application enclave.
  void AddAppProvenance() {
    for (const auto& [id, key] :
         {std::pair{kBuilderA, "builder-a"}, std::pair{kBuilderB, "builder-b"}}) {
      Add(hb_->Sign({hb_->MakeProvenance(id, app_m_, std::string(40, '3'), "app", t0_ + kHour)},
                    {key}));
    }
  }

  Sha256Hash app_m_ = Measurement("app enclave");
  std::unique_ptr<ExplorerService> service_;
  std::unique_ptr<http::Router> router_;
};

TEST_F(ExplorerServiceTest, ShowsTheAuditedLog) {
  Bootstrap();
  ASSERT_THAT(service_->Refresh(), IsOk());
  Json s = GetJson("/api/summary");
  EXPECT_EQ(s["origin"], ledger_testing::kTestOrigin);
  EXPECT_EQ(s["checkpoint"]["size"], 3);
  EXPECT_EQ(s["entries"], 3);
  EXPECT_EQ(s["valid"], 3);
  EXPECT_EQ(s["classes"]["provenance"], 2);
  EXPECT_EQ(s["classes"]["root-set"], 1);
  EXPECT_EQ(s["verification"]["witnesses"].size(), 2u);
  EXPECT_EQ(s["verification"]["quorum_time"], FormatRfc3339(clock_->Now() - 10));
  ASSERT_EQ(s["root_sets"].size(), 1u);
  EXPECT_EQ(s["root_sets"][0]["version"], 1);
  EXPECT_EQ(s["root_sets"][0]["roots"][0]["name"], "root-a");
  EXPECT_EQ(s["policy"], policy_text_);
  EXPECT_TRUE(s["error"].is_null());
  EXPECT_FALSE(s["pinned"]);

  Json page = GetJson("/api/entries?start=1&count=2");
  EXPECT_EQ(page["total"], 3);
  ASSERT_EQ(page["rows"].size(), 2u);
  EXPECT_EQ(page["rows"][0]["index"], 1);
  EXPECT_EQ(page["rows"][1]["class"], "root-set");
  EXPECT_EQ(page["rows"][1]["entry_hash"], HexEncode(Sha256(hb_->entries()[2])));
  EXPECT_EQ(page["rows"][1]["signers"].size(), 1u);
}

TEST_F(ExplorerServiceTest, ReadsOnlyWhatWasAppendedAndReplaysItOnce) {
  Bootstrap();
  ASSERT_THAT(service_->Refresh(), IsOk());
  AddAppProvenance();
  ASSERT_THAT(service_->Refresh(), IsOk());
  // The two new entries replayed after the three (none twice: a replayed entry would be a
  // duplicate, and the replay of root set 1 again invalid).
  Json s = GetJson("/api/summary");
  EXPECT_EQ(s["entries"], 5);
  EXPECT_EQ(s["valid"], 5);
  EXPECT_EQ(GetJson("/api/entries?start=3&count=10")["rows"].size(), 2u);
  // A refresh with nothing new reads no entry bundle.
  ledger_->bundles_fetched.clear();
  ASSERT_THAT(service_->Refresh(), IsOk());
  EXPECT_TRUE(ledger_->bundles_fetched.empty());
  EXPECT_EQ(GetJson("/api/summary")["entries"], 5);
}

TEST_F(ExplorerServiceTest, AFailedRefreshKeepsTheViewAndSaysWhy) {
  Bootstrap();
  ASSERT_THAT(service_->Refresh(), IsOk());
  AddAppProvenance();
  ledger_->reachable = false;
  EXPECT_THAT(service_->Refresh(), Not(IsOk()));
  Json s = GetJson("/api/summary");
  EXPECT_EQ(s["entries"], 3);
  EXPECT_EQ(s["error"]["code"], "log_unreachable");
  EXPECT_THAT(s["error"]["message"].get<std::string>(), HasSubstr("connection refused"));
  // One witness short of the quorum: refused by the policy, the view kept.
  ledger_->reachable = true;
  ledger_->cosigners = 1;
  Status refused = service_->Refresh();
  EXPECT_THAT(refused, Not(IsOk()));
  s = GetJson("/api/summary");
  EXPECT_EQ(s["entries"], 3);
  EXPECT_EQ(s["error"]["code"], refused.reason());
  ledger_->cosigners = 2;
  ASSERT_THAT(service_->Refresh(), IsOk());
  s = GetJson("/api/summary");
  EXPECT_EQ(s["entries"], 5);
  EXPECT_TRUE(s["error"].is_null());
}

TEST_F(ExplorerServiceTest, NothingBeforeTheFirstRefreshThenAnAnswer) {
  ledger_->reachable = false;
  Json s = GetJson("/api/summary");  // the request itself tries a refresh
  EXPECT_TRUE(s["checkpoint"].is_null());
  EXPECT_EQ(s["error"]["code"], "log_unreachable");
}

TEST_F(ExplorerServiceTest, SearchesByEntryHashAndByMeasurement) {
  Bootstrap();
  AddAppProvenance();
  ASSERT_THAT(service_->Refresh(), IsOk());
  const std::string h = HexEncode(Sha256(hb_->entries()[2]));
  Json by_hash = GetJson("/api/search?q=" + h.substr(0, 10));
  ASSERT_EQ(by_hash["rows"].size(), 1u);
  EXPECT_EQ(by_hash["rows"][0]["index"], 2);
  // The application's measurement, in either case: its two provenance entries, newest first.
  Json by_m = GetJson("/api/search?q=" + HexEncodeUpper(app_m_));
  ASSERT_EQ(by_m["rows"].size(), 2u);
  EXPECT_EQ(by_m["rows"][0]["index"], 4);
  EXPECT_EQ(by_m["rows"][1]["index"], 3);
  EXPECT_EQ(GetJson("/api/search?q=" + std::string(64, 'e'))["rows"].size(), 0u);
  EXPECT_EQ(Get("/api/search?q=abc").status, 400);
  EXPECT_EQ(Get("/api/search?q=" + std::string(10, 'z')).status, 400);
  EXPECT_EQ(Get("/api/entries?count=101").status, 400);
  EXPECT_EQ(Get("/api/entries?start=-1").status, 400);
}

TEST_F(ExplorerServiceTest, PassesTheLogsPublicApiThrough) {
  Bootstrap();
  ASSERT_THAT(service_->Refresh(), IsOk());
  http::HttpResponse proof = Get("/log/proof/1");
  EXPECT_EQ(proof.status, 200);
  EXPECT_THAT(proof.body, StartsWith("c2sp.org/tlog-proof@v1\nindex 1\n"));
  http::HttpResponse bundle = Get("/log/tile/entries/000.p/3");
  EXPECT_EQ(bundle.status, 200);
  EXPECT_EQ(bundle.body.size(),
            3 * 2 + hb_->entries()[0].size() + hb_->entries()[1].size() + hb_->entries()[2].size());
  EXPECT_THAT(Get("/log/checkpoint").body, StartsWith(std::string(ledger_testing::kTestOrigin)));
  EXPECT_EQ(Get("/log/tile/entries/../../etc").status, 400);
  EXPECT_EQ(Get("/log/tile/entries/0/000").status, 400);
  EXPECT_EQ(Get("/log/proof/x").status, 400);
  ledger_->reachable = false;
  EXPECT_EQ(Get("/log/checkpoint").status, 502);
}

TEST_F(ExplorerServiceTest, ServesThePageWithoutAnythingFromElsewhere) {
  http::HttpResponse page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<script src=\"/explorer.js\"></script>"));
  EXPECT_THAT(*page.headers.Get("Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_THAT(Get("/explorer.js").body, Not(HasSubstr("http")));
  EXPECT_EQ(Get("/explorer.css").status, 200);
}

}  // namespace
}  // namespace vouch::server

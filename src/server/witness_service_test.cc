#include "vouch/server/witness_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/store/sqlite_witness_store.h"
#include "vouch/tlog/note.h"

namespace vouch::server {
namespace {

using Json = nlohmann::json;

Json Vectors() {
  return Json::parse(
      vouch::testing::ReadTestDataString("tlog/derived/cosignature_v1_and_witness.json"));
}

std::string TestKeyFile(const Json& v) {
  return tlog::FormatWitnessKeyFile(
      v["witness"]["name"].get<std::string>(),
      *HexDecode(v["witness"]["ed25519_seed_hex"].get<std::string>()));
}

tlog::Witness TestWitness(const Json& v) {
  auto signer = tlog::ParseWitnessKeyFile(TestKeyFile(v));
  EXPECT_THAT(signer, IsOk());
  auto key = *tlog::VerifierKey::Parse(v["log"]["vkey"].get<std::string>());
  auto keys = *tlog::VerifierSet::Create({*tlog::NewNoteVerifier(key)});
  return *tlog::Witness::Create({*signer}, {{v["log"]["origin"].get<std::string>(), keys}});
}

http::HttpRequest Post(std::string body) {
  http::HttpRequest r;
  r.method = "POST";
  r.path = r.target = "/add-checkpoint";
  r.body = std::move(body);
  return r;
}

// The 11-step add-checkpoint scenario through the service with durable state, request by
// request: statuses, content types, 409 bodies and the exact cosignature lines.
TEST(WitnessServiceTest, DerivedScenarioStepByStep) {
  Json v = Vectors();
  std::string dir = vouch::testing::MakeTempDir("vouch-witness-");
  ::vouch::testing::FakeClock clock;
  WitnessService service(TestWitness(v), *store::OpenSqliteWitnessStore(dir + "/w.db"), clock);
  int step = 0;
  for (const Json& s : v["add_checkpoint_scenario"]["steps"]) {
    ++step;
    clock.SetNow(s["cosignature_timestamp"].is_null() ? 1700009999
                                                      : s["cosignature_timestamp"].get<int64_t>());
    http::HttpResponse r = service.AddCheckpoint(Post(s["request_body"].get<std::string>()));
    EXPECT_EQ(r.status, s["expected_status"].get<int>()) << "step " << step << ": " << r.body;
    if (!s["expected_response_body"].is_null()) {
      EXPECT_EQ(r.body, s["expected_response_body"].get<std::string>()) << "step " << step;
    }
    if (!s["expected_content_type"].is_null()) {
      EXPECT_EQ(r.headers.GetOr("Content-Type", ""), s["expected_content_type"].get<std::string>())
          << "step " << step;
    }
  }
  // The monitoring endpoint serves the last cosigned checkpoint (size 15), with the cosignature.
  http::HttpRequest get;
  get.method = "GET";
  get.path = get.target =
      "/" + tlog::OriginHash(v["log"]["origin"].get<std::string>()) + "/checkpoint";
  http::HttpResponse r = service.GetCheckpoint(get);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\n15\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("— witness.example/test-w1 "), std::string::npos) << r.body;
  get.path = "/" + std::string(64, 'a') + "/checkpoint";
  EXPECT_EQ(service.GetCheckpoint(get).status, 404);
}

}  // namespace
}  // namespace vouch::server

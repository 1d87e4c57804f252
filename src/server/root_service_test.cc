// GET /identity of the root service: the key, its binding and the enclave's identity, and the
// same key after a restart.
#include "vouch/server/root_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/govern/statement.h"
#include "vouch/platform/sim.h"

namespace vouch::server {
namespace {

using Json = nlohmann::json;
using platform::EnclaveIdentity;
using platform::SimInstallation;

constexpr UnixSeconds kNow = 1760000000;

class RootServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = vouch::testing::MakeTempDir("root-service");
    sim_ =
        std::make_shared<const SimInstallation>(*SimInstallation::Init(dir_ + "/sim", kNow, false));
    id_.mr_enclave = Sha256(AsBytes("root build"));
    id_.mr_signer = Sha256(AsBytes("root builder"));
    id_.product_id = 3;
    id_.isv_svn = 4;
    id_.attributes = EnclaveIdentity::DefaultAttributes(false);
  }

  StatusOr<std::unique_ptr<RootService>> Start() {
    return RootService::Create(platform::NewSimPlatform(sim_, id_), dir_);
  }

  static Json Identity(const RootService& service) {
    http::HttpRequest request;
    request.method = "GET";
    request.target = request.path = "/identity";
    http::HttpResponse response = service.Routes()(request);
    EXPECT_EQ(response.status, 200);
    return Json::parse(response.body);
  }

  std::string dir_;
  std::shared_ptr<const SimInstallation> sim_;
  EnclaveIdentity id_;
};

TEST_F(RootServiceTest, IdentityStatesTheKeyAndItsBinding) {
  auto service = Start();
  ASSERT_THAT(service.status(), IsOk());
  const Json j = Identity(**service);
  EXPECT_EQ(j["platform"], "sim");
  EXPECT_EQ(j["mode"], "SIMULATION");
  EXPECT_EQ(j["identity"], Json::parse(id_.ToJson()));
  const EnclaveKey& key = (*service)->key();
  EXPECT_EQ(j["keyid"], key.KeyId());
  EXPECT_EQ(j["key"]["keyid"], key.KeyId());
  auto spki = Base64Decode(j["key"]["spki"].get<std::string>());
  ASSERT_THAT(spki.status(), IsOk());
  EXPECT_EQ(*spki, ToBytes(key.spki_der()));
  EXPECT_EQ(j["key"].size(), 2u);
  EXPECT_EQ(j["binding"]["tag"], "vouch-root-key/v1");
  EXPECT_EQ(j["binding"]["report_data"], HexEncode(govern::RootKeyReportData(*spki)));
  EXPECT_EQ(j["binding"]["evidence_format"], "dcap-quote");
  auto quote = Base64Decode(j["binding"]["quote"].get<std::string>());
  ASSERT_THAT(quote.status(), IsOk());
  EXPECT_EQ(*quote, (*service)->binding_quote());
}

TEST_F(RootServiceTest, ARestartServesTheSameKey) {
  std::string keyid;
  {
    auto first = Start();
    ASSERT_THAT(first.status(), IsOk());
    EXPECT_TRUE((*first)->key().created());
    keyid = (*first)->key().KeyId();
  }
  auto second = Start();
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_FALSE((*second)->key().created());
  EXPECT_EQ(Identity(**second)["keyid"], keyid);
}

TEST_F(RootServiceTest, AnotherMeasurementDoesNotStart) {
  ASSERT_THAT(Start().status(), IsOk());
  id_.mr_enclave = Sha256(AsBytes("another root build"));
  EXPECT_THAT(Start().status(), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(RootServiceTest, OnlyGetIdentityIsServed) {
  auto service = Start();
  ASSERT_THAT(service.status(), IsOk());
  http::HttpRequest request;
  request.method = "POST";
  request.target = request.path = "/identity";
  EXPECT_EQ((*service)->Routes()(request).status, 405);
  request.method = "GET";
  request.target = request.path = "/sign";
  EXPECT_EQ((*service)->Routes()(request).status, 404);
}

}  // namespace
}  // namespace vouch::server

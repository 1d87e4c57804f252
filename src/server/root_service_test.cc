// The root service over HTTP handlers (ledger_fixture.h: a real sequencer and log reader,
// witnesses' cosignatures, a simulated platform): GET /identity states the key, its binding and
// the root's status; POST /sign answers with the signer's decision, its content type, its
// rate limit; the service fails closed at creation.
#include "vouch/server/root_service.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "server/ledger_fixture.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/statement.h"
#include "vouch/server/root_client.h"
#include "vouch/sgx/collateral.h"

namespace vouch::server {
namespace {

using Json = nlohmann::json;
using ledger_testing::kDay;
using ledger_testing::kHour;

class AcceptingAttester final : public govern::EvidenceAttester {
 public:
  Status Attest(const govern::RootDescriptor&, UnixSeconds) override { return OkStatus(); }
};

class RootServiceTest : public ledger_testing::GovernedLedgerTest {
 protected:
  void SetUp() override {
    GovernedLedgerTest::SetUp();
    dir_ = vouch::testing::MakeTempDir("root-service");
  }

  StatusOr<std::unique_ptr<RootService>> Start(bool bootstrap = true, double rate = 100) {
    std::unique_ptr<platform::Platform> platform = PlatformFor(root_m_);
    VOUCH_ASSIGN_OR_RETURN(
        auto key,
        EnclaveKey::LoadOrCreate(*platform, dir_ + "/" + kRootKeyFileName, kRootKeyPurpose));
    RootServiceOptions o;
    o.log = ledger_.get();
    o.ledger = Options().ledger;
    o.verifier = verifier_.get();
    o.collateral = [this](ByteSpan, UnixSeconds at) { return sim_->CollateralAt(at); };
    o.attester = &attester_;
    o.bootstrap = bootstrap;
    o.recheck_interval = std::chrono::hours(1);
    o.sign_rate = rate;
    o.sign_burst = 2;
    return RootService::Create(std::move(platform), std::move(key), std::move(o));
  }

  static http::HttpResponse Call(RootService& service, const std::string& method,
                                 const std::string& path, const std::string& body = "",
                                 const std::string& type = dsse::kInTotoPayloadType) {
    http::HttpRequest request;
    request.method = method;
    request.target = request.path = path;
    request.body = body;
    if (!type.empty()) request.headers.Set("Content-Type", type);
    return service.Routes()(request);
  }

  // Root set 1 listing the service's own key (reproduced by the root provenance).
  std::string SetOneFor(const RootService& service, std::vector<govern::EntryRef> refs) {
    govern::RootDescriptor root;
    root.name = "root-a";
    root.key = service.key().StatementKey();
    root.constraint = "C:" + HexEncodeUpper(root_m_) + " SEC:INSECURE";
    root.quote = service.binding_quote();
    root.reproduced_by = std::move(refs);
    govern::RootSet set =
        hb_->MakeRootSet(1, t0_ + kHour, t0_ + 180 * kDay, 1, {root},
                         {hb_->MakeBuilder(ledger_testing::kBuilderA, {"builder-a"}),
                          hb_->MakeBuilder(ledger_testing::kBuilderB, {"builder-b"})});
    auto entry = hb_->Sign({set}, {"other"});
    EXPECT_THAT(entry, IsOk());
    return std::string(AsStringView(dsse::LedgerEntry::Parse(*entry)->payload()));
  }

  std::string dir_;
  AcceptingAttester attester_;
};

TEST_F(RootServiceTest, IdentityStatesTheKeyItsBindingAndTheStatus) {
  AddRootProvenance();
  auto service = Start();
  ASSERT_THAT(service.status(), IsOk());
  http::HttpResponse r = Call(**service, "GET", "/identity");
  ASSERT_EQ(r.status, 200);
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["platform"], "sim");
  EXPECT_EQ(j["mode"], "SIMULATION");
  EXPECT_EQ(j["identity"]["mr_enclave"], HexEncode(root_m_));
  const EnclaveKey& key = (*service)->key();
  EXPECT_EQ(j["keyid"], key.KeyId());
  EXPECT_EQ(j["key"]["keyid"], key.KeyId());
  auto spki = Base64Decode(j["key"]["spki"].get<std::string>());
  ASSERT_THAT(spki.status(), IsOk());
  EXPECT_EQ(*spki, ToBytes(key.spki_der()));
  EXPECT_EQ(j["binding"]["tag"], "vouch-root-key/v1");
  EXPECT_EQ(j["binding"]["report_data"], HexEncode(govern::RootKeyReportData(*spki)));
  auto quote = Base64Decode(j["binding"]["quote"].get<std::string>());
  ASSERT_THAT(quote.status(), IsOk());
  EXPECT_EQ(*quote, (*service)->binding_quote());
  // The collateral it verifies its own quote with, as the files of a collateral directory.
  ASSERT_TRUE(j["binding"]["collateral"].is_object());
  const std::string served = dir_ + "/served-collateral";
  ASSERT_EQ(::mkdir(served.c_str(), 0755), 0);
  for (const auto& [name, data] : j["binding"]["collateral"].items()) {
    auto bytes = Base64Decode(data.get<std::string>());
    ASSERT_THAT(bytes.status(), IsOk()) << name;
    ASSERT_THAT(WriteFileAtomic(served + "/" + name, *bytes, 0644), IsOk());
  }
  auto read = sgx::ReadCollateralDirectory(served);
  ASSERT_THAT(read.status(), IsOk());
  auto expected = sim_->CollateralAt(Options().ledger.clock->Now());
  ASSERT_THAT(expected.status(), IsOk());
  // (The simulated PKI signs afresh each time, so the bodies compare, not the signatures.)
  EXPECT_EQ(read->tcb_info.body, expected->tcb_info.body);
  EXPECT_EQ(read->qe_identity.body, expected->qe_identity.body);
  EXPECT_EQ(read->pck_crl_issuer_chain, expected->pck_crl_issuer_chain);
  // Bootstrapping: not signing, and why.
  EXPECT_EQ(j["status"]["signing"], false);
  EXPECT_EQ(j["status"]["bootstrap"], true);
  EXPECT_EQ(j["status"]["check"], govern::kNoRootSet);
  EXPECT_EQ(j["status"]["admitted_by"], nullptr);
}

TEST_F(RootServiceTest, ARestartServesTheSameKey) {
  AddRootProvenance();
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
  EXPECT_EQ((*second)->key().KeyId(), keyid);
}

TEST_F(RootServiceTest, FailsClosedWithoutARootSetUnlessBootstrapping) {
  AddRootProvenance();
  EXPECT_THAT(Start(/*bootstrap=*/false).status(), ReasonIs(govern::kNoRootSet));
  ledger_->cosign_time = clock_->Now() - 3600;
  EXPECT_THAT(Start(/*bootstrap=*/true).status(), ReasonIs(kCheckpointStale));
}

TEST_F(RootServiceTest, SignsOverHttpAndThenServesAsARoot) {
  auto refs = AddRootProvenance();
  auto service = Start();
  ASSERT_THAT(service.status(), IsOk());
  const std::string set1 = SetOneFor(**service, refs);
  EXPECT_EQ(Call(**service, "POST", "/sign", set1, "text/plain").status, 415);
  http::HttpResponse r = Call(**service, "POST", "/sign", set1);
  ASSERT_EQ(r.status, 200) << r.body;
  auto sig = ParseSignResponse(r.body);
  ASSERT_THAT(sig, IsOk());
  EXPECT_EQ(sig->keyid, (*service)->key().KeyId());
  auto entry = dsse::LedgerEntry::Create(AsBytes(set1), {*sig});
  ASSERT_THAT(entry, IsOk());
  Add(Bytes(entry->bytes().begin(), entry->bytes().end()));
  // A second set 1: a rule refuses it (422, with the rule's code).
  r = Call(**service, "POST", "/sign", set1);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Json::parse(r.body)["error"], govern::kRootSetVersionReplayed);
  // Now a root in force, with its admission's receipt.
  const Json j = Json::parse(Call(**service, "GET", "/identity").body);
  EXPECT_EQ(j["status"]["signing"], true);
  EXPECT_EQ(j["status"]["bootstrap"], false);
  EXPECT_EQ(j["status"]["admitted_by"]["index"], refs.size());
  EXPECT_NE(j["status"]["receipt"].get<std::string>().find("c2sp.org/tlog-proof@v1"),
            std::string::npos);
}

TEST_F(RootServiceTest, RateLimited) {
  AddRootProvenance();
  auto service = Start(true, /*rate=*/0.001);
  ASSERT_THAT(service.status(), IsOk());
  EXPECT_EQ(Call(**service, "POST", "/sign", "{}").status, 422);
  EXPECT_EQ(Call(**service, "POST", "/sign", "{}").status, 422);
  http::HttpResponse r = Call(**service, "POST", "/sign", "{}");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.Get("Retry-After").value_or(""), "1");
}

TEST_F(RootServiceTest, RoutesAndMethods) {
  AddRootProvenance();
  auto service = Start();
  ASSERT_THAT(service.status(), IsOk());
  EXPECT_EQ(Call(**service, "POST", "/identity").status, 405);
  EXPECT_EQ(Call(**service, "GET", "/sign").status, 405);
  EXPECT_EQ(Call(**service, "GET", "/nothing").status, 404);
}

}  // namespace
}  // namespace vouch::server

// The platform interface: EnclaveIdentity JSON, the environment contract of
// Platform::FromEnvironment, and the mock backend (Conclave's mock mode).
#include "vouch/platform/platform.h"

#include <gtest/gtest.h>

#include <map>

#include "platform/test_identity.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/crypto/sha.h"
#include "vouch/platform/mock.h"
#include "vouch/platform/sim.h"

namespace vouch::platform {
namespace {

EnclaveIdentity ExampleIdentity() {
  return testing::TestIdentity(Sha256(AsBytes("enclave")), Sha256(AsBytes("signer")), 7, 3,
                               /*debug=*/true);
}

EnvironmentOptions Env(std::map<std::string, std::string> vars) {
  EnvironmentOptions o;
  o.getenv = [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  static const ::vouch::testing::FakeClock kClock(1700000000);
  o.clock = &kClock;
  return o;
}

TEST(EnclaveIdentityTest, JsonRoundTrip) {
  EnclaveIdentity id = ExampleIdentity();
  std::string json = id.ToJson();
  EXPECT_THAT(json, HasSubstr("\"product_id\":7,\"isv_svn\":3,\"attributes\":"
                              "\"07000000000000000300000000000000\",\"debug\":true"));
  auto back = EnclaveIdentity::FromJson(json);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(*back, id);
  EXPECT_TRUE(back->debug());
}

TEST(EnclaveIdentityTest, StrictJson) {
  std::string json = ExampleIdentity().ToJson();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = json;
    return s.replace(s.find(from), from.size(), to);
  };
  for (const std::string& bad :
       {with("\"debug\":true", "\"debug\":false"), with("\"isv_svn\":3", "\"isv_svn\":70000"),
        with("\"isv_svn\":3", "\"isv_svn\":3,\"isv_svn\":3"), with("}", ",\"x\":1}"),
        with("\"product_id\":7,", ""), with("\"mr_enclave\":\"", "\"mr_enclave\":\"00"),
        std::string("[]"), std::string("{")}) {
    EXPECT_THAT(EnclaveIdentity::FromJson(bad), ReasonIs("identity_malformed")) << bad;
  }
}

TEST(SealPolicyTest, Names) {
  EXPECT_EQ(SealPolicyName(SealPolicy::kMrEnclave), "mrenclave");
  EXPECT_EQ(SealPolicyFromName("mrsigner"), SealPolicy::kMrSigner);
  EXPECT_EQ(SealPolicyFromName("MRSIGNER"), std::nullopt);
}

TEST(FromEnvironmentTest, NothingSetUp) {
  EXPECT_THAT(Platform::FromEnvironment(Env({{"VOUCH_GRAMINE_ATTESTATION_DIR", "/nonexistent"}})),
              ReasonIs("platform_unavailable"));
  EXPECT_THAT(Platform::FromEnvironment(Env({{"VOUCH_PLATFORM", "sgx"}})),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Platform::FromEnvironment(Env({{"VOUCH_PLATFORM", "sim"}})),
              ReasonIs("platform_unavailable"));
  EXPECT_THAT(Platform::FromEnvironment(
                  Env({{"VOUCH_PLATFORM", "sim"}, {"VOUCH_SIM_DIR", "/nonexistent"}})),
              ReasonIs("platform_unavailable"));
  EXPECT_THAT(Platform::FromEnvironment(
                  Env({{"VOUCH_PLATFORM", "mock"}, {"VOUCH_ENCLAVE_IDENTITY", "{}"}})),
              ReasonIs("identity_malformed"));
}

TEST(FromEnvironmentTest, Simulation) {
  std::string dir = testing::MakeTempDir("env-sim") + "/s";
  ASSERT_THAT(SimInstallation::Init(dir, 1700000000, false), IsOk());
  auto env = Env({{"VOUCH_PLATFORM", "sim"},
                  {"VOUCH_SIM_DIR", dir},
                  {"VOUCH_ENCLAVE_IDENTITY", ExampleIdentity().ToJson()}});
  auto platform = Platform::FromEnvironment(env);
  ASSERT_THAT(platform, IsOk());
  EXPECT_EQ((*platform)->name(), "sim");
  EXPECT_EQ((*platform)->identity(), ExampleIdentity());
  EXPECT_THAT((*platform)->Quote(ReportData{}), IsOk());
  auto uninitialised = Env({{"VOUCH_PLATFORM", "sim"},
                            {"VOUCH_SIM_DIR", testing::MakeTempDir("env-empty")},
                            {"VOUCH_ENCLAVE_IDENTITY", ExampleIdentity().ToJson()}});
  EXPECT_THAT(Platform::FromEnvironment(uninitialised), ReasonIs("sim_not_initialized"));
}

TEST(MockPlatformTest, EvidenceIsConclaveMockEii) {
  auto platform = Platform::FromEnvironment(
      Env({{"VOUCH_PLATFORM", "mock"}, {"VOUCH_ENCLAVE_IDENTITY", ExampleIdentity().ToJson()}}));
  ASSERT_THAT(platform, IsOk());
  Platform& p = **platform;
  EXPECT_EQ(p.name(), "mock");
  EXPECT_EQ(p.mode(), EnclaveMode::kMock);
  EXPECT_EQ(p.evidence_format(), EvidenceFormat::kMockEii);
  EXPECT_EQ(p.identity().mr_signer, Sha256Hash{});  // Conclave's mock signer: zeros
  ReportData rd{};
  rd[5] = 9;
  auto evidence = p.Quote(rd);
  ASSERT_THAT(evidence, IsOk());
  auto eii = EnclaveInstanceInfo::FromJson(AsStringView(*evidence));
  ASSERT_THAT(eii, IsOk());
  EXPECT_EQ(eii->mode, EnclaveMode::kMock);
  EXPECT_EQ(eii->security.summary, SecuritySummary::kInsecure);
  EXPECT_EQ(eii->code_hash, ExampleIdentity().mr_enclave);
  EXPECT_EQ(eii->code_signer, Sha256Hash{});
  EXPECT_EQ(eii->product_id, 7);
  EXPECT_EQ(eii->isv_svn, 3);
  EXPECT_EQ(eii->report_data, rd);
  EXPECT_EQ(eii->security.timestamp, 1700000000);
}

TEST(MockPlatformTest, SealKeysFollowTheRules) {
  auto options = [] {
    MockPlatformOptions o;
    o.isv_svn = 2;
    return o;
  };
  auto shared_secret = NewMockPlatform(options());
  auto same = NewMockPlatform(options());
  SealKeyRequest r{SealPolicy::kMrSigner, 2, {}};
  EXPECT_TRUE(*shared_secret->SealKey(r) == *same->SealKey(r));  // mock secrets are public
  MockPlatformOptions o = options();
  o.secret = SecretBytes(Bytes(32, 7));
  auto own_secret = NewMockPlatform(std::move(o));
  EXPECT_FALSE(*shared_secret->SealKey(r) == *own_secret->SealKey(r));
  EXPECT_THAT(own_secret->SealKey({SealPolicy::kMrSigner, 3, {}}), ReasonIs("seal_svn_too_new"));
  EXPECT_THAT(own_secret->SealKey({SealPolicy::kMrSigner, 1, {}}), IsOk());
}

}  // namespace
}  // namespace vouch::platform

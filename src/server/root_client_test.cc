// The root client against in-process roots: the wire format of POST /sign, refusals with the
// root's code, a root that is down, and the concurrent collection.
#include "vouch/server/root_client.h"

#include <gtest/gtest.h>

#include <string>

#include "http/in_process_client.h"
#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/signer.h"

namespace vouch::server {
namespace {

http::HttpResponse JsonReply(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

class RootClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::move(LocalSigningKey::FromEd25519Seed(Bytes(32, 5))).value();
    // A root that signs whatever it is sent (the real one re-checks first).
    client_.Route("http://a.test", [this](const http::HttpRequest& req) {
      EXPECT_EQ(req.method, "POST");
      EXPECT_EQ(req.path, "/sign");
      EXPECT_EQ(req.headers.Get("Content-Type").value_or(""), dsse::kInTotoPayloadType);
      auto sig = dsse::SignPayload(*key_, dsse::kInTotoPayloadType, AsBytes(req.body));
      return JsonReply(200, FormatSignResponse(*sig));
    });
    client_.Route("http://b.test", [](const http::HttpRequest&) {
      return JsonReply(422, R"({"error":"not_reproduced","message":"no reference reproduces it"})");
    });
    client_.Route("http://c.test", [](const http::HttpRequest&) {
      return JsonReply(503, R"({"error":"self_check_failed","message":"self_revoked: revoked"})");
    });
    client_.Route("http://d.test",
                  [](const http::HttpRequest&) { return JsonReply(200, R"({"keyid":"ab"})"); });
  }

  RootClient Root(const std::string& url) { return *RootClient::Create(url, client_); }

  http::InProcessClient client_;
  std::unique_ptr<LocalSigningKey> key_;
};

TEST_F(RootClientTest, SignReturnsTheRootsSignature) {
  const std::string statement = R"({"_type":"x"})";
  auto sig = Root("http://a.test/").Sign(AsBytes(statement));
  ASSERT_THAT(sig, IsOk());
  EXPECT_EQ(sig->keyid, key_->verifier().KeyId());
  EXPECT_THAT(
      key_->verifier().Verify(dsse::Pae(dsse::kInTotoPayloadType, AsBytes(statement)), sig->sig),
      IsOk());
}

TEST_F(RootClientTest, RefusalsCarryTheRootsCode) {
  auto b = Root("http://b.test").Sign(AsBytes("{}"));
  EXPECT_THAT(b, ReasonIs("not_reproduced"));
  EXPECT_EQ(b.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(b.status().message(), HasSubstr("no reference reproduces it"));
  auto c = Root("http://c.test").Sign(AsBytes("{}"));
  EXPECT_THAT(c, ReasonIs("self_check_failed"));
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(Root("http://d.test").Sign(AsBytes("{}")), ReasonIs(kSignResponseMalformed));
  EXPECT_EQ(Root("http://down.test").Sign(AsBytes("{}")).status().code(), StatusCode::kUnavailable);
}

TEST_F(RootClientTest, CollectAsksEveryRootOnceAndKeepsTheOrder) {
  RootClient a = Root("http://a.test"), b = Root("http://b.test"), down = Root("http://x.test");
  auto answers = CollectSignatures({&b, &down, &a}, AsBytes("{}"));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0].url, "http://b.test");
  EXPECT_THAT(answers[0].signature, ReasonIs("not_reproduced"));
  EXPECT_FALSE(answers[1].signature.ok());
  EXPECT_THAT(answers[2].signature, IsOk());
  EXPECT_EQ(client_.requests("http://a.test"), 1);
  EXPECT_EQ(client_.requests("http://b.test"), 1);
}

TEST(SignResponseTest, StrictReader) {
  dsse::Signature s{std::string(64, 'a'), Bytes{1, 2, 3}};
  auto round = ParseSignResponse(FormatSignResponse(s));
  ASSERT_THAT(round, IsOk());
  EXPECT_EQ(*round, s);
  for (
      const char* bad :
      {"", "[]", R"({"keyid":"aa","sig":"AQID"})",
       R"({"keyid":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","sig":"AQID"})",
       R"({"sig":"AQID"})", R"({"keyid":1,"sig":"AQID"})"}) {
    EXPECT_THAT(ParseSignResponse(bad), ReasonIs(kSignResponseMalformed)) << bad;
  }
  std::string extra = R"({"keyid":")" + std::string(64, 'a') + R"(","sig":"AQID","x":1})";
  EXPECT_THAT(ParseSignResponse(extra), ReasonIs(kSignResponseMalformed));
  std::string empty = R"({"keyid":")" + std::string(64, 'a') + R"(","sig":""})";
  EXPECT_THAT(ParseSignResponse(empty), ReasonIs(kSignResponseMalformed));
}

}  // namespace
}  // namespace vouch::server

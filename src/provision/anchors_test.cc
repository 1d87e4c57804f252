// provision-anchors.json (anchors.h): what parses, and every way the strict reader refuses.
#include "vouch/provision/anchors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"

namespace vouch::provision {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class AnchorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
    b_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEcdsaP256Sha256);
  }
  static Json KeyJson(const LocalSigningKey& k) {
    return {{"keyid", k.verifier().KeyId()}, {"spki", Base64Encode(k.verifier().spki_der())}};
  }
  Json Good() const {
    return {{"format", kAnchorsFormat},
            {"ownerKeys", Json::array({KeyJson(*a_), KeyJson(*b_)})},
            {"policy", nullptr}};
  }
  static StatusOr<Anchors> ParseJson(const Json& j) { return Anchors::Parse(AsBytes(j.dump())); }

  std::unique_ptr<LocalSigningKey> a_;
  std::unique_ptr<LocalSigningKey> b_;
};

TEST_F(AnchorsTest, ParsesKeysInOrderAndThePolicy) {
  auto anchors = ParseJson(Good());
  ASSERT_THAT(anchors, IsOk());
  ASSERT_EQ(anchors->owner_keys().size(), 2u);
  EXPECT_EQ(anchors->owner_keys().keys()[0]->KeyId(), a_->verifier().KeyId());
  EXPECT_NE(anchors->owner_keys().Find(b_->verifier().KeyId()), nullptr);
  EXPECT_FALSE(anchors->policy().has_value());
  Json with_policy = Good();
  with_policy["policy"] = "log example.com/log abc\nquorum none\n";
  anchors = ParseJson(with_policy);
  ASSERT_THAT(anchors, IsOk());
  EXPECT_EQ(anchors->policy(), "log example.com/log abc\nquorum none\n");
}

TEST_F(AnchorsTest, RefusesAnythingElse) {
  struct Case {
    const char* name;
    std::function<void(Json&)> edit;
    const char* where;
  };
  const Case cases[] = {
      {"wrong format", [](Json& j) { j["format"] = "vouch-provision-anchors/v2"; }, "/format"},
      {"format missing", [](Json& j) { j.erase("format"); }, "/format"},
      {"policy missing", [](Json& j) { j.erase("policy"); }, "/policy"},
      {"unknown field", [](Json& j) { j["extra"] = 1; }, "/extra"},
      {"no keys", [](Json& j) { j["ownerKeys"] = Json::array(); }, "/ownerKeys"},
      {"keys not an array", [](Json& j) { j["ownerKeys"] = "x"; }, "/ownerKeys"},
      {"same key twice", [](Json& j) { j["ownerKeys"][1] = j["ownerKeys"][0]; }, "/ownerKeys/1"},
      {"keyid not the spki's", [](Json& j) { j["ownerKeys"][0]["keyid"] = std::string(64, 'a'); },
       "/ownerKeys/0/keyid"},
      {"spki not base64", [](Json& j) { j["ownerKeys"][1]["spki"] = "!!"; }, "/ownerKeys/1/spki"},
      {"policy a number", [](Json& j) { j["policy"] = 3; }, "/policy"},
      {"policy empty", [](Json& j) { j["policy"] = ""; }, "/policy"},
  };
  for (const Case& c : cases) {
    Json j = Good();
    c.edit(j);
    EXPECT_THAT(ParseJson(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.where))) << c.name;
    EXPECT_THAT(ParseJson(j), ReasonIs(kReasonAnchorsMalformed)) << c.name;
  }
  EXPECT_THAT(Anchors::Parse(AsBytes(std::string_view("{\"format\":1,\"format\":2}"))),
              ReasonIs(kReasonAnchorsMalformed));
  EXPECT_THAT(Anchors::Parse(AsBytes(std::string_view("[]"))), ReasonIs(kReasonAnchorsMalformed));
  EXPECT_THAT(Anchors::Parse(Bytes(kMaxAnchorsSize + 1, ' ')), ReasonIs(kReasonAnchorsMalformed));
}

TEST_F(AnchorsTest, FromKeysKeepsTheSameRules) {
  EXPECT_THAT(Anchors::FromKeys({}), ReasonIs(kReasonAnchorsMalformed));
  auto key = *PublicKeyFromSpki(a_->verifier().spki_der());
  EXPECT_THAT(Anchors::FromKeys({key, key}), ReasonIs(kReasonAnchorsMalformed));
  EXPECT_THAT(Anchors::FromKeys({key}, ""), ReasonIs(kReasonAnchorsMalformed));
  EXPECT_THAT(Anchors::FromKeys({key}), IsOk());
}

}  // namespace
}  // namespace vouch::provision

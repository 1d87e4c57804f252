// Recovery of an envelope with its custodians and the re-wrap statement (spec/provisioning.md
// §5.3): k−1 custodians fail, k succeed and get the owner's secret, wrong or repeated keys are
// refused with their codes, and the statement names both envelopes and parses back.
#include "vouch/provision/rewrap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519_keys.h"

namespace vouch::provision {
namespace {

constexpr char kSecret[] = "correct horse battery staple";

class RewrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    owner_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
    broker_.emplace(*X25519PrivateKey::Generate());
    for (int i = 0; i < 3; ++i) custodians_.push_back(*X25519PrivateKey::Generate());
  }

  // An envelope of kSecret for `constraint`, 2-of-3 recoverable by custodians_ (none if
  // `recoverable` is false).
  Envelope Make(const std::string& constraint, bool recoverable = true) {
    EnvelopeRequest r = Request(constraint, 1'800'000'000);
    if (recoverable) {
      for (const X25519PrivateKey& c : custodians_) r.custodians.push_back(c.public_key());
      r.threshold = 2;
    }
    auto inner = Inner::Generate(SecretBytes(AsBytes(kSecret)));
    EXPECT_THAT(inner, IsOk());
    const PublicKeySign* signers[] = {owner_.get()};
    auto env = MakeEnvelope(r, *inner, signers);
    EXPECT_THAT(env, IsOk());
    return *std::move(env);
  }

  // A request for an envelope under a fresh id, for `constraint`, to broker_, made at `created`
  // (no custodians).
  EnvelopeRequest Request(const std::string& constraint, UnixSeconds created) const {
    EnvelopeRequest r;
    EXPECT_THAT(SystemRandom().Fill(r.id), IsOk());
    r.created = created;
    r.constraint = constraint;
    r.unadmitted_override = true;
    r.broker_key = broker_->public_key();
    return r;
  }

  std::vector<X25519PrivateKey> Keys(std::initializer_list<size_t> which) const {
    std::vector<X25519PrivateKey> keys;
    for (size_t i : which) {
      keys.push_back(*X25519PrivateKey::FromBytes(custodians_[i].private_bytes().Reveal()));
    }
    return keys;
  }

  const std::string c1_ = "C:" + std::string(64, 'A') + " SEC:INSECURE";
  const std::string c2_ = "C:" + std::string(64, 'B') + " SEC:INSECURE";
  std::unique_ptr<LocalSigningKey> owner_;
  std::optional<X25519PrivateKey> broker_;
  std::vector<X25519PrivateKey> custodians_;
};

TEST_F(RewrapTest, ThresholdMinusOneFailsThresholdSucceeds) {
  Envelope env = Make(c1_);
  auto one = RecoverEnvelope(env, Keys({1}));
  EXPECT_THAT(one, ReasonIs(kReasonRecoveryInsufficientShares));
  EXPECT_EQ(one.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(RecoverEnvelope(env, {}), ReasonIs(kReasonRecoveryInsufficientShares));
  for (std::initializer_list<size_t> which :
       {std::initializer_list<size_t>{0, 1}, {2, 0}, {0, 1, 2}}) {
    std::vector<X25519PrivateKey> pair = Keys(which);
    auto r = RecoverEnvelope(env, pair);
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(AsStringView(r->inner.secret().Reveal()), kSecret);
    EXPECT_THAT(r->inner.VerifyCommitment(env.payload().id, env.payload().commitment), IsOk());
    EXPECT_EQ(r->custodians.size(), pair.size());
    EXPECT_TRUE(std::is_sorted(r->custodians.begin(), r->custodians.end()));
  }
}

TEST_F(RewrapTest, WrongRepeatedOrMissingKeysAreRefused) {
  Envelope env = Make(c1_);
  std::vector<X25519PrivateKey> stranger = Keys({0});
  stranger.push_back(*X25519PrivateKey::Generate());
  auto unknown = RecoverEnvelope(env, stranger);
  EXPECT_THAT(unknown, ReasonIs(kReasonRecoveryCustodianUnknown));
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  auto twice = RecoverEnvelope(env, Keys({0, 0}));
  EXPECT_THAT(twice, ReasonIs(kReasonRecoveryInvalid));
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(RecoverEnvelope(Make(c1_, /*recoverable=*/false), Keys({0, 1})),
              ReasonIs(kReasonRecoveryInvalid));
  // Shares of another envelope for the same custodians do not open this one's.
  Envelope other = Make(c1_);
  EXPECT_THAT(RecoverEnvelope(other, Keys({0, 1})), IsOk());
  EXPECT_NE(other.payload().id, env.payload().id);
}

TEST_F(RewrapTest, TheStatementNamesBothEnvelopes) {
  Envelope from = Make(c1_);
  auto recovered = RecoverEnvelope(from, Keys({0, 2}));
  ASSERT_THAT(recovered, IsOk());
  const PublicKeySign* signers[] = {owner_.get()};
  auto to = MakeEnvelope(Request(c2_, 1'800'000'100), recovered->inner, signers);
  ASSERT_THAT(to, IsOk());
  // The new envelope carries the same secret under a new id, hence a new commitment.
  EXPECT_NE(to->payload().commitment, from.payload().commitment);
  EXPECT_THAT(recovered->inner.VerifyCommitment(to->payload().id, to->payload().commitment),
              IsOk());

  govern::Rewrap w = MakeRewrap(from, *to, "example.com/ledger", 1'800'000'200, "wrong_measurement",
                                recovered->custodians);
  auto payload = govern::EncodeStatement(govern::Statement{w});
  ASSERT_THAT(payload, IsOk());
  auto back = govern::ParseStatement(*payload);
  ASSERT_THAT(back, IsOk());
  const auto& g = std::get<govern::Rewrap>(back->predicate);
  EXPECT_EQ(g.from.id, from.payload().id);
  EXPECT_EQ(g.from.sha256, from.payload_sha256());
  EXPECT_EQ(g.from.constraint, c1_);
  EXPECT_EQ(g.to.id, to->payload().id);
  EXPECT_EQ(g.to.sha256, to->payload_sha256());
  EXPECT_EQ(g.to.constraint, c2_);
  EXPECT_EQ(g.to_broker_keyid, HexEncode(to->payload().broker_keyid));
  EXPECT_TRUE(g.to_unadmitted_override);
  EXPECT_EQ(g.threshold, 2);
  EXPECT_EQ(g.custodians, recovered->custodians);
  // An unknown reason does not encode.
  w.reason = "because";
  EXPECT_FALSE(govern::EncodeStatement(govern::Statement{w}).ok());
}

}  // namespace
}  // namespace vouch::provision

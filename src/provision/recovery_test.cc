#include "vouch/provision/recovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "testing/status_matchers.h"
#include "vouch/crypto/sha.h"

namespace vouch::provision {
namespace {

X25519PrivateKey RecoveryKeyFrom(const std::string& label) {
  Sha256Digest ikm = Sha256(AsBytes(label));
  return *hpke::DeriveKeyPair(ikm);
}

// A 3-of-5 recovery of a random secret, made with the system's randomness.
class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) {
      keys_.push_back(RecoveryKeyFrom("custodian " + std::to_string(i)));
      publics_.push_back(keys_.back().public_key());
    }
    id_[0] = 0x11;
    inner_.emplace(*Inner::Generate(SecretBytes(AsBytes("db password"))));
    commitment_ = *inner_->CommitmentFor(id_);
    auto made = MakeRecovery(id_, *inner_, publics_, 3);
    ASSERT_THAT(made, IsOk());
    recovery_ = std::move(*made);
    for (const auto& key : keys_) {
      auto share = OpenRecoveryShare(id_, recovery_, key);
      ASSERT_THAT(share, IsOk());
      opened_.push_back(std::move(*share));
    }
  }
  std::vector<SecretBytes> Shares(std::initializer_list<size_t> indices) {
    std::vector<SecretBytes> out;
    for (size_t i : indices) out.push_back(opened_[i].Copy());
    return out;
  }

  std::vector<X25519PrivateKey> keys_;
  std::vector<X25519PublicKey> publics_;
  EnvelopeId id_{};
  std::optional<Inner> inner_;
  Commitment commitment_{};
  RecoveryWrap recovery_;
  std::vector<SecretBytes> opened_;
};

TEST_F(RecoveryTest, ThresholdSharesRecoverFewerDoNot) {
  EXPECT_THAT(ValidateRecovery(recovery_), IsOk());
  for (const auto& s : recovery_.shares) EXPECT_EQ(s.sealed.ct.size(), kSealedShareSize);
  auto recovered = Recover(id_, recovery_, Shares({4, 0, 2}), commitment_);
  ASSERT_THAT(recovered, IsOk());
  EXPECT_EQ(AsStringView(recovered->secret().Reveal()), "db password");
  EXPECT_THAT(Recover(id_, recovery_, Shares({0, 1, 2, 3, 4}), commitment_), IsOk());
  EXPECT_THAT(Recover(id_, recovery_, Shares({1, 3}), commitment_),
              ReasonIs(kReasonRecoveryInsufficientShares));
  // Two shares padded with a duplicate are still two shares.
  EXPECT_THAT(Recover(id_, recovery_, Shares({1, 3, 3}), commitment_),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("duplicate")));
}

TEST_F(RecoveryTest, AWrongShareFailsAuthentication) {
  std::vector<SecretBytes> shares = Shares({0, 1});
  Bytes corrupt(opened_[2].Reveal().begin(), opened_[2].Reveal().end());
  corrupt[5] ^= 0x40;
  shares.emplace_back(corrupt);
  EXPECT_THAT(Recover(id_, recovery_, shares, commitment_),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("does not open")));
  // A share with an x this envelope does not have.
  Bytes foreign(opened_[2].Reveal().begin(), opened_[2].Reveal().end());
  foreign.back() = static_cast<uint8_t>(foreign.back() ^ 0xff);
  if (foreign.back() == 0) foreign.back() = 1;
  std::vector<SecretBytes> with_foreign = Shares({0, 1});
  with_foreign.emplace_back(foreign);
  EXPECT_THAT(Recover(id_, recovery_, with_foreign, commitment_), ReasonIs(kReasonRecoveryFailed));
  // The right shares but another envelope's commitment.
  Commitment other = commitment_;
  other[0] ^= 1;
  EXPECT_THAT(Recover(id_, recovery_, Shares({0, 1, 2}), other),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("commitment")));
  // Shares of this wrap presented for another envelope id: the wrap's info differs.
  EnvelopeId other_id = id_;
  other_id[1] = 1;
  EXPECT_THAT(Recover(other_id, recovery_, Shares({0, 1, 2}), commitment_),
              ReasonIs(kReasonRecoveryFailed));
}

TEST_F(RecoveryTest, SharesAreBoundToTheirCustodianAndPlace) {
  EXPECT_THAT(OpenRecoveryShare(id_, recovery_, RecoveryKeyFrom("stranger")),
              ReasonIs(kReasonRecoveryCustodianUnknown));
  RecoveryWrap swapped = recovery_;
  std::swap(swapped.shares[0].sealed, swapped.shares[1].sealed);
  EXPECT_THAT(OpenRecoveryShare(id_, swapped, keys_[0]), ReasonIs(kReasonRecoveryFailed));
  RecoveryWrap renumbered = recovery_;
  renumbered.shares[0].x = static_cast<uint8_t>(renumbered.shares[0].x ^ 0x80);
  if (renumbered.shares[0].x == 0) renumbered.shares[0].x = 1;
  auto opened = OpenRecoveryShare(id_, renumbered, keys_[0]);
  EXPECT_FALSE(opened.ok());  // refused by ValidateRecovery (duplicate x) or by the share's info
  RecoveryWrap lower_threshold = recovery_;
  lower_threshold.threshold = 2;
  EXPECT_THAT(OpenRecoveryShare(id_, lower_threshold, keys_[0]), ReasonIs(kReasonRecoveryFailed));
  EXPECT_THAT(OpenRecoveryShare(EnvelopeId{}, recovery_, keys_[0]),
              ReasonIs(kReasonRecoveryFailed));
}

TEST_F(RecoveryTest, ValidateRecoveryEnforcesTheRules) {
  auto broken = [&](auto edit) {
    RecoveryWrap r = recovery_;
    edit(r);
    return ValidateRecovery(r);
  };
  EXPECT_THAT(broken([](RecoveryWrap& r) { r.threshold = 1; }), ReasonIs(kReasonRecoveryInvalid));
  EXPECT_THAT(broken([](RecoveryWrap& r) { r.threshold = 6; }), ReasonIs(kReasonRecoveryInvalid));
  EXPECT_THAT(broken([](RecoveryWrap& r) { r.shares[3].x = 0; }), ReasonIs(kReasonRecoveryInvalid));
  EXPECT_THAT(broken([](RecoveryWrap& r) { r.shares[3].x = r.shares[1].x; }),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("same x")));
  EXPECT_THAT(broken([](RecoveryWrap& r) { r.shares[3].custodian = r.shares[1].custodian; }),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("same custodian")));
  EXPECT_THAT(broken([](RecoveryWrap& r) { r.shares[2].sealed.ct.pop_back(); }),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not 49")));
  EXPECT_THAT(broken([](RecoveryWrap& r) { r.wrap.ct.resize(56); }),
              ReasonIs(kReasonRecoveryInvalid));
  EXPECT_THAT(broken([](RecoveryWrap& r) {
                while (r.shares.size() < 17) r.shares.push_back(r.shares[0]);
              }),
              ReasonIs(kReasonRecoveryInvalid));
}

TEST(MakeRecoveryTest, RefusesBadArguments) {
  Inner inner = *Inner::Generate(SecretBytes(AsBytes("s")));
  std::vector<X25519PublicKey> three;
  for (int i = 0; i < 3; ++i)
    three.push_back(RecoveryKeyFrom("c" + std::to_string(i)).public_key());
  EnvelopeId id{};
  EXPECT_THAT(MakeRecovery(id, inner, three, 1), ReasonIs(kReasonRecoveryInvalid));
  EXPECT_THAT(MakeRecovery(id, inner, three, 4), ReasonIs(kReasonRecoveryInvalid));
  std::vector<X25519PublicKey> repeated = {three[0], three[1], three[0]};
  EXPECT_THAT(MakeRecovery(id, inner, repeated, 2),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("listed twice")));
  std::vector<X25519PublicKey> many;
  for (int i = 0; i < 17; ++i)
    many.push_back(RecoveryKeyFrom("m" + std::to_string(i)).public_key());
  EXPECT_THAT(MakeRecovery(id, inner, many, 2), ReasonIs(kReasonRecoveryInvalid));
  many.pop_back();
  EXPECT_THAT(MakeRecovery(id, inner, many, 16), IsOk());
  std::vector<X25519PublicKey> low_order = {three[0], X25519PublicKey{}};
  EXPECT_THAT(MakeRecovery(id, inner, low_order, 2), ReasonIs(hpke::kReasonInvalidKey));
}

}  // namespace
}  // namespace vouch::provision

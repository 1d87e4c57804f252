#include "vouch/provision/envelope_crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"

namespace vouch::provision {
namespace {

X25519PrivateKey KeyFrom(std::string_view label) {
  Sha256Digest ikm = Sha256(AsBytes(label));
  return *hpke::DeriveKeyPair(ikm);
}

class EnvelopeCryptoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inner_.emplace(*Inner::Create(SecretBytes(Bytes(32, 7)), SecretBytes(AsBytes("hunter2"))));
    binding_.id[0] = 0xab;
    binding_.role = "workload";
    binding_.constraint = "C:" + std::string(64, 'A') + " SEC:INSECURE";
    binding_.broker_keyid = X25519KeyIdDigest(broker_.public_key());
    binding_.commitment = *inner_->CommitmentFor(binding_.id);
  }
  X25519PrivateKey broker_ = KeyFrom("broker");
  std::optional<Inner> inner_;
  EnvelopeBinding binding_;
};

TEST_F(EnvelopeCryptoTest, EveryBoundFieldMatters) {
  auto sealed = SealEnvelopeSecret(broker_.public_key(), binding_, *inner_);
  ASSERT_THAT(sealed, IsOk());
  ASSERT_THAT(OpenEnvelopeSecret(broker_, binding_, *sealed), IsOk());
  auto changed = [&](auto edit) {
    EnvelopeBinding b = binding_;
    edit(b);
    return OpenEnvelopeSecret(broker_, b, *sealed);
  };
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.id[15] ^= 1; }),
              ReasonIs(kReasonEnvelopeDecryptFailed));
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.role = "broker"; }),
              ReasonIs(kReasonEnvelopeDecryptFailed));
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.constraint.back() = 'X'; }),
              ReasonIs(kReasonEnvelopeDecryptFailed));
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.not_after = "2030-01-01T00:00:00Z"; }),
              ReasonIs(kReasonEnvelopeDecryptFailed));
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.flags = kFlagUnadmittedOverride; }),
              ReasonIs(kReasonEnvelopeDecryptFailed));
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.commitment[0] ^= 1; }),
              ReasonIs(kReasonEnvelopeDecryptFailed));
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.activity = "payroll"; }),
              ReasonIs(kReasonEnvelopeDecryptFailed));
  EXPECT_THAT(changed([](EnvelopeBinding& b) { b.broker_keyid[0] ^= 1; }),
              ReasonIs(kReasonEnvelopeWrongBroker));
  hpke::Ciphertext tampered = *sealed;
  tampered.ct.back() ^= 1;
  EXPECT_THAT(OpenEnvelopeSecret(broker_, binding_, tampered),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("does not decrypt")));
  EXPECT_THAT(OpenEnvelopeSecret(KeyFrom("another broker"), binding_, *sealed),
              ReasonIs(kReasonEnvelopeWrongBroker));
}

TEST_F(EnvelopeCryptoTest, SealRefusesInconsistentBindings) {
  EnvelopeBinding wrong_key = binding_;
  wrong_key.broker_keyid[0] ^= 1;
  EXPECT_THAT(SealEnvelopeSecret(broker_.public_key(), wrong_key, *inner_),
              ReasonIs(kReasonBindingInvalid));
  EnvelopeBinding wrong_commitment = binding_;
  wrong_commitment.commitment[0] ^= 1;
  EXPECT_THAT(SealEnvelopeSecret(broker_.public_key(), wrong_commitment, *inner_),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("commitment")));
  EnvelopeBinding flags = binding_;
  flags.flags = 2;
  EXPECT_THAT(SealEnvelopeSecret(broker_.public_key(), flags, *inner_),
              ReasonIs(kReasonBindingInvalid));
  EnvelopeBinding empty = binding_;
  empty.constraint.clear();
  EXPECT_THAT(EnvelopeInfo(empty), ReasonIs(kReasonBindingInvalid));
  empty.constraint = std::string(kMaxConstraintSize + 1, 'C');
  EXPECT_THAT(EnvelopeInfo(empty), ReasonIs(kReasonBindingInvalid));
  EXPECT_THAT(BrokerKeyReportData(broker_.public_key(), {}), ReasonIs(kReasonBindingInvalid));
}

// A malformed inner that nonetheless authenticates (an owner bug, or a hostile owner) is still
// refused, as step 16 requires.
TEST_F(EnvelopeCryptoTest, AuthenticatedButMalformedInnerIsRefused) {
  auto info = EnvelopeInfo(binding_);
  ASSERT_THAT(info, IsOk());
  SecretBytes encoded = inner_->Encode();
  Bytes trailing(encoded.Reveal().begin(), encoded.Reveal().end());
  trailing.push_back(0);
  auto sealed = hpke::SealBase(broker_.public_key(), *info, {}, trailing);
  ASSERT_THAT(sealed, IsOk());
  EXPECT_THAT(OpenEnvelopeSecret(broker_, binding_, *sealed),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("follow")));
}

TEST_F(EnvelopeCryptoTest, ResponseIsBoundToNonceKeyEnvelopeAndRecord) {
  X25519PrivateKey enclave = KeyFrom("enclave");
  ResponseBinding binding;
  binding.envelope_id = binding_.id;
  binding.nonce[0] = 9;
  binding.enclave_key = enclave.public_key();
  binding.record_leaf_hash[31] = 1;
  auto encapsulation = EncapToEnclave(enclave.public_key());
  ASSERT_THAT(encapsulation, IsOk());
  auto sealed = SealResponse(*encapsulation, binding, *inner_);
  ASSERT_THAT(sealed, IsOk());
  auto opened = OpenResponse(enclave, binding, *sealed);
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(AsStringView(opened->secret().Reveal()), "hunter2");

  for (int field = 0; field < 3; ++field) {
    ResponseBinding b = binding;
    if (field == 0) b.envelope_id[1] ^= 1;
    if (field == 1) b.nonce[1] ^= 1;
    if (field == 2) b.record_leaf_hash[1] ^= 1;
    EXPECT_THAT(OpenResponse(enclave, b, *sealed), ReasonIs(kReasonResponseDecryptFailed)) << field;
  }
  ResponseBinding other_key = binding;
  other_key.enclave_key = KeyFrom("someone else").public_key();
  EXPECT_THAT(OpenResponse(enclave, other_key, *sealed), ReasonIs(kReasonBindingInvalid));
  EXPECT_THAT(SealResponse(*encapsulation, other_key, *inner_), ReasonIs(kReasonBindingInvalid));
}

TEST_F(EnvelopeCryptoTest, LowOrderEnclaveKeyIsRefused) {
  X25519PublicKey zero{};
  EXPECT_THAT(EncapToEnclave(zero), ReasonIs(kReasonEnclaveKeyInvalid));
  X25519PublicKey one{};
  one[0] = 1;
  EXPECT_THAT(EncapToEnclave(one), ReasonIs(kReasonEnclaveKeyInvalid));
}

}  // namespace
}  // namespace vouch::provision

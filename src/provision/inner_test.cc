#include "vouch/provision/inner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/scripted_random.h"
#include "testing/status_matchers.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"

namespace vouch::provision {
namespace {

using ::vouch::testing::ScriptedRandom;

Bytes Encoded(std::string_view secret, uint32_t declared) {
  ByteWriter out;
  out.WriteBytes(AsBytes("VPS1"));
  out.WriteBytes(Bytes(32, 0xc0));
  out.WriteU32Be(declared);
  out.WriteBytes(AsBytes(secret));
  return std::move(out).Finish();
}

TEST(InnerTest, ParsesWhatItEncodes) {
  auto inner = Inner::Create(SecretBytes(Bytes(32, 0xc0)), SecretBytes(AsBytes("pw")));
  ASSERT_THAT(inner, IsOk());
  SecretBytes encoded = inner->Encode();
  EXPECT_EQ(HexEncode(encoded.Reveal()), HexEncode(Encoded("pw", 2)));
  auto parsed = Inner::Parse(encoded.Reveal());
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->secret(), inner->secret());
  EXPECT_EQ(parsed->commit_key(), inner->commit_key());
}

TEST(InnerTest, ParseIsStrict) {
  EXPECT_THAT(Inner::Parse(Encoded("pw", 2)), IsOk());
  EXPECT_THAT(Inner::Parse({}), ReasonIs(kReasonInnerMalformed));
  EXPECT_THAT(Inner::Parse(ByteSpan(Encoded("", 0)).first(39)), ReasonIs(kReasonInnerMalformed));
  Bytes magic = Encoded("pw", 2);
  magic[3] = '2';
  EXPECT_THAT(Inner::Parse(magic), StatusIs(StatusCode::kInvalidArgument, HasSubstr("VPS1")));
  EXPECT_THAT(Inner::Parse(Encoded("", 0)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("allowed: 1..32768")));
  EXPECT_THAT(Inner::Parse(Encoded("pw", 1)),  // trailing byte
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("but 2 follow")));
  EXPECT_THAT(Inner::Parse(Encoded("pw", 3)),  // missing byte
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("but 2 follow")));
  EXPECT_THAT(Inner::Parse(Encoded("pw", 0xFFFFFFFF)), ReasonIs(kReasonInnerMalformed));
  std::string max(kMaxSecretSize, 'x');
  EXPECT_THAT(Inner::Parse(Encoded(max, kMaxSecretSize)), IsOk());
  EXPECT_THAT(Inner::Parse(Encoded(max + "x", kMaxSecretSize + 1)),
              ReasonIs(kReasonInnerMalformed));
}

TEST(InnerTest, CreateChecksSizes) {
  EXPECT_THAT(Inner::Create(SecretBytes(Bytes(31, 1)), SecretBytes(AsBytes("s"))),
              ReasonIs(kReasonInnerMalformed));
  EXPECT_THAT(Inner::Create(SecretBytes(Bytes(32, 1)), SecretBytes()),
              ReasonIs(kReasonInnerMalformed));
  EXPECT_THAT(Inner::Create(SecretBytes(Bytes(32, 1)), SecretBytes(Bytes(kMaxSecretSize + 1, 1))),
              ReasonIs(kReasonInnerMalformed));
}

TEST(InnerTest, GenerateDrawsTheCommitKey) {
  ScriptedRandom rng(Bytes(32, 0x42));
  auto inner = Inner::Generate(SecretBytes(AsBytes("s")), rng);
  ASSERT_THAT(inner, IsOk());
  EXPECT_EQ(rng.remaining(), 0u);
  EXPECT_EQ(HexEncode(inner->commit_key().Reveal()), HexEncode(Bytes(32, 0x42)));
  auto a = Inner::Generate(SecretBytes(AsBytes("s")));
  auto b = Inner::Generate(SecretBytes(AsBytes("s")));
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_FALSE(a->commit_key() == b->commit_key());
}

TEST(InnerTest, CommitmentBindsKeyIdAndSecret) {
  auto inner = Inner::Create(SecretBytes(Bytes(32, 1)), SecretBytes(AsBytes("secret")));
  auto other_secret = Inner::Create(SecretBytes(Bytes(32, 1)), SecretBytes(AsBytes("secreu")));
  auto other_key = Inner::Create(SecretBytes(Bytes(32, 2)), SecretBytes(AsBytes("secret")));
  ASSERT_THAT(inner, IsOk());
  EnvelopeId id{};
  EnvelopeId other_id{};
  other_id[15] = 1;
  auto c = inner->CommitmentFor(id);
  ASSERT_THAT(c, IsOk());
  EXPECT_THAT(inner->VerifyCommitment(id, *c), IsOk());
  EXPECT_THAT(inner->VerifyCommitment(other_id, *c), ReasonIs(kReasonCommitmentMismatch));
  EXPECT_THAT(other_secret->VerifyCommitment(id, *c), ReasonIs(kReasonCommitmentMismatch));
  EXPECT_THAT(other_key->VerifyCommitment(id, *c), ReasonIs(kReasonCommitmentMismatch));
  EXPECT_THAT(inner->VerifyCommitment(id, ByteSpan(*c).first(31)),
              ReasonIs(kReasonCommitmentMismatch));
}

}  // namespace
}  // namespace vouch::provision

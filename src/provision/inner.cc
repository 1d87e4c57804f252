#include "vouch/provision/inner.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/crypto/hmac.h"

namespace vouch::provision {
namespace {

constexpr std::string_view kMagic(kInnerMagic, 4);
constexpr std::string_view kCommitmentLabel = "vouch-secret-commitment/v1";

Status InnerMalformed(std::string message) {
  return MalformedError(kReasonInnerMalformed, std::move(message));
}

Status CheckSizes(size_t commit_key_size, size_t secret_size) {
  if (commit_key_size != kCommitKeySize) {
    return InnerMalformed("the commitment key must be 32 bytes, got " +
                          std::to_string(commit_key_size));
  }
  if (secret_size < kMinSecretSize || secret_size > kMaxSecretSize) {
    return InnerMalformed("a provisioned secret must be 1..32768 bytes, got " +
                          std::to_string(secret_size));
  }
  return OkStatus();
}

}  // namespace

StatusOr<Inner> Inner::Create(SecretBytes commit_key, SecretBytes secret) {
  VOUCH_RETURN_IF_ERROR(CheckSizes(commit_key.size(), secret.size()));
  return Inner(std::move(commit_key), std::move(secret));
}

StatusOr<Inner> Inner::Generate(SecretBytes secret, RandomSource& rng) {
  SecretBytes commit_key(kCommitKeySize);
  VOUCH_RETURN_IF_ERROR(rng.Fill(std::span<uint8_t>(commit_key.mutable_data(), kCommitKeySize)));
  return Create(std::move(commit_key), std::move(secret));
}

StatusOr<Inner> Inner::Parse(ByteSpan plaintext) {
  if (plaintext.size() < kInnerHeaderSize) {
    return InnerMalformed("inner plaintext of " + std::to_string(plaintext.size()) +
                          " bytes is shorter than its 40-byte header");
  }
  if (!EqualBytes(plaintext.first(4), AsBytes(kMagic))) {
    return InnerMalformed("inner plaintext does not start with \"VPS1\"");
  }
  const uint32_t length = LoadU32Be(plaintext.data() + 4 + kCommitKeySize);
  if (length < kMinSecretSize || length > kMaxSecretSize) {
    return InnerMalformed("inner plaintext declares a secret of " + std::to_string(length) +
                          " bytes (allowed: 1..32768)");
  }
  if (plaintext.size() - kInnerHeaderSize != length) {
    return InnerMalformed("inner plaintext declares " + std::to_string(length) +
                          " secret bytes but " +
                          std::to_string(plaintext.size() - kInnerHeaderSize) + " follow");
  }
  return Inner(SecretBytes(plaintext.subspan(4, kCommitKeySize)),
               SecretBytes(plaintext.subspan(kInnerHeaderSize)));
}

SecretBytes Inner::Encode() const {
  SecretBytes out(kInnerHeaderSize + secret_.size());
  uint8_t* p = std::copy(kMagic.begin(), kMagic.end(), out.mutable_data());
  p = std::copy(commit_key_.Reveal().begin(), commit_key_.Reveal().end(), p);
  StoreU32Be(p, static_cast<uint32_t>(secret_.size()));
  p += 4;
  std::copy(secret_.Reveal().begin(), secret_.Reveal().end(), p);
  return out;
}

StatusOr<Commitment> Inner::CommitmentFor(const EnvelopeId& id) const {
  SecretBytes message(kCommitmentLabel.size() + 1 + id.size() + secret_.size());
  uint8_t* p = std::copy(kCommitmentLabel.begin(), kCommitmentLabel.end(), message.mutable_data());
  *p++ = 0x00;
  p = std::copy(id.begin(), id.end(), p);
  std::copy(secret_.Reveal().begin(), secret_.Reveal().end(), p);
  return HmacSha256(commit_key_.Reveal(), message.Reveal());
}

Status Inner::VerifyCommitment(const EnvelopeId& id, ByteSpan expected) const {
  VOUCH_ASSIGN_OR_RETURN(Commitment actual, CommitmentFor(id));
  if (!ConstantTimeEquals(actual, expected)) {
    return RejectedError(kReasonCommitmentMismatch,
                         "the secret does not match the owner's commitment: it is not the "
                         "secret the envelope's owner sealed");
  }
  return OkStatus();
}

}  // namespace vouch::provision

#include "vouch/provision/recovery.h"

#include <algorithm>
#include <string>

#include "provision/open_inner.h"
#include "vouch/crypto/shamir.h"

namespace vouch::provision {
namespace {

Status RecoveryInvalid(std::string message) {
  return MalformedError(kReasonRecoveryInvalid, std::move(message));
}
Status Failed(std::string message) {
  return RejectedError(kReasonRecoveryFailed, std::move(message));
}

uint8_t Count(const RecoveryWrap& recovery) { return static_cast<uint8_t>(recovery.shares.size()); }

}  // namespace

StatusOr<RecoveryWrap> MakeRecovery(const EnvelopeId& id, const Inner& inner,
                                    std::span<const X25519PublicKey> custodians, size_t threshold,
                                    RandomSource& rng) {
  if (threshold < kMinRecoveryThreshold || threshold > custodians.size() ||
      custodians.size() > kMaxCustodians) {
    return RecoveryInvalid("recovery needs 2 <= threshold <= custodians <= 16, got threshold " +
                           std::to_string(threshold) + " of " + std::to_string(custodians.size()));
  }
  std::vector<KeyId> keyids;
  for (const X25519PublicKey& custodian : custodians) {
    KeyId keyid = X25519KeyIdDigest(custodian);
    if (std::find(keyids.begin(), keyids.end(), keyid) != keyids.end()) {
      return RecoveryInvalid("custodian key " + X25519KeyId(custodian) + " is listed twice");
    }
    keyids.push_back(keyid);
  }
  const auto k = static_cast<uint8_t>(threshold);
  const auto n = static_cast<uint8_t>(custodians.size());

  SecretBytes seed(kRecoverySeedSize);
  VOUCH_RETURN_IF_ERROR(rng.Fill(std::span<uint8_t>(seed.mutable_data(), seed.size())));
  VOUCH_ASSIGN_OR_RETURN(X25519PrivateKey recovery_key, hpke::DeriveKeyPair(seed.Reveal()));
  RecoveryWrap out;
  out.threshold = k;
  VOUCH_ASSIGN_OR_RETURN(out.wrap,
                         hpke::SealBase(recovery_key.public_key(), RecoveryWrapInfo(id, k, n), {},
                                        inner.Encode().Reveal(), hpke::Aead::kAes256Gcm, rng));
  VOUCH_ASSIGN_OR_RETURN(std::vector<SecretBytes> shares,
                         shamir::Split(seed.Reveal(), threshold, custodians.size(), rng));
  for (size_t i = 0; i < custodians.size(); ++i) {
    SealedShare share;
    share.custodian = keyids[i];
    share.x = shares[i].Reveal().back();
    VOUCH_ASSIGN_OR_RETURN(
        share.sealed,
        hpke::SealBase(custodians[i], RecoveryShareInfo(id, share.custodian, share.x, k, n), {},
                       shares[i].Reveal(), hpke::Aead::kAes256Gcm, rng));
    out.shares.push_back(std::move(share));
  }
  return out;
}

Status ValidateRecovery(const RecoveryWrap& recovery) {
  const size_t n = recovery.shares.size();
  if (recovery.threshold < kMinRecoveryThreshold || recovery.threshold > n || n > kMaxCustodians) {
    return RecoveryInvalid("recovery needs 2 <= threshold <= shares <= 16, got threshold " +
                           std::to_string(recovery.threshold) + " of " + std::to_string(n));
  }
  if (recovery.wrap.ct.size() < kInnerHeaderSize + kMinSecretSize + hpke::kTagSize) {
    return RecoveryInvalid("the recovery wrap's ciphertext is too short to hold a secret");
  }
  for (size_t i = 0; i < n; ++i) {
    const SealedShare& s = recovery.shares[i];
    if (s.x == 0) return RecoveryInvalid("recovery share " + std::to_string(i + 1) + " has x = 0");
    if (s.sealed.ct.size() != kSealedShareSize) {
      return RecoveryInvalid("recovery share " + std::to_string(i + 1) + " ciphertext is " +
                             std::to_string(s.sealed.ct.size()) + " bytes, not 49");
    }
    for (size_t j = 0; j < i; ++j) {
      if (recovery.shares[j].custodian == s.custodian) {
        return RecoveryInvalid("recovery shares " + std::to_string(j + 1) + " and " +
                               std::to_string(i + 1) + " name the same custodian");
      }
      if (recovery.shares[j].x == s.x) {
        return RecoveryInvalid("recovery shares " + std::to_string(j + 1) + " and " +
                               std::to_string(i + 1) + " have the same x = " + std::to_string(s.x));
      }
    }
  }
  return OkStatus();
}

StatusOr<SecretBytes> OpenRecoveryShare(const EnvelopeId& id, const RecoveryWrap& recovery,
                                        const X25519PrivateKey& custodian_key) {
  VOUCH_RETURN_IF_ERROR(ValidateRecovery(recovery));
  const KeyId keyid = X25519KeyIdDigest(custodian_key.public_key());
  auto it = std::find_if(recovery.shares.begin(), recovery.shares.end(),
                         [&](const SealedShare& s) { return s.custodian == keyid; });
  if (it == recovery.shares.end()) {
    return Status(StatusCode::kNotFound,
                  "the envelope holds no recovery share for custodian key " +
                      X25519KeyId(custodian_key.public_key()),
                  kReasonRecoveryCustodianUnknown);
  }
  auto share = hpke::OpenBase(
      it->sealed.enc, custodian_key,
      RecoveryShareInfo(id, keyid, it->x, recovery.threshold, Count(recovery)), {}, it->sealed.ct);
  if (!share.ok()) {
    if (share.status().code() == StatusCode::kInternal) return share.status();
    return Failed("the recovery share for custodian " + X25519KeyId(custodian_key.public_key()) +
                  " does not open: " + share.status().message());
  }
  if (share->size() != kRecoveryShareSize || share->Reveal().back() != it->x) {
    return Failed("the recovery share for custodian " + X25519KeyId(custodian_key.public_key()) +
                  " is not a 33-byte share with x = " + std::to_string(it->x));
  }
  return share;
}

StatusOr<Inner> Recover(const EnvelopeId& id, const RecoveryWrap& recovery,
                        std::span<const SecretBytes> opened_shares, const Commitment& commitment) {
  VOUCH_RETURN_IF_ERROR(ValidateRecovery(recovery));
  if (opened_shares.size() < recovery.threshold) {
    return RejectedError(kReasonRecoveryInsufficientShares,
                         "recovery needs " + std::to_string(recovery.threshold) +
                             " custodian shares, got " + std::to_string(opened_shares.size()));
  }
  for (const SecretBytes& share : opened_shares) {
    const bool known =
        share.size() == kRecoveryShareSize &&
        std::any_of(recovery.shares.begin(), recovery.shares.end(),
                    [&](const SealedShare& s) { return s.x == share.Reveal().back(); });
    if (!known) return Failed("a share given is not one of this envelope's recovery shares");
  }
  auto seed = shamir::Combine(opened_shares);
  if (!seed.ok()) return Failed("the recovery shares do not combine: " + seed.status().message());
  VOUCH_ASSIGN_OR_RETURN(X25519PrivateKey recovery_key, hpke::DeriveKeyPair(seed->Reveal()));
  VOUCH_ASSIGN_OR_RETURN(
      Inner inner,
      internal::OpenInner(recovery_key, RecoveryWrapInfo(id, recovery.threshold, Count(recovery)),
                          recovery.wrap, kReasonRecoveryFailed,
                          "the recovery wrap does not open with these shares (a wrong or corrupt "
                          "share?)"));
  Status committed = inner.VerifyCommitment(id, commitment);
  if (!committed.ok()) {
    if (committed.code() == StatusCode::kInternal) return committed;
    return Failed("the recovered secret does not match the envelope's commitment");
  }
  return inner;
}

}  // namespace vouch::provision

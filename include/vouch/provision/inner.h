// The inner plaintext that every provisioning encryption carries, and the owner's commitment to
// the secret (spec/provisioning.md §2.3, docs/formats/provisioning-crypto.md §3):
//
//   inner      = "VPS1" ‖ commit_key[32] ‖ u32be(L) ‖ secret[L]        1 ≤ L ≤ 32,768
//   commitment = HMAC-SHA256(key = commit_key,
//                            msg = "vouch-secret-commitment/v1" ‖ 0x00 ‖ id[16] ‖ secret)
//
// Parse is strict: the magic, a length in range, and exactly L bytes after it — nothing missing,
// nothing trailing. The commitment lets an enclave that pins its owner's keys check that the
// secret is the owner's whatever the host or broker did (§3.6 E6); the HMAC key hides
// low-entropy secrets such as passwords from offline guessing.
//
// Errors: kInvalidArgument with reason "inner_malformed" (Parse, Create);
// kPermissionDenied "commitment_mismatch" (VerifyCommitment); kInternal (HMAC, RandomSource).
//
// Thread-compatible; move-only; both secrets are wiped on destruction.
#ifndef VOUCH_PROVISION_INNER_H_
#define VOUCH_PROVISION_INNER_H_

#include <cstdint>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/random_source.h"
#include "vouch/provision/binding.h"

namespace vouch::provision {

inline constexpr char kInnerMagic[] = "VPS1";
inline constexpr size_t kCommitKeySize = 32;
inline constexpr size_t kInnerHeaderSize = 4 + kCommitKeySize + 4;  // 40
inline constexpr size_t kMinSecretSize = 1;
inline constexpr size_t kMaxSecretSize = 32768;
inline constexpr char kReasonInnerMalformed[] = "inner_malformed";
inline constexpr char kReasonCommitmentMismatch[] = "commitment_mismatch";

class Inner {
 public:
  // REQUIRES: commit_key is 32 bytes and 1 <= secret.size() <= 32768.
  static StatusOr<Inner> Create(SecretBytes commit_key, SecretBytes secret);
  // A fresh 32-byte commit_key from `rng` (provisioning.md §2.4 step 6).
  static StatusOr<Inner> Generate(SecretBytes secret, RandomSource& rng = SystemRandom());
  static StatusOr<Inner> Parse(ByteSpan plaintext);

  Inner(Inner&&) = default;
  Inner& operator=(Inner&&) = default;

  // The encoded inner plaintext (kInnerHeaderSize + secret size bytes).
  SecretBytes Encode() const;
  const SecretBytes& commit_key() const { return commit_key_; }
  const SecretBytes& secret() const { return secret_; }

  // The commitment to this secret under envelope `id`.
  StatusOr<Commitment> CommitmentFor(const EnvelopeId& id) const;
  // OK iff CommitmentFor(id) equals `expected` (compared in constant time).
  Status VerifyCommitment(const EnvelopeId& id, ByteSpan expected) const;

 private:
  Inner(SecretBytes commit_key, SecretBytes secret)
      : commit_key_(std::move(commit_key)), secret_(std::move(secret)) {}
  SecretBytes commit_key_;
  SecretBytes secret_;
};

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_INNER_H_

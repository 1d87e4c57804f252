// Recovery: the owner's escape hatch when an envelope's target is never built or its broker key
// is lost (spec/provisioning.md §5.2, §5.3; docs/formats/provisioning-crypto.md §5):
//
//   rk_seed (32 random bytes) → (rk_sk, rk_pk) = DeriveKeyPair(rk_seed)
//   wrap     = SealBase(rk_pk, RecoveryWrapInfo(id, k, n), "", inner)
//   share_i  = Shamir share i of rk_seed (k of n, Vault layout: y[32] ‖ x, 33 bytes)
//   sealed_i = SealBase(custodian_i, RecoveryShareInfo(id, keyid_i, x_i, k, n), "", share_i)
//              (ct = 33 + 16 = 49 bytes)
//
// Recovering needs k custodians to open their shares; the shares are combined into rk_seed, the
// key pair re-derived and the wrap opened. A wrong, corrupt or missing share yields a wrong seed
// and the wrap's AEAD refuses it: k−1 shares fail, k succeed. The owner's commitment is then
// checked, so what comes out is the secret the owner committed to.
//
// MakeRecovery draws from its RandomSource, in this order: rk_seed (32 bytes), the wrap's ikmE
// (32), the Shamir split (shamir.h: x-coordinates byte by byte, then 32·(k−1) coefficient bytes),
// then one ikmE (32) per custodian in the order given.
//
// Errors:
//   kInvalidArgument   "recovery_invalid"              arguments or a wrap that break §5.2's rules
//   kNotFound          "recovery_custodian_unknown"    no share in the wrap for this custodian key
//   kPermissionDenied  "recovery_insufficient_shares"  fewer opened shares than the threshold
//   kPermissionDenied  "recovery_failed"               a share or the wrap does not open, the
//                                                      shares do not combine, or the commitment
//                                                      does not match
//   kInternal                                          OpenSSL or the RandomSource failed
//
// Thread-safe free functions; the structs are plain values.
#ifndef VOUCH_PROVISION_RECOVERY_H_
#define VOUCH_PROVISION_RECOVERY_H_

#include <cstdint>
#include <span>
#include <vector>

#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/hpke.h"
#include "vouch/crypto/random_source.h"
#include "vouch/crypto/x25519.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/inner.h"

namespace vouch::provision {

inline constexpr size_t kRecoverySeedSize = 32;
inline constexpr size_t kMinRecoveryThreshold = 2;
inline constexpr size_t kMaxCustodians = 16;
inline constexpr size_t kRecoveryShareSize = kRecoverySeedSize + 1;              // 33
inline constexpr size_t kSealedShareSize = kRecoveryShareSize + hpke::kTagSize;  // 49
inline constexpr char kReasonRecoveryInvalid[] = "recovery_invalid";
inline constexpr char kReasonRecoveryCustodianUnknown[] = "recovery_custodian_unknown";
inline constexpr char kReasonRecoveryInsufficientShares[] = "recovery_insufficient_shares";
inline constexpr char kReasonRecoveryFailed[] = "recovery_failed";

// One custodian's share as the envelope carries it (`recovery.shares[i]`).
struct SealedShare {
  KeyId custodian{};  // the custodian's HPKE keyid
  uint8_t x = 0;      // the share's x-coordinate (also its last plaintext byte)
  hpke::Ciphertext sealed;
};

// The envelope's `recovery` object.
struct RecoveryWrap {
  uint8_t threshold = 0;
  hpke::Ciphertext wrap;  // the inner plaintext sealed to DeriveKeyPair(rk_seed)
  std::vector<SealedShare> shares;
};

// §5.2. REQUIRES: 2 <= threshold <= custodians.size() <= 16, custodian keys distinct.
StatusOr<RecoveryWrap> MakeRecovery(const EnvelopeId& id, const Inner& inner,
                                    std::span<const X25519PublicKey> custodians, size_t threshold,
                                    RandomSource& rng = SystemRandom());

// §5.2's structural rules, for the envelope parser: 2 <= threshold <= shares <= 16; custodian
// keyids distinct; x distinct and non-zero; every share ct exactly 49 bytes; the wrap ct at least
// 40 + 1 + 16 bytes.
Status ValidateRecovery(const RecoveryWrap& recovery);

// §5.3 step 2 for one custodian: finds its share by keyid and opens it. Returns the 33-byte
// share, whose last byte is checked to be the share's x.
StatusOr<SecretBytes> OpenRecoveryShare(const EnvelopeId& id, const RecoveryWrap& recovery,
                                        const X25519PrivateKey& custodian_key);

// §5.3 steps 2–4: at least `threshold` opened shares (each one of this wrap's x-coordinates),
// combined into rk_seed; DeriveKeyPair; the wrap opened; its inner parsed and checked against
// the envelope's `commitment`.
StatusOr<Inner> Recover(const EnvelopeId& id, const RecoveryWrap& recovery,
                        std::span<const SecretBytes> opened_shares, const Commitment& commitment);

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_RECOVERY_H_

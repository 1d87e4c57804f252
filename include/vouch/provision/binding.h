// The exact bytes that bind provisioning's encryptions and quotes to their context
// (spec/provisioning.md §1.3, §3.1, §3.2; docs/formats/provisioning-crypto.md §2, §6):
//
//   HPKE info (always with an empty aad; LP(x) = u32be(len(x)) ‖ x):
//     envelope          "vouch-envelope/v1" 0x00 LP(id[16]) LP(role) LP(constraint)
//                       LP(broker_keyid[32]) LP(notAfter or "") LP(flags[1]) LP(commitment[32])
//                       LP(activity or "")
//     release response  "vouch-release-response/v1" 0x00 LP(envelope_id[16]) LP(nonce[32])
//                       LP(enclave_key[32]) LP(record_leaf_hash[32])
//     recovery wrap     "vouch-recovery/v1" 0x00 LP(id[16]) LP(threshold[1]) LP(n[1])
//     recovery share    "vouch-recovery-share/v1" 0x00 LP(id[16]) LP(custodian_keyid[32])
//                       LP(x[1]) LP(threshold[1]) LP(n[1])
//   report_data (64 bytes; keys in SPKI DER):
//     broker key        SHA-256("vouch-broker-key/v1" ‖ SPKI(hpke_pk) ‖ SPKI(signing_pk)) ‖ 0³²
//     release           SHA-256("vouch-release/v1" ‖ nonce[32] ‖ SPKI(enclave_pk)) ‖ 0³²
//
// Strings are the exact bytes of the envelope's JSON fields; ids, keyids, keys and hashes are
// raw bytes, not hex. These functions only encode: checking that a role, constraint, timestamp or
// activity is well formed is the envelope parser's job (it runs before any of this); here only
// what would make the encoding itself ambiguous or oversized is refused (kInvalidArgument,
// reason "binding_invalid").
//
// Thread-safe free functions.
#ifndef VOUCH_PROVISION_BINDING_H_
#define VOUCH_PROVISION_BINDING_H_

#include <array>
#include <cstdint>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/x25519_keys.h"

namespace vouch::provision {

inline constexpr size_t kIdSize = 16;
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kMaxConstraintSize = 4096;
inline constexpr uint8_t kFlagUnadmittedOverride = 0x01;
inline constexpr char kReasonBindingInvalid[] = "binding_invalid";

using EnvelopeId = std::array<uint8_t, kIdSize>;
using Nonce = std::array<uint8_t, kNonceSize>;
using KeyId = Sha256Digest;  // SHA-256 of a key's SPKI DER, raw
using Commitment = Sha256Digest;
using ReportData = std::array<uint8_t, 64>;  // the same type as platform::ReportData

// Everything an envelope binds into its HPKE `info` (provisioning.md §1.3, §2.2).
struct EnvelopeBinding {
  EnvelopeId id{};
  std::string role;        // target.role ("workload" in v1); 1..64 bytes
  std::string constraint;  // target.constraint, canonical; 1..4096 bytes
  KeyId broker_keyid{};    // the broker's HPKE keyid
  std::string not_after;   // notAfter as written (a Timestamp), or empty; at most 64 bytes
  uint8_t flags = 0;       // bit 0: kFlagUnadmittedOverride; other bits must be 0
  Commitment commitment{};
  std::string activity;  // the activity Name, or empty; at most 64 bytes
};

StatusOr<Bytes> EnvelopeInfo(const EnvelopeBinding& binding);

// What the broker's answer to one release binds (provisioning.md §1.3, §3.3).
struct ResponseBinding {
  EnvelopeId envelope_id{};
  Nonce nonce{};
  X25519PublicKey enclave_key{};
  Sha256Digest record_leaf_hash{};  // H(0x00 ‖ release-record entry)
};

Bytes ReleaseResponseInfo(const ResponseBinding& binding);
Bytes RecoveryWrapInfo(const EnvelopeId& id, uint8_t threshold, uint8_t share_count);
Bytes RecoveryShareInfo(const EnvelopeId& id, const KeyId& custodian_keyid, uint8_t x,
                        uint8_t threshold, uint8_t share_count);

// The broker's key binding (§3.1). `signing_spki` is the SPKI DER of its Ed25519 or P-256
// signing key; REQUIRES: non-empty (else "binding_invalid").
StatusOr<ReportData> BrokerKeyReportData(const X25519PublicKey& hpke_key, ByteSpan signing_spki);
// An enclave's release binding (§3.2).
ReportData ReleaseReportData(const Nonce& nonce, const X25519PublicKey& enclave_key);

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_BINDING_H_

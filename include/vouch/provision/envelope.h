// The provisioning envelope: an owner's secret, HPKE-sealed to an attested broker with the
// target's constraint bound in, as a signed document (spec/provisioning.md §2;
// docs/formats/envelope.md).
//
// An envelope file is a DSSE envelope in the canonical form of a ledger entry (exactly
// {"payload","payloadType","signatures":[{"keyid","sig"}…]} in RFC 8785 form, 1..8 signatures
// with distinct 64-hex keyids in ascending order) with payloadType
// "application/vnd.vouch.envelope.v1+json"; its payload is the RFC 8785 JSON of
// EnvelopePayload (camelCase, strict: every field typed and ranged, unknown fields refused).
//
// What the HPKE `info` binds (provision/binding.h) is derived from the parsed payload
// (EnvelopePayload::Binding()): id, role, constraint, broker keyid, notAfter, the override flag,
// the commitment and the activity. Changing any of them makes the envelope unopenable; the
// owner signature covers the rest.
//
// Validation (Envelope::Parse, §2.5), in order; the first failure is the error:
//   file ≤ 131,072 bytes and canonical DSSE      kInvalidArgument "envelope_malformed"
//   payloadType                                  kInvalidArgument "envelope_unsupported"
//   payload ≤ 98,304 bytes, strict RFC 8785 JSON kInvalidArgument "envelope_malformed"
//   "format" is "vouch-envelope/v1"              kInvalidArgument "envelope_unsupported"
//   hpke suite ids other than 32, 1, 2           kInvalidArgument "envelope_unsupported"
//   every field of §2.2, admission as its status kInvalidArgument "envelope_malformed"
//   requires, recovery per §5.2                  (the message starts with the JSON pointer)
// Signatures are not checked by Parse: VerifyOwners does (G§1.4, threshold 1), with
// kPermissionDenied "envelope_signature_invalid" when no trusted owner key signed, or when a
// signature naming a trusted key does not verify.
//
// Values are immutable and thread-compatible; functions are thread-safe.
#ifndef VOUCH_PROVISION_ENVELOPE_H_
#define VOUCH_PROVISION_ENVELOPE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/hpke.h"
#include "vouch/crypto/random_source.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/statement.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/inner.h"
#include "vouch/provision/recovery.h"

namespace vouch::provision {

inline constexpr char kEnvelopePayloadType[] = "application/vnd.vouch.envelope.v1+json";
inline constexpr char kEnvelopeFormat[] = "vouch-envelope/v1";
inline constexpr char kWorkloadRole[] = "workload";
inline constexpr size_t kMaxEnvelopeFileSize = 131072;
inline constexpr size_t kMaxEnvelopePayloadSize = 98304;
inline constexpr size_t kMaxOwnerKeys = 8;
inline constexpr size_t kMaxAdmittedBy = 32;
inline constexpr size_t kMaxBrokerUrlSize = 2048;
inline constexpr char kReasonEnvelopeMalformed[] = "envelope_malformed";
inline constexpr char kReasonEnvelopeUnsupported[] = "envelope_unsupported";
inline constexpr char kReasonEnvelopeSignatureInvalid[] = "envelope_signature_invalid";

// The canonical form of an envelope file (dsse::LedgerEntry under these rules).
inline constexpr dsse::CanonicalRules kEnvelopeRules{kEnvelopePayloadType, kMaxEnvelopeFileSize,
                                                     kMaxOwnerKeys};

// `admission.checkpoint`: the checkpoint the creator's admission check used (informative).
struct CheckpointRef {
  std::string origin;
  uint64_t size = 0;
  Sha256Digest root_hash{};
  friend bool operator==(const CheckpointRef&, const CheckpointRef&) = default;
};

// The payload's fields (§2.2). Constraint text is canonical; times are whole seconds.
struct EnvelopePayload {
  EnvelopeId id{};
  UnixSeconds created = 0;
  std::optional<UnixSeconds> not_after;  // later than `created`
  std::string role = kWorkloadRole;      // "workload" in v1
  std::string constraint;
  // admission.status: "override" iff true. Otherwise admitted_by (1..32 distinct) and
  // checkpoint are present; under the override both are empty.
  bool unadmitted_override = false;
  std::vector<govern::EntryRef> admitted_by;
  std::optional<CheckpointRef> checkpoint;
  std::optional<std::string> activity;  // a Name
  std::vector<govern::Key> owner_keys;  // 1..8, distinct
  KeyId broker_keyid{};
  std::optional<std::string> broker_url;  // a hint, not bound
  hpke::Ciphertext sealed;                // hpke.enc (32 bytes) and hpke.ct (≥ 40 + 1 + 16)
  Commitment commitment{};
  std::optional<RecoveryWrap> recovery;

  // The HPKE info's inputs (binding.h): flags bit 0 is the override.
  EnvelopeBinding Binding() const;
};

// The payload's canonical JSON bytes; fails (the reasons above) for a payload Parse would refuse.
StatusOr<Bytes> EncodeEnvelopePayload(const EnvelopePayload& payload);
// §2.5 for a payload alone (from "payload ≤ 98,304 bytes" on).
StatusOr<EnvelopePayload> ParseEnvelopePayload(ByteSpan payload);

class Envelope {
 public:
  // §2.5 on a file's bytes.
  static StatusOr<Envelope> Parse(ByteSpan file);
  // Encodes `payload` and signs it with each of `owners`, whose public keys must be exactly
  // payload.owner_keys (in any order; kInvalidArgument "envelope_malformed" otherwise).
  static StatusOr<Envelope> Sign(const EnvelopePayload& payload,
                                 std::span<const PublicKeySign* const> owners);

  const EnvelopePayload& payload() const { return payload_; }
  // The file's exact bytes.
  ByteSpan bytes() const { return entry_.bytes(); }
  const Bytes& payload_bytes() const { return entry_.payload(); }
  // H(payload bytes): the envelope's digest in release records and re-wraps.
  Sha256Digest payload_sha256() const { return entry_.statement_digest(); }
  // 32 lowercase hex digits.
  std::string IdHex() const;

  // G§1.4 with threshold 1 over `trusted`: the keys whose signatures verified (at least one).
  StatusOr<dsse::SignerSet> VerifyOwners(const dsse::KeySet& trusted) const;

 private:
  Envelope(dsse::LedgerEntry entry, EnvelopePayload payload)
      : entry_(std::move(entry)), payload_(std::move(payload)) {}
  dsse::LedgerEntry entry_;
  EnvelopePayload payload_;
};

// What the creator decided before sealing (§2.4 steps 1–5) and the recipients.
struct EnvelopeRequest {
  EnvelopeId id{};
  UnixSeconds created = 0;
  std::optional<UnixSeconds> not_after;
  std::string constraint;  // canonical
  bool unadmitted_override = false;
  std::vector<govern::EntryRef> admitted_by;
  std::optional<CheckpointRef> checkpoint;
  std::optional<std::string> activity;
  X25519PublicKey broker_key{};
  std::optional<std::string> broker_url;
  // Recovery (§5.2), when `custodians` is not empty.
  std::vector<X25519PublicKey> custodians;
  size_t threshold = 0;
};

// §2.4 steps 6–7 for a prepared `inner` (its commitment is computed under request.id): seals it
// to the broker, adds the recovery wrap, signs with every owner. Draws from `rng` in this order:
// the envelope's ikmE (32 bytes), then MakeRecovery's draws (recovery.h).
StatusOr<Envelope> MakeEnvelope(const EnvelopeRequest& request, const Inner& inner,
                                std::span<const PublicKeySign* const> owners,
                                RandomSource& rng = SystemRandom());

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_ENVELOPE_H_

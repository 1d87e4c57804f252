// DSSE v1 envelopes (secure-systems-lab/dsse protocol.md and envelope.md v1.0.2) as
// spec/governance.md §1 uses them: PAE, several signatures, signatures counted at most once per
// distinct public key (§1.4, GHSA-r7vq-6425-j94w), and two readers:
//
//   Envelope      the generic JSON envelope as other tools write it: standard or URL-safe
//                 base64, padded or not; keyid optional, empty or foreign; unknown fields
//                 ignored (DSSE: "Consumers MUST ignore unrecognized fields"). Also found inside
//                 a Sigstore bundle ("dsseEnvelope"). What `vouch statement verify` checks.
//   LedgerEntry   the ledger's canonical entry (§1.5, checks E1–E8 of §4.2): at most 65,535
//                 bytes, exactly {"payload","payloadType","signatures":[{"keyid","sig"}…]} in
//                 RFC 8785 form, payloadType "application/vnd.in-toto+json", strict padded
//                 standard base64, 1..16 signatures with unique 64-hex keyids in ascending order.
//
// Signatures are over PAE(payloadType, payload) and verified over the exact payload bytes;
// nothing is re-serialized before verification. keyid = hex(SHA-256(SPKI DER))
// (vouch/crypto/signer.h); a keyid only narrows which key to try.
//
// Error reasons (Status::reason()): the codes of §4.2 E1–E8 below; verification:
// "statement_signature_invalid" (a signature naming a trusted key does not verify),
// "threshold_not_met". Malformed input is kInvalidArgument, failed verification
// kPermissionDenied.
//
// Values are immutable and thread-compatible; functions are thread-safe.
#ifndef VOUCH_DSSE_ENVELOPE_H_
#define VOUCH_DSSE_ENVELOPE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/signer.h"

namespace vouch::dsse {

inline constexpr char kInTotoPayloadType[] = "application/vnd.in-toto+json";
inline constexpr size_t kMaxEntrySize = 65535;
inline constexpr size_t kMaxSignatures = 16;
// Generic envelopes and Sigstore bundles are read up to this size.
inline constexpr size_t kMaxGenericEnvelopeSize = size_t{4} << 20;

// E1–E8 (governance.md §4.2), in the order they are checked.
inline constexpr char kEntryTooLarge[] = "entry_too_large";
inline constexpr char kEntryMalformed[] = "entry_malformed";
inline constexpr char kEnvelopeMalformed[] = "envelope_malformed";
inline constexpr char kPayloadTypeUnsupported[] = "payload_type_unsupported";
inline constexpr char kBase64Invalid[] = "base64_invalid";
inline constexpr char kSignatureKeyidInvalid[] = "signature_keyid_invalid";
inline constexpr char kDuplicateSigner[] = "duplicate_signer";
inline constexpr char kEntryNotCanonical[] = "entry_not_canonical";
// §1.4.
inline constexpr char kStatementSignatureInvalid[] = "statement_signature_invalid";
inline constexpr char kThresholdNotMet[] = "threshold_not_met";

// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in ASCII decimal
// bytes (so a UTF-8 type counts bytes, and an empty body ends in "0 ").
Bytes Pae(std::string_view payload_type, ByteSpan payload);

struct Signature {
  std::string keyid;  // as written; empty when absent
  Bytes sig;

  friend bool operator==(const Signature&, const Signature&) = default;
};

// Signs PAE(`payload_type`, `payload`) with `key`; keyid = the key's keyid.
StatusOr<Signature> SignPayload(const PublicKeySign& key, std::string_view payload_type,
                                ByteSpan payload);

// Trusted public keys, distinct by SPKI, found by keyid.
class KeySet {
 public:
  // Adds `key` unless a key with the same SPKI is already present; returns whether it was added.
  bool Add(std::shared_ptr<const PublicKeyVerify> key);
  // The key whose keyid (hex SHA-256 of its SPKI) is `keyid`, or nullptr.
  const PublicKeyVerify* Find(std::string_view keyid) const;
  bool Contains(const Sha256Digest& key_digest) const;
  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  // In insertion order.
  const std::vector<std::shared_ptr<const PublicKeyVerify>>& keys() const { return keys_; }

 private:
  std::vector<std::shared_ptr<const PublicKeyVerify>> keys_;
  std::unordered_map<std::string, const PublicKeyVerify*> by_keyid_;
};

// The keys whose signatures verified, by SHA-256 of their SPKI (so a key counts once however
// many signatures, keyids or encodings it appears under).
using SignerSet = std::set<Sha256Digest>;

// Finds the key a signature names (or nullptr: not trusted, ignored).
using KeyLookup = std::function<const PublicKeyVerify*(const Signature&)>;

// The counting rule of §1.4 over `message` (PAE bytes, or another signed text such as a TUF
// adapter's): each signature's key is looked up; unknown keys are ignored; a signature whose key
// is found and that does not verify fails with "statement_signature_invalid" (never skipped).
StatusOr<SignerSet> VerifiedSigners(ByteSpan message, std::span<const Signature> signatures,
                                    const KeyLookup& lookup);
// The same with keys found by keyid in `trusted`.
StatusOr<SignerSet> VerifiedSigners(ByteSpan message, std::span<const Signature> signatures,
                                    const KeySet& trusted);

// OK when `signers` holds at least `threshold` keys; else kPermissionDenied "threshold_not_met"
// naming both numbers (`what` says whose threshold, e.g. "root set 2").
Status CheckThreshold(const SignerSet& signers, size_t threshold, std::string_view what);

// A generic DSSE envelope (the header comment says what it accepts).
class Envelope {
 public:
  // Parses a JSON envelope, or the "dsseEnvelope" member of a Sigstore bundle (an object whose
  // "mediaType" starts with "application/vnd.dev.sigstore.bundle"). Strict JSON (no duplicate
  // keys or trailing data); payload, payloadType and signatures[].sig required; keyid optional.
  // kInvalidArgument with reason "envelope_malformed" (or "base64_invalid", "entry_malformed"
  // for JSON syntax) otherwise.
  static StatusOr<Envelope> Parse(std::string_view json);

  const std::string& payload_type() const { return payload_type_; }
  const Bytes& payload() const { return payload_; }
  const std::vector<Signature>& signatures() const { return signatures_; }
  bool from_sigstore_bundle() const { return from_sigstore_bundle_; }

  // DSSE verification against `keys` (§1.4, last bullet): a signature whose keyid is the keyid
  // of a given key is verified with that key and must verify ("statement_signature_invalid"
  // otherwise); a signature naming no given key (empty or foreign keyid) is tried against every
  // given key and skipped when none verifies it. Returns the distinct keys that signed.
  StatusOr<SignerSet> Verify(const KeySet& keys) const;

 private:
  Envelope() = default;
  std::string payload_type_;
  Bytes payload_;
  std::vector<Signature> signatures_;
  bool from_sigstore_bundle_ = false;
};

// What makes an envelope canonical besides its form: the one payloadType, the largest size and
// the most signatures. Ledger entries use kLedgerEntryRules; other signed documents in the same
// canonical form (provisioning envelopes, spec/provisioning.md §2.1) bring their own.
// `payload_type` must point to storage that outlives every LedgerEntry made with the rules (a
// string constant).
struct CanonicalRules {
  std::string_view payload_type;
  size_t max_size = 0;
  size_t max_signatures = 0;
};
inline constexpr CanonicalRules kLedgerEntryRules{kInTotoPayloadType, kMaxEntrySize,
                                                  kMaxSignatures};

// A canonical ledger entry (§1.5), or another envelope in that form under other rules.
class LedgerEntry {
 public:
  // Checks E1–E8 in order; the first failure's code is the reason.
  static StatusOr<LedgerEntry> Parse(ByteSpan bytes,
                                     const CanonicalRules& rules = kLedgerEntryRules);
  // The canonical entry for `payload` (payloadType rules.payload_type) and `signatures` (sorted
  // here by keyid): fails with "signature_keyid_invalid", "duplicate_signer",
  // "envelope_malformed" (not 1..rules.max_signatures signatures) or "entry_too_large".
  static StatusOr<LedgerEntry> Create(ByteSpan payload, std::vector<Signature> signatures,
                                      const CanonicalRules& rules = kLedgerEntryRules);

  // The same entry with `signature` added (the result stays canonical); "duplicate_signer" when
  // its keyid already signed.
  StatusOr<LedgerEntry> WithSignature(Signature signature) const;

  ByteSpan bytes() const { return bytes_; }
  const Bytes& payload() const { return payload_; }
  // Ascending by keyid.
  const std::vector<Signature>& signatures() const { return signatures_; }
  // SHA-256 of the entry bytes (entry_hash) and of the payload (statement_digest).
  const Sha256Digest& entry_hash() const { return entry_hash_; }
  Sha256Digest statement_digest() const { return Sha256(payload_); }
  // PAE(payloadType, payload): the bytes every signature is over.
  Bytes SignedBytes() const { return Pae(rules_.payload_type, payload_); }

 private:
  LedgerEntry() = default;
  CanonicalRules rules_ = kLedgerEntryRules;
  Bytes bytes_;
  Bytes payload_;
  std::vector<Signature> signatures_;
  Sha256Digest entry_hash_{};
};

}  // namespace vouch::dsse

#endif  // VOUCH_DSSE_ENVELOPE_H_

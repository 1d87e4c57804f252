#include "vouch/provision/envelope.h"

#include <algorithm>
#include <set>
#include <utility>

#include "dsse/jcs.h"
#include "govern/checker.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/provision/envelope_crypto.h"

namespace vouch::provision {

namespace {

using Json = nlohmann::json;
using govern::Checker;
using govern::Child;

constexpr uint16_t kKemId = 32;
constexpr uint16_t kKdfId = 1;
constexpr uint16_t kAeadId = 2;
constexpr size_t kMinSealedSize = kInnerHeaderSize + kMinSecretSize + hpke::kTagSize;

Status EnvelopeMalformed(std::string message) {
  return MalformedError(kReasonEnvelopeMalformed, std::move(message));
}
Status Unsupported(std::string message) {
  return MalformedError(kReasonEnvelopeUnsupported, std::move(message));
}

// Strict base64 of `min`..`max` bytes (Checker::Base64Array for a fixed size).
bool Base64Field(Checker& c, const Json& v, const std::string& path, size_t min, size_t max,
                 Bytes* out) {
  std::string text;
  if (!c.String(v, path, &text)) return false;
  auto bytes = Base64Decode(text);
  if (!bytes.ok()) return c.Fail(kReasonEnvelopeMalformed, path, "not strict padded base64");
  if (bytes->size() < min || bytes->size() > max) {
    return c.Fail(kReasonEnvelopeMalformed, path,
                  min == max
                      ? "must be " + std::to_string(min) + " bytes"
                      : "must be " + std::to_string(min) + " to " + std::to_string(max) + " bytes");
  }
  *out = std::move(bytes).value();
  return true;
}

bool Uint(Checker& c, const Json& v, const std::string& path, int64_t min, int64_t max,
          uint64_t* out) {
  int64_t n = 0;
  if (!c.Int(v, path, min, max, &n)) return false;
  *out = static_cast<uint64_t>(n);
  return true;
}

bool ParseAdmission(Checker& c, const Json& a, EnvelopePayload* out) {
  const std::string path = "/admission";
  std::string status;
  if (!c.Object(a, path, {"status"}, {"by", "checkpoint"}) ||
      !c.String(a["status"], Child(path, "status"), &status)) {
    return false;
  }
  if (status == "override") {
    out->unadmitted_override = true;
    if (a.contains("by") || a.contains("checkpoint")) {
      return c.Fail(kReasonEnvelopeMalformed, path,
                    "\"by\" and \"checkpoint\" are absent under the override");
    }
    return true;
  }
  if (status != "admitted") {
    return c.Fail(kReasonEnvelopeMalformed, Child(path, "status"),
                  "must be \"admitted\" or \"override\"");
  }
  if (!a.contains("by") || !a.contains("checkpoint")) {
    return c.Fail(kReasonEnvelopeMalformed, path,
                  "an admitted envelope names \"by\" and \"checkpoint\"");
  }
  if (!c.EntryRefs(a["by"], Child(path, "by"), 1, kMaxAdmittedBy, &out->admitted_by)) {
    return false;
  }
  const Json& cp = a["checkpoint"];
  const std::string cp_path = Child(path, "checkpoint");
  CheckpointRef ref;
  if (!c.Object(cp, cp_path, {"origin", "size", "rootHash"}, {}) ||
      !c.String(cp["origin"], Child(cp_path, "origin"), &ref.origin) ||
      !Uint(c, cp["size"], Child(cp_path, "size"), 1, vouch::internal::kMaxJsonInteger,
            &ref.size) ||
      !c.Base64Array(cp["rootHash"], Child(cp_path, "rootHash"), &ref.root_hash)) {
    return false;
  }
  if (ref.origin.empty() || ref.origin.size() > 255 ||
      !govern::IsPrintableAscii(ref.origin, false)) {
    return c.Fail(kReasonEnvelopeMalformed, Child(cp_path, "origin"),
                  "must be 1 to 255 printable ASCII characters without spaces");
  }
  out->checkpoint = std::move(ref);
  return true;
}

bool ParseRecovery(Checker& c, const Json& r, RecoveryWrap* out) {
  const std::string path = "/recovery";
  uint64_t threshold = 0;
  if (!c.Object(r, path, {"threshold", "enc", "ct", "shares"}, {}) ||
      !Uint(c, r["threshold"], Child(path, "threshold"), kMinRecoveryThreshold, kMaxCustodians,
            &threshold) ||
      !c.Base64Array(r["enc"], Child(path, "enc"), &out->wrap.enc) ||
      !Base64Field(c, r["ct"], Child(path, "ct"), kMinSealedSize,
                   kInnerHeaderSize + kMaxSecretSize + hpke::kTagSize, &out->wrap.ct) ||
      !c.Array(r["shares"], Child(path, "shares"), kMinRecoveryThreshold, kMaxCustodians)) {
    return false;
  }
  out->threshold = static_cast<uint8_t>(threshold);
  for (size_t i = 0; i < r["shares"].size(); ++i) {
    const Json& s = r["shares"][i];
    const std::string p = Child(Child(path, "shares"), i);
    SealedShare share;
    uint64_t x = 0;
    if (!c.Object(s, p, {"custodian", "x", "enc", "ct"}, {}) ||
        !c.Digest32(s["custodian"], Child(p, "custodian"), &share.custodian) ||
        !Uint(c, s["x"], Child(p, "x"), 1, 255, &x) ||
        !c.Base64Array(s["enc"], Child(p, "enc"), &share.sealed.enc) ||
        !Base64Field(c, s["ct"], Child(p, "ct"), kSealedShareSize, kSealedShareSize,
                     &share.sealed.ct)) {
      return false;
    }
    share.x = static_cast<uint8_t>(x);
    out->shares.push_back(std::move(share));
  }
  if (Status st = ValidateRecovery(*out); !st.ok()) {
    return c.Fail(kReasonEnvelopeMalformed, path, st.message());
  }
  return true;
}

// §2.2 field by field; `c` holds the first failure.
bool ParseFields(Checker& c, const Json& p, EnvelopePayload* out) {
  if (!c.Object(p, "",
                {"format", "id", "created", "target", "admission", "ownerKeys", "broker", "hpke",
                 "commitment"},
                {"notAfter", "activity", "recovery"})) {
    return false;
  }
  std::string id_hex;
  if (!c.Hex(p["id"], "/id", 2 * kIdSize, &id_hex) ||
      !c.Timestamp(p["created"], "/created", &out->created)) {
    return false;
  }
  std::copy_n(HexDecodeArray<kIdSize>(id_hex)->begin(), kIdSize, out->id.begin());
  if (p.contains("notAfter")) {
    UnixSeconds not_after = 0;
    if (!c.Timestamp(p["notAfter"], "/notAfter", &not_after)) return false;
    if (not_after <= out->created) {
      return c.Fail(kReasonEnvelopeMalformed, "/notAfter", "must be later than \"created\"");
    }
    out->not_after = not_after;
  }
  const Json& t = p["target"];
  EnclaveConstraint parsed;
  if (!c.Object(t, "/target", {"role", "constraint"}, {}) ||
      !c.String(t["role"], "/target/role", &out->role)) {
    return false;
  }
  if (out->role != kWorkloadRole) {
    return c.Fail(kReasonEnvelopeMalformed, "/target/role", "must be \"workload\" in v1");
  }
  if (t["constraint"].is_string() &&
      t["constraint"].get_ref<const std::string&>().size() > kMaxConstraintSize) {
    return c.Fail(kReasonEnvelopeMalformed, "/target/constraint", "longer than 4,096 bytes");
  }
  if (!c.Constraint(t["constraint"], "/target/constraint", &out->constraint, &parsed) ||
      !ParseAdmission(c, p["admission"], out)) {
    return false;
  }
  if (p.contains("activity")) {
    std::string activity;
    if (!c.Name(p["activity"], "/activity", &activity)) return false;
    out->activity = std::move(activity);
  }
  if (!c.Array(p["ownerKeys"], "/ownerKeys", 1, kMaxOwnerKeys)) return false;
  std::set<Sha256Digest> owners;
  for (size_t i = 0; i < p["ownerKeys"].size(); ++i) {
    govern::Key key;
    const std::string path = Child("/ownerKeys", i);
    if (!c.KeyObject(p["ownerKeys"][i], path, &key)) return false;
    if (!owners.insert(key.key->key_digest()).second) {
      return c.Fail(kReasonEnvelopeMalformed, path, "the same key twice");
    }
    out->owner_keys.push_back(std::move(key));
  }
  const Json& b = p["broker"];
  if (!c.Object(b, "/broker", {"keyid"}, {"url"}) ||
      !c.Digest32(b["keyid"], "/broker/keyid", &out->broker_keyid)) {
    return false;
  }
  if (b.contains("url")) {
    std::string url;
    if (!c.String(b["url"], "/broker/url", &url)) return false;
    if (url.empty() || url.size() > kMaxBrokerUrlSize || !govern::IsPrintableAscii(url, false)) {
      return c.Fail(kReasonEnvelopeMalformed, "/broker/url",
                    "must be 1 to 2,048 printable ASCII characters without spaces");
    }
    out->broker_url = std::move(url);
  }
  const Json& h = p["hpke"];
  uint64_t kem = 0;
  uint64_t kdf = 0;
  uint64_t aead = 0;
  if (!c.Object(h, "/hpke", {"kemId", "kdfId", "aeadId", "enc", "ct"}, {}) ||
      !Uint(c, h["kemId"], "/hpke/kemId", 0, 0xFFFF, &kem) ||
      !Uint(c, h["kdfId"], "/hpke/kdfId", 0, 0xFFFF, &kdf) ||
      !Uint(c, h["aeadId"], "/hpke/aeadId", 0, 0xFFFF, &aead)) {
    return false;
  }
  if (kem != kKemId || kdf != kKdfId || aead != kAeadId) {
    return c.Fail(kReasonEnvelopeUnsupported, "/hpke",
                  "suite (" + std::to_string(kem) + ", " + std::to_string(kdf) + ", " +
                      std::to_string(aead) +
                      ") is not Vouch's (32, 1, 2): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, "
                      "AES-256-GCM");
  }
  if (!c.Base64Array(h["enc"], "/hpke/enc", &out->sealed.enc) ||
      !Base64Field(c, h["ct"], "/hpke/ct", kMinSealedSize,
                   kInnerHeaderSize + kMaxSecretSize + hpke::kTagSize, &out->sealed.ct) ||
      !c.Base64Array(p["commitment"], "/commitment", &out->commitment)) {
    return false;
  }
  if (p.contains("recovery")) {
    RecoveryWrap recovery;
    if (!ParseRecovery(c, p["recovery"], &recovery)) return false;
    out->recovery = std::move(recovery);
  }
  return true;
}

Json PayloadJson(const EnvelopePayload& e) {
  Json j;
  j["format"] = kEnvelopeFormat;
  j["id"] = HexEncode(e.id);
  j["created"] = FormatRfc3339(e.created);
  if (e.not_after) j["notAfter"] = FormatRfc3339(*e.not_after);
  j["target"] = {{"role", e.role}, {"constraint", e.constraint}};
  if (e.unadmitted_override) {
    j["admission"] = {{"status", "override"}};
  } else {
    Json by = Json::array();
    for (const govern::EntryRef& r : e.admitted_by) {
      by.push_back({{"index", r.index}, {"sha256", HexEncode(r.sha256)}});
    }
    j["admission"] = {{"status", "admitted"}, {"by", std::move(by)}};
    if (e.checkpoint) {
      j["admission"]["checkpoint"] = {{"origin", e.checkpoint->origin},
                                      {"size", e.checkpoint->size},
                                      {"rootHash", Base64Encode(e.checkpoint->root_hash)}};
    }
  }
  if (e.activity) j["activity"] = *e.activity;
  Json owners = Json::array();
  for (const govern::Key& k : e.owner_keys) {
    owners.push_back({{"keyid", k.KeyId()}, {"spki", Base64Encode(k.key->spki_der())}});
  }
  j["ownerKeys"] = std::move(owners);
  j["broker"] = {{"keyid", HexEncode(e.broker_keyid)}};
  if (e.broker_url) j["broker"]["url"] = *e.broker_url;
  j["hpke"] = {{"kemId", kKemId},
               {"kdfId", kKdfId},
               {"aeadId", kAeadId},
               {"enc", Base64Encode(e.sealed.enc)},
               {"ct", Base64Encode(e.sealed.ct)}};
  j["commitment"] = Base64Encode(e.commitment);
  if (e.recovery) {
    Json shares = Json::array();
    for (const SealedShare& s : e.recovery->shares) {
      shares.push_back({{"custodian", HexEncode(s.custodian)},
                        {"x", s.x},
                        {"enc", Base64Encode(s.sealed.enc)},
                        {"ct", Base64Encode(s.sealed.ct)}});
    }
    j["recovery"] = {{"threshold", e.recovery->threshold},
                     {"enc", Base64Encode(e.recovery->wrap.enc)},
                     {"ct", Base64Encode(e.recovery->wrap.ct)},
                     {"shares", std::move(shares)}};
  }
  return j;
}

}  // namespace

EnvelopeBinding EnvelopePayload::Binding() const {
  EnvelopeBinding b;
  b.id = id;
  b.role = role;
  b.constraint = constraint;
  b.broker_keyid = broker_keyid;
  b.not_after = not_after ? FormatRfc3339(*not_after) : std::string();
  b.flags = unadmitted_override ? kFlagUnadmittedOverride : 0;
  b.commitment = commitment;
  b.activity = activity.value_or("");
  return b;
}

StatusOr<EnvelopePayload> ParseEnvelopePayload(ByteSpan payload) {
  if (payload.size() > kMaxEnvelopePayloadSize) {
    return EnvelopeMalformed("payload is " + std::to_string(payload.size()) + " bytes; at most " +
                             std::to_string(kMaxEnvelopePayloadSize) + " are allowed");
  }
  auto doc = vouch::internal::ParseJson(AsStringView(payload));
  if (!doc.ok()) return EnvelopeMalformed("payload is not strict JSON: " + doc.status().message());
  auto canonical = vouch::internal::CanonicalJson(*doc);
  if (!canonical.ok() || *canonical != AsStringView(payload)) {
    return EnvelopeMalformed("payload is not in its canonical (RFC 8785) form");
  }
  if (!doc->is_object()) return EnvelopeMalformed("payload is not a JSON object");
  auto format = doc->find("format");
  if (format == doc->end() || !format->is_string()) {
    return EnvelopeMalformed("/format: required string is missing");
  }
  if (*format != kEnvelopeFormat) {
    return Unsupported("/format: \"" + format->get<std::string>() + "\" is not \"" +
                       kEnvelopeFormat + "\"");
  }
  Checker c;
  EnvelopePayload out;
  if (!ParseFields(c, *doc, &out)) {
    const Status& st = c.status();
    return st.reason() == kReasonEnvelopeUnsupported ? st : EnvelopeMalformed(st.message());
  }
  return out;
}

StatusOr<Bytes> EncodeEnvelopePayload(const EnvelopePayload& payload) {
  auto text = vouch::internal::CanonicalJson(PayloadJson(payload));
  if (!text.ok()) return EnvelopeMalformed(text.status().message());
  Bytes bytes = ToBytes(*text);
  // What Parse would refuse is never written.
  VOUCH_RETURN_IF_ERROR(ParseEnvelopePayload(bytes).status());
  return bytes;
}

StatusOr<Envelope> Envelope::Parse(ByteSpan file) {
  auto entry = dsse::LedgerEntry::Parse(file, kEnvelopeRules);
  if (!entry.ok()) {
    if (entry.status().reason() == dsse::kPayloadTypeUnsupported) {
      return Unsupported(entry.status().message());
    }
    return EnvelopeMalformed("not a canonical envelope file: " + entry.status().message());
  }
  VOUCH_ASSIGN_OR_RETURN(EnvelopePayload payload, ParseEnvelopePayload(entry->payload()));
  return Envelope(std::move(entry).value(), std::move(payload));
}

StatusOr<Envelope> Envelope::Sign(const EnvelopePayload& payload,
                                  std::span<const PublicKeySign* const> owners) {
  std::set<Sha256Digest> listed;
  for (const govern::Key& k : payload.owner_keys) listed.insert(k.key->key_digest());
  std::set<Sha256Digest> signing;
  for (const PublicKeySign* o : owners) signing.insert(o->verifier().key_digest());
  if (listed != signing || signing.size() != owners.size()) {
    return EnvelopeMalformed("the signing keys must be exactly the payload's ownerKeys, each once");
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes bytes, EncodeEnvelopePayload(payload));
  std::vector<dsse::Signature> signatures;
  for (const PublicKeySign* o : owners) {
    VOUCH_ASSIGN_OR_RETURN(dsse::Signature s, dsse::SignPayload(*o, kEnvelopePayloadType, bytes));
    signatures.push_back(std::move(s));
  }
  auto entry = dsse::LedgerEntry::Create(bytes, std::move(signatures), kEnvelopeRules);
  if (!entry.ok()) return EnvelopeMalformed(entry.status().message());
  return Envelope(std::move(entry).value(), payload);
}

std::string Envelope::IdHex() const { return HexEncode(payload_.id); }

StatusOr<dsse::SignerSet> Envelope::VerifyOwners(const dsse::KeySet& trusted) const {
  auto signers = dsse::VerifiedSigners(entry_.SignedBytes(), entry_.signatures(), trusted);
  if (!signers.ok()) {
    return RejectedError(kReasonEnvelopeSignatureInvalid, signers.status().message());
  }
  if (signers->empty()) {
    return RejectedError(
        kReasonEnvelopeSignatureInvalid,
        "no signature on envelope " + IdHex() + " verifies under a trusted owner key");
  }
  return signers;
}

StatusOr<Envelope> MakeEnvelope(const EnvelopeRequest& request, const Inner& inner,
                                std::span<const PublicKeySign* const> owners, RandomSource& rng) {
  EnvelopePayload p;
  p.id = request.id;
  p.created = request.created;
  p.not_after = request.not_after;
  p.constraint = request.constraint;
  p.unadmitted_override = request.unadmitted_override;
  p.admitted_by = request.admitted_by;
  p.checkpoint = request.checkpoint;
  p.activity = request.activity;
  for (const PublicKeySign* o : owners) {
    VOUCH_ASSIGN_OR_RETURN(auto key, PublicKeyFromSpki(o->verifier().spki_der()));
    p.owner_keys.push_back(govern::Key{std::move(key)});
  }
  p.broker_keyid = X25519KeyIdDigest(request.broker_key);
  p.broker_url = request.broker_url;
  VOUCH_ASSIGN_OR_RETURN(p.commitment, inner.CommitmentFor(request.id));
  VOUCH_ASSIGN_OR_RETURN(p.sealed, SealEnvelopeSecret(request.broker_key, p.Binding(), inner, rng));
  if (!request.custodians.empty()) {
    VOUCH_ASSIGN_OR_RETURN(
        p.recovery, MakeRecovery(request.id, inner, request.custodians, request.threshold, rng));
  }
  return Envelope::Sign(p, owners);
}

}  // namespace vouch::provision

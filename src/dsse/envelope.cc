#include "vouch/dsse/envelope.h"

#include <algorithm>
#include <utility>

#include "dsse/jcs.h"
#include "vouch/base/encoding.h"

namespace vouch::dsse {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kSigstoreBundleMediaType = "application/vnd.dev.sigstore.bundle";

Status Malformed(const char* reason, std::string message) {
  return MalformedError(reason, std::move(message));
}

// Base64 as DSSE allows it: standard or URL-safe alphabet (not mixed), padding optional but
// correct when present, unused bits zero.
StatusOr<Bytes> LenientBase64Decode(std::string_view text) {
  bool url = text.find_first_of("-_") != std::string_view::npos;
  bool std_alpha = text.find_first_of("+/") != std::string_view::npos;
  if (url && std_alpha) return InvalidArgumentError("mixes the standard and URL-safe alphabets");
  std::string s(text);
  if (url) {
    std::replace(s.begin(), s.end(), '-', '+');
    std::replace(s.begin(), s.end(), '_', '/');
  }
  if (s.find('=') == std::string::npos) s.append((4 - s.size() % 4) % 4, '=');
  return Base64Decode(s);
}

bool IsLowerHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

void AppendEntryText(std::string_view payload_b64, std::string_view payload_type,
                     std::span<const Signature> sorted, std::string* out) {
  out->append("{\"payload\":\"");
  out->append(payload_b64);
  out->append("\",\"payloadType\":\"");
  out->append(payload_type);
  out->append("\",\"signatures\":[");
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"keyid\":\"");
    out->append(sorted[i].keyid);
    out->append("\",\"sig\":\"");
    out->append(Base64Encode(sorted[i].sig));
    out->append("\"}");
  }
  out->append("]}");
}

}  // namespace

Bytes Pae(std::string_view payload_type, ByteSpan payload) {
  std::string head = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
  head.append(payload_type);
  head += " " + std::to_string(payload.size()) + " ";
  Bytes out;
  out.reserve(head.size() + payload.size());
  Append(out, AsBytes(head));
  Append(out, payload);
  return out;
}

StatusOr<Signature> SignPayload(const PublicKeySign& key, std::string_view payload_type,
                                ByteSpan payload) {
  VOUCH_ASSIGN_OR_RETURN(Bytes sig, key.Sign(Pae(payload_type, payload)));
  return Signature{key.verifier().KeyId(), std::move(sig)};
}

bool KeySet::Add(std::shared_ptr<const PublicKeyVerify> key) {
  std::string keyid = key->KeyId();
  if (by_keyid_.count(keyid) != 0) return false;
  by_keyid_.emplace(std::move(keyid), key.get());
  keys_.push_back(std::move(key));
  return true;
}

const PublicKeyVerify* KeySet::Find(std::string_view keyid) const {
  auto it = by_keyid_.find(std::string(keyid));
  return it == by_keyid_.end() ? nullptr : it->second;
}

bool KeySet::Contains(const Sha256Digest& key_digest) const {
  return by_keyid_.count(HexEncode(key_digest)) != 0;
}

StatusOr<SignerSet> VerifiedSigners(ByteSpan message, std::span<const Signature> signatures,
                                    const KeyLookup& lookup) {
  SignerSet signers;
  for (size_t i = 0; i < signatures.size(); ++i) {
    const PublicKeyVerify* key = lookup(signatures[i]);
    if (key == nullptr) continue;
    Status s = key->Verify(message, signatures[i].sig);
    if (!s.ok()) {
      if (s.code() != StatusCode::kPermissionDenied) return s;
      return RejectedError(kStatementSignatureInvalid, "signature " + std::to_string(i + 1) +
                                                           " names key " + key->KeyId() +
                                                           " and does not verify: " + s.message());
    }
    signers.insert(key->key_digest());
  }
  return signers;
}

StatusOr<SignerSet> VerifiedSigners(ByteSpan message, std::span<const Signature> signatures,
                                    const KeySet& trusted) {
  return VerifiedSigners(message, signatures,
                         [&](const Signature& s) { return trusted.Find(s.keyid); });
}

Status CheckThreshold(const SignerSet& signers, size_t threshold, std::string_view what) {
  if (signers.size() >= threshold) return OkStatus();
  return RejectedError(kThresholdNotMet, std::string(what) + ": " + std::to_string(signers.size()) +
                                             " distinct trusted key(s) signed, " +
                                             std::to_string(threshold) + " required");
}

// ---- Envelope ----

StatusOr<Envelope> Envelope::Parse(std::string_view json) {
  if (json.size() > kMaxGenericEnvelopeSize) {
    return Malformed(kEnvelopeMalformed,
                     "envelope larger than " + std::to_string(kMaxGenericEnvelopeSize) + " bytes");
  }
  internal::JsonReadOptions options;
  options.integers_only = false;
  options.ascii_keys_only = false;
  auto doc = internal::ParseJson(json, options);
  if (!doc.ok()) return Malformed(kEntryMalformed, "not JSON: " + doc.status().message());
  Envelope env;
  const Json* e = &*doc;
  if (e->is_object()) {
    auto media = e->find("mediaType");
    auto inner = e->find("dsseEnvelope");
    if (media != e->end() && media->is_string() &&
        media->get_ref<const std::string&>().rfind(kSigstoreBundleMediaType, 0) == 0) {
      if (inner == e->end() || !inner->is_object()) {
        return Malformed(kEnvelopeMalformed, "Sigstore bundle without a \"dsseEnvelope\"");
      }
      e = &*inner;
      env.from_sigstore_bundle_ = true;
    }
  }
  if (!e->is_object()) return Malformed(kEnvelopeMalformed, "envelope is not a JSON object");
  auto string_member = [&](const Json& obj, const char* name) -> const std::string* {
    auto it = obj.find(name);
    return it != obj.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string* type = string_member(*e, "payloadType");
  const std::string* payload = string_member(*e, "payload");
  auto sigs = e->find("signatures");
  if (type == nullptr || payload == nullptr || sigs == e->end() || !sigs->is_array()) {
    return Malformed(kEnvelopeMalformed,
                     "envelope needs string \"payload\" and \"payloadType\" and an array "
                     "\"signatures\"");
  }
  env.payload_type_ = *type;
  auto decoded = LenientBase64Decode(*payload);
  if (!decoded.ok()) {
    return Malformed(kBase64Invalid, "payload is not base64: " + decoded.status().message());
  }
  env.payload_ = std::move(decoded).value();
  for (size_t i = 0; i < sigs->size(); ++i) {
    const Json& s = (*sigs)[i];
    const std::string* sig = s.is_object() ? string_member(s, "sig") : nullptr;
    if (sig == nullptr) {
      return Malformed(kEnvelopeMalformed,
                       "signature " + std::to_string(i + 1) + " has no string \"sig\"");
    }
    Signature out;
    if (auto keyid = s.find("keyid"); keyid != s.end()) {
      if (!keyid->is_string()) {
        return Malformed(kEnvelopeMalformed,
                         "signature " + std::to_string(i + 1) + ": \"keyid\" is not a string");
      }
      out.keyid = keyid->get<std::string>();
    }
    auto bytes = LenientBase64Decode(*sig);
    if (!bytes.ok()) {
      return Malformed(kBase64Invalid, "signature " + std::to_string(i + 1) +
                                           " is not base64: " + bytes.status().message());
    }
    out.sig = std::move(bytes).value();
    env.signatures_.push_back(std::move(out));
  }
  return env;
}

StatusOr<SignerSet> Envelope::Verify(const KeySet& keys) const {
  Bytes pae = Pae(payload_type_, payload_);
  SignerSet signers;
  for (size_t i = 0; i < signatures_.size(); ++i) {
    const Signature& s = signatures_[i];
    if (const PublicKeyVerify* named = keys.Find(s.keyid)) {
      VOUCH_ASSIGN_OR_RETURN(SignerSet one, VerifiedSigners(pae, std::span(&s, 1), keys));
      signers.insert(named->key_digest());
      continue;
    }
    // No given key is named: try each; DSSE says "Skip over if the verification fails".
    for (const auto& key : keys.keys()) {
      if (key->Verify(pae, s.sig).ok()) {
        signers.insert(key->key_digest());
        break;
      }
    }
  }
  return signers;
}

// ---- LedgerEntry ----

StatusOr<LedgerEntry> LedgerEntry::Parse(ByteSpan bytes, const CanonicalRules& rules) {
  // E1
  if (bytes.size() > rules.max_size) {
    return Malformed(kEntryTooLarge, "entry is " + std::to_string(bytes.size()) +
                                         " bytes; at most " + std::to_string(rules.max_size) +
                                         " are allowed");
  }
  // E2
  auto doc = internal::ParseJson(AsStringView(bytes));
  if (!doc.ok())
    return Malformed(kEntryMalformed, "entry is not strict JSON: " + doc.status().message());
  if (!doc->is_object()) return Malformed(kEntryMalformed, "entry is not a JSON object");
  // E3
  const Json& e = *doc;
  auto payload_it = e.find("payload");
  auto type_it = e.find("payloadType");
  auto sigs_it = e.find("signatures");
  if (e.size() != 3 || payload_it == e.end() || type_it == e.end() || sigs_it == e.end()) {
    return Malformed(kEnvelopeMalformed,
                     "an entry has exactly the members \"payload\", \"payloadType\" and "
                     "\"signatures\"");
  }
  if (!payload_it->is_string() || !type_it->is_string() || !sigs_it->is_array()) {
    return Malformed(kEnvelopeMalformed,
                     "\"payload\" and \"payloadType\" must be strings, \"signatures\" an array");
  }
  const Json& sigs = *sigs_it;
  if (sigs.empty() || sigs.size() > rules.max_signatures) {
    return Malformed(kEnvelopeMalformed,
                     "an entry has 1 to " + std::to_string(rules.max_signatures) +
                         " signatures, this one " + std::to_string(sigs.size()));
  }
  for (size_t i = 0; i < sigs.size(); ++i) {
    const Json& s = sigs[i];
    auto k = s.is_object() ? s.find("keyid") : s.end();
    auto g = s.is_object() ? s.find("sig") : s.end();
    if (!s.is_object() || s.size() != 2 || k == s.end() || g == s.end() || !k->is_string() ||
        !g->is_string()) {
      return Malformed(kEnvelopeMalformed, "signature " + std::to_string(i + 1) +
                                               " must be exactly {\"keyid\": string, \"sig\": "
                                               "string}");
    }
  }
  // E4
  const auto& type = type_it->get_ref<const std::string&>();
  if (type != rules.payload_type) {
    return Malformed(kPayloadTypeUnsupported, "payloadType is \"" + type + "\"; expected \"" +
                                                  std::string(rules.payload_type) + "\"");
  }
  // E5
  LedgerEntry entry;
  entry.rules_ = rules;
  const auto& payload_b64 = payload_it->get_ref<const std::string&>();
  auto payload = Base64Decode(payload_b64);
  if (!payload.ok()) {
    return Malformed(kBase64Invalid,
                     "payload is not strict padded standard base64: " + payload.status().message());
  }
  entry.payload_ = std::move(payload).value();
  entry.signatures_.reserve(sigs.size());
  for (size_t i = 0; i < sigs.size(); ++i) {
    auto sig = Base64Decode(sigs[i]["sig"].get_ref<const std::string&>());
    if (!sig.ok()) {
      return Malformed(kBase64Invalid,
                       "signature " + std::to_string(i + 1) +
                           " is not strict padded standard base64: " + sig.status().message());
    }
    entry.signatures_.push_back(
        Signature{sigs[i]["keyid"].get<std::string>(), std::move(sig).value()});
  }
  // E6
  for (size_t i = 0; i < entry.signatures_.size(); ++i) {
    if (!IsLowerHex64(entry.signatures_[i].keyid)) {
      return Malformed(kSignatureKeyidInvalid,
                       "signature " + std::to_string(i + 1) +
                           ": keyid must be 64 lowercase hex digits (SHA-256 of the SPKI)");
    }
  }
  // E7
  for (size_t i = 1; i < entry.signatures_.size(); ++i) {
    const std::string& a = entry.signatures_[i - 1].keyid;
    const std::string& b = entry.signatures_[i].keyid;
    if (a == b) {
      return Malformed(kDuplicateSigner, "keyid " + a + " signs twice");
    }
    if (a > b) return Malformed(kEntryNotCanonical, "signatures are not sorted by keyid");
  }
  // E8
  std::string canonical;
  canonical.reserve(bytes.size());
  AppendEntryText(payload_b64, rules.payload_type, entry.signatures_, &canonical);
  if (canonical != AsStringView(bytes)) {
    return Malformed(kEntryNotCanonical,
                     "entry bytes are not the canonical (RFC 8785) serialization: no white space, "
                     "members and signatures in order, nothing after the object");
  }
  entry.bytes_ = ToBytes(bytes);
  entry.entry_hash_ = Sha256(bytes);
  return entry;
}

StatusOr<LedgerEntry> LedgerEntry::Create(ByteSpan payload, std::vector<Signature> signatures,
                                          const CanonicalRules& rules) {
  if (signatures.empty() || signatures.size() > rules.max_signatures) {
    return Malformed(kEnvelopeMalformed,
                     "an entry has 1 to " + std::to_string(rules.max_signatures) +
                         " signatures, not " + std::to_string(signatures.size()));
  }
  for (const Signature& s : signatures) {
    if (!IsLowerHex64(s.keyid)) {
      return Malformed(kSignatureKeyidInvalid,
                       "keyid \"" + s.keyid + "\" is not 64 lowercase hex digits");
    }
  }
  std::sort(signatures.begin(), signatures.end(),
            [](const Signature& a, const Signature& b) { return a.keyid < b.keyid; });
  for (size_t i = 1; i < signatures.size(); ++i) {
    if (signatures[i - 1].keyid == signatures[i].keyid) {
      return Malformed(kDuplicateSigner, "keyid " + signatures[i].keyid + " signs twice");
    }
  }
  std::string text;
  AppendEntryText(Base64Encode(payload), rules.payload_type, signatures, &text);
  if (text.size() > rules.max_size) {
    return Malformed(kEntryTooLarge, "the entry would be " + std::to_string(text.size()) +
                                         " bytes; at most " + std::to_string(rules.max_size) +
                                         " are allowed");
  }
  LedgerEntry entry;
  entry.rules_ = rules;
  entry.bytes_ = ToBytes(text);
  entry.payload_ = ToBytes(payload);
  entry.signatures_ = std::move(signatures);
  entry.entry_hash_ = Sha256(entry.bytes_);
  return entry;
}

StatusOr<LedgerEntry> LedgerEntry::WithSignature(Signature signature) const {
  std::vector<Signature> sigs = signatures_;
  sigs.push_back(std::move(signature));
  return Create(payload_, std::move(sigs), rules_);
}

}  // namespace vouch::dsse

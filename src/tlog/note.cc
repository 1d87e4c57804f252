// Signed notes, c2sp.org/signed-note@v1.0.0 (spec/transparency-log.md §4).
#include "vouch/tlog/note.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "tlog/text.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

using internal::Quote;

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // "— " (U+2014, space)

Status NoteMalformed(std::string message) {
  return MalformedError(reasons::kNoteMalformed, "malformed note: " + std::move(message));
}

// Expected key length for the signature types whose key ID is the SHA-256 form; 0 if unknown.
size_t KnownKeyLength(uint8_t type) {
  switch (type) {
    case kSigTypeEd25519:
    case kSigTypeCosignatureV1:
      return 32;
    case kSigTypeSubtreeMlDsa44:
      return 1312;
    default:
      return 0;
  }
}

std::optional<uint32_t> ParseKeyIdHex(std::string_view hex) {
  if (hex.size() != 8) {
    return std::nullopt;
  }
  uint32_t v = 0;
  for (char c : hex) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
    v = (v << 4) | d;
  }
  return v;
}

// Validates note text / whole notes: UTF-8, no control characters other than '\n'.
Status CheckNoteCharacters(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x20 && c != '\n') {
      return NoteMalformed("control character 0x" + HexEncode(ByteSpan(&c, 1)) + " at byte " +
                           std::to_string(i));
    }
  }
  if (!internal::IsValidUtf8(s)) {
    return NoteMalformed("not valid UTF-8");
  }
  return OkStatus();
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || name.find('+') != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    if (static_cast<uint8_t>(c) < 0x20 || c == 0x7f) {
      return false;
    }
  }
  return internal::IsValidUtf8(name) && !internal::ContainsUnicodeSpace(name);
}

uint32_t ComputeKeyId(std::string_view name, uint8_t type, ByteSpan public_key) {
  const uint8_t sep_and_type[2] = {0x0A, type};
  const Sha256Digest d = Sha256WithPrefix(AsBytes(name), {sep_and_type, public_key});
  return LoadU32Be(d.data());
}

std::string KeyIdHex(uint32_t key_id) {
  std::array<uint8_t, 4> b;
  StoreU32Be(b.data(), key_id);
  return HexEncode(b);
}

// ---- VerifierKey ----

StatusOr<VerifierKey> VerifierKey::Create(std::string_view name, uint8_t type,
                                          ByteSpan public_key) {
  if (!IsValidKeyName(name)) {
    return InvalidArgumentError("invalid key name " + Quote(name) +
                                ": it must be non-empty and contain no space, control "
                                "character or '+'");
  }
  size_t want = KnownKeyLength(type);
  if (want == 0) {
    return UnimplementedError("cannot compute the key ID of signature type 0x" +
                              HexEncode(ByteSpan(&type, 1)));
  }
  if (public_key.size() != want) {
    return InvalidArgumentError("a type 0x" + HexEncode(ByteSpan(&type, 1)) + " key is " +
                                std::to_string(want) + " bytes, got " +
                                std::to_string(public_key.size()));
  }
  return VerifierKey(std::string(name), ComputeKeyId(name, type, public_key), type,
                     ToBytes(public_key));
}

StatusOr<VerifierKey> VerifierKey::Parse(std::string_view vkey) {
  auto bad = [&](const std::string& why) {
    return MalformedError(reasons::kVkeyMalformed,
                          "invalid verifier key " + Quote(vkey) + ": " + why);
  };
  size_t p1 = vkey.find('+');
  if (p1 == std::string_view::npos) {
    return bad("expected <name>+<key ID>+<base64 key>");
  }
  size_t p2 = vkey.find('+', p1 + 1);
  if (p2 == std::string_view::npos) {
    return bad("expected <name>+<key ID>+<base64 key>");
  }
  std::string_view name = vkey.substr(0, p1);
  std::string_view id_hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  std::string_view key64 = vkey.substr(p2 + 1);
  if (!IsValidKeyName(name)) {
    return bad("invalid key name");
  }
  auto id = ParseKeyIdHex(id_hex);
  if (!id) {
    return bad("the key ID must be 8 lowercase hex digits");
  }
  auto material = Base64Decode(key64);
  if (!material.ok()) {
    return bad("the key is not valid base64");
  }
  if (material->empty()) {
    return bad("empty key material");
  }
  uint8_t type = (*material)[0];
  Bytes key(material->begin() + 1, material->end());
  size_t want = KnownKeyLength(type);
  if (want != 0) {
    if (key.size() != want) {
      return bad("a type 0x" + HexEncode(ByteSpan(&type, 1)) + " key is " + std::to_string(want) +
                 " bytes, got " + std::to_string(key.size()));
    }
    uint32_t computed = ComputeKeyId(name, type, key);
    if (computed != *id) {
      return bad("the key ID " + std::string(id_hex) + " does not match the key (expected " +
                 KeyIdHex(computed) + ")");
    }
  }
  return VerifierKey(std::string(name), *id, type, std::move(key));
}

std::string VerifierKey::ToString() const {
  Bytes material;
  material.reserve(1 + public_key_.size());
  material.push_back(type_);
  Append(material, public_key_);
  return name_ + "+" + KeyIdHex(key_id_) + "+" + Base64Encode(material);
}

// ---- Ed25519 verifier and signer ----

StatusOr<std::shared_ptr<const Ed25519NoteVerifier>> Ed25519NoteVerifier::Create(
    std::string_view name, ByteSpan public_key) {
  VOUCH_ASSIGN_OR_RETURN(VerifierKey vk, VerifierKey::Create(name, kSigTypeEd25519, public_key));
  VOUCH_ASSIGN_OR_RETURN(Ed25519PublicKey key, Ed25519PublicKey::FromBytes(public_key));
  return std::shared_ptr<const Ed25519NoteVerifier>(
      new Ed25519NoteVerifier(vk.name(), vk.key_id(), std::move(key)));
}

Status Ed25519NoteVerifier::Verify(ByteSpan text, ByteSpan signature) const {
  if (signature.size() != 64) {
    return RejectedError(reasons::kNoteSignatureInvalid, "signature by " + Describe() + " is " +
                                                             std::to_string(signature.size()) +
                                                             " bytes, an Ed25519 signature is 64");
  }
  Status s = key_.Verify(text, signature);
  if (!s.ok()) {
    return RejectedError(reasons::kNoteSignatureInvalid,
                         "signature by " + Describe() + " does not verify");
  }
  return OkStatus();
}

StatusOr<std::shared_ptr<const NoteVerifier>> NewNoteVerifier(const VerifierKey& key) {
  switch (key.type()) {
    case kSigTypeEd25519: {
      VOUCH_ASSIGN_OR_RETURN(auto v, Ed25519NoteVerifier::Create(key.name(), key.public_key()));
      return std::shared_ptr<const NoteVerifier>(std::move(v));
    }
    case kSigTypeCosignatureV1: {
      VOUCH_ASSIGN_OR_RETURN(auto v, CosignatureV1Verifier::Create(key.name(), key.public_key()));
      return std::shared_ptr<const NoteVerifier>(std::move(v));
    }
    default: {
      uint8_t t = key.type();
      return UnimplementedError("verifier key " + key.name() + ": signature type 0x" +
                                HexEncode(ByteSpan(&t, 1)) +
                                " is not supported (Vouch verifies Ed25519 0x01 and "
                                "cosignature/v1 0x04)");
    }
  }
}

StatusOr<std::shared_ptr<const NoteVerifier>> ParseNoteVerifier(std::string_view vkey) {
  VOUCH_ASSIGN_OR_RETURN(VerifierKey key, VerifierKey::Parse(vkey));
  return NewNoteVerifier(key);
}

StatusOr<Ed25519NoteSigner> Ed25519NoteSigner::FromSeed(std::string_view name, ByteSpan seed32) {
  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::FromSeed(seed32));
  VOUCH_ASSIGN_OR_RETURN(VerifierKey vk,
                         VerifierKey::Create(name, kSigTypeEd25519, key.public_key().bytes()));
  return Ed25519NoteSigner(vk.name(), vk.key_id(), std::move(key));
}

StatusOr<Ed25519NoteSigner> Ed25519NoteSigner::Generate(std::string_view name) {
  VOUCH_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::Generate());
  return FromSeed(name, key.seed().Reveal());
}

StatusOr<Ed25519NoteSigner> Ed25519NoteSigner::ParseGoPrivateKey(std::string_view skey) {
  // Messages never quote the key: it is secret.
  auto bad = [](const std::string& why) {
    return MalformedError(reasons::kSkeyMalformed, "invalid note private key: " + why);
  };
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (skey.substr(0, kPrefix.size()) != kPrefix) {
    return bad("it must start with PRIVATE+KEY+");
  }
  std::string_view rest = skey.substr(kPrefix.size());
  size_t p1 = rest.find('+');
  if (p1 == std::string_view::npos) {
    return bad("expected PRIVATE+KEY+<name>+<key ID>+<base64>");
  }
  size_t p2 = rest.find('+', p1 + 1);
  if (p2 == std::string_view::npos) {
    return bad("expected PRIVATE+KEY+<name>+<key ID>+<base64>");
  }
  std::string_view name = rest.substr(0, p1);
  auto id = ParseKeyIdHex(rest.substr(p1 + 1, p2 - p1 - 1));
  if (!IsValidKeyName(name)) {
    return bad("invalid key name");
  }
  if (!id) {
    return bad("the key ID must be 8 lowercase hex digits");
  }
  auto material = Base64Decode(rest.substr(p2 + 1));
  if (!material.ok()) {
    return bad("the key is not valid base64");
  }
  SecretBytes secret(*material);
  // (SecureWipe must not be given the null data() of an empty vector.)
  if (!material->empty()) {
    SecureWipe(material->data(), material->size());
  }
  if (secret.size() != 33 || secret.Reveal()[0] != kSigTypeEd25519) {
    return bad("expected an Ed25519 (type 0x01) 32-byte seed");
  }
  VOUCH_ASSIGN_OR_RETURN(Ed25519NoteSigner signer, FromSeed(name, secret.Reveal().subspan(1)));
  if (signer.key_id() != *id) {
    return bad("the key ID does not match the key");
  }
  return signer;
}

StatusOr<Bytes> Ed25519NoteSigner::Sign(ByteSpan text) const { return key_.Sign(text); }

VerifierKey Ed25519NoteSigner::verifier_key() const {
  // Cannot fail: the name and key were validated at construction.
  return *VerifierKey::Create(name_, kSigTypeEd25519, key_.public_key().bytes());
}

SecretBytes Ed25519NoteSigner::GoPrivateKey() const {
  SecretBytes material(33);
  material.mutable_data()[0] = kSigTypeEd25519;
  ByteSpan seed = key_.seed().Reveal();
  std::copy(seed.begin(), seed.end(), material.mutable_data() + 1);
  std::string b64 = Base64Encode(material.Reveal());
  std::string text = "PRIVATE+KEY+" + name_ + "+" + KeyIdHex(key_id_) + "+" + b64;
  SecretBytes out(AsBytes(text));
  SecureWipe(b64.data(), b64.size());
  SecureWipe(text.data(), text.size());
  return out;
}

// ---- Note ----

std::string NoteSignature::Line() const {
  return std::string(kSigPrefix) + key_name + " " + base64 + "\n";
}

std::string FormatSignatureLine(std::string_view key_name, uint32_t key_id, ByteSpan signature) {
  ByteWriter blob;
  blob.WriteU32Be(key_id);
  blob.WriteBytes(signature);
  return std::string(kSigPrefix) + std::string(key_name) + " " + Base64Encode(blob.view()) + "\n";
}

StatusOr<Note> Note::Parse(std::string_view note) {
  if (note.size() > kMaxNoteSize) {
    return NoteMalformed("larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  VOUCH_RETURN_IF_ERROR(CheckNoteCharacters(note));
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return NoteMalformed("no blank line between the text and the signatures");
  }
  std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) {
    return NoteMalformed("no signature lines after the blank line");
  }
  if (sigs.back() != '\n') {
    return NoteMalformed("the last signature line does not end in a newline");
  }
  std::vector<NoteSignature> signatures;
  size_t line_no = 0;
  for (std::string_view line : internal::SplitLines(sigs)) {
    ++line_no;
    if (signatures.size() == kMaxNoteSignatures) {
      return NoteMalformed("more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    }
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return NoteMalformed("signature line " + std::to_string(line_no) + " " + Quote(line) +
                           " does not start with \"\xE2\x80\x94 \"");
    }
    line.remove_prefix(kSigPrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return NoteMalformed("signature line " + std::to_string(line_no) +
                           " has no space between the key name and the signature");
    }
    NoteSignature sig;
    sig.key_name = std::string(line.substr(0, space));
    sig.base64 = std::string(line.substr(space + 1));
    if (!IsValidKeyName(sig.key_name)) {
      return NoteMalformed("signature line " + std::to_string(line_no) +
                           " has an invalid key name " + Quote(sig.key_name));
    }
    if (sig.base64.empty() || sig.base64.find(' ') != std::string::npos) {
      return NoteMalformed("signature line " + std::to_string(line_no) +
                           " must be \"\xE2\x80\x94 <name> <base64>\"");
    }
    auto blob = Base64Decode(sig.base64);
    if (blob.ok() && blob->size() >= 5) {
      sig.decoded = true;
      sig.key_id = LoadU32Be(blob->data());
      sig.signature.assign(blob->begin() + 4, blob->end());
    }
    signatures.push_back(std::move(sig));
  }
  return Note(std::string(text), std::move(signatures));
}

std::string Note::Serialize() const {
  std::string out = text_ + "\n";
  for (const auto& s : signatures_) {
    out += s.Line();
  }
  return out;
}

// ---- Verification ----

StatusOr<VerifierSet> VerifierSet::Create(
    std::vector<std::shared_ptr<const NoteVerifier>> verifiers) {
  // Keys known by (name, key ID) must be unique. Keys that match any name (Sigsum witnesses)
  // cannot be compared statically; a line matching two keys is rejected by VerifyNote.
  std::set<std::pair<std::string, uint32_t>> seen;
  for (const auto& v : verifiers) {
    if (v == nullptr) {
      return InvalidArgumentError("null note verifier");
    }
    if (!v->ClaimsName(v->name())) {
      continue;
    }
    if (!seen.emplace(v->name(), v->key_id()).second) {
      return Status(StatusCode::kInvalidArgument,
                    "ambiguous key " + v->Describe() + ": listed twice",
                    reasons::kNoteKeyAmbiguous);
    }
  }
  return VerifierSet(std::move(verifiers));
}

bool NoteVerification::IsVerifiedBy(size_t verifier_index) const {
  return std::find(verified.begin(), verified.end(), verifier_index) != verified.end();
}

StatusOr<NoteVerification> VerifyNote(const Note& note, const VerifierSet& keys) {
  NoteVerification result;
  const auto& verifiers = keys.verifiers();
  ByteSpan text = AsBytes(note.text());
  for (size_t line = 0; line < note.signatures().size(); ++line) {
    const NoteSignature& sig = note.signatures()[line];
    if (!sig.decoded) {
      for (const auto& v : verifiers) {
        if (v->ClaimsName(sig.key_name)) {
          return RejectedError(reasons::kNoteSignatureInvalid,
                               "signature line by trusted key " + Quote(sig.key_name) +
                                   " is not valid base64 of a key ID and a signature");
        }
      }
      result.unverified_lines.push_back(line);
      continue;
    }
    size_t match = verifiers.size();
    for (size_t i = 0; i < verifiers.size(); ++i) {
      if (!verifiers[i]->Matches(sig.key_name, sig.key_id)) {
        continue;
      }
      if (match != verifiers.size()) {
        return RejectedError(
            reasons::kNoteKeyAmbiguous,
            "signature line by " + Quote(sig.key_name) + " matches two trusted keys");
      }
      match = i;
    }
    if (match == verifiers.size()) {
      result.unverified_lines.push_back(line);
      continue;
    }
    Status s = verifiers[match]->Verify(text, sig.signature);
    if (!s.ok()) {
      if (s.code() == StatusCode::kPermissionDenied) {
        return RejectedError(reasons::kNoteSignatureInvalid, s.message());
      }
      return s;
    }
    if (!result.IsVerifiedBy(match)) {
      result.verified.push_back(match);
    }
  }
  if (result.verified.empty()) {
    std::string names;
    for (const auto& v : verifiers) {
      names += (names.empty() ? "" : ", ") + v->Describe();
    }
    return RejectedError(reasons::kNoteUnverified,
                         "the note has no verifiable signature by a trusted key (trusted: " +
                             (names.empty() ? std::string("none") : names) + ")");
  }
  return result;
}

StatusOr<std::string> SignNote(std::string_view text, std::span<const NoteSigner* const> signers) {
  if (text.empty() || text.back() != '\n') {
    return InvalidArgumentError("note text must be non-empty and end in a newline");
  }
  Status chars = CheckNoteCharacters(text);
  if (!chars.ok()) {
    return InvalidArgumentError("cannot sign: " + chars.message());
  }
  if (signers.empty()) {
    return InvalidArgumentError("a note needs at least one signature");
  }
  if (signers.size() > kMaxNoteSignatures) {
    return InvalidArgumentError("too many signers");
  }
  std::string out(text);
  out += "\n";
  for (const NoteSigner* signer : signers) {
    if (signer == nullptr || !IsValidKeyName(signer->name())) {
      return InvalidArgumentError("invalid signer key name");
    }
    VOUCH_ASSIGN_OR_RETURN(Bytes sig, signer->Sign(AsBytes(text)));
    out += FormatSignatureLine(signer->name(), signer->key_id(), sig);
  }
  if (out.size() > kMaxNoteSize) {
    return InvalidArgumentError("signed note is too large");
  }
  return out;
}

}  // namespace vouch::tlog

#include "vouch/crypto/x25519_keys.h"

#include <algorithm>
#include <string>
#include <vector>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"

namespace vouch {
namespace {

// SEQUENCE { SEQUENCE { OID 1.3.101.110 } BIT STRING (0 unused bits) ‖ pk }
constexpr uint8_t kSpkiPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                   0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};
// SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.110 }, OCTET STRING { OCTET STRING ‖ sk } }
constexpr uint8_t kPkcs8Prefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                    0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};
static_assert(sizeof(kSpkiPrefix) + 32 == kX25519SpkiSize);
static_assert(sizeof(kPkcs8Prefix) + 32 == kX25519Pkcs8Size);

constexpr size_t kMaxPemFileSize = 64 * 1024;
constexpr size_t kPemLineLength = 64;

Status Malformed(std::string message) {
  return MalformedError(kReasonX25519KeyMalformed, std::move(message));
}

bool Contains(ByteSpan haystack, ByteSpan needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

// Names the algorithm of a DER key that is not X25519, for the error message.
std::string WhatKeyIsThis(ByteSpan der) {
  static constexpr uint8_t kEd25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
  static constexpr uint8_t kX448[] = {0x06, 0x03, 0x2b, 0x65, 0x6f};
  static constexpr uint8_t kEcPublicKey[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
  static constexpr uint8_t kRsa[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                     0xf7, 0x0d, 0x01, 0x01, 0x01};
  static constexpr uint8_t kX25519[] = {0x06, 0x03, 0x2b, 0x65, 0x6e};
  if (Contains(der, kEd25519)) return "an Ed25519 (signing) key, not an X25519 key";
  if (Contains(der, kX448)) return "an X448 key, not an X25519 key";
  if (Contains(der, kEcPublicKey)) return "an EC (e.g. P-256) key, not an X25519 key";
  if (Contains(der, kRsa)) return "an RSA key, not an X25519 key";
  if (Contains(der, kX25519)) return "an X25519 key in an encoding Vouch does not accept";
  return "not an X25519 key";
}

// The PEM text of `der`, built in a SecretBytes (the DER may be a private key) without
// unwiped temporaries. Every Vouch X25519 key fits one PEM line (44 or 48 bytes → 60 or 64
// characters).
SecretBytes ToPem(std::string_view label, ByteSpan der) {
  std::string body = Base64Encode(der);
  const std::string begin = "-----BEGIN " + std::string(label) + "-----\n";
  const std::string end = "\n-----END " + std::string(label) + "-----\n";
  SecretBytes out(begin.size() + body.size() + end.size());
  uint8_t* p = std::copy(begin.begin(), begin.end(), out.mutable_data());
  p = std::copy(body.begin(), body.end(), p);
  std::copy(end.begin(), end.end(), p);
  SecureWipe(body.data(), body.size());
  return out;
}

// Lines of `text` split at LF, each without its LF and without one trailing CR.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// The DER inside a single strict PEM block labelled `label` (RFC 7468 §3), as a secret: the
// caller may be reading a private key. Intermediate copies are wiped.
StatusOr<SecretBytes> DecodeSecretPem(std::string_view text, std::string_view label) {
  std::vector<std::string_view> lines = Lines(text);
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  if (lines.empty() || lines[0] != begin) {
    if (!lines.empty() && lines[0].starts_with("-----BEGIN ")) {
      std::string_view found = lines[0].substr(11);
      if (found.ends_with("-----")) found.remove_suffix(5);
      std::string hint = found == "ENCRYPTED PRIVATE KEY"
                             ? "; encrypted keys are not supported (decrypt it with "
                               "`openssl pkey -in KEY -out PLAIN.pem`)"
                             : "";
      return Malformed("expected a PEM \"" + std::string(label) + "\" block, found \"" +
                       std::string(found) + "\"" + hint);
    }
    return Malformed("not a PEM file: the first line must be \"" + begin + "\"");
  }
  std::string base64;
  base64.reserve(text.size());  // never reallocates, so no unwiped copy is left behind
  size_t i = 1;
  bool short_line_seen = false;
  for (; i < lines.size() && lines[i] != end; ++i) {
    std::string_view line = lines[i];
    if (line.find(':') != std::string_view::npos) {
      SecureWipe(base64.data(), base64.size());
      return Malformed("PEM headers (\"" + std::string(line.substr(0, line.find(':'))) +
                       ":\") are not supported");
    }
    if (line.empty() || line.size() > kPemLineLength || short_line_seen) {
      SecureWipe(base64.data(), base64.size());
      return Malformed(
          "malformed PEM body: base64 lines must be 1..64 characters, only the last "
          "one shorter than 64");
    }
    short_line_seen = line.size() < kPemLineLength;
    base64.append(line);
  }
  if (i == lines.size()) {
    SecureWipe(base64.data(), base64.size());
    return Malformed("PEM block has no \"" + end + "\" line");
  }
  for (size_t j = i + 1; j < lines.size(); ++j) {
    if (lines[j].find_first_not_of(" \t") != std::string_view::npos) {
      SecureWipe(base64.data(), base64.size());
      return Malformed("unexpected text after the PEM block (one key per file)");
    }
  }
  StatusOr<Bytes> der = Base64Decode(base64);
  SecureWipe(base64.data(), base64.size());
  if (!der.ok()) return Malformed("malformed PEM body: " + der.status().message());
  SecretBytes out(*der);
  SecureWipe(der->data(), der->size());
  return out;
}

StatusOr<SecretBytes> ReadSecretFile(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, kMaxPemFileSize));
  SecretBytes out(raw);
  SecureWipe(raw.data(), raw.size());
  return out;
}

}  // namespace

X25519Spki X25519SpkiOf(const X25519PublicKey& public_key) {
  X25519Spki spki{};
  auto it = std::copy(std::begin(kSpkiPrefix), std::end(kSpkiPrefix), spki.begin());
  std::copy(public_key.begin(), public_key.end(), it);
  return spki;
}

StatusOr<X25519PublicKey> X25519PublicKeyFromSpki(ByteSpan der) {
  if (der.size() != kX25519SpkiSize ||
      !std::equal(std::begin(kSpkiPrefix), std::end(kSpkiPrefix), der.begin())) {
    return Malformed("public key: " + WhatKeyIsThis(der) +
                     " (expected the 44-byte SPKI 302a300506032b656e032100 ‖ key)");
  }
  X25519PublicKey pk{};
  std::copy(der.end() - 32, der.end(), pk.begin());
  return pk;
}

Sha256Digest X25519KeyIdDigest(const X25519PublicKey& public_key) {
  return Sha256(X25519SpkiOf(public_key));
}

std::string X25519KeyId(const X25519PublicKey& public_key) {
  return HexEncode(X25519KeyIdDigest(public_key));
}

std::string X25519PublicKeyToPem(const X25519PublicKey& public_key) {
  return std::string(AsStringView(ToPem("PUBLIC KEY", X25519SpkiOf(public_key)).Reveal()));
}

StatusOr<X25519PublicKey> X25519PublicKeyFromPem(std::string_view pem) {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes der, DecodeSecretPem(pem, "PUBLIC KEY"));
  return X25519PublicKeyFromSpki(der.Reveal());
}

SecretBytes X25519PrivateKeyToPem(const X25519PrivateKey& key) {
  SecretBytes der(kX25519Pkcs8Size);
  uint8_t* p = std::copy(std::begin(kPkcs8Prefix), std::end(kPkcs8Prefix), der.mutable_data());
  std::copy(key.private_bytes().Reveal().begin(), key.private_bytes().Reveal().end(), p);
  return ToPem("PRIVATE KEY", der.Reveal());
}

StatusOr<X25519PrivateKey> X25519PrivateKeyFromPem(ByteSpan pem) {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes der, DecodeSecretPem(AsStringView(pem), "PRIVATE KEY"));
  ByteSpan d = der.Reveal();
  if (d.size() != kX25519Pkcs8Size ||
      !std::equal(std::begin(kPkcs8Prefix), std::end(kPkcs8Prefix), d.begin())) {
    return Malformed("private key: " + WhatKeyIsThis(d) +
                     " (expected the 48-byte PKCS#8 that `openssl genpkey -algorithm X25519` "
                     "writes)");
  }
  return X25519PrivateKey::FromBytes(d.subspan(sizeof(kPkcs8Prefix)));
}

Status WriteX25519PrivateKeyFile(const std::string& path, const X25519PrivateKey& key) {
  return WriteFileAtomic(path, X25519PrivateKeyToPem(key).Reveal(), 0600);
}

Status WriteX25519PublicKeyFile(const std::string& path, const X25519PublicKey& public_key) {
  return WriteFileAtomic(path, AsBytes(X25519PublicKeyToPem(public_key)), 0644);
}

StatusOr<X25519PrivateKey> ReadX25519PrivateKeyFile(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes text, ReadSecretFile(path));
  auto key = X25519PrivateKeyFromPem(text.Reveal());
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

StatusOr<X25519PublicKey> ReadX25519PublicKeyFile(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes text, ReadFile(path, kMaxPemFileSize));
  auto pk = X25519PublicKeyFromPem(AsStringView(text));
  if (!pk.ok()) return pk.status().WithContext(path);
  return pk;
}

}  // namespace vouch

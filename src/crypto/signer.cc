#include "vouch/crypto/signer.h"

#include <algorithm>
#include <array>
#include <utility>
#include <variant>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/ecdsa_p256.h"
#include "vouch/crypto/ed25519.h"

namespace vouch {

namespace {

constexpr std::array<uint8_t, 12> kEd25519SpkiPrefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                        0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr std::array<uint8_t, 26> kEcdsaP256SpkiPrefix = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
// RFC 8410 §7: PrivateKeyInfo { version 0, id-Ed25519, OCTET STRING { OCTET STRING seed } }.
constexpr std::array<uint8_t, 16> kEd25519Pkcs8Prefix = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
// AlgorithmIdentifier { id-ecPublicKey, prime256v1 } (RFC 5480 named curve).
constexpr std::array<uint8_t, 21> kEcdsaP256AlgorithmId = {
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr size_t kMaxKeyFileSize = 64 * 1024;
constexpr char kPublicKeyLabel[] = "PUBLIC KEY";
constexpr char kPrivateKeyLabel[] = "PRIVATE KEY";

Status KeyMalformed(std::string message) {
  return MalformedError(kKeyMalformed, std::move(message));
}

Status SignatureInvalid(std::string message) {
  return RejectedError(kSignatureInvalid, std::move(message));
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The DER inside exactly one PEM block labelled `label`, with only white space around it.
StatusOr<Bytes> DecodePem(std::string_view pem, std::string_view label) {
  while (!pem.empty() && IsSpace(pem.front())) pem.remove_prefix(1);
  while (!pem.empty() && IsSpace(pem.back())) pem.remove_suffix(1);
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kEnd = "-----END ";
  constexpr std::string_view kDashes = "-----";
  if (pem.substr(0, kBegin.size()) != kBegin) {
    return KeyMalformed("not a PEM file (expected \"-----BEGIN " + std::string(label) + "-----\")");
  }
  size_t label_end = pem.find(kDashes, kBegin.size());
  if (label_end == std::string_view::npos) return KeyMalformed("unterminated PEM header line");
  std::string_view found = pem.substr(kBegin.size(), label_end - kBegin.size());
  if (found != label) {
    std::string hint;
    if (found == "EC PRIVATE KEY") {
      hint = " (SEC 1 form: convert with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.p8`)";
    } else if (found == "ENCRYPTED PRIVATE KEY") {
      hint = " (encrypted keys are not supported: `openssl pkcs8 -topk8 -nocrypt` decrypts)";
    }
    return KeyMalformed("PEM block is \"" + std::string(found) + "\", expected \"" +
                        std::string(label) + "\"" + hint);
  }
  std::string footer = std::string(kEnd) + std::string(label) + std::string(kDashes);
  std::string_view rest = pem.substr(label_end + kDashes.size());
  if (rest.size() < footer.size() || rest.substr(rest.size() - footer.size()) != footer) {
    return KeyMalformed("PEM block does not end with \"" + footer +
                        "\" (only one block, and nothing after it, is allowed)");
  }
  std::string_view body = rest.substr(0, rest.size() - footer.size());
  std::string b64;
  b64.reserve(body.size());
  for (char c : body) {
    if (c == '\n' || c == '\r') continue;
    if (c == ':') return KeyMalformed("PEM headers (encrypted keys) are not supported");
    b64.push_back(c);
  }
  auto der = Base64Decode(b64);
  if (!der.ok()) return KeyMalformed("PEM body is not valid base64: " + der.status().message());
  if (der->empty()) return KeyMalformed("empty PEM block");
  return std::move(der).value();
}

std::string EncodePem(ByteSpan der, std::string_view label) {
  std::string b64 = Base64Encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out.push_back('\n');
  }
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

class Ed25519Verify final : public PublicKeyVerify {
 public:
  Ed25519Verify(Ed25519PublicKey key, Bytes spki)
      : PublicKeyVerify(Sha256(spki)), key_(std::move(key)), spki_(std::move(spki)) {}
  SignatureAlgorithm algorithm() const override { return SignatureAlgorithm::kEd25519; }
  ByteSpan spki_der() const override { return spki_; }
  Status Verify(ByteSpan message, ByteSpan signature) const override {
    if (signature.size() != 64) {
      return SignatureInvalid("Ed25519 signature must be 64 bytes, got " +
                              std::to_string(signature.size()));
    }
    Status s = key_.Verify(message, signature);
    if (s.ok()) return s;
    if (s.code() == StatusCode::kPermissionDenied) return SignatureInvalid(s.message());
    return s;
  }

 private:
  Ed25519PublicKey key_;
  Bytes spki_;
};

class EcdsaP256Verify final : public PublicKeyVerify {
 public:
  EcdsaP256Verify(EcdsaP256PublicKey key, Bytes spki)
      : PublicKeyVerify(Sha256(spki)), key_(std::move(key)), spki_(std::move(spki)) {}
  SignatureAlgorithm algorithm() const override { return SignatureAlgorithm::kEcdsaP256Sha256; }
  ByteSpan spki_der() const override { return spki_; }
  Status Verify(ByteSpan message, ByteSpan signature) const override {
    if (!IsStrictDerEcdsaSignature(signature)) {
      return SignatureInvalid(
          "ECDSA P-256 signature is not a strict DER Ecdsa-Sig-Value (raw r||s signatures must "
          "be converted to DER)");
    }
    Status s = key_.VerifyDer(message, signature);
    if (s.ok()) return s;
    if (s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kInvalidArgument) {
      return SignatureInvalid(s.message());
    }
    return s;
  }

 private:
  EcdsaP256PublicKey key_;
  Bytes spki_;
};

Bytes Ed25519Spki(const std::array<uint8_t, 32>& raw) {
  Bytes spki(kEd25519SpkiPrefix.begin(), kEd25519SpkiPrefix.end());
  Append(spki, raw);
  return spki;
}

Bytes EcdsaP256Spki(const std::array<uint8_t, 65>& point) {
  Bytes spki(kEcdsaP256SpkiPrefix.begin(), kEcdsaP256SpkiPrefix.end());
  Append(spki, point);
  return spki;
}

// Reads one DER INTEGER (tag, short-form length, minimal positive value) at `*pos`.
bool ReadStrictDerInteger(ByteSpan der, size_t* pos) {
  if (*pos + 2 > der.size() || der[*pos] != 0x02) return false;
  size_t len = der[*pos + 1];
  *pos += 2;
  if (len == 0 || len > 33 || *pos + len > der.size()) return false;
  uint8_t first = der[*pos];
  if (first & 0x80) return false;                                             // negative
  if (first == 0 && (len == 1 || (der[*pos + 1] & 0x80) == 0)) return false;  // not minimal
  *pos += len;
  return true;
}

// True when `der` starts like a PKCS#8 PrivateKeyInfo for a named-curve P-256 key:
// SEQUENCE { INTEGER 0 or 1, AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, ... }.
// (OpenSSL's d2i_AutoPrivateKey alone would also take SEC 1 and explicit-parameter keys.)
bool LooksLikeP256Pkcs8(ByteSpan der) {
  if (der.size() < 2 || der[0] != 0x30) return false;
  size_t pos = 2;
  if (der[1] == 0x81) {
    pos = 3;
  } else if (der[1] == 0x82) {
    pos = 4;
  } else if (der[1] > 0x7f) {
    return false;
  }
  if (der.size() < pos + 3 + kEcdsaP256AlgorithmId.size()) return false;
  if (der[pos] != 0x02 || der[pos + 1] != 0x01 || der[pos + 2] > 1) return false;
  pos += 3;
  return EqualBytes(kEcdsaP256AlgorithmId, der.subspan(pos, kEcdsaP256AlgorithmId.size()));
}

}  // namespace

std::string_view SignatureAlgorithmName(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kEd25519:
      return "ed25519";
    case SignatureAlgorithm::kEcdsaP256Sha256:
      return "ecdsa-p256-sha256";
  }
  return "?";
}

std::string PublicKeyVerify::KeyId() const { return HexEncode(key_digest_); }

std::string KeyIdOf(ByteSpan spki_der) { return HexEncode(Sha256(spki_der)); }

bool IsStrictDerEcdsaSignature(ByteSpan der) {
  // SEQUENCE with a short-form length: two INTEGERs of at most 33 bytes need at most 70.
  if (der.size() < 2 || der[0] != 0x30 || der[1] > 0x7f || size_t{der[1]} + 2 != der.size()) {
    return false;
  }
  size_t pos = 2;
  return ReadStrictDerInteger(der, &pos) && ReadStrictDerInteger(der, &pos) && pos == der.size();
}

StatusOr<std::shared_ptr<const PublicKeyVerify>> PublicKeyFromSpki(ByteSpan spki_der) {
  if (spki_der.size() == kEd25519SpkiSize &&
      std::equal(kEd25519SpkiPrefix.begin(), kEd25519SpkiPrefix.end(), spki_der.begin())) {
    auto key = Ed25519PublicKey::FromBytes(spki_der.subspan(kEd25519SpkiPrefix.size()));
    if (!key.ok()) return KeyMalformed("bad Ed25519 public key: " + key.status().message());
    return std::shared_ptr<const PublicKeyVerify>(
        std::make_shared<Ed25519Verify>(std::move(key).value(), ToBytes(spki_der)));
  }
  if (spki_der.size() == kEcdsaP256SpkiSize &&
      std::equal(kEcdsaP256SpkiPrefix.begin(), kEcdsaP256SpkiPrefix.end(), spki_der.begin())) {
    ByteSpan point = spki_der.subspan(kEcdsaP256SpkiPrefix.size());
    if (point[0] != 0x04) return KeyMalformed("P-256 public key is not an uncompressed point");
    auto key = EcdsaP256PublicKey::FromPoint(point);
    if (!key.ok()) return KeyMalformed("bad P-256 public key: " + key.status().message());
    return std::shared_ptr<const PublicKeyVerify>(
        std::make_shared<EcdsaP256Verify>(std::move(key).value(), ToBytes(spki_der)));
  }
  return KeyMalformed(
      "unsupported public key encoding (" + std::to_string(spki_der.size()) +
      " bytes): only Ed25519 (RFC 8410) and uncompressed ECDSA P-256 (RFC 5480, named curve) "
      "SubjectPublicKeyInfo are accepted");
}

StatusOr<std::shared_ptr<const PublicKeyVerify>> PublicKeyFromPem(std::string_view pem) {
  VOUCH_ASSIGN_OR_RETURN(Bytes der, DecodePem(pem, kPublicKeyLabel));
  return PublicKeyFromSpki(der);
}

std::string PublicKeyToPem(const PublicKeyVerify& key) {
  return EncodePem(key.spki_der(), kPublicKeyLabel);
}

struct LocalSigningKey::Impl {
  std::variant<Ed25519PrivateKey, EcdsaP256PrivateKey> key;
  std::shared_ptr<const PublicKeyVerify> verifier;
};

LocalSigningKey::LocalSigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LocalSigningKey::~LocalSigningKey() = default;

namespace {

StatusOr<std::unique_ptr<LocalSigningKey::Impl>> ImplFromEd25519(Ed25519PrivateKey key) {
  VOUCH_ASSIGN_OR_RETURN(auto verifier, PublicKeyFromSpki(Ed25519Spki(key.public_key().bytes())));
  auto impl = std::make_unique<LocalSigningKey::Impl>(
      LocalSigningKey::Impl{std::move(key), std::move(verifier)});
  return impl;
}

StatusOr<std::unique_ptr<LocalSigningKey::Impl>> ImplFromEcdsa(EcdsaP256PrivateKey key) {
  VOUCH_ASSIGN_OR_RETURN(auto verifier, PublicKeyFromSpki(EcdsaP256Spki(key.public_key().point())));
  auto impl = std::make_unique<LocalSigningKey::Impl>(
      LocalSigningKey::Impl{std::move(key), std::move(verifier)});
  return impl;
}

}  // namespace

StatusOr<std::unique_ptr<LocalSigningKey>> LocalSigningKey::Generate(SignatureAlgorithm algorithm) {
  std::unique_ptr<Impl> impl;
  if (algorithm == SignatureAlgorithm::kEd25519) {
    VOUCH_ASSIGN_OR_RETURN(auto key, Ed25519PrivateKey::Generate());
    VOUCH_ASSIGN_OR_RETURN(impl, ImplFromEd25519(std::move(key)));
  } else if (algorithm == SignatureAlgorithm::kEcdsaP256Sha256) {
    VOUCH_ASSIGN_OR_RETURN(auto key, EcdsaP256PrivateKey::Generate());
    VOUCH_ASSIGN_OR_RETURN(impl, ImplFromEcdsa(std::move(key)));
  } else {
    return InvalidArgumentError("unknown signature algorithm");
  }
  return std::unique_ptr<LocalSigningKey>(new LocalSigningKey(std::move(impl)));
}

StatusOr<std::unique_ptr<LocalSigningKey>> LocalSigningKey::FromEd25519Seed(ByteSpan seed) {
  if (seed.size() != 32) return KeyMalformed("Ed25519 seed must be 32 bytes");
  VOUCH_ASSIGN_OR_RETURN(auto key, Ed25519PrivateKey::FromSeed(seed));
  VOUCH_ASSIGN_OR_RETURN(auto impl, ImplFromEd25519(std::move(key)));
  return std::unique_ptr<LocalSigningKey>(new LocalSigningKey(std::move(impl)));
}

StatusOr<std::unique_ptr<LocalSigningKey>> LocalSigningKey::FromPkcs8Der(ByteSpan der) {
  // Ed25519 has exactly one PKCS#8 form (RFC 8410 §7, what `openssl genpkey` writes); OpenSSL's
  // optional v2 form with the public key is refused rather than half-checked.
  if (der.size() == kEd25519Pkcs8Prefix.size() + 32 &&
      std::equal(kEd25519Pkcs8Prefix.begin(), kEd25519Pkcs8Prefix.end(), der.begin())) {
    return FromEd25519Seed(der.subspan(kEd25519Pkcs8Prefix.size()));
  }
  auto key = LooksLikeP256Pkcs8(der) ? EcdsaP256PrivateKey::FromPkcs8(der)
                                     : StatusOr<EcdsaP256PrivateKey>(KeyMalformed(""));
  if (!key.ok()) {
    return KeyMalformed(
        "not an unencrypted PKCS#8 Ed25519 or ECDSA P-256 private key (make one with `openssl "
        "genpkey -algorithm ed25519` or `openssl genpkey -algorithm EC -pkeyopt "
        "ec_paramgen_curve:P-256`)");
  }
  VOUCH_ASSIGN_OR_RETURN(auto impl, ImplFromEcdsa(std::move(key).value()));
  return std::unique_ptr<LocalSigningKey>(new LocalSigningKey(std::move(impl)));
}

StatusOr<std::unique_ptr<LocalSigningKey>> LocalSigningKey::FromPem(std::string_view pem) {
  VOUCH_ASSIGN_OR_RETURN(Bytes der, DecodePem(pem, kPrivateKeyLabel));
  SecretBytes secret(der);
  SecureWipe(der.data(), der.size());
  return FromPkcs8Der(secret.Reveal());
}

const PublicKeyVerify& LocalSigningKey::verifier() const { return *impl_->verifier; }

StatusOr<Bytes> LocalSigningKey::Sign(ByteSpan message) const {
  if (const auto* ed = std::get_if<Ed25519PrivateKey>(&impl_->key)) return ed->Sign(message);
  return std::get<EcdsaP256PrivateKey>(impl_->key).SignDer(message);
}

StatusOr<SecretBytes> LocalSigningKey::ToPkcs8Pem() const {
  SecretBytes der;
  if (const auto* ed = std::get_if<Ed25519PrivateKey>(&impl_->key)) {
    der = SecretBytes(kEd25519Pkcs8Prefix.size() + 32);
    std::copy(kEd25519Pkcs8Prefix.begin(), kEd25519Pkcs8Prefix.end(), der.mutable_data());
    ByteSpan seed = ed->seed().Reveal();
    std::copy(seed.begin(), seed.end(), der.mutable_data() + kEd25519Pkcs8Prefix.size());
  } else {
    der = std::get<EcdsaP256PrivateKey>(impl_->key).ToPkcs8();
    if (der.empty()) return InternalError("cannot encode the P-256 private key as PKCS#8");
  }
  std::string pem = EncodePem(der.Reveal(), kPrivateKeyLabel);
  SecretBytes out(AsBytes(pem));
  SecureWipe(pem.data(), pem.size());
  return out;
}

StatusOr<std::shared_ptr<const PublicKeyVerify>> ReadPublicKeyFile(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(std::string pem, ReadFileToString(path, kMaxKeyFileSize));
  auto key = PublicKeyFromPem(pem);
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

StatusOr<std::unique_ptr<LocalSigningKey>> ReadSigningKeyFile(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes pem, ReadFile(path, kMaxKeyFileSize));
  SecretBytes secret(pem);
  SecureWipe(pem.data(), pem.size());
  auto key = LocalSigningKey::FromPem(AsStringView(secret.Reveal()));
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

Status WriteSigningKeyFile(const std::string& path, const LocalSigningKey& key) {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes pem, key.ToPkcs8Pem());
  return WriteFileAtomic(path, pem.Reveal(), 0600);
}

Status WritePublicKeyFile(const std::string& path, const PublicKeyVerify& key) {
  return WriteFileAtomic(path, AsBytes(PublicKeyToPem(key)), 0644);
}

}  // namespace vouch

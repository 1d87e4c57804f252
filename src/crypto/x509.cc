#include "vouch/crypto/x509.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <mutex>
#include <optional>

#include "crypto/ecdsa_internal.h"
#include "crypto/ossl_ptr.h"
#include "vouch/base/der.h"
#include "vouch/base/encoding.h"

namespace vouch {

// Certificates are parsed with Vouch's strict DER reader rather than d2i_X509: OpenSSL 3.0
// decodes every public key through its provider decoders, which costs ~170 µs per certificate
// and dominated uncached quote verification (docs/performance.md). Signature checks remain
// OpenSSL's. An OpenSSL X509 object is materialised lazily for the few operations that need
// one (full path validation, issuing).
struct Certificate::Impl {
  Bytes der;
  ByteSpan tbs;        // views into `der`
  ByteSpan signature;  // DER ECDSA-Sig-Value (BIT STRING contents)
  bool ecdsa_sha256 = false;
  Bytes serial;
  Bytes subject_der;
  Bytes issuer_der;
  std::string subject_cn;
  std::string subject_o;
  std::string subject_ou;
  std::string issuer_cn;
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  std::optional<std::array<uint8_t, 65>> ec_p256_point;
  struct Extension {
    std::string oid;
    bool critical;
    ByteSpan value;
  };
  std::vector<Extension> extensions;

  // Lazily built OpenSSL objects; guarded by the once flags.
  mutable std::once_flag x509_once;
  mutable internal::X509Ptr x509;
  mutable std::once_flag key_once;
  mutable std::optional<StatusOr<EcdsaP256PublicKey>> key;

  X509* X509Object() const {
    std::call_once(x509_once, [this] {
      const uint8_t* p = der.data();
      x509.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    });
    return x509.get();
  }
  const StatusOr<EcdsaP256PublicKey>& Key() const {
    std::call_once(key_once, [this] {
      if (ec_p256_point) {
        key.emplace(EcdsaP256PublicKey::FromPoint(*ec_p256_point));
      } else {
        key.emplace(InvalidArgumentError("certificate key is not ECDSA P-256"));
      }
    });
    return *key;
  }
};

struct Crl::Impl {
  internal::X509CrlPtr crl;
  Bytes der;
  Bytes issuer_der;
  UnixSeconds this_update = 0;
  UnixSeconds next_update = 0;
};

namespace {

using internal::OsslError;
using internal::OsslErrorWithCode;

StatusOr<UnixSeconds> Asn1TimeToUnix(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "invalid ASN.1 time");
  }
  int64_t days = DaysFromCivil(CivilDate{int64_t{tm.tm_year} + 1900, tm.tm_mon + 1, tm.tm_mday});
  return days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

Bytes NameDer(const X509_NAME* name) {
  const unsigned char* p = nullptr;
  size_t len = 0;
  if (X509_NAME_get0_der(const_cast<X509_NAME*>(name), &p, &len) != 1) return {};  // NOLINT
  return Bytes(p, p + len);
}

std::string CommonName(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(const_cast<X509_NAME*>(name), NID_commonName, -1);  // NOLINT
  if (idx < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

constexpr char kOidEcPublicKey[] = "1.2.840.10045.2.1";
constexpr char kOidPrime256v1[] = "1.2.840.10045.3.1.7";
constexpr char kOidEcdsaWithSha256[] = "1.2.840.10045.4.3.2";
constexpr char kOidCommonName[] = "2.5.4.3";
constexpr char kOidOrganizationName[] = "2.5.4.10";
constexpr char kOidOrganizationalUnitName[] = "2.5.4.11";

// UTCTime "YYMMDDHHMMSSZ" or GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 5280 §4.1.2.5).
StatusOr<UnixSeconds> ParseDerTime(uint8_t tag, ByteSpan v) {
  std::string_view s = AsStringView(v);
  std::string rfc;
  if (tag == kDerTagUtcTime && s.size() == 13 && s.back() == 'Z') {
    int yy = (s[0] - '0') * 10 + (s[1] - '0');
    rfc = std::string(yy >= 50 ? "19" : "20") + std::string(s.substr(0, 2));
    s.remove_prefix(2);
  } else if (tag == kDerTagGeneralizedTime && s.size() == 15 && s.back() == 'Z') {
    rfc = std::string(s.substr(0, 4));
    s.remove_prefix(4);
  } else {
    return InvalidArgumentError("certificate validity time is not UTCTime/GeneralizedTime in Z");
  }
  for (char c : s.substr(0, 10)) {
    if (c < '0' || c > '9') return InvalidArgumentError("bad digit in certificate time");
  }
  rfc += "-" + std::string(s.substr(0, 2)) + "-" + std::string(s.substr(2, 2)) + "T" +
         std::string(s.substr(4, 2)) + ":" + std::string(s.substr(6, 2)) + ":" +
         std::string(s.substr(8, 2)) + "Z";
  return ParseRfc3339(rfc);
}

// The first attribute `wanted_oid` of a Name (RDNSequence), as its raw string bytes; empty if none.
StatusOr<std::string> NameAttribute(ByteSpan name_contents, std::string_view wanted_oid) {
  DerReader rdns(name_contents);
  while (!rdns.empty()) {
    ByteSpan set;
    VOUCH_RETURN_IF_ERROR(rdns.Read(kDerTagSet, &set, "RDN"));
    DerReader atvs(set);
    while (!atvs.empty()) {
      ByteSpan atv;
      VOUCH_RETURN_IF_ERROR(atvs.Read(kDerTagSequence, &atv, "AttributeTypeAndValue"));
      DerReader r(atv);
      ByteSpan oid, value;
      uint8_t tag;
      VOUCH_RETURN_IF_ERROR(r.Read(kDerTagOid, &oid, "attribute type"));
      VOUCH_RETURN_IF_ERROR(r.ReadAny(&tag, &value, "attribute value"));
      VOUCH_ASSIGN_OR_RETURN(std::string oid_text, DerOidText(oid));
      if (oid_text == wanted_oid) return std::string(AsStringView(value));
    }
  }
  return std::string();
}

struct Algorithm {
  std::string oid;
  std::string parameter_oid;          // for EC keys: the named curve
  bool has_other_parameters = false;  // anything but absent, NULL or an OID
};

StatusOr<Algorithm> ReadAlgorithm(DerReader& r, const std::string& what) {
  ByteSpan alg;
  VOUCH_RETURN_IF_ERROR(r.Read(kDerTagSequence, &alg, what));
  DerReader a(alg);
  ByteSpan oid;
  VOUCH_RETURN_IF_ERROR(a.Read(kDerTagOid, &oid, what));
  Algorithm out;
  VOUCH_ASSIGN_OR_RETURN(out.oid, DerOidText(oid));
  if (!a.empty()) {
    uint8_t tag;
    ByteSpan params;
    VOUCH_RETURN_IF_ERROR(a.ReadAny(&tag, &params, what + " parameters"));
    if (tag == kDerTagOid) {
      VOUCH_ASSIGN_OR_RETURN(out.parameter_oid, DerOidText(params));
    } else if (tag != kDerTagNull || !params.empty()) {
      out.has_other_parameters = true;
    }
    if (!a.empty()) return InvalidArgumentError(what + ": trailing data");
  }
  return out;
}

Status ParseTbs(ByteSpan tbs_contents, Certificate::Impl* c, std::string* tbs_sig_alg) {
  DerReader r(tbs_contents);
  ByteSpan version;
  VOUCH_RETURN_IF_ERROR(r.Read(DerContextTag(0), &version, "version"));
  DerReader vr(version);
  ByteSpan v;
  VOUCH_RETURN_IF_ERROR(vr.Read(kDerTagInteger, &v, "version"));
  VOUCH_ASSIGN_OR_RETURN(uint64_t version_number, DerUnsigned(v, 2, "version"));
  if (version_number != 2 || !vr.empty()) return InvalidArgumentError("only X.509 v3 is supported");
  ByteSpan serial;
  VOUCH_RETURN_IF_ERROR(r.Read(kDerTagInteger, &serial, "serialNumber"));
  if (serial.empty() || (serial[0] & 0x80))
    return InvalidArgumentError("serial number is not positive");
  if (serial.size() > 1 && serial[0] == 0 && !(serial[1] & 0x80)) {
    return InvalidArgumentError("non-minimal serial number");
  }
  c->serial.assign(serial[0] == 0 ? serial.begin() + 1 : serial.begin(), serial.end());
  VOUCH_ASSIGN_OR_RETURN(Algorithm tbs_alg, ReadAlgorithm(r, "signature"));
  *tbs_sig_alg = tbs_alg.oid;
  ByteSpan issuer_whole, issuer;
  VOUCH_RETURN_IF_ERROR(r.ReadWhole(kDerTagSequence, &issuer_whole, &issuer, "issuer"));
  c->issuer_der = ToBytes(issuer_whole);
  VOUCH_ASSIGN_OR_RETURN(c->issuer_cn, NameAttribute(issuer, kOidCommonName));
  ByteSpan validity;
  VOUCH_RETURN_IF_ERROR(r.Read(kDerTagSequence, &validity, "validity"));
  DerReader vt(validity);
  for (UnixSeconds* out : {&c->not_before, &c->not_after}) {
    uint8_t tag;
    ByteSpan t;
    VOUCH_RETURN_IF_ERROR(vt.ReadAny(&tag, &t, "validity time"));
    VOUCH_ASSIGN_OR_RETURN(*out, ParseDerTime(tag, t));
  }
  if (!vt.empty()) return InvalidArgumentError("validity: trailing data");
  ByteSpan subject_whole, subject;
  VOUCH_RETURN_IF_ERROR(r.ReadWhole(kDerTagSequence, &subject_whole, &subject, "subject"));
  c->subject_der = ToBytes(subject_whole);
  VOUCH_ASSIGN_OR_RETURN(c->subject_cn, NameAttribute(subject, kOidCommonName));
  VOUCH_ASSIGN_OR_RETURN(c->subject_o, NameAttribute(subject, kOidOrganizationName));
  VOUCH_ASSIGN_OR_RETURN(c->subject_ou, NameAttribute(subject, kOidOrganizationalUnitName));
  ByteSpan spki;
  VOUCH_RETURN_IF_ERROR(r.Read(kDerTagSequence, &spki, "subjectPublicKeyInfo"));
  DerReader sr(spki);
  VOUCH_ASSIGN_OR_RETURN(Algorithm key_alg, ReadAlgorithm(sr, "key algorithm"));
  ByteSpan key_bits;
  VOUCH_RETURN_IF_ERROR(sr.Read(kDerTagBitString, &key_bits, "subjectPublicKey"));
  if (!sr.empty()) return InvalidArgumentError("subjectPublicKeyInfo: trailing data");
  if (key_alg.oid == kOidEcPublicKey && key_alg.parameter_oid == kOidPrime256v1 &&
      key_bits.size() == 66 && key_bits[0] == 0 && key_bits[1] == 0x04) {
    std::array<uint8_t, 65> point;
    std::copy(key_bits.begin() + 1, key_bits.end(), point.begin());
    c->ec_p256_point = point;
  }
  // Optional issuerUniqueID [1] / subjectUniqueID [2] (implicit, primitive or constructed).
  while (r.PeekTag() == 0x81 || r.PeekTag() == 0x82 || r.PeekTag() == 0xa1 || r.PeekTag() == 0xa2) {
    uint8_t tag;
    ByteSpan ignored;
    VOUCH_RETURN_IF_ERROR(r.ReadAny(&tag, &ignored, "unique ID"));
  }
  if (!r.empty()) {
    ByteSpan exts_wrapper, exts;
    VOUCH_RETURN_IF_ERROR(r.Read(DerContextTag(3), &exts_wrapper, "extensions"));
    DerReader ew(exts_wrapper);
    VOUCH_RETURN_IF_ERROR(ew.Read(kDerTagSequence, &exts, "extensions"));
    if (!ew.empty()) return InvalidArgumentError("extensions: trailing data");
    DerReader er(exts);
    while (!er.empty()) {
      ByteSpan ext;
      VOUCH_RETURN_IF_ERROR(er.Read(kDerTagSequence, &ext, "extension"));
      DerReader x(ext);
      ByteSpan oid, value;
      VOUCH_RETURN_IF_ERROR(x.Read(kDerTagOid, &oid, "extnID"));
      bool critical = false;
      if (x.PeekTag() == kDerTagBoolean) {
        ByteSpan b;
        VOUCH_RETURN_IF_ERROR(x.Read(kDerTagBoolean, &b, "critical"));
        // DER: DEFAULT FALSE must be omitted, TRUE is 0xff.
        if (b.size() != 1 || b[0] != 0xff) return InvalidArgumentError("bad critical flag");
        critical = true;
      }
      VOUCH_RETURN_IF_ERROR(x.Read(kDerTagOctetString, &value, "extnValue"));
      if (!x.empty()) return InvalidArgumentError("extension: trailing data");
      VOUCH_ASSIGN_OR_RETURN(std::string oid_text, DerOidText(oid));
      for (const auto& e : c->extensions) {
        if (e.oid == oid_text) return InvalidArgumentError("repeated extension " + oid_text);
      }
      c->extensions.push_back({oid_text, critical, value});
    }
  }
  return OkStatus();
}

// Parses a DER certificate strictly. The returned Impl's spans point into its own `der`.
StatusOr<std::shared_ptr<Certificate::Impl>> ParseCertificate(Bytes input) {
  auto c = std::make_shared<Certificate::Impl>();
  c->der = std::move(input);
  auto parse = [&]() -> Status {
    DerReader top(c->der);
    ByteSpan cert;
    VOUCH_RETURN_IF_ERROR(top.Read(kDerTagSequence, &cert, "Certificate"));
    if (!top.empty()) return InvalidArgumentError("trailing bytes after DER certificate");
    DerReader r(cert);
    ByteSpan tbs;
    VOUCH_RETURN_IF_ERROR(r.ReadWhole(kDerTagSequence, &c->tbs, &tbs, "tbsCertificate"));
    std::string tbs_alg;
    VOUCH_RETURN_IF_ERROR(ParseTbs(tbs, c.get(), &tbs_alg));
    VOUCH_ASSIGN_OR_RETURN(Algorithm outer_alg, ReadAlgorithm(r, "signatureAlgorithm"));
    if (outer_alg.oid != tbs_alg) {
      return InvalidArgumentError("signatureAlgorithm differs from tbsCertificate.signature");
    }
    c->ecdsa_sha256 = outer_alg.oid == kOidEcdsaWithSha256 && outer_alg.parameter_oid.empty() &&
                      !outer_alg.has_other_parameters;
    ByteSpan sig;
    VOUCH_RETURN_IF_ERROR(r.Read(kDerTagBitString, &sig, "signatureValue"));
    if (sig.empty() || sig[0] != 0)
      return InvalidArgumentError("signature BIT STRING has unused bits");
    c->signature = sig.subspan(1);
    if (!r.empty()) return InvalidArgumentError("Certificate: trailing data");
    return OkStatus();
  };
  if (Status s = parse(); !s.ok()) {
    return InvalidArgumentError("malformed DER certificate: " + s.message());
  }
  return c;
}

Status AddNameEntries(X509_NAME* name,
                      const std::vector<std::pair<std::string, std::string>>& entries) {
  for (const auto& [field, value] : entries) {
    if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1) {
      return OsslErrorWithCode(StatusCode::kInvalidArgument, "bad name entry " + field);
    }
  }
  return OkStatus();
}

StatusOr<internal::Asn1IntegerPtr> SerialToAsn1(ByteSpan serial) {
  internal::BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  internal::Asn1IntegerPtr out(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!out) return OsslError("serial number");
  return out;
}

Status AddExtension(X509* x509, const std::string& oid, bool critical, ByteSpan der_value) {
  internal::Asn1ObjectPtr obj(OBJ_txt2obj(oid.c_str(), 1));
  internal::Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
  if (!obj || !value ||
      ASN1_OCTET_STRING_set(value.get(), der_value.data(), static_cast<int>(der_value.size())) !=
          1) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "bad extension " + oid);
  }
  internal::X509ExtensionPtr ext(
      X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, value.get()));
  if (!ext || X509_add_ext(x509, ext.get(), -1) != 1) return OsslError("X509_add_ext");
  return OkStatus();
}

Status AddV3Extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  internal::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return OsslError("v3 extension");
  return OkStatus();
}

}  // namespace

// ---- Certificate ----

StatusOr<Certificate> Certificate::FromDer(ByteSpan der) {
  VOUCH_ASSIGN_OR_RETURN(auto impl, ParseCertificate(ToBytes(der)));
  return Certificate(std::move(impl));
}

StatusOr<std::vector<Certificate>> Certificate::ParsePemChain(std::string_view pem) {
  // Tolerate the trailing NULs and whitespace of SGX certification data, nothing else.
  size_t end = pem.size();
  while (end > 0 &&
         (pem[end - 1] == '\0' || std::isspace(static_cast<unsigned char>(pem[end - 1])))) {
    --end;
  }
  std::string_view body = pem.substr(0, end);
  // Split into BEGIN/END blocks ourselves so that anything that is not a certificate block is
  // reported instead of silently skipped (OpenSSL's PEM reader skips junk).
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<Certificate> out;
  size_t pos = 0;
  while (true) {
    while (pos < body.size() && std::isspace(static_cast<unsigned char>(body[pos]))) ++pos;
    if (pos == body.size()) break;
    if (body.substr(pos, kBegin.size()) != kBegin) {
      return InvalidArgumentError("expected -----BEGIN CERTIFICATE----- at offset " +
                                  std::to_string(pos));
    }
    pos += kBegin.size();
    size_t end_pos = body.find(kEnd, pos);
    if (end_pos == std::string_view::npos) {
      return InvalidArgumentError("unterminated PEM certificate block");
    }
    // PEM bodies are base64 broken into lines; drop the line breaks and decode strictly.
    std::string base64(body.substr(pos, end_pos - pos));
    base64.erase(
        std::remove_if(base64.begin(), base64.end(), [](char c) { return c == '\n' || c == '\r'; }),
        base64.end());
    auto der = Base64Decode(base64);
    if (!der.ok()) {
      return InvalidArgumentError("PEM certificate #" + std::to_string(out.size() + 1) + ": " +
                                  der.status().message());
    }
    auto impl = ParseCertificate(std::move(*der));
    if (!impl.ok()) {
      return InvalidArgumentError("PEM certificate #" + std::to_string(out.size() + 1) + ": " +
                                  impl.status().message());
    }
    out.push_back(Certificate(std::move(*impl)));
    pos = end_pos + kEnd.size();
  }
  if (out.empty()) return InvalidArgumentError("no PEM certificate found");
  return out;
}

const Bytes& Certificate::der() const { return impl_->der; }

std::string Certificate::ToPem() const {
  std::string b64 = Base64Encode(impl_->der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  out += "-----END CERTIFICATE-----\n";
  return out;
}

std::string Certificate::SubjectCommonName() const { return impl_->subject_cn; }
std::string Certificate::SubjectOrganization() const { return impl_->subject_o; }
std::string Certificate::SubjectOrganizationalUnit() const { return impl_->subject_ou; }
std::string Certificate::IssuerCommonName() const { return impl_->issuer_cn; }
const Bytes& Certificate::SubjectNameDer() const { return impl_->subject_der; }
const Bytes& Certificate::IssuerNameDer() const { return impl_->issuer_der; }
Bytes Certificate::SerialNumber() const { return impl_->serial; }
UnixSeconds Certificate::not_before() const { return impl_->not_before; }
UnixSeconds Certificate::not_after() const { return impl_->not_after; }

StatusOr<EcdsaP256PublicKey> Certificate::EcPublicKey() const { return impl_->Key(); }

Status Certificate::VerifySignedBy(const Certificate& issuer) const {
  if (!impl_->ecdsa_sha256) {
    return RejectedError("signature_invalid", "certificate \"" + SubjectCommonName() +
                                                  "\" is not signed with ecdsa-with-SHA256");
  }
  const auto& key = issuer.impl_->Key();
  if (!key.ok()) return key.status();
  if (key->VerifyDer(impl_->tbs, impl_->signature).ok()) return OkStatus();
  return RejectedError("signature_invalid", "certificate \"" + SubjectCommonName() +
                                                "\" is not signed by \"" +
                                                issuer.SubjectCommonName() + "\"");
}

StatusOr<Bytes> Certificate::ExtensionValue(std::string_view oid) const {
  for (const auto& e : impl_->extensions) {
    if (e.oid == oid) return ToBytes(e.value);
  }
  return NotFoundError("certificate has no extension " + std::string(oid));
}

// ---- Crl ----

StatusOr<Crl> Crl::FromDer(ByteSpan der) {
  const uint8_t* p = der.data();
  internal::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) return OsslErrorWithCode(StatusCode::kInvalidArgument, "malformed DER CRL");
  if (p != der.data() + der.size()) return InvalidArgumentError("trailing bytes after DER CRL");
  Impl impl;
  impl.der = ToBytes(der);
  impl.issuer_der = NameDer(X509_CRL_get_issuer(crl.get()));
  VOUCH_ASSIGN_OR_RETURN(impl.this_update, Asn1TimeToUnix(X509_CRL_get0_lastUpdate(crl.get())));
  if (X509_CRL_get0_nextUpdate(crl.get()) == nullptr) {
    return InvalidArgumentError("CRL has no nextUpdate");
  }
  VOUCH_ASSIGN_OR_RETURN(impl.next_update, Asn1TimeToUnix(X509_CRL_get0_nextUpdate(crl.get())));
  impl.crl = std::move(crl);
  return Crl(std::make_shared<const Impl>(std::move(impl)));
}

const Bytes& Crl::der() const { return impl_->der; }
const Bytes& Crl::IssuerNameDer() const { return impl_->issuer_der; }
std::string Crl::IssuerCommonName() const {
  return CommonName(X509_CRL_get_issuer(impl_->crl.get()));
}
UnixSeconds Crl::this_update() const { return impl_->this_update; }
UnixSeconds Crl::next_update() const { return impl_->next_update; }

bool Crl::IsRevoked(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  // Lookup by serial only: the issuer match is the caller's check (CRL issuer == cert issuer).
  auto serial = SerialToAsn1(cert.SerialNumber());
  return serial.ok() && X509_CRL_get0_by_serial(impl_->crl.get(), &entry, serial->get()) == 1;
}

size_t Crl::revoked_count() const {
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(impl_->crl.get());
  return revoked == nullptr ? 0 : static_cast<size_t>(sk_X509_REVOKED_num(revoked));
}

Status Crl::VerifySignedBy(const Certificate& issuer) const {
  const auto& key = issuer.impl().Key();
  if (!key.ok()) return key.status();
  if (X509_CRL_verify(impl_->crl.get(), internal::EcdsaKeyAccess::Pkey(*key)) == 1) {
    return OkStatus();
  }
  internal::ClearOsslErrors();
  return RejectedError("signature_invalid", "CRL of \"" + IssuerCommonName() +
                                                "\" is not signed by \"" +
                                                issuer.SubjectCommonName() + "\"");
}

// ---- Chain validation ----

Status VerifyCertificateChain(const Certificate& leaf, std::span<const Certificate> intermediates,
                              std::span<const Certificate> trusted_roots, std::span<const Crl> crls,
                              UnixSeconds at) {
  internal::X509StorePtr store(X509_STORE_new());
  internal::OsslPtr<STACK_OF(X509), internal::FreeX509Stack> untrusted(sk_X509_new_null());
  if (!store || !untrusted) return OsslError("X509_STORE_new");
  if (leaf.impl().X509Object() == nullptr) return OsslError("leaf not loadable by OpenSSL");
  for (const Certificate& root : trusted_roots) {
    if (root.impl().X509Object() == nullptr ||
        X509_STORE_add_cert(store.get(), root.impl().X509Object()) != 1) {
      return OsslError("X509_STORE_add_cert");
    }
  }
  for (const Certificate& c : intermediates) {
    X509* x = c.impl().X509Object();
    if (x == nullptr) return OsslError("certificate not loadable by OpenSSL");
    X509_up_ref(x);
    sk_X509_push(untrusted.get(), x);
  }
  for (const Crl& crl : crls) {
    // X509_STORE_add_crl takes its own reference.
    const uint8_t* p = crl.der().data();
    internal::X509CrlPtr copy(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.der().size())));
    if (!copy || X509_STORE_add_crl(store.get(), copy.get()) != 1) {
      return OsslError("X509_STORE_add_crl");
    }
  }
  internal::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf.impl().X509Object(), untrusted.get()) != 1) {
    return OsslError("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  if (!crls.empty()) {
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  }
  if (X509_verify_cert(ctx.get()) == 1) return OkStatus();
  int err = X509_STORE_CTX_get_error(ctx.get());
  internal::ClearOsslErrors();
  std::string reason =
      err == X509_V_ERR_CERT_REVOKED ? "certificate_revoked"
      : (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID ||
         err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID)
          ? "certificate_time_invalid"
          : "certificate_chain_invalid";
  return RejectedError(reason, std::string("certificate chain rejected: ") +
                                   X509_verify_cert_error_string(err) + " (depth " +
                                   std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())) + ")");
}

// ---- Issuing ----

StatusOr<Certificate> IssueCertificate(const CertificateSpec& spec,
                                       const EcdsaP256PublicKey& subject_key,
                                       const Certificate* issuer,
                                       const EcdsaP256PrivateKey& issuer_key) {
  if (spec.serial.empty()) return InvalidArgumentError("certificate serial must not be empty");
  if (issuer != nullptr && issuer->impl().X509Object() == nullptr) {
    return OsslError("the issuer certificate is not loadable by OpenSSL");
  }
  internal::X509Ptr x509(X509_new());
  if (!x509 || X509_set_version(x509.get(), 2) != 1) return OsslError("X509_new");
  VOUCH_ASSIGN_OR_RETURN(internal::Asn1IntegerPtr serial, SerialToAsn1(spec.serial));
  X509_set_serialNumber(x509.get(), serial.get());
  X509_NAME* subject = X509_get_subject_name(x509.get());
  VOUCH_RETURN_IF_ERROR(AddNameEntries(subject, spec.subject));
  if (issuer != nullptr) {
    X509_set_issuer_name(x509.get(), X509_get_subject_name(issuer->impl().X509Object()));
  } else {
    X509_set_issuer_name(x509.get(), subject);
  }
  if (!ASN1_TIME_set(X509_getm_notBefore(x509.get()), static_cast<time_t>(spec.not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(x509.get()), static_cast<time_t>(spec.not_after))) {
    return OsslError("certificate validity");
  }
  if (X509_set_pubkey(x509.get(), internal::EcdsaKeyAccess::Pkey(subject_key)) != 1) {
    return OsslError("X509_set_pubkey");
  }
  X509* issuer_x509 = issuer != nullptr ? issuer->impl().X509Object() : x509.get();
  VOUCH_RETURN_IF_ERROR(AddV3Extension(x509.get(), issuer_x509, NID_basic_constraints,
                                       spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  VOUCH_RETURN_IF_ERROR(AddV3Extension(
      x509.get(), issuer_x509, NID_key_usage,
      spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation"));
  VOUCH_RETURN_IF_ERROR(
      AddV3Extension(x509.get(), issuer_x509, NID_subject_key_identifier, "hash"));
  if (issuer != nullptr) {
    VOUCH_RETURN_IF_ERROR(
        AddV3Extension(x509.get(), issuer_x509, NID_authority_key_identifier, "keyid:always"));
  }
  for (const auto& ext : spec.extensions) {
    VOUCH_RETURN_IF_ERROR(AddExtension(x509.get(), ext.oid, ext.critical, ext.der_value));
  }
  if (X509_sign(x509.get(), internal::EcdsaKeyAccess::Pkey(issuer_key), EVP_sha256()) <= 0) {
    return OsslError("X509_sign");
  }
  // Round-trip through DER so the result is exactly what a verifier would parse.
  Bytes der = internal::EncodeDer(i2d_X509, x509.get());
  if (der.empty()) return OsslError("i2d_X509");
  return Certificate::FromDer(der);
}

StatusOr<Crl> IssueCrl(const CrlSpec& spec, const Certificate& issuer,
                       const EcdsaP256PrivateKey& issuer_key) {
  if (issuer.impl().X509Object() == nullptr) {
    return OsslError("the issuer certificate is not loadable by OpenSSL");
  }
  internal::X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.impl().X509Object())) != 1) {
    return OsslError("X509_CRL_new");
  }
  internal::Asn1TimePtr this_update(ASN1_TIME_set(nullptr, static_cast<time_t>(spec.this_update)));
  internal::Asn1TimePtr next_update(ASN1_TIME_set(nullptr, static_cast<time_t>(spec.next_update)));
  if (!this_update || !next_update || X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return OsslError("CRL times");
  }
  for (const Bytes& serial : spec.revoked_serials) {
    internal::X509RevokedPtr entry(X509_REVOKED_new());
    VOUCH_ASSIGN_OR_RETURN(internal::Asn1IntegerPtr asn1_serial, SerialToAsn1(serial));
    if (!entry || X509_REVOKED_set_serialNumber(entry.get(), asn1_serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), this_update.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry.get()) != 1) {
      return OsslError("CRL entry");
    }
    static_cast<void>(entry.release());  // owned by the CRL now
  }
  internal::Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_int64(number.get(), spec.crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    return OsslError("CRL number");
  }
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), internal::EcdsaKeyAccess::Pkey(issuer_key), EVP_sha256()) <= 0) {
    return OsslError("X509_CRL_sign");
  }
  Bytes der = internal::EncodeDer(i2d_X509_CRL, crl.get());
  if (der.empty()) return OsslError("i2d_X509_CRL");
  return Crl::FromDer(der);
}

}  // namespace vouch

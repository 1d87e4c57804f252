#include "vouch/crypto/x509.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "crypto/ecdsa_internal.h"
#include "crypto/ossl_ptr.h"

namespace vouch {

struct Certificate::Impl {
  internal::X509Ptr x509;
  Bytes der;
  Bytes subject_der;
  Bytes issuer_der;
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
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

Bytes Asn1IntegerMagnitude(const ASN1_INTEGER* i) {
  internal::BnPtr bn(ASN1_INTEGER_to_BN(i, nullptr));
  if (!bn) return {};
  Bytes out(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

StatusOr<Certificate::Impl> MakeCertImpl(internal::X509Ptr x509) {
  Certificate::Impl impl;
  int len = i2d_X509(x509.get(), nullptr);
  if (len <= 0) return OsslError("i2d_X509");
  impl.der.resize(static_cast<size_t>(len));
  uint8_t* p = impl.der.data();
  i2d_X509(x509.get(), &p);
  impl.subject_der = NameDer(X509_get_subject_name(x509.get()));
  impl.issuer_der = NameDer(X509_get_issuer_name(x509.get()));
  VOUCH_ASSIGN_OR_RETURN(impl.not_before, Asn1TimeToUnix(X509_get0_notBefore(x509.get())));
  VOUCH_ASSIGN_OR_RETURN(impl.not_after, Asn1TimeToUnix(X509_get0_notAfter(x509.get())));
  impl.x509 = std::move(x509);
  return impl;
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
  const uint8_t* p = der.data();
  internal::X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x509) return OsslErrorWithCode(StatusCode::kInvalidArgument, "malformed DER certificate");
  if (p != der.data() + der.size()) {
    return InvalidArgumentError("trailing bytes after DER certificate");
  }
  VOUCH_ASSIGN_OR_RETURN(Impl impl, MakeCertImpl(std::move(x509)));
  return Certificate(std::make_shared<const Impl>(std::move(impl)));
}

StatusOr<std::vector<Certificate>> Certificate::ParsePemChain(std::string_view pem) {
  // Tolerate the trailing NULs and whitespace of SGX certification data, nothing else.
  size_t end = pem.size();
  while (end > 0 && (pem[end - 1] == '\0' || std::isspace(static_cast<unsigned char>(pem[end - 1])))) {
    --end;
  }
  std::string_view body = pem.substr(0, end);
  if (body.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("NUL byte inside PEM certificate data");
  }
  // Split the body into BEGIN/END blocks ourselves so that anything that is not a
  // certificate block is reported instead of silently skipped (OpenSSL's PEM reader skips junk).
  std::vector<Certificate> out;
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  size_t pos = 0;
  while (true) {
    while (pos < body.size() && std::isspace(static_cast<unsigned char>(body[pos]))) ++pos;
    if (pos == body.size()) break;
    if (body.substr(pos, kBegin.size()) != kBegin) {
      return InvalidArgumentError("expected -----BEGIN CERTIFICATE----- at offset " +
                                  std::to_string(pos));
    }
    size_t end_pos = body.find(kEnd, pos);
    if (end_pos == std::string_view::npos) {
      return InvalidArgumentError("unterminated PEM certificate block");
    }
    std::string_view block = body.substr(pos, end_pos + kEnd.size() - pos);
    internal::BioPtr block_bio(BIO_new_mem_buf(block.data(), static_cast<int>(block.size())));
    internal::X509Ptr x509(PEM_read_bio_X509(block_bio.get(), nullptr, nullptr, nullptr));
    if (!x509) {
      return OsslErrorWithCode(StatusCode::kInvalidArgument,
                               "malformed PEM certificate #" + std::to_string(out.size() + 1));
    }
    VOUCH_ASSIGN_OR_RETURN(Impl impl, MakeCertImpl(std::move(x509)));
    out.push_back(Certificate(std::make_shared<const Impl>(std::move(impl))));
    pos = end_pos + kEnd.size();
  }
  if (out.empty()) return InvalidArgumentError("no PEM certificate found");
  return out;
}

const Bytes& Certificate::der() const { return impl_->der; }

std::string Certificate::ToPem() const {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), impl_->x509.get()) != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string Certificate::SubjectCommonName() const {
  return CommonName(X509_get_subject_name(impl_->x509.get()));
}
std::string Certificate::IssuerCommonName() const {
  return CommonName(X509_get_issuer_name(impl_->x509.get()));
}
const Bytes& Certificate::SubjectNameDer() const { return impl_->subject_der; }
const Bytes& Certificate::IssuerNameDer() const { return impl_->issuer_der; }
Bytes Certificate::SerialNumber() const {
  return Asn1IntegerMagnitude(X509_get0_serialNumber(impl_->x509.get()));
}
UnixSeconds Certificate::not_before() const { return impl_->not_before; }
UnixSeconds Certificate::not_after() const { return impl_->not_after; }

StatusOr<EcdsaP256PublicKey> Certificate::EcPublicKey() const {
  EVP_PKEY* pkey = X509_get0_pubkey(impl_->x509.get());
  if (pkey == nullptr) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "certificate has no usable public key");
  }
  return internal::EcdsaKeyAccess::WrapPublic(pkey);
}

Status Certificate::VerifySignedBy(const Certificate& issuer) const {
  EVP_PKEY* key = X509_get0_pubkey(issuer.impl_->x509.get());
  if (key == nullptr) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "issuer has no usable public key");
  }
  if (X509_verify(impl_->x509.get(), key) == 1) return OkStatus();
  internal::ClearOsslErrors();
  return RejectedError("signature_invalid", "certificate \"" + SubjectCommonName() +
                                                "\" is not signed by \"" +
                                                issuer.SubjectCommonName() + "\"");
}

StatusOr<Bytes> Certificate::ExtensionValue(std::string_view oid) const {
  internal::Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  if (!obj) return InvalidArgumentError("bad OID " + std::string(oid));
  int idx = X509_get_ext_by_OBJ(impl_->x509.get(), obj.get(), -1);
  if (idx < 0) return NotFoundError("certificate has no extension " + std::string(oid));
  if (X509_get_ext_by_OBJ(impl_->x509.get(), obj.get(), idx) >= 0) {
    return InvalidArgumentError("certificate repeats extension " + std::string(oid));
  }
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(impl_->x509.get(), idx));
  const uint8_t* p = ASN1_STRING_get0_data(data);
  return Bytes(p, p + ASN1_STRING_length(data));
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
std::string Crl::IssuerCommonName() const { return CommonName(X509_CRL_get_issuer(impl_->crl.get())); }
UnixSeconds Crl::this_update() const { return impl_->this_update; }
UnixSeconds Crl::next_update() const { return impl_->next_update; }

bool Crl::IsRevoked(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  // Lookup by serial only: the issuer match is the caller's check (CRL issuer == cert issuer).
  return X509_CRL_get0_by_serial(impl_->crl.get(), &entry,
                                 X509_get0_serialNumber(cert.impl().x509.get())) == 1;
}

size_t Crl::revoked_count() const {
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(impl_->crl.get());
  return revoked == nullptr ? 0 : static_cast<size_t>(sk_X509_REVOKED_num(revoked));
}

Status Crl::VerifySignedBy(const Certificate& issuer) const {
  EVP_PKEY* key = X509_get0_pubkey(issuer.impl().x509.get());
  if (key == nullptr) {
    return OsslErrorWithCode(StatusCode::kInvalidArgument, "issuer has no usable public key");
  }
  if (X509_CRL_verify(impl_->crl.get(), key) == 1) return OkStatus();
  internal::ClearOsslErrors();
  return RejectedError("signature_invalid", "CRL of \"" + IssuerCommonName() +
                                                "\" is not signed by \"" +
                                                issuer.SubjectCommonName() + "\"");
}

// ---- Chain validation ----

Status VerifyCertificateChain(const Certificate& leaf, std::span<const Certificate> intermediates,
                              std::span<const Certificate> trusted_roots,
                              std::span<const Crl> crls, UnixSeconds at) {
  internal::X509StorePtr store(X509_STORE_new());
  internal::OsslPtr<STACK_OF(X509), internal::FreeX509Stack> untrusted(sk_X509_new_null());
  if (!store || !untrusted) return OsslError("X509_STORE_new");
  for (const Certificate& root : trusted_roots) {
    if (X509_STORE_add_cert(store.get(), root.impl().x509.get()) != 1) {
      return OsslError("X509_STORE_add_cert");
    }
  }
  for (const Certificate& c : intermediates) {
    X509_up_ref(c.impl().x509.get());
    sk_X509_push(untrusted.get(), c.impl().x509.get());
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
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.impl().x509.get(),
                                  untrusted.get()) != 1) {
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
  std::string reason = err == X509_V_ERR_CERT_REVOKED ? "certificate_revoked"
                       : (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID ||
                          err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID)
                           ? "certificate_time_invalid"
                           : "certificate_chain_invalid";
  return RejectedError(reason, std::string("certificate chain rejected: ") +
                                   X509_verify_cert_error_string(err) + " (depth " +
                                   std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())) +
                                   ")");
}

// ---- Issuing ----

StatusOr<Certificate> IssueCertificate(const CertificateSpec& spec,
                                       const EcdsaP256PublicKey& subject_key,
                                       const Certificate* issuer,
                                       const EcdsaP256PrivateKey& issuer_key) {
  if (spec.serial.empty()) return InvalidArgumentError("certificate serial must not be empty");
  internal::X509Ptr x509(X509_new());
  if (!x509 || X509_set_version(x509.get(), 2) != 1) return OsslError("X509_new");
  VOUCH_ASSIGN_OR_RETURN(internal::Asn1IntegerPtr serial, SerialToAsn1(spec.serial));
  X509_set_serialNumber(x509.get(), serial.get());
  X509_NAME* subject = X509_get_subject_name(x509.get());
  VOUCH_RETURN_IF_ERROR(AddNameEntries(subject, spec.subject));
  if (issuer != nullptr) {
    X509_set_issuer_name(x509.get(), X509_get_subject_name(issuer->impl().x509.get()));
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
  X509* issuer_x509 = issuer != nullptr ? issuer->impl().x509.get() : x509.get();
  VOUCH_RETURN_IF_ERROR(AddV3Extension(x509.get(), issuer_x509, NID_basic_constraints,
                                       spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  VOUCH_RETURN_IF_ERROR(AddV3Extension(
      x509.get(), issuer_x509, NID_key_usage,
      spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation"));
  VOUCH_RETURN_IF_ERROR(AddV3Extension(x509.get(), issuer_x509, NID_subject_key_identifier, "hash"));
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
  VOUCH_ASSIGN_OR_RETURN(Certificate::Impl impl, MakeCertImpl(std::move(x509)));
  // Round-trip through DER so the result is exactly what a verifier would parse.
  return Certificate::FromDer(impl.der);
}

StatusOr<Crl> IssueCrl(const CrlSpec& spec, const Certificate& issuer,
                       const EcdsaP256PrivateKey& issuer_key) {
  internal::X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.impl().x509.get())) != 1) {
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
    entry.release();  // owned by the CRL now
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
  int len = i2d_X509_CRL(crl.get(), nullptr);
  if (len <= 0) return OsslError("i2d_X509_CRL");
  Bytes der(static_cast<size_t>(len));
  uint8_t* p = der.data();
  i2d_X509_CRL(crl.get(), &p);
  return Crl::FromDer(der);
}

}  // namespace vouch

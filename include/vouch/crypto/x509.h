// X.509 certificates and CRLs (RFC 5280) over OpenSSL: parsing (DER, PEM bundles), the fields
// Vouch's verifiers read, signature checks between certificates and CRLs, chain validation at
// an explicit time, and issuing (P-256 only) for tests and the simulation platform.
//
// Certificate and Crl are immutable, cheap to copy (shared) and thread-safe to share.
#ifndef VOUCH_CRYPTO_X509_H_
#define VOUCH_CRYPTO_X509_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/ecdsa_p256.h"

namespace vouch {

class Certificate {
 public:
  static StatusOr<Certificate> FromDer(ByteSpan der);
  // Every certificate of a PEM bundle, in order. Trailing whitespace and NUL bytes are
  // tolerated (SGX certification data ends in "\n\0"); any other trailing text is an error.
  static StatusOr<std::vector<Certificate>> ParsePemChain(std::string_view pem);

  const Bytes& der() const;
  std::string ToPem() const;
  std::string SubjectCommonName() const;
  // The subject's first organizationName (O) and organizationalUnitName (OU), or empty.
  std::string SubjectOrganization() const;
  std::string SubjectOrganizationalUnit() const;
  std::string IssuerCommonName() const;
  // DER encodings of the subject and issuer names, for exact comparisons.
  const Bytes& SubjectNameDer() const;
  const Bytes& IssuerNameDer() const;
  // Big-endian magnitude of the serial number.
  Bytes SerialNumber() const;
  UnixSeconds not_before() const;
  UnixSeconds not_after() const;

  // The subject public key when it is ECDSA P-256.
  StatusOr<EcdsaP256PublicKey> EcPublicKey() const;
  // Checks this certificate's signature with `issuer`'s public key (signature only: names,
  // time and extensions are the caller's business). kPermissionDenied when it does not verify.
  Status VerifySignedBy(const Certificate& issuer) const;
  bool IsSelfIssued() const { return SubjectNameDer() == IssuerNameDer(); }
  // The contents of the extnValue OCTET STRING of the extension `oid` (dotted text);
  // kNotFound when absent.
  StatusOr<Bytes> ExtensionValue(std::string_view oid) const;

  friend bool operator==(const Certificate& a, const Certificate& b) { return a.der() == b.der(); }

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Certificate(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

class Crl {
 public:
  static StatusOr<Crl> FromDer(ByteSpan der);

  const Bytes& der() const;
  const Bytes& IssuerNameDer() const;
  std::string IssuerCommonName() const;
  UnixSeconds this_update() const;
  // kNotFound-free: a CRL without nextUpdate is rejected at parse time (RFC 5280 §5.1.2.5
  // requires it of conforming issuers, and an open-ended CRL could never expire).
  UnixSeconds next_update() const;
  bool IsRevoked(const Certificate& cert) const;
  size_t revoked_count() const;
  // Checks the CRL's signature with `issuer`'s key; kPermissionDenied when it does not verify.
  Status VerifySignedBy(const Certificate& issuer) const;

  struct Impl;

 private:
  explicit Crl(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Full RFC 5280 path validation by OpenSSL at time `at`: `leaf` must chain through
// `intermediates` to one of `trusted_roots`; when `crls` is non-empty every certificate in the
// path must be covered by a valid CRL and not revoked. kPermissionDenied with OpenSSL's reason
// when the chain is rejected.
Status VerifyCertificateChain(const Certificate& leaf, std::span<const Certificate> intermediates,
                              std::span<const Certificate> trusted_roots, std::span<const Crl> crls,
                              UnixSeconds at);

// ---- Issuing (tests and the simulation platform) ----

struct CertificateSpec {
  // Relative distinguished names in order, e.g. {{"CN","Intel SGX PCK Certificate"},{"O",...}}.
  std::vector<std::pair<std::string, std::string>> subject;
  Bytes serial;  // big-endian, non-empty
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  bool is_ca = false;
  struct Extension {
    std::string oid;  // dotted
    bool critical = false;
    Bytes der_value;  // the DER that goes inside extnValue
  };
  std::vector<Extension> extensions;
};

// Issues a certificate for `subject_key`, signed by `issuer_key`. `issuer` is the issuing
// certificate, or nullptr for a self-signed one (then `issuer_key` must match `subject_key`).
StatusOr<Certificate> IssueCertificate(const CertificateSpec& spec,
                                       const EcdsaP256PublicKey& subject_key,
                                       const Certificate* issuer,
                                       const EcdsaP256PrivateKey& issuer_key);

struct CrlSpec {
  UnixSeconds this_update = 0;
  UnixSeconds next_update = 0;
  std::vector<Bytes> revoked_serials;  // big-endian
  int64_t crl_number = 1;
};
StatusOr<Crl> IssueCrl(const CrlSpec& spec, const Certificate& issuer,
                       const EcdsaP256PrivateKey& issuer_key);

}  // namespace vouch

#endif  // VOUCH_CRYPTO_X509_H_

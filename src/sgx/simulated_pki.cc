#include "vouch/sgx/simulated_pki.h"

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "sgx/simulated_json.h"
#include "vouch/base/byte_reader.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/der_writer.h"
#include "vouch/base/encoding.h"
#include "vouch/base/mutex.h"
#include "vouch/crypto/random.h"
#include "vouch/crypto/sha.h"

namespace vouch::sgx {
namespace {

using Json = nlohmann::ordered_json;

std::vector<std::pair<std::string, std::string>> Subject(const std::string& cn,
                                                         const std::string& org) {
  return {{"CN", cn}, {"O", org}, {"L", "Santa Clara"}, {"ST", "CA"}, {"C", "US"}};
}

constexpr std::string_view kSimulationOrganizationPrefix = "Vouch simulation";

StatusOr<Bytes> RandomSerial() {
  VOUCH_ASSIGN_OR_RETURN(Bytes serial, RandomBytes(16));
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x01);  // positive, 16 bytes
  return serial;
}

StatusOr<Certificate> Issue(const std::string& cn, const SimulatedPkiOptions& o, bool is_ca,
                            const EcdsaP256PublicKey& key, const Certificate* issuer,
                            const EcdsaP256PrivateKey& issuer_key,
                            std::vector<CertificateSpec::Extension> extensions = {}) {
  CertificateSpec spec;
  spec.subject = Subject(cn, o.organization);
  if (issuer == nullptr) spec.subject.insert(spec.subject.begin() + 2, {"OU", kSimulationRootUnit});
  VOUCH_ASSIGN_OR_RETURN(spec.serial, RandomSerial());
  spec.not_before = o.not_before;
  spec.not_after = o.not_after;
  spec.is_ca = is_ca;
  spec.extensions = std::move(extensions);
  return IssueCertificate(spec, key, issuer, issuer_key);
}

}  // namespace

Bytes EncodeReportBody(const ReportBody& b) {
  ByteWriter out;
  out.Reserve(kReportBodySize);
  out.WriteBytes(b.cpu_svn);
  out.WriteBytes(b.misc_select);
  out.WriteZeros(12);
  out.WriteBytes(b.isv_ext_prod_id);
  out.WriteBytes(b.attributes);
  out.WriteBytes(b.mr_enclave);
  out.WriteZeros(32);
  out.WriteBytes(b.mr_signer);
  out.WriteZeros(32);
  out.WriteBytes(b.config_id);
  out.WriteU16Le(b.isv_prod_id);
  out.WriteU16Le(b.isv_svn);
  out.WriteU16Le(b.config_svn);
  out.WriteZeros(42);
  out.WriteBytes(b.isv_family_id);
  out.WriteBytes(b.report_data);
  return std::move(out).Finish();
}

Bytes EncodePckExtension(const PckExtension& e) {
  const std::string base = kSgxExtensionOid;
  auto oid = [](const std::string& dotted) { return *DerOid(dotted); };
  Bytes tcb_items;
  for (int i = 1; i <= 16; ++i) {
    Append(tcb_items,
           DerSequence({oid(base + ".2." + std::to_string(i)),
                        DerUnsignedInteger(e.tcb_components[static_cast<size_t>(i - 1)])}));
  }
  Append(tcb_items, DerSequence({oid(base + ".2.17"), DerUnsignedInteger(e.pce_svn)}));
  Append(tcb_items, DerSequence({oid(base + ".2.18"), DerOctetString(e.cpu_svn)}));
  Bytes entries;
  Append(entries, DerSequence({oid(base + ".1"), DerOctetString(e.ppid)}));
  Append(entries, DerSequence({oid(base + ".2"), DerTlv(0x30, tcb_items)}));
  Append(entries, DerSequence({oid(base + ".3"), DerOctetString(e.pce_id)}));
  Append(entries, DerSequence({oid(base + ".4"), DerOctetString(e.fmspc)}));
  Append(entries,
         DerSequence({oid(base + ".5"), DerEnumerated(static_cast<uint64_t>(e.sgx_type))}));
  return DerTlv(0x30, entries);
}

bool IsVouchSimulationRoot(const Certificate& cert) {
  return cert.SubjectOrganization().starts_with(kSimulationOrganizationPrefix) ||
         cert.SubjectOrganizationalUnit() == kSimulationRootUnit;
}

SimulatedPkiOptions DefaultSimulatedPkiOptions(UnixSeconds now) {
  SimulatedPkiOptions o;
  o.not_before = now - 86400;
  o.not_after = now + 365 * 86400;
  o.issue_date = now - 3600;
  o.platform.fmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  o.platform.pce_id = {0x00, 0x00};
  o.platform.tcb_components = {7, 9, 3, 3, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  o.platform.pce_svn = 13;
  o.platform.cpu_svn = o.platform.tcb_components;
  o.qe_mr_signer = {0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f,
                    0x77, 0xc6, 0x8a, 0x82, 0x9a, 0x00, 0x56, 0xac, 0x8d, 0xed, 0x70,
                    0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};
  return o;
}

StatusOr<SimulatedPki> SimulatedPki::Create(const SimulatedPkiOptions& o) {
  VOUCH_ASSIGN_OR_RETURN(auto root_key, EcdsaP256PrivateKey::Generate());
  VOUCH_ASSIGN_OR_RETURN(auto ca_key, EcdsaP256PrivateKey::Generate());
  VOUCH_ASSIGN_OR_RETURN(auto pck_key, EcdsaP256PrivateKey::Generate());
  VOUCH_ASSIGN_OR_RETURN(auto tcb_key, EcdsaP256PrivateKey::Generate());
  VOUCH_ASSIGN_OR_RETURN(Certificate root, Issue("Intel SGX Root CA", o, true,
                                                 root_key.public_key(), nullptr, root_key));
  VOUCH_ASSIGN_OR_RETURN(Certificate ca, Issue(o.platform_ca ? "Intel SGX PCK Platform CA"
                                                             : "Intel SGX PCK Processor CA",
                                               o, true, ca_key.public_key(), &root, root_key));
  VOUCH_ASSIGN_OR_RETURN(
      Certificate pck, Issue("Intel SGX PCK Certificate", o, false, pck_key.public_key(), &ca,
                             ca_key, {{kSgxExtensionOid, false, EncodePckExtension(o.platform)}}));
  VOUCH_ASSIGN_OR_RETURN(Certificate tcb, Issue("Intel SGX TCB Signing", o, false,
                                                tcb_key.public_key(), &root, root_key));
  return SimulatedPki(o, std::move(root_key), std::move(root), std::move(ca_key), std::move(ca),
                      std::move(pck_key), std::move(pck), std::move(tcb_key), std::move(tcb));
}

SimulatedPki::Parts SimulatedPki::ToParts() const {
  return Parts{options_, root_key_, root_,    pck_ca_key_, pck_ca_,
               pck_key_, pck_,      tcb_key_, tcb_signing_};
}

StatusOr<SimulatedPki> SimulatedPki::FromParts(Parts p) {
  auto matches = [](const EcdsaP256PrivateKey& key, const Certificate& cert,
                    const std::string& what) -> Status {
    auto pub = cert.EcPublicKey();
    if (!pub.ok() || pub->point() != key.public_key().point()) {
      return InvalidArgumentError("the " + what + " key does not match its certificate");
    }
    return OkStatus();
  };
  auto signed_by = [](const Certificate& cert, const Certificate& issuer,
                      const std::string& what) -> Status {
    if (cert.IssuerNameDer() != issuer.SubjectNameDer() || !cert.VerifySignedBy(issuer).ok()) {
      return InvalidArgumentError("the " + what + " certificate is not issued by its CA");
    }
    return OkStatus();
  };
  auto named = [](const Certificate& cert, const std::string& cn) -> Status {
    if (cert.SubjectCommonName() != cn) {
      return InvalidArgumentError("expected a certificate for \"" + cn + "\", got \"" +
                                  cert.SubjectCommonName() + "\"");
    }
    return OkStatus();
  };
  VOUCH_RETURN_IF_ERROR(matches(p.root_key, p.root, "root CA"));
  VOUCH_RETURN_IF_ERROR(matches(p.pck_ca_key, p.pck_ca, "PCK CA"));
  VOUCH_RETURN_IF_ERROR(matches(p.pck_key, p.pck, "PCK"));
  VOUCH_RETURN_IF_ERROR(matches(p.tcb_signing_key, p.tcb_signing, "TCB Signing"));
  VOUCH_RETURN_IF_ERROR(named(p.root, "Intel SGX Root CA"));
  VOUCH_RETURN_IF_ERROR(named(p.pck_ca, p.options.platform_ca ? "Intel SGX PCK Platform CA"
                                                              : "Intel SGX PCK Processor CA"));
  VOUCH_RETURN_IF_ERROR(named(p.pck, "Intel SGX PCK Certificate"));
  VOUCH_RETURN_IF_ERROR(named(p.tcb_signing, "Intel SGX TCB Signing"));
  VOUCH_RETURN_IF_ERROR(signed_by(p.root, p.root, "root CA"));
  VOUCH_RETURN_IF_ERROR(signed_by(p.pck_ca, p.root, "PCK CA"));
  VOUCH_RETURN_IF_ERROR(signed_by(p.tcb_signing, p.root, "TCB Signing"));
  VOUCH_RETURN_IF_ERROR(signed_by(p.pck, p.pck_ca, "PCK"));
  auto ext_der = p.pck.ExtensionValue(kSgxExtensionOid);
  if (!ext_der.ok() || *ext_der != EncodePckExtension(p.options.platform)) {
    return InvalidArgumentError("the PCK certificate's SGX extension differs from the options");
  }
  return SimulatedPki(std::move(p.options), std::move(p.root_key), std::move(p.root),
                      std::move(p.pck_ca_key), std::move(p.pck_ca), std::move(p.pck_key),
                      std::move(p.pck), std::move(p.tcb_signing_key), std::move(p.tcb_signing));
}

std::string SimulatedPki::PckChainPem() const {
  return pck_.ToPem() + pck_ca_.ToPem() + root_.ToPem();
}

StatusOr<Collateral> SimulatedPki::MakeCollateral() const {
  const SimulatedPkiOptions& o = options_;
  const UnixSeconds next = o.issue_date + o.collateral_lifetime;
  Collateral c;
  VOUCH_ASSIGN_OR_RETURN(Crl root_crl,
                         IssueCrl({o.issue_date, next, o.revoked_ca_serials, 1}, root_, root_key_));
  VOUCH_ASSIGN_OR_RETURN(
      Crl pck_crl, IssueCrl({o.issue_date, next, o.revoked_pck_serials, 1}, pck_ca_, pck_ca_key_));
  c.root_ca_crl = root_crl.der();
  c.pck_crl = pck_crl.der();
  c.pck_crl_issuer_chain = pck_ca_.ToPem() + root_.ToPem();
  c.tcb_info_issuer_chain = tcb_signing_.ToPem() + root_.ToPem();
  c.qe_identity_issuer_chain = c.tcb_info_issuer_chain;
  c.pck_cert_chain = PckChainPem();

  std::vector<SimulatedTcbLevel> levels = o.tcb_levels;
  if (levels.empty()) {
    levels.push_back({o.platform.tcb_components, o.platform.pce_svn, TcbStatus::kUpToDate, {}});
  }
  Json tcb_levels = Json::array();
  for (const SimulatedTcbLevel& l : levels) {
    Json tcb = {{"sgxtcbcomponents", internal::TcbComponentsJson(l.sgx_components)},
                {"pcesvn", l.pce_svn}};
    tcb_levels.push_back(
        internal::TcbLevelJson(std::move(tcb), o.issue_date - 86400, l.status, l.advisory_ids));
  }
  Json tcb_info = {{"id", "SGX"},
                   {"version", 3},
                   {"issueDate", FormatRfc3339(o.issue_date)},
                   {"nextUpdate", FormatRfc3339(next)},
                   {"fmspc", HexEncodeUpper(o.platform.fmspc)},
                   {"pceId", HexEncodeUpper(o.platform.pce_id)},
                   {"tcbType", 0},
                   {"tcbEvaluationDataNumber", o.tcb_evaluation_data_number},
                   {"tcbLevels", tcb_levels}};
  VOUCH_ASSIGN_OR_RETURN(c.tcb_info, internal::SignJson(tcb_info, tcb_key_));
  VOUCH_ASSIGN_OR_RETURN(
      c.qe_identity,
      internal::SignJson(internal::QeIdentityJson("QE", 1, o, o.qe_levels), tcb_key_));
  return c;
}

// A real QE generates its attestation key once and has its QE report, whose report data binds
// that key, signed with the PCK key once; every quote until the QE restarts carries both. One
// Key per QE report that options would give without the key (QuoteOptions' auth data and
// ISVPRODID, the platform's CPUSVN, the QE's MRSIGNER and ISVSVN): what a QE whose TCB or
// identity changed would generate again.
struct SimulatedPki::QuotingEnclave {
  struct Key {
    EcdsaP256PrivateKey attestation_key;
    Bytes auth_data;
    Bytes qe_report;  // ReportBody, report data SHA-256(attestation key x ‖ y ‖ auth data)
    Bytes qe_report_signature;  // by the PCK key, raw r ‖ s
  };

  StatusOr<std::shared_ptr<const Key>> KeyFor(const SimulatedPkiOptions& pki,
                                              const QuoteOptions& options,
                                              const EcdsaP256PrivateKey& pck_key) {
    Bytes auth = options.qe_auth_data;
    if (auth == Bytes(32, 0)) {
      for (size_t i = 0; i < auth.size(); ++i) auth[i] = static_cast<uint8_t>(i);
    }
    ReportBody qe;
    qe.cpu_svn = pki.platform.cpu_svn;
    qe.attributes[0] = 0x11;  // INIT | PROVISIONKEY, not DEBUG
    qe.attributes[8] = 0xe7;
    qe.mr_signer = pki.qe_mr_signer;
    qe.mr_enclave = Sha256(AsBytes("vouch simulated quoting enclave"));
    qe.isv_prod_id = options.qe_isv_prod_id;
    qe.isv_svn = pki.qe_isv_svn;
    // The QE report without its report data, then the auth data: the Key's name.
    Bytes name = EncodeReportBody(qe);
    name.insert(name.end(), auth.begin(), auth.end());
    MutexLock lock(&mu);
    if (auto it = keys.find(name); it != keys.end()) return it->second;

    VOUCH_ASSIGN_OR_RETURN(EcdsaP256PrivateKey attestation_key, EcdsaP256PrivateKey::Generate());
    Sha256Hasher h;
    h.Update(ByteSpan(attestation_key.public_key().point()).subspan(1));
    h.Update(auth);
    const Sha256Digest binding = h.Finish();
    std::copy(binding.begin(), binding.end(), qe.report_data.begin());
    Bytes report = EncodeReportBody(qe);
    VOUCH_ASSIGN_OR_RETURN(Bytes signature, pck_key.SignRaw(report));
    auto key = std::make_shared<const Key>(
        Key{std::move(attestation_key), std::move(auth), std::move(report), std::move(signature)});
    return keys.emplace(std::move(name), std::move(key)).first->second;
  }

  Mutex mu;
  std::map<Bytes, std::shared_ptr<const Key>> keys VOUCH_GUARDED_BY(mu);
};

SimulatedPki::SimulatedPki(SimulatedPkiOptions options, EcdsaP256PrivateKey root_key,
                           Certificate root, EcdsaP256PrivateKey pck_ca_key, Certificate pck_ca,
                           EcdsaP256PrivateKey pck_key, Certificate pck,
                           EcdsaP256PrivateKey tcb_key, Certificate tcb_signing)
    : options_(std::move(options)),
      root_key_(std::move(root_key)),
      root_(std::move(root)),
      pck_ca_key_(std::move(pck_ca_key)),
      pck_ca_(std::move(pck_ca)),
      pck_key_(std::move(pck_key)),
      pck_(std::move(pck)),
      tcb_key_(std::move(tcb_key)),
      tcb_signing_(std::move(tcb_signing)),
      qe_(std::make_shared<QuotingEnclave>()) {}

StatusOr<Bytes> SimulatedPki::MakeQuote(const ReportBody& enclave,
                                        const QuoteOptions& options) const {
  if (options.version != 3 && options.version != 4) {
    return InvalidArgumentError("simulated SGX quotes are version 3 or 4");
  }
  ByteWriter quote;
  quote.WriteU16Le(static_cast<uint16_t>(options.version));
  quote.WriteU16Le(kAttestationKeyTypeEcdsaP256);
  quote.WriteU32Le(kTeeTypeSgx);
  quote.WriteU16Le(options_.qe_isv_svn);
  quote.WriteU16Le(options_.platform.pce_svn);
  quote.WriteBytes(kIntelQeVendorId);
  quote.WriteZeros(20);  // user data
  quote.WriteBytes(EncodeReportBody(enclave));
  return SignQuote(std::move(quote).Finish(), options);
}

StatusOr<Bytes> SimulatedPki::SignQuote(Bytes quote, const QuoteOptions& options) const {
  if (options.version < 3 || options.version > 5) {
    return InvalidArgumentError("simulated quotes are version 3, 4 or 5");
  }
  VOUCH_ASSIGN_OR_RETURN(std::shared_ptr<const QuotingEnclave::Key> qe_key,
                         qe_->KeyFor(options_, options, pck_key_));
  const EcdsaP256PrivateKey& attestation_key = qe_key->attestation_key;
  const Bytes& qe_bytes = qe_key->qe_report;
  const Bytes& qe_sig = qe_key->qe_report_signature;
  const Bytes& auth = qe_key->auth_data;

  ByteWriter cert_data;
  if (options.certification_type == CertificationDataType::kPckCertChain) {
    cert_data.WriteBytes(AsBytes(PckChainPem()));
    cert_data.WriteU8(0);  // real QEs NUL-terminate the PEM
  } else if (options.certification_type == CertificationDataType::kPpidCleartext) {
    cert_data.WriteBytes(options_.platform.ppid);
    cert_data.WriteBytes(options_.platform.cpu_svn);
    cert_data.WriteU16Le(options_.platform.pce_svn);
    cert_data.WriteBytes(options_.platform.pce_id);
  } else {
    return InvalidArgumentError("simulated quotes carry certification data type 1 or 5");
  }

  // QE report ‖ signature ‖ auth data ‖ certification data: type 6's content in v4, the tail of
  // the signature data in v3.
  ByteWriter qe_block;
  qe_block.WriteBytes(qe_bytes);
  qe_block.WriteBytes(qe_sig);
  qe_block.WriteU16Le(static_cast<uint16_t>(auth.size()));
  qe_block.WriteBytes(auth);
  qe_block.WriteU16Le(static_cast<uint16_t>(options.certification_type));
  qe_block.WriteU32Le(static_cast<uint32_t>(cert_data.size()));
  qe_block.WriteBytes(cert_data.view());

  VOUCH_ASSIGN_OR_RETURN(Bytes isv_sig, attestation_key.SignRaw(quote));

  ByteWriter sig_data;
  sig_data.WriteBytes(isv_sig);
  sig_data.WriteBytes(ByteSpan(attestation_key.public_key().point()).subspan(1));
  if (options.version >= 4) {
    sig_data.WriteU16Le(static_cast<uint16_t>(CertificationDataType::kQeReportCertificationData));
    sig_data.WriteU32Le(static_cast<uint32_t>(qe_block.size()));
  }
  sig_data.WriteBytes(qe_block.view());
  ByteWriter out(std::move(quote));
  out.WriteU32Le(static_cast<uint32_t>(sig_data.size()));
  out.WriteBytes(sig_data.view());
  return std::move(out).Finish();
}

}  // namespace vouch::sgx

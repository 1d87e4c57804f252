#include "vouch/sgx/verifier.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "sgx/intel_root_ca.h"
#include "sgx/tcb_levels.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"
#include "vouch/base/mutex.h"
#include "vouch/crypto/ecdsa_p256.h"
#include "vouch/crypto/sha.h"
#include "vouch/sgx/reasons.h"
#include "vouch/sgx/simulated_pki.h"

namespace vouch::sgx {
namespace {

// ---- Reason codes (vouch/sgx/reasons.h, docs/error-codes.md) ----
using reasons::kCertificateRevoked;
using reasons::kCollateralExpired;
using reasons::kCollateralMalformed;
using reasons::kCollateralNotYetValid;
using reasons::kCrlIssuerMismatch;
using reasons::kFmspcMismatch;
using reasons::kPceIdMismatch;
using reasons::kPckChainInvalid;
using reasons::kPckChainMalformed;
using reasons::kPckChainSignatureInvalid;
using reasons::kPckCrlInvalid;
using reasons::kPckExtensionMalformed;
using reasons::kQeIdentityChainInvalid;
using reasons::kQeIdentityMismatch;
using reasons::kQeIdentitySignatureInvalid;
using reasons::kQeIdentityUnsupported;
using reasons::kQeIdentityWrongTee;
using reasons::kQeReportDataMismatch;
using reasons::kQeReportSignatureInvalid;
using reasons::kQeTcbLevelNotFound;
using reasons::kQuoteSignatureInvalid;
using reasons::kRootCaCrlInvalid;
using reasons::kTcbInfoChainInvalid;
using reasons::kTcbInfoSignatureInvalid;
using reasons::kTcbInfoUnsupported;
using reasons::kTcbInfoWrongTee;
using reasons::kTcbLevelNotFound;
using reasons::kTcbRevoked;
using reasons::kUntrustedRoot;

// The TEE a quote is for; it decides which collateral fits (steps 13 and 16).
enum class Tee { kSgx, kTdx };

constexpr char kCnRoot[] = "Intel SGX Root CA";
constexpr char kCnPckLeaf[] = "Intel SGX PCK Certificate";
constexpr char kCnPckProcessorCa[] = "Intel SGX PCK Processor CA";
constexpr char kCnPckPlatformCa[] = "Intel SGX PCK Platform CA";
constexpr char kCnTcbSigning[] = "Intel SGX TCB Signing";

// Step 4 and 11 failures. A root of Vouch's simulated PKI is named as such, so that nobody
// reads "Intel SGX Root CA ... is not a trusted root" as a statement about Intel's root.
Status UntrustedRoot(const std::string& what, const Certificate& root) {
  if (IsVouchSimulationRoot(root)) {
    return RejectedError(kUntrustedRoot,
                         what + " what looks like a Vouch simulation root (\"" +
                             root.SubjectCommonName() + "\", O=" + root.SubjectOrganization() +
                             "), which is not trusted here: this is simulated evidence, which only "
                             "a simulation root accepts (mode SIMULATION, summary INSECURE)");
  }
  return RejectedError(kUntrustedRoot,
                       what + " \"" + root.SubjectCommonName() + "\", which is not a trusted root");
}

// The part of the validity window and of the latest issue date that one piece contributes.
struct Window {
  UnixSeconds from = INT64_MIN;
  UnixSeconds until = INT64_MAX;
  UnixSeconds latest_issue = INT64_MIN;

  void AddCertificate(const Certificate& c) {
    from = std::max(from, c.not_before());
    until = std::min(until, c.not_after());
    latest_issue = std::max(latest_issue, c.not_before());
  }
  void AddCrl(const Crl& c) {
    from = std::max(from, c.this_update());
    until = std::min(until, c.next_update());
    latest_issue = std::max(latest_issue, c.this_update());
  }
  void AddDocument(UnixSeconds issue, UnixSeconds next) {
    from = std::max(from, issue);
    until = std::min(until, next);
    latest_issue = std::max(latest_issue, issue);
  }
  void AddTcbDate(UnixSeconds d) { latest_issue = std::max(latest_issue, d); }
  void Merge(const Window& o) {
    from = std::max(from, o.from);
    until = std::min(until, o.until);
    latest_issue = std::max(latest_issue, o.latest_issue);
  }
};

// Collateral after every check that does not depend on the quote (spec steps 7 (signature),
// 11–16). Immutable once built; shared by the cache.
struct VerifiedCollateral {
  Crl root_ca_crl;
  Crl pck_crl;
  TcbInfo tcb_info;
  QeIdentity qe_identity;
  size_t root_index;  // which trusted root the collateral chains to
  Window window;
};

// The PCK chain after steps 4–8 and 10 for one (chain, root CRL, PCK CRL) combination.
struct VerifiedPckChain {
  Certificate leaf;
  EcdsaP256PublicKey leaf_key;
  PckExtension extension;
  std::string pck_ca;
  size_t root_index;
  Window window;
};

struct DigestHash {
  size_t operator()(const Sha256Digest& d) const {
    size_t h;
    std::memcpy(&h, d.data(), sizeof(h));
    return h;
  }
};

// A bounded map from digests to immutable values; evicts the oldest insertion when full.
template <typename V>
class DigestCache {
 public:
  explicit DigestCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const V> Find(const Sha256Digest& key) const {
    ReaderMutexLock lock(&mu_);
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : it->second;
  }
  void Insert(const Sha256Digest& key, std::shared_ptr<const V> value) {
    WriterMutexLock lock(&mu_);
    if (map_.count(key)) return;
    while (map_.size() >= capacity_ && !order_.empty()) {
      map_.erase(order_.front());
      order_.pop_front();
    }
    map_.emplace(key, std::move(value));
    order_.push_back(key);
  }

 private:
  mutable SharedMutex mu_;
  size_t capacity_;
  std::unordered_map<Sha256Digest, std::shared_ptr<const V>, DigestHash> map_ VOUCH_GUARDED_BY(mu_);
  std::deque<Sha256Digest> order_ VOUCH_GUARDED_BY(mu_);
};

void HashWithLength(Sha256Hasher& h, ByteSpan data) {
  std::array<uint8_t, 8> len;
  StoreU64Le(len.data(), uint64_t{data.size()});
  h.Update(len);
  h.Update(data);
}

Sha256Digest CollateralKey(const Collateral& c) {
  Sha256Hasher h;
  for (ByteSpan part :
       {ByteSpan(c.root_ca_crl), ByteSpan(c.pck_crl), AsBytes(c.pck_crl_issuer_chain),
        ByteSpan(c.tcb_info.body), ByteSpan(c.tcb_info.signature), AsBytes(c.tcb_info_issuer_chain),
        ByteSpan(c.qe_identity.body), ByteSpan(c.qe_identity.signature),
        AsBytes(c.qe_identity_issuer_chain)}) {
    HashWithLength(h, part);
  }
  return h.Finish();
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

std::string_view TrustRootKindName(TrustRootKind kind) {
  return kind == TrustRootKind::kProduction ? "production" : "simulation";
}

const Certificate& IntelSgxRootCa() {
  static const Certificate* root = [] {
    auto cert = Certificate::FromDer(ByteSpan(internal::kIntelSgxRootCaDer));
    if (!cert.ok()) std::abort();  // the embedded bytes are a build-time constant
    return new Certificate(*cert);
  }();
  return *root;
}

class DcapVerifier::Impl {
 public:
  Impl(std::vector<TrustRoot> roots, DcapVerifierOptions options)
      : roots_(std::move(roots)),
        options_(options),
        collateral_cache_(options.max_cache_entries),
        pck_cache_(options.max_cache_entries),
        qe_report_cache_(options.max_cache_entries) {}

  StatusOr<TdVerificationResult> VerifyTd(ByteSpan quote_bytes, const Collateral& collateral,
                                          const VerifyOptions& options) const;
  StatusOr<VerificationResult> Verify(ByteSpan quote_bytes, const Collateral& collateral,
                                      const VerifyOptions& options) const;
  CacheStats stats() const {
    MutexLock lock(&stats_mu_);
    return stats_;
  }

 private:
  StatusOr<std::shared_ptr<const VerifiedCollateral>> GetCollateral(const Collateral& c,
                                                                    UnixSeconds at) const;
  StatusOr<VerifiedCollateral> VerifyCollateral(const Collateral& c) const;
  StatusOr<std::shared_ptr<const VerifiedPckChain>> GetPckChain(const DcapQuote& quote,
                                                                const Collateral& c,
                                                                const VerifiedCollateral& vc,
                                                                UnixSeconds at) const;
  StatusOr<VerifiedPckChain> VerifyPckChain(std::string_view chain_pem,
                                            const VerifiedCollateral& vc) const;
  Status VerifyQeReport(const DcapQuote& quote, const VerifiedPckChain& chain,
                        const Sha256Digest& chain_key) const;
  struct Common;
  // Steps 2–24 for either TEE; fills `out` with what they establish.
  StatusOr<Common> VerifyCommon(const DcapQuote& quote, Tee tee, const Collateral& collateral,
                                const VerifyOptions& options, DcapResult* out) const;
  // Index of the trusted root whose DER equals `cert`, or npos.
  size_t FindRoot(const Certificate& cert) const {
    for (size_t i = 0; i < roots_.size(); ++i) {
      if (roots_[i].certificate == cert) return i;
    }
    return std::string::npos;
  }
  Status VerifySigningChain(std::string_view pem, const Crl& root_crl, size_t root_index,
                            const char* reason, const std::string& what,
                            std::vector<Certificate>* chain) const;
  void Count(uint64_t CacheStats::*field) const {
    MutexLock lock(&stats_mu_);
    ++(stats_.*field);
  }

  std::vector<TrustRoot> roots_;
  DcapVerifierOptions options_;
  mutable DigestCache<VerifiedCollateral> collateral_cache_;
  mutable DigestCache<VerifiedPckChain> pck_cache_;
  mutable DigestCache<bool> qe_report_cache_;
  mutable Mutex stats_mu_;
  mutable CacheStats stats_ VOUCH_GUARDED_BY(stats_mu_);
};

// Steps 11–12 and 15: a two-certificate signing chain (TCB Signing ‖ root).
Status DcapVerifier::Impl::VerifySigningChain(std::string_view pem, const Crl& root_crl,
                                              size_t root_index, const char* reason,
                                              const std::string& what,
                                              std::vector<Certificate>* chain) const {
  auto parsed = Certificate::ParsePemChain(pem);
  if (!parsed.ok()) {
    return MalformedError(kCollateralMalformed,
                          what + " issuer chain: " + parsed.status().message());
  }
  if (parsed->size() != 2) {
    return RejectedError(reason, what +
                                     " issuer chain must hold exactly 2 certificates (TCB "
                                     "Signing, root), has " +
                                     std::to_string(parsed->size()));
  }
  const Certificate& signer = (*parsed)[0];
  const Certificate& root = (*parsed)[1];
  if (FindRoot(root) != root_index) {
    return RejectedError(reason, what +
                                     " issuer chain does not end at the trusted root that "
                                     "signed the root CA CRL");
  }
  if (signer.SubjectCommonName() != kCnTcbSigning) {
    return RejectedError(reason, what + " signer is \"" + signer.SubjectCommonName() +
                                     "\", expected \"" + kCnTcbSigning + "\"");
  }
  if (signer.IssuerNameDer() != root.SubjectNameDer() || !signer.VerifySignedBy(root).ok()) {
    return RejectedError(reason, what + " signing certificate is not signed by the root");
  }
  if (root_crl.IsRevoked(signer)) {
    return RejectedError(kCertificateRevoked,
                         what + " signing certificate is revoked by the root CA CRL");
  }
  *chain = std::move(*parsed);
  return OkStatus();
}

StatusOr<VerifiedCollateral> DcapVerifier::Impl::VerifyCollateral(const Collateral& c) const {
  auto root_crl = Crl::FromDer(c.root_ca_crl);
  if (!root_crl.ok()) {
    return MalformedError(kCollateralMalformed, "root CA CRL: " + root_crl.status().message());
  }
  auto pck_crl = Crl::FromDer(c.pck_crl);
  if (!pck_crl.ok()) {
    return MalformedError(kCollateralMalformed, "PCK CRL: " + pck_crl.status().message());
  }
  if (auto chain = Certificate::ParsePemChain(c.pck_crl_issuer_chain); !chain.ok()) {
    return MalformedError(kCollateralMalformed,
                          "PCK CRL issuer chain: " + chain.status().message());
  }
  auto tcb_info = TcbInfo::Parse(c.tcb_info.body);
  if (!tcb_info.ok()) return tcb_info.status();
  auto qe_identity = QeIdentity::Parse(c.qe_identity.body);
  if (!qe_identity.ok()) return qe_identity.status();

  // The collateral's root is the last certificate of the TCB Info issuer chain; it must be one
  // of ours, byte for byte (spec step 11).
  auto tcb_pem = Certificate::ParsePemChain(c.tcb_info_issuer_chain);
  if (!tcb_pem.ok()) {
    return MalformedError(kCollateralMalformed,
                          "TCB Info issuer chain: " + tcb_pem.status().message());
  }
  const size_t root_index = FindRoot(tcb_pem->back());
  if (root_index == std::string::npos) {
    return UntrustedRoot("the collateral chains to", tcb_pem->back());
  }
  // Step 7 (collateral part): the root CA CRL is issued and signed by that root.
  const Certificate& root = roots_[root_index].certificate;
  if (root_crl->IssuerNameDer() != root.SubjectNameDer() || !root_crl->VerifySignedBy(root).ok()) {
    return RejectedError(kRootCaCrlInvalid,
                         "the root CA CRL is not issued and signed by the trusted root");
  }

  std::vector<Certificate> tcb_chain;
  VOUCH_RETURN_IF_ERROR(VerifySigningChain(c.tcb_info_issuer_chain, *root_crl, root_index,
                                           kTcbInfoChainInvalid, "TCB Info", &tcb_chain));
  auto tcb_key = tcb_chain[0].EcPublicKey();
  if (!tcb_key.ok() || !tcb_key->VerifyRaw(c.tcb_info.body, c.tcb_info.signature).ok()) {
    return RejectedError(kTcbInfoSignatureInvalid,
                         "the TCB Info signature does not verify over its exact bytes");
  }
  // Step 13, the part that does not depend on the quote's TEE (CheckTee has the rest).
  if (!(tcb_info->version() == 2 ||
        (tcb_info->version() == 3 && (tcb_info->id() == "SGX" || tcb_info->id() == "TDX")))) {
    return RejectedError(kTcbInfoUnsupported, "TCB Info version " +
                                                  std::to_string(tcb_info->version()) + " id \"" +
                                                  tcb_info->id() + "\" is neither SGX nor TDX");
  }
  if (tcb_info->tcb_type() != 0) {
    return RejectedError(
        kTcbInfoUnsupported,
        "TCB Info tcbType " + std::to_string(tcb_info->tcb_type()) + " is not supported (0)");
  }

  std::vector<Certificate> qe_chain;
  if (c.qe_identity_issuer_chain == c.tcb_info_issuer_chain) {
    qe_chain = tcb_chain;  // same bytes: the same checks would pass again
  } else {
    VOUCH_RETURN_IF_ERROR(VerifySigningChain(c.qe_identity_issuer_chain, *root_crl, root_index,
                                             kQeIdentityChainInvalid, "QE Identity", &qe_chain));
  }
  auto qe_key = qe_chain[0].EcPublicKey();
  if (!qe_key.ok() || !qe_key->VerifyRaw(c.qe_identity.body, c.qe_identity.signature).ok()) {
    return RejectedError(kQeIdentitySignatureInvalid,
                         "the QE Identity signature does not verify over its exact bytes");
  }
  // Step 16, the part that does not depend on the quote's TEE (CheckTee has the rest).
  if ((qe_identity->id() != "QE" && qe_identity->id() != "TD_QE") || qe_identity->version() != 2) {
    return RejectedError(kQeIdentityUnsupported, "QE Identity id \"" + qe_identity->id() +
                                                     "\" version " +
                                                     std::to_string(qe_identity->version()) +
                                                     " is neither an SGX QE nor a TDX TD_QE v2");
  }

  Window window;
  for (const Certificate& cert : tcb_chain) window.AddCertificate(cert);
  for (const Certificate& cert : qe_chain) window.AddCertificate(cert);
  window.AddCrl(*root_crl);
  window.AddCrl(*pck_crl);
  window.AddDocument(tcb_info->issue_date(), tcb_info->next_update());
  window.AddDocument(qe_identity->issue_date(), qe_identity->next_update());
  for (const TcbLevel& l : tcb_info->levels()) window.AddTcbDate(l.tcb_date);
  for (const QeTcbLevel& l : qe_identity->levels()) window.AddTcbDate(l.tcb_date);

  return VerifiedCollateral{std::move(*root_crl),    std::move(*pck_crl), std::move(*tcb_info),
                            std::move(*qe_identity), root_index,          window};
}

StatusOr<std::shared_ptr<const VerifiedCollateral>> DcapVerifier::Impl::GetCollateral(
    const Collateral& c, UnixSeconds at) const {
  Sha256Digest key{};
  if (options_.enable_cache) {
    key = CollateralKey(c);
    if (auto hit = collateral_cache_.Find(key); hit && at < hit->window.until) {
      Count(&CacheStats::collateral_hits);
      return hit;
    }
    Count(&CacheStats::collateral_misses);
  }
  VOUCH_ASSIGN_OR_RETURN(VerifiedCollateral verified, VerifyCollateral(c));
  auto shared = std::make_shared<const VerifiedCollateral>(std::move(verified));
  if (options_.enable_cache) collateral_cache_.Insert(key, shared);
  return shared;
}

// Steps 4–8 and 10.
StatusOr<VerifiedPckChain> DcapVerifier::Impl::VerifyPckChain(std::string_view chain_pem,
                                                              const VerifiedCollateral& vc) const {
  auto chain = Certificate::ParsePemChain(chain_pem);
  if (!chain.ok()) {
    return MalformedError(kPckChainMalformed, "PCK certificate chain: " + chain.status().message());
  }
  if (chain->size() != 3) {
    return MalformedError(kPckChainMalformed,
                          "the PCK certificate chain must hold exactly 3 certificates (leaf, PCK "
                          "CA, root), has " +
                              std::to_string(chain->size()));
  }
  const Certificate& leaf = (*chain)[0];
  const Certificate& ca = (*chain)[1];
  const Certificate& root = (*chain)[2];
  // Step 4: the chain's root is one of ours, byte for byte.
  size_t root_index = FindRoot(root);
  if (root_index == std::string::npos) {
    return UntrustedRoot("the PCK certificate chain ends at", root);
  }
  if (root_index != vc.root_index) {
    return RejectedError(kUntrustedRoot,
                         "the PCK certificate chain and the collateral chain to different roots");
  }
  // Step 5.
  const std::string ca_cn = ca.SubjectCommonName();
  if (leaf.SubjectCommonName() != kCnPckLeaf ||
      (ca_cn != kCnPckProcessorCa && ca_cn != kCnPckPlatformCa) ||
      root.SubjectCommonName() != kCnRoot) {
    return RejectedError(kPckChainInvalid, "unexpected PCK chain subjects: \"" +
                                               leaf.SubjectCommonName() + "\" / \"" + ca_cn +
                                               "\" / \"" + root.SubjectCommonName() + "\"");
  }
  // Step 6.
  if (leaf.IssuerNameDer() != ca.SubjectNameDer() || ca.IssuerNameDer() != root.SubjectNameDer()) {
    return RejectedError(kPckChainInvalid, "PCK chain issuer names do not link up");
  }
  if (!ca.VerifySignedBy(root).ok()) {
    return RejectedError(kPckChainSignatureInvalid,
                         "the PCK CA certificate is not signed by the root");
  }
  if (!leaf.VerifySignedBy(ca).ok()) {
    return RejectedError(kPckChainSignatureInvalid,
                         "the PCK certificate is not signed by \"" + ca_cn + "\"");
  }
  // Step 7 (chain part).
  if (vc.root_ca_crl.IsRevoked(ca)) {
    return RejectedError(kCertificateRevoked, "\"" + ca_cn + "\" is revoked by the root CA CRL");
  }
  // Step 8.
  if (vc.pck_crl.IssuerNameDer() != leaf.IssuerNameDer() ||
      !Contains(vc.pck_crl.IssuerCommonName(), "CA")) {
    return RejectedError(kCrlIssuerMismatch, "the PCK CRL is issued by \"" +
                                                 vc.pck_crl.IssuerCommonName() +
                                                 "\" but the PCK certificate by \"" + ca_cn + "\"");
  }
  if (!vc.pck_crl.VerifySignedBy(ca).ok()) {
    return RejectedError(kPckCrlInvalid, "the PCK CRL is not signed by \"" + ca_cn + "\"");
  }
  if (vc.pck_crl.IsRevoked(leaf)) {
    return RejectedError(kCertificateRevoked, "the PCK certificate (serial " +
                                                  HexEncode(leaf.SerialNumber()) +
                                                  ") is revoked by the PCK CRL");
  }
  // Step 10.
  auto ext_der = leaf.ExtensionValue(kSgxExtensionOid);
  if (!ext_der.ok()) {
    return MalformedError(
        kPckExtensionMalformed,
        "the PCK certificate has no usable SGX extension: " + ext_der.status().message());
  }
  VOUCH_ASSIGN_OR_RETURN(PckExtension ext, PckExtension::Parse(*ext_der));
  auto leaf_key = leaf.EcPublicKey();
  if (!leaf_key.ok()) {
    return MalformedError(kPckChainMalformed,
                          "PCK certificate key: " + leaf_key.status().message());
  }
  Window window;
  for (const Certificate& cert : *chain) window.AddCertificate(cert);
  return VerifiedPckChain{leaf,       std::move(*leaf_key),
                          ext,        ca_cn == kCnPckProcessorCa ? "Processor" : "Platform",
                          root_index, window};
}

StatusOr<std::shared_ptr<const VerifiedPckChain>> DcapVerifier::Impl::GetPckChain(
    const DcapQuote& quote, const Collateral& c, const VerifiedCollateral& vc,
    UnixSeconds at) const {
  std::string_view pem;
  if (quote.certification_data_type() == CertificationDataType::kPckCertChain) {
    pem = AsStringView(quote.certification_data());
  } else if (c.pck_cert_chain) {
    pem = *c.pck_cert_chain;
  } else {
    return MalformedError(
        kCollateralMalformed,
        "the quote carries certification data type " +
            std::to_string(static_cast<int>(quote.certification_data_type())) +
            " without a PCK chain; the collateral must supply pck_cert_chain.pem");
  }
  Sha256Digest key{};
  if (options_.enable_cache) {
    // The outcome of steps 4–8 depends on the chain and both CRLs (roots are fixed).
    Sha256Hasher h;
    HashWithLength(h, AsBytes(pem));
    HashWithLength(h, vc.root_ca_crl.der());
    HashWithLength(h, vc.pck_crl.der());
    key = h.Finish();
    if (auto hit = pck_cache_.Find(key); hit && at < hit->window.until) {
      Count(&CacheStats::pck_chain_hits);
      return hit;
    }
    Count(&CacheStats::pck_chain_misses);
  }
  VOUCH_ASSIGN_OR_RETURN(VerifiedPckChain verified, VerifyPckChain(pem, vc));
  auto shared = std::make_shared<const VerifiedPckChain>(std::move(verified));
  if (options_.enable_cache) pck_cache_.Insert(key, shared);
  return shared;
}

// Step 17.
Status DcapVerifier::Impl::VerifyQeReport(const DcapQuote& quote, const VerifiedPckChain& chain,
                                          const Sha256Digest& chain_key) const {
  Sha256Digest key{};
  if (options_.enable_cache) {
    Sha256Hasher h;
    h.Update(quote.qe_report_bytes());
    h.Update(quote.qe_report_signature());
    h.Update(chain_key);
    key = h.Finish();
    if (qe_report_cache_.Find(key)) {
      Count(&CacheStats::qe_report_hits);
      return OkStatus();
    }
    Count(&CacheStats::qe_report_misses);
  }
  if (!chain.leaf_key.VerifyRaw(quote.qe_report_bytes(), quote.qe_report_signature()).ok()) {
    return RejectedError(kQeReportSignatureInvalid,
                         "the QE report signature does not verify with the PCK certificate key");
  }
  if (options_.enable_cache) qe_report_cache_.Insert(key, std::make_shared<const bool>(true));
  return OkStatus();
}

namespace {

// Steps 19–22.
Status CheckQeIdentity(const ReportBody& qe, const QeIdentity& id) {
  if (qe.mr_signer != id.mrsigner()) {
    return RejectedError(kQeIdentityMismatch, "QE MRSIGNER " + HexEncode(qe.mr_signer) +
                                                  " does not match QE Identity " +
                                                  HexEncode(id.mrsigner()));
  }
  if (qe.isv_prod_id != id.isv_prod_id()) {
    return RejectedError(kQeIdentityMismatch, "QE ISVPRODID " + std::to_string(qe.isv_prod_id) +
                                                  " does not match QE Identity " +
                                                  std::to_string(id.isv_prod_id()));
  }
  for (size_t i = 0; i < 4; ++i) {
    if ((qe.misc_select[i] & id.miscselect_mask()[i]) != id.miscselect()[i]) {
      return RejectedError(kQeIdentityMismatch, "masked QE MISCSELECT does not match QE Identity");
    }
  }
  for (size_t i = 0; i < 16; ++i) {
    if ((qe.attributes[i] & id.attributes_mask()[i]) != id.attributes()[i]) {
      return RejectedError(kQeIdentityMismatch, "masked QE ATTRIBUTES do not match QE Identity");
    }
  }
  return OkStatus();
}

// Steps 13 and 16 for the quote's TEE: SGX quotes need SGX TCB Info (v2, or v3 id "SGX") and
// QE Identity "QE"; TD quotes need TCB Info v3 id "TDX" and QE Identity "TD_QE" (QVL
// STATUS_TCB_INFO_MISMATCH / STATUS_QE_IDENTITY_MISMATCH).
Status CheckTee(Tee tee, const TcbInfo& tcb_info, const QeIdentity& qe_identity) {
  const bool tdx = tee == Tee::kTdx;
  const bool tdx_tcb_info = tcb_info.version() == 3 && tcb_info.id() == "TDX";
  if (tdx != tdx_tcb_info) {
    return RejectedError(kTcbInfoWrongTee,
                         std::string("the TCB Info is for ") + (tdx_tcb_info ? "TDX" : "SGX") +
                             " but the quote is an " + (tdx ? "Intel TDX TD" : "SGX") +
                             " quote: fetch the TCB Info from /" + (tdx ? "tdx" : "sgx") +
                             "/certification/v4/tcb");
  }
  const char* qe_id = tdx ? "TD_QE" : "QE";
  if (qe_identity.id() != qe_id) {
    return RejectedError(kQeIdentityWrongTee, "the QE Identity is \"" + qe_identity.id() +
                                                  "\" but the quote needs \"" + qe_id +
                                                  "\": fetch it from /" + (tdx ? "tdx" : "sgx") +
                                                  "/certification/v4/qe/identity");
  }
  return OkStatus();
}

std::string Hex2(const std::array<uint8_t, 2>& a) { return HexEncode(a); }

}  // namespace

// What steps 2–24 leave for the TCB level steps.
struct DcapVerifier::Impl::Common {
  std::shared_ptr<const VerifiedCollateral> collateral;
  std::shared_ptr<const VerifiedPckChain> chain;
  const QeTcbLevel* qe_level = nullptr;  // points into `collateral`
};

StatusOr<DcapVerifier::Impl::Common> DcapVerifier::Impl::VerifyCommon(const DcapQuote& quote,
                                                                      Tee tee,
                                                                      const Collateral& collateral,
                                                                      const VerifyOptions& options,
                                                                      DcapResult* out) const {
  Common c;
  // Steps 7 (signature), 11–16.
  VOUCH_ASSIGN_OR_RETURN(c.collateral, GetCollateral(collateral, options.at));
  const VerifiedCollateral& vc = *c.collateral;
  VOUCH_RETURN_IF_ERROR(CheckTee(tee, vc.tcb_info, vc.qe_identity));
  // Steps 4–8, 10.
  VOUCH_ASSIGN_OR_RETURN(c.chain, GetPckChain(quote, collateral, vc, options.at));
  const VerifiedPckChain& chain = *c.chain;
  // Step 14.
  if (vc.tcb_info.fmspc() != chain.extension.fmspc) {
    return RejectedError(kFmspcMismatch, "TCB Info is for FMSPC " + HexEncode(vc.tcb_info.fmspc()) +
                                             " but the PCK certificate has FMSPC " +
                                             HexEncode(chain.extension.fmspc));
  }
  if (vc.tcb_info.pce_id() != chain.extension.pce_id) {
    return RejectedError(kPceIdMismatch, "TCB Info is for PCE-ID " + Hex2(vc.tcb_info.pce_id()) +
                                             " but the PCK certificate has PCE-ID " +
                                             Hex2(chain.extension.pce_id));
  }
  // Step 9 / §6: the validity window of all collateral together.
  Window window = vc.window;
  window.Merge(chain.window);
  bool expired = false;
  if (options.at < window.from) {
    return RejectedError(kCollateralNotYetValid,
                         "collateral is not yet valid at the verification time " +
                             FormatRfc3339(options.at) + " (valid from " +
                             FormatRfc3339(window.from) + ")");
  }
  if (options.at >= window.until) {
    if (!options.allow_expired_collateral) {
      return RejectedError(kCollateralExpired,
                           "collateral expired at " + FormatRfc3339(window.until) +
                               "; the verification time " + FormatRfc3339(options.at) +
                               " is not before it (fetch fresh collateral, or pass "
                               "--allow-expired-collateral)");
    }
    expired = true;
  }
  // Step 17.
  Sha256Digest chain_key = Sha256(chain.leaf.der());
  VOUCH_RETURN_IF_ERROR(VerifyQeReport(quote, chain, chain_key));
  // Step 18: the QE vouches for the attestation key.
  Sha256Hasher h;
  h.Update(quote.attestation_key());
  h.Update(quote.qe_auth_data());
  Sha256Digest binding = h.Finish();
  if (!std::equal(binding.begin(), binding.end(), quote.qe_report().report_data.begin())) {
    return RejectedError(kQeReportDataMismatch,
                         "QE report data is not SHA-256(attestation key || QE auth data)");
  }
  // Steps 19–23.
  VOUCH_RETURN_IF_ERROR(CheckQeIdentity(quote.qe_report(), vc.qe_identity));
  c.qe_level = internal::MatchQeLevel(vc.qe_identity, quote.qe_report().isv_svn);
  if (c.qe_level == nullptr) {
    return RejectedError(kQeTcbLevelNotFound, "no QE Identity TCB level matches QE ISVSVN " +
                                                  std::to_string(quote.qe_report().isv_svn));
  }
  // Step 24.
  auto att_key = EcdsaP256PublicKey::FromPoint(quote.attestation_key());
  if (!att_key.ok()) {
    return RejectedError(
        kQuoteSignatureInvalid,
        "the attestation key is not a valid P-256 point: " + att_key.status().message());
  }
  if (!att_key->VerifyRaw(quote.signed_region(), quote.isv_signature()).ok()) {
    return RejectedError(kQuoteSignatureInvalid,
                         "the quote signature does not verify with the attestation key");
  }

  DcapResult& r = *out;
  r.qe_tcb_status = c.qe_level->status;
  r.qe_isv_svn = quote.qe_report().isv_svn;
  r.qe_advisory_ids = c.qe_level->advisory_ids;
  r.tcb_info_version = vc.tcb_info.version();
  r.tcb_evaluation_data_number = vc.tcb_info.tcb_evaluation_data_number();
  r.qe_identity_tcb_evaluation_data_number = vc.qe_identity.tcb_evaluation_data_number();
  r.collateral_valid_from = window.from;
  r.collateral_valid_until = window.until;
  r.collateral_expired = expired;
  r.latest_issue_date = window.latest_issue;
  r.pck = chain.extension;
  r.pck_ca = chain.pck_ca;
  r.header = quote.header();
  r.certification_data_type = quote.certification_data_type();
  r.root_kind = roots_[chain.root_index].kind;
  return c;
}

StatusOr<VerificationResult> DcapVerifier::Impl::Verify(ByteSpan quote_bytes,
                                                        const Collateral& collateral,
                                                        const VerifyOptions& options) const {
  // Step 1–3.
  VOUCH_ASSIGN_OR_RETURN(Quote quote, Quote::Parse(quote_bytes));
  VerificationResult r;
  VOUCH_ASSIGN_OR_RETURN(Common c, VerifyCommon(quote, Tee::kSgx, collateral, options, &r));
  // Steps 25–27.
  const TcbLevel* level = internal::MatchPlatformLevel(c.collateral->tcb_info, c.chain->extension);
  if (level == nullptr) {
    return RejectedError(kTcbLevelNotFound,
                         "no TCB Info level matches the PCK certificate's TCB (TCB not supported)");
  }
  // Steps 28–29.
  TcbStatus converged = internal::Converge(level->status, c.qe_level->status);
  if (converged == TcbStatus::kRevoked) {
    return RejectedError(kTcbRevoked, std::string("the TCB level is revoked (platform ") +
                                          std::string(TcbStatusName(level->status)) + ", QE " +
                                          std::string(TcbStatusName(c.qe_level->status)) + ")");
  }
  r.tcb_status = converged;
  r.platform_tcb_status = level->status;
  r.platform_tcb_date = level->tcb_date;
  r.advisory_ids = level->advisory_ids;
  r.enclave = quote.report_body();
  return r;
}

StatusOr<TdVerificationResult> DcapVerifier::Impl::VerifyTd(ByteSpan quote_bytes,
                                                            const Collateral& collateral,
                                                            const VerifyOptions& options) const {
  VOUCH_ASSIGN_OR_RETURN(TdQuote quote, TdQuote::Parse(quote_bytes));
  TdVerificationResult r;
  VOUCH_ASSIGN_OR_RETURN(Common c, VerifyCommon(quote, Tee::kTdx, collateral, options, &r));
  const TcbInfo& tcb_info = c.collateral->tcb_info;
  VOUCH_ASSIGN_OR_RETURN(internal::TdxModuleMatch module,
                         internal::CheckTdxModule(tcb_info, quote.td_report()));
  VOUCH_ASSIGN_OR_RETURN(internal::TdxTcbEvaluation e,
                         internal::EvaluateTdxTcb(tcb_info, c.chain->extension, quote.td_report(),
                                                  module, c.qe_level->status));
  r.tcb_status = e.status;
  r.platform_tcb_status = e.tdx_level->status;
  r.platform_tcb_date = e.tdx_level->tcb_date;
  r.advisory_ids = e.tdx_level->advisory_ids;
  r.body_type = quote.body_type();
  r.td = quote.td_report();
  r.sgx_tcb_status = e.sgx_level->status;
  if (module.identity != nullptr) r.tdx_module_identity = module.identity->id;
  r.tdx_module_tcb_status = e.module_status;
  if (e.module_level != nullptr) r.tdx_module_advisory_ids = e.module_level->advisory_ids;
  r.td_relaunch_advised = e.relaunch_advised;
  return r;
}

std::string_view TdIntelQvResultName(const TdVerificationResult& r) {
  if (!r.td_relaunch_advised) return IntelQvResultName(r.tcb_status);
  auto configuration = [](TcbStatus s) {
    return s == TcbStatus::kConfigurationNeeded ||
           s == TcbStatus::kConfigurationAndSwHardeningNeeded ||
           s == TcbStatus::kOutOfDateConfigurationNeeded;
  };
  return configuration(r.sgx_tcb_status) || configuration(r.tcb_status)
             ? "SGX_QL_QV_RESULT_TD_RELAUNCH_ADVISED_CONFIG_NEEDED"
             : "SGX_QL_QV_RESULT_TD_RELAUNCH_ADVISED";
}

StatusOr<std::unique_ptr<DcapVerifier>> DcapVerifier::Create(std::vector<TrustRoot> roots,
                                                             DcapVerifierOptions options) {
  if (roots.empty()) return InvalidArgumentError("at least one trusted root is required");
  for (const TrustRoot& root : roots) {
    if (!root.certificate.IsSelfIssued() ||
        !root.certificate.VerifySignedBy(root.certificate).ok()) {
      return InvalidArgumentError("trusted root \"" + root.certificate.SubjectCommonName() +
                                  "\" is not a self-signed certificate");
    }
    if (!root.certificate.EcPublicKey().ok()) {
      return InvalidArgumentError("trusted root \"" + root.certificate.SubjectCommonName() +
                                  "\" does not have an ECDSA P-256 key");
    }
  }
  if (options.max_cache_entries == 0) options.enable_cache = false;
  return std::unique_ptr<DcapVerifier>(
      new DcapVerifier(std::make_unique<Impl>(std::move(roots), options)));
}

DcapVerifier::DcapVerifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DcapVerifier::~DcapVerifier() = default;

StatusOr<VerificationResult> DcapVerifier::Verify(ByteSpan quote, const Collateral& collateral,
                                                  const VerifyOptions& options) const {
  return impl_->Verify(quote, collateral, options);
}

StatusOr<TdVerificationResult> DcapVerifier::VerifyTd(ByteSpan quote, const Collateral& collateral,
                                                      const VerifyOptions& options) const {
  return impl_->VerifyTd(quote, collateral, options);
}

DcapVerifier::CacheStats DcapVerifier::cache_stats() const { return impl_->stats(); }

}  // namespace vouch::sgx

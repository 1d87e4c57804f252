// An Intel-shaped DCAP PKI under a root that you own: root CA, PCK CA (Processor or Platform),
// PCK certificate carrying the SGX extension, TCB Signing certificate, both CRLs, TCB Info (v3)
// and QE Identity (v2) signed like Intel's, and DCAP v3/v4 quotes built and signed like a real
// Quoting Enclave's. Evidence from it goes through exactly the same verifier code as real
// evidence; trust its root with --sim-root (or, in tests, as a production root).
//
// Used by the simulation platform (platform/sim) and by tests that need evidence real data does
// not cover (revoked certificates, every TCB status, v4 quotes). Thread-compatible.
#ifndef VOUCH_SGX_SIMULATED_PKI_H_
#define VOUCH_SGX_SIMULATED_PKI_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/ecdsa_p256.h"
#include "vouch/crypto/x509.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/pck_extension.h"
#include "vouch/sgx/quote.h"

namespace vouch::sgx {

// Serialises a report body (the inverse of ReportBody::Parse).
Bytes EncodeReportBody(const ReportBody& body);
// DER of the SGX extension value (the inverse of PckExtension::Parse).
Bytes EncodePckExtension(const PckExtension& extension);

struct SimulatedTcbLevel {
  std::array<uint8_t, 16> sgx_components{};
  uint16_t pce_svn = 0;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};

struct SimulatedQeLevel {
  uint16_t isv_svn = 0;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};

struct SimulatedPkiOptions {
  // Certificates are valid [not_before, not_after); TCB Info, QE Identity and CRLs are issued at
  // `issue_date` and valid for `collateral_lifetime`.
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  UnixSeconds issue_date = 0;
  UnixSeconds collateral_lifetime = 30 * 86400;
  std::string organization = "Vouch simulation (not Intel)";
  bool platform_ca = false;  // "Intel SGX PCK Platform CA" instead of "… Processor CA"
  PckExtension platform;     // FMSPC, PCE-ID, TCB components and PCESVN of the simulated CPU
  uint16_t qe_isv_svn = 8;
  std::array<uint8_t, 32> qe_mr_signer{};
  int64_t tcb_evaluation_data_number = 17;
  // Empty: one UpToDate level equal to the platform's TCB / the QE's ISVSVN.
  std::vector<SimulatedTcbLevel> tcb_levels;
  std::vector<SimulatedQeLevel> qe_levels;
  // Serial numbers (big-endian) listed in the PCK CRL and the root CA CRL.
  std::vector<Bytes> revoked_pck_serials;
  std::vector<Bytes> revoked_ca_serials;
};

// Every root a SimulatedPki creates carries this organizational unit (OU) in its subject,
// whatever `SimulatedPkiOptions::organization` says.
inline constexpr char kSimulationRootUnit[] = "Vouch simulation root, never a production root";

// Whether `cert` is a root of Vouch's simulated PKI: its subject's organization (O) begins with
// "Vouch simulation" (the default organization, in every installation `vouch sim init` made,
// including those made before the OU existed) or its OU is kSimulationRootUnit. Such a root
// may be trusted as a simulation root (evidence: mode SIMULATION, summary INSECURE), never as a
// production root (docs/sgx-verify.md, "Trust roots").
bool IsVouchSimulationRoot(const Certificate& cert);

// Sensible defaults for a simulated platform valid from `now` for about a year.
SimulatedPkiOptions DefaultSimulatedPkiOptions(UnixSeconds now);

class SimulatedPki {
 public:
  // Generates fresh keys and certificates.
  static StatusOr<SimulatedPki> Create(const SimulatedPkiOptions& options);

  // Everything a SimulatedPki consists of: what the simulation platform persists
  // (platform/sim, docs/platform.md) and rebuilds with FromParts.
  struct Parts {
    SimulatedPkiOptions options;
    EcdsaP256PrivateKey root_key;
    Certificate root;
    EcdsaP256PrivateKey pck_ca_key;
    Certificate pck_ca;
    EcdsaP256PrivateKey pck_key;
    Certificate pck;
    EcdsaP256PrivateKey tcb_signing_key;
    Certificate tcb_signing;
  };
  // Rebuilds a PKI from persisted parts. Fails (kInvalidArgument) unless each key matches its
  // certificate, the subjects are the Intel-shaped ones, the root is self-signed, the PCK CA and
  // TCB Signing certificates are signed by the root and the PCK certificate by the PCK CA, and
  // the PCK certificate's SGX extension equals `options.platform`.
  static StatusOr<SimulatedPki> FromParts(Parts parts);
  // A copy of the parts (keys are shared, immutable objects).
  Parts ToParts() const;

  const SimulatedPkiOptions& options() const { return options_; }
  const Certificate& root() const { return root_; }
  const Certificate& pck_ca() const { return pck_ca_; }
  const Certificate& pck_certificate() const { return pck_; }
  const Certificate& tcb_signing() const { return tcb_signing_; }
  // leaf ‖ PCK CA ‖ root, PEM.
  std::string PckChainPem() const;

  // Collateral for this platform, freshly signed from the current options.
  StatusOr<Collateral> MakeCollateral() const;

  struct QuoteOptions {
    int version = 3;  // 3 or 4 (MakeQuote); 3, 4 or 5 (SignQuote)
    // Certification data type 5 (chain in the quote) or 1 (PPID; chain in the collateral).
    CertificationDataType certification_type = CertificationDataType::kPckCertChain;
    Bytes qe_auth_data = Bytes(32, 0);  // filled with 00 01 02 … when left at its default
    uint16_t qe_isv_prod_id = 1;        // the QE report's ISVPRODID (Intel's TD QE has 2)
  };
  // A quote over `enclave`, signed by the QE's attestation key, which its QE report (signed
  // with the PCK key) vouches for. As a real QE does, the key is generated once and kept, with
  // its signed QE report, for as long as the QE report would be the same (same auth data,
  // ISVPRODID, CPUSVN, QE MRSIGNER and ISVSVN): quotes of one platform share them, and a
  // verifier's QE-report memo works as it would in production.
  StatusOr<Bytes> MakeQuote(const ReportBody& enclave, const QuoteOptions& options) const;
  StatusOr<Bytes> MakeQuote(const ReportBody& enclave) const { return MakeQuote(enclave, {}); }
  // Completes a quote whose signed region (header [‖ v5 body descriptor] ‖ body) the caller
  // built, e.g. a TD quote in test code: signs it with the QE's attestation key and appends the
  // signature data of a version-`options.version` quote, the QE report wrapped in
  // certification data type 6 for versions 4 and 5.
  StatusOr<Bytes> SignQuote(Bytes signed_region, const QuoteOptions& options) const;

  // Mutable options for tests that re-sign collateral with other levels or revocations.
  SimulatedPkiOptions& mutable_options() { return options_; }

 private:
  SimulatedPki(SimulatedPkiOptions options, EcdsaP256PrivateKey root_key, Certificate root,
               EcdsaP256PrivateKey pck_ca_key, Certificate pck_ca, EcdsaP256PrivateKey pck_key,
               Certificate pck, EcdsaP256PrivateKey tcb_key, Certificate tcb_signing);

  // The quoting enclave's attestation keys and their PCK-signed QE reports (simulated_pki.cc).
  struct QuotingEnclave;

  SimulatedPkiOptions options_;
  EcdsaP256PrivateKey root_key_;
  Certificate root_;
  EcdsaP256PrivateKey pck_ca_key_;
  Certificate pck_ca_;
  EcdsaP256PrivateKey pck_key_;
  Certificate pck_;
  EcdsaP256PrivateKey tcb_key_;
  Certificate tcb_signing_;
  std::shared_ptr<QuotingEnclave> qe_;  // shared by copies, as by processes of one platform
};

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_SIMULATED_PKI_H_

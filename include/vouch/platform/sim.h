// The simulation platform: an installation's simulated SGX machine, kept in a state directory
// (docs/platform.md). It owns an Intel-shaped DCAP PKI under its own "simulation root CA"
// (sgx::SimulatedPki: root, PCK CA, PCK certificate with the SGX extension, TCB Signing, CRLs,
// TCB Info and QE Identity signed like Intel's) and a random 32-byte platform secret that seal
// keys are derived from. Quotes are real-format DCAP v3 quotes, verified by exactly the same
// code as real ones (`vouch sgx verify --sim-root DIR/root_ca.der`: mode SIMULATION, summary
// INSECURE); with only Intel's root they are rejected (untrusted_root).
//
// Simulation gives no isolation: anybody who can read the state directory can produce quotes
// for any identity and derive any seal key of this installation.
//
//   DIR/                 0700
//     platform.json      0644  the simulated CPU: FMSPC, TCB, QE identity, validity
//     root_ca.der        0644  the simulation root (trust it with --sim-root)
//     pck_ca.der, pck.der, tcb_signing.der                  0644
//     root_ca.key, pck_ca.key, pck.key, tcb_signing.key     0600  PKCS#8 DER
//     platform_secret    0600  32 random bytes (seal-key derivation)
//
// SimInstallation is immutable after loading and thread-safe to share.
#ifndef VOUCH_PLATFORM_SIM_H_
#define VOUCH_PLATFORM_SIM_H_

#include <memory>
#include <string>

#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/platform/platform.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/simulated_pki.h"

namespace vouch::platform {

// Certificates of a new installation are valid from a day before `now` for this long.
inline constexpr UnixSeconds kSimCertificateLifetime = 5 * 365 * 86400;
// Collateral is re-signed on demand, issued this long before the time asked for (clock skew).
inline constexpr UnixSeconds kSimCollateralBackdate = 300;

// $VOUCH_SIM_DIR, else $HOME/.local/share/vouch/sim (XDG data home when $XDG_DATA_HOME is set).
std::string DefaultSimDir(const std::function<std::optional<std::string>(std::string_view)>& env);
std::string DefaultSimDir();

class SimInstallation {
 public:
  // Creates a new installation in `dir` at time `now`: fresh keys, certificates and platform
  // secret. kAlreadyExists (reason "sim_exists") when `dir` already holds one and `force` is
  // false; with `force` it is replaced (every earlier quote and sealed blob becomes foreign).
  static StatusOr<SimInstallation> Init(const std::string& dir, UnixSeconds now, bool force);
  // Loads an installation. kFailedPrecondition (reason "sim_not_initialized") when `dir` holds
  // none; kFailedPrecondition (reason "sim_state_insecure") when a private file is readable by
  // group or others; kInvalidArgument (reason "sim_state_malformed") for inconsistent files;
  // kUnavailable / kNotFound for I/O errors.
  static StatusOr<SimInstallation> Open(const std::string& dir);

  SimInstallation(SimInstallation&&) = default;
  SimInstallation& operator=(SimInstallation&&) = default;

  const std::string& dir() const { return dir_; }
  const sgx::SimulatedPki& pki() const { return pki_; }
  UnixSeconds created() const { return created_; }
  // Path of the simulation root certificate (DER).
  std::string RootCertificatePath() const { return dir_ + "/root_ca.der"; }

  // Collateral valid at `at`: TCB Info, QE Identity and CRLs freshly signed with issue date
  // max(at − kSimCollateralBackdate, certificates' notBefore), valid for 30 days.
  // kFailedPrecondition (reason "sim_certificates_expired") when `at` is outside the
  // certificates' validity (re-initialise the installation).
  StatusOr<sgx::Collateral> CollateralAt(UnixSeconds at) const;
  // Writes CollateralAt(`at`) as a collateral directory (docs/collateral.md) plus root_ca.der.
  Status WriteCollateral(const std::string& out_dir, UnixSeconds at) const;

  // HKDF input for seal keys. Never log or persist it elsewhere.
  const SecretBytes& platform_secret() const { return secret_; }

 private:
  SimInstallation(std::string dir, sgx::SimulatedPki pki, SecretBytes secret, UnixSeconds created)
      : dir_(std::move(dir)), pki_(std::move(pki)), secret_(std::move(secret)), created_(created) {}

  std::string dir_;
  sgx::SimulatedPki pki_;
  SecretBytes secret_;
  UnixSeconds created_ = 0;
};

// A simulated enclave with `identity` on `installation`.
std::unique_ptr<Platform> NewSimPlatform(std::shared_ptr<const SimInstallation> installation,
                                         const EnclaveIdentity& identity);

}  // namespace vouch::platform

#endif  // VOUCH_PLATFORM_SIM_H_

// The enclave side of Vouch: what a program running as an enclave asks its platform for — its
// own identity, a report or quote over 64 bytes of report data, and seal keys for a policy —
// behind one interface with three backends (docs/platform.md):
//
//   sim      an installation's simulated SGX platform (platform/sim.h): DCAP v3 quotes under a
//            per-installation simulation root, verified by exactly the real verifier code
//            (mode SIMULATION, summary INSECURE); seal keys from a 32-byte platform secret.
//   mock     Conclave's mock mode (platform/mock.h): evidence is EII JSON, code signer 32 zero
//            bytes, mode MOCK, summary INSECURE; seal keys from a fixed, public secret.
//   gramine  real SGX through Gramine's /dev/attestation files (platform/gramine.h).
//
// A Platform object is thread-compatible; identity() and SealKey() may be called concurrently.
#ifndef VOUCH_PLATFORM_PLATFORM_H_
#define VOUCH_PLATFORM_PLATFORM_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/base/bytes.h"
#include "vouch/base/clock.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch::platform {

using ReportData = std::array<uint8_t, 64>;

// SGX ATTRIBUTES.FLAGS bits used here (Intel SDM Vol. 3D, "ATTRIBUTES").
inline constexpr uint8_t kFlagInit = 0x01;
inline constexpr uint8_t kFlagDebug = 0x02;
inline constexpr uint8_t kFlagMode64Bit = 0x04;

// An enclave's identity, as an SGX report states it (the fields an EnclaveInstanceInfo and a
// seal key are derived from).
struct EnclaveIdentity {
  Sha256Hash mr_enclave{};
  Sha256Hash mr_signer{};
  uint16_t product_id = 0;  // ISVPRODID
  uint16_t isv_svn = 0;     // ISVSVN
  // ATTRIBUTES: flags u64 ‖ xfrm u64, little-endian.
  std::array<uint8_t, 16> attributes{};

  bool debug() const { return (attributes[0] & kFlagDebug) != 0; }

  // The attributes of a 64-bit enclave using only x87/SSE state: INIT | MODE64BIT (| DEBUG),
  // XFRM 0x03.
  static std::array<uint8_t, 16> DefaultAttributes(bool debug);

  // {"mr_enclave":"<64 hex>","mr_signer":"<64 hex>","product_id":N,"isv_svn":N,
  //  "attributes":"<32 hex>","debug":B} (lower-case hex; `debug` is informative).
  std::string ToJson() const;
  // Strict: exactly those keys (no duplicates), hex of the right length, numbers 0..65535,
  // `debug` equal to the attributes' DEBUG bit. kInvalidArgument (reason "identity_malformed").
  static StatusOr<EnclaveIdentity> FromJson(std::string_view json);

  friend bool operator==(const EnclaveIdentity&, const EnclaveIdentity&) = default;
};

enum class SealPolicy : uint8_t {
  kMrEnclave = 1,  // only the same measurement unseals
  kMrSigner = 2,   // the same signer and product, with an ISV SVN at least the blob's
};
std::string_view SealPolicyName(SealPolicy policy);  // "mrenclave" / "mrsigner"
std::optional<SealPolicy> SealPolicyFromName(std::string_view name);

// What EGETKEY's KEYREQUEST carries that a caller chooses.
struct SealKeyRequest {
  SealPolicy policy = SealPolicy::kMrEnclave;
  // The ISV SVN the key is derived for. As with SGX's EGETKEY, an enclave can derive keys for
  // its own SVN and every lower one, never a higher one.
  uint16_t isv_svn = 0;
  // KEYID: mixed into the derivation so that independent sealers get independent keys.
  std::array<uint8_t, 16> key_id{};
};

enum class EvidenceFormat {
  kDcapQuote,  // an Intel DCAP ECDSA quote (v3): `vouch sgx verify`
  kMockEii,    // EII JSON (docs/eii-json.md), trusted by nobody: mock mode only
};

// Where FromEnvironment reads its settings; the default reads the process environment and the
// real clock.
struct EnvironmentOptions {
  std::function<std::optional<std::string>(std::string_view)> getenv;
  // The time mock evidence is stamped with. REQUIRES: non-null; borrowed, must outlive the
  // platform's creation.
  const Clock* clock = nullptr;
};

class Platform {
 public:
  virtual ~Platform() = default;

  // The platform the current process runs on, chosen by the environment (the contract `vouch
  // enclave run` fulfils; docs/platform.md):
  //   VOUCH_PLATFORM           "sim", "mock" or "gramine". Unset: "gramine" when
  //                            /dev/attestation/attestation_type exists, else an error.
  //   VOUCH_SIM_DIR            sim: the installation's state directory (required).
  //   VOUCH_ENCLAVE_IDENTITY   sim (required), mock (optional): EnclaveIdentity JSON.
  //   VOUCH_GRAMINE_ATTESTATION_DIR  gramine: default /dev/attestation.
  // Fails with kFailedPrecondition (reason "platform_unavailable") when no platform is set up,
  // kInvalidArgument for malformed settings, or the backend's own error.
  static StatusOr<std::unique_ptr<Platform>> FromEnvironment(const EnvironmentOptions& options);
  static StatusOr<std::unique_ptr<Platform>> FromEnvironment();

  // "sim", "mock" or "gramine".
  virtual std::string_view name() const = 0;
  // How a verifier will label this platform's evidence.
  virtual EnclaveMode mode() const = 0;
  virtual const EnclaveIdentity& identity() const = 0;
  virtual EvidenceFormat evidence_format() const = 0;

  // The 384-byte SGX report body (sgx_report_body_t) stating identity() and `report_data`.
  virtual StatusOr<Bytes> Report(const ReportData& report_data) = 0;
  // Evidence binding `report_data` to identity(), in evidence_format().
  virtual StatusOr<Bytes> Quote(const ReportData& report_data) = 0;
  // A 32-byte AES-256 key for `request`, bound to this platform and to the identity fields the
  // policy names (docs/sealing.md). kPermissionDenied (reason "seal_svn_too_new") when
  // request.isv_svn is above identity().isv_svn.
  virtual StatusOr<SecretBytes> SealKey(const SealKeyRequest& request) const = 0;
};

// Names of the environment variables above.
inline constexpr char kEnvPlatform[] = "VOUCH_PLATFORM";
inline constexpr char kEnvSimDir[] = "VOUCH_SIM_DIR";
inline constexpr char kEnvIdentity[] = "VOUCH_ENCLAVE_IDENTITY";
inline constexpr char kEnvGramineDir[] = "VOUCH_GRAMINE_ATTESTATION_DIR";

}  // namespace vouch::platform

#endif  // VOUCH_PLATFORM_PLATFORM_H_

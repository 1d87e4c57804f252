// EnclaveInstanceInfo (EII): what an enclave constraint is checked against
// (spec/constraint-dsl.md §9). It is produced by evidence verification (sgx/, platform/) or by
// the mock helper below, and exchanged between commands as EII JSON (docs/eii-json.md):
//
//   {"code_hash":"<64 hex>","code_signer":"<64 hex>","product_id":N,"isv_svn":N,
//    "revocation_level":N,"mode":"RELEASE","security":{"summary":"SECURE","reason":"...",
//    "timestamp":"2025-06-19T10:56:11Z"},"report_data":"<128 hex>"[,"cpu_svn":"<32 hex>"]}
//
// The revocation level is derived, never stored: max(isv_svn - 1, 0) (§7, §0.1 #6).
//
// Thread-compatible value types.
#ifndef VOUCH_CONSTRAINT_ENCLAVE_INSTANCE_INFO_H_
#define VOUCH_CONSTRAINT_ENCLAVE_INSTANCE_INFO_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"

namespace vouch {

// A SHA-256 value such as MRENCLAVE or MRSIGNER.
using Sha256Hash = std::array<uint8_t, 32>;

// Conclave's EnclaveSecurityInfo.Summary, ordered INSECURE < STALE < SECURE.
enum class SecuritySummary : int {
  kInsecure = 0,
  kStale = 1,
  kSecure = 2,
};

// "INSECURE", "STALE" or "SECURE" ("?" for a value outside the enum).
std::string_view SecuritySummaryName(SecuritySummary summary);
// The summary named exactly (case-sensitive, no trimming) `name`, or nullopt.
std::optional<SecuritySummary> SecuritySummaryFromName(std::string_view name);

// Conclave's EnclaveMode.
enum class EnclaveMode : int {
  kRelease = 0,
  kDebug = 1,
  kSimulation = 2,
  kMock = 3,
};

// "RELEASE", "DEBUG", "SIMULATION" or "MOCK" ("?" for a value outside the enum).
std::string_view EnclaveModeName(EnclaveMode mode);
// The mode named exactly (case-sensitive) `name`, or nullopt.
std::optional<EnclaveMode> EnclaveModeFromName(std::string_view name);

// Conclave's EnclaveSecurityInfo.
struct EnclaveSecurityInfo {
  SecuritySummary summary = SecuritySummary::kInsecure;
  // Human-readable explanation of `summary` (§9.2, §9.3).
  std::string reason;
  // §9.4: for DCAP evidence the newest issue date of the collateral, for mock and simulation
  // evidence the time it was created. Not the time of attestation.
  UnixSeconds timestamp = 0;

  friend bool operator==(const EnclaveSecurityInfo&, const EnclaveSecurityInfo&) = default;
};

// Inputs of EnclaveInstanceInfo::Mock, with the defaults of Conclave's mock mode (§9.6).
struct MockEnclaveOptions {
  // Conclave's default is SHA-256 of the enclave class name; the caller computes it.
  Sha256Hash code_hash{};
  Sha256Hash code_signer{};      // 32 zero bytes
  int32_t product_id = 1;        // 0..65535
  int32_t revocation_level = 0;  // 0..65534; the ISV SVN is revocation_level + 1
  bool simulation = false;       // mode SIMULATION instead of MOCK
  UnixSeconds timestamp = 0;     // when the host created the evidence
};

struct EnclaveInstanceInfo {
  Sha256Hash code_hash{};    // MRENCLAVE
  Sha256Hash code_signer{};  // MRSIGNER (Conclave: codeSigningKeyHash)
  uint16_t product_id = 0;   // ISVPRODID
  uint16_t isv_svn = 0;      // ISVSVN, as attested
  EnclaveMode mode = EnclaveMode::kRelease;
  EnclaveSecurityInfo security;
  std::array<uint8_t, 64> report_data{};  // raw (§9.1, §0.1 #7)
  // CPUSVN of the attesting platform (SGX evidence only).
  std::optional<std::array<uint8_t, 16>> cpu_svn;

  // max(isv_svn - 1, 0): ISVSVN 0 and 1 both give 0 (§7).
  int32_t revocation_level() const { return isv_svn == 0 ? 0 : int32_t{isv_svn} - 1; }

  // The EII JSON form: compact when `indent` < 0, else pretty-printed with `indent` spaces.
  // Hex is lower case; the timestamp is RFC 3339 UTC ("...Z"). A `security.reason` that is not
  // valid UTF-8 is written with U+FFFD replacements. REQUIRES: security.timestamp within years
  // 0000..9999 (FromJson rejects anything else).
  std::string ToJson(int indent = -1) const;

  // Reads EII JSON strictly: an object with every field above (cpu_svn optional), of the right
  // type, length and range; hex of either case; `mode` and `security.summary` exact upper case;
  // `security.timestamp` RFC 3339; `revocation_level` equal to max(isv_svn - 1, 0); no
  // duplicate keys. Unknown extra fields are ignored. Every failure is kInvalidArgument (reason
  // "eii_malformed") with a message naming the field.
  static StatusOr<EnclaveInstanceInfo> FromJson(std::string_view json);

  // An EII as Conclave's mock mode reports it (§9.6): mode MOCK (or SIMULATION), summary
  // INSECURE with the reference reason, report data all zero, no CPUSVN. Fails with
  // kInvalidArgument when product_id is outside 0..65535 or revocation_level outside 0..65534.
  static StatusOr<EnclaveInstanceInfo> Mock(const MockEnclaveOptions& options);

  friend bool operator==(const EnclaveInstanceInfo&, const EnclaveInstanceInfo&) = default;
};

}  // namespace vouch

#endif  // VOUCH_CONSTRAINT_ENCLAVE_INSTANCE_INFO_H_

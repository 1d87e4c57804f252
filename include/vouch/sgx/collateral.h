// Intel PCS collateral (spec/sgx-dcap.md §3): TCB Info (v2 and v3), QE Identity (v2), the
// exact signed JSON bytes and their signatures, CRLs and issuer chains; and the collateral
// directory format (docs/collateral.md).
//
// Thread-compatible immutable values.
#ifndef VOUCH_SGX_COLLATERAL_H_
#define VOUCH_SGX_COLLATERAL_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"

namespace vouch::sgx {

// TCB statuses, in dcap-qvl's severity order (spec §5.1).
enum class TcbStatus {
  kUpToDate,
  kSwHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSwHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
};

// "UpToDate", "SWHardeningNeeded", … exactly as Intel spells them.
std::string_view TcbStatusName(TcbStatus status);
StatusOr<TcbStatus> ParseTcbStatus(std::string_view name);
// Intel's sgx_ql_qv_result_t name ("SGX_QL_QV_RESULT_OK", …).
std::string_view IntelQvResultName(TcbStatus status);

struct TcbLevel {
  std::array<uint8_t, 16> sgx_components{};
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> tdx_components{};  // TDX TCB Info only (`tdxtcbcomponents`)
  UnixSeconds tcb_date = 0;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};

// TDX TCB Info: the TDX module's signer and attributes (`tdxModule`, and each entry of
// `tdxModuleIdentities`; attributes are the 8-byte image of SEAMATTRIBUTES).
struct TdxModule {
  std::array<uint8_t, 48> mrsigner{};
  std::array<uint8_t, 8> attributes{};
  std::array<uint8_t, 8> attributes_mask{};
};

// A TCB level keyed by an ISVSVN: QE Identity levels, and TDX module levels (whose status is
// UpToDate, OutOfDate or Revoked).
struct QeTcbLevel {
  uint16_t isv_svn = 0;
  UnixSeconds tcb_date = 0;
  TcbStatus status = TcbStatus::kUpToDate;
  std::vector<std::string> advisory_ids;
};
using TdxModuleTcbLevel = QeTcbLevel;

struct TdxModuleIdentity {
  std::string id;  // "TDX_01": the module major version tee_tcb_svn[1] as two hex digits
  TdxModule module;
  std::vector<TdxModuleTcbLevel> levels;  // sorted descending by ISVSVN, no duplicates
};

class TcbInfo {
 public:
  // Parses the exact signed bytes of the `tcbInfo` object (v2, or v3 with id "SGX" or "TDX").
  // Levels come back sorted as Intel's QVL orders them (descending SGX components, then
  // PCESVN, then for TDX the TDX components). TDX TCB Info must carry `tdxtcbcomponents` in
  // every level and `tdxModule`; `tdxModuleIdentities` is optional. kInvalidArgument with reason
  // "collateral_malformed" on any schema violation.
  static StatusOr<TcbInfo> Parse(ByteSpan json);

  int version() const { return version_; }
  // "SGX" or "TDX" for v3; empty for v2.
  const std::string& id() const { return id_; }
  UnixSeconds issue_date() const { return issue_date_; }
  UnixSeconds next_update() const { return next_update_; }
  const std::array<uint8_t, 6>& fmspc() const { return fmspc_; }
  const std::array<uint8_t, 2>& pce_id() const { return pce_id_; }
  int tcb_type() const { return tcb_type_; }
  int64_t tcb_evaluation_data_number() const { return tcb_evaluation_data_number_; }
  const std::vector<TcbLevel>& levels() const { return levels_; }
  // TDX TCB Info only.
  const std::optional<TdxModule>& tdx_module() const { return tdx_module_; }
  const std::vector<TdxModuleIdentity>& tdx_module_identities() const {
    return tdx_module_identities_;
  }

 private:
  TcbInfo() = default;
  int version_ = 0;
  std::string id_;
  UnixSeconds issue_date_ = 0;
  UnixSeconds next_update_ = 0;
  std::array<uint8_t, 6> fmspc_{};
  std::array<uint8_t, 2> pce_id_{};
  int tcb_type_ = 0;
  int64_t tcb_evaluation_data_number_ = 0;
  std::vector<TcbLevel> levels_;
  std::optional<TdxModule> tdx_module_;
  std::vector<TdxModuleIdentity> tdx_module_identities_;
};

class QeIdentity {
 public:
  // Parses the exact signed bytes of the `enclaveIdentity` object (version 2). Levels sorted
  // descending by ISVSVN (ties: later tcbDate first).
  static StatusOr<QeIdentity> Parse(ByteSpan json);

  const std::string& id() const { return id_; }
  int version() const { return version_; }
  UnixSeconds issue_date() const { return issue_date_; }
  UnixSeconds next_update() const { return next_update_; }
  int64_t tcb_evaluation_data_number() const { return tcb_evaluation_data_number_; }
  const std::array<uint8_t, 4>& miscselect() const { return miscselect_; }
  const std::array<uint8_t, 4>& miscselect_mask() const { return miscselect_mask_; }
  const std::array<uint8_t, 16>& attributes() const { return attributes_; }
  const std::array<uint8_t, 16>& attributes_mask() const { return attributes_mask_; }
  const std::array<uint8_t, 32>& mrsigner() const { return mrsigner_; }
  uint16_t isv_prod_id() const { return isv_prod_id_; }
  const std::vector<QeTcbLevel>& levels() const { return levels_; }

 private:
  QeIdentity() = default;
  std::string id_;
  int version_ = 0;
  UnixSeconds issue_date_ = 0;
  UnixSeconds next_update_ = 0;
  int64_t tcb_evaluation_data_number_ = 0;
  std::array<uint8_t, 4> miscselect_{};
  std::array<uint8_t, 4> miscselect_mask_{};
  std::array<uint8_t, 16> attributes_{};
  std::array<uint8_t, 16> attributes_mask_{};
  std::array<uint8_t, 32> mrsigner_{};
  uint16_t isv_prod_id_ = 0;
  std::vector<QeTcbLevel> levels_;
};

// A signed JSON object as Intel's PCS serves it: the exact bytes and the r‖s signature.
struct SignedJson {
  Bytes body;
  std::array<uint8_t, 64> signature{};
};

// Splits a PCS response body `{"<member>":{…},"signature":"<128 hex>"}` into the exact bytes of
// the inner object (found with a string-aware brace scanner, never re-serialized) and the
// signature (spec §3.4).
StatusOr<SignedJson> ExtractSignedJson(std::string_view response_body, std::string_view member);

// Everything needed besides the quote to verify it offline (spec §3, §4 inputs). Raw bytes, as
// received: parsing and verification happen in the verifier, so the cache can key on them.
struct Collateral {
  Bytes root_ca_crl;                 // DER
  Bytes pck_crl;                     // DER
  std::string pck_crl_issuer_chain;  // PEM: PCK CA ‖ root
  SignedJson tcb_info;
  std::string tcb_info_issuer_chain;  // PEM: TCB Signing ‖ root
  SignedJson qe_identity;
  std::string qe_identity_issuer_chain;  // PEM: TCB Signing ‖ root
  // PEM leaf ‖ PCK CA ‖ root, for quotes whose certification data is not type 5.
  std::optional<std::string> pck_cert_chain;
};

// Reads a collateral directory (file names of spec §3.5 / docs/collateral.md). The split
// `*.json` + `*_signature.bin` files are authoritative; `*_response.json` PCS bodies are the
// alternative. `root_ca_crl.der` may be DER or hex-encoded DER. A missing or unreadable file is
// kUnavailable/kNotFound (I/O); a file that does not parse is kInvalidArgument with reason
// "collateral_malformed".
StatusOr<Collateral> ReadCollateralDirectory(const std::string& dir);
// The same from (file name, contents) pairs, e.g. a broker's /identity collateral (spec/
// provisioning.md §3.1): a missing file is kNotFound; the first pair of a name counts.
StatusOr<Collateral> CollateralFromFiles(const std::vector<std::pair<std::string, Bytes>>& files);
// The files of a collateral directory in that layout (split files and PCS response bodies), as
// (file name, contents) in a fixed order: what WriteCollateralDirectory writes.
std::vector<std::pair<std::string, Bytes>> CollateralFiles(const Collateral& collateral);
// Writes CollateralFiles(collateral) into `dir` (created if missing), each file atomically.
Status WriteCollateralDirectory(const Collateral& collateral, const std::string& dir);

// DER, or DER encoded as hex text (as a PCCS serves the root CA CRL).
StatusOr<Bytes> DecodeDerOrHex(ByteSpan data);

}  // namespace vouch::sgx

#endif  // VOUCH_SGX_COLLATERAL_H_

// The statements of the Vouch ledger (spec/governance.md §2, §3; docs/formats/statements.md):
// in-toto Statement v1 with one of these predicates, parsed field by field into typed values and
// encoded back to the canonical (RFC 8785) payload:
//
//   provenance         https://slsa.dev/provenance/v1 (buildType …/buildtypes/enclave-bundle/v1)
//   root set           https://vouch.invalid/predicates/root-set/v1
//   admission          https://vouch.invalid/predicates/admission/v1
//   revocation         https://vouch.invalid/predicates/revocation/v1
//   processing record  https://vouch.invalid/predicates/processing-record/v1 (GDPR Art. 30(1))
//   release record     https://vouch.invalid/predicates/release-record/v1 (provisioning §4.1)
//   broker key         https://vouch.invalid/predicates/broker-key/v1 (provisioning §3.7)
//   re-wrap            https://vouch.invalid/predicates/rewrap/v1 (provisioning §5.3)
//
// Anything else is "predicate_type_unknown".
//
// ParseStatement runs checks S1–S3 of §4.2 in order and stops at the first failure: the payload
// is strict JSON and its own canonical form (S1); `_type`, `subject` and `predicateType` (S2);
// the predicate's schema — types, ranges, required and unknown fields, Text, Name, Timestamp,
// Duration, keys, constraint syntax, the personal-data screen (§3.6.3) — and the subjects
// derived from it (S3). Errors are kInvalidArgument with one of the reasons of
// vouch/govern/codes.h (or "key_malformed") and a message that starts with the JSON pointer of
// the offending value; ParseDiagnostics returns that pointer separately (`detail.path`).
//
// State-dependent rules (ledger origin, signatures, root sets in force, reproduction, key and
// builder duplicates of root sets) are not checked here: see vouch/govern/replay.h.
//
// Values are thread-compatible.
#ifndef VOUCH_GOVERN_STATEMENT_H_
#define VOUCH_GOVERN_STATEMENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vouch/base/bounded_memo.h"
#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519_keys.h"

namespace vouch::govern {

inline constexpr char kStatementType[] = "https://in-toto.io/Statement/v1";
inline constexpr char kSlsaProvenanceType[] = "https://slsa.dev/provenance/v1";
inline constexpr char kEnclaveBundleBuildType[] =
    "https://vouch.invalid/buildtypes/enclave-bundle/v1";
inline constexpr char kRootSetType[] = "https://vouch.invalid/predicates/root-set/v1";
inline constexpr char kAdmissionType[] = "https://vouch.invalid/predicates/admission/v1";
inline constexpr char kRevocationType[] = "https://vouch.invalid/predicates/revocation/v1";
inline constexpr char kProcessingRecordType[] =
    "https://vouch.invalid/predicates/processing-record/v1";
inline constexpr char kReleaseRecordType[] = "https://vouch.invalid/predicates/release-record/v1";
inline constexpr char kBrokerKeyType[] = "https://vouch.invalid/predicates/broker-key/v1";
inline constexpr char kRewrapType[] = "https://vouch.invalid/predicates/rewrap/v1";
inline constexpr char kToolchainMediaType[] = "application/vnd.vouch.toolchain+json";
inline constexpr char kSpdxMediaType[] = "application/spdx+json";
inline constexpr char kCycloneDxMediaType[] = "application/vnd.cyclonedx+json";
inline constexpr char kBundleFormatVouch[] = "vouch-enclave/1";
inline constexpr char kBundleFormatSigstruct[] = "sgx-sigstruct";
// report_data of a root's quote = SHA-256(kRootKeyBindingTag ‖ SPKI DER) ‖ 32 zero bytes.
inline constexpr char kRootKeyBindingTag[] = "vouch-root-key/v1";

inline constexpr size_t kMaxSubjects = 64;
inline constexpr size_t kMaxRoots = 5;
inline constexpr size_t kMaxBuilders = 8;
inline constexpr size_t kMaxBuilderKeys = 4;
inline constexpr size_t kMaxReproducedBy = 32;
inline constexpr size_t kMaxCovers = 64;
inline constexpr size_t kMaxTextScalars = 200;
inline constexpr size_t kMaxAdmittedBy = 32;
inline constexpr size_t kMaxReleaseOwners = 8;
inline constexpr size_t kMaxReleaseConstraintSize = 4096;
inline constexpr char kEvidenceTypeSgxDcapQuote[] = "sgx-dcap-quote";

enum class StatementKind : uint8_t {
  kProvenance,
  kRootSet,
  kAdmission,
  kRevocation,
  kProcessingRecord,
  kReleaseRecord,
  kBrokerKey,
  kRewrap,
};
// "provenance", "root-set", "admission", "revocation", "record", "release", "broker-key",
// "rewrap".
std::string_view StatementKindName(StatementKind kind);

// A reference to a ledger entry: its index and entry_hash.
struct EntryRef {
  uint64_t index = 0;
  Sha256Digest sha256{};
  friend bool operator==(const EntryRef&, const EntryRef&) = default;
  friend auto operator<=>(const EntryRef&, const EntryRef&) = default;
};

// ---- §3.1 enclave build provenance ----

struct ToolchainComponent {
  std::string name;  // the Name after "toolchain:"
  std::string uri;   // a purl ("pkg:…")
  Sha256Digest sha256{};
  std::optional<std::string> version;  // annotations.version
  friend bool operator==(const ToolchainComponent&, const ToolchainComponent&) = default;
};

// A "dep:<Name>" resolved dependency or a "sbom:"/"log:" byproduct.
struct Artifact {
  std::string name;  // full name, e.g. "sbom:spdx"
  std::optional<std::string> uri;
  std::optional<std::string> media_type;
  // DigestSet entries (§2.2 algorithm names) in key order.
  std::vector<std::pair<std::string, std::string>> digest;
  friend bool operator==(const Artifact&, const Artifact&) = default;
};

struct Provenance {
  // Subjects.
  std::string target;              // Name; subject 0 is `target`, subject 1 `target#enclave`
  Sha256Digest artifact_sha256{};  // subject 0: H(canonical page image) or H(SIGSTRUCT file)
  Sha256Hash mrenclave{};          // subject 1: sgxMrenclave
  uint16_t isv_prod_id = 0;        // subject 1 annotations
  uint16_t isv_svn = 0;
  bool debug = false;
  std::optional<Sha256Hash> mrsigner;  // present iff the builder signed the bundle
  // buildDefinition.
  std::string repository;  // https URL
  std::string ref;
  std::string bundle_format;        // kBundleFormatVouch or kBundleFormatSigstruct
  std::string git_commit;           // 40 or 64 lowercase hex (resolvedDependencies "source")
  Sha256Digest toolchain_sha256{};  // the toolchain manifest ("toolchain")
  std::vector<ToolchainComponent> toolchain;  // "toolchain:<Name>", at least one
  std::vector<Artifact> dependencies;         // "dep:<Name>"
  // runDetails.
  std::string builder_id;
  UnixSeconds finished_on = 0;
  std::optional<UnixSeconds> started_on;
  std::optional<std::string> invocation_id;
  std::vector<Artifact> byproducts;  // "sbom:<Name>", "log:<Name>"
  // Open fields kept as their canonical JSON text (not interpreted): internalParameters,
  // builder.version, builderDependencies.
  std::optional<std::string> internal_parameters_json;
  std::optional<std::string> builder_version_json;
  std::optional<std::string> builder_dependencies_json;
};

// ---- §3.3 root set ----

struct Key {
  std::shared_ptr<const PublicKeyVerify> key;
  std::string KeyId() const { return key->KeyId(); }
};

struct RootDescriptor {
  std::string name;  // Name
  Key key;
  std::string constraint;              // canonical constraint text
  Bytes quote;                         // evidence.quote
  Sha256Digest collateral_dir_hash{};  // evidence.collateral.digest.dirHash
  std::optional<std::string> collateral_uri;
  std::vector<EntryRef> reproduced_by;  // version 1 only
};

struct BuilderDescriptor {
  std::string id;  // TypeURI
  std::vector<Key> keys;
};

struct RootSet {
  std::string ledger;
  UnixSeconds issued_on = 0;
  uint64_t version = 0;
  UnixSeconds expires = 0;
  uint32_t threshold = 0;
  std::vector<RootDescriptor> roots;
  std::vector<BuilderDescriptor> builders;
  uint32_t reproduction_threshold = 2;
  std::string max_admission_validity = "P365D";  // Duration text
  std::string max_issue_lag = "PT1H";
};

// ---- §3.4 admission ----

enum class Role : uint8_t { kRoot, kBroker, kWorkload };
std::string_view RoleName(Role role);  // "root", "broker", "workload"
std::optional<Role> RoleFromName(std::string_view name);

struct Admission {
  std::string ledger;
  UnixSeconds issued_on = 0;
  Role role = Role::kWorkload;
  std::string constraint;                 // canonical
  std::optional<UnixSeconds> not_before;  // default issued_on
  UnixSeconds expires = 0;
  std::vector<EntryRef> reproduced_by;
  std::optional<std::string> note;

  UnixSeconds effective_not_before() const { return not_before.value_or(issued_on); }
};

// ---- §3.5 revocation ----

enum class RevocationKind : uint8_t { kMeasurement, kSigner, kAdmission, kBuilderKey, kRootKey };
// "measurement", "signer", "admission", "builderKey", "rootKey".
std::string_view RevocationKindName(RevocationKind kind);
std::optional<RevocationKind> RevocationKindFromName(std::string_view name);

struct Revocation {
  std::string ledger;
  UnixSeconds issued_on = 0;
  RevocationKind kind = RevocationKind::kMeasurement;
  Sha256Hash mrenclave{};                 // measurement
  Sha256Hash mrsigner{};                  // signer
  std::optional<uint16_t> product_id;     // signer
  std::optional<uint32_t> isv_svn_below;  // signer, 1..65536
  EntryRef entry;                         // admission
  std::string keyid;                      // builderKey, rootKey (64 hex)
  std::string reason;  // key_compromise, vulnerability, superseded, not_reproducible,
                       // operator_error, other
  std::optional<std::string> note;
};

// ---- §3.6 processing record ----

struct ControllerRef {
  std::string role;  // controller, joint_controller, representative, dpo
  Sha256Digest ref{};
};
struct ThirdCountryTransfer {
  std::string destination;  // ISO 3166-1 alpha-2, or "io:<Name>"
  std::string safeguards;   // Text
  std::optional<Sha256Digest> documentation;
};
struct ErasureTimeLimit {
  std::string category;
  std::optional<std::string> limit;  // Duration
  std::optional<std::string> note;   // Text
};

struct ProcessingRecord {
  std::string ledger;
  UnixSeconds issued_on = 0;
  std::string activity_id;  // Name
  uint64_t activity_version = 0;
  std::vector<ControllerRef> controllers;
  std::vector<std::string> purposes;
  std::vector<std::string> data_subject_categories;
  std::vector<std::string> personal_data_categories;
  std::vector<std::string> recipient_categories;
  std::vector<ThirdCountryTransfer> third_country_transfers;
  std::vector<ErasureTimeLimit> erasure_time_limits;
  std::vector<std::string> security_measures;
  std::optional<Sha256Digest> security_documentation;
  std::vector<EntryRef> covers;
};

// ---- provisioning §4.1 release record, §3.7 broker key ----

// The attested identity of an enclave as its EII states it (`code_hash`, `code_signer`,
// `product_id`, `isv_svn`, `mode`, `security.summary`, `security.timestamp`).
struct EnclaveIdentity {
  Sha256Hash mrenclave{};
  Sha256Hash mrsigner{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  EnclaveMode mode = EnclaveMode::kRelease;              // "RELEASE", "DEBUG", "SIMULATION", "MOCK"
  SecuritySummary summary = SecuritySummary::kInsecure;  // "INSECURE", "STALE", "SECURE"
  UnixSeconds collateral_time = 0;
  friend bool operator==(const EnclaveIdentity&, const EnclaveIdentity&) = default;
};

// How the releasing enclave runs: the attested broker (§3) or a direct hand-off enclave (§6).
enum class BrokerMode : uint8_t { kBroker, kHandoff };
std::string_view BrokerModeName(BrokerMode mode);  // "broker", "handoff"
std::optional<BrokerMode> BrokerModeFromName(std::string_view name);

using ReleaseId = std::array<uint8_t, 16>;  // 32 lowercase hex in JSON

struct ReleaseRecord {
  std::string ledger;
  UnixSeconds issued_on = 0;
  ReleaseId release_id{};
  // envelope
  ReleaseId envelope_id{};
  Sha256Digest envelope_sha256{};  // subject "envelope"
  // broker
  BrokerMode broker_mode = BrokerMode::kBroker;
  Sha256Hash broker_mrenclave{};
  std::string broker_hpke_keyid;     // 64 hex
  std::string broker_signing_keyid;  // 64 hex: the key that signs the record
  // target ("role" is always workload)
  std::string constraint;         // canonical constraint text, ≤ 4096 bytes
  X25519PublicKey enclave_key{};  // raw
  EnclaveIdentity identity;       // subject "target" is identity.mrenclave
  // evidence (type "sgx-dcap-quote")
  Sha256Digest quote_sha256{};
  std::array<uint8_t, 32> nonce{};
  // authorization
  bool unadmitted_override = false;
  std::vector<EntryRef> admitted_by;  // empty iff unadmitted_override, else 1..32
  uint64_t checkpoint_size = 0;
  Sha256Digest checkpoint_root_hash{};
  std::vector<std::string> owners;  // keyids, strictly ascending, 1..8
  // Both or neither: the envelope's activity and the EntryRef of its processing record.
  std::optional<std::string> activity_id;  // Name
  uint64_t activity_version = 0;           // ≥ 1 when activity_id is set
  std::optional<EntryRef> record;
};

// An X25519 HPKE public key as a Key object {"keyid", "spki"} (RFC 8410 SPKI, keyid =
// hex SHA-256(SPKI DER)).
struct X25519Key {
  X25519PublicKey key{};
  std::string KeyId() const { return X25519KeyId(key); }
};

struct BrokerKey {
  std::string ledger;
  UnixSeconds issued_on = 0;
  BrokerMode mode = BrokerMode::kBroker;
  X25519Key hpke_key;
  Key signing_key;           // Ed25519 or ECDSA P-256; subject "signing-key" is its keyid
  EnclaveIdentity identity;  // subject "broker" is identity.mrenclave
  Bytes quote;               // evidence.quote; evidence.quoteSha256 = hex H(quote)
};

// ---- provisioning §5.3: a recovery re-wrap ----

inline constexpr size_t kMaxRewrapCustodians = 16;
// Why the owner re-wrapped: "wrong_measurement", "broker_key_lost" or "other".
inline constexpr const char* kRewrapReasons[] = {"wrong_measurement", "broker_key_lost", "other"};

// An envelope as a re-wrap names it.
struct RewrapEnvelope {
  ReleaseId id{};          // the envelope's id
  Sha256Digest sha256{};   // H(its payload bytes)
  std::string constraint;  // its target, canonical, ≤ 4096 bytes
  friend bool operator==(const RewrapEnvelope&, const RewrapEnvelope&) = default;
};

struct Rewrap {
  std::string ledger;
  UnixSeconds issued_on = 0;
  std::string reason;  // one of kRewrapReasons
  RewrapEnvelope from;
  RewrapEnvelope to;            // subject "envelope" is to.sha256
  std::string to_broker_keyid;  // 64 hex: the broker the new envelope is sealed to
  bool to_unadmitted_override = false;
  uint8_t threshold = 0;                // the old envelope's recovery threshold, 2..16
  std::vector<std::string> custodians;  // keyids of the shares used: threshold..16, ascending
};

struct Statement {
  std::variant<Provenance, RootSet, Admission, Revocation, ProcessingRecord, ReleaseRecord,
               BrokerKey, Rewrap>
      predicate;

  StatementKind kind() const;
  const std::string& predicate_type() const;
  // The issue time: finishedOn for provenance, issuedOn for the others.
  UnixSeconds issued_on() const;
  // The ledger origin of a governance or provisioning statement; nullptr for provenance.
  const std::string* ledger() const;
};

struct ParseDiagnostics {
  // The statement kind once S2 identified the predicate type.
  std::optional<StatementKind> kind;
  // JSON pointer of the value an S2/S3 error is about ("" for the whole payload).
  std::string path;
};

// Checks S1–S3 (above). `diagnostics` (optional) receives the kind and the error path.
StatusOr<Statement> ParseStatement(ByteSpan payload, ParseDiagnostics* diagnostics = nullptr);

// Statements already parsed, by the SHA-256 of their payload (the statement digest):
// ParseStatement is a function of the payload alone, so a remembered statement is what parsing
// its payload again would give. A writer that keeps what EncodeStatement parsed back spares
// its own replay the parse (a broker's release records; ReplayOptions::parsed). Thread-safe;
// holds the last `capacity` statements.
using ParsedStatements = BoundedMemo<Sha256Digest, std::shared_ptr<const Statement>>;

// The canonical payload of `statement`, subjects derived from the predicate. Fails
// (kInvalidArgument, with ParseStatement's reasons) when the result would not parse back:
// writers validate before anything is signed. `parsed` (optional) remembers the statement
// parsed back.
StatusOr<Bytes> EncodeStatement(const Statement& statement, ParsedStatements* parsed = nullptr);

// A Name: ^[a-z0-9][a-z0-9._-]{0,63}$ (targets, activities, roots, SBOM and toolchain names).
bool IsName(std::string_view text);

// Governance.md §2.2: lowercase hex of an accepted DigestSet algorithm's value.
bool IsAcceptedDigest(std::string_view algorithm, std::string_view value);

// Timestamp "YYYY-MM-DDThh:mm:ssZ" exactly (a valid UTC date and time, whole seconds).
StatusOr<UnixSeconds> ParseTimestamp(std::string_view text);
// Duration "P[nD][T[nH][nM][nS]]" (at least one component, no leading zeros) in seconds.
StatusOr<int64_t> ParseDuration(std::string_view text);

// The personal-data screen of §3.6.3: the rule a Text trips ("e-mail address", "IP address",
// "IBAN", "telephone number"), or nullopt when it passes.
std::optional<std::string> PersonalDataRule(std::string_view text);

// report_data a root's quote must carry for `spki_der`: H("vouch-root-key/v1" ‖ SPKI) ‖ 0^32.
std::array<uint8_t, 64> RootKeyReportData(ByteSpan spki_der);
// report_data a broker's quote must carry for its keys (provisioning §3.1):
// H("vouch-broker-key/v1" ‖ SPKI(hpke_key) ‖ SPKI(signing key)) ‖ 0^32.
inline constexpr char kBrokerKeyBindingTag[] = "vouch-broker-key/v1";
std::array<uint8_t, 64> BrokerKeyReportData(const X25519PublicKey& hpke_key,
                                            ByteSpan signing_spki_der);

}  // namespace vouch::govern

#endif  // VOUCH_GOVERN_STATEMENT_H_

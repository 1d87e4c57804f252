// Enclave build provenance (spec/governance.md §3.1, docs/formats/statements.md): measures a
// build's output, reads its toolchain manifest and SBOMs, and writes the signed SLSA Provenance
// v1 statement with Vouch's buildType that `vouch build attest` produces.
//
//   subject 0  <target>            sha256 = H(canonical page image) of a vouch-enclave/1 bundle
//                                  (docs/measurement.md §2), or H(SIGSTRUCT file) for sgx-sigstruct
//   subject 1  <target>#enclave    sgxMrenclave, annotations isvProdId, isvSvn, debug and, when
//                                  the builder signed the bundle, sgxMrsigner
//
// Toolchain manifest (strict JSON, docs/formats/statements.md):
//   {"format":"vouch-toolchain/1","components":[{"name","version","uri","digest":{"sha256"}}…]}
// Its SHA-256 is the "toolchain" dependency; its components become the "toolchain:<name>"
// dependencies and are checked against them after encoding. SBOMs (SPDX or CycloneDX JSON) are
// byproducts "sbom:<name>" referenced by SHA-256.
//
// Errors: kInvalidArgument with reason "toolchain_malformed", "sbom_malformed",
// "source_malformed", "manifest_malformed"/"bundle_malformed" (from platform/bundle.h),
// "sigstruct_malformed", or a statement code of vouch/govern/codes.h when the result would not
// be a valid provenance statement; kUnavailable/kNotFound for unreadable files;
// kFailedPrecondition "bundle_changed" when the bundle changes while it is read.
//
// Thread-safe (no shared state).
#ifndef VOUCH_BUILD_ATTEST_H_
#define VOUCH_BUILD_ATTEST_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/signer.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/statement.h"
#include "vouch/platform/bundle.h"

namespace vouch::build {

inline constexpr char kToolchainFormat[] = "vouch-toolchain/1";
inline constexpr char kToolchainMalformed[] = "toolchain_malformed";
inline constexpr char kSbomMalformed[] = "sbom_malformed";
inline constexpr char kSourceMalformed[] = "source_malformed";

struct ToolchainManifest {
  Sha256Digest sha256{};  // of the file's exact bytes
  std::vector<govern::ToolchainComponent> components;

  // Strict: exactly {"format","components"}, 1..64 components each exactly {"name" (a Name,
  // unique), "version" (1..255 printable ASCII), "uri" (a purl "pkg:…"), "digest":{"sha256"}}.
  static StatusOr<ToolchainManifest> Parse(ByteSpan bytes);
};

struct Sbom {
  std::string name;        // "sbom:<Name>"
  std::string media_type;  // application/spdx+json or application/vnd.cyclonedx+json
  Sha256Digest sha256{};
};
// Reads an SPDX ("spdxVersion") or CycloneDX ("bomFormat": "CycloneDX") JSON document. `name`
// (a Name) defaults to "spdx" or "cyclonedx".
StatusOr<Sbom> ReadSbom(const std::string& path, const std::string& name = "");

// What a build produced, as the subjects state it.
struct MeasuredArtifact {
  std::string bundle_format;  // govern::kBundleFormatVouch or kBundleFormatSigstruct
  Sha256Digest sha256{};      // subject 0
  Sha256Hash mrenclave{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  bool debug = false;
  std::optional<Sha256Hash> mrsigner;
};

// SHA-256 of a bundle's canonical page image: the index and each file, each zero-padded to
// whole pages, in offset order (docs/measurement.md §2). Streams the files.
StatusOr<Sha256Digest> BundleImageDigest(const platform::Bundle& bundle,
                                         const platform::BundleMeasurement& measurement);

// A bundle directory (vouch-enclave/1; a signature vouch-enclave.sig, if present, must match and
// gives MRSIGNER) or a SIGSTRUCT file (sgx-sigstruct: MRENCLAVE = ENCLAVEHASH, always signed).
// The bundle is measured, hashed and measured again; a change in between is "bundle_changed".
StatusOr<MeasuredArtifact> MeasureArtifact(const std::string& path);

struct AttestRequest {
  std::string artifact_path;
  std::string target;      // a Name
  std::string repository;  // https URL
  std::string ref;         // defaults to git_commit when empty
  std::string git_commit;  // 40 or 64 lowercase hex
  std::string toolchain_path;
  std::vector<std::pair<std::string, std::string>> sboms;  // (name or "", path)
  std::string builder_id;
  UnixSeconds finished_on = 0;
  std::optional<UnixSeconds> started_on;
  std::optional<std::string> invocation_id;
};

// Splits "URI@COMMIT" (at the last '@') into repository and commit; "source_malformed"
// otherwise.
StatusOr<std::pair<std::string, std::string>> ParseSource(std::string_view source);

// The provenance predicate for `request` (measures the artifact, reads the manifest and SBOMs).
StatusOr<govern::Provenance> DescribeBuild(const AttestRequest& request);
// DescribeBuild, encoded, validated (the toolchain dependencies equal the manifest's
// components) and signed by `key`: the canonical ledger entry.
StatusOr<dsse::LedgerEntry> AttestBuild(const AttestRequest& request, const PublicKeySign& key);

// Go's golang.org/x/mod/sumdb/dirhash Hash1 over the regular files below `dir` (names relative
// to `dir`, '/'-separated, sorted bytewise): SHA-256 of the lines "<hex sha256>  <name>\n" — the
// 32 bytes behind "h1:…" (governance.md: collateral digests `{"dirHash": hex}`). Symbolic links
// and special files are refused, as are names containing a newline.
StatusOr<Sha256Digest> DirHash1(const std::string& dir);

}  // namespace vouch::build

#endif  // VOUCH_BUILD_ATTEST_H_

#include "vouch/build/attest.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "dsse/jcs.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/platform/reasons.h"
#include "vouch/sgx/measurement.h"
#include "vouch/sgx/sigstruct.h"

namespace vouch::build {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxToolchainSize = 1 << 20;
constexpr size_t kMaxComponents = 64;
constexpr size_t kReadChunk = 64 * 1024;

Status Malformed(const char* reason, std::string message) {
  return MalformedError(reason, std::move(message));
}

bool IsPrintable(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool IsLowerHex(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

StatusOr<ToolchainManifest> ToolchainManifest::Parse(ByteSpan bytes) {
  if (bytes.size() > kMaxToolchainSize) {
    return Malformed(kToolchainMalformed, "toolchain manifest larger than 1 MiB");
  }
  auto doc = internal::ParseJson(AsStringView(bytes));
  if (!doc.ok()) return Malformed(kToolchainMalformed, doc.status().message());
  const Json& m = *doc;
  if (!m.is_object() || m.size() != 2 || !m.contains("format") || !m.contains("components") ||
      m["format"] != kToolchainFormat || !m["components"].is_array()) {
    return Malformed(kToolchainMalformed,
                     "expected exactly {\"format\":\"vouch-toolchain/1\",\"components\":[…]}");
  }
  const Json& comps = m["components"];
  if (comps.empty() || comps.size() > kMaxComponents) {
    return Malformed(kToolchainMalformed, "1 to 64 components");
  }
  ToolchainManifest out;
  out.sha256 = Sha256(bytes);
  std::set<std::string> names;
  for (size_t i = 0; i < comps.size(); ++i) {
    const Json& c = comps[i];
    std::string where = "component " + std::to_string(i + 1) + ": ";
    if (!c.is_object() || c.size() != 4 || !c.contains("name") || !c.contains("version") ||
        !c.contains("uri") || !c.contains("digest") || !c["name"].is_string() ||
        !c["version"].is_string() || !c["uri"].is_string() || !c["digest"].is_object() ||
        c["digest"].size() != 1 || !c["digest"].contains("sha256") ||
        !c["digest"]["sha256"].is_string()) {
      return Malformed(
          kToolchainMalformed,
          where + "expected exactly {\"name\",\"version\",\"uri\",\"digest\":{\"sha256\"}}");
    }
    govern::ToolchainComponent tc;
    tc.name = c["name"].get<std::string>();
    tc.version = c["version"].get<std::string>();
    tc.uri = c["uri"].get<std::string>();
    std::string digest = c["digest"]["sha256"].get<std::string>();
    if (!govern::IsName(tc.name) || !names.insert(tc.name).second) {
      return Malformed(kToolchainMalformed, where + "name must be a unique Name ([a-z0-9._-])");
    }
    if (!IsPrintable(*tc.version) || tc.version->size() > 255) {
      return Malformed(kToolchainMalformed,
                       where + "version must be 1 to 255 printable characters");
    }
    if (tc.uri.rfind("pkg:", 0) != 0 || !IsPrintable(tc.uri)) {
      return Malformed(kToolchainMalformed, where + "uri must be a package URL (pkg:…)");
    }
    if (!IsLowerHex(digest, 64)) {
      return Malformed(kToolchainMalformed,
                       where + "digest.sha256 must be 64 lowercase hex digits");
    }
    tc.sha256 = *HexDecodeArray<32>(digest);
    out.components.push_back(std::move(tc));
  }
  return out;
}

StatusOr<Sbom> ReadSbom(const std::string& path, const std::string& name) {
  VOUCH_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path));
  internal::JsonReadOptions options;
  options.integers_only = false;
  options.ascii_keys_only = false;
  auto doc = internal::ParseJson(AsStringView(bytes), options);
  if (!doc.ok()) return Malformed(kSbomMalformed, path + ": not JSON: " + doc.status().message());
  Sbom out;
  out.sha256 = Sha256(bytes);
  std::string kind;
  if (doc->is_object() && doc->contains("spdxVersion") && (*doc)["spdxVersion"].is_string()) {
    out.media_type = govern::kSpdxMediaType;
    kind = "spdx";
  } else if (doc->is_object() && doc->contains("bomFormat") && (*doc)["bomFormat"] == "CycloneDX") {
    out.media_type = govern::kCycloneDxMediaType;
    kind = "cyclonedx";
  } else {
    return Malformed(kSbomMalformed,
                     path +
                         ": neither an SPDX (spdxVersion) nor a CycloneDX (bomFormat) JSON "
                         "document");
  }
  out.name = "sbom:" + (name.empty() ? kind : name);
  if (!govern::IsName(out.name.substr(5))) {
    return Malformed(kSbomMalformed, "SBOM name \"" + name + "\" is not a Name ([a-z0-9._-])");
  }
  return out;
}

StatusOr<Sha256Digest> BundleImageDigest(const platform::Bundle& bundle,
                                         const platform::BundleMeasurement& measurement) {
  Sha256Hasher h;
  static const std::vector<uint8_t> kZeros(sgx::kPageSize, 0);
  auto pad = [&](uint64_t written, uint64_t pages) {
    uint64_t rest = pages * sgx::kPageSize - written;
    while (rest > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(rest, kZeros.size()));
      h.Update(ByteSpan(kZeros.data(), n));
      rest -= n;
    }
  };
  std::string index = platform::BundleIndex(measurement.files);
  h.Update(AsBytes(index));
  pad(index.size(), measurement.index_pages);
  std::vector<uint8_t> buffer(kReadChunk);
  for (const platform::BundleFileLayout& f : measurement.files) {
    VOUCH_RETURN_IF_ERROR(StreamFile(
        bundle.dir() + "/" + f.name, f.size, buffer,
        [&](ByteSpan chunk) {
          h.Update(chunk);
          return OkStatus();
        },
        platform::reasons::kBundleChanged));
    pad(f.size, f.pages);
  }
  return h.Finish();
}

StatusOr<MeasuredArtifact> MeasureArtifact(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return NotFoundError("cannot read " + path + ": " + std::strerror(errno));
  }
  MeasuredArtifact out;
  if (S_ISREG(st.st_mode)) {
    VOUCH_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, 64 * 1024));
    auto sig = sgx::Sigstruct::Parse(bytes);
    if (!sig.ok()) return sig.status().WithContext(path);
    out.bundle_format = govern::kBundleFormatSigstruct;
    out.sha256 = Sha256(bytes);
    out.mrenclave = sig->body().enclave_hash;
    out.isv_prod_id = sig->body().isv_prod_id;
    out.isv_svn = sig->body().isv_svn;
    out.debug = sig->body().debug();
    out.mrsigner = sig->mr_signer();
    return out;
  }
  VOUCH_ASSIGN_OR_RETURN(platform::Bundle bundle, platform::Bundle::Load(path));
  VOUCH_ASSIGN_OR_RETURN(platform::BundleMeasurement m, bundle.Measure());
  VOUCH_ASSIGN_OR_RETURN(out.sha256, BundleImageDigest(bundle, m));
  VOUCH_ASSIGN_OR_RETURN(platform::BundleMeasurement again, bundle.Measure());
  if (again.mr_enclave != m.mr_enclave) {
    return Status(StatusCode::kFailedPrecondition, path + " changed while it was measured",
                  platform::reasons::kBundleChanged);
  }
  out.bundle_format = govern::kBundleFormatVouch;
  out.mrenclave = m.mr_enclave;
  out.isv_prod_id = bundle.manifest().product_id;
  out.isv_svn = bundle.manifest().isv_svn;
  out.debug = bundle.manifest().debug;
  auto id = bundle.SignedIdentity(m);
  if (id.ok()) {
    out.mrsigner = id->mr_signer;
  } else if (id.status().reason() != "bundle_unsigned") {
    return id.status();
  }
  return out;
}

StatusOr<std::pair<std::string, std::string>> ParseSource(std::string_view source) {
  size_t at = source.rfind('@');
  if (at == std::string_view::npos || at == 0) {
    return Malformed(kSourceMalformed, "--source must be REPOSITORY_URL@COMMIT");
  }
  std::string commit(source.substr(at + 1));
  if (!IsLowerHex(commit, 40) && !IsLowerHex(commit, 64)) {
    return Malformed(kSourceMalformed,
                     "the commit after '@' must be a full git object id (40 or 64 lowercase hex "
                     "digits)");
  }
  return std::make_pair(std::string(source.substr(0, at)), commit);
}

StatusOr<govern::Provenance> DescribeBuild(const AttestRequest& request) {
  VOUCH_ASSIGN_OR_RETURN(MeasuredArtifact artifact, MeasureArtifact(request.artifact_path));
  auto manifest_bytes = ReadFile(request.toolchain_path, kMaxToolchainSize);
  if (!manifest_bytes.ok()) return manifest_bytes.status();
  auto manifest = ToolchainManifest::Parse(*manifest_bytes);
  if (!manifest.ok()) return manifest.status().WithContext(request.toolchain_path);
  govern::Provenance p;
  p.target = request.target;
  p.artifact_sha256 = artifact.sha256;
  p.mrenclave = artifact.mrenclave;
  p.isv_prod_id = artifact.isv_prod_id;
  p.isv_svn = artifact.isv_svn;
  p.debug = artifact.debug;
  p.mrsigner = artifact.mrsigner;
  p.repository = request.repository;
  p.ref = request.ref.empty() ? request.git_commit : request.ref;
  p.bundle_format = artifact.bundle_format;
  p.git_commit = request.git_commit;
  p.toolchain_sha256 = manifest->sha256;
  p.toolchain = manifest->components;
  p.builder_id = request.builder_id;
  p.finished_on = request.finished_on;
  p.started_on = request.started_on;
  p.invocation_id = request.invocation_id;
  std::set<std::string> names;
  for (const auto& [name, path] : request.sboms) {
    VOUCH_ASSIGN_OR_RETURN(Sbom sbom, ReadSbom(path, name));
    if (!names.insert(sbom.name).second) {
      return Malformed(kSbomMalformed, "two SBOMs named " + sbom.name + ": name them NAME=FILE");
    }
    p.byproducts.push_back(
        {sbom.name, std::nullopt, sbom.media_type, {{"sha256", HexEncode(sbom.sha256)}}});
  }
  return p;
}

StatusOr<dsse::LedgerEntry> AttestBuild(const AttestRequest& request, const PublicKeySign& key) {
  VOUCH_ASSIGN_OR_RETURN(govern::Provenance p, DescribeBuild(request));
  VOUCH_ASSIGN_OR_RETURN(Bytes payload, govern::EncodeStatement(govern::Statement{p}));
  // Ledger readers see only the manifest's digest: check what was written against it.
  VOUCH_ASSIGN_OR_RETURN(govern::Statement back, govern::ParseStatement(payload));
  const auto& written = std::get<govern::Provenance>(back.predicate);
  if (written.toolchain != p.toolchain || written.toolchain_sha256 != p.toolchain_sha256) {
    return InternalError("the toolchain dependencies differ from the manifest's components");
  }
  VOUCH_ASSIGN_OR_RETURN(dsse::Signature sig,
                         dsse::SignPayload(key, dsse::kInTotoPayloadType, payload));
  return dsse::LedgerEntry::Create(payload, {std::move(sig)});
}

namespace {

Status ListFiles(const std::string& root, const std::string& rel, std::vector<std::string>* out) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return UnavailableError("cannot list " + dir + ": " + std::strerror(errno));
  Status status;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string child = rel.empty() ? name : rel + "/" + name;
    struct stat st {};
    if (::lstat((root + "/" + child).c_str(), &st) != 0) {
      status = UnavailableError("cannot stat " + child + ": " + std::strerror(errno));
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      status = ListFiles(root, child, out);
      if (!status.ok()) break;
    } else if (S_ISREG(st.st_mode)) {
      if (child.find('\n') != std::string::npos) {
        status = InvalidArgumentError("file name with a newline: " + child);
        break;
      }
      out->push_back(child);
    } else {
      status = InvalidArgumentError(child + " is not a regular file or directory");
      break;
    }
  }
  ::closedir(d);
  return status;
}

}  // namespace

StatusOr<Sha256Digest> DirHash1(const std::string& dir) {
  std::vector<std::string> files;
  VOUCH_RETURN_IF_ERROR(ListFiles(dir, "", &files));
  std::sort(files.begin(), files.end());
  Sha256Hasher summary;
  for (const std::string& f : files) {
    VOUCH_ASSIGN_OR_RETURN(Bytes content, ReadFile(dir + "/" + f, size_t{1} << 30));
    summary.Update(AsBytes(HexEncode(Sha256(content)) + "  " + f + "\n"));
  }
  return summary.Finish();
}

}  // namespace vouch::build

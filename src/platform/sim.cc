#include "vouch/platform/sim.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json.h"
#include "platform/internal.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/random.h"
#include "vouch/platform/reasons.h"

namespace vouch::platform {
namespace {

constexpr char kStateFormat[] = "vouch-sim/1";
constexpr char kStateFile[] = "platform.json";
constexpr char kSecretFile[] = "platform_secret";
constexpr char kSimSealSalt[] = "vouch/sim/seal";
constexpr size_t kSecretSize = 32;

struct PartFiles {
  const char* cert;
  const char* key;
};
constexpr PartFiles kRootFiles = {"root_ca.der", "root_ca.key"};
constexpr PartFiles kPckCaFiles = {"pck_ca.der", "pck_ca.key"};
constexpr PartFiles kPckFiles = {"pck.der", "pck.key"};
constexpr PartFiles kTcbFiles = {"tcb_signing.der", "tcb_signing.key"};

Status StateError(const std::string& message) {
  return MalformedError(reasons::kSimStateMalformed, "simulation state: " + message);
}

// mkdir -p: parents 0755, the last component `mode`.
Status MakeDirs(const std::string& dir, mode_t mode) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    mode_t m = pos == dir.size() ? mode : 0755;
    if (::mkdir(prefix.c_str(), m) != 0 && errno != EEXIST) {
      return UnavailableError("cannot create directory " + prefix + ": " + std::strerror(errno));
    }
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return UnavailableError(dir + " is not a directory");
  }
  return OkStatus();
}

// A private file of the installation (a key, the platform secret), under the rule for every
// private key (base/file.h ReadPrivateFile), refused with this module's reason.
StatusOr<SecretBytes> ReadPrivate(const std::string& path, size_t max_size) {
  auto secret = ReadPrivateFile(path, max_size);
  if (!secret.ok() && secret.status().reason() == kKeyFileInsecure) {
    return secret.status().WithReason(reasons::kSimStateInsecure);
  }
  return secret;
}

nlohmann::ordered_json StateJson(const sgx::SimulatedPkiOptions& o, UnixSeconds created) {
  nlohmann::ordered_json j;
  j["format"] = kStateFormat;
  j["created"] = FormatRfc3339(created);
  j["organization"] = o.organization;
  j["platform_ca"] = o.platform_ca;
  j["ppid"] = HexEncode(o.platform.ppid);
  j["fmspc"] = HexEncode(o.platform.fmspc);
  j["pce_id"] = HexEncode(o.platform.pce_id);
  j["tcb_components"] = nlohmann::ordered_json::array();
  for (uint8_t c : o.platform.tcb_components) j["tcb_components"].push_back(c);
  j["pce_svn"] = o.platform.pce_svn;
  j["cpu_svn"] = HexEncode(o.platform.cpu_svn);
  j["sgx_type"] = o.platform.sgx_type;
  j["qe_isv_svn"] = o.qe_isv_svn;
  j["qe_mr_signer"] = HexEncode(o.qe_mr_signer);
  j["tcb_evaluation_data_number"] = o.tcb_evaluation_data_number;
  j["collateral_lifetime_seconds"] = o.collateral_lifetime;
  return j;
}

StatusOr<std::pair<sgx::SimulatedPkiOptions, UnixSeconds>> ParseState(std::string_view text) {
  auto parsed = vouch::internal::ParseStrictJsonDocument(text, internal::kMaxJsonDepth);
  if (!parsed.ok()) return StateError(std::string(kStateFile) + ": " + parsed.status().message());
  const nlohmann::json& j = *parsed;
  static const std::set<std::string> kKeys = {"format",
                                              "created",
                                              "organization",
                                              "platform_ca",
                                              "ppid",
                                              "fmspc",
                                              "pce_id",
                                              "tcb_components",
                                              "pce_svn",
                                              "cpu_svn",
                                              "sgx_type",
                                              "qe_isv_svn",
                                              "qe_mr_signer",
                                              "tcb_evaluation_data_number",
                                              "collateral_lifetime_seconds"};
  if (!j.is_object()) return StateError(std::string(kStateFile) + " is not a JSON object");
  for (const std::string& key : kKeys) {
    if (!j.contains(key)) return StateError(std::string(kStateFile) + " lacks \"" + key + "\"");
  }
  auto bad = [](const std::string& key, const Status& s) {
    return StateError(std::string(kStateFile) + " \"" + key + "\": " + s.message());
  };
  if (!j.at("format").is_string() || j.at("format").get<std::string>() != kStateFormat) {
    return StateError(std::string(kStateFile) + " is not " + kStateFormat);
  }
  sgx::SimulatedPkiOptions o;
  if (!j.at("created").is_string()) return StateError("\"created\" must be a string");
  auto created = ParseRfc3339(j.at("created").get<std::string>());
  if (!created.ok()) return bad("created", created.status());
  if (!j.at("organization").is_string() || !j.at("platform_ca").is_boolean()) {
    return StateError(std::string(kStateFile) + ": bad organization or platform_ca");
  }
  o.organization = j.at("organization").get<std::string>();
  o.platform_ca = j.at("platform_ca").get<bool>();
#define VOUCH_STATE_HEX(field, key, n)               \
  {                                                  \
    auto v = vouch::internal::JsonHex<n>(j.at(key)); \
    if (!v.ok()) return bad(key, v.status());        \
    (field) = *v;                                    \
  }
  VOUCH_STATE_HEX(o.platform.ppid, "ppid", 16)
  VOUCH_STATE_HEX(o.platform.fmspc, "fmspc", 6)
  VOUCH_STATE_HEX(o.platform.pce_id, "pce_id", 2)
  VOUCH_STATE_HEX(o.platform.cpu_svn, "cpu_svn", 16)
  VOUCH_STATE_HEX(o.qe_mr_signer, "qe_mr_signer", 32)
#undef VOUCH_STATE_HEX
  const nlohmann::json& comps = j.at("tcb_components");
  if (!comps.is_array() || comps.size() != 16) return StateError("tcb_components must be 16");
  for (size_t i = 0; i < 16; ++i) {
    auto v = vouch::internal::JsonUnsigned(comps[i], 255);
    if (!v.ok()) return bad("tcb_components", v.status());
    o.platform.tcb_components[i] = static_cast<uint8_t>(*v);
  }
  auto u = [&](const char* key, uint64_t max) -> StatusOr<uint64_t> {
    auto v = vouch::internal::JsonUnsigned(j.at(key), max);
    if (!v.ok()) return bad(key, v.status());
    return v;
  };
  VOUCH_ASSIGN_OR_RETURN(uint64_t pce_svn, u("pce_svn", 65535));
  VOUCH_ASSIGN_OR_RETURN(uint64_t sgx_type, u("sgx_type", 2));
  VOUCH_ASSIGN_OR_RETURN(uint64_t qe_svn, u("qe_isv_svn", 65535));
  VOUCH_ASSIGN_OR_RETURN(uint64_t eval, u("tcb_evaluation_data_number", 1u << 30));
  VOUCH_ASSIGN_OR_RETURN(uint64_t lifetime, u("collateral_lifetime_seconds", 366 * 86400));
  if (lifetime < 3600) return StateError("collateral_lifetime_seconds below an hour");
  o.platform.pce_svn = static_cast<uint16_t>(pce_svn);
  o.platform.sgx_type = static_cast<int>(sgx_type);
  o.qe_isv_svn = static_cast<uint16_t>(qe_svn);
  o.tcb_evaluation_data_number = static_cast<int64_t>(eval);
  o.collateral_lifetime = static_cast<UnixSeconds>(lifetime);
  return std::make_pair(o, *created);
}

StatusOr<Certificate> ReadCert(const std::string& dir, const char* name) {
  VOUCH_ASSIGN_OR_RETURN(Bytes der, ReadFile(dir + "/" + name, 64 * 1024));
  auto cert = Certificate::FromDer(der);
  if (!cert.ok()) return StateError(std::string(name) + ": " + cert.status().message());
  return cert;
}

StatusOr<EcdsaP256PrivateKey> ReadKey(const std::string& dir, const char* name) {
  VOUCH_ASSIGN_OR_RETURN(SecretBytes secret, ReadPrivate(dir + "/" + name, 64 * 1024));
  auto key = EcdsaP256PrivateKey::FromPkcs8(secret.Reveal());
  if (!key.ok()) return StateError(std::string(name) + ": " + key.status().message());
  return key;
}

Status WritePart(const std::string& dir, const PartFiles& files, const Certificate& cert,
                 const EcdsaP256PrivateKey& key) {
  SecretBytes pkcs8 = key.ToPkcs8();
  VOUCH_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + files.key, pkcs8.Reveal(), 0600));
  return WriteFileAtomic(dir + "/" + files.cert, cert.der(), 0644);
}

class SimPlatform final : public Platform {
 public:
  SimPlatform(std::shared_ptr<const SimInstallation> installation, EnclaveIdentity identity)
      : installation_(std::move(installation)), identity_(identity) {}

  std::string_view name() const override { return "sim"; }
  EnclaveMode mode() const override { return EnclaveMode::kSimulation; }
  const EnclaveIdentity& identity() const override { return identity_; }
  EvidenceFormat evidence_format() const override { return EvidenceFormat::kDcapQuote; }

  StatusOr<Bytes> Report(const ReportData& report_data) override {
    return sgx::EncodeReportBody(Body(report_data));
  }
  StatusOr<Bytes> Quote(const ReportData& report_data) override {
    return installation_->pki().MakeQuote(Body(report_data));
  }
  StatusOr<SecretBytes> SealKey(const SealKeyRequest& request) const override {
    return internal::DeriveSealKey(installation_->platform_secret().Reveal(), kSimSealSalt,
                                   identity_, request);
  }

 private:
  sgx::ReportBody Body(const ReportData& report_data) const {
    return internal::MakeReportBody(identity_, report_data,
                                    installation_->pki().options().platform.cpu_svn);
  }

  std::shared_ptr<const SimInstallation> installation_;
  EnclaveIdentity identity_;
};

}  // namespace

std::string DefaultSimDir(const std::function<std::optional<std::string>(std::string_view)>& env) {
  if (auto dir = env("VOUCH_SIM_DIR"); dir && !dir->empty()) return *dir;
  if (auto xdg = env("XDG_DATA_HOME"); xdg && !xdg->empty()) return *xdg + "/vouch/sim";
  std::string home = env("HOME").value_or(".");
  return home + "/.local/share/vouch/sim";
}

std::string DefaultSimDir() {
  return DefaultSimDir([](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
  });
}

StatusOr<SimInstallation> SimInstallation::Init(const std::string& dir, UnixSeconds now,
                                                bool force) {
  if (dir.empty()) return InvalidArgumentError("empty simulation directory");
  if (FileExists(dir + "/" + kStateFile) && !force) {
    return Status(StatusCode::kAlreadyExists,
                  "a simulated platform already exists in " + dir +
                      " (use --force to replace it: its quotes and sealed data become foreign)",
                  reasons::kSimExists);
  }
  VOUCH_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  if (::chmod(dir.c_str(), 0700) != 0) {
    return UnavailableError("cannot chmod " + dir + ": " + std::strerror(errno));
  }
  sgx::SimulatedPkiOptions o = sgx::DefaultSimulatedPkiOptions(now);
  o.not_after = now + kSimCertificateLifetime;
  VOUCH_ASSIGN_OR_RETURN(Bytes ppid, RandomBytes(16));
  std::copy(ppid.begin(), ppid.end(), o.platform.ppid.begin());
  VOUCH_ASSIGN_OR_RETURN(sgx::SimulatedPki pki, sgx::SimulatedPki::Create(o));
  VOUCH_ASSIGN_OR_RETURN(SecretBytes secret, RandomSecret(kSecretSize));

  // The state file is written last: its presence marks a complete installation.
  ::unlink((dir + "/" + kStateFile).c_str());
  sgx::SimulatedPki::Parts parts = pki.ToParts();
  VOUCH_RETURN_IF_ERROR(WritePart(dir, kRootFiles, parts.root, parts.root_key));
  VOUCH_RETURN_IF_ERROR(WritePart(dir, kPckCaFiles, parts.pck_ca, parts.pck_ca_key));
  VOUCH_RETURN_IF_ERROR(WritePart(dir, kPckFiles, parts.pck, parts.pck_key));
  VOUCH_RETURN_IF_ERROR(WritePart(dir, kTcbFiles, parts.tcb_signing, parts.tcb_signing_key));
  VOUCH_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + kSecretFile, secret.Reveal(), 0600));
  std::string state = StateJson(o, now).dump(2) + "\n";
  VOUCH_RETURN_IF_ERROR(WriteFileAtomic(dir + "/" + kStateFile, AsBytes(state), 0644));
  return SimInstallation(dir, std::move(pki), std::move(secret), now);
}

StatusOr<SimInstallation> SimInstallation::Open(const std::string& dir) {
  std::string state_path = dir + "/" + kStateFile;
  if (!FileExists(state_path)) {
    return Status(StatusCode::kFailedPrecondition,
                  "no simulated platform in " + dir + "; create one with `vouch sim init`",
                  reasons::kSimNotInitialized);
  }
  VOUCH_ASSIGN_OR_RETURN(std::string text, ReadFileToString(state_path, 64 * 1024));
  VOUCH_ASSIGN_OR_RETURN(auto state, ParseState(text));
  auto& [options, created] = state;

  VOUCH_ASSIGN_OR_RETURN(SecretBytes secret, ReadPrivate(dir + "/" + kSecretFile, 1024));
  if (secret.size() != kSecretSize) {
    return StateError(std::string(kSecretFile) + " must hold 32 bytes");
  }
  VOUCH_ASSIGN_OR_RETURN(Certificate root, ReadCert(dir, kRootFiles.cert));
  VOUCH_ASSIGN_OR_RETURN(Certificate pck_ca, ReadCert(dir, kPckCaFiles.cert));
  VOUCH_ASSIGN_OR_RETURN(Certificate pck, ReadCert(dir, kPckFiles.cert));
  VOUCH_ASSIGN_OR_RETURN(Certificate tcb, ReadCert(dir, kTcbFiles.cert));
  VOUCH_ASSIGN_OR_RETURN(EcdsaP256PrivateKey root_key, ReadKey(dir, kRootFiles.key));
  VOUCH_ASSIGN_OR_RETURN(EcdsaP256PrivateKey pck_ca_key, ReadKey(dir, kPckCaFiles.key));
  VOUCH_ASSIGN_OR_RETURN(EcdsaP256PrivateKey pck_key, ReadKey(dir, kPckFiles.key));
  VOUCH_ASSIGN_OR_RETURN(EcdsaP256PrivateKey tcb_key, ReadKey(dir, kTcbFiles.key));
  options.not_before = root.not_before();
  options.not_after = root.not_after();
  options.issue_date = std::max(created, options.not_before);
  sgx::SimulatedPki::Parts parts{options, root_key, root,    pck_ca_key, pck_ca,
                                 pck_key, pck,      tcb_key, tcb};
  auto pki = sgx::SimulatedPki::FromParts(std::move(parts));
  if (!pki.ok()) return StateError(pki.status().message());
  return SimInstallation(dir, std::move(*pki), std::move(secret), created);
}

StatusOr<sgx::Collateral> SimInstallation::CollateralAt(UnixSeconds at) const {
  const sgx::SimulatedPkiOptions& o = pki_.options();
  if (at < o.not_before || at >= o.not_after) {
    return Status(StatusCode::kFailedPrecondition,
                  "the simulated platform's certificates are valid " + FormatRfc3339(o.not_before) +
                      " .. " + FormatRfc3339(o.not_after) + ", not at " + FormatRfc3339(at) +
                      "; re-create it with `vouch sim init --force`",
                  reasons::kSimCertificatesExpired);
  }
  sgx::SimulatedPki fresh = pki_;
  fresh.mutable_options().issue_date = std::max(at - kSimCollateralBackdate, o.not_before);
  return fresh.MakeCollateral();
}

Status SimInstallation::WriteCollateral(const std::string& out_dir, UnixSeconds at) const {
  VOUCH_ASSIGN_OR_RETURN(sgx::Collateral c, CollateralAt(at));
  VOUCH_RETURN_IF_ERROR(MakeDirs(out_dir, 0755));
  VOUCH_RETURN_IF_ERROR(sgx::WriteCollateralDirectory(c, out_dir));
  return WriteFileAtomic(out_dir + "/root_ca.der", pki_.root().der(), 0644);
}

std::unique_ptr<Platform> NewSimPlatform(std::shared_ptr<const SimInstallation> installation,
                                         const EnclaveIdentity& identity) {
  return std::make_unique<SimPlatform>(std::move(installation), identity);
}

}  // namespace vouch::platform

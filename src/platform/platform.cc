#include "vouch/platform/platform.h"

#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json.h"
#include "platform/internal.h"
#include "vouch/base/byte_writer.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/hkdf.h"
#include "vouch/platform/gramine.h"
#include "vouch/platform/mock.h"
#include "vouch/platform/reasons.h"
#include "vouch/platform/sim.h"

namespace vouch::platform {
namespace {

constexpr char kSealInfoLabel[] = "vouch-seal-key/v1";

Status IdentityError(const std::string& message) {
  return MalformedError(reasons::kIdentityMalformed, "enclave identity: " + message);
}

Status Unavailable(const std::string& message) {
  return Status(StatusCode::kFailedPrecondition, message, reasons::kPlatformUnavailable);
}

}  // namespace

std::array<uint8_t, 16> EnclaveIdentity::DefaultAttributes(bool debug) {
  std::array<uint8_t, 16> a{};
  a[0] = static_cast<uint8_t>(kFlagInit | kFlagMode64Bit | (debug ? kFlagDebug : 0));
  a[8] = 0x03;  // XFRM: x87 | SSE
  return a;
}

std::string EnclaveIdentity::ToJson() const {
  nlohmann::ordered_json j;
  j["mr_enclave"] = HexEncode(mr_enclave);
  j["mr_signer"] = HexEncode(mr_signer);
  j["product_id"] = product_id;
  j["isv_svn"] = isv_svn;
  j["attributes"] = HexEncode(attributes);
  j["debug"] = debug();
  return j.dump();
}

StatusOr<EnclaveIdentity> EnclaveIdentity::FromJson(std::string_view text) {
  auto parsed = vouch::internal::ParseStrictJsonDocument(text, internal::kMaxJsonDepth);
  if (!parsed.ok()) return IdentityError(parsed.status().message());
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return IdentityError("not a JSON object");
  static const std::set<std::string> kKeys = {"mr_enclave", "mr_signer",  "product_id",
                                              "isv_svn",    "attributes", "debug"};
  for (const auto& [key, value] : j.items()) {
    if (!kKeys.contains(key)) return IdentityError("unknown key \"" + key + "\"");
  }
  for (const std::string& key : kKeys) {
    if (!j.contains(key)) return IdentityError("missing \"" + key + "\"");
  }
  EnclaveIdentity id;
  auto field = [&](const char* key, auto result) -> Status {
    if (!result.ok())
      return IdentityError(std::string("\"") + key + "\": " + result.status().message());
    return OkStatus();
  };
  auto mr_enclave = vouch::internal::JsonHex<32>(j.at("mr_enclave"));
  VOUCH_RETURN_IF_ERROR(field("mr_enclave", mr_enclave));
  auto mr_signer = vouch::internal::JsonHex<32>(j.at("mr_signer"));
  VOUCH_RETURN_IF_ERROR(field("mr_signer", mr_signer));
  auto attributes = vouch::internal::JsonHex<16>(j.at("attributes"));
  VOUCH_RETURN_IF_ERROR(field("attributes", attributes));
  auto prod = vouch::internal::JsonUnsigned(j.at("product_id"), 65535);
  VOUCH_RETURN_IF_ERROR(field("product_id", prod));
  auto svn = vouch::internal::JsonUnsigned(j.at("isv_svn"), 65535);
  VOUCH_RETURN_IF_ERROR(field("isv_svn", svn));
  id.mr_enclave = *mr_enclave;
  id.mr_signer = *mr_signer;
  id.attributes = *attributes;
  id.product_id = static_cast<uint16_t>(*prod);
  id.isv_svn = static_cast<uint16_t>(*svn);
  if (!j.at("debug").is_boolean() || j.at("debug").get<bool>() != id.debug()) {
    return IdentityError("\"debug\" must be a boolean equal to the attributes' DEBUG bit");
  }
  return id;
}

std::string_view SealPolicyName(SealPolicy policy) {
  switch (policy) {
    case SealPolicy::kMrEnclave:
      return "mrenclave";
    case SealPolicy::kMrSigner:
      return "mrsigner";
  }
  return "?";
}

std::optional<SealPolicy> SealPolicyFromName(std::string_view name) {
  if (name == "mrenclave") return SealPolicy::kMrEnclave;
  if (name == "mrsigner") return SealPolicy::kMrSigner;
  return std::nullopt;
}

StatusOr<std::unique_ptr<Platform>> Platform::FromEnvironment() {
  EnvironmentOptions options;
  options.getenv = [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  options.clock = &RealClock();
  return FromEnvironment(options);
}

StatusOr<std::unique_ptr<Platform>> Platform::FromEnvironment(const EnvironmentOptions& options) {
  auto env = [&](std::string_view name) -> std::optional<std::string> {
    if (!options.getenv) return std::nullopt;
    return options.getenv(name);
  };
  std::optional<std::string> kind = env(kEnvPlatform);
  if (!kind) {
    std::string dir = env(kEnvGramineDir).value_or(kGramineAttestationDir);
    struct stat st;
    if (::stat((dir + "/attestation_type").c_str(), &st) == 0) {
      kind = "gramine";
    } else {
      return Unavailable(
          "not running as an enclave: no VOUCH_PLATFORM and no Gramine attestation directory; "
          "start the program with `vouch enclave run`");
    }
  }
  std::optional<EnclaveIdentity> identity;
  if (auto text = env(kEnvIdentity)) {
    VOUCH_ASSIGN_OR_RETURN(identity, EnclaveIdentity::FromJson(*text));
  }
  if (*kind == "sim") {
    auto dir = env(kEnvSimDir);
    if (!dir || dir->empty()) return Unavailable("VOUCH_PLATFORM=sim needs VOUCH_SIM_DIR");
    if (!identity) return Unavailable("VOUCH_PLATFORM=sim needs VOUCH_ENCLAVE_IDENTITY");
    VOUCH_ASSIGN_OR_RETURN(SimInstallation installation, SimInstallation::Open(*dir));
    return NewSimPlatform(std::make_shared<const SimInstallation>(std::move(installation)),
                          *identity);
  }
  if (*kind == "mock") {
    MockPlatformOptions mock;
    if (identity) {
      mock.code_hash = identity->mr_enclave;
      mock.product_id = identity->product_id;
      mock.isv_svn = identity->isv_svn;
    }
    if (options.clock == nullptr) return InvalidArgumentError("EnvironmentOptions: no clock");
    mock.created_at = options.clock->Now();
    return NewMockPlatform(std::move(mock));
  }
  if (*kind == "gramine") {
    return NewGraminePlatform(env(kEnvGramineDir).value_or(kGramineAttestationDir));
  }
  return MalformedError(reasons::kPlatformMalformed,
                        "VOUCH_PLATFORM must be sim, mock or gramine, not \"" + *kind + "\"");
}

namespace internal {

Status CheckSealKeyRequest(const EnclaveIdentity& identity, const SealKeyRequest& request) {
  if (request.policy != SealPolicy::kMrEnclave && request.policy != SealPolicy::kMrSigner) {
    return InvalidArgumentError("unknown seal policy");
  }
  if (request.isv_svn > identity.isv_svn) {
    return RejectedError(reasons::kSealSvnTooNew,
                         "a key for ISV SVN " + std::to_string(request.isv_svn) +
                             " cannot be derived by an enclave with ISV SVN " +
                             std::to_string(identity.isv_svn) +
                             " (as with SGX EGETKEY, only the own SVN and lower ones)");
  }
  return OkStatus();
}

Bytes SealKeyInfo(const EnclaveIdentity& identity, const SealKeyRequest& request) {
  ByteWriter info;
  info.WriteBytes(AsBytes(kSealInfoLabel));
  info.WriteU8(static_cast<uint8_t>(request.policy));
  info.WriteBytes(request.policy == SealPolicy::kMrEnclave ? identity.mr_enclave
                                                           : identity.mr_signer);
  info.WriteU16Le(identity.product_id);
  info.WriteU16Le(request.isv_svn);
  info.WriteU8(identity.debug() ? 1 : 0);
  info.WriteBytes(request.key_id);
  return std::move(info).Finish();
}

StatusOr<SecretBytes> DeriveSealKey(ByteSpan ikm, std::string_view salt,
                                    const EnclaveIdentity& identity,
                                    const SealKeyRequest& request) {
  VOUCH_RETURN_IF_ERROR(CheckSealKeyRequest(identity, request));
  return HkdfSha256(ikm, AsBytes(salt), SealKeyInfo(identity, request), 32);
}

sgx::ReportBody MakeReportBody(const EnclaveIdentity& identity, const ReportData& report_data,
                               const std::array<uint8_t, 16>& cpu_svn) {
  sgx::ReportBody b;
  b.cpu_svn = cpu_svn;
  b.attributes = identity.attributes;
  b.mr_enclave = identity.mr_enclave;
  b.mr_signer = identity.mr_signer;
  b.isv_prod_id = identity.product_id;
  b.isv_svn = identity.isv_svn;
  b.report_data = report_data;
  return b;
}

}  // namespace internal
}  // namespace vouch::platform

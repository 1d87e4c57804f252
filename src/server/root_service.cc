#include "vouch/server/root_service.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "vouch/base/encoding.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/govern/statement.h"

namespace vouch::server {
namespace {

std::string_view EvidenceFormatName(platform::EvidenceFormat format) {
  return format == platform::EvidenceFormat::kDcapQuote ? "dcap-quote" : "mock-eii";
}

std::string IdentityJson(const platform::Platform& platform, const EnclaveKey& key,
                         const Bytes& quote) {
  nlohmann::ordered_json j;
  j["platform"] = std::string(platform.name());
  j["mode"] = std::string(EnclaveModeName(platform.mode()));
  j["identity"] = nlohmann::ordered_json::parse(platform.identity().ToJson());
  // The form of a root set's roots[].key (spec/governance.md §1.3).
  j["key"] = {{"keyid", key.KeyId()}, {"spki", Base64Encode(key.spki_der())}};
  j["keyid"] = key.KeyId();
  j["binding"] = {
      {"tag", govern::kRootKeyBindingTag},
      {"report_data", HexEncode(key.BindingReportData(govern::kRootKeyBindingTag))},
      {"evidence_format", std::string(EvidenceFormatName(platform.evidence_format()))},
      {"quote", Base64Encode(quote)},
  };
  return j.dump() + "\n";
}

}  // namespace

RootService::RootService(std::unique_ptr<platform::Platform> platform,
                         std::unique_ptr<EnclaveKey> key, Bytes quote)
    : platform_(std::move(platform)),
      key_(std::move(key)),
      quote_(std::move(quote)),
      identity_json_(IdentityJson(*platform_, *key_, quote_)) {}

StatusOr<std::unique_ptr<RootService>> RootService::Create(
    std::unique_ptr<platform::Platform> platform, const std::string& data_dir) {
  VOUCH_ASSIGN_OR_RETURN(
      std::unique_ptr<EnclaveKey> key,
      EnclaveKey::LoadOrCreate(*platform, data_dir + "/" + kRootKeyFileName, kRootKeyPurpose));
  auto quote = key->BindingQuote(govern::kRootKeyBindingTag);
  if (!quote.ok()) return quote.status().WithContext("cannot quote the root key's binding");
  return std::unique_ptr<RootService>(
      new RootService(std::move(platform), std::move(key), *std::move(quote)));
}

http::HttpResponse RootService::GetIdentity(const http::HttpRequest& /*request*/) const {
  return http::HttpResponse::Json(200, identity_json_);
}

http::Router RootService::Routes() const {
  http::Router router;
  router.Handle("GET", "/identity", [this](const http::HttpRequest& r) { return GetIdentity(r); });
  return router;
}

}  // namespace vouch::server

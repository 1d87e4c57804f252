#include "vouch/server/root_service.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "server/rechecker.h"
#include "server/self_check_json.h"
#include "vouch/base/encoding.h"
#include "vouch/base/mutex.h"
#include "vouch/base/rate_limiter.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/statement.h"
#include "vouch/server/log_service.h"
#include "vouch/server/root_client.h"
#include "vouch/sgx/collateral.h"

namespace vouch::server {
namespace internal {

// The rate limit of POST /sign and the recheck thread.
struct RootServiceState {
  // POST /sign's token bucket: one key for all callers. Set by Create before the service is
  // shared; thread-safe itself.
  std::unique_ptr<KeyedRateLimiter> sign_limiter;
  // Last: stopped first.
  std::unique_ptr<Rechecker> rechecks;
};

}  // namespace internal

namespace {

http::HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  return http::HttpResponse::Json(status, FormatAddError(code, message));
}

std::string StatusJson(const RootStatus& st) {
  nlohmann::ordered_json j;
  j["signing"] = st.check.ok();
  j["bootstrap"] = st.bootstrap;
  internal::AddSelfCheckJson(j, st.check, st.checked_size, st.checked_at, st.admitted_by);
  j["receipt"] = st.receipt;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view EvidenceFormatName(platform::EvidenceFormat format) {
  return format == platform::EvidenceFormat::kDcapQuote ? "dcap-quote" : "mock-eii";
}

// The collateral the root verifies its own quote with (self-check step 2), if it has some now.
std::optional<sgx::Collateral> CollateralNow(const RootServiceOptions& options,
                                             const Bytes& quote) {
  if (!options.collateral || options.ledger.clock == nullptr) return std::nullopt;
  auto collateral = options.collateral(quote, options.ledger.clock->Now());
  if (!collateral.ok()) return std::nullopt;
  return *std::move(collateral);
}

std::string IdentityJson(const platform::Platform& platform, const EnclaveKey& key,
                         const Bytes& quote, const std::optional<sgx::Collateral>& collateral) {
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
  // The files of a collateral directory (docs/collateral.md), so that anyone can check the
  // quote with `vouch sgx verify`; the trust root is never the root's to give.
  if (collateral) {
    nlohmann::ordered_json files = nlohmann::ordered_json::object();
    for (const auto& [name, data] : sgx::CollateralFiles(*collateral)) {
      files[name] = Base64Encode(data);
    }
    j["binding"]["collateral"] = std::move(files);
  }
  return j.dump() + "\n";
}

}  // namespace

RootService::RootService(std::unique_ptr<platform::Platform> platform,
                         std::unique_ptr<EnclaveKey> key, Bytes quote, RootServiceOptions options)
    : platform_(std::move(platform)),
      key_(std::move(key)),
      quote_(std::move(quote)),
      identity_json_(IdentityJson(*platform_, *key_, quote_, CollateralNow(options, quote_))),
      options_(std::move(options)),
      state_(std::make_unique<internal::RootServiceState>()) {}

RootService::~RootService() {
  // The recheck thread uses signer_: stop it first.
  state_->rechecks.reset();
}

StatusOr<std::unique_ptr<RootService>> RootService::Create(
    std::unique_ptr<platform::Platform> platform, std::unique_ptr<EnclaveKey> key,
    RootServiceOptions options) {
  auto quote = key->BindingQuote(govern::kRootKeyBindingTag);
  if (!quote.ok()) return quote.status().WithContext("cannot quote the root key's binding");
  auto service = std::unique_ptr<RootService>(
      new RootService(std::move(platform), std::move(key), *std::move(quote), std::move(options)));
  const RootServiceOptions& o = service->options_;

  RootSignerOptions signer;
  signer.self_check.role = govern::Role::kRoot;
  signer.self_check.platform = service->platform_.get();
  signer.self_check.service_spki = ToBytes(service->key_->spki_der());
  signer.self_check.report_data = service->key_->BindingReportData(govern::kRootKeyBindingTag);
  signer.self_check.verifier = o.verifier;
  signer.self_check.collateral = o.collateral;
  signer.self_check.integrity_check = o.integrity_check;
  signer.self_check.ledger = o.ledger;
  signer.key = &service->key_->signer();
  signer.attester = o.attester;
  signer.bootstrap = o.bootstrap;
  signer.high_water_mark_path = o.high_water_mark_path;
  VOUCH_ASSIGN_OR_RETURN(service->signer_, RootSigner::Create(*o.log, std::move(signer)));
  if (o.on_check) o.on_check(service->signer_->status().check);

  internal::RootServiceState& st = *service->state_;
  VOUCH_ASSIGN_OR_RETURN(
      st.sign_limiter,
      KeyedRateLimiter::Create({.rate = o.sign_rate, .burst = o.sign_burst, .max_keys = 1},
                               *o.ledger.clock));
  RootSigner* root = service->signer_.get();
  st.rechecks = std::make_unique<internal::Rechecker>(
      *o.ledger.clock, o.recheck_interval, root->status().check, [root] { return root->Recheck(); },
      o.on_check);
  return service;
}

http::HttpResponse RootService::GetIdentity(const http::HttpRequest& /*request*/) const {
  // The static identity with the signer's current status appended.
  std::string body = identity_json_.substr(0, identity_json_.rfind('}'));
  body += ",\"status\":" + StatusJson(signer_->status()) + "}\n";
  return http::HttpResponse::Json(200, std::move(body));
}

http::HttpResponse RootService::PostSign(const http::HttpRequest& request) {
  const std::string type(request.headers.Get("Content-Type").value_or(""));
  if (type.substr(0, type.find(';')) != dsse::kInTotoPayloadType) {
    return ErrorResponse(
        415, "request_malformed",
        std::string("POST /sign takes a statement as ") + dsse::kInTotoPayloadType);
  }
  if (!state_->sign_limiter->Admit("").admitted) {
    http::HttpResponse r = ErrorResponse(429, "rate_limited", "too many proposals; retry later");
    r.headers.Set("Retry-After", "1");
    return r;
  }
  auto sig = signer_->Sign(AsBytes(request.body));
  if (sig.ok()) return http::HttpResponse::Json(200, FormatSignResponse(*sig));
  const Status& e = sig.status();
  const std::string code = e.reason().empty() ? "internal" : e.reason();
  if (e.code() == StatusCode::kPermissionDenied || e.code() == StatusCode::kInvalidArgument) {
    return ErrorResponse(422, code, e.message());
  }
  if (e.code() == StatusCode::kUnavailable || e.code() == StatusCode::kDeadlineExceeded) {
    return ErrorResponse(503, e.reason() == kSelfCheckFailed ? kSelfCheckFailed : code,
                         e.message());
  }
  return ErrorResponse(500, "internal", e.message());
}

http::Router RootService::Routes() {
  http::Router router;
  router.Handle("GET", "/identity", [this](const http::HttpRequest& r) { return GetIdentity(r); });
  router.Handle("POST", "/sign", [this](const http::HttpRequest& r) { return PostSign(r); });
  return router;
}

}  // namespace vouch::server

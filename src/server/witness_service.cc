#include "vouch/server/witness_service.h"

#include "vouch/base/encoding.h"

namespace vouch::server {
namespace {

http::HttpResponse ToHttp(const tlog::WitnessResponse& r) {
  http::HttpResponse out;
  out.status = r.status;
  out.body = r.body;
  out.headers.Set("Content-Type", r.content_type.empty()
                                      ? std::string(tlog::kWitnessTextContentType)
                                      : r.content_type);
  out.headers.Set("Cache-Control", "no-store");
  return out;
}

}  // namespace

http::HttpResponse WitnessService::AddCheckpoint(const http::HttpRequest& request) const {
  auto parsed = tlog::AddCheckpointRequest::Parse(request.body);
  if (!parsed.ok()) return ToHttp(tlog::Witness::RequestParseFailure(parsed.status()));
  const std::string& origin = parsed->checkpoint().checkpoint().origin();
  // Signature verification and cosigning need no state: do them here, concurrently with other
  // requests, and keep only the comparison with the stored state inside the store's
  // transaction (which group commit runs on one thread for many requests).
  auto prepared = witness_.Prepare(*parsed, static_cast<uint64_t>(clock_.Now()));
  if (!prepared.ok()) return http::HttpResponse::Text(500, "witness internal error\n");
  if (prepared->early) return ToHttp(*prepared->early);
  auto response = store_->Update(origin, [&](const std::optional<tlog::WitnessState>& stored) {
    return StatusOr<tlog::WitnessResponse>(witness_.Decide(*prepared, stored));
  });
  if (!response.ok()) {
    return http::HttpResponse::Text(500, "witness state unavailable\n");
  }
  return ToHttp(*response);
}

http::HttpResponse WitnessService::GetCheckpoint(const http::HttpRequest& request) const {
  // "/<64 hex>/checkpoint"
  constexpr std::string_view kSuffix = "/checkpoint";
  std::string_view path = request.path;
  if (path.size() != 1 + 64 + kSuffix.size() || path.substr(65) != kSuffix) {
    return http::HttpResponse::Text(404, "not found\n");
  }
  std::string_view hash = path.substr(1, 64);
  for (const auto& log : witness_.logs()) {
    if (tlog::OriginHash(log.origin) != hash) continue;
    auto state = store_->Get(log.origin);
    if (!state.ok()) return http::HttpResponse::Text(500, "witness state unavailable\n");
    if (!*state) return http::HttpResponse::Text(404, "no checkpoint cosigned for this log yet\n");
    auto out = http::HttpResponse::Text(200, (*state)->note);
    out.headers.Set("Cache-Control", "no-cache");
    return out;
  }
  return http::HttpResponse::Text(404, "unknown log\n");
}

http::Router WitnessService::Routes() const {
  http::Router router;
  router.Handle("POST", "/add-checkpoint",
                [this](const http::HttpRequest& r) { return AddCheckpoint(r); });
  router.HandlePrefix("GET", "/", [this](const http::HttpRequest& r) { return GetCheckpoint(r); });
  return router;
}

}  // namespace vouch::server

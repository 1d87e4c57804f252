#include "vouch/witness/witness_service.h"

#include "vouch/base/encoding.h"

namespace vouch::witness {
namespace {

constexpr std::string_view kKeyPrefix = "PRIVATE+KEY+";
constexpr uint8_t kCosignatureKeyType = 0x04;

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

std::string FormatWitnessKeyFile(std::string_view name, ByteSpan seed32) {
  auto signer = tlog::CosignatureV1Signer::FromSeed(name, seed32);
  if (!signer.ok()) return {};
  Bytes key{kCosignatureKeyType};
  Append(key, seed32);
  std::string out = std::string(kKeyPrefix) + std::string(name) + "+" +
                    tlog::KeyIdHex(signer->verifier_key().key_id()) + "+" + Base64Encode(key) +
                    "\n";
  SecureWipe(key.data(), key.size());
  return out;
}

StatusOr<tlog::CosignatureV1Signer> ParseWitnessKeyFile(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto fail = [](const std::string& why) {
    return InvalidArgumentError("witness key file: " + why +
                                " (expected PRIVATE+KEY+<name>+<keyid>+<base64>)");
  };
  if (text.substr(0, kKeyPrefix.size()) != kKeyPrefix) return fail("missing PRIVATE+KEY+ prefix");
  text.remove_prefix(kKeyPrefix.size());
  // Names cannot contain '+' but base64 can, so split from the left.
  size_t middle = text.find('+');
  if (middle == std::string_view::npos || middle == 0) return fail("missing name");
  size_t last = text.find('+', middle + 1);
  if (last == std::string_view::npos) return fail("missing key ID or key");
  std::string_view name = text.substr(0, middle);
  std::string_view key_id = text.substr(middle + 1, last - middle - 1);
  auto key = Base64Decode(text.substr(last + 1));
  if (!key.ok() || key->size() != 33 || (*key)[0] != kCosignatureKeyType) {
    if (key.ok()) SecureWipe(key->data(), key->size());
    return fail("the key is not base64 of a 0x04 type byte and a 32-byte seed");
  }
  auto signer = tlog::CosignatureV1Signer::FromSeed(name, ByteSpan(*key).subspan(1));
  SecureWipe(key->data(), key->size());
  if (!signer.ok()) return signer.status();
  if (tlog::KeyIdHex(signer->verifier_key().key_id()) != key_id) {
    return fail("key ID " + std::string(key_id) + " does not match the key");
  }
  return signer;
}

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

}  // namespace vouch::witness

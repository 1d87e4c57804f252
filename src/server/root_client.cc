#include "vouch/server/root_client.h"

#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "vouch/base/encoding.h"

namespace vouch::server {
namespace {

bool IsLowerHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The root's {"error":CODE,"message":TEXT}, or the status line when the body is not that.
std::pair<std::string, std::string> ErrorOf(const http::HttpResponse& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_string() && j.contains("message") &&
      j["message"].is_string()) {
    std::string message = j["message"].get<std::string>();
    if (message.size() > 500) message = message.substr(0, 500) + "...";
    return {j["error"].get<std::string>(), message};
  }
  return {"", std::string(http::StatusReason(r.status))};
}

}  // namespace

std::string FormatSignResponse(const dsse::Signature& signature) {
  nlohmann::ordered_json j;
  j["keyid"] = signature.keyid;
  j["sig"] = Base64Encode(signature.sig);
  return j.dump() + "\n";
}

StatusOr<dsse::Signature> ParseSignResponse(std::string_view body) {
  auto bad = [](const std::string& why) {
    return MalformedError(kSignResponseMalformed, "malformed answer to POST /sign: " + why);
  };
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.size() != 2 || !j.contains("keyid") || !j.contains("sig") ||
      !j["keyid"].is_string() || !j["sig"].is_string()) {
    return bad("not {\"keyid\":HEX,\"sig\":BASE64}");
  }
  dsse::Signature s;
  s.keyid = j["keyid"].get<std::string>();
  if (!IsLowerHex64(s.keyid)) return bad("keyid is not 64 lower-case hex digits");
  auto sig = Base64Decode(j["sig"].get<std::string>());
  if (!sig.ok() || sig->empty()) return bad("sig is not non-empty base64");
  s.sig = std::move(sig).value();
  return s;
}

StatusOr<RootClient> RootClient::Create(std::string_view base_url, http::Client& client,
                                        std::chrono::milliseconds timeout) {
  VOUCH_ASSIGN_OR_RETURN(std::string base, http::ServiceBaseUrl(base_url, "root"));
  return RootClient(std::move(base), client, timeout);
}

StatusOr<dsse::Signature> RootClient::Sign(ByteSpan statement) const {
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r,
                         client_->Post(base_ + "/sign", AsStringView(statement),
                                       dsse::kInTotoPayloadType, {}, timeout_));
  if (r.status == 200) return ParseSignResponse(r.body);
  auto [code, message] = ErrorOf(r);
  std::string text = "root " + base_ + " refused to sign (" + std::to_string(r.status) +
                     (code.empty() ? "" : " " + code) + "): " + message;
  if (r.status >= 400 && r.status < 500 && !code.empty()) return RejectedError(code, text);
  if (r.status >= 400 && r.status < 500) return RejectedError("sign_refused", text);
  return Status(StatusCode::kUnavailable, text, code);
}

StatusOr<std::string> RootClient::Identity() const {
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r, client_->Get(base_ + "/identity", {}, timeout_));
  if (r.status == 200) return std::move(r.body);
  auto [code, message] = ErrorOf(r);
  return Status(StatusCode::kUnavailable,
                "GET " + base_ + "/identity answered " + std::to_string(r.status) + ": " + message,
                code);
}

std::vector<RootAnswer> CollectSignatures(const std::vector<const RootClient*>& roots,
                                          ByteSpan statement) {
  std::vector<RootAnswer> answers;
  answers.reserve(roots.size());
  for (const RootClient* root : roots) {
    answers.push_back({root->base_url(), UnavailableError("not asked")});
  }
  std::vector<std::thread> threads;
  threads.reserve(roots.size());
  for (size_t i = 0; i < roots.size(); ++i) {
    // Each thread writes only its own answer.
    threads.emplace_back(
        [&answers, &roots, statement, i] { answers[i].signature = roots[i]->Sign(statement); });
  }
  for (std::thread& t : threads) t.join();
  return answers;
}

}  // namespace vouch::server

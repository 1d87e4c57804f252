#include "http/in_process_client.h"

#include <utility>

namespace vouch::http {

void InProcessClient::Route(const std::string& origin, Handler handler) {
  MutexLock lock(&mu_);
  targets_[origin].handler = std::move(handler);
}

void InProcessClient::SetDown(const std::string& origin, bool down) {
  MutexLock lock(&mu_);
  targets_[origin].down = down;
}

int InProcessClient::requests(const std::string& origin) const {
  MutexLock lock(&mu_);
  auto it = targets_.find(origin);
  return it == targets_.end() ? 0 : it->second.requests;
}

StatusOr<HttpResponse> InProcessClient::Send(std::string_view method, std::string_view url,
                                             std::string_view body, std::string_view content_type,
                                             const Headers& headers,
                                             std::chrono::milliseconds /*timeout*/) {
  const std::string what = std::string(method) + " " + std::string(url);
  StatusOr<Url> parsed = Url::Parse(url);
  if (!parsed.ok()) return parsed.status().WithContext(what);
  const std::string origin = parsed->scheme + "://" + parsed->HostHeader();
  Handler handler;
  {
    MutexLock lock(&mu_);
    auto it = targets_.find(origin);
    if (it == targets_.end() || it->second.down || !it->second.handler) {
      return UnavailableError(what + ": cannot connect to " + parsed->HostHeader());
    }
    ++it->second.requests;
    handler = it->second.handler;
  }
  HttpRequest request;
  request.method = std::string(method);
  request.target = parsed->target;
  const size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) {
    request.raw_query = request.target.substr(question + 1);
    VOUCH_ASSIGN_OR_RETURN(request.query, ParseQuery(request.raw_query));
  }
  request.headers = headers;
  request.headers.Set("Host", parsed->HostHeader());
  if (!content_type.empty()) request.headers.Set("Content-Type", std::string(content_type));
  request.body = std::string(body);
  request.remote_address = "in-process";
  HttpResponse response = handler(request);
  if (method == "HEAD") response.body.clear();
  return response;
}

}  // namespace vouch::http

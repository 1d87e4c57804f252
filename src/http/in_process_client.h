// Test support (target vouch::http_testing): an http::Client that answers in-process, so that
// a service's clients (the log client, the checkpoint publisher's witness calls, the PCS
// client) are tested against the real service handlers without sockets or timing:
//
//   InProcessClient client;
//   client.Route("http://w0.test", witness_service.Routes());
//   HttpWitnessTransport transport(client);   // POSTs reach the witness's Router directly
//
// A request is built as the server would present it (method, target, path, query, headers,
// body) and handed to the handler of its URL's scheme://host[:port]; a URL without a route
// fails as an unreachable server does (kUnavailable). The timeout is not enforced: handlers
// answer when they return.
//
// Thread-safety: thread-safe; handlers run on the calling thread and must be thread-safe.
#ifndef VOUCH_HTTP_IN_PROCESS_CLIENT_H_
#define VOUCH_HTTP_IN_PROCESS_CLIENT_H_

#include <map>
#include <string>

#include "vouch/base/mutex.h"
#include "vouch/http/http_client.h"

namespace vouch::http {

class InProcessClient final : public Client {
 public:
  // Requests to `origin` ("http://host[:port]", as Url::HostHeader writes it) go to `handler`.
  void Route(const std::string& origin, Handler handler) VOUCH_EXCLUDES(mu_);
  // Requests to `origin` fail with kUnavailable, as if it were down (or answer again).
  void SetDown(const std::string& origin, bool down) VOUCH_EXCLUDES(mu_);
  // How many requests reached the handler of `origin`.
  int requests(const std::string& origin) const VOUCH_EXCLUDES(mu_);

  StatusOr<HttpResponse> Send(std::string_view method, std::string_view url, std::string_view body,
                              std::string_view content_type, const Headers& headers,
                              std::chrono::milliseconds timeout) override VOUCH_EXCLUDES(mu_);

 private:
  struct Target {
    Handler handler;
    bool down = false;
    int requests = 0;
  };
  mutable Mutex mu_;
  std::map<std::string, Target> targets_ VOUCH_GUARDED_BY(mu_);
};

}  // namespace vouch::http

#endif  // VOUCH_HTTP_IN_PROCESS_CLIENT_H_

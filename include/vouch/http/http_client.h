// The client side of HTTP as Vouch's clients use it (the log client, the checkpoint publisher's
// witness calls, the PCS client): `Client`, an interface with one blocking call, so that tests
// can answer in-process (http/in_process_client.h); and `HttpClient`, the real one:
//
// A small blocking HTTP/1.1 client (RFC 9112) for http:// and https:// URLs, built on
// Boost.Beast; TLS is Boost.Asio SSL over OpenSSL, verifying the server's certificate chain
// against the system's default CA paths (plus an optional CA file) and its name (or IP address)
// against the URL's host.
//
// Each call is bounded by its `timeout`, which covers connecting, the TLS handshake, sending
// the request and receiving the whole response (host-name lookup is bounded by the system
// resolver, which cannot be interrupted). Redirects are not followed: a 3xx is returned as is.
// Idle keep-alive connections are pooled per scheme://host:port and reused; a pooled
// connection that the server has closed is detected before use, and a request that fails on a
// reused connection is retried once on a fresh one when its method is idempotent.
//
// Errors (each message names the method and URL):
//   kInvalidArgument    the URL or a header is malformed, or the scheme is not http/https
//   kUnavailable        host lookup failed, connection refused/reset, TLS handshake or
//                       certificate verification failed, the response is not valid HTTP
//   kDeadlineExceeded   `timeout` elapsed
//   kResourceExhausted  the response's header section or body exceeds the configured limit
//
// Thread safety: thread-safe; one client may be shared by many threads (each call uses its own
// connection).
#ifndef VOUCH_HTTP_HTTP_CLIENT_H_
#define VOUCH_HTTP_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http.h"

namespace vouch::http {

namespace internal {
class ClientImpl;
}  // namespace internal

inline constexpr std::chrono::milliseconds kDefaultClientTimeout{30'000};

struct ClientOptions {
  size_t max_response_body_bytes = size_t{64} << 20;  // 64 MiB
  size_t max_response_header_bytes = size_t{64} << 10;
  // Sent unless the caller passes its own User-Agent.
  std::string user_agent = "vouch-http/1";
  // https: a PEM file of additional trusted CAs (e.g. a private PKI or a test CA).
  std::string ca_file;
  // https: also trust the system's default CA paths.
  bool use_system_ca = true;
  // Idle keep-alive connections kept per scheme://host:port (0 disables reuse).
  size_t max_idle_connections_per_host = 4;
  // An idle pooled connection older than this is closed rather than reused.
  std::chrono::milliseconds idle_connection_timeout{20'000};
  // Measures timeouts and idle times. Borrowed: must outlive the client.
  const Clock* clock = &RealClock();
};

// One request, one response, bounded by `timeout`; the errors listed above.
class Client {
 public:
  virtual ~Client() = default;

  // Any method. `body` is sent with Content-Length when non-empty or when the method is POST or
  // PUT; `content_type` is omitted when empty. Host, Content-Length, Transfer-Encoding and
  // Connection are set by the client; other caller headers are sent as given.
  virtual StatusOr<HttpResponse> Send(std::string_view method, std::string_view url,
                                      std::string_view body, std::string_view content_type,
                                      const Headers& headers,
                                      std::chrono::milliseconds timeout) = 0;

  StatusOr<HttpResponse> Get(std::string_view url, const Headers& headers = {},
                             std::chrono::milliseconds timeout = kDefaultClientTimeout) {
    return Send("GET", url, {}, {}, headers, timeout);
  }
  StatusOr<HttpResponse> Post(std::string_view url, std::string_view body,
                              std::string_view content_type, const Headers& headers = {},
                              std::chrono::milliseconds timeout = kDefaultClientTimeout) {
    return Send("POST", url, body, content_type, headers, timeout);
  }
};

class HttpClient final : public Client {
 public:
  using Options = ClientOptions;

  HttpClient();
  explicit HttpClient(Options options);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient() override;

  StatusOr<HttpResponse> Send(std::string_view method, std::string_view url, std::string_view body,
                              std::string_view content_type, const Headers& headers,
                              std::chrono::milliseconds timeout) override;

 private:
  std::unique_ptr<internal::ClientImpl> impl_;
};

}  // namespace vouch::http

#endif  // VOUCH_HTTP_HTTP_CLIENT_H_

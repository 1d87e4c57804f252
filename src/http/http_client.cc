// HttpClient: blocking calls over Boost.Beast. Every connection owns a single-threaded
// io_context that the calling thread runs until the call's operations finish; Beast's
// tcp_stream deadline bounds each step, and closing the socket on expiry ends every pending
// operation. See vouch/http/http_client.h.
#include "vouch/http/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "http/http_beast.h"
#include "vouch/base/mutex.h"

namespace vouch::http {
namespace internal {
namespace {

namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using ClientRequest = bhttp::request<bhttp::string_body>;
using ClientResponse = bhttp::response<bhttp::string_body>;

// Idle connections kept across all hosts.
constexpr size_t kMaxIdleConnectionsTotal = 64;

Status DeadlineExceededError(std::string message) {
  return Status(StatusCode::kDeadlineExceeded, std::move(message));
}

beast::string_view Bsv(std::string_view s) { return beast::string_view(s.data(), s.size()); }

bool IsToken(std::string_view s) { return IsValidHeaderField(s, ""); }

bool IsIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category();
}

// One connection and the io_context its operations run on (declared first, destroyed last).
struct ClientConnection {
  explicit ClientConnection(std::string pool_key) : key(std::move(pool_key)) {}

  net::io_context ioc{1};
  std::optional<beast::tcp_stream> tcp;
  std::optional<ssl::stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  std::string key;
  Clock::SteadyTime idle_since{};

  beast::tcp_stream& lowest() { return tls ? tls->next_layer() : *tcp; }
  void RunIo() {
    ioc.restart();
    ioc.run();
  }
};

struct ExchangeOutcome {
  std::optional<ClientResponse> response;
  bool keep_alive = false;
  beast::error_code read_ec;
  beast::error_code write_ec;
};

// Sends `request` while reading the response concurrently, so that a server answering early
// (e.g. 413 before reading a large body) is heard. Interim 1xx responses are skipped.
// Arms `stream`'s timer for `deadline`, a time on `clock`.
void ExpireAt(beast::tcp_stream& stream, const Clock& clock, Clock::SteadyTime deadline) {
  stream.expires_after(deadline - clock.SteadyNow());
}

template <class Stream>
ExchangeOutcome Exchange(Stream& stream, ClientConnection& c, const ClientRequest& request,
                         bool head, Clock::SteadyTime deadline, const ClientOptions& options) {
  ExchangeOutcome out;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  auto new_parser = [&] {
    parser.emplace();
    parser->body_limit(static_cast<std::uint64_t>(options.max_response_body_bytes));
    parser->header_limit(static_cast<std::uint32_t>(std::min<size_t>(
        options.max_response_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    if (head) parser->skip(true);
  };
  new_parser();

  bool write_done = false;
  bool read_done = false;
  ExpireAt(c.lowest(), *options.clock, deadline);
  bhttp::async_write(stream, request, [&](beast::error_code ec, size_t) {
    write_done = true;
    out.write_ec = ec;
  });
  auto finish = [&](beast::error_code ec) {
    read_done = true;
    out.read_ec = ec;
    if (!write_done) {
      // The server answered before taking the whole request: stop sending.
      beast::error_code ignored;
      c.lowest().socket().cancel(ignored);
    }
  };
  // The header is read on its own first: Beast 1.74's eager full-message read loses the
  // body_limit error when the header and the first body bytes arrive in one read.
  std::function<void()> start_read = [&] {
    bhttp::async_read_header(stream, c.buffer, *parser, [&](beast::error_code ec, size_t) {
      if (ec) return finish(ec);
      const unsigned status = parser->get().result_int();
      if (status >= 100 && status < 200 && status != 101) {
        new_parser();  // an interim response: the final one follows
        return start_read();
      }
      if (parser->is_done()) return finish(ec);
      bhttp::async_read(stream, c.buffer, *parser,
                        [&](beast::error_code body_ec, size_t) { finish(body_ec); });
    });
  };
  start_read();
  c.RunIo();

  if (read_done && !out.read_ec) {
    out.keep_alive = write_done && !out.write_ec && parser->keep_alive();
    out.response = parser->release();
  }
  return out;
}

// True when a pooled connection can carry another request: not too old, nothing unread, and
// the server has not closed it (a peek sees neither EOF nor stray bytes).
bool StillUsable(ClientConnection& c, const ClientOptions& options) {
  if (options.clock->SteadyNow() - c.idle_since > options.idle_connection_timeout ||
      c.buffer.size() != 0) {
    return false;
  }
  if (!c.lowest().socket().is_open()) return false;
  char byte;
  ssize_t n = ::recv(c.lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

HttpResponse ToHttpResponse(ClientResponse&& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

class ClientImpl {
 public:
  explicit ClientImpl(ClientOptions options) : options_(std::move(options)) {}

  StatusOr<HttpResponse> Send(std::string_view method, std::string_view url_text,
                              std::string_view body, std::string_view content_type,
                              const Headers& headers, std::chrono::milliseconds timeout);

 private:
  StatusOr<std::unique_ptr<ClientConnection>> Connect(const Url& url, const std::string& key,
                                                      Clock::SteadyTime deadline,
                                                      const std::string& what,
                                                      std::chrono::milliseconds timeout);
  StatusOr<ssl::context*> TlsContext();
  std::unique_ptr<ClientConnection> TakeIdle(const std::string& key);
  void PutIdle(std::unique_ptr<ClientConnection> connection);

  const ClientOptions options_;
  Mutex tls_mu_;
  std::unique_ptr<ssl::context> tls_context_ VOUCH_GUARDED_BY(tls_mu_);  // on first https use
  Mutex pool_mu_;
  std::map<std::string, std::vector<std::unique_ptr<ClientConnection>>> idle_
      VOUCH_GUARDED_BY(pool_mu_);
};

StatusOr<ssl::context*> ClientImpl::TlsContext() {
  MutexLock lock(&tls_mu_);
  if (tls_context_) return tls_context_.get();
  if (!options_.use_system_ca && options_.ca_file.empty()) {
    return InvalidArgumentError("https needs trusted CAs: set use_system_ca or ca_file");
  }
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    return InternalError("cannot require TLS 1.2");
  }
  beast::error_code ec;
  context->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return InternalError("cannot enable certificate verification: " + ec.message());
  if (options_.use_system_ca) {
    context->set_default_verify_paths(ec);
    if (ec) return UnavailableError("cannot load the system CA paths: " + ec.message());
  }
  if (!options_.ca_file.empty()) {
    context->load_verify_file(options_.ca_file, ec);
    if (ec) {
      return UnavailableError("cannot load CA file '" + options_.ca_file + "': " + ec.message());
    }
  }
  tls_context_ = std::move(context);
  return tls_context_.get();
}

StatusOr<std::unique_ptr<ClientConnection>> ClientImpl::Connect(const Url& url,
                                                                const std::string& key,
                                                                Clock::SteadyTime deadline,
                                                                const std::string& what,
                                                                std::chrono::milliseconds timeout) {
  auto c = std::make_unique<ClientConnection>(key);
  const std::string where = url.HostHeader();
  const std::string after = " after " + std::to_string(timeout.count()) + " ms";

  beast::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  const net::ip::address ip = net::ip::make_address(url.host, ec);
  const bool is_ip = !ec;
  if (is_ip) {
    endpoints.emplace_back(ip, url.port);
  } else {
    // getaddrinfo cannot be interrupted: the lookup is bounded by the system resolver.
    tcp::resolver resolver(c->ioc);
    auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
    if (ec || results.empty()) {
      return UnavailableError(what + ": cannot resolve host '" + url.host +
                              "': " + (ec ? ec.message() : std::string("no addresses")));
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  if (options_.clock->SteadyNow() >= deadline) {
    return DeadlineExceededError(what + ": timed out" + after);
  }

  ssl::context* tls_context = nullptr;
  if (url.is_https()) {
    StatusOr<ssl::context*> context = TlsContext();
    if (!context.ok()) return context.status().WithContext(what);
    tls_context = *context;
    c->tls.emplace(c->ioc, *tls_context);
  } else {
    c->tcp.emplace(c->ioc);
  }

  beast::tcp_stream& stream = c->lowest();
  ExpireAt(stream, *options_.clock, deadline);
  beast::error_code connect_ec;
  stream.async_connect(endpoints,
                       [&](beast::error_code e, const tcp::endpoint&) { connect_ec = e; });
  c->RunIo();
  if (connect_ec == beast::error::timeout) {
    return DeadlineExceededError(what + ": timed out connecting to " + where + after);
  }
  if (connect_ec) {
    return UnavailableError(what + ": cannot connect to " + where + ": " + connect_ec.message());
  }
  beast::error_code opt_ec;
  stream.socket().set_option(tcp::no_delay(true), opt_ec);

  if (c->tls) {
    SSL* ssl_handle = c->tls->native_handle();
    if (is_ip) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), url.host.c_str()) != 1) {
        return InternalError(what + ": cannot set the expected IP address");
      }
    } else {
      if (SSL_set_tlsext_host_name(ssl_handle, url.host.c_str()) != 1 ||
          SSL_set1_host(ssl_handle, url.host.c_str()) != 1) {
        return InternalError(what + ": cannot set the expected host name");
      }
    }
    c->tls->set_verify_mode(ssl::verify_peer, opt_ec);
    ExpireAt(stream, *options_.clock, deadline);
    beast::error_code handshake_ec;
    c->tls->async_handshake(ssl::stream_base::client,
                            [&](beast::error_code e) { handshake_ec = e; });
    c->RunIo();
    if (handshake_ec == beast::error::timeout) {
      return DeadlineExceededError(what + ": timed out in the TLS handshake" + after);
    }
    if (handshake_ec) {
      std::string message = handshake_ec.message();
      const auto verify = SSL_get_verify_result(ssl_handle);
      if (verify != X509_V_OK) {
        message += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
      }
      return UnavailableError(what + ": TLS handshake with " + where + " failed: " + message);
    }
  }
  return c;
}

std::unique_ptr<ClientConnection> ClientImpl::TakeIdle(const std::string& key) {
  MutexLock lock(&pool_mu_);
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  std::unique_ptr<ClientConnection> found;
  while (!it->second.empty() && !found) {
    std::unique_ptr<ClientConnection> c = std::move(it->second.back());
    it->second.pop_back();
    if (StillUsable(*c, options_)) found = std::move(c);
  }
  if (it->second.empty()) idle_.erase(it);
  return found;
}

void ClientImpl::PutIdle(std::unique_ptr<ClientConnection> connection) {
  if (options_.max_idle_connections_per_host == 0) return;
  const Clock::SteadyTime now = options_.clock->SteadyNow();
  connection->idle_since = now;
  MutexLock lock(&pool_mu_);
  size_t total = 0;
  for (auto it = idle_.begin(); it != idle_.end();) {
    std::erase_if(it->second, [&](const std::unique_ptr<ClientConnection>& c) {
      return now - c->idle_since > options_.idle_connection_timeout;
    });
    if (it->second.empty()) {
      it = idle_.erase(it);
    } else {
      total += it->second.size();
      ++it;
    }
  }
  std::vector<std::unique_ptr<ClientConnection>>& list = idle_[connection->key];
  if (list.size() >= options_.max_idle_connections_per_host) {
    list.erase(list.begin());  // the oldest
    --total;
  }
  if (total >= kMaxIdleConnectionsTotal) {
    if (list.empty()) idle_.erase(connection->key);
    return;
  }
  list.push_back(std::move(connection));
}

StatusOr<HttpResponse> ClientImpl::Send(std::string_view method, std::string_view url_text,
                                        std::string_view body, std::string_view content_type,
                                        const Headers& headers, std::chrono::milliseconds timeout) {
  const std::string what = std::string(method) + " " + std::string(url_text);
  StatusOr<Url> parsed = Url::Parse(url_text);
  if (!parsed.ok()) return parsed.status().WithContext(what);
  const Url url = std::move(*parsed);
  if (method.empty() || !IsToken(method)) {
    return InvalidArgumentError(what + ": invalid method");
  }
  if (timeout.count() <= 0) return InvalidArgumentError(what + ": timeout must be positive");
  if (!content_type.empty() && !IsValidHeaderField("Content-Type", content_type)) {
    return InvalidArgumentError(what + ": invalid content type");
  }
  const Clock::SteadyTime deadline = options_.clock->SteadyNow() + timeout;

  ClientRequest request;
  request.version(11);
  const bhttp::verb verb = bhttp::string_to_verb(Bsv(method));
  if (verb == bhttp::verb::unknown) {
    request.method_string(Bsv(method));
  } else {
    request.method(verb);
  }
  request.target(url.target);
  request.set(bhttp::field::host, url.HostHeader());
  for (const auto& [name, value] : headers) {
    if (!IsValidHeaderField(name, value)) {
      return InvalidArgumentError(what + ": invalid header field '" + name + "'");
    }
    if (EqualsIgnoreCase(name, "Host") || EqualsIgnoreCase(name, "Content-Length") ||
        EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Connection")) {
      continue;
    }
    request.insert(name, value);
  }
  if (!headers.Has("User-Agent") && !options_.user_agent.empty()) {
    request.set(bhttp::field::user_agent, options_.user_agent);
  }
  if (!content_type.empty()) request.set(bhttp::field::content_type, Bsv(content_type));
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request.body() = std::string(body);
    request.content_length(body.size());
  }
  const bool head = method == "HEAD";
  const std::string key = url.scheme + "://" + url.HostHeader();
  const std::string after = " after " + std::to_string(timeout.count()) + " ms";

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<ClientConnection> c = attempt == 0 ? TakeIdle(key) : nullptr;
    const bool reused = c != nullptr;
    if (!c) {
      StatusOr<std::unique_ptr<ClientConnection>> fresh =
          Connect(url, key, deadline, what, timeout);
      if (!fresh.ok()) return fresh.status();
      c = std::move(*fresh);
    }
    ExchangeOutcome out = c->tls ? Exchange(*c->tls, *c, request, head, deadline, options_)
                                 : Exchange(*c->tcp, *c, request, head, deadline, options_);
    if (out.response) {
      HttpResponse response = ToHttpResponse(std::move(*out.response));
      if (out.keep_alive) PutIdle(std::move(c));
      return response;
    }
    const beast::error_code& ec = out.read_ec ? out.read_ec : out.write_ec;
    if (ec == beast::error::timeout || out.write_ec == beast::error::timeout) {
      return DeadlineExceededError(what + ": timed out" + after);
    }
    if (reused && IsIdempotent(method) && IsDisconnect(ec) &&
        options_.clock->SteadyNow() < deadline) {
      continue;  // the server closed the idle connection as we reused it: try a fresh one
    }
    if (ec == bhttp::error::body_limit) {
      return ResourceExhaustedError(what + ": response body exceeds " +
                                    std::to_string(options_.max_response_body_bytes) + " bytes");
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return ResourceExhaustedError(what + ": response header section exceeds " +
                                    std::to_string(options_.max_response_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::end_of_stream) {
      return UnavailableError(what + ": the server closed the connection without a response");
    }
    if (IsHttpParseError(ec) && !IsDisconnect(ec)) {
      return UnavailableError(what + ": malformed HTTP response: " + ec.message());
    }
    return UnavailableError(what + ": " + ec.message());
  }
  return UnavailableError(what + ": the connection failed twice");
}

}  // namespace internal

HttpClient::HttpClient() : HttpClient(Options{}) {}

HttpClient::HttpClient(Options options)
    : impl_(std::make_unique<internal::ClientImpl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

StatusOr<HttpResponse> HttpClient::Send(std::string_view method, std::string_view url,
                                        std::string_view body, std::string_view content_type,
                                        const Headers& headers, std::chrono::milliseconds timeout) {
  try {
    return impl_->Send(method, url, body, content_type, headers, timeout);
  } catch (const std::exception& e) {
    return InternalError(std::string(method) + " " + std::string(url) + ": " + e.what());
  }
}

}  // namespace vouch::http

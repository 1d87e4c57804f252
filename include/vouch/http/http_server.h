// A small, defensive HTTP/1.1 server (RFC 9112) for Vouch's services, built on Boost.Beast.
//
// Threading model:
//   * `threads` I/O threads run one io_context. Every connection has its own strand, so its
//     reads, writes and timers never run concurrently; different connections run in parallel.
//   * Handlers never run on the I/O threads. Each complete request is handed to a handler pool
//     that grows on demand up to `max_handler_threads`; a handler may block (e.g. wait ~1 s for
//     a batch to be sequenced) without stalling other connections. When every handler thread is
//     busy, further requests wait in a FIFO queue (at most one per connection, since a
//     connection reads its next request only after its response is written). A handler thread
//     that has had no request for `handler_idle_timeout` exits: the pool shrinks after a burst.
//   * A handler that would wait for a long time (a submission waiting for its batch) can return
//     HttpResponse::Later(deferred) instead (http.h, DeferredResponse): its thread goes back to
//     the pool at once, the response is written when someone completes the deferred (or its
//     fallback when its timeout passes), and a connection closed or a server stopped meanwhile
//     abandons it. Waiting requests then cost a connection each, not a thread.
//   * Handlers run concurrently with each other and must be thread-safe.
//
// Hostile input: a malformed request (including an HTTP version other than 1.0/1.1) is answered
// 400, a body over `max_body_bytes` 413 (decided from Content-Length before the body is read, or
// while reading a chunked body), a header section over `max_header_bytes` 431 (so are a chunked
// body's chunk-size line with its extensions and its trailer section: the unparsed bytes held per
// connection never exceed `max_header_bytes`), an unsupported transfer coding 501, an Expect
// other than 100-continue 417; each of these closes the connection. A request that does not
// arrive within `read_timeout` (slowloris) or a connection idle for `idle_timeout` is closed
// without an answer. An exception thrown by a handler and an invalid response (bad status or
// header) become 500.
//
// Connection slots: a new connection over `max_connections`, or over
// `max_connections_per_address` from its IP address, takes the place of an idle connection (one
// waiting for a request's first byte: never-used ones first, then kept-alive ones, each oldest
// first; for the per-address limit, one from the same address), which is closed without an
// answer. When none is idle, the new connection gets 503 with the reason and is closed. Idle
// connections therefore cannot lock clients out; busy ones are bounded per address and by
// `read_timeout`. See docs/http.md.
//
// Thread safety: thread-safe, except that Serve() must not run concurrently with other calls.
// Stop() and Wait() may be called from any thread except a handler.
#ifndef VOUCH_HTTP_HTTP_SERVER_H_
#define VOUCH_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http.h"

namespace vouch::http {

namespace internal {
class ServerImpl;
}  // namespace internal

// One line of an access log, reported after a response was written (or failed to be).
struct AccessLogEntry {
  std::string remote_address;
  std::string method;  // empty when the request could not be parsed
  std::string target;  // empty when the request could not be parsed
  int status = 0;
  size_t request_body_bytes = 0;
  size_t response_body_bytes = 0;
  std::chrono::microseconds duration{0};  // from the first request byte to the response written
  bool write_ok = false;                  // false when the client went away mid-response
};

struct ServerOptions {
  // "host:port"; host is an IPv4 literal, "[IPv6 literal]" or a name resolved at start. Port 0
  // lets the kernel choose (see HttpServer::port()).
  std::string listen_address = "127.0.0.1:0";
  // I/O threads.
  int threads = 2;
  // Upper bound on threads that run handlers (created lazily).
  int max_handler_threads = 64;
  // A handler thread that has had no request for this long exits (the pool shrinks after a
  // burst and grows again on demand).
  std::chrono::milliseconds handler_idle_timeout{10'000};
  size_t max_body_bytes = size_t{1} << 20;     // 1 MiB
  size_t max_header_bytes = size_t{16} << 10;  // request line + header fields, 16 KiB
  // Time to receive a whole request (headers and body) once its first byte arrived.
  std::chrono::milliseconds read_timeout{30'000};
  // Time a connection may wait for the first byte of a request (new or kept-alive).
  std::chrono::milliseconds idle_timeout{60'000};
  // Time to write a whole response.
  std::chrono::milliseconds write_timeout{30'000};
  // Connections open at once; over it, an idle connection makes way or the new one gets 503.
  size_t max_connections = 512;
  // Connections open at once from one client IP address (0: no limit); over it, an idle
  // connection from that address makes way or the new one gets 503. Behind a reverse proxy
  // every client has the proxy's address: raise it or set 0 there.
  size_t max_connections_per_address = 128;
  // How long Stop() lets in-flight requests finish before closing their connections. Stop()
  // still waits for running handlers to return (they cannot be interrupted).
  std::chrono::milliseconds stop_grace{10'000};
  // Optional; called on an I/O thread after each response. Must be thread-safe, fast, and must
  // not throw (an exception is swallowed).
  std::function<void(const AccessLogEntry&)> access_log;
  // Measures request durations and deadlines, the stop grace period and handler threads' idle
  // time. Borrowed: must outlive the server.
  const Clock* clock = &RealClock();
};

class HttpServer {
 public:
  using Options = ServerOptions;

  // Binds and listens, without serving yet: connections wait in the kernel's queue until
  // Serve(). Lets a service check that its address is usable before it creates any state.
  // Fails with kInvalidArgument on a malformed option or address and kUnavailable when the
  // address cannot be bound.
  static StatusOr<std::unique_ptr<HttpServer>> Bind(Options options);
  // Starts serving `handler` (typically a Router). kFailedPrecondition when already serving.
  Status Serve(Handler handler);
  // Bind, then Serve.
  static StatusOr<std::unique_ptr<HttpServer>> Start(Options options, Handler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops (as Stop()).
  ~HttpServer();

  // The bound port (the kernel's choice when the options asked for port 0).
  uint16_t port() const;
  // The bound address as "127.0.0.1:8080" or "[::1]:8080".
  std::string address() const;

  // Graceful stop: stops accepting, closes idle keep-alive connections, lets in-flight requests
  // finish (their responses carry "Connection: close") for up to `stop_grace`, then closes what
  // remains, waits for running handlers, and joins every thread. Idempotent; concurrent callers
  // all return once the server has stopped.
  // REQUIRES: not called from a handler (it would wait for itself).
  void Stop();
  // Blocks until Stop() has completed (for a `serve` command's main thread).
  void Wait();

 private:
  explicit HttpServer(std::unique_ptr<internal::ServerImpl> impl);
  std::unique_ptr<internal::ServerImpl> impl_;
  bool serving_ = false;
};

}  // namespace vouch::http

#endif  // VOUCH_HTTP_HTTP_SERVER_H_

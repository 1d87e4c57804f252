// HttpServer: Boost.Beast over a multi-threaded io_context (one strand per connection) with
// handlers on a separate, lazily grown thread pool. See vouch/http/http_server.h and
// docs/http.md.
#include "vouch/http/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <deque>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/http_beast.h"
#include "http/http_request_parser.h"
#include "vouch/base/mutex.h"

namespace vouch::http {
namespace internal {
namespace {

using tcp = net::ip::tcp;

// After a response that closes the connection, unread request bytes are drained (and
// discarded) for at most this long and this many bytes, so that closing does not send a TCP
// reset that could destroy the response before the client has read it.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr size_t kLingerMaxBytes = size_t{4} << 20;
// Bytes read at once while waiting for a request's first byte.
constexpr size_t kFirstReadBytes = 4096;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Idle keys at or above this mark kept-alive connections: they make way after never-used ones.
constexpr uint64_t kKeptAliveKey = uint64_t{1} << 62;

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  const net::ip::address address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

// Runs submitted jobs on up to `max_threads` threads, creating threads only when every existing
// one is busy. A thread that has waited `idle_timeout` without a job exits, so the pool shrinks
// back after a burst. Jobs must not throw.
class WorkerPool {
 public:
  WorkerPool(size_t max_threads, std::chrono::milliseconds idle_timeout, const Clock& clock)
      : max_threads_(std::max<size_t>(1, max_threads)),
        idle_timeout_(idle_timeout),
        clock_(clock) {}
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool() { Shutdown(); }

  void Submit(std::function<void()> job) VOUCH_EXCLUDES(mu_) {
    std::function<void()> inline_job;
    std::vector<std::thread> exited;
    {
      MutexLock lock(&mu_);
      queue_.push_back(std::move(job));
      if (idle_ < queue_.size() && threads_.size() < max_threads_) {
        // The handle's slot exists before the thread does: the thread looks itself up by id
        // when it leaves the pool (under mu_, so not before this block ends).
        const uint64_t id = next_id_++;
        auto slot = threads_.try_emplace(id).first;
        try {
          slot->second = std::thread([this, id] { Loop(id); });
        } catch (const std::system_error&) {
          threads_.erase(slot);
          // Out of threads: an existing thread will get to the job eventually; with none, the
          // caller runs it.
          if (threads_.empty()) {
            inline_job = std::move(queue_.back());
            queue_.pop_back();
          }
        }
      }
      // Threads that left the pool have returned or are about to: join them, so that their
      // stacks are released.
      exited.swap(exited_);
    }
    for (std::thread& t : exited) t.join();
    if (inline_job) {
      inline_job();
      return;
    }
    cv_.Signal();
  }

  // Runs the jobs still queued, then joins every thread.
  void Shutdown() VOUCH_EXCLUDES(mu_) {
    std::vector<std::thread> threads;
    {
      MutexLock lock(&mu_);
      stop_ = true;
      for (auto& [id, t] : threads_) threads.push_back(std::move(t));
      threads_.clear();
      for (std::thread& t : exited_) threads.push_back(std::move(t));
      exited_.clear();
    }
    cv_.SignalAll();
    for (std::thread& t : threads) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Loop(uint64_t id) VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    for (;;) {
      ++idle_;
      const Clock::SteadyTime idle_until = clock_.SteadyNow() + idle_timeout_;
      while (!stop_ && queue_.empty() && clock_.WaitUntil(&cv_, &mu_, idle_until)) {
      }
      --idle_;
      if (queue_.empty()) {
        if (stop_) return;  // Shutdown() took this thread's handle and joins it
        // Idle for idle_timeout_: leave the pool. This thread's handle goes to exited_ (joined by
        // the next Submit(), by the next thread that leaves, or by Shutdown()); the threads that
        // left before it are joined here.
        std::vector<std::thread> earlier;
        earlier.swap(exited_);
        auto self = threads_.find(id);
        if (self != threads_.end()) {
          exited_.push_back(std::move(self->second));
          threads_.erase(self);
        }
        mu_.Unlock();
        for (std::thread& t : earlier) t.join();
        mu_.Lock();
        return;
      }
      std::function<void()> job = std::move(queue_.front());
      queue_.pop_front();
      mu_.Unlock();
      job();
      mu_.Lock();
    }
  }

  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  const Clock& clock_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> queue_ VOUCH_GUARDED_BY(mu_);
  std::unordered_map<uint64_t, std::thread> threads_ VOUCH_GUARDED_BY(mu_);
  std::vector<std::thread> exited_ VOUCH_GUARDED_BY(mu_);
  uint64_t next_id_ VOUCH_GUARDED_BY(mu_) = 0;
  size_t idle_ VOUCH_GUARDED_BY(mu_) = 0;
  bool stop_ VOUCH_GUARDED_BY(mu_) = false;
};

class Connection;

}  // namespace

class ServerImpl {
 public:
  explicit ServerImpl(ServerOptions options);
  ServerImpl(const ServerImpl&) = delete;
  ServerImpl& operator=(const ServerImpl&) = delete;
  ~ServerImpl() {
    try {
      Stop();
    } catch (...) {
      // Only a failing mutex or join can throw here; nothing is left to do about it.
    }
  }

  Status Listen();
  // Starts serving `handler`. REQUIRES: called once, before Stop().
  void Run(Handler handler);
  void Stop();
  void Wait();
  uint16_t port() const { return local_.port(); }
  std::string address() const { return FormatEndpoint(local_); }

  // For connections.
  const ServerOptions& options() const { return options_; }
  const RequestLimits& limits() const { return limits_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // What Admit() decided for a new connection.
  struct Admission {
    bool registered = false;              // false once Stop() has begun: drop the connection
    std::optional<std::string> refusal;   // set: answer 503 with this reason
    std::shared_ptr<Connection> evicted;  // an idle connection that makes way: close it
  };
  // Registers a new connection from IP address `address` (empty if unknown) and decides whether
  // it is served, under max_connections and max_connections_per_address (see http_server.h).
  Admission Admit(const std::shared_ptr<Connection>& connection, const std::string& address)
      VOUCH_EXCLUDES(mu_);
  void Unregister(Connection* connection) VOUCH_EXCLUDES(mu_);
  // The connection waits for the first byte of a kept-alive request: it may make way.
  void MarkIdle(Connection* connection) VOUCH_EXCLUDES(mu_);
  // The connection has received bytes of a request: it no longer makes way.
  void MarkBusy(Connection* connection) VOUCH_EXCLUDES(mu_);
  void Submit(std::function<void()> job) { pool_.Submit(std::move(job)); }
  HttpResponse InvokeHandler(const HttpRequest& request) noexcept;
  void Log(const AccessLogEntry& entry) noexcept;

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void NotifyConnections(bool force);
  void IoLoop();

  const ServerOptions options_;
  Handler handler_;  // set by Run, before the threads that read it exist
  const RequestLimits limits_;

  struct ConnectionRecord {
    std::weak_ptr<Connection> connection;
    std::string address;    // the peer's IP address; empty if unknown
    uint64_t idle_key = 0;  // its key in idle_ while idle; 0 while busy
  };
  // Takes `record` out of idle_.
  void ClearIdle(ConnectionRecord& record, Connection* connection) VOUCH_REQUIRES(mu_);
  // Picks the idle connection that makes way among those `in_the_way` accepts: never-used ones
  // first, then kept-alive ones, each oldest first. Null when none is idle.
  std::shared_ptr<Connection> PickEvictee(
      const std::function<bool(const ConnectionRecord&)>& in_the_way) VOUCH_REQUIRES(mu_);

  // Declared before the io_context: connections destroyed with it unregister here.
  Mutex mu_;
  CondVar cv_;
  std::unordered_map<Connection*, ConnectionRecord> connections_ VOUCH_GUARDED_BY(mu_);
  // Idle connections in the order they make way: never-used ones (keys below kKeptAliveKey)
  // before kept-alive ones, each oldest first.
  std::set<std::pair<uint64_t, Connection*>> idle_ VOUCH_GUARDED_BY(mu_);
  uint64_t idle_seq_ VOUCH_GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, size_t> per_address_ VOUCH_GUARDED_BY(mu_);
  bool stop_started_ VOUCH_GUARDED_BY(mu_) = false;
  bool stopped_ VOUCH_GUARDED_BY(mu_) = false;
  std::atomic<bool> stopping_{false};

  WorkerPool pool_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  net::strand<net::io_context::executor_type> accept_strand_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  tcp::endpoint local_;
  std::vector<std::thread> io_threads_;
};

namespace {

// One TCP connection. All its members are touched only on its strand (the executor of
// `stream_`), except `server_`'s thread-safe methods.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerImpl* server, tcp::socket socket)
      : server_(server),
        stream_(std::move(socket)),
        // Unparsed bytes never exceed the header limit: the request line and header fields, one
        // chunk-size line with its extensions, or the trailer section must each fit (431
        // otherwise); body bytes leave the buffer as they are parsed.
        buffer_(server->limits().max_header_bytes) {
    beast::error_code ec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? std::string("unknown") : FormatEndpoint(remote);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { server_->Unregister(this); }

  // Serves requests until the peer or the server closes the connection.
  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }
  // Answers 503 with `reason` and closes.
  void StartRejected(std::string reason) {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
      self->request_start_ = self->server_->options().clock->SteadyNow();
      self->SendError(HttpError{503, reason});
    });
  }
  // Makes way for a new connection: closes this one, without an answer, if it still waits for
  // a request's first byte.
  void Evict() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->state_ == State::kIdle) self->CloseNow();
    });
  }
  // The server is stopping: close now if idle (or if `force`), else after the current response.
  void NotifyStop(bool force) {
    net::post(stream_.get_executor(), [self = shared_from_this(), force] {
      if (force || self->state_ == State::kIdle || self->state_ == State::kLingering) {
        self->CloseNow();
      }
    });
  }

 private:
  enum class State { kIdle, kReading, kHandling, kWriting, kLingering, kClosed };

  void WaitForRequest() {
    if (server_->stopping()) return CloseNow();
    state_ = State::kIdle;
    method_.clear();
    target_.clear();
    request_body_bytes_ = 0;
    head_ = false;
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    // Admit() registered a new connection as idle (never used); a kept-alive one is idle now.
    if (served_) server_->MarkIdle(this);
    stream_.expires_after(server_->options().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(std::min(kFirstReadBytes, buffer_.max_size())),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  // Arms the stream's timer for deadline_ (a time on the server's clock).
  void ExpireAtDeadline() {
    stream_.expires_after(deadline_ - server_->options().clock->SteadyNow());
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (state_ == State::kClosed) return;  // evicted, or closed by Stop()
    if (ec) return CloseNow();             // idle timeout, peer closed, or server stopping
    server_->MarkBusy(this);
    served_ = true;
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReading;
    request_start_ = server_->options().clock->SteadyNow();
    // One deadline for the whole request, header and body: a trickle of bytes cannot keep the
    // connection open for longer than read_timeout.
    deadline_ = request_start_ + server_->options().read_timeout;
    parser_.emplace();
    ApplyLimits(*parser_, server_->limits());
    ExpireAtDeadline();
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const BeastRequest& header = parser_->get();
    method_ = std::string(header.method_string());
    target_ = std::string(header.target());
    if (std::optional<HttpError> error = CheckRequestHeader(*parser_)) {
      return SendError(*error);
    }
    if (parser_->is_done()) return Dispatch();
    if (ExpectsContinue(*parser_)) {
      ExpireAtDeadline();
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code write_ec, size_t) {
                         if (write_ec) return self->CloseNow();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    ExpireAtDeadline();
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  void OnReadError(beast::error_code ec) {
    // The peer went away or ran out of time: there is nobody to answer (a timed-out stream is
    // already closed by Beast).
    if (IsDisconnect(ec)) return CloseNow();
    HttpError error = ParseErrorToHttpError(ec);
    if (error.status == 431 && parser_ && parser_->is_header_done()) {
      error.message = "a chunk-size line (with its extensions) or the trailer section exceeds " +
                      std::to_string(server_->limits().max_header_bytes) + " bytes";
    } else if (error.status == 413) {
      error.message =
          "request body exceeds " + std::to_string(server_->limits().max_body_bytes) + " bytes";
    }
    SendError(error);
  }

  void Dispatch() {
    BeastRequest message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == bhttp::verb::head;
    StatusOr<HttpRequest> request = ToHttpRequest(std::move(message), remote_);
    if (!request.ok()) return SendError(HttpError{400, request.status().message()});
    request_body_bytes_ = request->body.size();
    state_ = State::kHandling;
    // The handler runs on the pool; its response comes back to this connection's strand.
    server_->Submit([self = shared_from_this(), req = std::move(*request)]() {
      HttpResponse response = self->server_->InvokeHandler(req);
      if (response.deferred != nullptr) return self->Defer(response.deferred);
      try {
        net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
          self->SendResponse(std::move(response), /*force_close=*/false);
        });
      } catch (...) {
        // Allocation failure: the connection is dropped when `self` goes.
      }
    });
  }

  // The handler answers later (DeferredResponse): no thread waits. The response comes to this
  // strand through the deferred's sink; the timer answers its fallback if it does not come in
  // time; a connection closed meanwhile (the peer, a forced stop) abandons it.
  void Defer(const std::shared_ptr<DeferredResponse>& deferred) {
    try {
      net::post(stream_.get_executor(), [self = shared_from_this(), deferred]() {
        if (self->state_ == State::kClosed) return deferred->Abandon();
        self->deferred_ = deferred;
        self->defer_timer_.expires_after(deferred->timeout());
        self->defer_timer_.async_wait([self, deferred](beast::error_code ec) {
          if (!ec) deferred->Complete(deferred->fallback());
        });
        deferred->OnComplete([self](HttpResponse response) {
          try {
            net::post(self->stream_.get_executor(),
                      [self, response = std::move(response)]() mutable {
                        self->defer_timer_.cancel();
                        self->deferred_.reset();
                        self->SendResponse(std::move(response), /*force_close=*/false);
                      });
          } catch (...) {
            // Allocation failure: the connection is dropped when `self` goes.
          }
        });
      });
    } catch (...) {
      deferred->Abandon();
    }
  }

  void SendError(const HttpError& error) {
    keep_alive_ = false;
    SendResponse(HttpResponse::Text(error.status, error.message + "\n"), /*force_close=*/true);
  }

  void SendResponse(HttpResponse response, bool force_close) {
    if (state_ == State::kClosed) return;  // force-closed by Stop() while the handler ran
    state_ = State::kWriting;
    bool handler_close = false;
    bool valid = response.status >= 200 && response.status <= 599;
    for (const auto& [name, value] : response.headers) {
      if (!IsValidHeaderField(name, value)) valid = false;
      if (EqualsIgnoreCase(name, "Connection") && EqualsIgnoreCase(value, "close")) {
        handler_close = true;
      }
    }
    if (!valid) response = HttpResponse::Text(500, "invalid response from handler\n");

    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers) {
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
          EqualsIgnoreCase(name, "Connection")) {
        continue;
      }
      response_.insert(name, value);
    }
    response_body_bytes_ = response.body.size();
    if (response.status == 204 || response.status == 304) {
      response_body_bytes_ = 0;  // these never carry a body (RFC 9110 §15.3.5, §15.4.5)
    } else if (head_) {
      response_.content_length(response.body.size());
    } else {
      response_.body() = std::move(response.body);
      response_.content_length(response_.body().size());
    }
    const bool keep = keep_alive_ && !force_close && !handler_close && !server_->stopping();
    response_.keep_alive(keep);

    stream_.expires_after(server_->options().write_timeout);
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this(), keep](beast::error_code ec, size_t) {
                         self->OnWrite(ec, keep);
                       });
  }

  void OnWrite(beast::error_code ec, bool keep) {
    AccessLogEntry entry;
    entry.remote_address = remote_;
    entry.method = method_;
    entry.target = target_;
    entry.status = static_cast<int>(response_.result_int());
    entry.request_body_bytes = request_body_bytes_;
    entry.response_body_bytes = response_body_bytes_;
    entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        server_->options().clock->SteadyNow() - request_start_);
    entry.write_ok = !ec;
    server_->Log(entry);
    response_ = {};
    if (ec) return CloseNow();
    if (!keep) return CloseGracefully();
    WaitForRequest();
  }

  // Half-closes, then drains what the client still sends for a bounded time before closing.
  void CloseGracefully() {
    state_ = State::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || server_->stopping()) return CloseNow();
    buffer_.clear();
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerMaxBytes) return self->CloseNow();
                              self->Drain();
                            });
  }

  void CloseNow() {
    state_ = State::kClosed;
    if (deferred_ != nullptr) {  // nobody to answer any more
      deferred_->Abandon();
      deferred_.reset();
      defer_timer_.cancel();
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  ServerImpl* const server_;  // outlives every connection (Stop() waits for them)
  beast::tcp_stream stream_;
  net::steady_timer defer_timer_{stream_.get_executor()};  // a deferred response's timeout
  std::shared_ptr<DeferredResponse> deferred_;             // the one awaited, if any
  beast::flat_buffer buffer_;
  std::optional<BeastRequestParser> parser_;
  bhttp::response<bhttp::string_body> response_;
  State state_ = State::kIdle;
  std::string remote_;
  std::string method_;
  std::string target_;
  bool keep_alive_ = false;
  bool head_ = false;
  bool served_ = false;  // a request's first byte has arrived
  size_t request_body_bytes_ = 0;
  size_t response_body_bytes_ = 0;
  Clock::SteadyTime request_start_{};
  Clock::SteadyTime deadline_{};
  std::array<char, 8192> drain_{};
  size_t drained_ = 0;
};

}  // namespace

ServerImpl::ServerImpl(ServerOptions options)
    : options_(std::move(options)),
      limits_{options_.max_body_bytes, options_.max_header_bytes},
      pool_(static_cast<size_t>(options_.max_handler_threads), options_.handler_idle_timeout,
            *options_.clock),
      ioc_(options_.threads),
      work_(net::make_work_guard(ioc_)),
      accept_strand_(net::make_strand(ioc_)),
      acceptor_(accept_strand_),
      accept_retry_(accept_strand_) {}

Status ServerImpl::Listen() {
  const std::string& address = options_.listen_address;
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("listen address '" + address + "' is not host:port");
  }
  std::string host = address.substr(0, colon);
  std::string port_text = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return InvalidArgumentError("listen address '" + address +
                                "': write an IPv6 address in brackets, e.g. [::1]:8080");
  }
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(port_text) > 65535) {
    return InvalidArgumentError("listen address '" + address + "' has an invalid port");
  }
  const auto port = static_cast<uint16_t>(std::stoul(port_text));

  beast::error_code ec;
  tcp::endpoint endpoint;
  net::ip::address ip = net::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(ip, port);
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host, port_text, tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return UnavailableError("cannot resolve listen address '" + address +
                              "': " + (ec ? ec.message() : std::string("no addresses")));
    }
    endpoint = results.begin()->endpoint();
  }

  auto fail = [&](std::string_view what) {
    return UnavailableError("cannot " + std::string(what) + " " + address + ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  local_ = acceptor_.local_endpoint(ec);
  if (ec) return fail("read the bound address of");
  return OkStatus();
}

void ServerImpl::Run(Handler handler) {
  handler_ = std::move(handler);
  net::post(accept_strand_, [this] { DoAccept(); });
  io_threads_.reserve(static_cast<size_t>(options_.threads));
  for (int i = 0; i < options_.threads; ++i) io_threads_.emplace_back([this] { IoLoop(); });
}

void ServerImpl::IoLoop() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (...) {
      // A completion handler threw (e.g. std::bad_alloc); the operation that threw is
      // abandoned and its connection released. Keep serving the others.
    }
  }
}

void ServerImpl::DoAccept() {
  if (stopping()) return;
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping()) return;
  if (ec) {
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
        ec == net::error::no_memory) {
      // Out of file descriptors or memory: back off instead of spinning.
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) DoAccept();
      });
      return;
    }
    return DoAccept();  // e.g. the peer reset before we accepted
  }
  try {
    beast::error_code opt_ec;
    socket.set_option(tcp::no_delay(true), opt_ec);
    beast::error_code remote_ec;
    const tcp::endpoint remote = socket.remote_endpoint(remote_ec);
    const std::string address = remote_ec ? std::string() : remote.address().to_string();
    auto connection = std::make_shared<Connection>(this, std::move(socket));
    Admission admission = Admit(connection, address);
    if (admission.evicted) admission.evicted->Evict();
    if (admission.registered) {
      if (admission.refusal) {
        connection->StartRejected(std::move(*admission.refusal));
      } else {
        connection->Start();
      }
    }
  } catch (...) {
    // Out of memory: this connection is dropped; keep accepting.
  }
  DoAccept();
}

ServerImpl::Admission ServerImpl::Admit(const std::shared_ptr<Connection>& connection,
                                        const std::string& address) {
  Admission admission;
  MutexLock lock(&mu_);
  if (stop_started_) return admission;
  admission.registered = true;

  // Over a limit, an idle connection in the way makes way; when none is idle, the new one is
  // refused. The per-address limit is checked first: its evictee also frees a global slot.
  const size_t per_address_limit = options_.max_connections_per_address;
  if (!address.empty() && per_address_limit > 0 && per_address_[address] >= per_address_limit) {
    admission.evicted =
        PickEvictee([&](const ConnectionRecord& record) { return record.address == address; });
    if (!admission.evicted) admission.refusal = "too many connections from " + address;
  } else if (connections_.size() >= options_.max_connections) {
    admission.evicted = PickEvictee([](const ConnectionRecord&) { return true; });
    if (!admission.evicted) admission.refusal = "too many connections";
  }

  ConnectionRecord record;
  record.connection = connection;
  record.address = address;
  if (!admission.refusal) {
    record.idle_key = ++idle_seq_;  // never used: below kKeptAliveKey
    idle_.emplace(record.idle_key, connection.get());
  }
  connections_.emplace(connection.get(), std::move(record));
  if (!address.empty()) ++per_address_[address];
  return admission;
}

std::shared_ptr<Connection> ServerImpl::PickEvictee(
    const std::function<bool(const ConnectionRecord&)>& in_the_way) {
  for (const auto& [key, idle] : idle_) {
    ConnectionRecord& record = connections_.at(idle);
    if (!in_the_way(record)) continue;
    std::shared_ptr<Connection> evictee = record.connection.lock();
    ClearIdle(record, idle);  // chosen once, even if it is already going away
    if (evictee) return evictee;
  }
  return nullptr;
}

void ServerImpl::ClearIdle(ConnectionRecord& record, Connection* connection) {
  if (record.idle_key == 0) return;
  idle_.erase({record.idle_key, connection});
  record.idle_key = 0;
}

void ServerImpl::MarkIdle(Connection* connection) {
  MutexLock lock(&mu_);
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  ClearIdle(it->second, connection);
  it->second.idle_key = kKeptAliveKey + ++idle_seq_;
  idle_.emplace(it->second.idle_key, connection);
}

void ServerImpl::MarkBusy(Connection* connection) {
  MutexLock lock(&mu_);
  auto it = connections_.find(connection);
  if (it != connections_.end()) ClearIdle(it->second, connection);
}

void ServerImpl::Unregister(Connection* connection) {
  MutexLock lock(&mu_);
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  ClearIdle(it->second, connection);
  if (!it->second.address.empty()) {
    auto count = per_address_.find(it->second.address);
    if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
  }
  connections_.erase(it);
  if (connections_.empty()) cv_.SignalAll();
}

HttpResponse ServerImpl::InvokeHandler(const HttpRequest& request) noexcept {
  try {
    return handler_(request);
  } catch (...) {
    // The exception's text is not sent: it may hold internal details.
  }
  try {
    return HttpResponse::Text(500, "internal server error\n");
  } catch (...) {
    return HttpResponse{};  // out of memory: an empty 200 is impossible to avoid here
  }
}

void ServerImpl::Log(const AccessLogEntry& entry) noexcept {
  if (!options_.access_log) return;
  try {
    options_.access_log(entry);
  } catch (...) {
  }
}

void ServerImpl::NotifyConnections(bool force) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    MutexLock lock(&mu_);
    for (auto& [ptr, record] : connections_) {
      if (std::shared_ptr<Connection> c = record.connection.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->NotifyStop(force);
}

void ServerImpl::Stop() {
  {
    MutexLock lock(&mu_);
    if (stop_started_) {
      while (!stopped_) cv_.Wait(&mu_);
      return;
    }
    stop_started_ = true;
    stopping_.store(true, std::memory_order_release);
  }
  if (!io_threads_.empty()) {
    net::post(accept_strand_, [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      accept_retry_.cancel();
    });
    NotifyConnections(/*force=*/false);
    const Clock& clock = *options_.clock;
    const Clock::SteadyTime grace_end = clock.SteadyNow() + options_.stop_grace;
    bool drained;
    {
      MutexLock lock(&mu_);
      while (!connections_.empty() && clock.WaitUntil(&cv_, &mu_, grace_end)) {
      }
      drained = connections_.empty();
    }
    if (!drained) {
      NotifyConnections(/*force=*/true);
      // Handlers cannot be interrupted: wait for the ones still running.
      MutexLock lock(&mu_);
      while (!connections_.empty()) cv_.Wait(&mu_);
    }
  }
  work_.reset();
  ioc_.stop();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  pool_.Shutdown();
  MutexLock lock(&mu_);
  stopped_ = true;
  cv_.SignalAll();
}

void ServerImpl::Wait() {
  MutexLock lock(&mu_);
  while (!stopped_) cv_.Wait(&mu_);
}

}  // namespace internal

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Bind(Options options) {
  if (options.clock == nullptr) return InvalidArgumentError("HttpServer needs a clock");
  if (options.threads < 1 || options.threads > 256) {
    return InvalidArgumentError("threads must be in 1..256");
  }
  if (options.max_handler_threads < 1 || options.max_handler_threads > 4096) {
    return InvalidArgumentError("max_handler_threads must be in 1..4096");
  }
  if (options.max_header_bytes < 256) {
    return InvalidArgumentError("max_header_bytes must be at least 256");
  }
  if (options.max_connections < 1) return InvalidArgumentError("max_connections must be >= 1");
  if (options.handler_idle_timeout.count() <= 0) {
    return InvalidArgumentError("handler_idle_timeout must be positive");
  }
  if (options.read_timeout.count() <= 0 || options.idle_timeout.count() <= 0 ||
      options.write_timeout.count() <= 0 || options.stop_grace.count() < 0) {
    return InvalidArgumentError("timeouts must be positive");
  }
  try {
    auto impl = std::make_unique<internal::ServerImpl>(std::move(options));
    VOUCH_RETURN_IF_ERROR(impl->Listen());
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
  } catch (const std::exception& e) {
    return InternalError(std::string("cannot start HTTP server: ") + e.what());
  }
}

Status HttpServer::Serve(Handler handler) {
  if (!handler) return InvalidArgumentError("HttpServer needs a handler");
  if (serving_) return FailedPreconditionError("the HTTP server is already serving");
  try {
    impl_->Run(std::move(handler));
  } catch (const std::exception& e) {
    return InternalError(std::string("cannot start HTTP server: ") + e.what());
  }
  serving_ = true;
  return OkStatus();
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(Options options, Handler handler) {
  if (!handler) return InvalidArgumentError("HttpServer needs a handler");
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<HttpServer> server, Bind(std::move(options)));
  VOUCH_RETURN_IF_ERROR(server->Serve(std::move(handler)));
  return server;
}

HttpServer::HttpServer(std::unique_ptr<internal::ServerImpl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  try {
    Stop();
  } catch (...) {
    // As ~ServerImpl.
  }
}

uint16_t HttpServer::port() const { return impl_->port(); }

std::string HttpServer::address() const { return impl_->address(); }

void HttpServer::Stop() { impl_->Stop(); }

void HttpServer::Wait() { impl_->Wait(); }

}  // namespace vouch::http

// What every `vouch serve …` command does around its service, in one place and one order
// (DESIGN.md §2, layer 6; docs/architecture.md, "The service runner"):
//
//   ServiceRunner runner(options)   blocks SIGTERM and SIGINT in the calling thread, before any
//                                   other thread exists: every thread inherits the mask, so
//                                   only WaitForSignal sees them
//   CheckIntegrity()                the image-integrity self-check (DESIGN.md §3, "Self-check
//                                   at startup"; docs/integrity.md) runs here first: the hook in
//                                   the options, which `vouch serve` fills; none by default
//   LoadPrivateKey(path)            the one rule for private key files (base/file.h
//                                   ReadPrivateFile): owner-only, else refused with the fix
//   Bind()                          validates and binds the listen address, before any state
//                                   exists: a bad or busy address creates no data directory
//   OpenDataDir()                   creates the data directory (0700; a failed mkdir is an
//                                   error) and locks it for the process's lifetime, so two
//                                   services never share one
//   Keep(service)                   the command opens its stores and starts its services, and
//                                   hands them to the runner, which owns them from then on
//   Serve(handler)                  starts answering HTTP
//   Announce(what)                  writes the port file, then prints "<what> listening on
//                                   ADDR": a failure to write the port file is reported before
//                                   anything says "listening"
//   WaitForSignal()                 blocks until SIGTERM or SIGINT
//   Shutdown()                      ordered: stops the HTTP server (in-flight requests finish;
//                                   StopServing() alone does this much), then destroys the
//                                   kept services in reverse order (their destructors stop
//                                   them: a publisher before its sequencer, a sequencer before
//                                   its store), then releases the data directory's lock
//
// Errors carry reasons for the command's --json and exit codes: "integrity_failed",
// kKeyFileInsecure ("key_file_insecure"), "listen_failed", "data_dir_in_use", "io_error".
//
// Thread-compatible: one thread (the command's) drives the runner.
#ifndef VOUCH_SERVER_SERVICE_RUNNER_H_
#define VOUCH_SERVER_SERVICE_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http.h"
#include "vouch/http/http_server.h"

namespace vouch::server {

struct ServiceRunnerOptions {
  // The service's name, for messages ("log" in "in use by another 'vouch serve log'").
  std::string name;
  // Where the service keeps its state; empty for a service without any (OpenDataDir does
  // nothing).
  std::string data_dir;
  // The HTTP server's options (listen address, limits, clock).
  http::ServerOptions server;
  // Where Announce writes the bound port (empty: nowhere).
  std::string port_file;
  // The integrity self-check of the running image; null: none (the seam a later check fills).
  std::function<Status()> integrity_check;
};

class ServiceRunner {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread. REQUIRES: no other thread runs yet.
  explicit ServiceRunner(ServiceRunnerOptions options);
  // Shutdown().
  ~ServiceRunner();
  ServiceRunner(const ServiceRunner&) = delete;
  ServiceRunner& operator=(const ServiceRunner&) = delete;

  // Runs the integrity check, if any. Its failure keeps its own reason (the codes of
  // vouch/build/reasons.h), or gets reason "integrity_failed" when it has none.
  Status CheckIntegrity();
  // Reads the private key file `path` (at most `max_size` bytes) under the permission rule.
  StatusOr<SecretBytes> LoadPrivateKey(const std::string& path, size_t max_size);
  // Binds the listen address (HttpServer::Bind). Reason "listen_failed": kInvalidArgument for a
  // malformed address, kUnavailable for one that cannot be bound.
  Status Bind();
  // Creates and locks the data directory. kFailedPrecondition, reason "data_dir_in_use", when
  // another process holds it; kUnavailable, reason "io_error", when it cannot be created or
  // locked.
  Status OpenDataDir();
  // Takes shared ownership of `service` until Shutdown, which destroys the kept services in
  // reverse order once the HTTP server (whose handlers may use them) has stopped.
  template <typename T>
  T& Keep(std::shared_ptr<T> service) {
    T& ref = *service;
    kept_.push_back(std::move(service));
    return ref;
  }
  template <typename T>
  T& Keep(std::unique_ptr<T> service) {
    return Keep(std::shared_ptr<T>(std::move(service)));
  }
  // Starts serving `handler`. REQUIRES: Bind() succeeded.
  Status Serve(http::Handler handler);
  // Writes the port file (reason "io_error" when it cannot), then prints "<what> listening on
  // ADDR" on standard output. REQUIRES: Serve() succeeded.
  Status Announce(const std::string& what);
  // Waits for SIGTERM or SIGINT; returns the signal number.
  int WaitForSignal();
  // The same for at most `timeout`: the signal number, or 0 when none came (a service that
  // waits for something before it serves, e.g. `serve log --standby`, stays stoppable).
  int WaitForSignalFor(std::chrono::milliseconds timeout);
  // Stops the HTTP server: stops accepting and lets in-flight requests finish. Idempotent.
  void StopServing();
  // Stops everything in order (see the banner). Idempotent.
  void Shutdown();

  // The bound address ("127.0.0.1:7381") and port. REQUIRES: Bind() succeeded.
  std::string address() const;
  uint16_t port() const;

 private:
  const ServiceRunnerOptions options_;
  std::unique_ptr<http::HttpServer> server_;
  std::vector<std::shared_ptr<void>> kept_;
  int lock_fd_ = -1;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_SERVICE_RUNNER_H_

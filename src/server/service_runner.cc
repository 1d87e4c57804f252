// The steps every `vouch serve …` shares (service_runner.h).
#include "vouch/server/service_runner.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <iostream>
#include <utility>

#include "vouch/base/file.h"

namespace vouch::server {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

Status IoError(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message), "io_error");
}

}  // namespace

ServiceRunner::ServiceRunner(ServiceRunnerOptions options) : options_(std::move(options)) {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ServiceRunner::~ServiceRunner() { Shutdown(); }

Status ServiceRunner::CheckIntegrity() {
  if (!options_.integrity_check) return OkStatus();
  Status s = options_.integrity_check();
  return s.ok() || !s.reason().empty() ? s : s.WithReason("integrity_failed");
}

StatusOr<SecretBytes> ServiceRunner::LoadPrivateKey(const std::string& path, size_t max_size) {
  return ReadPrivateFile(path, max_size);
}

Status ServiceRunner::Bind() {
  auto server = http::HttpServer::Bind(options_.server);
  if (!server.ok()) return server.status().WithReason("listen_failed");
  server_ = *std::move(server);
  return OkStatus();
}

Status ServiceRunner::OpenDataDir() {
  const std::string& dir = options_.data_dir;
  if (dir.empty()) return OkStatus();  // a service without state
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create " + dir + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return IoError(dir + " is not a directory");
  }
  // An exclusive lock on DIR/LOCK for the process's lifetime (the kernel releases it if the
  // process dies).
  const std::string path = dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status(
          StatusCode::kFailedPrecondition,
          "the data directory " + dir + " is in use by another 'vouch serve " + options_.name + "'",
          "data_dir_in_use");
    }
    return IoError("cannot lock " + path + ": " + std::strerror(err));
  }
  lock_fd_ = fd;
  return OkStatus();
}

Status ServiceRunner::Serve(http::Handler handler) {
  if (server_ == nullptr) return FailedPreconditionError("Serve before Bind");
  return server_->Serve(std::move(handler));
}

Status ServiceRunner::Announce(const std::string& what) {
  if (!options_.port_file.empty()) {
    const std::string port = std::to_string(server_->port()) + "\n";
    if (Status s = WriteFileAtomic(options_.port_file, AsBytes(port)); !s.ok()) {
      return s.WithReason("io_error");
    }
  }
  std::cout << what << " listening on " << server_->address() << std::endl;
  return OkStatus();
}

int ServiceRunner::WaitForSignal() {
  sigset_t set = TerminationSignals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int ServiceRunner::WaitForSignalFor(std::chrono::milliseconds timeout) {
  sigset_t set = TerminationSignals();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const timespec ts{static_cast<time_t>(seconds.count()),
                    static_cast<long>((timeout - seconds).count() * 1'000'000)};
  const int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

void ServiceRunner::StopServing() {
  if (server_ != nullptr) server_->Stop();
}

void ServiceRunner::Shutdown() {
  StopServing();
  while (!kept_.empty()) kept_.pop_back();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

std::string ServiceRunner::address() const { return server_->address(); }

uint16_t ServiceRunner::port() const { return server_->port(); }

}  // namespace vouch::server

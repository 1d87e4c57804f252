// A throwaway PostgreSQL server for tests (pg_test_server.h).
#include "store/postgres/pg_test_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "vouch/base/encoding.h"

namespace vouch::store::testing {
namespace {

namespace fs = std::filesystem;

// The server binaries: $VOUCH_PG_BINDIR, else the newest /usr/lib/postgresql/<major>/bin.
std::string FindBinDir() {
  if (const char* env = std::getenv("VOUCH_PG_BINDIR"); env != nullptr && *env != '\0') return env;
  std::string best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const int major = std::stoi(name);
    if (major > best_major && fs::exists(entry.path() / "bin" / "initdb")) {
      best_major = major;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

// Runs `command` through the shell; its exit status (-1 if it could not run).
int Run(const std::string& command) {
  const int rc = std::system(command.c_str());
  return rc == -1 ? -1 : WEXITSTATUS(rc);
}

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

StatusOr<std::string> RandomHex(size_t bytes) {
  std::ifstream in("/dev/urandom", std::ios::binary);
  Bytes out(bytes);
  if (!in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(bytes))) {
    return UnavailableError("cannot read /dev/urandom");
  }
  return HexEncode(out);
}

// A port on 127.0.0.1 that was free a moment ago.
StatusOr<uint16_t> FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return UnavailableError("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return UnavailableError("cannot find a free port");
  return ntohs(addr.sin_port);
}

// Commands that start or stop the server run as `postgres` when we are root.
std::string AsServerUser() { return ::geteuid() == 0 ? "runuser -u postgres -- " : ""; }

}  // namespace

StatusOr<std::unique_ptr<PgTestServer>> PgTestServer::Start(const std::string& settings) {
  const std::string bin = FindBinDir();
  if (bin.empty()) {
    return UnavailableError(
        "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin or $VOUCH_PG_BINDIR): run "
        "scripts/install-deps.sh");
  }
  char top_template[] = "/tmp/vouch-pg.XXXXXX";
  if (::mkdtemp(top_template) == nullptr) return UnavailableError("mkdtemp failed");
  const std::string top = top_template;
  fs::create_directories(top + "/data");
  fs::create_directories(top + "/sock");
  VOUCH_ASSIGN_OR_RETURN(std::string password, RandomHex(16));
  {
    std::ofstream pw(top + "/pw");
    pw << password << "\n";
  }
  ::chmod((top + "/pw").c_str(), 0600);
  if (::geteuid() == 0 && Run("chown -R postgres: '" + top + "'") != 0) {
    fs::remove_all(top);
    return UnavailableError("cannot chown " + top + " to the postgres user");
  }
  ::chmod(top.c_str(), 0700);
  const std::string as = AsServerUser();
  if (Run(as + "'" + bin + "/initdb' -D '" + top + "/data' -U vouch --pwfile='" + top +
          "/pw' --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync > '" + top +
          "/initdb.log' 2>&1") != 0) {
    const std::string log = Tail(top + "/initdb.log");
    fs::remove_all(top);
    return UnavailableError("initdb failed: " + log);
  }
  fs::remove(top + "/pw");
  for (int attempt = 0; attempt < 5; ++attempt) {
    VOUCH_ASSIGN_OR_RETURN(uint16_t port, FreePort());
    const std::string options =
        "-c listen_addresses=127.0.0.1 -c port=" + std::to_string(port) +
        " -c unix_socket_directories=" + top +
        "/sock -c fsync=on -c synchronous_commit=on -c max_connections=200 " + settings;
    if (Run(as + "'" + bin + "/pg_ctl' -D '" + top + "/data' -l '" + top +
            "/server.log' -w -t 30 -o '" + options + "' start > /dev/null 2>&1") == 0) {
      return std::unique_ptr<PgTestServer>(new PgTestServer(top, bin, password, port, true));
    }
    if (Tail(top + "/server.log").find("could not bind") == std::string::npos) break;
  }
  const std::string log = Tail(top + "/server.log");
  fs::remove_all(top);
  return UnavailableError("pg_ctl start failed: " + log);
}

StatusOr<std::unique_ptr<PgTestServer>> PgTestServer::Attach(const std::string& path, bool owner) {
  std::ifstream in(path);
  std::string top, bin, password;
  int port = 0;
  if (!std::getline(in, top) || !std::getline(in, bin) || !std::getline(in, password) ||
      !(in >> port) || port <= 0 || port > 65535 || !top.starts_with("/tmp/vouch-pg.")) {
    return UnavailableError("cannot read a PostgreSQL test server from " + path +
                            " (written by `pg_test_server_fixture start`)");
  }
  return std::unique_ptr<PgTestServer>(
      new PgTestServer(top, bin, password, static_cast<uint16_t>(port), owner));
}

Status PgTestServer::Export(const std::string& path) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    ::chmod(temp.c_str(), 0600);
    out << top_ << "\n" << bin_ << "\n" << password_ << "\n" << port_ << "\n";
    if (!out.flush()) return UnavailableError("cannot write " + temp);
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) return UnavailableError("cannot rename " + temp + " to " + path + ": " + ec.message());
  owner_ = false;
  return OkStatus();
}

PgTestServer::~PgTestServer() {
  if (!owner_) return;
  Run(AsServerUser() + "'" + bin_ + "/pg_ctl' -D '" + top_ +
      "/data' -m immediate -w stop > /dev/null 2>&1");
  std::error_code ec;
  fs::remove_all(top_, ec);
}

std::string PgTestServer::Uri(const std::string& name) const {
  return "postgresql://vouch:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

StatusOr<std::string> PgTestServer::CreateDatabase() {
  VOUCH_ASSIGN_OR_RETURN(auto admin, internal::PgConnection::Open(Uri("postgres")));
  // The process id and a random tag: processes sharing the fixture's server never collide, even
  // when one reuses an earlier process's id.
  VOUCH_ASSIGN_OR_RETURN(std::string tag, RandomHex(4));
  const std::string name =
      "t_" + std::to_string(::getpid()) + "_" + tag + "_" + std::to_string(++databases_);
  VOUCH_RETURN_IF_ERROR(admin->Exec("CREATE DATABASE " + name, "create a test database"));
  return Uri(name);
}

PgTestServer* SharedPgTestServer() {
  static StatusOr<std::unique_ptr<PgTestServer>>* server = [] {
    const char* file = std::getenv(kPgTestServerEnv);
    return new StatusOr<std::unique_ptr<PgTestServer>>(
        file != nullptr && *file != '\0' ? PgTestServer::Attach(file, /*owner=*/false)
                                         : PgTestServer::Start());
  }();
  static const bool stop_at_exit = [] {
    std::atexit([] {
      if (server->ok()) server->value().reset();
    });
    return true;
  }();
  (void)stop_at_exit;
  if (!server->ok()) {
    ADD_FAILURE() << "no PostgreSQL test server: " << server->status().message();
    return nullptr;
  }
  return server->value().get();
}

}  // namespace vouch::store::testing

// Test support: a throwaway PostgreSQL server for tests (spec/provisioning.md §8.5,
// docs/postgres.md "Tests"). Start() runs `initdb` in a new directory /tmp/vouch-pg.XXXXXX with
// a random password (scram-sha-256), then `pg_ctl start` on 127.0.0.1 and a free port with
// fsync=on and synchronous_commit=on; the destructor stops it (`pg_ctl stop -m immediate`: no
// shutdown checkpoint for data about to be deleted) and removes the directory. The server binaries
// come from $VOUCH_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin. As root, every server
// command runs as the `postgres` user (initdb refuses root) through `runuser`. Nothing assumes a
// server already running.
//
// Thread-safety: not thread-safe.
#ifndef VOUCH_STORE_POSTGRES_PG_TEST_SERVER_H_
#define VOUCH_STORE_POSTGRES_PG_TEST_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "vouch/base/statusor.h"

namespace vouch::store::testing {

class PgTestServer {
 public:
  // kUnavailable (with the server's log) when the server cannot be set up or started.
  // `settings` are more `-c name=value` server options, appended last (e.g. "-c fsync=off" for
  // a test of what Vouch refuses).
  static StatusOr<std::unique_ptr<PgTestServer>> Start(const std::string& settings = "");
  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;
  ~PgTestServer();

  // A server another process started and exported to `path` (Export). With `owner`, this object
  // stops the server and removes its directory when destroyed (a ctest fixture's cleanup);
  // without, it leaves both alone. kUnavailable when the file cannot be read or is not Export's.
  static StatusOr<std::unique_ptr<PgTestServer>> Attach(const std::string& path, bool owner);

  // Writes what Attach needs (directory, binaries, port, password) to `path` (mode 0600) and
  // hands the server's lifetime over: this object no longer stops it (a ctest fixture's setup).
  [[nodiscard]] Status Export(const std::string& path);

  // A new, empty database; its connection URI. Names are unique across processes.
  StatusOr<std::string> CreateDatabase();
  // The URI of database `name` on this server.
  std::string Uri(const std::string& name) const;
  uint16_t port() const { return port_; }

 private:
  PgTestServer(std::string top, std::string bin, std::string password, uint16_t port, bool owner)
      : top_(std::move(top)),
        bin_(std::move(bin)),
        password_(std::move(password)),
        port_(port),
        owner_(owner) {}

  const std::string top_;  // the server's directory (data/, sock/, server.log)
  const std::string bin_;
  const std::string password_;
  const uint16_t port_;
  bool owner_;  // stops the server when destroyed
  int databases_ = 0;
};

// The name of the environment variable that names a file written by Export: a server that a
// ctest fixture started for every test process (src/store/postgres/CMakeLists.txt).
inline constexpr char kPgTestServerEnv[] = "VOUCH_PG_TEST_SERVER";

// One server for the whole test process (null, with the failure reported to gtest, when it
// cannot be had): the fixture's server when $VOUCH_PG_TEST_SERVER names its file, else one
// started on first use and stopped at exit.
PgTestServer* SharedPgTestServer();

}  // namespace vouch::store::testing

#endif  // VOUCH_STORE_POSTGRES_PG_TEST_SERVER_H_

// The ctest fixture `postgres_server` (src/store/postgres/CMakeLists.txt): one throwaway
// PostgreSQL server for every test process of a ctest run, instead of one per process.
//   pg_test_server_fixture start FILE   starts a server (pg_test_server.h) and exports it to FILE,
//                                       which the tests find through $VOUCH_PG_TEST_SERVER
//   pg_test_server_fixture stop FILE    stops that server, removes its directory and FILE
// Exit status: 0 done (also `stop` with no FILE: a failed `start` left nothing), 1 failed,
// 2 usage.
#include <cstdio>
#include <filesystem>
#include <string>

#include "store/postgres/pg_test_server.h"

int main(int argc, char** argv) {
  using vouch::store::testing::PgTestServer;
  const std::string command = argc == 3 ? argv[1] : "";
  if (command != "start" && command != "stop") {
    std::fprintf(stderr, "usage: %s start|stop FILE\n", argv[0]);
    return 2;
  }
  const std::string file = argv[2];
  if (command == "start") {
    auto server = PgTestServer::Start();
    if (!server.ok()) {
      std::fprintf(stderr, "%s\n", server.status().message().c_str());
      return 1;
    }
    if (vouch::Status s = (*server)->Export(file); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 1;  // the server object still owns the server and stops it
    }
    std::printf("PostgreSQL test server on 127.0.0.1:%u, described in %s\n", (*server)->port(),
                file.c_str());
    return 0;
  }
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    std::printf("no PostgreSQL test server to stop (%s does not exist)\n", file.c_str());
    return 0;
  }
  auto server = PgTestServer::Attach(file, /*owner=*/true);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().message().c_str());
    return 1;
  }
  server->reset();  // stops the server and removes its directory
  std::filesystem::remove(file, ec);
  std::printf("PostgreSQL test server stopped\n");
  return 0;
}

// Crash safety of `vouch serve log` (docs/log.md, "Durability"): the real binary is killed with
// SIGKILL, repeatedly, while several clients append concurrently — once on each backend: the
// SQLite state in --data, and a PostgreSQL --store on a throwaway server the test starts itself
// (store/postgres/pg_test_server.h; issue 16, "including the crash tests"). After every restart:
//   * every acknowledged entry is in the log at its acknowledged index (read back from the
//     entry bundles of an audited tree);
//   * every checkpoint the log ever served (polled throughout) is consistent with the current
//     one: no size went backwards and every earlier root is the root of the current tree's
//     prefix of that size.
// Bounded (kRounds rounds), loopback only, stops by itself. The binary's path is compiled in as
// VOUCH_BINARY.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_test_server.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/base/mutex.h"
#include "vouch/http/http_client.h"
#include "vouch/ledger/audit.h"
#include "vouch/server/log_client.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/tiles.h"

extern char** environ;

namespace vouch {
namespace {

constexpr int kRounds = 10;
constexpr int kWriters = 8;

// `vouch serve log` on `data` (with a PostgreSQL state: its anchor) and, unless empty, `store`.
class Server {
 public:
  Server(const std::string& dir, const std::string& data, const std::string& store,
         const std::string& key, int round)
      : port_file_(dir + "/port." + std::to_string(round)) {
    std::vector<std::string> args = {
        VOUCH_BINARY, "serve",    "log",         "--data",      data,       "--key",
        key,          "--listen", "127.0.0.1:0", "--port-file", port_file_, "--batch-interval",
        "2"};
    if (!store.empty()) args.insert(args.end(), {"--store", store});
    if (round == 0) args.push_back("--init");  // the first start creates the log's state
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = dir + "/server." + std::to_string(round) + ".log";
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = posix_spawn(&pid_, VOUCH_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0);
    for (int i = 0; i < 200 && !FileExists(port_file_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    auto port = ReadFileToString(port_file_);
    EXPECT_THAT(port, IsOk()) << "the server did not start; see " << log;
    if (port.ok()) url_ = "http://127.0.0.1:" + port->substr(0, port->find('\n'));
  }
  ~Server() {
    if (pid_ > 0) Kill(SIGKILL);
  }
  // Sends `sig` and returns the exit status.
  int Kill(int sig) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  const std::string& url() const { return url_; }

 private:
  std::string port_file_;
  std::string url_;
  pid_t pid_ = -1;
};

// The backend under test: "sqlite" (the state in --data) or "postgres" (in --store).
class LogCrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      store::testing::PgTestServer* server = store::testing::SharedPgTestServer();
      ASSERT_NE(server, nullptr);
      auto uri = server->CreateDatabase();
      ASSERT_THAT(uri, IsOk());
      store_ = *uri;
    }
    dir_ = ::vouch::testing::MakeTempDir("log_crash_test");
    auto signer = tlog::Ed25519NoteSigner::Generate("crash.test/log");
    ASSERT_THAT(signer, IsOk());
    SecretBytes skey = signer->GoPrivateKey();
    key_ = dir_ + "/key";
    ASSERT_THAT(WriteFileAtomic(key_, skey.Reveal(), 0600), IsOk());
    policy_ = std::make_unique<tlog::Policy>(
        *tlog::Policy::Parse("log " + signer->verifier_key().ToString() + "\nquorum none\n"));
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Checks the restarted log against everything acknowledged and served so far.
  void Verify(const std::string& url, int round) {
    http::HttpClient http;
    auto log = server::LogClient::Create(url, http);
    ASSERT_THAT(log, IsOk());
    // The tree, its tiles and bundles are consistent with its signed checkpoint.
    ledger::AuditOptions o;
    o.policy = policy_.get();
    auto audit = ledger::AuditLog(*log, o);
    ASSERT_THAT(audit, IsOk()) << "round " << round;
    const uint64_t n = audit->checkpoint.size();

    // Every checkpoint ever served: no rollback, and its root is the root of this tree's prefix.
    std::map<uint64_t, tlog::Hash> roots;
    {
      MutexLock lock(&mu_);
      for (const auto& [size, root] : served_) {
        ASSERT_LE(size, n) << "round " << round << ": the log rolled back below a served size";
        roots[size] = root;
      }
    }
    // Entries by index, and prefix roots, from the tiles (already verified by the audit).
    std::vector<std::string> entries;
    entries.reserve(n);
    tlog::CompactRange range;
    auto check_prefix = [&] {
      auto it = roots.find(range.size());
      if (it != roots.end()) {
        EXPECT_EQ(range.Root(), it->second)
            << "round " << round << ": checkpoint of size " << range.size()
            << " served earlier is not a prefix of the current tree";
      }
    };
    check_prefix();
    for (uint64_t t = 0; t * 256 < n; ++t) {
      const auto w = tlog::HashTileWidth(0, t, n);
      auto bundle = log->FetchTile(tlog::TileId::Bundle(t, w));
      ASSERT_THAT(bundle, IsOk());
      auto parsed = tlog::ParseEntryBundle(*bundle, w);
      ASSERT_THAT(parsed, IsOk());
      for (ByteSpan e : *parsed) {
        entries.emplace_back(AsStringView(e));
        range.Append(tlog::HashLeaf(e));
        check_prefix();
      }
    }
    EXPECT_EQ(range.Root(), audit->checkpoint.root());
    // Every acknowledged entry is at its acknowledged index.
    MutexLock lock(&mu_);
    for (const auto& [entry, index] : acked_) {
      ASSERT_LT(index, n) << "round " << round << ": acknowledged " << entry << " at " << index
                          << " is beyond the restarted log of size " << n;
      ASSERT_EQ(entries[index], entry) << "round " << round << ": index " << index;
    }
    verified_entries_ = acked_.size();
    final_size_ = n;
  }

  // Appends from kWriters threads and polls checkpoints until the server goes away.
  void Traffic(const std::string& url, int round, std::atomic<bool>& stop) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; ++t) {
      threads.emplace_back([&, t] {
        http::HttpClient http;
        auto log = server::LogClient::Create(url, http, std::chrono::seconds(10));
        if (!log.ok()) return;
        for (int i = 0; !stop.load(); ++i) {
          const std::string entry = "round " + std::to_string(round) + " writer " +
                                    std::to_string(t) + " #" + std::to_string(i);
          auto r = log->Add(AsBytes(entry));
          if (!r.ok()) break;  // the server was killed
          EXPECT_EQ(r->leaf_hash, tlog::HashLeaf(AsBytes(entry)));
          EXPECT_FALSE(r->duplicate);
          MutexLock lock(&mu_);
          auto [it, inserted] = acked_.emplace(entry, r->index);
          EXPECT_TRUE(inserted);
          ++acked_this_round_;
        }
      });
    }
    threads.emplace_back([&] {
      http::HttpClient http;
      auto log = server::LogClient::Create(url, http, std::chrono::seconds(10));
      if (!log.ok()) return;
      while (!stop.load()) {
        auto note = log->FetchCheckpoint();
        if (!note.ok()) break;
        auto cp = tlog::SignedCheckpoint::Parse(*note);
        ASSERT_THAT(cp, IsOk());
        ASSERT_THAT(policy_->VerifyCheckpoint(*cp), IsOk());
        MutexLock lock(&mu_);
        auto [it, inserted] = served_.emplace(cp->checkpoint().size(), cp->checkpoint().root());
        if (!inserted) {
          EXPECT_EQ(it->second, cp->checkpoint().root())
              << "two checkpoints of size " << it->first << " with different roots";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
    for (auto& th : threads) th.join();
  }

  std::string dir_;
  std::string store_;  // the --store URI, or empty for the SQLite state in --data
  std::string key_;
  std::unique_ptr<tlog::Policy> policy_;
  Mutex mu_;
  std::map<std::string, uint64_t> acked_ VOUCH_GUARDED_BY(mu_);  // entry → acknowledged index
  std::map<uint64_t, tlog::Hash> served_ VOUCH_GUARDED_BY(mu_);  // size → root, as served
  size_t acked_this_round_ VOUCH_GUARDED_BY(mu_) = 0;
  size_t verified_entries_ = 0;
  uint64_t final_size_ = 0;
};

TEST_P(LogCrashTest, AcknowledgedEntriesAndServedCheckpointsSurviveKillNine) {
  const std::string data = dir_ + "/data";
  std::mt19937 rng(12345);
  for (int round = 0; round < kRounds; ++round) {
    Server server(dir_, data, store_, key_, round);
    ASSERT_FALSE(server.url().empty());
    Verify(server.url(), round);
    if (HasFatalFailure()) return;
    {
      MutexLock lock(&mu_);
      acked_this_round_ = 0;
    }
    std::atomic<bool> stop{false};
    std::thread traffic([&] { Traffic(server.url(), round, stop); });
    // Kill it mid-stream: once appends are flowing, after a random delay.
    for (int i = 0; i < 200; ++i) {
      {
        MutexLock lock(&mu_);
        if (acked_this_round_ >= 20) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    int status = server.Kill(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    stop = true;
    traffic.join();
    MutexLock lock(&mu_);
    EXPECT_GT(acked_this_round_, 0u) << "round " << round << " acknowledged nothing";
  }
  // The last restart: everything is there; then a clean stop.
  Server server(dir_, data, store_, key_, kRounds);
  ASSERT_FALSE(server.url().empty());
  Verify(server.url(), kRounds);
  int status = server.Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  size_t served = 0;
  {
    MutexLock lock(&mu_);
    served = served_.size();
  }
  RecordProperty("acknowledged_entries", static_cast<int>(verified_entries_));
  RecordProperty("final_size", static_cast<int>(final_size_));
  RecordProperty("served_checkpoints", static_cast<int>(served));
  std::cout << "crash test (" << GetParam() << "): " << kRounds << " kill -9 rounds, "
            << verified_entries_ << " acknowledged entries verified at their indices, " << served
            << " served checkpoints consistent with the final tree of size " << final_size_ << "\n";
}

INSTANTIATE_TEST_SUITE_P(Backends, LogCrashTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace vouch

#include "vouch/server/service_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/http/http_client.h"

namespace vouch::server {
namespace {

using ::testing::ElementsAre;

// Restores the calling thread's signal mask (the runner blocks SIGTERM and SIGINT in it).
class SignalMaskGuard {
 public:
  SignalMaskGuard() { pthread_sigmask(SIG_SETMASK, nullptr, &saved_); }
  ~SignalMaskGuard() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

 private:
  sigset_t saved_;
};

// Captures what is written to std::cout while it lives.
class StdoutCapture {
 public:
  StdoutCapture() : saved_(std::cout.rdbuf(captured_.rdbuf())) {}
  ~StdoutCapture() { std::cout.rdbuf(saved_); }
  std::string text() const { return captured_.str(); }

 private:
  std::ostringstream captured_;
  std::streambuf* saved_;
};

ServiceRunnerOptions Options(const std::string& data_dir) {
  ServiceRunnerOptions options;
  options.name = "test";
  options.data_dir = data_dir;
  options.server.listen_address = "127.0.0.1:0";
  return options;
}

http::HttpResponse Ok(const http::HttpRequest&) { return http::HttpResponse::Text(200, "up\n"); }

class ServiceRunnerTest : public ::testing::Test {
 protected:
  SignalMaskGuard mask_;
  const std::string dir_ = vouch::testing::MakeTempDir("vouch-runner-");
};

TEST_F(ServiceRunnerTest, ASecondRunnerIsRefusedTheDataDirectoryUntilTheFirstStops) {
  ServiceRunner first(Options(dir_ + "/data"));
  ASSERT_THAT(first.OpenDataDir(), IsOk());
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/data").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  ServiceRunner second(Options(dir_ + "/data"));
  const Status refused = second.OpenDataDir();
  EXPECT_THAT(refused,
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("in use by another 'vouch "
                                                                  "serve test'")));
  EXPECT_THAT(refused, ReasonIs("data_dir_in_use"));

  first.Shutdown();
  EXPECT_THAT(second.OpenDataDir(), IsOk());
}

TEST_F(ServiceRunnerTest, ADataDirectoryThatCannotBeCreatedIsAnError) {
  ASSERT_THAT(WriteFileAtomic(dir_ + "/file", AsBytes("x")), IsOk());
  ServiceRunner under_a_file(Options(dir_ + "/file/sub"));
  const Status s = under_a_file.OpenDataDir();
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable, HasSubstr("cannot create")));
  EXPECT_THAT(s, ReasonIs("io_error"));

  // An existing file is not a directory either.
  ServiceRunner on_a_file(Options(dir_ + "/file"));
  EXPECT_THAT(on_a_file.OpenDataDir(),
              StatusIs(StatusCode::kUnavailable, HasSubstr("not a directory")));
}

TEST_F(ServiceRunnerTest, PrivateKeysOthersMayReadAreRefused) {
  const std::string key = dir_ + "/key";
  ASSERT_THAT(WriteFileAtomic(key, AsBytes("PRIVATE+KEY+x\n"), 0600), IsOk());
  ServiceRunner runner(Options(dir_ + "/data"));
  auto loaded = runner.LoadPrivateKey(key, 4096);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(AsStringView(loaded->Reveal()), "PRIVATE+KEY+x\n");

  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  auto refused = runner.LoadPrivateKey(key, 4096);
  EXPECT_THAT(refused.status(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("chmod 600 " + key)));
  EXPECT_THAT(refused.status(), ReasonIs(kKeyFileInsecure));
  EXPECT_THAT(runner.LoadPrivateKey(dir_ + "/missing", 4096), StatusIs(StatusCode::kNotFound));
  // Nothing was created on the way.
  EXPECT_FALSE(FileExists(dir_ + "/data"));
}

TEST_F(ServiceRunnerTest, TheIntegrityCheckRunsFirstAndItsFailureHasAReason) {
  ServiceRunnerOptions options = Options(dir_ + "/data");
  int calls = 0;
  options.integrity_check = [&calls] {
    ++calls;
    return UnavailableError("image digest differs");
  };
  ServiceRunner runner(std::move(options));
  const Status s = runner.CheckIntegrity();
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable, HasSubstr("image digest differs")));
  EXPECT_THAT(s, ReasonIs("integrity_failed"));

  // A check's own reason (build/reasons.h) is kept.
  ServiceRunnerOptions with_reason = Options(dir_ + "/data");
  with_reason.integrity_check = [] {
    return RejectedError("integrity_digest_mismatch", "the image changed");
  };
  ServiceRunner reasoned(std::move(with_reason));
  EXPECT_THAT(reasoned.CheckIntegrity(), ReasonIs("integrity_digest_mismatch"));

  ServiceRunner without(Options(dir_ + "/data"));
  EXPECT_THAT(without.CheckIntegrity(), IsOk());
}

TEST_F(ServiceRunnerTest, ABadListenAddressFailsBeforeAnyStateExists) {
  ServiceRunnerOptions options = Options(dir_ + "/data");
  options.server.listen_address = "127.0.0.1:70000";
  ServiceRunner runner(std::move(options));
  const Status s = runner.Bind();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(s, ReasonIs("listen_failed"));
  EXPECT_THAT(runner.Serve(Ok), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_FALSE(FileExists(dir_ + "/data"));

  // A port in use cannot be bound: kUnavailable.
  ServiceRunner holder(Options(dir_ + "/d1"));
  ASSERT_THAT(holder.Bind(), IsOk());
  ServiceRunnerOptions busy = Options(dir_ + "/d2");
  busy.server.listen_address = holder.address();
  ServiceRunner second(std::move(busy));
  const Status in_use = second.Bind();
  EXPECT_THAT(in_use, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(in_use, ReasonIs("listen_failed"));
}

TEST_F(ServiceRunnerTest, ThePortFileIsWrittenBeforeItSaysListening) {
  ServiceRunnerOptions options = Options(dir_ + "/data");
  options.port_file = dir_ + "/port";
  ServiceRunner runner(std::move(options));
  ASSERT_THAT(runner.Bind(), IsOk());
  ASSERT_THAT(runner.Serve(Ok), IsOk());
  StdoutCapture out;
  ASSERT_THAT(runner.Announce("test abc"), IsOk());
  EXPECT_EQ(out.text(), "test abc listening on " + runner.address() + "\n");
  auto port = ReadFileToString(dir_ + "/port", 64);
  ASSERT_THAT(port, IsOk());
  EXPECT_EQ(*port, std::to_string(runner.port()) + "\n");

  http::HttpClient client;
  auto r = client.Get("http://" + runner.address() + "/");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->body, "up\n");
}

TEST_F(ServiceRunnerTest, APortFileThatCannotBeWrittenIsReportedAndNothingSaysListening) {
  ServiceRunnerOptions options = Options(dir_ + "/data");
  options.port_file = dir_ + "/nodir/port";
  ServiceRunner runner(std::move(options));
  ASSERT_THAT(runner.Bind(), IsOk());
  ASSERT_THAT(runner.Serve(Ok), IsOk());
  StdoutCapture out;
  EXPECT_THAT(runner.Announce("test"), ReasonIs("io_error"));
  EXPECT_EQ(out.text(), "");
}

// Records its destruction, and what it saw then: whether the HTTP server still answered and
// whether the data directory was still locked.
struct Probe {
  Probe(std::string name_in, std::string address_in, std::string data_dir_in,
        std::vector<std::string>* log_in)
      : name(std::move(name_in)),
        address(std::move(address_in)),
        data_dir(std::move(data_dir_in)),
        log(log_in) {}
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;
  std::string name;
  std::string address;
  std::string data_dir;
  std::vector<std::string>* log;
  ~Probe() {
    http::HttpClient client;
    const bool answered = client.Get("http://" + address + "/", {}, std::chrono::seconds(2)).ok();
    ServiceRunner other(Options(data_dir));
    const bool locked = other.OpenDataDir().reason() == "data_dir_in_use";
    log->push_back(name + (answered ? " served" : " stopped") + (locked ? " locked" : " free"));
  }
};

TEST_F(ServiceRunnerTest, ShutdownStopsServingThenDestroysServicesInReverseThenUnlocks) {
  std::vector<std::string> log;
  {
    ServiceRunner runner(Options(dir_ + "/data"));
    ASSERT_THAT(runner.Bind(), IsOk());
    ASSERT_THAT(runner.OpenDataDir(), IsOk());
    const std::string address = runner.address();
    runner.Keep(std::make_unique<Probe>("store", address, dir_ + "/data", &log));
    runner.Keep(std::make_shared<Probe>("sequencer", address, dir_ + "/data", &log));
    Probe& publisher =
        runner.Keep(std::make_unique<Probe>("publisher", address, dir_ + "/data", &log));
    EXPECT_EQ(publisher.name, "publisher");
    ASSERT_THAT(runner.Serve(Ok), IsOk());
    http::HttpClient client;
    ASSERT_THAT(client.Get("http://" + address + "/"), IsOk());
    runner.Shutdown();
    EXPECT_THAT(log, ElementsAre("publisher stopped locked", "sequencer stopped locked",
                                 "store stopped locked"));
    ServiceRunner next(Options(dir_ + "/data"));
    EXPECT_THAT(next.OpenDataDir(), IsOk());
    runner.Shutdown();  // idempotent
  }
  EXPECT_EQ(log.size(), 3u);
}

TEST_F(ServiceRunnerTest, WaitForSignalReturnsTheBlockedSignal) {
  ServiceRunner runner(Options(dir_ + "/data"));
  // The constructor blocked SIGTERM in this thread: raising it leaves it pending for sigwait
  // instead of terminating the test.
  ASSERT_EQ(pthread_kill(pthread_self(), SIGTERM), 0);
  EXPECT_EQ(runner.WaitForSignal(), SIGTERM);
  ASSERT_EQ(pthread_kill(pthread_self(), SIGINT), 0);
  EXPECT_EQ(runner.WaitForSignal(), SIGINT);
  // Bounded: 0 when none came in time, else the signal.
  EXPECT_EQ(runner.WaitForSignalFor(std::chrono::milliseconds(20)), 0);
  ASSERT_EQ(pthread_kill(pthread_self(), SIGTERM), 0);
  EXPECT_EQ(runner.WaitForSignalFor(std::chrono::milliseconds(1500)), SIGTERM);
}

}  // namespace
}  // namespace vouch::server

// `vouch demo`: the whole story of Vouch in one command, on embedded defaults (docs/demo.md).
// Every step is a real `vouch` command run as a child process of this program, in a working
// directory of its own: a witnessed log, two builders and their provenance, two root enclaves and
// root set 1, admissions, a broker, an envelope made before its application ever ran, the
// application fetching and sealing its secret, unsealing it after a restart with the broker
// down, a revocation that stops the next fetch, the rotation to a 2-of-3 root set, and the full
// audit with the Art. 30 export. The demo adds nothing of its own beyond the files an operator
// writes by hand (the witness policy, a toolchain manifest, an Art. 30 register, the enclave's
// owner anchors) and the copies of this binary its builds put into bundles.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/build_info.h"
#include "cli/cli_common.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/time.h"
#include "vouch/crypto/random.h"
#include "vouch/crypto/sha.h"
#include "vouch/crypto/signer.h"
#include "vouch/http/http_client.h"

extern char** environ;

namespace vouch::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char kDemoHelp[] =
    "Runs the whole story of Vouch on this machine, on embedded defaults (SQLite, loopback,\n"
    "the simulated SGX platform), with real `vouch` commands as child processes (--verbose\n"
    "shows each): a log cosigned by 2 of 3 witnesses; the root, broker and application\n"
    "bundles each built twice by two builders, with provenance in the log; two root enclaves\n"
    "and a 2-of-2 root set; the broker and the application admitted (both roots re-check and\n"
    "sign); the broker; an envelope for the application before it has ever run; the\n"
    "application fetching its secret through the broker and sealing it; its restart, unsealing\n"
    "with the broker down; a revocation of its measurement and the next fetch refused; the\n"
    "rotation to a 2-of-3 root set; the full audit and the Art. 30 export. Prints a report and\n"
    "stops everything it started. Works in --dir (created; must be empty), or in a temporary\n"
    "directory removed at the end unless a step fails or --keep is given. With --keep the\n"
    "services keep running, with a ledger explorer of the demo's log, until Ctrl-C. Each\n"
    "command's output is in DIR/logs/.";

constexpr const char kDemoFooter[] =
    "Exit codes: 0 the whole story ran; 2 bad usage or --dir not empty (file_exists);\n"
    "3 a step failed (demo_step_failed: the report names the command and its log).";

constexpr const char kOrigin[] = "demo.vouch.example/ledger";
constexpr const char kActivity[] = "demo-db";
constexpr int kRootProduct = 1;
constexpr int kBrokerProduct = 3;
constexpr int kAppProduct = 4;
constexpr int kSteps = 12;  // Story()
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kStopTimeout = std::chrono::seconds(10);

struct DemoOptions {
  std::string dir;
  bool keep = false;
  bool verbose = false;
  bool json = false;
};

// The last line of `text` that is a JSON object, or null.
Json LastJsonLine(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  Json found;
  while (std::getline(in, line)) {
    if (!line.starts_with("{")) continue;
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_discarded()) found = std::move(j);
  }
  return found;
}

// A command's outcome: exit code and standard output.
struct CommandResult {
  int exit_code = 0;
  std::string out;
  // The object it printed with --json (null if none).
  Json Object() const { return LastJsonLine(out); }
};

// A step that did not do what it should (code demo_step_failed, exit 3).
Status StepFailed(std::string message) {
  return UnavailableError(std::move(message)).WithReason(std::string(codes::kDemoStepFailed.code));
}

std::string Quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" '\"$\\;&|<>*?()") == std::string::npos) return arg;
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Shown(const std::vector<std::string>& args) {
  std::string line = "vouch";
  for (const std::string& a : args) line += " " + Quoted(a);
  return line;
}

// The file's contents, or "" when it cannot be read (a command's output, for a report).
std::string ReadOrEmpty(const std::string& path) {
  auto text = ReadFileToString(path);
  return text.ok() ? *std::move(text) : std::string();
}

std::string Tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  while (lines-- > 0 && pos > 0) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos == 0 ? 0 : pos + 1);
}

std::string JsonString(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Runs `vouch` commands as child processes of this program in the working directory, each with
// its output in logs/NN-NAME.out and .err, and keeps the services it starts until Stop().
class Runner {
 public:
  Runner(std::string self, bool verbose) : self_(std::move(self)), verbose_(verbose) {}
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;
  ~Runner() { StopAll(); }

  // Runs `args` to completion; a failure unless it exits `want`.
  StatusOr<CommandResult> Run(const std::string& name, const std::vector<std::string>& args,
                              int want = kExitOk) {
    const std::string base = NextLog(name);
    VOUCH_ASSIGN_OR_RETURN(pid_t pid, Spawn(args, base));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = ReadOrEmpty(base + ".out");
    if (r.exit_code != want) {
      const std::string err = ReadOrEmpty(base + ".err");
      return StepFailed("`" + Shown(args) + "` exited " + std::to_string(r.exit_code) +
                        " (expected " + std::to_string(want) + "); its output is in " + base +
                        ".out/.err:\n" + Tail(r.out + err, 6));
    }
    return r;
  }

  // Starts a service and waits for the port it writes to `port_file`; returns the port.
  StatusOr<std::string> Start(const std::string& name, const std::vector<std::string>& args,
                              const std::string& port_file) {
    std::error_code ec;
    fs::remove(port_file, ec);
    const std::string base = NextLog(name);
    VOUCH_ASSIGN_OR_RETURN(pid_t pid, Spawn(args, base));
    services_.push_back({name, pid});
    const auto deadline = SteadyNow() + kStartTimeout;
    while (SteadyNow() < deadline) {
      auto port = ReadFileToString(port_file);
      if (port.ok() && !port->empty() && port->back() == '\n') {
        port->pop_back();
        return *port;
      }
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        services_.pop_back();
        const std::string err = ReadOrEmpty(base + ".err") + ReadOrEmpty(base + ".out");
        return StepFailed("`" + Shown(args) + "` exited before serving (" + base + ".err):\n" +
                          Tail(err, 6));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return StepFailed("`" + Shown(args) + "` did not write " + port_file + " within 60 s (" + base +
                      ".err)");
  }

  // Stops the service `name` (SIGTERM, then SIGKILL after 10 s).
  void Stop(const std::string& name) {
    auto it = std::find_if(services_.begin(), services_.end(),
                           [&](const Service& s) { return s.name == name; });
    if (it == services_.end()) return;
    Terminate(it->pid);
    services_.erase(it);
  }

  void StopAll() {
    for (auto it = services_.rbegin(); it != services_.rend(); ++it) ::kill(it->pid, SIGTERM);
    for (auto it = services_.rbegin(); it != services_.rend(); ++it) Terminate(it->pid);
    services_.clear();
  }

  // What the verbose report shows for a step the demo does itself (a file an operator writes).
  void Note(const std::string& line) const {
    if (verbose_) std::cerr << "  # " << line << "\n";
  }

 private:
  struct Service {
    std::string name;
    pid_t pid;
  };

  std::string NextLog(const std::string& name) {
    char num[16];
    std::snprintf(num, sizeof num, "%02d", ++count_);
    return "logs/" + std::string(num) + "-" + name;
  }

  StatusOr<pid_t> Spawn(const std::vector<std::string>& args, const std::string& base) {
    if (verbose_) std::cerr << "  $ " << Shown(args) << "\n";
    std::vector<std::string> argv_s = {"vouch"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argv_s.size() + 1);
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out = base + ".out";
    const std::string err = base + ".err";
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0600);
    ::posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0600);
    ::posix_spawnattr_init(&attr);
    sigset_t none;
    sigset_t defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    ::posix_spawnattr_setsigmask(&attr, &none);
    ::posix_spawnattr_setsigdefault(&attr, &defaults);
    ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, self_.c_str(), &actions, &attr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      return StepFailed("cannot start " + self_ + ": " + std::strerror(rc));
    }
    return pid;
  }

  static void Terminate(pid_t pid) {
    ::kill(pid, SIGTERM);
    const auto deadline = SteadyNow() + kStopTimeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (SteadyNow() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string self_;
  bool verbose_;
  int count_ = 0;
  std::vector<Service> services_;
};

// A bundle both builders built: its MRENCLAVE and the log positions of their provenance.
struct Built {
  std::string dir;                         // builder a's copy, the one that runs
  std::string mr_enclave;                  // upper-case hex
  std::vector<std::string> reproduced_by;  // INDEX:SHA256 of each provenance entry
};

// A root enclave the demo started.
struct Root {
  std::string url;
  std::string keyid;
};

// The story, step by step; each step is a member function that returns a Status and fills the
// report.
class Demo {
 public:
  Demo(std::string self, const DemoOptions& opts)
      : self_(std::move(self)), opts_(opts), run_(self_, opts.verbose) {}

  Status Story() {
    VOUCH_RETURN_IF_ERROR(Step("a log cosigned by 2 of 3 witnesses", &Demo::Ledger));
    VOUCH_RETURN_IF_ERROR(Step("four simulated machines, two builders, an owner", &Demo::Machines));
    VOUCH_RETURN_IF_ERROR(
        Step("root, broker and application bundles, each built twice, "
             "provenance in the log",
             &Demo::Builds));
    VOUCH_RETURN_IF_ERROR(Step("two root enclaves bootstrap root set 1 (2-of-2)", &Demo::Roots));
    VOUCH_RETURN_IF_ERROR(
        Step("the broker and the application admitted, a processing record "
             "(both roots re-check and sign)",
             &Demo::Admissions));
    VOUCH_RETURN_IF_ERROR(Step("the broker starts and checks itself", &Demo::Broker));
    VOUCH_RETURN_IF_ERROR(
        Step("an envelope for the application, which has never run", &Demo::Envelope));
    VOUCH_RETURN_IF_ERROR(Step("the application fetches its secret and seals it", &Demo::Fetch));
    VOUCH_RETURN_IF_ERROR(
        Step("the application restarts and unseals, the broker down", &Demo::Restart));
    VOUCH_RETURN_IF_ERROR(
        Step("its measurement revoked: the next fetch is refused", &Demo::Revoke));
    VOUCH_RETURN_IF_ERROR(Step("a third root, then root set 2 (2-of-3)", &Demo::Rotate));
    VOUCH_RETURN_IF_ERROR(Step("the full audit and the Art. 30 export", &Demo::Audit));
    return OkStatus();
  }

  Runner& runner() { return run_; }
  Json& report() { return report_; }
  const std::string& log_url() const { return log_; }
  const std::map<std::string, std::string>& urls() const { return urls_; }

 private:
  Status Step(const std::string& title, Status (Demo::*step)()) {
    const auto start = SteadyNow();
    ++step_;
    if (!opts_.json) {
      std::cout << "[" << (step_ < 10 ? " " : "") << step_ << "/" << kSteps << "] " << title
                << std::flush;
      if (opts_.verbose) std::cout << "\n";
    }
    Status s = (this->*step)();
    if (!opts_.json) {
      std::cout << (opts_.verbose ? "        " : " ") << (s.ok() ? "ok" : "FAILED") << " ("
                << Elapsed(start) << ")\n";
      for (const std::string& line : lines_) std::cout << "        " << line << "\n";
    }
    report_["steps"].push_back({{"step", title}, {"ok", s.ok()}, {"lines", lines_}});
    lines_.clear();
    return s;
  }

  void Say(const std::string& line) { lines_.push_back(line); }

  StatusOr<CommandResult> Run(const std::string& name, const std::vector<std::string>& args,
                              int want = kExitOk) {
    return run_.Run(name, args, want);
  }

  Status Write(const std::string& path, std::string_view text, mode_t mode = 0644) {
    run_.Note("write " + path);
    return WriteFileAtomic(path, AsBytes(text), mode);
  }

  std::vector<std::string> Trust() const {
    std::vector<std::string> t;
    for (const std::string& m : machines_) {
      t.push_back("--sim-root");
      t.push_back("sim-" + m + "/root_ca.der");
    }
    return t;
  }

  static std::string Ago(int seconds) { return FormatRfc3339(RealClock().Now() - seconds); }

  // Hex SHA-256 of a file of any size (this program's own binary among them).
  static StatusOr<std::string> FileSha256(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return StepFailed("cannot read " + path);
    Sha256Hasher hasher;
    std::vector<char> buf(size_t{1} << 20);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
      hasher.Update(
          ByteSpan(reinterpret_cast<const uint8_t*>(buf.data()), static_cast<size_t>(in.gcount())));
    }
    return HexEncode(hasher.Finish());
  }

  // ---- 1. the ledger ----
  Status Ledger() {
    VOUCH_ASSIGN_OR_RETURN(CommandResult key, Run("log-keygen", {"log", "keygen", "--origin",
                                                                 kOrigin, "--out", "log.key"}));
    const std::string log_vkey = key.out.substr(0, key.out.find('\n'));
    std::string policy = "log " + log_vkey + "\n";
    std::vector<std::string> log_args = {"serve", "log", "--data", "log", "--key", "log.key"};
    log_args.insert(log_args.end(), {"--init", "--listen", "127.0.0.1:0", "--port-file", "log.port",
                                     "--policy", "policy", "--witness-timeout", "2"});
    for (int i = 1; i <= 3; ++i) {
      const std::string w = "w" + std::to_string(i);
      VOUCH_ASSIGN_OR_RETURN(CommandResult wk,
                             Run(w + "-keygen", {"witness", "keygen", "--name", w + ".demo.example",
                                                 "--out", w + ".key"}));
      const std::string vkey = wk.out.substr(0, wk.out.find('\n'));
      VOUCH_ASSIGN_OR_RETURN(std::string port,
                             run_.Start("witness-" + w,
                                        {"serve", "witness", "--data", w, "--key", w + ".key",
                                         "--init", "--log", std::string(kOrigin) + "=" + log_vkey,
                                         "--listen", "127.0.0.1:0", "--port-file", w + ".port"},
                                        w + ".port"));
      policy += "witness " + w + " " + vkey + "\n";
      log_args.push_back("--witness");
      log_args.push_back("http://127.0.0.1:" + port + "=" + vkey);
      urls_["witness " + w] = "http://127.0.0.1:" + port;
    }
    policy += "group cosigners 2 w1 w2 w3\nquorum cosigners\n";
    VOUCH_RETURN_IF_ERROR(Write("policy", policy));
    VOUCH_ASSIGN_OR_RETURN(std::string port, run_.Start("log", log_args, "log.port"));
    log_ = "http://127.0.0.1:" + port;
    urls_["log"] = log_;
    Say("log " + log_ + ", origin " + kOrigin + "; witnesses w1 w2 w3, quorum 2");
    report_["log"] = {{"url", log_}, {"origin", kOrigin}, {"verifier_key", log_vkey}};
    return OkStatus();
  }

  // ---- 2. machines and keys ----
  Status Machines() {
    for (const std::string& m : machines_) {
      VOUCH_RETURN_IF_ERROR(Run("sim-init-" + m, {"sim", "init", "--dir", "sim-" + m}).status());
      VOUCH_RETURN_IF_ERROR(Run("sim-collateral-" + m,
                                {"sim", "collateral", "--dir", "sim-" + m, "--out", "coll-" + m})
                                .status());
    }
    for (const char* k : {"builder-a", "builder-b", "owner"}) {
      VOUCH_RETURN_IF_ERROR(
          Run(std::string(k) + "-keygen", {"statement", "keygen", "--out", std::string(k) + ".pem"})
              .status());
    }
    VOUCH_RETURN_IF_ERROR(
        Run("signer-keygen", {"enclave", "keygen", "--out", "signer.pem"}).status());
    Say("machines: sim-root-a, sim-root-b, sim-root-c (one per root), sim-host (broker, "
        "application)");
    return OkStatus();
  }

  // ---- 3. builds ----
  StatusOr<Built> BuildTwice(const std::string& name, int product_id) {
    Built built;
    const std::string commit = std::string(VOUCH_BUILD_COMMIT).size() == 40
                                   ? std::string(VOUCH_BUILD_COMMIT)
                                   : std::string(40, '0');
    for (const std::string& b : std::vector<std::string>{"a", "b"}) {
      const std::string dir = "build-" + b + "/" + name;
      run_.Note("builder " + b + ": cp " + self_ + " " + dir + "/bin/vouch; write " + dir +
                "/vouch-enclave.json");
      std::error_code ec;
      fs::create_directories(dir + "/bin", ec);
      fs::copy_file(self_, dir + "/bin/vouch", fs::copy_options::overwrite_existing, ec);
      if (ec) return StepFailed("cannot copy " + self_ + ": " + ec.message());
      VOUCH_RETURN_IF_ERROR(WriteFileAtomic(
          dir + "/vouch-enclave.json",
          AsBytes("{\"format\":\"vouch-enclave/1\",\"entry\":\"bin/vouch\",\"product_id\":" +
                  std::to_string(product_id) +
                  ",\"isv_svn\":1,\"debug\":false,\"memory_size\":1073741824}\n")));
      VOUCH_ASSIGN_OR_RETURN(
          CommandResult sign,
          Run("sign-" + name + "-" + b, {"enclave", "sign", dir, "--key", "signer.pem", "--json"}));
      std::string mr = JsonString(sign.Object(), "mr_enclave");
      std::transform(mr.begin(), mr.end(), mr.begin(), ::toupper);
      if (built.mr_enclave.empty()) {
        built.mr_enclave = mr;
        built.dir = dir;
      } else if (mr != built.mr_enclave) {
        return StepFailed(name + ": the two builds differ (" + built.mr_enclave + ", " + mr + ")");
      }
      const std::string prov = "prov-" + name + "-" + b + ".entry";
      VOUCH_RETURN_IF_ERROR(
          Run("attest-" + name + "-" + b,
              {"build", "attest", dir, "--source", "https://git.example/vouch.git@" + commit,
               "--toolchain", "toolchain.json", "--builder-id",
               "https://builder-" + b + ".example/ci", "--key", "builder-" + b + ".pem", "--out",
               prov, "--finished-on", Ago(300)})
              .status());
      VOUCH_ASSIGN_OR_RETURN(
          CommandResult sub,
          Run("submit-" + name + "-" + b,
              {"ledger", "submit", log_, prov, "--policy", "policy", "--out",
               "prov-" + name + "-" + b + ".proof", "--timeout", "20", "--json"}));
      VOUCH_ASSIGN_OR_RETURN(std::string hash, FileSha256(prov));
      built.reproduced_by.push_back(std::to_string(sub.Object().value("index", -1)) + ":" + hash);
    }
    return built;
  }

  Status Builds() {
    VOUCH_ASSIGN_OR_RETURN(std::string self_digest, FileSha256(self_));
    VOUCH_RETURN_IF_ERROR(Write(
        "toolchain.json",
        "{\"format\":\"vouch-toolchain/1\",\"components\":[{\"name\":\"vouch\",\"version\":\"" +
            std::string(VOUCH_BUILD_VERSION) + "\",\"uri\":\"pkg:generic/vouch@" +
            std::string(VOUCH_BUILD_VERSION) + "\",\"digest\":{\"sha256\":\"" + self_digest +
            "\"}}]}\n"));
    VOUCH_ASSIGN_OR_RETURN(root_bundle_, BuildTwice("root-bundle", kRootProduct));
    VOUCH_ASSIGN_OR_RETURN(broker_bundle_, BuildTwice("broker-bundle", kBrokerProduct));
    VOUCH_ASSIGN_OR_RETURN(app_bundle_, BuildTwice("app-bundle", kAppProduct));
    Say("root bundle   MRENCLAVE " + root_bundle_.mr_enclave);
    Say("broker bundle MRENCLAVE " + broker_bundle_.mr_enclave);
    Say("application   MRENCLAVE " + app_bundle_.mr_enclave);
    report_["bundles"] = {{"root", root_bundle_.mr_enclave},
                          {"broker", broker_bundle_.mr_enclave},
                          {"application", app_bundle_.mr_enclave}};
    return OkStatus();
  }

  // ---- 4. roots ----
  StatusOr<Root> StartRoot(const std::string& name, bool bootstrap) {
    std::vector<std::string> args = {
        "enclave",  "run",         root_bundle_.dir, "--sim-dir",    "sim-" + name,
        "--",       "serve",       "root",           "--data",       name,
        "--listen", "127.0.0.1:0", "--port-file",    name + ".port", "--log",
        log_,       "--policy",    "policy",         "--collateral", "coll-" + name};
    for (const std::string& a : Trust()) args.push_back(a);
    for (const std::string& m : machines_) {
      if (m == name) continue;
      args.push_back("--collateral");
      args.push_back("coll-" + m);
    }
    args.insert(args.end(), {"--recheck-interval", "5"});
    if (bootstrap) {
      args.push_back("--bootstrap");
    } else {
      args.insert(args.end(), {"--root-set-pin", pin_});
    }
    VOUCH_ASSIGN_OR_RETURN(std::string port, run_.Start(name, args, name + ".port"));
    Root root{"http://127.0.0.1:" + port, ""};
    urls_[name] = root.url;
    // What `curl $ROOT/identity` shows: the key and the quote that binds it, kept as files.
    run_.Note("GET " + root.url + "/identity -> " + name + ".pub, " + name + ".quote");
    http::HttpClient client;
    VOUCH_ASSIGN_OR_RETURN(http::HttpResponse resp, client.Get(root.url + "/identity"));
    Json id = Json::parse(resp.body, nullptr, false);
    auto spki = Base64Decode(id.is_object() ? JsonString(id["key"], "spki") : "");
    auto quote = Base64Decode(id.is_object() ? JsonString(id["binding"], "quote") : "");
    if (resp.status != 200 || !spki.ok() || !quote.ok()) {
      return StepFailed(name + "'s /identity answered " + std::to_string(resp.status));
    }
    VOUCH_ASSIGN_OR_RETURN(auto key, PublicKeyFromSpki(*spki));
    VOUCH_RETURN_IF_ERROR(WriteFileAtomic(name + ".pub", AsBytes(PublicKeyToPem(*key))));
    VOUCH_RETURN_IF_ERROR(WriteFileAtomic(name + ".quote", *quote));
    root.keyid = key->KeyId();
    roots_[name] = root;
    report_["roots"][name] = {{"url", root.url}, {"keyid", root.keyid}};
    return root;
  }

  std::string RootArg(const std::string& name, bool with_refs) const {
    std::string arg = "name=" + name + ",key=" + name +
                      ".pub,constraint=C:" + root_bundle_.mr_enclave +
                      " SEC:INSECURE,quote=" + name + ".quote,collateral=coll-" + name;
    if (with_refs) {
      arg +=
          ",reproduced-by=" + root_bundle_.reproduced_by[0] + "+" + root_bundle_.reproduced_by[1];
    }
    return arg;
  }

  StatusOr<Json> RootSet(int version, const std::vector<std::string>& names) {
    const std::string out = "root-set-" + std::to_string(version) + ".json";
    std::vector<std::string> args = {
        "govern",    "root-set", "--ledger",    kOrigin, "--version", std::to_string(version),
        "--expires", expires_,   "--threshold", "2"};
    for (const std::string& n : names) {
      args.push_back("--root");
      args.push_back(RootArg(n, version == 1));
    }
    for (const std::string& b : std::vector<std::string>{"a", "b"}) {
      args.push_back("--builder");
      args.push_back("id=https://builder-" + b + ".example/ci,key=builder-" + b + ".pub.pem");
    }
    args.insert(args.end(), {"--out", out});
    VOUCH_RETURN_IF_ERROR(Run("root-set-" + std::to_string(version), args).status());
    return Countersign(out, names);
  }

  // `ledger countersign` of `statement` by those roots; returns its --json result.
  StatusOr<Json> Countersign(const std::string& statement, const std::vector<std::string>& names) {
    std::vector<std::string> args = {"ledger", "countersign", log_, statement};
    for (const std::string& n : names) {
      args.push_back("--root");
      args.push_back(roots_[n].url);
    }
    args.insert(args.end(), {"--policy", "policy", "--timeout", "20", "--out", statement + ".proof",
                             "--envelope", statement + ".entry", "--json"});
    if (!pin_.empty()) args.insert(args.end(), {"--root-set-pin", pin_});
    VOUCH_ASSIGN_OR_RETURN(CommandResult r, Run("countersign-" + statement, args));
    return r.Object();
  }

  Status Roots() {
    for (const char* r : {"root-a", "root-b"}) {
      VOUCH_ASSIGN_OR_RETURN(Root root, StartRoot(r, /*bootstrap=*/true));
      Say(std::string(r) + " " + root.url + " keyid " + root.keyid);
    }
    VOUCH_RETURN_IF_ERROR(RootSet(1, {"root-a", "root-b"}).status());
    VOUCH_ASSIGN_OR_RETURN(
        CommandResult inspect,
        Run("inspect-root-set-1", {"statement", "inspect", "root-set-1.json.entry", "--json"}));
    pin_ = JsonString(inspect.Object(), "statement_digest");
    if (pin_.empty()) return StepFailed("no statement_digest");
    Say("root set 1: 2-of-2, pin (its statement digest) " + pin_);
    report_["root_set_pin"] = pin_;
    return OkStatus();
  }

  // ---- 5. admissions ----
  StatusOr<Json> Admit(const std::string& out, const std::string& role, const Built& bundle) {
    std::vector<std::string> args = {
        "govern", "admit",  "--ledger", kOrigin,        "--expires",
        expires_, "--role", role,       "--constraint", "C:" + bundle.mr_enclave + " SEC:INSECURE"};
    for (const std::string& r : bundle.reproduced_by) {
      args.push_back("--reproduced-by");
      args.push_back(r);
    }
    args.insert(args.end(), {"--out", out});
    VOUCH_RETURN_IF_ERROR(Run("admit-" + role, args).status());
    return Countersign(out, {"root-a", "root-b"});
  }

  Status Admissions() {
    VOUCH_RETURN_IF_ERROR(Admit("admit-broker.json", "broker", broker_bundle_).status());
    VOUCH_ASSIGN_OR_RETURN(Json app, Admit("admit-app.json", "workload", app_bundle_));
    VOUCH_ASSIGN_OR_RETURN(Bytes salt, RandomBytes(32));
    VOUCH_RETURN_IF_ERROR(Write(
        "register.json",
        "{\"format\":\"vouch-art30-register/1\",\"entries\":[{\"role\":\"controller\",\"name\":"
        "\"Demo Controller Ltd\",\"contact\":\"privacy@controller.example\",\"salt\":\"" +
            HexEncode(salt) + "\"}]}\n"));
    VOUCH_ASSIGN_OR_RETURN(std::string app_hash, FileSha256("admit-app.json.entry"));
    VOUCH_RETURN_IF_ERROR(Run("record", {"govern",
                                         "record",
                                         "--ledger",
                                         kOrigin,
                                         "--activity",
                                         kActivity,
                                         "--activity-version",
                                         "1",
                                         "--register",
                                         "register.json",
                                         "--purpose",
                                         "The application's database credentials",
                                         "--data-subjects",
                                         "Customers",
                                         "--personal-data",
                                         "Contact details",
                                         "--covers",
                                         std::to_string(app.value("index", -1)) + ":" + app_hash,
                                         "--out",
                                         "record.json"})
                              .status());
    VOUCH_RETURN_IF_ERROR(Countersign("record.json", {"root-a", "root-b"}).status());
    Say("broker admitted for role broker, application for role workload (C:" +
        app_bundle_.mr_enclave.substr(0, 16) + "... SEC:INSECURE)");
    Say(std::string("processing record '") + kActivity + "' covers the application's admission");
    return OkStatus();
  }

  // ---- 6. broker ----
  Status StartBroker() {
    std::vector<std::string> args = {"enclave",
                                     "run",
                                     broker_bundle_.dir,
                                     "--sim-dir",
                                     "sim-host",
                                     "--",
                                     "serve",
                                     "broker",
                                     "--data",
                                     "broker",
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--port-file",
                                     "broker.port",
                                     "--log",
                                     log_,
                                     "--policy",
                                     "policy",
                                     "--root-set-pin",
                                     pin_,
                                     "--collateral",
                                     "coll-host",
                                     "--recheck-interval",
                                     "PT5S"};
    for (const std::string& a : Trust()) args.push_back(a);
    VOUCH_ASSIGN_OR_RETURN(std::string port, run_.Start("broker", args, "broker.port"));
    broker_ = "http://127.0.0.1:" + port;
    urls_["broker"] = broker_;
    run_.Note("GET " + broker_ + "/identity");
    http::HttpClient client;
    VOUCH_ASSIGN_OR_RETURN(http::HttpResponse resp, client.Get(broker_ + "/identity"));
    const Json id = Json::parse(resp.body, nullptr, false);
    if (id.is_object() && id["hpke"].is_object() && id["hpke"]["key"].is_object()) {
      broker_keyid_ = JsonString(id["hpke"]["key"], "keyid");
    }
    if (resp.status != 200 || broker_keyid_.empty()) {
      return StepFailed("the broker's /identity answered " + std::to_string(resp.status));
    }
    return OkStatus();
  }

  Status Broker() {
    VOUCH_RETURN_IF_ERROR(StartBroker());
    Say("broker " + broker_ + ", HPKE keyid " + broker_keyid_ + " (keys sealed in broker/)");
    report_["broker"] = {{"url", broker_}, {"keyid", broker_keyid_}};
    return OkStatus();
  }

  // ---- 7. envelope ----
  Status Envelope() {
    VOUCH_ASSIGN_OR_RETURN(Bytes secret, RandomBytes(16));
    secret_ = "demo-password-" + HexEncode(secret);
    VOUCH_RETURN_IF_ERROR(Write("secret.txt", secret_, 0600));
    std::vector<std::string> args = {
        "provision",      "envelope",
        "--broker",       broker_,
        "--in",           "secret.txt",
        "--key",          "owner.pem",
        "--log",          log_,
        "--policy",       "policy",
        "--root-set-pin", pin_,
        "--constraint",   "C:" + app_bundle_.mr_enclave + " SEC:INSECURE",
        "--activity",     kActivity,
        "--out",          "app.env",
        "--json"};
    for (const std::string& a : Trust()) args.push_back(a);
    VOUCH_RETURN_IF_ERROR(Run("envelope", args).status());
    VOUCH_ASSIGN_OR_RETURN(CommandResult inspect,
                           Run("inspect-envelope", {"provision", "inspect", "app.env",
                                                    "--owner-pub", "owner.pub.pem", "--json"}));
    envelope_id_ = JsonString(inspect.Object(), "id");
    // The application's owner anchors, as its bundle would carry them: the owner's key and the
    // ledger's witness policy (the release record must be proven in the log).
    VOUCH_ASSIGN_OR_RETURN(std::string pem, ReadFileToString("owner.pub.pem"));
    VOUCH_ASSIGN_OR_RETURN(auto owner, PublicKeyFromPem(pem));
    VOUCH_ASSIGN_OR_RETURN(std::string policy, ReadFileToString("policy"));
    Json anchors = {
        {"format", "vouch-provision-anchors/v1"},
        {"ownerKeys",
         Json::array({{{"keyid", owner->KeyId()}, {"spki", Base64Encode(owner->spki_der())}}})},
        {"policy", policy}};
    VOUCH_RETURN_IF_ERROR(Write("anchors.json", anchors.dump() + "\n"));
    Say("app.env: envelope " + envelope_id_ + ", secret HPKE-sealed to the broker, for C:" +
        app_bundle_.mr_enclave.substr(0, 16) + "...; the application has never run");
    return OkStatus();
  }

  std::vector<std::string> FetchArgs(const std::string& sealed) const {
    return {"enclave",   "run",       app_bundle_.dir, "--sim-dir", "sim-host", "--",
            "provision", "fetch",     "app.env",       "--broker",  broker_,    "--seal-out",
            sealed,      "--anchors", "anchors.json",  "--log",     log_,       "--json"};
  }

  // ---- 8. fetch ----
  Status Fetch() {
    VOUCH_ASSIGN_OR_RETURN(CommandResult r, Run("fetch", FetchArgs("app.sealed")));
    const Json fetched = r.Object();
    if (fetched.value("owner_verified", false) != true ||
        fetched.value("record_proven", false) != true) {
      return StepFailed("the fetch did not verify its owner and record: " + r.out);
    }
    auto sealed = ReadFile("app.sealed");
    if (!sealed.ok() || AsStringView(*sealed).find(secret_) != std::string_view::npos) {
      return StepFailed("app.sealed is missing or holds the secret");
    }
    Say("app.sealed written by the enclave (" + std::to_string(sealed->size()) +
        " bytes); the release record proven in the log first");
    return OkStatus();
  }

  // ---- 9. restart ----
  Status Restart() {
    run_.Stop("broker");
    VOUCH_RETURN_IF_ERROR(
        Run("unseal", {"enclave", "run", app_bundle_.dir, "--sim-dir", "sim-host", "--",
                       "provision", "unseal", "--in", "app.sealed", "--envelope-id", envelope_id_,
                       "--out", "app.secret", "--json"})
            .status());
    auto got = ReadFileToString("app.secret");
    if (!got.ok() || *got != secret_) {
      return StepFailed("the unsealed secret is not the owner's");
    }
    Say("broker stopped; the application unsealed the owner's secret from app.sealed");
    const std::string keyid = broker_keyid_;
    VOUCH_RETURN_IF_ERROR(StartBroker());
    if (broker_keyid_ != keyid) {
      return StepFailed("the restarted broker has another key");
    }
    Say("broker restarted with its sealed keys (same keyid)");
    return OkStatus();
  }

  // ---- 10. revocation ----
  Status Revoke() {
    VOUCH_RETURN_IF_ERROR(Run("revoke", {"govern", "revoke", "--ledger", kOrigin, "--kind",
                                         "measurement", "--mrenclave", app_bundle_.mr_enclave,
                                         "--reason", "vulnerability", "--out", "revoke.json"})
                              .status());
    VOUCH_RETURN_IF_ERROR(Countersign("revoke.json", {"root-a", "root-b"}).status());
    VOUCH_ASSIGN_OR_RETURN(CommandResult r, Run("fetch-revoked", FetchArgs("app2.sealed"), 1));
    const Json refused = r.Object();
    const std::string code = refused.contains("error") ? JsonString(refused["error"], "code") : "";
    if (code != "identity_revoked") {
      return StepFailed("the fetch after the revocation: " + r.out);
    }
    Say("revocation countersigned; the next fetch is refused: identity_revoked");
    return OkStatus();
  }

  // ---- 11. rotation ----
  Status Rotate() {
    VOUCH_ASSIGN_OR_RETURN(Root c, StartRoot("root-c", /*bootstrap=*/true));
    Say("root-c " + c.url + " keyid " + c.keyid);
    VOUCH_RETURN_IF_ERROR(Admit("admit-root-c.json", "root", root_bundle_).status());
    VOUCH_RETURN_IF_ERROR(RootSet(2, {"root-a", "root-b", "root-c"}).status());
    Say("root-c admitted for role root; root set 2 (2-of-3) signed by set 1 and by itself");
    return OkStatus();
  }

  // ---- 12. audit ----
  Status Audit() {
    std::vector<std::string> args = {"audit",          log_, "--policy",       "policy",
                                     "--root-set-pin", pin_, "--save-entries", "ledger.jsonl",
                                     "--json"};
    for (const std::string& a : Trust()) args.push_back(a);
    for (const std::string& m : machines_) {
      args.push_back("--collateral");
      args.push_back("coll-" + m);
    }
    VOUCH_ASSIGN_OR_RETURN(CommandResult audit, Run("audit", args));
    const Json entries = audit.Object()["entries"];
    size_t valid = 0;
    std::map<std::string, int> classes;
    if (entries.is_array()) {
      for (const Json& e : entries) {
        if (e.value("valid", false)) ++valid;
        ++classes[JsonString(e, "class")];
      }
    }
    const size_t total = entries.is_array() ? entries.size() : 0;
    if (total == 0 || valid != total) {
      return StepFailed("the audit found " + std::to_string(valid) + " valid of " +
                        std::to_string(total) + " entries");
    }
    std::string summary;
    for (const auto& [cls, n] : classes)
      summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + cls;
    Say("audit: " + std::to_string(total) + " entries, all valid (" + summary + ")");
    VOUCH_RETURN_IF_ERROR(
        Run("art30-export",
            {"audit", "export", "ledger.jsonl", "--art30", "--register", "register.json",
             "--root-set-pin", pin_, "--origin", kOrigin, "--out", "art30.csv", "--json"})
            .status());
    VOUCH_ASSIGN_OR_RETURN(std::string csv, ReadFileToString("art30.csv"));
    const auto records = std::count(csv.begin(), csv.end(), '\n') - 1;
    VOUCH_ASSIGN_OR_RETURN(CommandResult rel,
                           Run("releases", {"audit", "releases", "ledger.jsonl", "--root-set-pin",
                                            pin_, "--origin", kOrigin, "--json"}));
    const Json listed = rel.Object()["releases"];
    const size_t releases = listed.is_array() ? listed.size() : 0;
    Say("audit releases: " + std::to_string(releases) + " release, every one with its record");
    Say("Art. 30 export: " + std::to_string(records) + " processing record in art30.csv");
    report_["ledger"] = {{"entries", total},
                         {"valid", valid},
                         {"classes", classes},
                         {"releases", releases},
                         {"art30_records", records}};
    return OkStatus();
  }

  std::string self_;
  DemoOptions opts_;
  Runner run_;
  Json report_ = Json::object();
  std::vector<std::string> lines_;
  int step_ = 0;
  const std::vector<std::string> machines_ = {"root-a", "root-b", "root-c", "host"};
  const std::string expires_ = FormatRfc3339(RealClock().Now() + 30 * 86400);
  std::string log_;
  std::string broker_;
  std::string broker_keyid_;
  std::string pin_;
  std::string secret_;
  std::string envelope_id_;
  Built root_bundle_;
  Built broker_bundle_;
  Built app_bundle_;
  std::map<std::string, Root> roots_;
  std::map<std::string, std::string> urls_;
};

// Blocks until SIGINT or SIGTERM.
void WaitForInterrupt() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  ::sigwait(&set, &sig);
}

int RunDemo(const DemoOptions& opts) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return ReportFailure(opts.json, codes::kIoError, "cannot find this program", ec.message());
  std::string dir = opts.dir;
  const bool temporary = dir.empty();
  if (temporary) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/vouch-demo-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return ReportFailure(opts.json, codes::kIoError, "cannot create a directory",
                           tmpl + ": " + std::strerror(errno));
    }
    dir = tmpl;
  } else {
    fs::create_directories(dir, ec);
    if (ec) return ReportFailure(opts.json, codes::kIoError, "cannot create " + dir, ec.message());
    if (!fs::is_empty(dir, ec)) {
      return ReportFailure(opts.json, codes::kFileExists, "refusing to run in " + dir,
                           "the directory is not empty", "give a new or empty --dir");
    }
  }
  dir = fs::absolute(dir).string();
  fs::current_path(dir, ec);
  fs::create_directories("logs", ec);
  if (ec) return ReportFailure(opts.json, codes::kIoError, "cannot use " + dir, ec.message());

  const auto start = SteadyNow();
  if (!opts.json) {
    std::cout << "Vouch demo in " << dir << " (each command's output in logs/)\n";
  }
  Demo demo(self.string(), opts);
  const Status story = demo.Story();
  Json& report = demo.report();
  report["dir"] = dir;
  report["seconds"] = std::chrono::duration<double>(SteadyNow() - start).count();
  if (!story.ok()) {
    demo.runner().StopAll();
    return ReportStatus(opts.json, "the demo stopped", story,
                        "everything it started is stopped; its files are kept in " + dir,
                        {{"report", report}});
  }
  if (opts.json) {
    PrintJsonResult(kVerdictOk, report);
  } else {
    std::cout << "\nThe whole story ran in " << Elapsed(start) << ": "
              << report["ledger"].value("entries", 0)
              << " ledger entries, every one valid under the audit.\n";
  }
  if (opts.keep) {
    const std::string pin = report.value("root_set_pin", "");
    auto port = demo.runner().Start(
        "explorer",
        {"serve", "explorer", "--log", demo.log_url(), "--policy", "policy", "--root-set-pin", pin,
         "--listen", "127.0.0.1:0", "--port-file", "explorer.port"},
        "explorer.port");
    if (!port.ok()) {
      demo.runner().StopAll();
      return ReportStatus(opts.json, "the demo stopped", port.status());
    }
    // With --json the object is the only thing on stdout; the rest goes to stderr.
    std::ostream& out = opts.json ? std::cerr : std::cout;
    out << "\nThe ledger explorer: http://127.0.0.1:" << *port << "/\n";
    out << "\nServices still running (Ctrl-C stops them):\n";
    for (const auto& [name, url] : demo.urls()) out << "  " << name << "  " << url << "\n";
    out << "Try: vouch audit " << demo.log_url() << " --policy " << dir << "/policy --root-set-pin "
        << report.value("root_set_pin", "") << "\n"
        << std::flush;
    WaitForInterrupt();
  }
  demo.runner().StopAll();
  if (temporary && !opts.keep) {
    fs::current_path("/", ec);
    fs::remove_all(dir, ec);
  } else if (!opts.json) {
    std::cout << "Files kept in " << dir << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<DemoOptions>();
  CLI::App* demo = app.add_subcommand("demo", "Run the whole story on this machine (a minute)");
  SetLongDescription(demo, kDemoHelp);
  demo->footer(kDemoFooter);
  demo->add_option("--dir", opts->dir, "Working directory (created; must be empty; kept)");
  demo->add_flag("--keep", opts->keep, "Keep the services running until Ctrl-C");
  demo->add_flag("-v,--verbose", opts->verbose, "Show every command, on stderr");
  demo->add_flag("--json", opts->json, "Print one JSON object (the report)");
  demo->callback([opts, &ctx] { ctx.exit_code = RunDemo(*opts); });
}

}  // namespace vouch::cli

// Split-view defence, end to end: three real `vouch serve witness` processes on loopback, and a
// malicious log that builds two different trees after a common prefix and offers each fork to
// the witnesses in every possible order. Every witness cosigns at most one fork and refuses the
// other with the spec's status codes (409 for a stale old size, 422 for an inconsistent tree),
// so a client demanding 2 of 3 cosignatures can never accept both forks.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/crypto/random.h"
#include "vouch/http/http_client.h"
#include "vouch/server/witness_service.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/witness.h"

namespace vouch {
namespace {

constexpr char kOrigin[] = "example.com/split-view-log";

// A `vouch serve witness` child process, stopped with SIGTERM when destroyed.
class WitnessProcess {
 public:
  static std::unique_ptr<WitnessProcess> Start(const std::string& dir, const std::string& key,
                                               const std::string& log_vkey) {
    const std::string port_file = dir + "/port";
    const std::string log_spec = std::string(kOrigin) + "=" + log_vkey;
    // The first start creates the witness's state; later ones open it.
    const char* init = FileExists(dir + "/witness.anchor") ? nullptr : "--init";
    pid_t pid = fork();
    if (pid == 0) {
      execl(VOUCH_BINARY, "vouch", "serve", "witness", "--data", dir.c_str(), "--key", key.c_str(),
            "--log", log_spec.c_str(), "--listen", "127.0.0.1:0", "--port-file", port_file.c_str(),
            init, static_cast<char*>(nullptr));
      _exit(127);
    }
    auto process = std::unique_ptr<WitnessProcess>(new WitnessProcess(pid));
    for (int i = 0; i < 100 && !FileExists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto port = ReadFileToString(port_file);
    if (!port.ok()) return nullptr;
    while (!port->empty() && port->back() == '\n') port->pop_back();
    process->url_ = "http://127.0.0.1:" + *port;
    return process;
  }
  ~WitnessProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  const std::string& url() const { return url_; }

 private:
  explicit WitnessProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::string url_;
};

struct Fork {
  tlog::MemoryTree tree;
  std::string note;  // the log-signed checkpoint at the tree's full size
};

class SplitViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_key_ =
        std::make_unique<tlog::Ed25519NoteSigner>(*tlog::Ed25519NoteSigner::Generate(kOrigin));
    for (int i = 0; i < 8; ++i) prefix_.AppendEntry(AsBytes("common " + std::to_string(i)));
    prefix_note_ = Sign(prefix_);
    // Fork A and fork B share the first 8 entries; B is also longer.
    for (int i = 0; i < 8; ++i) {
      a_.tree.AppendEntry(AsBytes("common " + std::to_string(i)));
      b_.tree.AppendEntry(AsBytes("common " + std::to_string(i)));
    }
    for (int i = 8; i < 12; ++i) a_.tree.AppendEntry(AsBytes("fork A " + std::to_string(i)));
    for (int i = 8; i < 14; ++i) b_.tree.AppendEntry(AsBytes("fork B " + std::to_string(i)));
    a_.note = Sign(a_.tree);
    b_.note = Sign(b_.tree);
    std::string policy = "log " + log_key_->verifier_key().ToString() + "\n";
    for (int w = 0; w < 3; ++w) {
      std::string name = "witness.example/w" + std::to_string(w);
      seeds_.push_back(std::move(*RandomBytes(32)));
      auto signer = tlog::ParseWitnessKeyFile(tlog::FormatWitnessKeyFile(name, seeds_.back()));
      ASSERT_THAT(signer, IsOk());
      policy += "witness w" + std::to_string(w) + " " + signer->verifier_key().ToString() + "\n";
      names_.push_back(name);
    }
    policy += "group quorum 2 w0 w1 w2\nquorum quorum\n";
    auto parsed = tlog::Policy::Parse(policy);
    ASSERT_THAT(parsed, IsOk());
    policy_ = std::make_unique<tlog::Policy>(std::move(*parsed));
  }

  std::string Sign(const tlog::MemoryTree& tree) {
    auto checkpoint = *tlog::Checkpoint::Create(kOrigin, tree.size(), tree.Root());
    const tlog::NoteSigner* signers[] = {log_key_.get()};
    return *tlog::SignCheckpoint(checkpoint, signers);
  }

  // POSTs an add-checkpoint request; returns (status, body).
  std::pair<int, std::string> Submit(const std::string& url, uint64_t old_size,
                                     const std::vector<tlog::Hash>& proof,
                                     const std::string& note) {
    auto request = tlog::AddCheckpointRequest::Create(old_size, proof, note);
    EXPECT_THAT(request, IsOk());
    auto response = client_.Post(url + "/add-checkpoint", request->Serialize(), "text/plain");
    EXPECT_THAT(response, IsOk());
    return response.ok() ? std::make_pair(response->status, response->body)
                         : std::make_pair(0, std::string());
  }

  // Whether the fork's checkpoint plus these cosignature lines satisfies the 2-of-3 policy.
  bool Accepted(const Fork& fork, const std::string& cosignatures) {
    auto signed_checkpoint = tlog::SignedCheckpoint::Parse(fork.note + cosignatures);
    if (!signed_checkpoint.ok()) return false;
    auto verified = policy_->VerifyCheckpoint(*signed_checkpoint);
    return verified.ok() && policy_->QuorumSatisfied(verified->witnesses);
  }

  std::unique_ptr<tlog::Ed25519NoteSigner> log_key_;
  tlog::MemoryTree prefix_;
  std::string prefix_note_;
  Fork a_, b_;
  std::vector<Bytes> seeds_;
  std::vector<std::string> names_;
  std::unique_ptr<tlog::Policy> policy_;
  http::HttpClient client_;
};

TEST_F(SplitViewTest, NoOrderOfRequestsLetsBothForksReachQuorum) {
  // mask bit w: witness w sees fork B first (else A first).
  for (int mask = 0; mask < 8; ++mask) {
    SCOPED_TRACE("order mask " + std::to_string(mask));
    std::vector<std::unique_ptr<WitnessProcess>> witnesses;
    for (int w = 0; w < 3; ++w) {
      std::string dir = vouch::testing::MakeTempDir("vouch-split-");
      std::string key = dir + "/key";
      ASSERT_THAT(
          WriteFileAtomic(key, AsBytes(tlog::FormatWitnessKeyFile(names_[w], seeds_[w])), 0600),
          IsOk());
      witnesses.push_back(WitnessProcess::Start(dir, key, log_key_->verifier_key().ToString()));
      ASSERT_NE(witnesses.back(), nullptr) << "witness did not start";
    }
    std::string cosigned_a, cosigned_b;
    for (int w = 0; w < 3; ++w) {
      const std::string& url = witnesses[w]->url();
      ASSERT_EQ(Submit(url, 0, {}, prefix_note_).first, 200);  // the common prefix, size 8
      bool b_first = (mask >> w) & 1;
      Fork& first = b_first ? b_ : a_;
      Fork& second = b_first ? a_ : b_;
      auto ok =
          Submit(url, 8, *tlog::ConsistencyProof(8, first.tree.size(), first.tree), first.note);
      ASSERT_EQ(ok.first, 200) << ok.second;
      (b_first ? cosigned_b : cosigned_a) += ok.second;
      // The other fork from the common prefix: stale old size, the witness reports its size.
      auto stale =
          Submit(url, 8, *tlog::ConsistencyProof(8, second.tree.size(), second.tree), second.note);
      EXPECT_EQ(stale.first, 409);
      EXPECT_EQ(stale.second, std::to_string(first.tree.size()) + "\n");
      // The log retries from the size the witness holds: no consistent proof exists, so 422.
      uint64_t held = first.tree.size();
      std::vector<tlog::Hash> proof;
      if (second.tree.size() > held)
        proof = *tlog::ConsistencyProof(held, second.tree.size(), second.tree);
      auto refused = Submit(url, held, proof, second.note);
      EXPECT_EQ(refused.first, held > second.tree.size() ? 400 : 422) << refused.second;
      // A replay of the old prefix checkpoint is a rollback: refused too.
      EXPECT_EQ(Submit(url, held, {}, prefix_note_).first, 400);
    }
    bool a_ok = Accepted(a_, cosigned_a);
    bool b_ok = Accepted(b_, cosigned_b);
    EXPECT_FALSE(a_ok && b_ok) << "both forks reached quorum";
    EXPECT_TRUE(a_ok || b_ok) << "the majority fork should reach quorum";
  }
}

}  // namespace
}  // namespace vouch

// The log publishing at witness quorum: real witness services (SQLite state) behind real
// loopback HTTP servers, a real Sequencer, and the CheckpointPublisher in between. Witnesses
// can be made to refuse (503), to hang until released, or to have seen a forked history.
#include "vouch/ledger/checkpoint_publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <vector>

#include "store/memory_log_store.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/ledger/log_client.h"
#include "vouch/ledger/log_service.h"
#include "vouch/server/http_server.h"
#include "vouch/store/sqlite_witness_store.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/witness.h"
#include "vouch/witness/witness_service.h"

namespace vouch::ledger {
namespace {

using ::testing::HasSubstr;
using ::vouch::testing::IsOk;
using ::vouch::testing::StatusIs;

constexpr char kOrigin[] = "log.example/witnessed";

tlog::Ed25519NoteSigner LogSigner() {
  return *tlog::Ed25519NoteSigner::FromSeed(kOrigin, Bytes(32, 7));
}

// A witness service on loopback whose answers a test can hold back or replace by a 503.
class TestWitness {
 public:
  TestWitness(const std::string& name, uint8_t seed, const std::string& dir)
      : signer_(*tlog::CosignatureV1Signer::FromSeed(name, Bytes(32, seed))) {
    auto log_key = LogSigner().verifier_key();
    auto keys = *tlog::VerifierSet::Create({*tlog::NewNoteVerifier(log_key)});
    auto witness = *tlog::Witness::Create({signer_}, {{kOrigin, keys}});
    service_ = std::make_unique<witness::WitnessService>(
        std::move(witness), *store::OpenSqliteWitnessStore(dir + "/" + name + ".db"), clock_);
    http::Router router;
    router.Handle("POST", "/add-checkpoint", [this](const http::HttpRequest& r) {
      requests_++;
      if (hold_) hold_->wait();
      if (refuse_) return http::HttpResponse::Text(503, "down for the test\n");
      return service_->AddCheckpoint(r);
    });
    server_ = std::move(http::HttpServer::Start({}, std::move(router))).value();
  }
  ~TestWitness() { Release(); }

  std::string url() const { return "http://" + server_->address(); }
  std::string vkey() const { return signer_.verifier_key().ToString(); }
  const std::string& name() const { return signer_.name(); }
  // Sends the request to the service directly (e.g. to plant another history).
  http::HttpResponse Direct(const std::string& body) {
    http::HttpRequest r;
    r.method = "POST";
    r.path = r.target = "/add-checkpoint";
    r.body = body;
    return service_->AddCheckpoint(r);
  }
  void Refuse(bool refuse) { refuse_ = refuse; }
  // Requests wait until Release().
  void Hold() { hold_.emplace(released_.get_future().share()); }
  void Release() {
    if (hold_ && !released_set_) {
      released_.set_value();
      released_set_ = true;
    }
  }
  int requests() const { return requests_; }

 private:
  tlog::CosignatureV1Signer signer_;
  ::vouch::testing::FakeClock clock_;
  std::unique_ptr<witness::WitnessService> service_;
  std::unique_ptr<http::HttpServer> server_;
  std::atomic<int> requests_{0};
  std::atomic<bool> refuse_{false};
  std::promise<void> released_;
  bool released_set_ = false;
  std::optional<std::shared_future<void>> hold_;
};

class CheckpointPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::vouch::testing::MakeTempDir("publisher");
    for (int i = 0; i < 3; ++i) {
      witnesses_.push_back(std::make_unique<TestWitness>("w" + std::to_string(i) + ".example",
                                                         static_cast<uint8_t>(20 + i), dir_));
    }
    SequencerOptions o;
    o.batch_interval = std::chrono::microseconds(200);
    sequencer_ =
        std::move(Sequencer::Start(store_, std::make_shared<tlog::Ed25519NoteSigner>(LogSigner()),
                                   RealClock(), o))
            .value();
    reader_ = std::make_unique<LogReader>(store_);
  }
  void TearDown() override {
    if (publisher_) publisher_->Stop();
    sequencer_->Stop();
  }

  // A policy over the three witnesses with quorum `k`-of-3 (no URLs).
  std::string PolicyText(const std::string& k) const {
    std::string text = "log " + sequencer_->verifier_key().ToString() + "\n";
    for (const auto& w : witnesses_) text += "witness " + w->name() + " " + w->vkey() + "\n";
    text += "group all-witnesses " + k;
    for (const auto& w : witnesses_) text += " " + w->name();
    return text + "\nquorum all-witnesses\n";
  }
  std::vector<std::string> Flags() const {
    std::vector<std::string> flags;
    for (const auto& w : witnesses_) flags.push_back(w->url() + "=" + w->vkey());
    return flags;
  }
  Status StartPublisher(const std::string& k, PublisherOptions options = {}) {
    auto policy = tlog::Policy::Parse(PolicyText(k));
    if (!policy.ok()) return policy.status();
    policy_ = std::make_unique<tlog::Policy>(*policy);
    VOUCH_ASSIGN_OR_RETURN(auto endpoints, ResolveWitnesses(*policy, Flags()));
    if (options.state_file.empty()) options.state_file = dir_ + "/cosigned";
    VOUCH_ASSIGN_OR_RETURN(
        publisher_, CheckpointPublisher::Start(*sequencer_, *reader_, client_, RealClock(), *policy,
                                               endpoints, options));
    return OkStatus();
  }
  void Add(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_THAT(
          sequencer_->Add(AsBytes("entry " + std::to_string(next_++)), std::chrono::seconds(10)),
          IsOk());
    }
  }
  std::shared_ptr<const LogSnapshot> WaitPublished(uint64_t size) {
    return publisher_->WaitForSize(size, RealClock().SteadyNow() + std::chrono::seconds(20));
  }
  // The witnesses whose cosignature on `note` verifies under the policy.
  std::set<std::string> CosignedBy(const std::string& note) {
    auto checkpoint = tlog::SignedCheckpoint::Parse(note);
    EXPECT_THAT(checkpoint, IsOk());
    auto verified = policy_->VerifyCheckpoint(*checkpoint);
    EXPECT_THAT(verified, IsOk());
    return verified.ok() ? verified->witnesses : std::set<std::string>{};
  }

  std::string dir_;
  std::vector<std::unique_ptr<TestWitness>> witnesses_;
  std::shared_ptr<store::MemoryLogStore> store_ = std::make_shared<store::MemoryLogStore>();
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<LogReader> reader_;
  http::HttpClient client_;
  std::unique_ptr<tlog::Policy> policy_;
  std::unique_ptr<CheckpointPublisher> publisher_;
  int next_ = 0;
};

TEST_F(CheckpointPublisherTest, PublishesOnlyQuorumCosignedCheckpoints) {
  ASSERT_THAT(StartPublisher("all"), IsOk());
  Add(5);
  auto published = WaitPublished(5);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(published->size(), 5u);
  EXPECT_EQ(published->root(), sequencer_->Latest()->root());
  EXPECT_EQ(CosignedBy(published->checkpoint()),
            (std::set<std::string>{"w0.example", "w1.example", "w2.example"}));
  // The log's own signature comes first and the text is the sequencer's.
  EXPECT_TRUE(published->checkpoint().starts_with(sequencer_->Latest()->checkpoint()));
  // Kept for a restart (written just after it is published).
  const auto deadline = RealClock().SteadyNow() + std::chrono::seconds(10);
  auto kept = [this] {
    auto text = ReadFileToString(dir_ + "/cosigned");
    return text.ok() ? *text : std::string();
  };
  while (kept() != published->checkpoint() && RealClock().SteadyNow() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(kept(), published->checkpoint());
  for (const auto& w : publisher_->witnesses()) {
    EXPECT_EQ(w.known_size, 5u) << w.name;
    EXPECT_FALSE(w.alarmed);
  }
}

TEST_F(CheckpointPublisherTest, DeadWitnessDoesNotStopATwoOfThreeQuorum) {
  witnesses_[2]->Refuse(true);
  ASSERT_THAT(StartPublisher("2"), IsOk());
  Add(3);
  auto published = WaitPublished(3);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(CosignedBy(published->checkpoint()),
            (std::set<std::string>{"w0.example", "w1.example"}));
  auto progress = publisher_->witnesses();
  EXPECT_THAT(progress[2].last_error, HasSubstr("503"));
  EXPECT_GE(progress[2].failures, 1u);
}

TEST_F(CheckpointPublisherTest, SlowWitnessDoesNotDelayTheQuorum) {
  witnesses_[1]->Hold();
  PublisherOptions options;
  options.witness_timeout = std::chrono::seconds(60);
  ASSERT_THAT(StartPublisher("2", options), IsOk());
  Add(2);
  // Published while w1 is still holding its request (it is released only afterwards).
  auto published = WaitPublished(2);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(CosignedBy(published->checkpoint()),
            (std::set<std::string>{"w0.example", "w2.example"}));
  witnesses_[1]->Release();
}

TEST_F(CheckpointPublisherTest, WithoutQuorumNothingIsPublishedUntilWitnessesReturn) {
  witnesses_[1]->Refuse(true);
  witnesses_[2]->Refuse(true);
  PublisherOptions options;
  options.witness_timeout = std::chrono::milliseconds(300);
  options.retry_interval = std::chrono::milliseconds(50);
  std::vector<std::string> events;
  Mutex events_mu;
  options.on_event = [&](const std::string& e) {
    MutexLock lock(&events_mu);
    events.push_back(e);
  };
  ASSERT_THAT(StartPublisher("2", options), IsOk());
  Add(4);
  // Sequencing goes on; publication does not.
  EXPECT_EQ(sequencer_->Latest()->size(), 4u);
  while (publisher_->stats().abandoned < 2)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(publisher_->Latest(), nullptr);
  {
    MutexLock lock(&events_mu);
    EXPECT_THAT(events, ::testing::Contains(HasSubstr("w1.example")));
    EXPECT_THAT(events, ::testing::Contains(HasSubstr("not published")));
  }
  // The service says why, and a client waits as told (503 + Retry-After) until its timeout.
  LogService service(*sequencer_, *reader_,
                     {std::chrono::seconds(1), [this] { return publisher_->Latest(); }});
  http::HttpRequest get;
  get.method = "GET";
  get.path = get.target = "/checkpoint";
  EXPECT_EQ(service.Checkpoint(get).status, 503);
  get.path = get.target = "/proof/2";
  auto proof = service.Proof(get);
  EXPECT_EQ(proof.status, 503);
  EXPECT_THAT(proof.body, HasSubstr("not yet covered by a witness-cosigned checkpoint"));

  witnesses_[2]->Refuse(false);
  auto published = WaitPublished(4);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(published->size(), 4u);
  EXPECT_EQ(service.Proof(get).status, 200);
}

TEST_F(CheckpointPublisherTest, WitnessThatComesBackCountsWithinTheRound) {
  witnesses_[1]->Refuse(true);
  witnesses_[2]->Refuse(true);
  PublisherOptions options;
  options.witness_timeout = std::chrono::seconds(60);  // the round outlasts the test
  options.retry_interval = std::chrono::milliseconds(20);
  ASSERT_THAT(StartPublisher("2", options), IsOk());
  Add(3);
  while (witnesses_[2]->requests() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(publisher_->Latest(), nullptr);
  witnesses_[2]->Refuse(false);
  auto published = WaitPublished(3);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(publisher_->stats().abandoned, 0u);
}

TEST_F(CheckpointPublisherTest, IdleCheckpointIsCosignedAfresh) {
  PublisherOptions options;
  options.recosign_interval = std::chrono::milliseconds(30);
  ASSERT_THAT(StartPublisher("all", options), IsOk());
  Add(2);
  ASSERT_NE(WaitPublished(2), nullptr);
  const uint64_t published = publisher_->stats().published;
  const int asked = witnesses_[0]->requests();
  const auto deadline = RealClock().SteadyNow() + std::chrono::seconds(20);
  while (publisher_->stats().published < published + 3 && RealClock().SteadyNow() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(publisher_->stats().published, published + 3);
  EXPECT_GE(witnesses_[0]->requests(), asked + 3);
  // Still the same tree, still under the quorum.
  auto latest = publisher_->Latest();
  EXPECT_EQ(latest->size(), 2u);
  EXPECT_EQ(CosignedBy(latest->checkpoint()).size(), 3u);
}

TEST_F(CheckpointPublisherTest, NoFreshCosignaturesWhenDisabled) {
  PublisherOptions options;
  options.recosign_interval = std::chrono::milliseconds(0);
  ASSERT_THAT(StartPublisher("all", options), IsOk());
  Add(1);
  ASSERT_NE(WaitPublished(1), nullptr);
  const int asked = witnesses_[0]->requests();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(witnesses_[0]->requests(), asked);
}

TEST_F(CheckpointPublisherTest, LearnsWhatEachWitnessSawFrom409) {
  ASSERT_THAT(StartPublisher("all"), IsOk());
  Add(3);
  ASSERT_NE(WaitPublished(3), nullptr);
  publisher_->Stop();
  // A fresh publisher knows no witness's size: it sends old size 0, is told 3, and proves
  // consistency from 3.
  Add(6);
  ASSERT_THAT(StartPublisher("all"), IsOk());
  auto published = WaitPublished(9);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(CosignedBy(published->checkpoint()).size(), 3u);
  for (const auto& w : publisher_->witnesses()) EXPECT_EQ(w.known_size, 9u) << w.name;
}

// Has witness w0 cosign a `size`-entry tree under the log's key that is not the log's.
void PlantForgedHistory(TestWitness& witness, int size) {
  tlog::MemoryTree other;
  for (int i = 0; i < size; ++i) other.AppendEntry(AsBytes("forged " + std::to_string(i)));
  auto signer = LogSigner();
  const tlog::NoteSigner* signers[] = {&signer};
  auto checkpoint = *tlog::Checkpoint::Create(kOrigin, other.size(), other.Root());
  auto note = *tlog::SignCheckpoint(checkpoint, signers);
  auto planted = witness.Direct(tlog::AddCheckpointRequest::Create(0, {}, note)->Serialize());
  ASSERT_EQ(planted.status, 200) << planted.body;
}

class AlarmTest : public CheckpointPublisherTest {
 protected:
  // Starts a 2-of-3 publisher with w0 holding a forged history of `forged_size` entries after
  // the log committed `log_size`, and checks that w0 raises the alarm (`expected` in the event),
  // is not asked again, and that w1 and w2 still publish.
  void ExpectAlarm(int forged_size, int log_size, const std::string& expected) {
    PlantForgedHistory(*witnesses_[0], forged_size);
    Add(log_size);
    std::vector<std::string> events;
    Mutex events_mu;
    PublisherOptions options;
    options.on_event = [&](const std::string& e) {
      MutexLock lock(&events_mu);
      events.push_back(e);
    };
    ASSERT_THAT(StartPublisher("2", options), IsOk());
    auto published = WaitPublished(log_size);
    ASSERT_NE(published, nullptr);
    EXPECT_EQ(CosignedBy(published->checkpoint()),
              (std::set<std::string>{"w1.example", "w2.example"}));
    while (!publisher_->witnesses()[0].alarmed) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const int asked = witnesses_[0]->requests();
    Add(2);
    ASSERT_NE(WaitPublished(log_size + 2), nullptr);
    EXPECT_EQ(witnesses_[0]->requests(), asked);
    publisher_->Stop();
    MutexLock lock(&events_mu);
    EXPECT_THAT(events, ::testing::Contains(::testing::AllOf(HasSubstr("ALARM: witness w0.example"),
                                                             HasSubstr(expected))));
  }
};

TEST_F(AlarmTest, WitnessThatCosignedAForkAnswers422) {
  // w0 has seen 2 other entries; the log's 5 do not extend them.
  ExpectAlarm(2, 5, "422");
}

TEST_F(AlarmTest, WitnessThatSawALongerHistoryMeansARollback) {
  ExpectAlarm(9, 5, "beyond this log's 5");
}

TEST_F(CheckpointPublisherTest, RestartServesTheKeptCheckpointOnlyWhileItIsCurrent) {
  ASSERT_THAT(StartPublisher("all"), IsOk());
  Add(2);
  auto published = WaitPublished(2);
  ASSERT_NE(published, nullptr);
  publisher_->Stop();

  for (auto& w : witnesses_) w->Refuse(true);
  ASSERT_THAT(StartPublisher("all"), IsOk());
  auto restored = publisher_->Latest();
  ASSERT_NE(restored, nullptr);
  EXPECT_EQ(restored->checkpoint(), published->checkpoint());
  publisher_->Stop();

  // Committed beyond the kept checkpoint: nothing is published until a quorum cosigns again.
  Add(1);
  ASSERT_THAT(StartPublisher("all"), IsOk());
  EXPECT_EQ(publisher_->Latest(), nullptr);
}

TEST_F(CheckpointPublisherTest, StartRefusesAPolicyWithoutThisLog) {
  auto other = *tlog::Ed25519NoteSigner::FromSeed("other.example/log", Bytes(32, 1));
  auto policy = *tlog::Policy::Parse("log " + other.verifier_key().ToString() + "\nquorum none\n");
  EXPECT_THAT(CheckpointPublisher::Start(*sequencer_, *reader_, client_, RealClock(), policy, {}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("does not list this log")));
}

TEST_F(CheckpointPublisherTest, ResolveWitnessesChecksFlagsAgainstThePolicy) {
  auto policy = *tlog::Policy::Parse(PolicyText("2"));
  auto flags = Flags();
  auto all = ResolveWitnesses(policy, flags);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].name, "w1.example");
  EXPECT_EQ((*all)[1].url, witnesses_[1]->url());

  // One witness cannot meet 2-of-3.
  std::vector<std::string> one = {flags[0]};
  EXPECT_THAT(ResolveWitnesses(policy, one),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("cannot meet the policy's quorum")));
  std::vector<std::string> twice = {flags[0], flags[0], flags[1]};
  EXPECT_THAT(ResolveWitnesses(policy, twice),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("given twice")));
  auto stranger = *tlog::CosignatureV1Signer::FromSeed("stranger.example", Bytes(32, 99));
  std::vector<std::string> unknown = {flags[0], flags[1],
                                      "http://127.0.0.1:1=" + stranger.verifier_key().ToString()};
  EXPECT_THAT(ResolveWitnesses(policy, unknown),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("has no witness with key")));
  for (const std::string& bad : std::vector<std::string>{
           "no-equals-sign", "=" + witnesses_[0]->vkey(), "http://x=notakey"}) {
    std::vector<std::string> malformed = {bad};
    EXPECT_THAT(ResolveWitnesses(policy, malformed),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("URL=VKEY")))
        << bad;
  }

  // Witness lines with URLs need no flags; a flag overrides the policy's URL.
  std::string text = "log " + sequencer_->verifier_key().ToString() + "\n";
  for (const auto& w : witnesses_)
    text += "witness " + w->name() + " " + w->vkey() + " " + w->url() + "/\n";
  text += "group g 2 w0.example w1.example w2.example\nquorum g\n";
  auto with_urls = *tlog::Policy::Parse(text);
  std::vector<std::string> override_flag = {"http://127.0.0.1:9=" + witnesses_[2]->vkey()};
  auto resolved = ResolveWitnesses(with_urls, override_flag);
  ASSERT_THAT(resolved, IsOk());
  ASSERT_EQ(resolved->size(), 3u);
  EXPECT_EQ((*resolved)[0].url, "http://127.0.0.1:9");
  EXPECT_EQ((*resolved)[1].url, witnesses_[0]->url());
}

}  // namespace
}  // namespace vouch::ledger

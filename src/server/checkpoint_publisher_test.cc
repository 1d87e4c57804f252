// The log publishing at witness quorum: a real Sequencer and CheckpointPublisher, talking to
// real witness services through the HTTP witness transport over an in-process HTTP client (no
// sockets), all on a fake clock, so that round deadlines, retries and fresh cosignatures happen
// when the test moves time, not when a sleep happens to end. Witnesses can be made to refuse
// (503), to hang until released, or to have seen a forked history.
#include "vouch/ledger/checkpoint_publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "http/in_process_client.h"
#include "store/memory_log_store.h"
#include "store/memory_witness_store.h"
#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/server/log_service.h"
#include "vouch/server/witness_client.h"
#include "vouch/server/witness_service.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/witness.h"

namespace vouch::ledger {
namespace {

using std::chrono::milliseconds;

constexpr char kOrigin[] = "log.example/witnessed";

tlog::Ed25519NoteSigner LogSigner() {
  return *tlog::Ed25519NoteSigner::FromSeed(kOrigin, Bytes(32, 7));
}

// Waits (in real time, at most 20 s) until `done()`: for what other threads do in response to
// the test, never for time to pass.
template <typename Pred>
bool Eventually(Pred done) {
  const Clock::SteadyTime deadline = RealClock().SteadyNow() + std::chrono::seconds(20);
  while (!done()) {
    if (RealClock().SteadyNow() > deadline) return false;
    RealClock().SleepFor(milliseconds(1));
  }
  return true;
}

// A witness service reached at http://<name> through the in-process client; its answers can be
// held back or replaced by a 503.
class TestWitness {
 public:
  TestWitness(const std::string& name, uint8_t seed, const Clock& clock,
              http::InProcessClient& client)
      : signer_(*tlog::CosignatureV1Signer::FromSeed(name, Bytes(32, seed))),
        url_("http://" + name) {
    auto log_key = LogSigner().verifier_key();
    auto keys = *tlog::VerifierSet::Create({*tlog::NewNoteVerifier(log_key)});
    auto witness = *tlog::Witness::Create({signer_}, {{kOrigin, keys}});
    service_ = std::make_unique<server::WitnessService>(
        std::move(witness), std::make_unique<store::MemoryWitnessStore>(), clock);
    http::Router router;
    router.Handle("POST", "/add-checkpoint", [this](const http::HttpRequest& r) {
      requests_++;
      if (hold_) hold_->wait();
      if (refuse_) return http::HttpResponse::Text(503, "down for the test\n");
      return service_->AddCheckpoint(r);
    });
    client.Route(url_, std::move(router));
  }
  ~TestWitness() { Release(); }

  const std::string& url() const { return url_; }
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
  std::string url_;
  std::unique_ptr<server::WitnessService> service_;
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
      witnesses_.push_back(std::make_unique<TestWitness>(
          "w" + std::to_string(i) + ".example", static_cast<uint8_t>(20 + i), clock_, client_));
    }
    SequencerOptions o;
    o.batch_interval = std::chrono::microseconds(0);
    sequencer_ =
        std::move(Sequencer::Start(store_, std::make_shared<tlog::Ed25519NoteSigner>(LogSigner()),
                                   clock_, o))
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
  std::vector<WitnessAddress> Addresses() const {
    std::vector<WitnessAddress> addresses;
    for (const auto& w : witnesses_) {
      addresses.push_back({w->url(), *tlog::VerifierKey::Parse(w->vkey())});
    }
    return addresses;
  }
  Status StartPublisher(const std::string& k, PublisherOptions options = {}) {
    auto policy = tlog::Policy::Parse(PolicyText(k));
    if (!policy.ok()) return policy.status();
    policy_ = std::make_unique<tlog::Policy>(*policy);
    VOUCH_ASSIGN_OR_RETURN(auto endpoints, ResolveWitnesses(*policy, Addresses()));
    if (options.state_file.empty()) options.state_file = dir_ + "/cosigned";
    options.on_event = [this](const std::string& e) {
      MutexLock lock(&events_mu_);
      events_.push_back(e);
    };
    VOUCH_ASSIGN_OR_RETURN(
        publisher_, CheckpointPublisher::Start(*sequencer_, *reader_, transport_, clock_, *policy,
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
  // The published tree once it has at least `size` entries (null if that does not happen).
  std::shared_ptr<const LogSnapshot> WaitPublished(uint64_t size) {
    Eventually([&] {
      auto latest = publisher_->Latest();
      return latest != nullptr && latest->size() >= size;
    });
    return publisher_->Latest();
  }
  // Moves the fake clock on by `step` until `done()`: each step once something waits on the
  // clock, so that the publisher's threads see the time move (at most 1,000 steps).
  template <typename Pred>
  bool AdvanceUntil(Pred done, milliseconds step) {
    for (int i = 0; i < 1000; ++i) {
      if (done()) return true;
      if (!clock_.AwaitWaiters(1, std::chrono::seconds(20))) return false;
      clock_.Advance(step);
      RealClock().SleepFor(milliseconds(1));
    }
    return done();
  }
  // The witnesses whose cosignature on `note` verifies under the policy.
  std::set<std::string> CosignedBy(const std::string& note) {
    auto checkpoint = tlog::SignedCheckpoint::Parse(note);
    EXPECT_THAT(checkpoint, IsOk());
    auto verified = policy_->VerifyCheckpoint(*checkpoint);
    EXPECT_THAT(verified, IsOk());
    return verified.ok() ? verified->witnesses : std::set<std::string>{};
  }
  std::vector<std::string> Events() {
    MutexLock lock(&events_mu_);
    return events_;
  }

  std::string dir_;
  ::vouch::testing::FakeClock clock_;
  http::InProcessClient client_;
  server::HttpWitnessTransport transport_{client_};
  std::vector<std::unique_ptr<TestWitness>> witnesses_;
  std::shared_ptr<store::MemoryLogStore> store_ = std::make_shared<store::MemoryLogStore>();
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<LogReader> reader_;
  std::unique_ptr<tlog::Policy> policy_;
  Mutex events_mu_;
  std::vector<std::string> events_ VOUCH_GUARDED_BY(events_mu_);
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
  auto kept = [this] {
    auto text = ReadFileToString(dir_ + "/cosigned");
    return text.ok() ? *text : std::string();
  };
  EXPECT_TRUE(Eventually([&] { return kept() == published->checkpoint(); }));
  for (const auto& w : publisher_->witnesses()) {
    EXPECT_EQ(w.known_size, 5u) << w.name;
    EXPECT_FALSE(w.alarmed);
  }
}

TEST_F(CheckpointPublisherTest, DeadWitnessDoesNotStopATwoOfThreeQuorum) {
  witnesses_[2]->Refuse(true);
  // w0 and w1 answer once w2 has failed (else the quorum could be met before w2's turn).
  witnesses_[0]->Hold();
  witnesses_[1]->Hold();
  ASSERT_THAT(StartPublisher("2"), IsOk());
  Add(3);
  ASSERT_TRUE(Eventually([&] { return publisher_->witnesses()[2].failures >= 1; }));
  EXPECT_THAT(publisher_->witnesses()[2].last_error, HasSubstr("503"));
  witnesses_[0]->Release();
  witnesses_[1]->Release();
  auto published = WaitPublished(3);
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(CosignedBy(published->checkpoint()),
            (std::set<std::string>{"w0.example", "w1.example"}));
}

TEST_F(CheckpointPublisherTest, SlowWitnessDoesNotDelayTheQuorum) {
  witnesses_[1]->Hold();
  ASSERT_THAT(StartPublisher("2"), IsOk());
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
  options.witness_timeout = milliseconds(300);
  options.retry_interval = milliseconds(50);
  ASSERT_THAT(StartPublisher("2", options), IsOk());
  Add(4);
  // Sequencing goes on; publication does not, round after round.
  EXPECT_EQ(sequencer_->Latest()->size(), 4u);
  ASSERT_TRUE(AdvanceUntil([&] { return publisher_->stats().abandoned >= 2; }, milliseconds(50)));
  EXPECT_EQ(publisher_->Latest(), nullptr);
  EXPECT_THAT(Events(), ::testing::Contains(HasSubstr("w1.example")));
  EXPECT_THAT(Events(), ::testing::Contains(HasSubstr("not published")));
  // The service says why (503 + Retry-After, which a client waits on as told).
  server::LogService service(
      *sequencer_, *reader_,
      {std::chrono::seconds(1), [this] { return publisher_->Latest(); }, ""});
  http::HttpRequest get;
  get.method = "GET";
  get.path = get.target = "/checkpoint";
  EXPECT_EQ(service.Checkpoint(get).status, 503);
  get.path = get.target = "/proof/2";
  auto proof = service.Proof(get);
  EXPECT_EQ(proof.status, 503);
  EXPECT_THAT(proof.body, HasSubstr("not yet covered by a witness-cosigned checkpoint"));

  witnesses_[2]->Refuse(false);
  ASSERT_TRUE(AdvanceUntil([&] { return publisher_->Latest() != nullptr; }, milliseconds(50)));
  EXPECT_EQ(publisher_->Latest()->size(), 4u);
  EXPECT_EQ(service.Proof(get).status, 200);
}

TEST_F(CheckpointPublisherTest, WitnessThatComesBackCountsWithinTheRound) {
  witnesses_[1]->Refuse(true);
  witnesses_[2]->Refuse(true);
  PublisherOptions options;
  options.witness_timeout = std::chrono::seconds(60);  // the round outlasts the test
  options.retry_interval = milliseconds(20);
  ASSERT_THAT(StartPublisher("2", options), IsOk());
  Add(3);
  // w2 is asked again every retry interval...
  ASSERT_TRUE(AdvanceUntil([&] { return witnesses_[2]->requests() >= 3; }, milliseconds(20)));
  EXPECT_EQ(publisher_->Latest(), nullptr);
  // ...and once it answers, its cosignature completes the quorum of the same round.
  witnesses_[2]->Refuse(false);
  ASSERT_TRUE(AdvanceUntil([&] { return publisher_->Latest() != nullptr; }, milliseconds(20)));
  EXPECT_EQ(publisher_->stats().abandoned, 0u);
}

TEST_F(CheckpointPublisherTest, IdleCheckpointIsCosignedAfresh) {
  PublisherOptions options;
  options.recosign_interval = milliseconds(30);
  ASSERT_THAT(StartPublisher("all", options), IsOk());
  Add(2);
  ASSERT_NE(WaitPublished(2), nullptr);
  const uint64_t published = publisher_->stats().published;
  const int asked = witnesses_[0]->requests();
  ASSERT_TRUE(AdvanceUntil([&] { return publisher_->stats().published >= published + 3; },
                           milliseconds(30)));
  EXPECT_GE(witnesses_[0]->requests(), asked + 3);
  // Still the same tree, still under the quorum.
  auto latest = publisher_->Latest();
  EXPECT_EQ(latest->size(), 2u);
  EXPECT_EQ(CosignedBy(latest->checkpoint()).size(), 3u);
}

TEST_F(CheckpointPublisherTest, NoFreshCosignaturesWhenDisabled) {
  PublisherOptions options;
  options.recosign_interval = milliseconds(0);
  ASSERT_THAT(StartPublisher("all", options), IsOk());
  Add(1);
  ASSERT_NE(WaitPublished(1), nullptr);
  // Once every witness has answered, nothing waits for a time to come: a day can pass without
  // a new round.
  ASSERT_TRUE(Eventually([&] {
    for (const auto& w : publisher_->witnesses()) {
      if (w.cosignatures == 0) return false;
    }
    return true;
  }));
  ASSERT_TRUE(Eventually([&] { return clock_.waiters() == 0; }));
  const uint64_t rounds = publisher_->stats().rounds;
  const int asked = witnesses_[0]->requests();
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(clock_.waiters(), 0u);
  EXPECT_EQ(publisher_->stats().rounds, rounds);
  EXPECT_EQ(witnesses_[0]->requests(), asked);
  // A new entry still starts a round at once.
  Add(1);
  ASSERT_NE(WaitPublished(2), nullptr);
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
    // w1 and w2 hold their answers until w0 has been asked (else the quorum could be met
    // before w0's turn comes in this round).
    witnesses_[1]->Hold();
    witnesses_[2]->Hold();
    ASSERT_THAT(StartPublisher("2"), IsOk());
    ASSERT_TRUE(Eventually([&] { return publisher_->witnesses()[0].alarmed; }));
    witnesses_[1]->Release();
    witnesses_[2]->Release();
    auto published = WaitPublished(log_size);
    ASSERT_NE(published, nullptr);
    EXPECT_EQ(CosignedBy(published->checkpoint()),
              (std::set<std::string>{"w1.example", "w2.example"}));
    const int asked = witnesses_[0]->requests();
    Add(2);
    ASSERT_NE(WaitPublished(log_size + 2), nullptr);
    EXPECT_EQ(witnesses_[0]->requests(), asked);
    publisher_->Stop();
    EXPECT_THAT(Events(), ::testing::Contains(::testing::AllOf(
                              HasSubstr("ALARM: witness w0.example"), HasSubstr(expected))));
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
  ASSERT_TRUE(Eventually([&] { return FileExists(dir_ + "/cosigned"); }));
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
  EXPECT_THAT(CheckpointPublisher::Start(*sequencer_, *reader_, transport_, clock_, policy, {}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("does not list this log")));
}

TEST_F(CheckpointPublisherTest, ResolveWitnessesChecksAddressesAgainstThePolicy) {
  auto policy = *tlog::Policy::Parse(PolicyText("2"));
  auto addresses = Addresses();
  auto all = ResolveWitnesses(policy, addresses);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].name, "w1.example");
  EXPECT_EQ((*all)[1].url, witnesses_[1]->url());

  // One witness cannot meet 2-of-3.
  std::vector<WitnessAddress> one = {addresses[0]};
  EXPECT_THAT(ResolveWitnesses(policy, one),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("cannot meet the policy's quorum")));
  std::vector<WitnessAddress> twice = {addresses[0], addresses[0], addresses[1]};
  EXPECT_THAT(ResolveWitnesses(policy, twice),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("given twice")));
  auto stranger = *tlog::CosignatureV1Signer::FromSeed("stranger.example", Bytes(32, 99));
  std::vector<WitnessAddress> unknown = {
      addresses[0], addresses[1], {"http://127.0.0.1:1", stranger.verifier_key()}};
  EXPECT_THAT(ResolveWitnesses(policy, unknown),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("has no witness with key")));

  // Witness lines with URLs need no addresses; a given address overrides the policy's URL.
  std::string text = "log " + sequencer_->verifier_key().ToString() + "\n";
  for (const auto& w : witnesses_)
    text += "witness " + w->name() + " " + w->vkey() + " " + w->url() + "/\n";
  text += "group g 2 w0.example w1.example w2.example\nquorum g\n";
  auto with_urls = *tlog::Policy::Parse(text);
  std::vector<WitnessAddress> override_address = {{"http://127.0.0.1:9", addresses[2].key}};
  auto resolved = ResolveWitnesses(with_urls, override_address);
  ASSERT_THAT(resolved, IsOk());
  ASSERT_EQ(resolved->size(), 3u);
  EXPECT_EQ((*resolved)[0].url, "http://127.0.0.1:9");
  EXPECT_EQ((*resolved)[1].url, witnesses_[0]->url() + "/");
}

// The transport drops trailing slashes from a witness's URL, as a policy line may carry one.
TEST_F(CheckpointPublisherTest, TheHttpTransportPostsToAddCheckpoint) {
  WitnessEndpoint endpoint{"w0.example", witnesses_[0]->url() + "//", nullptr};
  auto answer = transport_.AddCheckpoint(endpoint, "not a request", milliseconds(100));
  ASSERT_THAT(answer, IsOk());
  EXPECT_EQ(answer->status, 400);
  EXPECT_EQ(witnesses_[0]->requests(), 1);
  endpoint.url = "http://nowhere.example";
  EXPECT_THAT(transport_.AddCheckpoint(endpoint, "x", milliseconds(100)),
              StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace vouch::ledger

// Publishing checkpoints at witness quorum (checkpoint_publisher.h; docs/log.md §5a).
#include "vouch/ledger/checkpoint_publisher.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "vouch/base/file.h"
#include "vouch/base/mutex.h"
#include "vouch/ledger/reasons.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/witness.h"

namespace vouch::ledger {
namespace {

Status ConfigError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message), reasons::kConfigInvalid);
}

bool SameKey(const tlog::Policy::Witness& witness, const tlog::VerifierKey& key) {
  return witness.verifier != nullptr && witness.type == key.type() &&
         witness.public_key == key.public_key() && witness.verifier->name() == key.name();
}

// The cosignature lines of a 200 answer to `request` that verify against `witness`'s key.
// Lines by other keys are dropped; a line by its key that does not verify fails the whole
// answer.
StatusOr<std::string> VerifiedCosignatures(const WitnessEndpoint& witness,
                                           const tlog::AddCheckpointRequest& request,
                                           const std::string& body) {
  const tlog::Note& sent = request.checkpoint().note();
  auto note = tlog::Note::Parse(sent.Serialize() + body);
  if (!note.ok() || note->text() != sent.text()) {
    return MalformedError(reasons::kWitnessResponseMalformed,
                          "its answer is not a list of note signature lines");
  }
  std::string lines;
  const auto& signatures = note->signatures();
  for (size_t i = sent.signatures().size(); i < signatures.size(); ++i) {
    const tlog::NoteSignature& sig = signatures[i];
    if (!sig.decoded || !witness.verifier->Matches(sig.key_name, sig.key_id)) continue;
    if (Status s = witness.verifier->Verify(AsBytes(note->text()), sig.signature); !s.ok()) {
      return RejectedError(reasons::kCosignatureInvalid,
                           "its cosignature does not verify: " + s.message());
    }
    lines += sig.Line();
  }
  if (lines.empty()) {
    return MalformedError(reasons::kWitnessResponseMalformed,
                          "its answer holds no cosignature by its key");
  }
  return lines;
}

}  // namespace

StatusOr<std::vector<WitnessEndpoint>> ResolveWitnesses(const tlog::Policy& policy,
                                                        std::span<const WitnessAddress> given) {
  std::vector<WitnessEndpoint> endpoints;
  std::set<std::string> names;
  for (const WitnessAddress& address : given) {
    auto it = std::find_if(policy.witnesses().begin(), policy.witnesses().end(),
                           [&address](const auto& w) { return SameKey(w, address.key); });
    if (it == policy.witnesses().end()) {
      return ConfigError("witness " + address.url + ": the policy has no witness with key " +
                         address.key.ToString() + ", so its cosignatures would not count");
    }
    if (!names.insert(it->name).second) {
      return ConfigError("witness " + it->name + " is given twice");
    }
    endpoints.push_back({it->name, address.url, it->verifier});
  }
  for (const auto& w : policy.witnesses()) {
    if (w.url.empty() || w.verifier == nullptr || names.contains(w.name)) continue;
    names.insert(w.name);
    endpoints.push_back({w.name, w.url, w.verifier});
  }
  if (!policy.QuorumSatisfied(names)) {
    return ConfigError(
        "the witnesses given cannot meet the policy's quorum even if all of them "
        "cosign: " +
        policy.ExplainQuorum(names) +
        " (add --witness URL=VKEY, or URLs to the policy's witness lines)");
  }
  return endpoints;
}

namespace internal {

// Everything the publisher is (checkpoint_publisher.h's banner); CheckpointPublisher forwards to
// it, so that its threads and locks stay out of the public header.
class PublisherImpl {
 public:
  PublisherImpl(Sequencer& sequencer, const LogReader& reader, WitnessTransport& transport,
                const Clock& clock, tlog::Policy policy, PublisherOptions options);
  ~PublisherImpl() { Stop(); }
  PublisherImpl(const PublisherImpl&) = delete;
  PublisherImpl& operator=(const PublisherImpl&) = delete;

  // Reloads the state file and starts the threads (CheckpointPublisher::Start).
  void Begin(std::vector<WitnessEndpoint> witnesses);
  std::shared_ptr<const LogSnapshot> Latest() const VOUCH_EXCLUDES(mu_);
  std::shared_ptr<const LogSnapshot> WaitForSize(uint64_t size, Clock::SteadyTime deadline) const
      VOUCH_EXCLUDES(mu_);
  std::vector<WitnessProgress> witnesses() const VOUCH_EXCLUDES(mu_);
  PublisherStats stats() const VOUCH_EXCLUDES(mu_);
  void Stop() VOUCH_EXCLUDES(mu_);

 private:
  struct Witness;
  // The checkpoint being cosigned, and what has come back for it.
  struct Round {
    uint64_t id = 0;
    std::shared_ptr<const LogSnapshot> target;
    Clock::SteadyTime deadline;
    std::vector<std::string> cosignature_lines;  // verified, in arrival order
    std::set<std::string> cosigned_by;           // policy names
    bool active = false;
  };

  // Restores the published checkpoint from the state file, if still valid.
  void LoadState();
  void Coordinate() VOUCH_EXCLUDES(mu_);
  // One step of the coordinating thread: starts, abandons or waits for a round (releasing mu_
  // while it waits). Returns a round that reached quorum, to publish. `retry_at` is when the
  // next round may start after an abandoned one.
  std::optional<Round> NextStepLocked(Clock::SteadyTime& retry_at) VOUCH_REQUIRES(mu_);
  // Sends `target` to every witness (wakes their threads).
  void StartRound(std::shared_ptr<const LogSnapshot> target, Clock::SteadyTime now)
      VOUCH_REQUIRES(mu_);
  // Whether the published checkpoint is due for fresh cosignatures.
  bool RecosignDue(Clock::SteadyTime now) const VOUCH_REQUIRES(mu_);
  // The round timed out without quorum: reports who is missing.
  void AbandonRound() VOUCH_REQUIRES(mu_);
  void Serve(Witness& witness) VOUCH_EXCLUDES(mu_);
  // One add-checkpoint exchange (two when the witness answers 409): the verified cosignature
  // lines. Updates witness.known_size.
  StatusOr<std::string> AskWitness(Witness& witness, const LogSnapshot& target) const;
  // Builds, checks against the policy, publishes and keeps the cosigned checkpoint of `round`
  // (which reached quorum). Only on the coordinating thread, so publications stay in order.
  void Publish(const Round& round) VOUCH_EXCLUDES(mu_);

  Sequencer& sequencer_;
  const LogReader& reader_;
  WitnessTransport& transport_;
  const Clock& clock_;
  const tlog::Policy policy_;
  const PublisherOptions options_;

  mutable Mutex mu_;
  mutable CondVar cv_;  // round started or changed, a witness answered, published, stopping
  std::vector<std::unique_ptr<Witness>> witnesses_;  // fixed after Start
  Round round_ VOUCH_GUARDED_BY(mu_);
  std::shared_ptr<const LogSnapshot> published_ VOUCH_GUARDED_BY(mu_);
  // When published_ was cosigned (min(): a kept checkpoint, due for fresh cosignatures).
  Clock::SteadyTime published_at_ VOUCH_GUARDED_BY(mu_);
  PublisherStats stats_ VOUCH_GUARDED_BY(mu_);
  bool stopping_ VOUCH_GUARDED_BY(mu_) = false;

  std::vector<std::thread> threads_;
  // Wakes the coordinator when the sequencer commits (declared last: destroyed first).
  std::unique_ptr<Sequencer::Subscription> commits_;
};

struct PublisherImpl::Witness {
  explicit Witness(WitnessEndpoint e) : endpoint(std::move(e)) { progress.name = endpoint.name; }
  const WitnessEndpoint endpoint;
  // Owned by the witness's thread.
  std::optional<uint64_t> known_size;
  // Guarded by the publisher's mu_.
  uint64_t done_round = 0;  // the last round it was asked in
  bool failed = false;      // ...and it did not cosign; asked again from retry_at
  Clock::SteadyTime retry_at;
  WitnessProgress progress;
};

PublisherImpl::PublisherImpl(Sequencer& sequencer, const LogReader& reader,
                             WitnessTransport& transport, const Clock& clock, tlog::Policy policy,
                             PublisherOptions options)
    : sequencer_(sequencer),
      reader_(reader),
      transport_(transport),
      clock_(clock),
      policy_(std::move(policy)),
      options_(std::move(options)) {}

void PublisherImpl::Begin(std::vector<WitnessEndpoint> witnesses) {
  for (auto& w : witnesses) witnesses_.push_back(std::make_unique<Witness>(std::move(w)));
  LoadState();
  commits_ = sequencer_.OnPublish([this] {
    MutexLock lock(&mu_);
    cv_.SignalAll();
  });
  for (auto& w : witnesses_) threads_.emplace_back([this, w = w.get()] { Serve(*w); });
  threads_.emplace_back([this] { Coordinate(); });
}

void PublisherImpl::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::shared_ptr<const LogSnapshot> PublisherImpl::Latest() const {
  MutexLock lock(&mu_);
  return published_;
}

std::shared_ptr<const LogSnapshot> PublisherImpl::WaitForSize(uint64_t size,
                                                              Clock::SteadyTime deadline) const {
  MutexLock lock(&mu_);
  while ((published_ == nullptr || published_->size() < size) &&
         clock_.WaitUntil(&cv_, &mu_, deadline)) {
  }
  return published_;
}

std::vector<WitnessProgress> PublisherImpl::witnesses() const {
  MutexLock lock(&mu_);
  std::vector<WitnessProgress> out;
  for (const auto& w : witnesses_) out.push_back(w->progress);
  return out;
}

PublisherStats PublisherImpl::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

// Only a checkpoint for exactly the committed size is restored: a LogSnapshot for an older
// size would need that size's right border, and a crash between a commit and its quorum only
// costs the first round after the restart (which starts at once).
void PublisherImpl::LoadState() {
  if (options_.state_file.empty() || !FileExists(options_.state_file)) return;
  auto ignored = [this](const std::string& why) {
    if (options_.on_event) options_.on_event("not serving the kept checkpoint: " + why);
  };
  auto text = ReadFileToString(options_.state_file, tlog::kMaxNoteSize);
  if (!text.ok()) return ignored(text.status().message());
  auto checkpoint = tlog::SignedCheckpoint::Parse(*text);
  if (!checkpoint.ok()) return ignored(checkpoint.status().message());
  if (auto verified = policy_.VerifyCheckpoint(*checkpoint); !verified.ok()) {
    return ignored(verified.status().message());
  }
  std::shared_ptr<const LogSnapshot> committed = sequencer_.Latest();
  auto current = tlog::Note::Parse(committed->checkpoint());
  if (!current.ok() || current->text() != checkpoint->text()) {
    return ignored("it is for size " + std::to_string(checkpoint->checkpoint().size()) +
                   ", the log has " + std::to_string(committed->size()) +
                   " entries; waiting for a quorum");
  }
  MutexLock lock(&mu_);
  published_ = committed->WithCheckpoint(*std::move(text));
  published_at_ = Clock::SteadyTime::min();
}

void PublisherImpl::Coordinate() {
  Clock::SteadyTime retry_at = Clock::SteadyTime::min();
  for (;;) {
    std::optional<Round> quorate;
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
      quorate = NextStepLocked(retry_at);
    }
    // Outside the lock: Publish writes the state file.
    if (quorate) Publish(*quorate);
  }
}

std::optional<PublisherImpl::Round> PublisherImpl::NextStepLocked(Clock::SteadyTime& retry_at) {
  // Read under mu_: the sequencer's listener signals cv_ under mu_ after each commit, so a
  // commit after this read wakes the wait below.
  const std::shared_ptr<const LogSnapshot> committed = sequencer_.Latest();
  const Clock::SteadyTime now = clock_.SteadyNow();
  const bool behind = published_ == nullptr || committed->size() > published_->size();
  if (round_.active) {
    if (policy_.QuorumSatisfied(round_.cosigned_by)) {
      round_.active = false;
      return round_;
    }
    if (now >= round_.deadline) {
      AbandonRound();
      retry_at = now + options_.retry_interval;
    } else {
      clock_.WaitUntil(&cv_, &mu_, round_.deadline);
    }
    return std::nullopt;
  }
  if (now >= retry_at && (behind || RecosignDue(now))) {
    // A new tree, or the same one for fresh cosignatures.
    StartRound(committed, now);
    return std::nullopt;
  }
  // Behind after an abandoned round: wait for the retry time. Otherwise wait for a commit
  // beyond the published size, or for the time to cosign afresh.
  std::optional<Clock::SteadyTime> wake;
  if (behind) {
    wake = retry_at;
  } else if (options_.recosign_interval.count() > 0) {
    wake = std::max(published_at_ + options_.recosign_interval, retry_at);
  }
  if (wake) {
    clock_.WaitUntil(&cv_, &mu_, *wake);
  } else {
    cv_.Wait(&mu_);
  }
  return std::nullopt;
}

bool PublisherImpl::RecosignDue(Clock::SteadyTime now) const {
  return options_.recosign_interval.count() > 0 &&
         (published_at_ == Clock::SteadyTime::min() ||
          now - published_at_ >= options_.recosign_interval);
}

void PublisherImpl::StartRound(std::shared_ptr<const LogSnapshot> target, Clock::SteadyTime now) {
  round_.id++;
  round_.target = std::move(target);
  round_.deadline = now + options_.witness_timeout;
  round_.cosignature_lines.clear();
  round_.cosigned_by.clear();
  round_.active = true;
  ++stats_.rounds;
  cv_.SignalAll();
}

void PublisherImpl::AbandonRound() {
  round_.active = false;
  ++stats_.abandoned;
  if (options_.on_event) {
    options_.on_event("checkpoint " + std::to_string(round_.target->size()) +
                      " not published: " + policy_.ExplainQuorum(round_.cosigned_by) +
                      " within the witness timeout; retrying");
  }
}

void PublisherImpl::Publish(const Round& round) {
  std::string note = round.target->checkpoint();
  for (const std::string& line : round.cosignature_lines) note += line;
  auto checkpoint = tlog::SignedCheckpoint::Parse(note);
  Status valid =
      checkpoint.ok() ? policy_.VerifyCheckpoint(*checkpoint).status() : checkpoint.status();
  if (!valid.ok()) {
    // Every line was verified on arrival; this is a bug, never publish around it.
    if (options_.on_event) options_.on_event("internal error: " + valid.message());
    MutexLock lock(&mu_);
    ++stats_.abandoned;
    return;
  }
  {
    MutexLock lock(&mu_);
    published_ = round.target->WithCheckpoint(note);
    published_at_ = clock_.SteadyNow();
    ++stats_.published;
    cv_.SignalAll();
  }
  if (!options_.state_file.empty()) {
    // A lost write only costs the first round after a restart (LoadState).
    if (Status s = WriteFileAtomic(options_.state_file, AsBytes(note));
        !s.ok() && options_.on_event) {
      options_.on_event("cannot keep the published checkpoint: " + s.message());
    }
  }
}

void PublisherImpl::Serve(Witness& witness) {
  for (;;) {
    std::shared_ptr<const LogSnapshot> target;
    uint64_t round_id = 0;
    {
      MutexLock lock(&mu_);
      // Asked once per round, and again every retry interval within a round while it fails
      // (so a witness that comes back counts without waiting for the round to time out).
      for (;;) {
        if (stopping_) return;
        const bool asked = round_.id == witness.done_round;
        const bool wanted =
            round_.active && !witness.progress.alarmed && (!asked || witness.failed);
        if (wanted && (!asked || clock_.SteadyNow() >= witness.retry_at)) break;
        if (wanted) {
          clock_.WaitUntil(&cv_, &mu_, witness.retry_at);
        } else {
          cv_.Wait(&mu_);
        }
      }
      target = round_.target;
      round_id = round_.id;
    }
    StatusOr<std::string> lines = AskWitness(witness, *target);

    MutexLock lock(&mu_);
    witness.done_round = round_id;
    witness.failed = !lines.ok();
    witness.retry_at = clock_.SteadyNow() + options_.retry_interval;
    WitnessProgress& progress = witness.progress;
    progress.known_size = witness.known_size;
    if (lines.ok()) {
      ++progress.cosignatures;
      progress.last_error.clear();
      if (round_.active && round_.id == round_id &&
          round_.cosigned_by.insert(progress.name).second) {
        round_.cosignature_lines.push_back(*std::move(lines));
      }
    } else {
      ++progress.failures;
      const std::string& message = lines.status().message();
      progress.alarmed = lines.status().reason() == reasons::kWitnessSplitView;
      if (options_.on_event && (message != progress.last_error || progress.alarmed)) {
        options_.on_event((progress.alarmed ? "ALARM: witness " : "witness ") + progress.name +
                          ": " + message);
      }
      progress.last_error = message;
    }
    cv_.SignalAll();
  }
}

StatusOr<std::string> PublisherImpl::AskWitness(Witness& witness, const LogSnapshot& target) const {
  const uint64_t size = target.size();
  for (int attempt = 0; attempt < 2; ++attempt) {
    const uint64_t old_size = witness.known_size.value_or(0);
    if (old_size > size) {
      return Status(StatusCode::kDataLoss,
                    "it has cosigned size " + std::to_string(old_size) + ", beyond this log's " +
                        std::to_string(size) +
                        ": it saw a longer history (a rollback or a split view); no longer asked",
                    reasons::kWitnessSplitView);
    }
    std::vector<tlog::Hash> proof;
    if (old_size > 0 && old_size < size) {
      VOUCH_ASSIGN_OR_RETURN(proof, reader_.ConsistencyProof(old_size, target));
    }
    VOUCH_ASSIGN_OR_RETURN(auto request, tlog::AddCheckpointRequest::Create(
                                             old_size, std::move(proof), target.checkpoint()));
    auto response =
        transport_.AddCheckpoint(witness.endpoint, request.Serialize(), options_.witness_timeout);
    if (!response.ok()) return response.status();
    const std::string reason = response->body.substr(0, response->body.find('\n'));
    switch (response->status) {
      case 200: {
        VOUCH_ASSIGN_OR_RETURN(std::string lines,
                               VerifiedCosignatures(witness.endpoint, request, response->body));
        witness.known_size = size;
        return lines;
      }
      case 409: {
        auto known = tlog::ParseTlogSizeBody(response->body);
        if (!known.ok() || !response->content_type.starts_with(tlog::kTlogSizeContentType)) {
          return MalformedError(reasons::kWitnessResponseMalformed,
                                "409 without a text/x.tlog.size body");
        }
        witness.known_size = *known;
        continue;
      }
      case 422:
        return Status(StatusCode::kDataLoss,
                      "refused checkpoint " + std::to_string(size) +
                          " as inconsistent with the history it cosigned (422: " + reason +
                          "): a split view or a rollback of this log; no longer asked",
                      reasons::kWitnessSplitView);
      default:
        return UnavailableError("answered " + std::to_string(response->status) + ": " + reason);
    }
  }
  return UnavailableError("answered 409 twice in a row");
}

}  // namespace internal

StatusOr<std::unique_ptr<CheckpointPublisher>> CheckpointPublisher::Start(
    Sequencer& sequencer, const LogReader& reader, WitnessTransport& transport, const Clock& clock,
    tlog::Policy policy, std::vector<WitnessEndpoint> witnesses, PublisherOptions options) {
  const tlog::VerifierKey& log_key = sequencer.verifier_key();
  if (std::none_of(policy.logs().begin(), policy.logs().end(),
                   [&log_key](const auto& log) { return log.key == log_key; })) {
    return FailedPreconditionError("the policy does not list this log's key " + log_key.ToString() +
                                   ": clients using it would reject every checkpoint");
  }
  std::set<std::string> names;
  for (const auto& w : witnesses) names.insert(w.name);
  if (!policy.QuorumSatisfied(names)) {
    return FailedPreconditionError("the witnesses cannot meet the policy's quorum: " +
                                   policy.ExplainQuorum(names));
  }
  auto impl = std::make_unique<internal::PublisherImpl>(sequencer, reader, transport, clock,
                                                        std::move(policy), std::move(options));
  impl->Begin(std::move(witnesses));
  return std::unique_ptr<CheckpointPublisher>(new CheckpointPublisher(std::move(impl)));
}

CheckpointPublisher::CheckpointPublisher(std::unique_ptr<internal::PublisherImpl> impl)
    : impl_(std::move(impl)) {}
CheckpointPublisher::~CheckpointPublisher() = default;  // the impl's destructor stops it

std::shared_ptr<const LogSnapshot> CheckpointPublisher::Latest() const { return impl_->Latest(); }
std::shared_ptr<const LogSnapshot> CheckpointPublisher::WaitForSize(
    uint64_t size, Clock::SteadyTime deadline) const {
  return impl_->WaitForSize(size, deadline);
}
std::vector<WitnessProgress> CheckpointPublisher::witnesses() const { return impl_->witnesses(); }
PublisherStats CheckpointPublisher::stats() const { return impl_->stats(); }
void CheckpointPublisher::Stop() { impl_->Stop(); }

}  // namespace vouch::ledger

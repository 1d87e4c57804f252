// The sequencer: batching, deduplication, integration, signing, one durable commit per batch.
#include "vouch/ledger/sequencer.h"

#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "ledger/stored_tile.h"
#include "vouch/base/mutex.h"
#include "vouch/ledger/log_follower.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::ledger {
namespace {

using tlog::Hash;
using tlog::HashTile;

}  // namespace

namespace internal {

// Everything the sequencer is (sequencer.h's banner); Sequencer forwards to it, so that its
// threads, queues and locks stay out of the public header.
class SequencerImpl {
 public:
  SequencerImpl(std::shared_ptr<store::LogStore> store,
                std::shared_ptr<const tlog::NoteSigner> signer, const Clock& clock,
                SequencerOptions options);
  ~SequencerImpl() { Stop(); }
  SequencerImpl(const SequencerImpl&) = delete;
  SequencerImpl& operator=(const SequencerImpl&) = delete;

  // Binds the store, recovers the tree and starts the threads (Sequencer::Start).
  Status Start();

  std::future<StatusOr<AddResult>> Submit(ByteSpan entry) VOUCH_EXCLUDES(mu_);
  void SubmitThen(ByteSpan entry, Sequencer::Callback done) VOUCH_EXCLUDES(mu_);
  StatusOr<AddResult> Add(ByteSpan entry, std::chrono::milliseconds timeout) VOUCH_EXCLUDES(mu_);
  std::vector<StatusOr<AddResult>> AddAll(std::span<const ByteSpan> entries,
                                          std::chrono::milliseconds timeout) VOUCH_EXCLUDES(mu_);
  std::shared_ptr<const LogSnapshot> Latest() const VOUCH_EXCLUDES(snapshot_mu_);
  std::unique_ptr<Sequencer::Subscription> OnPublish(std::function<void()> listener) const
      VOUCH_EXCLUDES(listeners_mu_);
  // Sequencer::Subscription's destructor.
  void Unsubscribe(uint64_t id) const VOUCH_EXCLUDES(listeners_mu_);
  std::shared_ptr<const LogSnapshot> WaitForNewer(uint64_t size, Clock::SteadyTime deadline) const
      VOUCH_EXCLUDES(snapshot_mu_);
  const std::string& origin() const { return origin_; }
  const tlog::VerifierKey& verifier_key() const { return vkey_; }
  const std::shared_ptr<store::LogStore>& store() const { return store_; }
  SequencerStats stats() const VOUCH_EXCLUDES(mu_);
  void Stop() VOUCH_EXCLUDES(mu_);

 private:
  // Lets Add wait for its entry on the clock (a std::future waits in real time only).
  struct Completion {
    Mutex mu;
    CondVar cv;
    bool done VOUCH_GUARDED_BY(mu) = false;
  };
  struct Pending {
    Bytes entry;
    tlog::Hash leaf_hash;
    std::promise<StatusOr<AddResult>> done;
    Clock::SteadyTime queued;
    std::shared_ptr<Completion> completion;  // Add's, or null
    Sequencer::Callback callback;            // SubmitThen's (then `done` is not used), or null
  };
  struct HashHasher {
    size_t operator()(const tlog::Hash& h) const;
  };
  // A batch integrated and signed by the sequencing thread, waiting for the committing thread.
  struct Prepared {
    std::vector<Pending> items;
    std::vector<uint64_t> index;                  // per item
    std::vector<bool> duplicate;                  // per item
    store::AppendBatch commit;                    // no entries: nothing to write (all duplicates)
    std::shared_ptr<const LogSnapshot> snapshot;  // to publish once committed (null if none)
    std::vector<tlog::Hash> new_hashes;           // in-flight leaf hashes to forget afterwards
    std::chrono::nanoseconds lookup_time{0};
    std::chrono::nanoseconds integrate_time{0};
  };

  // Queues `entry`; `completion` (may be null) is told when the future is ready; with a
  // `callback`, it gets the result instead of the future.
  std::future<StatusOr<AddResult>> Enqueue(ByteSpan entry, std::shared_ptr<Completion> completion,
                                           Sequencer::Callback callback = nullptr)
      VOUCH_EXCLUDES(mu_);
  // Answers a submitter.
  static void Resolve(Pending& pending, StatusOr<AddResult> result);
  // Reloads the integrator, partial tiles and snapshot from the store (startup, and after a
  // failed commit once the pipeline is empty). Only on the sequencing thread (or before it
  // starts).
  Status Recover();
  // Sequencing thread: cuts batches and prepares them.
  void Run() VOUCH_EXCLUDES(mu_, pipe_mu_);
  // Committing thread: commits prepared batches in order and answers their submitters.
  void Commit() VOUCH_EXCLUDES(mu_, pipe_mu_);
  // Deduplicates, integrates and signs `batch` on top of the integrator's tree.
  StatusOr<Prepared> Prepare(std::vector<Pending>& batch) VOUCH_EXCLUDES(pipe_mu_);
  void Complete(Prepared& p) VOUCH_EXCLUDES(mu_);
  // Signs the checkpoint for the integrator's current tree.
  StatusOr<std::string> SignCurrent() const;
  void Publish(std::shared_ptr<const LogSnapshot> snapshot) VOUCH_EXCLUDES(snapshot_mu_);

  const std::shared_ptr<store::LogStore> store_;
  const std::shared_ptr<const tlog::NoteSigner> signer_;
  const Clock& clock_;
  const tlog::VerifierKey vkey_;
  const std::string origin_;
  const SequencerOptions options_;

  // Owned by the sequencing thread (and by Start before the threads exist).
  tlog::TileIntegrator integrator_;
  std::array<std::shared_ptr<const tlog::HashTile>, 8> partial_tiles_;

  // Submissions.
  mutable Mutex mu_;
  CondVar cv_;
  std::deque<Pending> queue_ VOUCH_GUARDED_BY(mu_);
  size_t pending_bytes_ VOUCH_GUARDED_BY(mu_) = 0;
  bool stopping_ VOUCH_GUARDED_BY(mu_) = false;
  SequencerStats stats_ VOUCH_GUARDED_BY(mu_);

  // The pipeline between the two threads: at most kMaxPrepared batches, in order.
  static constexpr size_t kMaxPrepared = 2;
  Mutex pipe_mu_ VOUCH_ACQUIRED_AFTER(mu_);
  CondVar pipe_cv_;
  std::deque<Prepared> prepared_ VOUCH_GUARDED_BY(pipe_mu_);
  // Leaf hash → index of entries prepared but not yet committed (for deduplication).
  std::unordered_map<tlog::Hash, uint64_t, HashHasher> in_flight_ VOUCH_GUARDED_BY(pipe_mu_);
  // A commit failed: every batch prepared on top of it fails, and the sequencing thread
  // recovers from the store once the pipeline is empty.
  bool broken_ VOUCH_GUARDED_BY(pipe_mu_) = false;
  bool run_done_ VOUCH_GUARDED_BY(pipe_mu_) = false;

  mutable Mutex listeners_mu_;
  mutable std::map<uint64_t, std::function<void()>> listeners_ VOUCH_GUARDED_BY(listeners_mu_);
  mutable uint64_t next_listener_ VOUCH_GUARDED_BY(listeners_mu_) = 0;

  mutable Mutex snapshot_mu_;
  mutable CondVar snapshot_cv_;  // a new snapshot was published
  std::shared_ptr<const LogSnapshot> snapshot_ VOUCH_GUARDED_BY(snapshot_mu_);

  std::thread sequencing_thread_;
  std::thread committing_thread_;
};

size_t SequencerImpl::HashHasher::operator()(const Hash& h) const {
  size_t v;
  std::memcpy(&v, h.data(), sizeof(v));
  return v;
}

SequencerImpl::SequencerImpl(std::shared_ptr<store::LogStore> store,
                             std::shared_ptr<const tlog::NoteSigner> signer, const Clock& clock,
                             SequencerOptions options)
    : store_(std::move(store)),
      signer_(std::move(signer)),
      clock_(clock),
      vkey_(signer_->verifier_key()),
      origin_(signer_->name()),
      options_(std::move(options)) {}

namespace {

// The log's key must be an Ed25519 note key (c2sp.org/tlog-checkpoint) whose signatures verify
// under the verifier key it claims: a remote or enclave-held signer could be misconfigured.
Status CheckSigner(const tlog::NoteSigner& signer) {
  const tlog::VerifierKey key = signer.verifier_key();
  if (key.type() != tlog::kSigTypeEd25519 || key.name() != signer.name() ||
      key.key_id() != signer.key_id()) {
    return InvalidArgumentError("the log's signer must be an Ed25519 note key (type 0x01) named " +
                                signer.name() + ", not " + key.ToString());
  }
  constexpr std::string_view kProbe = "vouch sequencer key check\n";
  VOUCH_ASSIGN_OR_RETURN(Bytes signature, signer.Sign(AsBytes(kProbe)));
  VOUCH_ASSIGN_OR_RETURN(auto verifier, tlog::NewNoteVerifier(key));
  if (Status s = verifier->Verify(AsBytes(kProbe), signature); !s.ok()) {
    return InvalidArgumentError("the log's signer does not sign for " + key.ToString() + ": " +
                                s.message());
  }
  return OkStatus();
}

}  // namespace

Status SequencerImpl::Start() {
  VOUCH_RETURN_IF_ERROR(store_->Bind(store::LogIdentity{origin_, vkey_.ToString()}));
  VOUCH_RETURN_IF_ERROR(Recover());
  sequencing_thread_ = std::thread([this] { Run(); });
  committing_thread_ = std::thread([this] { Commit(); });
  return OkStatus();
}

StatusOr<std::string> SequencerImpl::SignCurrent() const {
  VOUCH_ASSIGN_OR_RETURN(tlog::Checkpoint cp,
                         tlog::Checkpoint::Create(origin_, integrator_.size(), integrator_.Root()));
  const tlog::NoteSigner* signers[] = {signer_.get()};
  return tlog::SignCheckpoint(cp, signers);
}

void SequencerImpl::Publish(std::shared_ptr<const LogSnapshot> snapshot) {
  {
    MutexLock lock(&snapshot_mu_);
    snapshot_ = std::move(snapshot);
    snapshot_cv_.SignalAll();
  }
  MutexLock lock(&listeners_mu_);
  for (const auto& [id, listener] : listeners_) listener();
}

std::unique_ptr<Sequencer::Subscription> SequencerImpl::OnPublish(
    std::function<void()> listener) const {
  MutexLock lock(&listeners_mu_);
  const uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return std::unique_ptr<Sequencer::Subscription>(new Sequencer::Subscription(this, id));
}

void SequencerImpl::Unsubscribe(uint64_t id) const {
  MutexLock lock(&listeners_mu_);
  listeners_.erase(id);
}

std::shared_ptr<const LogSnapshot> SequencerImpl::Latest() const {
  MutexLock lock(&snapshot_mu_);
  return snapshot_;
}

std::shared_ptr<const LogSnapshot> SequencerImpl::WaitForNewer(uint64_t size,
                                                               Clock::SteadyTime deadline) const {
  MutexLock lock(&snapshot_mu_);
  while (snapshot_->size() <= size && clock_.WaitUntil(&snapshot_cv_, &snapshot_mu_, deadline)) {
  }
  return snapshot_;
}

Status SequencerImpl::Recover() {
  VOUCH_ASSIGN_OR_RETURN(store::LogTreeState state, store_->ReadState());
  if (state.size == 0 && state.checkpoint.empty()) {
    // A new log: publish (durably) the checkpoint of the empty tree.
    integrator_ = tlog::TileIntegrator();
    partial_tiles_ = {};
    VOUCH_ASSIGN_OR_RETURN(std::string checkpoint, SignCurrent());
    store::AppendBatch batch;
    batch.new_state.checkpoint = checkpoint;
    VOUCH_RETURN_IF_ERROR(store_->Append(batch));
    Publish(std::make_shared<const LogSnapshot>(tlog::CompactRange(), std::move(checkpoint),
                                                partial_tiles_));
    return OkStatus();
  }

  StoreTileSource source(*store_);
  Bytes bundle;
  const uint64_t partial = state.size % tlog::kTileWidth;
  if (partial != 0) {
    VOUCH_ASSIGN_OR_RETURN(std::vector<Bytes> entries,
                           store_->ReadEntries(state.size - partial, state.size));
    std::vector<ByteSpan> spans(entries.begin(), entries.end());
    VOUCH_ASSIGN_OR_RETURN(bundle, tlog::EncodeEntryBundle(spans));
  }
  auto resumed = tlog::TileIntegrator::Resume(state.size, source, bundle);
  if (!resumed.ok()) {
    return DataLossError("cannot resume the log of size " + std::to_string(state.size) +
                         " from its stored tiles: " + resumed.status().message());
  }
  const auto& range = resumed->range().hashes();
  if (!std::equal(range.begin(), range.end(), state.range.begin(), state.range.end())) {
    return DataLossError("the stored compact range of size " + std::to_string(state.size) +
                         " does not match the stored tiles");
  }
  // The stored checkpoint must be ours, for this tree.
  VOUCH_RETURN_IF_ERROR(
      internal::CheckStoredCheckpoint(state.checkpoint, vkey_, state.size, resumed->Root()));
  VOUCH_ASSIGN_OR_RETURN(auto partials, internal::ReadPartialTiles(source, state.size));
  integrator_ = std::move(resumed).value();
  partial_tiles_ = partials;
  Publish(
      std::make_shared<const LogSnapshot>(integrator_.range(), state.checkpoint, partial_tiles_));
  return OkStatus();
}

void SequencerImpl::Resolve(Pending& pending, StatusOr<AddResult> result) {
  if (pending.callback) {
    Sequencer::Callback callback = std::move(pending.callback);
    pending.callback = nullptr;
    callback(std::move(result));
    return;
  }
  pending.done.set_value(std::move(result));
  if (pending.completion != nullptr) {
    MutexLock lock(&pending.completion->mu);
    pending.completion->done = true;
    pending.completion->cv.SignalAll();
  }
}

std::future<StatusOr<AddResult>> SequencerImpl::Submit(ByteSpan entry) {
  return Enqueue(entry, nullptr);
}

void SequencerImpl::SubmitThen(ByteSpan entry, Sequencer::Callback done) {
  (void)Enqueue(entry, nullptr, std::move(done));
}

std::future<StatusOr<AddResult>> SequencerImpl::Enqueue(ByteSpan entry,
                                                        std::shared_ptr<Completion> completion,
                                                        Sequencer::Callback callback) {
  Pending p{{}, {}, {}, clock_.SteadyNow(), std::move(completion), std::move(callback)};
  std::future<StatusOr<AddResult>> future = p.done.get_future();
  if (entry.size() > tlog::kMaxEntrySize) {
    Resolve(p, InvalidArgumentError("the entry is " + std::to_string(entry.size()) +
                                    " bytes; entries are at most 65,535 bytes"));
    return future;
  }
  p.entry = ToBytes(entry);
  p.leaf_hash = tlog::HashLeaf(entry);
  MutexLock lock(&mu_);
  if (stopping_) {
    Resolve(p, UnavailableError("the log is shutting down"));
    return future;
  }
  if (queue_.size() >= options_.max_pending_entries ||
      pending_bytes_ + entry.size() > options_.max_pending_bytes) {
    Resolve(p, ResourceExhaustedError("the log is busy: " + std::to_string(queue_.size()) +
                                      " entries are waiting; retry later"));
    return future;
  }
  pending_bytes_ += entry.size();
  queue_.push_back(std::move(p));
  // Wake the sequencer when a batch starts (to arm its timer) and when one is full.
  if (queue_.size() == 1 || queue_.size() == options_.batch_size) cv_.SignalAll();
  return future;
}

StatusOr<AddResult> SequencerImpl::Add(ByteSpan entry, std::chrono::milliseconds timeout) {
  std::vector<StatusOr<AddResult>> results = AddAll(std::span<const ByteSpan>(&entry, 1), timeout);
  return std::move(results[0]);
}

std::vector<StatusOr<AddResult>> SequencerImpl::AddAll(std::span<const ByteSpan> entries,
                                                       std::chrono::milliseconds timeout) {
  const Clock::SteadyTime deadline = clock_.SteadyNow() + timeout;
  std::vector<std::shared_ptr<Completion>> completions;
  std::vector<std::future<StatusOr<AddResult>>> futures;
  completions.reserve(entries.size());
  futures.reserve(entries.size());
  for (ByteSpan entry : entries) {
    completions.push_back(std::make_shared<Completion>());
    futures.push_back(Enqueue(entry, completions.back()));
  }
  std::vector<StatusOr<AddResult>> results;
  results.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    bool done;
    {
      Completion& c = *completions[i];
      MutexLock lock(&c.mu);
      while (!c.done && clock_.WaitUntil(&c.cv, &c.mu, deadline)) {
      }
      done = c.done;
    }
    if (!done) {
      results.emplace_back(Status(StatusCode::kDeadlineExceeded,
                                  "the entry was not sequenced within " +
                                      std::to_string(timeout.count()) +
                                      " ms; it may still be: submit it again to learn its index"));
      continue;
    }
    results.push_back(futures[i].get());
  }
  return results;
}

SequencerStats SequencerImpl::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

void SequencerImpl::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  if (sequencing_thread_.joinable()) sequencing_thread_.join();
  if (committing_thread_.joinable()) committing_thread_.join();
}

void SequencerImpl::Run() {
  while (true) {
    std::vector<Pending> batch;
    {
      MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) cv_.Wait(&mu_);
      if (queue_.empty()) break;  // stopping, and everything queued was prepared
      const Clock::SteadyTime deadline = queue_.front().queued + options_.batch_interval;
      while (!stopping_ && queue_.size() < options_.batch_size &&
             clock_.WaitUntil(&cv_, &mu_, deadline)) {
      }
      const size_t n = std::min(queue_.size(), options_.batch_size);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        pending_bytes_ -= queue_.front().entry.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    // Wait for room in the pipeline; after a failed commit, wait for it to drain and reload.
    Status recovered;
    {
      MutexLock lock(&pipe_mu_);
      while (prepared_.size() >= kMaxPrepared || (broken_ && !prepared_.empty())) {
        pipe_cv_.Wait(&pipe_mu_);
      }
      if (broken_) {
        in_flight_.clear();
        recovered = Recover();
        if (recovered.ok()) broken_ = false;
      }
    }
    if (!recovered.ok()) {
      for (Pending& p : batch) {
        Resolve(p, UnavailableError("the log's storage is failing: " + recovered.message()));
      }
      continue;
    }
    auto prepared = Prepare(batch);
    if (!prepared.ok()) {
      for (Pending& p : batch) Resolve(p, prepared.status());
      continue;
    }
    MutexLock lock(&pipe_mu_);
    for (size_t k = 0; k < prepared->new_hashes.size(); ++k) {
      in_flight_[prepared->new_hashes[k]] = prepared->commit.old_size + k;
    }
    prepared_.push_back(std::move(prepared).value());
    pipe_cv_.SignalAll();
  }
  MutexLock lock(&pipe_mu_);
  run_done_ = true;
  pipe_cv_.SignalAll();
}

StatusOr<SequencerImpl::Prepared> SequencerImpl::Prepare(std::vector<Pending>& batch) {
  const Clock::SteadyTime t0 = clock_.SteadyNow();
  Prepared p;
  const uint64_t old_size = integrator_.size();
  p.commit.old_size = old_size;
  p.index.assign(batch.size(), 0);
  p.duplicate.assign(batch.size(), true);

  // Deduplicate within the batch, then against batches still in the pipeline, then against
  // the store (in that order: a batch leaves in_flight_ only after its commit is visible).
  std::vector<size_t> first(batch.size());
  std::vector<size_t> uniques;
  {
    std::unordered_map<Hash, size_t, HashHasher> seen;
    seen.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      auto [it, inserted] = seen.emplace(batch[i].leaf_hash, i);
      first[i] = it->second;
      if (inserted) uniques.push_back(i);
    }
  }
  std::vector<size_t> ask_store;
  std::vector<Hash> ask_hashes;
  std::vector<std::optional<uint64_t>> known(batch.size());
  {
    MutexLock lock(&pipe_mu_);
    for (size_t i : uniques) {
      auto it = in_flight_.find(batch[i].leaf_hash);
      if (it != in_flight_.end()) {
        known[i] = it->second;
      } else {
        ask_store.push_back(i);
        ask_hashes.push_back(batch[i].leaf_hash);
      }
    }
  }
  VOUCH_ASSIGN_OR_RETURN(auto found, store_->FindLeafHashes(ask_hashes));
  for (size_t k = 0; k < ask_store.size(); ++k) known[ask_store[k]] = found[k];
  const Clock::SteadyTime t1 = clock_.SteadyNow();

  std::vector<ByteSpan> new_entries;
  for (size_t i : uniques) {
    if (known[i].has_value()) {
      p.index[i] = *known[i];
    } else {
      p.index[i] = old_size + new_entries.size();
      p.duplicate[i] = false;
      new_entries.push_back(batch[i].entry);
      p.commit.entries.push_back(store::NewEntry{batch[i].leaf_hash, batch[i].entry});
      p.new_hashes.push_back(batch[i].leaf_hash);
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (first[i] != i) p.index[i] = p.index[first[i]];
  }

  if (!new_entries.empty()) {
    auto writes = integrator_.Append(new_entries);
    if (!writes.ok()) {
      // Entries were size-checked in Submit, so this is a bug: resynchronise from the store.
      MutexLock lock(&pipe_mu_);
      broken_ = true;
      return InternalError("cannot integrate the batch: " + writes.status().message());
    }
    auto partials = partial_tiles_;
    for (const tlog::TileWrite& w : *writes) {
      if (w.id.is_bundle()) continue;  // bundles are assembled from the stored entries
      VOUCH_ASSIGN_OR_RETURN(HashTile tile, HashTile::Parse(w.id, w.data));
      store::StoredTile stored{w.id.level, w.id.index, w.id.width, {}};
      if (w.id.partial()) {
        stored.data = w.data;
        partials[w.id.level] = std::make_shared<const HashTile>(std::move(tile));
      } else {
        stored.data = EncodeStoredFullTile(tile);
        // A completed tile ends its level's partial tile (a later partial write restarts it).
        partials[w.id.level] = nullptr;
      }
      p.commit.tiles.push_back(std::move(stored));
    }
    auto checkpoint = SignCurrent();
    if (!checkpoint.ok()) {
      MutexLock lock(&pipe_mu_);
      broken_ = true;
      return InternalError("cannot sign the checkpoint: " + checkpoint.status().message());
    }
    p.commit.new_state.size = integrator_.size();
    p.commit.new_state.range.assign(integrator_.range().hashes().begin(),
                                    integrator_.range().hashes().end());
    p.commit.new_state.checkpoint = *checkpoint;
    partial_tiles_ = partials;
    p.snapshot = std::make_shared<const LogSnapshot>(integrator_.range(),
                                                     std::move(checkpoint).value(), partial_tiles_);
  }
  p.lookup_time = t1 - t0;
  p.integrate_time = clock_.SteadyNow() - t1;
  p.items = std::move(batch);
  return p;
}

void SequencerImpl::Commit() {
  while (true) {
    Prepared p;
    bool broken;
    {
      MutexLock lock(&pipe_mu_);
      while (prepared_.empty() && !run_done_) pipe_cv_.Wait(&pipe_mu_);
      if (prepared_.empty()) return;
      p = std::move(prepared_.front());
      broken = broken_;
    }
    const Clock::SteadyTime t0 = clock_.SteadyNow();
    Status failure;
    if (broken) {
      failure = UnavailableError("the entry was not sequenced: an earlier commit failed");
    } else if (!p.commit.entries.empty()) {
      Status committed = store_->Append(p.commit);
      if (!committed.ok()) {
        // The outcome may be unknown (the commit may have reached the disk): ask the store —
        // unless the store said the batch is committed but must not be acknowledged (its state
        // anchor could not record the checkpoint; the next commit records a newer one).
        auto state = store_->ReadState();
        if (committed.reason() == store::kCommittedNotAcknowledged || !state.ok() ||
            state->size != p.commit.new_state.size ||
            state->checkpoint != p.commit.new_state.checkpoint) {
          failure =
              Status(StatusCode::kUnavailable,
                     "the entry was not sequenced: " + committed.message(), committed.reason());
        }
        {
          MutexLock lock(&mu_);
          ++stats_.failed_commits;
        }
        if (!failure.ok() && options_.on_commit_failure) options_.on_commit_failure(failure);
      }
      if (failure.ok()) Publish(p.snapshot);
    }
    if (failure.ok()) {
      {
        MutexLock lock(&mu_);
        ++stats_.batches;
        stats_.lookup_time += p.lookup_time;
        stats_.integrate_time += p.integrate_time;
        stats_.commit_time += clock_.SteadyNow() - t0;
      }
      Complete(p);
    } else {
      for (Pending& item : p.items) Resolve(item, failure);
    }
    MutexLock lock(&pipe_mu_);
    if (!failure.ok()) broken_ = true;
    for (const Hash& h : p.new_hashes) in_flight_.erase(h);
    prepared_.pop_front();
    pipe_cv_.SignalAll();
  }
}

void SequencerImpl::Complete(Prepared& p) {
  const uint64_t tree_size = Latest()->size();
  size_t fresh = 0;
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (!p.duplicate[i]) ++fresh;
  }
  {
    // Before the submitters learn their results, so stats() reflects every answered one.
    MutexLock lock(&mu_);
    stats_.entries += fresh;
    stats_.duplicates += p.items.size() - fresh;
  }
  for (size_t i = 0; i < p.items.size(); ++i) {
    Resolve(p.items[i], AddResult{p.index[i], p.items[i].leaf_hash,
                                  static_cast<bool>(p.duplicate[i]), tree_size});
  }
}

}  // namespace internal

StatusOr<std::unique_ptr<Sequencer>> Sequencer::Start(
    std::shared_ptr<store::LogStore> store, std::shared_ptr<const tlog::NoteSigner> signer,
    const Clock& clock, SequencerOptions options) {
  if (store == nullptr) return InvalidArgumentError("no store");
  if (signer == nullptr) return InvalidArgumentError("no signer");
  if (options.batch_size == 0) return InvalidArgumentError("the batch size must be at least 1");
  if (options.batch_interval.count() < 0) {
    return InvalidArgumentError("the batch interval must not be negative");
  }
  VOUCH_RETURN_IF_ERROR(internal::CheckSigner(*signer));
  auto impl = std::make_unique<internal::SequencerImpl>(std::move(store), std::move(signer), clock,
                                                        std::move(options));
  VOUCH_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<Sequencer>(new Sequencer(std::move(impl)));
}

Sequencer::Sequencer(std::unique_ptr<internal::SequencerImpl> impl) : impl_(std::move(impl)) {}
Sequencer::~Sequencer() = default;  // the impl's destructor stops it

std::future<StatusOr<AddResult>> Sequencer::Submit(ByteSpan entry) { return impl_->Submit(entry); }

void Sequencer::SubmitThen(ByteSpan entry, Callback done) {
  impl_->SubmitThen(entry, std::move(done));
}
StatusOr<AddResult> Sequencer::Add(ByteSpan entry, std::chrono::milliseconds timeout) {
  return impl_->Add(entry, timeout);
}
std::vector<StatusOr<AddResult>> Sequencer::AddAll(std::span<const ByteSpan> entries,
                                                   std::chrono::milliseconds timeout) {
  return impl_->AddAll(entries, timeout);
}
std::shared_ptr<const LogSnapshot> Sequencer::Latest() const { return impl_->Latest(); }
std::unique_ptr<Sequencer::Subscription> Sequencer::OnPublish(
    std::function<void()> listener) const {
  return impl_->OnPublish(std::move(listener));
}
Sequencer::Subscription::~Subscription() { sequencer_->Unsubscribe(id_); }
std::shared_ptr<const LogSnapshot> Sequencer::WaitForNewer(uint64_t size,
                                                           Clock::SteadyTime deadline) const {
  return impl_->WaitForNewer(size, deadline);
}
const std::string& Sequencer::origin() const { return impl_->origin(); }
const tlog::VerifierKey& Sequencer::verifier_key() const { return impl_->verifier_key(); }
const std::shared_ptr<store::LogStore>& Sequencer::store() const { return impl_->store(); }
SequencerStats Sequencer::stats() const { return impl_->stats(); }
void Sequencer::Stop() { impl_->Stop(); }

}  // namespace vouch::ledger

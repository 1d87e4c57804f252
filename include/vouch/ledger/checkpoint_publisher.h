// Publishes the log's checkpoints only once a witness quorum has cosigned them (DESIGN.md §3,
// "the ledger"; spec/transparency-log.md §7 and §10; docs/log.md §5a).
//
// The Sequencer commits and signs checkpoints; this class turns them into published ones:
//
//   committed snapshot S (Sequencer::Latest) ─► a round: S's checkpoint goes to every witness,
//     concurrently, as a c2sp.org/tlog-witness add-checkpoint request with a consistency proof
//     from the size that witness last cosigned (learnt from its 409 when unknown)
//   ─► each 200 answer's cosignature lines are verified against the witness's policy key
//   ─► as soon as the policy's quorum is met: S's note plus those lines is the published
//      checkpoint (Latest()), also kept in `state_file` so a restart serves it again
//   ─► the next round starts with the newest committed snapshot.
//
// While no new entries arrive, the published checkpoint is sent to the witnesses again every
// `recosign_interval` (same size, same root: each answers with a fresh timestamp), so its
// cosignatures show that the witnesses are still watching (as Sigsum's log rotates its
// cosigned tree head every 10 s).
//
// A witness that fails is asked again every `retry_interval` while the round lasts. A round that
// has not reached quorum `witness_timeout` after it started is abandoned (the missing witnesses
// are named through `on_event`) and retried with the newest snapshot after `retry_interval`;
// the sequencer keeps committing meanwhile, so a dead witness delays publication, never
// sequencing. A witness that is slower than the quorum does not delay a
// round: it is sent the next round's checkpoint once it has answered.
//
// A 422 (the witness saw a history this checkpoint does not extend) or a 409 naming a size
// beyond ours is a split-view or rollback alarm: that witness is not asked again until the log
// restarts, and stderr says so. 400/403/404 (misconfiguration on one side) are retried.
//
// The publisher reaches the witnesses through a WitnessTransport (below): the service layer's
// HTTP one in `vouch serve log` (server/witness_client.h), in-process ones in tests. Its time
// (round deadlines, retries, fresh cosignatures) comes from a Clock.
//
// Thread-safety: thread-safe. One coordinating thread plus one thread per witness.
#ifndef VOUCH_LEDGER_CHECKPOINT_PUBLISHER_H_
#define VOUCH_LEDGER_CHECKPOINT_PUBLISHER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/policy.h"

namespace vouch::ledger {

// A witness the log asks for cosignatures: a witness of the policy, and where it listens.
struct WitnessEndpoint {
  std::string name;  // its name in the policy (used in messages)
  std::string url;   // base URL, as configured; requests go to <url>/add-checkpoint
  std::shared_ptr<const tlog::NoteVerifier> verifier;  // its cosignature key, from the policy
};

// A witness named by its verifier key and where it listens (e.g. from `--witness URL=VKEY`).
struct WitnessAddress {
  std::string url;
  tlog::VerifierKey key;  // a cosignature/v1 verifier key
};

// The witnesses to call: one per entry of `given` (its key must be a witness of `policy`), then
// every other witness of `policy` that has a URL there. kInvalidArgument (reason
// "config_invalid") for a key the policy does not list, a witness given twice, or a set of
// witnesses that cannot meet the policy's quorum.
StatusOr<std::vector<WitnessEndpoint>> ResolveWitnesses(const tlog::Policy& policy,
                                                        std::span<const WitnessAddress> given);

// A witness's answer to an add-checkpoint request (c2sp.org/tlog-witness): 200 with cosignature
// lines, 409 with the size it has cosigned (text/x.tlog.size), 422 for an inconsistent
// history, or anything else.
struct WitnessAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

// How the publisher reaches witnesses. Implementations must be thread-safe (each witness has
// its own thread).
class WitnessTransport {
 public:
  virtual ~WitnessTransport() = default;
  // Sends the serialized add-checkpoint request `request` to `witness`, within `timeout`.
  // Returns its answer, whatever its status; kUnavailable or kDeadlineExceeded when it cannot
  // be reached in time.
  virtual StatusOr<WitnessAnswer> AddCheckpoint(const WitnessEndpoint& witness,
                                                std::string_view request,
                                                std::chrono::milliseconds timeout) = 0;
};

struct PublisherOptions {
  // A round that has not reached quorum by then is abandoned; also bounds each witness request.
  std::chrono::milliseconds witness_timeout{5000};
  // Wait after an abandoned round before the next, and between attempts at a failing witness.
  std::chrono::milliseconds retry_interval{1000};
  // An unchanged published checkpoint is cosigned afresh this often (0: never).
  std::chrono::milliseconds recosign_interval{10'000};
  // Where the latest published checkpoint is kept (atomically replaced); empty: not kept.
  std::string state_file;
  // Told about abandoned rounds, witness errors and alarms (one line each, no newline); null:
  // silent.
  std::function<void(const std::string&)> on_event;
};

// What the log knows about one witness (for logs, tests and benchmarks).
struct WitnessProgress {
  std::string name;
  std::optional<uint64_t> known_size;  // the size it last cosigned, once known
  uint64_t cosignatures = 0;           // valid 200 answers
  uint64_t failures = 0;               // everything else
  std::string last_error;              // empty after a success
  bool alarmed = false;                // split view or rollback: no longer asked
};

struct PublisherStats {
  uint64_t rounds = 0;     // started
  uint64_t published = 0;  // rounds that reached quorum
  uint64_t abandoned = 0;  // rounds that timed out
};

namespace internal {
class PublisherImpl;
}  // namespace internal

class CheckpointPublisher {
 public:
  // Checks that `policy` lists the sequencer's log key and that `witnesses` can meet its quorum
  // (kFailedPrecondition otherwise), reloads the checkpoint in `options.state_file` when it is
  // for the sequencer's current size and still satisfies the policy, and starts the threads.
  // `sequencer`, `reader`, `transport` and `clock` are borrowed and must outlive the publisher.
  static StatusOr<std::unique_ptr<CheckpointPublisher>> Start(
      Sequencer& sequencer, const LogReader& reader, WitnessTransport& transport,
      const Clock& clock, tlog::Policy policy, std::vector<WitnessEndpoint> witnesses,
      PublisherOptions options = {});
  ~CheckpointPublisher();
  CheckpointPublisher(const CheckpointPublisher&) = delete;
  CheckpointPublisher& operator=(const CheckpointPublisher&) = delete;

  // The latest published tree: its checkpoint() carries the log's signature and the quorum's
  // cosignatures. Null until the first checkpoint reaches quorum.
  std::shared_ptr<const LogSnapshot> Latest() const;
  // Waits until Latest() has at least `size` entries or `deadline` passes; returns Latest().
  std::shared_ptr<const LogSnapshot> WaitForSize(uint64_t size, Clock::SteadyTime deadline) const;

  std::vector<WitnessProgress> witnesses() const;
  PublisherStats stats() const;

  // Stops asking witnesses and joins the threads (in-flight requests end within the witness
  // timeout). Idempotent; Latest() stays valid.
  void Stop();

 private:
  explicit CheckpointPublisher(std::unique_ptr<internal::PublisherImpl> impl);
  const std::unique_ptr<internal::PublisherImpl> impl_;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_CHECKPOINT_PUBLISHER_H_

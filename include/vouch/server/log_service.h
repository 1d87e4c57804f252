// The log's HTTP API (docs/log.md, "HTTP API"): submissions, the C2SP tlog-tiles read API
// (spec/transparency-log.md §8) and tlog-proof receipts (§9), over a Sequencer and a LogReader.
//
//   POST /add                      body: the entry (1..65,535 bytes). Waits (without a thread:
//                                  http::DeferredResponse, when the EntrySink can) until the
//                                  entry is durably sequenced and its log-signed checkpoint
//                                  committed (with witnesses, the cosigned one follows), then 200
//                                  {"index":N,"leaf_hash":"<base64>","duplicate":false,
//                                   "tree_size":S}
//   POST /add-batch                body: 1 to 256 entries framed as a tlog-tiles entry bundle
//                                  (each a 2-byte big-endian length, then 1..65,535 bytes;
//                                  the whole body within the server's body limit). Submits
//                                  them all, waits for all, then 200 with one line per entry,
//                                  in order: the /add object, or {"error":CODE,"message":…}
//                                  for an entry that failed alone (a batch is not atomic);
//                                  503 when no entry was sequenced
//   GET  /checkpoint               the latest published checkpoint (text/plain; max-age=2);
//                                  with witnesses, the latest one cosigned by a quorum
//   GET  /tile/<L>/<N>[.p/<W>]     hash tile; full tiles immutable, partial ones max-age=10
//   GET  /tile/entries/<N>[.p/<W>] entry bundle; the same caching
//   GET  /proof/<index>            c2sp.org/tlog-proof@v1 receipt for entry <index> against the
//                                  latest checkpoint (text/plain; no-cache)
//   GET  /                         what this is (text/plain): the API above and, when set, the
//                                  ledger explorer's URL (also as a Link header, rel=alternate)
//
// A malformed request gets 400, an entry over 65,535 bytes 413, a resource the published tree
// does not justify 404, each with a one-line reason; none of them touches the log. Pushback,
// shutdown and a submission not sequenced within the add timeout get 503 with Retry-After (a
// timed-out entry may still be sequenced: submitting it again returns its index), and so do
// GET /checkpoint before any checkpoint is published and GET /proof for an entry sequenced but
// not yet covered by the published checkpoint. Tiles are served for the committed tree, which
// covers every published checkpoint.
//
// A standby of a PostgreSQL state shared by several front-ends serves the same API over the
// tree it reads from the database and forwards submissions (docs/postgres.md, "Several
// front-ends"; the constructor with an EntrySink).
//
// Thread-safety: thread-safe (handlers run concurrently).
#ifndef VOUCH_SERVER_LOG_SERVICE_H_
#define VOUCH_SERVER_LOG_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/http/http.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/sequencer.h"

namespace vouch::server {

// Cache-Control values (docs/log.md).
inline constexpr std::string_view kCacheImmutable = "public, max-age=31536000, immutable";
inline constexpr std::string_view kCachePartial = "public, max-age=10";
inline constexpr std::string_view kCacheCheckpoint = "public, max-age=2";
inline constexpr std::string_view kCacheNone = "no-store";

struct LogServiceOptions {
  // How long POST /add waits for its entry to be sequenced before answering 503.
  std::chrono::milliseconds add_timeout{30'000};
  // The tree whose checkpoint is served and proven against, when publication waits for
  // witnesses (CheckpointPublisher::Latest); null from it: nothing published yet (503). Unset:
  // the sequencer's latest.
  std::function<std::shared_ptr<const ledger::LogSnapshot>()> published;
  // The URL of a ledger explorer of this log (`vouch serve explorer`), named by GET /; empty:
  // none. REQUIRES: a valid header field value (no control characters).
  std::string explorer_url;
};

// The body of a successful POST /add: the sequencer's result, as JSON.
using AddResponse = ledger::AddResult;
std::string FormatAddResponse(const AddResponse& response);
// Parses (strictly) a POST /add response body. kInvalidArgument when it is not one.
StatusOr<AddResponse> ParseAddResponse(std::string_view body);

// The most entries one POST /add-batch carries (an entry bundle's width).
inline constexpr size_t kMaxBatchEntries = 256;
// The per-entry error codes of a POST /add-batch answer (docs/log.md).
inline constexpr char kBatchEntryBusy[] = "log_busy";                // pushback: retry later
inline constexpr char kBatchEntryTimeout[] = "add_timeout";          // may still be sequenced
inline constexpr char kBatchEntryUnavailable[] = "log_unavailable";  // stopping, or a failed commit
inline constexpr char kBatchEntryRejected[] = "entry_rejected";      // the entry itself is refused
// One line of a POST /add-batch answer for an entry that failed: {"error":CODE,"message":…}.
std::string FormatAddError(std::string_view code, std::string_view message);
// Parses a POST /add-batch answer for `count` entries: for each, its AddResponse, or a Status
// carrying the entry's error (reason = its code; kResourceExhausted for log_busy,
// kDeadlineExceeded for add_timeout, kUnavailable for log_unavailable, kPermissionDenied for
// entry_rejected). kInvalidArgument, reason "add_response_malformed", for anything else, or
// another number of lines.
StatusOr<std::vector<StatusOr<AddResponse>>> ParseAddBatchResponse(std::string_view body,
                                                                   size_t count);

// Where LogService sends submissions: the log's Sequencer in the service that sequences it, or,
// in a standby, a LogForwarder to that service (log_forwarder.h). Add and AddAll have the
// Sequencer's contract (sequencer.h): kInvalidArgument for an entry refused, kResourceExhausted,
// kUnavailable or kDeadlineExceeded for one to submit again later.
class EntrySink {
 public:
  virtual ~EntrySink() = default;
  virtual StatusOr<ledger::AddResult> Add(ByteSpan entry, std::chrono::milliseconds timeout) = 0;
  virtual std::vector<StatusOr<ledger::AddResult>> AddAll(std::span<const ByteSpan> entries,
                                                          std::chrono::milliseconds timeout) = 0;
  // Submits `entry` and hands the outcome to `done` (once, from any thread; it must be fast)
  // without holding the calling thread while it waits, when this sink can: true. False (the
  // default): nothing was submitted, call Add.
  virtual bool AddThen(ByteSpan /*entry*/,
                       std::function<void(StatusOr<ledger::AddResult>)> /*done*/) {
    return false;
  }
};

// Parses the index of a "/proof/<index>" path: decimal, no sign or leading zeros, < 2^63.
// kInvalidArgument otherwise.
StatusOr<uint64_t> ParseProofPath(std::string_view path);

class LogService {
 public:
  // The tree the service reads from: the newest committed one, or null when there is none yet
  // (then tiles are 404 and checkpoints and proofs 503).
  using CommittedTree = std::function<std::shared_ptr<const ledger::LogSnapshot>()>;

  // The service of the process that sequences the log. `sequencer` and `reader` are borrowed and
  // must outlive the service and its routes.
  LogService(ledger::Sequencer& sequencer, const ledger::LogReader& reader,
             LogServiceOptions options = {});
  // Any other: submissions go to `sink`, reads are of `committed` (e.g. a standby: a
  // LogForwarder and a LogFollower's Latest). `sink` and `reader` are borrowed likewise.
  LogService(EntrySink& sink, CommittedTree committed, const ledger::LogReader& reader,
             LogServiceOptions options = {});
  ~LogService();

  http::HttpResponse Add(const http::HttpRequest& request) const;
  http::HttpResponse AddBatch(const http::HttpRequest& request) const;
  http::HttpResponse Checkpoint(const http::HttpRequest& request) const;
  http::HttpResponse Tile(const http::HttpRequest& request) const;
  http::HttpResponse Proof(const http::HttpRequest& request) const;
  // Every endpoint, for HttpServer::Start. The service must outlive the router.
  http::Router Routes() const;

 private:
  // The Sequencer as an EntrySink (first constructor), or null.
  const std::unique_ptr<EntrySink> own_sink_;
  EntrySink& sink_;
  const CommittedTree committed_;
  const ledger::LogReader& reader_;
  // The snapshot checkpoints and proofs are served for (options_.published), or null.
  std::shared_ptr<const ledger::LogSnapshot> Published() const;

  const LogServiceOptions options_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_LOG_SERVICE_H_

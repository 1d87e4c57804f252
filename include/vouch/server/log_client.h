// A client of a Vouch log's HTTP API (log_service.h): submissions, checkpoints, receipts and
// tiles. It is also the TileFetcher an audit reads through. Nothing it returns is trusted:
// callers verify checkpoints, receipts and tiles (audit.h, tlog::ProofFile::Verify).
//
// Errors: kInvalidArgument for a malformed base URL; kUnavailable / kDeadlineExceeded when the
// log cannot be reached or answers with a server error or an unexpected status; kNotFound for a
// 404 (the message is the log's reason); kPermissionDenied, reason "entry_rejected", when the
// log refuses a submission (4xx); kInvalidArgument, reason "add_response_malformed", when it
// answers a submission with something that is not a valid response.
//
// GETs answered 503 with Retry-After (pushback, or an entry not yet covered by a
// witness-cosigned checkpoint) are retried as told, within the timeout.
//
// Thread-safety: thread-safe if the http::Client is (HttpClient is).
#ifndef VOUCH_SERVER_LOG_CLIENT_H_
#define VOUCH_SERVER_LOG_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http_client.h"
#include "vouch/ledger/audit.h"
#include "vouch/server/log_service.h"

namespace vouch::server {

class LogClient final : public ledger::ReceiptFetcher {
 public:
  // `base_url`: http(s)://host[:port][/prefix] (a trailing '/' is ignored). `client` and
  // `clock` are borrowed and must outlive this object; `timeout` bounds each call (with its
  // retries, timed and waited for on `clock`).
  static StatusOr<LogClient> Create(std::string_view base_url, http::Client& client,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                    const Clock& clock = RealClock());

  // POST /add.
  StatusOr<AddResponse> Add(ByteSpan entry);
  // POST /add-batch with 1 to kMaxBatchEntries entries (framed within the log's body limit:
  // 65,535 bytes for `vouch serve log`). Result i is entry i's: its AddResponse or its own error
  // (ParseAddBatchResponse); the call fails as a whole as Add does (unreachable, 503 when no
  // entry was sequenced, "entry_rejected" for a 4xx).
  StatusOr<std::vector<StatusOr<AddResponse>>> AddBatch(std::span<const ByteSpan> entries);
  // GET /checkpoint (the note, unverified).
  StatusOr<std::string> FetchCheckpoint() override;
  // GET /tile/... (unverified bytes).
  StatusOr<Bytes> FetchTile(const tlog::TileId& id) override;
  // GET with "Range: bytes=OFFSET-" (docs/log.md): a 206 answer must state exactly that range;
  // a log that ignores the header (200) has the prefix dropped here; 416 is kOutOfRange.
  StatusOr<Bytes> FetchTileFrom(const tlog::TileId& id, uint64_t offset) override;
  // GET /proof/<index> (the receipt text, unverified).
  StatusOr<std::string> FetchProof(uint64_t index) override;

  const std::string& base_url() const { return base_; }

 private:
  LogClient(std::string base, http::Client& client, std::chrono::milliseconds timeout,
            const Clock& clock)
      : base_(std::move(base)), client_(&client), timeout_(timeout), clock_(&clock) {}
  StatusOr<http::HttpResponse> Get(const std::string& path, const http::Headers& headers = {});

  std::string base_;
  http::Client* client_;
  std::chrono::milliseconds timeout_;
  const Clock* clock_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_LOG_CLIENT_H_

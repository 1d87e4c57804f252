// A standby's way to the log it follows (`vouch serve log --standby` on a PostgreSQL state that
// several front-ends share; docs/postgres.md, "Several front-ends"): submissions go to the
// service that sequences the state, at the base URL that service advertised in the store
// (LogStore::AdvertiseSequencer), over the log's own HTTP API (log_client.h). A log whose
// checkpoints wait for witnesses has its cosigned checkpoint only in the sequencing service, so a
// standby forwards GET /checkpoint and GET /proof/<index> as well (ForwardGet).
//
// The URL is read from the store on the first call, and again after a call that could not reach
// it (a standby may have taken over since). The holder's answer decides: an entry it refused
// (4xx) is kInvalidArgument (LogService answers 400); a holder that cannot be reached, answers
// 5xx or something malformed, a store that cannot be read and a state that no service
// advertised are kUnavailable (503, to try again); a call past `timeout` is kDeadlineExceeded.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_SERVER_LOG_FORWARDER_H_
#define VOUCH_SERVER_LOG_FORWARDER_H_

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http.h"
#include "vouch/http/http_client.h"
#include "vouch/server/log_service.h"
#include "vouch/store/log_store.h"

namespace vouch::server {

class LogForwarder final : public EntrySink {
 public:
  // `client` and `clock` are borrowed and must outlive the forwarder.
  LogForwarder(std::shared_ptr<const store::LogStore> store, http::Client& client,
               const Clock& clock);
  ~LogForwarder() override;
  LogForwarder(const LogForwarder&) = delete;
  LogForwarder& operator=(const LogForwarder&) = delete;

  // POST /add and POST /add-batch at the sequencing service, each within `timeout`.
  StatusOr<ledger::AddResult> Add(ByteSpan entry, std::chrono::milliseconds timeout) override;
  std::vector<StatusOr<ledger::AddResult>> AddAll(std::span<const ByteSpan> entries,
                                                  std::chrono::milliseconds timeout) override;
  // The sequencing service's answer to the GET `request` (status, body, Content-Type,
  // Cache-Control, Retry-After), or 503 with a one-line reason when it cannot be had.
  http::HttpResponse ForwardGet(const http::HttpRequest& request);

 private:
  // The advertised URL (cached); kUnavailable when none is, or the store cannot be read.
  StatusOr<std::string> SequencerUrl();
  // Forgets the cached URL after `status`, when it says the holder could not be reached.
  void Forget(const Status& status);

  struct Cache;  // the URL and its lock (log_forwarder.cc)
  const std::shared_ptr<const store::LogStore> store_;
  http::Client& client_;
  const Clock& clock_;
  const std::unique_ptr<Cache> cache_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_LOG_FORWARDER_H_

// The ledger explorer (docs/explorer.md): a web page about any Vouch log, built only from the
// log's public API — its checkpoint, tiles and receipts — and replayed as an auditor replays it
// (ledger::AuditLog, then govern::GovernanceState), never from the log's store.
//
// The service keeps an audited view of the log. Refresh() reads the log's checkpoint, verifies it
// against the witness policy, and reads only what was appended since the last view (AuditLog
// resumed from the last verified tree, which proves the new entries extend it); the new entries
// are replayed on a copy of the governance state, and the view is replaced only when the whole
// audit passed. A failed refresh keeps the last good view and is shown with its reason (a log
// caught misbehaving — rollback, fork, a tile that does not hash — is shown as such, not as
// "unreachable"). The view holds per entry its index, entry hash, class, verdict, signer keyids,
// issue time and the 64-hex-digit values its statement mentions (for search); nothing else.
//
// HTTP (all GET; JSON is application/json, no-store):
//   /, /explorer.js, /explorer.css   the page: static HTML, CSS and JS compiled into the program
//   /api/summary     checkpoint (verbatim, size, root hash), its verification (log, cosigning
//                    witnesses with their times, quorum time), the policy text (the page's keys for
//                    its own check), entry counts by class, the root-set history, the admissions
//                    in force now, the last refresh and its error
//   /api/entries?start=S&count=C    rows S.. (at most 100; C default 50)
//   /api/search?q=HEX                rows whose entry hash starts with HEX (at least 8 digits) or
//                                    whose statement mentions HEX (64 digits: a measurement, a
//                                    digest); at most 100, newest first
//   /log/checkpoint, /log/proof/<index>, /log/tile/entries/<path>   passed through from the log
//                    unchanged (unverified), for the page's in-browser check: the page itself
//                    verifies the inclusion proof and the signatures with WebCrypto
// A /api request refreshes the view first when it is older than `refresh` (one refresh at a
// time; other requests answer from the current view meanwhile).
//
// Thread-safe.
#ifndef VOUCH_SERVER_EXPLORER_SERVICE_H_
#define VOUCH_SERVER_EXPLORER_SERVICE_H_

#include <chrono>
#include <memory>
#include <string>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/govern/replay.h"
#include "vouch/http/http.h"
#include "vouch/ledger/audit.h"
#include "vouch/tlog/policy.h"

namespace vouch::server {

namespace internal {
struct ExplorerState;
}  // namespace internal

struct ExplorerOptions {
  // The text of the service's witness policy (served to the page, whose own check uses its keys).
  std::string policy_text;
  // The replay's pin and origin (no attester: the explorer shows roots' evidence as unverified).
  govern::ReplayOptions replay;
  // A view younger than this is served without asking the log.
  std::chrono::milliseconds refresh{2000};
  // Borrowed; must outlive the service.
  const Clock* clock = &RealClock();
};

class ExplorerService {
 public:
  // The log's checkpoints must satisfy `policy`. `log` is borrowed and must outlive the service.
  // Nothing is fetched until the first Refresh() (or /api request).
  ExplorerService(tlog::Policy policy, ExplorerOptions options, ledger::ReceiptFetcher& log);
  ~ExplorerService();
  ExplorerService(const ExplorerService&) = delete;
  ExplorerService& operator=(const ExplorerService&) = delete;

  // Audits what the log appended since the last view and replaces the view; on failure the
  // view is kept and the failure returned (and shown by /api/summary).
  Status Refresh();

  // The routes listed above. The service must outlive the router.
  http::Router Routes();

 private:
  std::unique_ptr<internal::ExplorerState> state_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_EXPLORER_SERVICE_H_

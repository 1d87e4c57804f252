// Fuzzes the log's HTTP-facing code (docs/log.md, "HTTP API"): requests through the log's
// router and handlers (tile paths, proof paths, submissions) over a live in-memory log, and the
// client-side parser of POST /add responses.
//
// Input: "<METHOD> <PATH>\n<BODY>" (anything else is still fed to the parsers). Invariants: no
// crash or sanitizer finding; every response status is one the API documents; a parsed add
// response re-serialises exactly; a parsed proof path has no leading zeros.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "store/memory_log_store.h"
#include "vouch/ledger/log_reader.h"
#include "vouch/ledger/sequencer.h"
#include "vouch/server/log_service.h"

namespace {

using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness only

void Check(bool ok) {
  if (!ok) std::abort();
}

struct Log {
  std::shared_ptr<store::MemoryLogStore> store = std::make_shared<store::MemoryLogStore>();
  std::unique_ptr<ledger::Sequencer> sequencer;
  std::unique_ptr<ledger::LogReader> reader;
  std::unique_ptr<server::LogService> service;
  http::Router router;
};

Log& TheLog() {
  static Log* log = [] {
    auto* l = new Log;
    Bytes seed(32, 3);
    ledger::SequencerOptions o;
    o.batch_interval = std::chrono::microseconds(0);
    l->sequencer = std::move(ledger::Sequencer::Start(
                                 l->store,
                                 std::make_shared<tlog::Ed25519NoteSigner>(
                                     *tlog::Ed25519NoteSigner::FromSeed("fuzz.log/x", seed)),
                                 RealClock(), o))
                       .value();
    // A few hundred entries, so full and partial tiles exist at levels 0 and 1.
    for (int i = 0; i < 600; ++i) {
      (void)l->sequencer->Add(AsBytes("seed entry " + std::to_string(i)), std::chrono::seconds(10));
    }
    l->reader = std::make_unique<ledger::LogReader>(l->store, 1 << 20);
    server::LogServiceOptions options;
    options.add_timeout = std::chrono::seconds(10);
    l->service = std::make_unique<server::LogService>(*l->sequencer, *l->reader, options);
    l->router = l->service->Routes();
    return l;
  }();
  return *log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto add = server::ParseAddResponse(text);
  if (add.ok()) {
    auto again = server::ParseAddResponse(server::FormatAddResponse(*add));
    Check(again.ok() && again->index == add->index && again->leaf_hash == add->leaf_hash &&
          again->duplicate == add->duplicate && again->tree_size == add->tree_size);
  }

  size_t space = text.find(' ');
  size_t newline = text.find('\n');
  if (space == std::string_view::npos || newline == std::string_view::npos || space > newline) {
    return 0;
  }
  http::HttpRequest request;
  request.method = std::string(text.substr(0, space));
  request.target = std::string(text.substr(space + 1, newline - space - 1));
  size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  request.raw_query = q == std::string::npos ? "" : request.target.substr(q + 1);
  request.body = std::string(text.substr(newline + 1));

  auto index = server::ParseProofPath(request.path);
  if (index.ok()) Check(request.path == "/proof/" + std::to_string(*index));

  Log& log = TheLog();
  // Bound the log's growth: past 20,000 entries submissions are not sent.
  if (request.method == "POST" && log.sequencer->Latest()->size() > 20'000) return 0;
  http::HttpResponse response = log.router.Dispatch(request);
  switch (response.status) {
    case 200:
    case 400:
    case 404:
    case 405:
    case 413:
    case 503:
      break;
    default:
      std::abort();
  }
  return 0;
}

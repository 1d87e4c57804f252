// The log's HTTP endpoints (docs/log.md, "HTTP API").
#include "vouch/server/log_service.h"

#include <nlohmann/json.hpp>
#include <string>

#include "vouch/base/encoding.h"
#include "vouch/tlog/tiles.h"

namespace vouch::server {
namespace {

using http::HttpRequest;
using http::HttpResponse;

HttpResponse Error(int status, const std::string& message) {
  HttpResponse r = HttpResponse::Text(status, message + "\n");
  r.headers.Set("Cache-Control", std::string(kCacheNone));
  return r;
}

HttpResponse Unavailable(const std::string& message) {
  HttpResponse r = Error(503, message);
  r.headers.Set("Retry-After", "1");
  return r;
}

std::optional<uint64_t> ParseCanonicalDecimal(std::string_view s) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return v;
}

// The Sequencer as an EntrySink.
class SequencerSink final : public EntrySink {
 public:
  explicit SequencerSink(ledger::Sequencer& sequencer) : sequencer_(sequencer) {}
  StatusOr<ledger::AddResult> Add(ByteSpan entry, std::chrono::milliseconds timeout) override {
    return sequencer_.Add(entry, timeout);
  }
  std::vector<StatusOr<ledger::AddResult>> AddAll(std::span<const ByteSpan> entries,
                                                  std::chrono::milliseconds timeout) override {
    return sequencer_.AddAll(entries, timeout);
  }
  bool AddThen(ByteSpan entry, std::function<void(StatusOr<ledger::AddResult>)> done) override {
    sequencer_.SubmitThen(entry, std::move(done));
    return true;
  }

 private:
  ledger::Sequencer& sequencer_;
};

}  // namespace

LogService::LogService(ledger::Sequencer& sequencer, const ledger::LogReader& reader,
                       LogServiceOptions options)
    : own_sink_(std::make_unique<SequencerSink>(sequencer)),
      sink_(*own_sink_),
      committed_([&sequencer] { return sequencer.Latest(); }),
      reader_(reader),
      options_(std::move(options)) {}

LogService::LogService(EntrySink& sink, CommittedTree committed, const ledger::LogReader& reader,
                       LogServiceOptions options)
    : sink_(sink),
      committed_(std::move(committed)),
      reader_(reader),
      options_(std::move(options)) {}

LogService::~LogService() = default;

std::string FormatAddResponse(const AddResponse& response) {
  nlohmann::ordered_json j;
  j["index"] = response.index;
  j["leaf_hash"] = Base64Encode(response.leaf_hash);
  j["duplicate"] = response.duplicate;
  j["tree_size"] = response.tree_size;
  return j.dump() + "\n";
}

StatusOr<AddResponse> ParseAddResponse(std::string_view body) {
  auto bad = [](const std::string& why) {
    return MalformedError("add_response_malformed", "malformed response to POST /add: " + why);
  };
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  for (const char* key : {"index", "leaf_hash", "duplicate", "tree_size"}) {
    if (!j.contains(key)) return bad(std::string("no \"") + key + "\"");
  }
  if (j.size() != 4) return bad("unexpected members");
  if (!j["index"].is_number_unsigned() || !j["tree_size"].is_number_unsigned()) {
    return bad("index and tree_size must be non-negative integers");
  }
  if (!j["duplicate"].is_boolean() || !j["leaf_hash"].is_string()) {
    return bad("duplicate must be a boolean and leaf_hash a string");
  }
  AddResponse r;
  r.index = j["index"].get<uint64_t>();
  r.tree_size = j["tree_size"].get<uint64_t>();
  r.duplicate = j["duplicate"].get<bool>();
  auto hash = tlog::HashFromBase64(j["leaf_hash"].get<std::string>(), "leaf_hash");
  if (!hash.ok()) return bad(hash.status().message());
  r.leaf_hash = *hash;
  if (r.index >= r.tree_size) return bad("index is not below tree_size");
  return r;
}

StatusOr<uint64_t> ParseProofPath(std::string_view path) {
  constexpr std::string_view kPrefix = "/proof/";
  if (path.substr(0, kPrefix.size()) != kPrefix) {
    return MalformedError("request_malformed", "a proof path is /proof/<index>");
  }
  auto index = ParseCanonicalDecimal(path.substr(kPrefix.size()));
  if (!index) {
    return MalformedError("request_malformed",
                          "the index in a proof path is a decimal without sign or leading zeros, "
                          "below 2^63");
  }
  return *index;
}

std::string FormatAddError(std::string_view code, std::string_view message) {
  nlohmann::ordered_json j;
  j["error"] = code;
  j["message"] = message;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

StatusOr<std::vector<StatusOr<AddResponse>>> ParseAddBatchResponse(std::string_view body,
                                                                   size_t count) {
  auto bad = [](const std::string& why) {
    return MalformedError("add_response_malformed",
                          "malformed response to POST /add-batch: " + why);
  };
  std::vector<StatusOr<AddResponse>> out;
  out.reserve(count);
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) return bad("the last line does not end in a newline");
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    if (out.size() == count) return bad("more lines than entries");
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("error")) {
      if (j.size() != 2 || !j["error"].is_string() || !j.contains("message") ||
          !j["message"].is_string()) {
        return bad("an error line is not {\"error\":CODE,\"message\":TEXT}");
      }
      const std::string code = j["error"].get<std::string>();
      const std::string message = j["message"].get<std::string>();
      StatusCode sc = code == kBatchEntryBusy       ? StatusCode::kResourceExhausted
                      : code == kBatchEntryTimeout  ? StatusCode::kDeadlineExceeded
                      : code == kBatchEntryRejected ? StatusCode::kPermissionDenied
                                                    : StatusCode::kUnavailable;
      out.emplace_back(Status(sc, message, code));
      continue;
    }
    auto response = ParseAddResponse(std::string(line) + "\n");
    if (!response.ok())
      return bad("line " + std::to_string(out.size() + 1) + ": " + response.status().message());
    out.emplace_back(*response);
  }
  if (out.size() != count) {
    return bad(std::to_string(out.size()) + " lines for " + std::to_string(count) + " entries");
  }
  return out;
}

namespace {

// The answer to POST /add for the sink's outcome.
HttpResponse AddAnswer(const StatusOr<ledger::AddResult>& result) {
  if (!result.ok()) {
    switch (result.status().code()) {
      case StatusCode::kInvalidArgument:
        return Error(400, result.status().message());
      case StatusCode::kResourceExhausted:
      case StatusCode::kUnavailable:
      case StatusCode::kDeadlineExceeded:
        return Unavailable(result.status().message());
      default:
        return Error(500, "internal error: " + result.status().message());
    }
  }
  HttpResponse r = HttpResponse::Json(200, FormatAddResponse(*result));
  r.headers.Set("Cache-Control", std::string(kCacheNone));
  return r;
}

}  // namespace

HttpResponse LogService::Add(const HttpRequest& request) const {
  if (request.body.empty()) return Error(400, "empty entry: the request body is the entry");
  if (request.body.size() > tlog::kMaxEntrySize) {
    return Error(413, "the entry is " + std::to_string(request.body.size()) +
                          " bytes; entries are at most 65,535 bytes");
  }
  // Waiting for the batch holds no thread when the sink can answer later.
  auto deferred = std::make_shared<http::DeferredResponse>(
      options_.add_timeout,
      Unavailable("the entry was not sequenced within " +
                  std::to_string(options_.add_timeout.count()) +
                  " ms; it may still be: submit it again to learn its index"));
  if (sink_.AddThen(request.BodyBytes(), [deferred](const StatusOr<ledger::AddResult>& result) {
        deferred->Complete(AddAnswer(result));
      })) {
    return HttpResponse::Later(std::move(deferred));
  }
  return AddAnswer(sink_.Add(request.BodyBytes(), options_.add_timeout));
}

HttpResponse LogService::AddBatch(const HttpRequest& request) const {
  auto entries = tlog::ParseEntryBundle(request.BodyBytes());
  if (!entries.ok()) {
    return Error(400,
                 "the body is not an entry bundle (2-byte big-endian length, then the "
                 "entry, for each of 1 to 256 entries): " +
                     entries.status().message());
  }
  if (entries->empty()) return Error(400, "empty batch: give 1 to 256 entries");
  for (size_t i = 0; i < entries->size(); ++i) {
    if ((*entries)[i].empty()) {
      return Error(400, "entry " + std::to_string(i) + " of the batch is empty");
    }
  }
  std::vector<StatusOr<ledger::AddResult>> results = sink_.AddAll(*entries, options_.add_timeout);
  std::string body;
  size_t sequenced = 0;
  const Status* first_failure = nullptr;
  for (const StatusOr<ledger::AddResult>& result : results) {
    if (result.ok()) {
      ++sequenced;
      body += FormatAddResponse(*result);
      continue;
    }
    if (first_failure == nullptr) first_failure = &result.status();
    const char* code = kBatchEntryUnavailable;
    switch (result.status().code()) {
      case StatusCode::kResourceExhausted:
        code = kBatchEntryBusy;
        break;
      case StatusCode::kDeadlineExceeded:
        code = kBatchEntryTimeout;
        break;
      case StatusCode::kInvalidArgument:
        code = kBatchEntryRejected;
        break;
      default:
        break;
    }
    body += FormatAddError(code, result.status().message());
  }
  // Nothing sequenced: the log is busy or failing as a whole; tell the client to back off.
  if (sequenced == 0 && first_failure != nullptr &&
      first_failure->code() != StatusCode::kInvalidArgument) {
    return Unavailable(first_failure->message());
  }
  HttpResponse r = HttpResponse::Text(200, std::move(body));
  r.headers.Set("Content-Type", "application/x-ndjson");
  r.headers.Set("Cache-Control", std::string(kCacheNone));
  return r;
}

std::shared_ptr<const ledger::LogSnapshot> LogService::Published() const {
  return options_.published ? options_.published() : committed_();
}

HttpResponse LogService::Checkpoint(const HttpRequest& /*request*/) const {
  auto snapshot = Published();
  if (snapshot == nullptr) {
    return Unavailable("no checkpoint of this log has been cosigned by a witness quorum yet");
  }
  HttpResponse r = HttpResponse::Text(200, snapshot->checkpoint());
  r.headers.Set("Cache-Control", std::string(kCacheCheckpoint));
  return r;
}

HttpResponse LogService::Tile(const HttpRequest& request) const {
  std::string_view path = request.path;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  auto id = tlog::ParseTilePath(path);
  if (!id.ok()) return Error(400, id.status().message());
  auto snapshot = committed_();
  if (snapshot == nullptr) return Error(404, tlog::TilePath(*id) + " does not exist yet");
  auto data = reader_.ReadTile(*id, *snapshot);
  if (!data.ok()) {
    if (data.status().code() == StatusCode::kNotFound) return Error(404, data.status().message());
    return Error(500, "cannot read " + tlog::TilePath(*id) + ": " + data.status().message());
  }
  HttpResponse r = http::RangedBytes(request, *data);  // a follower's "the new entries only"
  if (r.status == 416) return r;
  r.headers.Set("Cache-Control", std::string(id->partial() ? kCachePartial : kCacheImmutable));
  return r;
}

HttpResponse LogService::Proof(const HttpRequest& request) const {
  auto index = ParseProofPath(request.path);
  if (!index.ok()) return Error(400, index.status().message());
  auto snapshot = Published();
  const uint64_t published_size = snapshot == nullptr ? 0 : snapshot->size();
  auto committed = committed_();
  if (*index >= published_size && committed != nullptr && *index < committed->size()) {
    return Unavailable("entry " + std::to_string(*index) +
                       " is sequenced but not yet covered by a witness-cosigned checkpoint");
  }
  if (snapshot == nullptr) return Unavailable("no checkpoint has been published yet");
  auto file = reader_.ProofFile(*index, *snapshot);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) return Error(404, file.status().message());
    return Error(500,
                 "cannot prove entry " + std::to_string(*index) + ": " + file.status().message());
  }
  HttpResponse r = HttpResponse::Text(200, *file);
  r.headers.Set("Cache-Control", "no-cache");
  return r;
}

http::Router LogService::Routes() const {
  http::Router router;
  router.Handle("POST", "/add", [this](const HttpRequest& r) { return Add(r); });
  router.Handle("POST", "/add-batch", [this](const HttpRequest& r) { return AddBatch(r); });
  router.Handle("GET", "/checkpoint", [this](const HttpRequest& r) { return Checkpoint(r); });
  router.HandlePrefix("GET", "/tile/", [this](const HttpRequest& r) { return Tile(r); });
  router.HandlePrefix("GET", "/proof/", [this](const HttpRequest& r) { return Proof(r); });
  router.Handle("GET", "/", [this](const HttpRequest&) {
    std::string text =
        "A Vouch transparency log (docs/log.md): GET /checkpoint, GET /tile/..., "
        "GET /proof/<index>, POST /add, POST /add-batch.\n";
    if (!options_.explorer_url.empty()) text += "Its explorer: " + options_.explorer_url + "\n";
    HttpResponse r = HttpResponse::Text(200, std::move(text));
    if (!options_.explorer_url.empty()) {
      r.headers.Set("Link",
                    "<" + options_.explorer_url + ">; rel=\"alternate\"; type=\"text/html\"");
    }
    r.headers.Set("Cache-Control", "no-cache");
    return r;
  });
  return router;
}

}  // namespace vouch::server

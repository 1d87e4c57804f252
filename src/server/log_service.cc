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

}  // namespace

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

HttpResponse LogService::Add(const HttpRequest& request) const {
  if (request.body.empty()) return Error(400, "empty entry: the request body is the entry");
  if (request.body.size() > tlog::kMaxEntrySize) {
    return Error(413, "the entry is " + std::to_string(request.body.size()) +
                          " bytes; entries are at most 65,535 bytes");
  }
  auto result = sequencer_.Add(request.BodyBytes(), options_.add_timeout);
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
  HttpResponse r = HttpResponse::Json(
      200,
      FormatAddResponse({result->index, result->leaf_hash, result->duplicate, result->tree_size}));
  r.headers.Set("Cache-Control", std::string(kCacheNone));
  return r;
}

std::shared_ptr<const ledger::LogSnapshot> LogService::Published() const {
  return options_.published ? options_.published() : sequencer_.Latest();
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
  auto snapshot = sequencer_.Latest();
  auto data = reader_.ReadTile(*id, *snapshot);
  if (!data.ok()) {
    if (data.status().code() == StatusCode::kNotFound) return Error(404, data.status().message());
    return Error(500, "cannot read " + tlog::TilePath(*id) + ": " + data.status().message());
  }
  HttpResponse r = HttpResponse::Bytes(200, *data);
  r.headers.Set("Cache-Control", std::string(id->partial() ? kCachePartial : kCacheImmutable));
  return r;
}

HttpResponse LogService::Proof(const HttpRequest& request) const {
  auto index = ParseProofPath(request.path);
  if (!index.ok()) return Error(400, index.status().message());
  auto snapshot = Published();
  const uint64_t published_size = snapshot == nullptr ? 0 : snapshot->size();
  if (*index >= published_size && *index < sequencer_.Latest()->size()) {
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
  router.Handle("GET", "/checkpoint", [this](const HttpRequest& r) { return Checkpoint(r); });
  router.HandlePrefix("GET", "/tile/", [this](const HttpRequest& r) { return Tile(r); });
  router.HandlePrefix("GET", "/proof/", [this](const HttpRequest& r) { return Proof(r); });
  return router;
}

}  // namespace vouch::server

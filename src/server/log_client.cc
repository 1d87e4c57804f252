#include "vouch/server/log_client.h"

#include <algorithm>
#include <optional>
#include <string>

#include "vouch/tlog/tiles.h"

namespace vouch::server {
namespace {

// The first line of a response body (the log's one-line reason), at most 300 bytes.
std::string Reason(const http::HttpResponse& r) {
  std::string s = r.body.substr(0, r.body.find('\n'));
  if (s.size() > 300) s = s.substr(0, 300) + "...";
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return s.empty() ? std::string(http::StatusReason(r.status)) : s;
}

// How long a 503 asks to wait (Retry-After in seconds, capped at one), if it is one.
std::optional<std::chrono::milliseconds> RetryAfter(const http::HttpResponse& r) {
  if (r.status != 503) return std::nullopt;
  auto value = r.headers.Get("Retry-After");
  if (!value || value->empty() || value->size() > 4 ||
      !std::all_of(value->begin(), value->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::min(std::chrono::milliseconds(std::stoi(std::string(*value)) * 1000),
                  std::chrono::milliseconds(1000));
}

Status StatusFromResponse(const std::string& what, const http::HttpResponse& r) {
  std::string message =
      what + ": the log answered " + std::to_string(r.status) + " (" + Reason(r) + ")";
  if (r.status == 404) return NotFoundError(message);
  return UnavailableError(message);
}

}  // namespace

StatusOr<LogClient> LogClient::Create(std::string_view base_url, http::Client& client,
                                      std::chrono::milliseconds timeout, const Clock& clock) {
  VOUCH_ASSIGN_OR_RETURN(std::string base, http::ServiceBaseUrl(base_url, "log"));
  return LogClient(std::move(base), client, timeout, clock);
}

// A 503 with Retry-After is transient (pushback, or an entry not yet in a witness-cosigned
// checkpoint): wait as told, at most a second at a time, while the timeout allows.
StatusOr<http::HttpResponse> LogClient::Get(const std::string& path, const http::Headers& headers) {
  const Clock::SteadyTime deadline = clock_->SteadyNow() + timeout_;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_->SteadyNow());
    VOUCH_ASSIGN_OR_RETURN(
        http::HttpResponse r,
        client_->Get(base_ + path, headers, std::max(left, std::chrono::milliseconds(1))));
    const auto wait = RetryAfter(r);
    if (!wait || clock_->SteadyNow() + *wait >= deadline) return r;
    clock_->SleepFor(*wait);
  }
}

StatusOr<AddResponse> LogClient::Add(ByteSpan entry) {
  VOUCH_ASSIGN_OR_RETURN(
      http::HttpResponse r,
      client_->Post(base_ + "/add", AsStringView(entry), "application/octet-stream", {}, timeout_));
  if (r.status == 200) return ParseAddResponse(r.body);
  if (r.status >= 400 && r.status < 500) {
    return RejectedError("entry_rejected", "the log refused the entry: " + Reason(r) + " (" +
                                               std::to_string(r.status) + ")");
  }
  return StatusFromResponse("POST " + base_ + "/add", r);
}

StatusOr<std::vector<StatusOr<AddResponse>>> LogClient::AddBatch(
    std::span<const ByteSpan> entries) {
  if (entries.empty() || entries.size() > kMaxBatchEntries) {
    return InvalidArgumentError("a batch holds 1 to " + std::to_string(kMaxBatchEntries) +
                                " entries, not " + std::to_string(entries.size()));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes body, tlog::EncodeEntryBundle(entries));
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r,
                         client_->Post(base_ + "/add-batch", AsStringView(body),
                                       "application/octet-stream", {}, timeout_));
  if (r.status == 200) return ParseAddBatchResponse(r.body, entries.size());
  if (r.status >= 400 && r.status < 500) {
    return RejectedError("entry_rejected", "the log refused the batch: " + Reason(r) + " (" +
                                               std::to_string(r.status) + ")");
  }
  return StatusFromResponse("POST " + base_ + "/add-batch", r);
}

StatusOr<std::string> LogClient::FetchCheckpoint() {
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r, Get("/checkpoint"));
  if (r.status != 200) return StatusFromResponse("GET " + base_ + "/checkpoint", r);
  return std::move(r.body);
}

StatusOr<Bytes> LogClient::FetchTile(const tlog::TileId& id) {
  const std::string path = "/" + tlog::TilePath(id);
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r, Get(path));
  if (r.status != 200) return StatusFromResponse("GET " + base_ + path, r);
  return ToBytes(r.body);
}

StatusOr<Bytes> LogClient::FetchTileFrom(const tlog::TileId& id, uint64_t offset) {
  const std::string path = "/" + tlog::TilePath(id);
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r,
                         Get(path, {{"Range", "bytes=" + std::to_string(offset) + "-"}}));
  const std::string what = "GET " + base_ + path + " from byte " + std::to_string(offset);
  if (r.status == 206) {
    auto range = http::ParseContentRange(r.headers.GetOr("Content-Range", ""));
    if (!range || range->first != offset || range->second - range->first + 1 != r.body.size()) {
      return UnavailableError(what + ": the log's 206 answer (Content-Range \"" +
                              r.headers.GetOr("Content-Range", "") + "\", " +
                              std::to_string(r.body.size()) + " bytes) is not that range");
    }
    return ToBytes(r.body);
  }
  if (r.status == 416) return OutOfRangeError(what + ": the log answered 416 (" + Reason(r) + ")");
  if (r.status != 200) return StatusFromResponse(what, r);
  if (r.body.size() <= offset) {
    return OutOfRangeError(what + ": it is " + std::to_string(r.body.size()) + " bytes");
  }
  return ToBytes(AsBytes(r.body).subspan(static_cast<size_t>(offset)));
}

StatusOr<std::string> LogClient::FetchProof(uint64_t index) {
  const std::string path = "/proof/" + std::to_string(index);
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse r, Get(path));
  if (r.status != 200) return StatusFromResponse("GET " + base_ + path, r);
  return std::move(r.body);
}

}  // namespace vouch::server

// A standby's forwarding to the service that sequences the log (log_forwarder.h).
#include "vouch/server/log_forwarder.h"

#include <string>
#include <utility>

#include "vouch/base/mutex.h"
#include "vouch/server/log_client.h"

namespace vouch::server {
namespace {

// LogClient's errors in the Sequencer's terms (the banner).
Status AsSinkError(const Status& s) {
  switch (s.code()) {
    case StatusCode::kPermissionDenied:  // entry_rejected: the holder refused it
      return Status(StatusCode::kInvalidArgument, s.message(), s.reason());
    case StatusCode::kResourceExhausted:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kUnavailable:
      return s;
    default:
      return Status(StatusCode::kUnavailable,
                    "the log service that sequences this log: " + s.message(), s.reason());
  }
}

// Whether `s` says the holder could not be reached (rather than answered).
bool Unreached(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
}

}  // namespace

struct LogForwarder::Cache {
  Mutex mu;
  std::string url VOUCH_GUARDED_BY(mu);
};

LogForwarder::LogForwarder(std::shared_ptr<const store::LogStore> store, http::Client& client,
                           const Clock& clock)
    : store_(std::move(store)), client_(client), clock_(clock), cache_(std::make_unique<Cache>()) {}

LogForwarder::~LogForwarder() = default;

StatusOr<std::string> LogForwarder::SequencerUrl() {
  {
    MutexLock lock(&cache_->mu);
    if (!cache_->url.empty()) return cache_->url;
  }
  auto url = store_->ReadSequencerUrl();
  if (!url.ok()) {
    return UnavailableError("cannot read where the log service that sequences this log is: " +
                            url.status().message());
  }
  if (url->empty()) {
    return UnavailableError(
        "no log service sequences this log now (none has advertised its URL): try again");
  }
  MutexLock lock(&cache_->mu);
  cache_->url = http::WithoutTrailingSlashes(*url);
  return cache_->url;
}

void LogForwarder::Forget(const Status& status) {
  if (!Unreached(status)) return;
  MutexLock lock(&cache_->mu);
  cache_->url.clear();
}

StatusOr<ledger::AddResult> LogForwarder::Add(ByteSpan entry, std::chrono::milliseconds timeout) {
  VOUCH_ASSIGN_OR_RETURN(std::string url, SequencerUrl());
  auto log = LogClient::Create(url, client_, timeout, clock_);
  if (!log.ok()) return AsSinkError(log.status());
  auto added = log->Add(entry);
  if (!added.ok()) {
    Forget(added.status());
    return AsSinkError(added.status());
  }
  return *std::move(added);
}

std::vector<StatusOr<ledger::AddResult>> LogForwarder::AddAll(std::span<const ByteSpan> entries,
                                                              std::chrono::milliseconds timeout) {
  auto all_fail = [&entries](const Status& s) {
    return std::vector<StatusOr<ledger::AddResult>>(entries.size(), AsSinkError(s));
  };
  auto url = SequencerUrl();
  if (!url.ok()) return all_fail(url.status());
  auto log = LogClient::Create(*url, client_, timeout, clock_);
  if (!log.ok()) return all_fail(log.status());
  auto added = log->AddBatch(entries);
  if (!added.ok()) {
    Forget(added.status());
    return all_fail(added.status());
  }
  for (StatusOr<ledger::AddResult>& one : *added) {
    if (!one.ok()) one = AsSinkError(one.status());
  }
  return *std::move(added);
}

http::HttpResponse LogForwarder::ForwardGet(const http::HttpRequest& request) {
  auto unavailable = [](const std::string& message) {
    http::HttpResponse r = http::HttpResponse::Text(503, message + "\n");
    r.headers.Set("Cache-Control", std::string(kCacheNone));
    r.headers.Set("Retry-After", "1");
    return r;
  };
  auto url = SequencerUrl();
  if (!url.ok()) return unavailable(url.status().message());
  auto got = client_.Get(*url + request.target);
  if (!got.ok()) {
    Forget(got.status());
    return unavailable("the log service that sequences this log cannot be reached at " + *url +
                       ": " + got.status().message());
  }
  http::HttpResponse r;
  r.status = got->status;
  r.body = std::move(got->body);
  for (const char* name : {"Content-Type", "Cache-Control", "Retry-After"}) {
    if (auto value = got->headers.Get(name)) r.headers.Set(name, std::string(*value));
  }
  return r;
}

}  // namespace vouch::server

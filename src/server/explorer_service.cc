#include "vouch/server/explorer_service.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/explorer_page.h"
#include "vouch/base/encoding.h"
#include "vouch/base/mutex.h"
#include "vouch/base/time.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/statement.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/tiles.h"

namespace vouch::server {

using ExplorerJson = nlohmann::ordered_json;

namespace {

constexpr size_t kMaxPage = 100;
constexpr size_t kDefaultPage = 50;
constexpr size_t kMaxMentions = 16;
constexpr char kNoStore[] = "no-store";

// One audited entry, as the page lists it.
struct Row {
  uint64_t index = 0;
  Sha256Digest hash{};
  std::string cls;
  bool valid = false;
  std::string code;
  std::string message;
  std::vector<std::string> signers;
  std::optional<UnixSeconds> issued_on;
  std::vector<Sha256Digest> mentions;  // 64-hex-digit values in the statement
};

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// The distinct runs of exactly 64 hex digits in `text` (at most kMaxMentions).
std::vector<Sha256Digest> Mentions(std::string_view text) {
  std::vector<Sha256Digest> out;
  size_t i = 0;
  while (i < text.size() && out.size() < kMaxMentions) {
    if (!IsHex(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && IsHex(text[j])) ++j;
    if (j - i == 64) {
      auto bytes = HexDecode(text.substr(i, 64));
      if (bytes.ok()) {
        Sha256Digest d{};
        std::copy(bytes->begin(), bytes->end(), d.begin());
        if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
      }
    }
    i = j;
  }
  return out;
}

Row RowOf(const govern::EntryVerdict& v, ByteSpan entry) {
  Row r;
  r.index = v.index;
  r.hash = v.entry_hash;
  r.cls = v.kind ? std::string(govern::StatementKindName(*v.kind)) : "unknown";
  r.valid = v.valid;
  r.code = v.code;
  r.message = v.message;
  r.issued_on = v.issued_on;
  auto parsed = dsse::LedgerEntry::Parse(entry);
  if (parsed.ok()) {
    for (const dsse::Signature& s : parsed->signatures()) r.signers.push_back(s.keyid);
    r.mentions = Mentions(AsStringView(parsed->payload()));
  }
  return r;
}

ExplorerJson RowJson(const Row& r) {
  ExplorerJson j = {{"index", r.index},
                    {"entry_hash", HexEncode(r.hash)},
                    {"class", r.cls},
                    {"valid", r.valid},
                    {"signers", r.signers},
                    {"issued_on", r.issued_on ? ExplorerJson(FormatRfc3339(*r.issued_on))
                                              : ExplorerJson(nullptr)}};
  if (!r.valid) j["error"] = {{"code", r.code}, {"message", r.message}};
  return j;
}

http::HttpResponse JsonResponse(int status, const ExplorerJson& body) {
  http::HttpResponse r = http::HttpResponse::Json(status, body.dump());
  r.headers.Set("Cache-Control", kNoStore);
  return r;
}

http::HttpResponse ExplorerError(int status, std::string_view code, const std::string& message) {
  return JsonResponse(status, {{"error", {{"code", code}, {"message", message}}}});
}

http::HttpResponse Asset(std::string_view body, std::string content_type) {
  http::HttpResponse r = http::HttpResponse::Bytes(200, std::string(body), std::move(content_type));
  r.headers.Set("Cache-Control", "no-cache");
  r.headers.Set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                "base-uri 'none'; frame-ancestors 'none'");
  r.headers.Set("X-Content-Type-Options", "nosniff");
  return r;
}

// An unsigned decimal query parameter, or `fallback` when absent; nullopt when malformed.
std::optional<uint64_t> UintParam(const http::HttpRequest& req, std::string_view name,
                                  uint64_t fallback) {
  auto text = req.QueryParam(name);
  if (!text) return fallback;
  if (text->empty() || text->size() > 19 ||
      !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoull(*text);
}

}  // namespace

namespace internal {

struct ExplorerState {
  ExplorerState(tlog::Policy p, ExplorerOptions o, ledger::ReceiptFetcher& l)
      : policy(std::move(p)), options(std::move(o)), log(l) {}

  const tlog::Policy policy;
  const ExplorerOptions options;
  ledger::ReceiptFetcher& log;

  Mutex refresh_mu;  // one refresh at a time; held across the audit, never with `mu` first
  mutable Mutex mu;  // the view
  std::vector<Row> rows VOUCH_GUARDED_BY(mu);
  std::shared_ptr<const govern::GovernanceState> governance VOUCH_GUARDED_BY(mu);
  std::optional<tlog::Checkpoint> checkpoint VOUCH_GUARDED_BY(mu);
  std::optional<tlog::CompactRange> range VOUCH_GUARDED_BY(mu);
  uint64_t tip_bundle_bytes VOUCH_GUARDED_BY(mu) = 0;  // AuditResult's, for the next resume
  std::string note VOUCH_GUARDED_BY(mu);
  tlog::PolicyVerification verification VOUCH_GUARDED_BY(mu);
  std::optional<UnixSeconds> refreshed_at VOUCH_GUARDED_BY(mu);
  std::optional<Clock::SteadyTime> refreshed_steady VOUCH_GUARDED_BY(mu);
  Status last_error VOUCH_GUARDED_BY(mu);

  void Fail(const Status& s) {
    MutexLock lock(&mu);
    last_error = s;
    refreshed_steady = options.clock->SteadyNow();  // do not ask again at once
  }

  bool Stale() const {
    MutexLock lock(&mu);
    return !refreshed_steady || options.clock->SteadyNow() - *refreshed_steady >= options.refresh;
  }

  ExplorerJson Summary() const;
  ExplorerJson Entries(uint64_t start, uint64_t count) const;
  ExplorerJson Search(std::string query) const;
};

ExplorerJson ExplorerState::Summary() const {
  MutexLock lock(&mu);
  ExplorerJson j = ExplorerJson::object();
  j["policy"] = options.policy_text;
  j["pinned"] = options.replay.root_set_pin.has_value();
  j["refreshed_at"] =
      refreshed_at ? ExplorerJson(FormatRfc3339(*refreshed_at)) : ExplorerJson(nullptr);
  j["error"] =
      last_error.ok()
          ? ExplorerJson(nullptr)
          : ExplorerJson({{"code", last_error.reason().empty() ? std::string("log_unreachable")
                                                               : last_error.reason()},
                          {"message", last_error.message()}});
  if (!checkpoint) {
    j["checkpoint"] = nullptr;
    return j;
  }
  const UnixSeconds now = options.clock->Now();
  j["origin"] = checkpoint->origin();
  j["checkpoint"] = {{"size", checkpoint->size()},
                     {"root_hash", Base64Encode(checkpoint->root())},
                     {"note", note}};
  ExplorerJson witnesses = ExplorerJson::array();
  for (const auto& [name, t] : verification.witness_times) {
    witnesses.push_back({{"name", name},
                         {"time", FormatRfc3339(static_cast<UnixSeconds>(t))},
                         {"age_seconds", now - static_cast<int64_t>(t)}});
  }
  j["verification"] = {
      {"log", verification.log},
      {"quorum", policy.quorum()},
      {"witnesses", witnesses},
      {"quorum_time",
       verification.quorum_time
           ? ExplorerJson(FormatRfc3339(static_cast<UnixSeconds>(*verification.quorum_time)))
           : ExplorerJson(nullptr)}};
  std::map<std::string, uint64_t> classes;
  uint64_t valid = 0;
  for (const Row& r : rows) {
    ++classes[r.cls];
    if (r.valid) ++valid;
  }
  j["entries"] = rows.size();
  j["valid"] = valid;
  j["classes"] = classes;
  ExplorerJson sets = ExplorerJson::array();
  ExplorerJson admitted = ExplorerJson::array();
  if (governance) {
    for (const auto& s : governance->RootSetChain()) {
      ExplorerJson set = {{"version", s.version},
                          {"index", s.index},
                          {"statement_digest", HexEncode(s.statement_digest)},
                          {"issued_on", FormatRfc3339(s.issued_on)},
                          {"expires", FormatRfc3339(s.expires)},
                          {"threshold", s.threshold},
                          {"roots", ExplorerJson::array()},
                          {"builders", ExplorerJson::array()}};
      for (const auto& r : s.roots) {
        set["roots"].push_back({{"name", r.name},
                                {"keyid", r.keyid},
                                {"constraint", r.constraint},
                                {"trusted_by", r.source}});
      }
      for (const auto& b : s.builders) {
        set["builders"].push_back({{"id", b.id}, {"keyids", b.keyids}});
      }
      sets.push_back(std::move(set));
    }
    for (const auto& a : governance->Admissions(now)) {
      if (!a.in_force) continue;
      admitted.push_back({{"index", a.entry.index},
                          {"role", govern::RoleName(a.role)},
                          {"constraint", a.constraint},
                          {"expires", FormatRfc3339(a.expires)}});
    }
  }
  j["root_sets"] = std::move(sets);
  j["admitted"] = std::move(admitted);
  return j;
}

ExplorerJson ExplorerState::Entries(uint64_t start, uint64_t count) const {
  MutexLock lock(&mu);
  ExplorerJson out = {{"start", start}, {"total", rows.size()}, {"rows", ExplorerJson::array()}};
  for (uint64_t i = start; i < rows.size() && i < start + count; ++i) {
    out["rows"].push_back(RowJson(rows[i]));
  }
  return out;
}

ExplorerJson ExplorerState::Search(std::string query) const {
  std::transform(query.begin(), query.end(), query.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  ExplorerJson out = {{"query", query}, {"rows", ExplorerJson::array()}};
  MutexLock lock(&mu);
  std::optional<Sha256Digest> value;
  if (query.size() == 64) {
    if (auto bytes = HexDecode(query); bytes.ok()) {
      value.emplace();
      std::copy(bytes->begin(), bytes->end(), value->begin());
    }
  }
  for (auto it = rows.rbegin(); it != rows.rend() && out["rows"].size() < kMaxPage; ++it) {
    const bool hash_match = HexEncode(it->hash).starts_with(query);
    const bool mentioned =
        value && std::find(it->mentions.begin(), it->mentions.end(), *value) != it->mentions.end();
    if (hash_match || mentioned) out["rows"].push_back(RowJson(*it));
  }
  return out;
}

}  // namespace internal

ExplorerService::ExplorerService(tlog::Policy policy, ExplorerOptions options,
                                 ledger::ReceiptFetcher& log)
    : state_(
          std::make_unique<internal::ExplorerState>(std::move(policy), std::move(options), log)) {}

ExplorerService::~ExplorerService() = default;

Status ExplorerService::Refresh() {
  internal::ExplorerState& s = *state_;
  MutexLock refreshing(&s.refresh_mu);
  std::optional<tlog::Checkpoint> trusted;
  std::optional<tlog::CompactRange> range;
  uint64_t tip_bundle_bytes = 0;
  std::shared_ptr<const govern::GovernanceState> governance;
  {
    MutexLock lock(&s.mu);
    trusted = s.checkpoint;
    range = s.range;
    tip_bundle_bytes = s.tip_bundle_bytes;
    governance = s.governance;
  }
  auto note = s.log.FetchCheckpoint();
  if (!note.ok()) {
    s.Fail(note.status());
    return note.status();
  }
  auto signed_cp = tlog::SignedCheckpoint::Parse(*note);
  StatusOr<tlog::PolicyVerification> verified =
      signed_cp.ok() ? s.policy.VerifyCheckpoint(*signed_cp)
                     : StatusOr<tlog::PolicyVerification>(signed_cp.status());
  if (!verified.ok()) {
    s.Fail(verified.status());
    return verified.status();
  }
  const tlog::Checkpoint& cp = signed_cp->checkpoint();
  std::vector<Row> fresh;
  std::shared_ptr<govern::GovernanceState> next;
  tlog::CompactRange next_range;
  if (trusted && *trusted == cp) {
    next_range = *range;
  } else {
    if (governance) {
      next = std::make_shared<govern::GovernanceState>(*governance);
    } else {
      govern::ReplayOptions replay = s.options.replay;
      if (!replay.origin) replay.origin = cp.origin();
      // The page shows entries and governance, not the release list (which, copied with the
      // state at every refresh, would cost more with every release recorded).
      replay.list_releases = false;
      next = std::make_shared<govern::GovernanceState>(std::move(replay));
    }
    ledger::PinnedCheckpointFetcher fetcher(s.log, *note);
    ledger::AuditOptions audit;
    audit.policy = &s.policy;
    audit.trusted = trusted;
    audit.resume = range;
    audit.resume_bundle_bytes = tip_bundle_bytes;
    audit.check_entries = true;
    audit.on_entry = [&](uint64_t, ByteSpan entry) -> Status {
      fresh.push_back(RowOf(next->Append(entry), entry));
      return OkStatus();
    };
    auto result = ledger::AuditLog(fetcher, audit);
    if (!result.ok()) {
      s.Fail(result.status());
      return result.status();
    }
    next_range = result->range;
    tip_bundle_bytes = result->tip_bundle_bytes;
  }
  MutexLock lock(&s.mu);
  s.rows.insert(s.rows.end(), std::make_move_iterator(fresh.begin()),
                std::make_move_iterator(fresh.end()));
  if (next) s.governance = std::move(next);
  s.checkpoint = cp;
  s.range = next_range;
  s.tip_bundle_bytes = tip_bundle_bytes;
  s.note = *std::move(note);
  s.verification = *std::move(verified);
  s.refreshed_at = s.options.clock->Now();
  s.refreshed_steady = s.options.clock->SteadyNow();
  s.last_error = OkStatus();
  return OkStatus();
}

http::Router ExplorerService::Routes() {
  internal::ExplorerState* s = state_.get();
  auto fresh = [this, s] {
    if (s->Stale()) Refresh().IgnoreError();  // a failure is shown in the summary
  };
  http::Router router;
  router.Handle("GET", "/", [](const http::HttpRequest&) {
    return Asset(explorer::kIndexHtml, "text/html; charset=utf-8");
  });
  router.Handle("GET", "/explorer.js", [](const http::HttpRequest&) {
    return Asset(explorer::kScript, "text/javascript; charset=utf-8");
  });
  router.Handle("GET", "/explorer.css", [](const http::HttpRequest&) {
    return Asset(explorer::kStyle, "text/css; charset=utf-8");
  });
  router.Handle("GET", "/api/summary", [s, fresh](const http::HttpRequest&) {
    fresh();
    return JsonResponse(200, s->Summary());
  });
  router.Handle("GET", "/api/entries", [s, fresh](const http::HttpRequest& req) {
    auto start = UintParam(req, "start", 0);
    auto count = UintParam(req, "count", kDefaultPage);
    if (!start || !count || *count == 0 || *count > kMaxPage) {
      return ExplorerError(400, "bad_request", "start must be a number, count 1 to 100");
    }
    fresh();
    return JsonResponse(200, s->Entries(*start, *count));
  });
  router.Handle("GET", "/api/search", [s, fresh](const http::HttpRequest& req) {
    std::string q = req.QueryParam("q").value_or("");
    if (q.size() < 8 || q.size() > 64 || !std::all_of(q.begin(), q.end(), IsHex)) {
      return ExplorerError(400, "bad_request",
                           "search for 8 to 64 hex digits: an entry hash (or its start), or a "
                           "measurement or digest a statement names (64 digits)");
    }
    fresh();
    return JsonResponse(200, s->Search(std::move(q)));
  });
  // The log's public API, passed through for the page's own check (nothing here is trusted).
  auto upstream = [](const StatusOr<std::string>& text) {
    if (!text.ok()) {
      return http::HttpResponse::Text(502, "the log did not answer: " + text.status().message());
    }
    http::HttpResponse r = http::HttpResponse::Text(200, *text);
    r.headers.Set("Cache-Control", kNoStore);
    return r;
  };
  router.Handle("GET", "/log/checkpoint", [s, upstream](const http::HttpRequest&) {
    return upstream(s->log.FetchCheckpoint());
  });
  router.HandlePrefix("GET", "/log/proof/", [s, upstream](const http::HttpRequest& req) {
    const std::string_view digits = std::string_view(req.path).substr(11);
    if (digits.empty() || digits.size() > 19 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return http::HttpResponse::Text(400, "bad index");
    }
    return upstream(s->log.FetchProof(std::stoull(std::string(digits))));
  });
  router.HandlePrefix("GET", "/log/tile/entries/", [s](const http::HttpRequest& req) {
    auto id = tlog::ParseTilePath(std::string_view(req.path).substr(5));
    if (!id.ok() || !id->is_bundle()) return http::HttpResponse::Text(400, "bad tile path");
    auto bytes = s->log.FetchTile(*id);
    if (!bytes.ok()) {
      return http::HttpResponse::Text(bytes.status().code() == StatusCode::kNotFound ? 404 : 502,
                                      "the log did not answer: " + bytes.status().message());
    }
    http::HttpResponse r = http::HttpResponse::Bytes(200, ByteSpan(*bytes));
    r.headers.Set("Cache-Control", kNoStore);
    return r;
  });
  return router;
}

}  // namespace vouch::server

// Message types, router and URL helpers of vouch/http/http.h.
#include "vouch/http/http.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include "vouch/base/mutex.h"

namespace vouch::http {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsTokenChar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

StatusOr<std::string> Decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (text.size() - i < 3) {
        return InvalidArgumentError("truncated percent-escape at offset " + std::to_string(i));
      }
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return InvalidArgumentError("invalid percent-escape at offset " + std::to_string(i));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool IsHostChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '.' || c == '_';
}

bool IsIpv6LiteralChar(char c) { return HexValue(c) >= 0 || c == ':' || c == '.'; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool IsValidHeaderField(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(static_cast<unsigned char>(c))) return false;
  }
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

// ---- Headers ----

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

std::string Headers::GetOr(std::string_view name, std::string_view fallback) const {
  std::optional<std::string_view> v = Get(name);
  return std::string(v ? *v : fallback);
}

std::vector<std::string_view> Headers::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Field& f : fields_) {
    if (EqualsIgnoreCase(f.first, name)) out.emplace_back(f.second);
  }
  return out;
}

// ---- Request / response ----

std::optional<std::string> HttpRequest::QueryParam(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

HttpResponse HttpResponse::Later(std::shared_ptr<DeferredResponse> deferred) {
  HttpResponse r;
  r.deferred = std::move(deferred);
  return r;
}

struct DeferredResponse::State {
  Mutex mu;
  bool done VOUCH_GUARDED_BY(mu) = false;  // completed or abandoned
  std::function<void(HttpResponse)> sink VOUCH_GUARDED_BY(mu);
  std::optional<HttpResponse> early VOUCH_GUARDED_BY(mu);  // completed before the sink came
};

DeferredResponse::DeferredResponse(std::chrono::milliseconds timeout, HttpResponse fallback)
    : timeout_(timeout), fallback_(std::move(fallback)), state_(std::make_unique<State>()) {}

DeferredResponse::~DeferredResponse() = default;

void DeferredResponse::Complete(HttpResponse response) {
  std::function<void(HttpResponse)> sink;
  {
    MutexLock lock(&state_->mu);
    if (state_->done) return;
    state_->done = true;
    if (!state_->sink) {
      state_->early = std::move(response);
      return;
    }
    sink = std::move(state_->sink);
    state_->sink = nullptr;
  }
  sink(std::move(response));
}

void DeferredResponse::OnComplete(std::function<void(HttpResponse)> sink) {
  std::optional<HttpResponse> early;
  {
    MutexLock lock(&state_->mu);
    if (!state_->done) {
      state_->sink = std::move(sink);
      return;
    }
    early = std::move(state_->early);
    state_->early.reset();
  }
  // Completed before: its response; used up or abandoned before (a handler that returned one
  // deferred twice): the fallback, so that the request is answered all the same.
  sink(early.has_value() ? *std::move(early) : fallback_);
}

void DeferredResponse::Abandon() {
  std::function<void(HttpResponse)> dropped;
  MutexLock lock(&state_->mu);
  state_->done = true;
  state_->early.reset();
  dropped = std::move(state_->sink);  // destroyed after the lock is released
  state_->sink = nullptr;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  return Bytes(status, std::move(body), "text/plain; charset=utf-8");
}

HttpResponse HttpResponse::Json(int status, std::string json) {
  return Bytes(status, std::move(json), "application/json");
}

HttpResponse HttpResponse::Bytes(int status, ByteSpan body, std::string content_type) {
  return Bytes(status, std::string(AsStringView(body)), std::move(content_type));
}

HttpResponse HttpResponse::Bytes(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

namespace {

// A run of decimal digits (no sign, no space) that fits in 64 bits.
std::optional<uint64_t> ParseDigits(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<ByteRange> ParseRangeHeader(std::string_view value) {
  constexpr std::string_view kUnit = "bytes=";
  if (value.size() < kUnit.size() || !EqualsIgnoreCase(value.substr(0, kUnit.size()), kUnit)) {
    return std::nullopt;
  }
  value.remove_prefix(kUnit.size());
  const size_t dash = value.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = ParseDigits(value.substr(0, dash));
  if (!first) return std::nullopt;  // also a suffix range "-N"
  const std::string_view rest = value.substr(dash + 1);
  if (rest.empty()) return ByteRange{.first = *first, .last = std::nullopt};
  auto last = ParseDigits(rest);  // refuses "," (several ranges) too
  if (!last || *last < *first) return std::nullopt;
  return ByteRange{.first = *first, .last = *last};
}

HttpResponse RangedBytes(const HttpRequest& request, ByteSpan body) {
  auto header = request.headers.Get("Range");
  std::optional<ByteRange> range;
  if (header) range = ParseRangeHeader(*header);
  if (!range) return HttpResponse::Bytes(200, body);
  const std::string length = std::to_string(body.size());
  if (range->first >= body.size()) {
    HttpResponse r =
        HttpResponse::Text(416, "the range starts at or after the end (" + length + " bytes)\n");
    r.headers.Set("Content-Range", "bytes */" + length);
    return r;
  }
  const uint64_t last = std::min<uint64_t>(range->last.value_or(UINT64_MAX), body.size() - 1);
  HttpResponse r =
      HttpResponse::Bytes(206, body.subspan(static_cast<size_t>(range->first),
                                            static_cast<size_t>(last - range->first + 1)));
  r.headers.Set("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                     std::to_string(last) + "/" + length);
  return r;
}

std::optional<std::pair<uint64_t, uint64_t>> ParseContentRange(std::string_view value) {
  constexpr std::string_view kUnit = "bytes ";
  if (value.size() < kUnit.size() || !EqualsIgnoreCase(value.substr(0, kUnit.size()), kUnit)) {
    return std::nullopt;
  }
  value.remove_prefix(kUnit.size());
  const size_t dash = value.find('-');
  const size_t slash = value.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  auto first = ParseDigits(value.substr(0, dash));
  auto last = ParseDigits(value.substr(dash + 1, slash - dash - 1));
  const std::string_view length = value.substr(slash + 1);
  if (!first || !last || *last < *first) return std::nullopt;
  if (length != "*") {
    auto n = ParseDigits(length);
    if (!n || *last >= *n) return std::nullopt;
  }
  return std::make_pair(*first, *last);
}

std::string_view StatusReason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

// ---- Router ----

Router& Router::Add(Route route) {
  for (Route& r : routes_) {
    if (r.method == route.method && r.path == route.path && r.prefix == route.prefix) {
      r.handler = std::move(route.handler);
      return *this;
    }
  }
  routes_.push_back(std::move(route));
  return *this;
}

Router& Router::Handle(std::string method, std::string path, Handler handler) {
  return Add(Route{std::move(method), std::move(path), false, std::move(handler)});
}

Router& Router::HandlePrefix(std::string method, std::string prefix, Handler handler) {
  return Add(Route{std::move(method), std::move(prefix), true, std::move(handler)});
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  // The most specific routes for this path: exact ones, else the longest matching prefix.
  std::vector<const Route*> candidates;
  for (const Route& r : routes_) {
    if (!r.prefix && r.path == request.path) candidates.push_back(&r);
  }
  if (candidates.empty()) {
    size_t best = 0;
    bool found = false;
    for (const Route& r : routes_) {
      if (r.prefix && request.path.starts_with(r.path) && (!found || r.path.size() >= best)) {
        if (!found || r.path.size() > best) candidates.clear();
        best = r.path.size();
        found = true;
        candidates.push_back(&r);
      }
    }
  }
  if (candidates.empty()) return HttpResponse::Text(404, "Not Found\n");

  for (const Route* r : candidates) {
    if (r->method == request.method && r->handler) return r->handler(request);
  }
  if (request.method == "HEAD") {
    for (const Route* r : candidates) {
      if (r->method == "GET" && r->handler) return r->handler(request);
    }
  }
  std::set<std::string> allowed;
  for (const Route* r : candidates) {
    allowed.insert(r->method);
    if (r->method == "GET") allowed.insert("HEAD");
  }
  std::string allow;
  for (const std::string& m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  HttpResponse response = HttpResponse::Text(405, "Method Not Allowed\n");
  response.headers.Set("Allow", std::move(allow));
  return response;
}

// ---- URL helpers ----

StatusOr<std::string> PercentDecode(std::string_view text) { return Decode(text, false); }

StatusOr<std::string> FormDecode(std::string_view text) { return Decode(text, true); }

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0f]);
    }
  }
  return out;
}

StatusOr<QueryParams> ParseQuery(std::string_view raw_query) {
  QueryParams params;
  size_t start = 0;
  while (start <= raw_query.size()) {
    size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    std::string_view part = raw_query.substr(start, end - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string_view key = part.substr(0, eq);
      std::string_view value =
          eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      StatusOr<std::string> k = FormDecode(key);
      if (!k.ok()) return k.status().WithContext("query parameter name");
      StatusOr<std::string> v = FormDecode(value);
      if (!v.ok()) return v.status().WithContext("query parameter '" + *k + "'");
      params.emplace_back(std::move(*k), std::move(*v));
    }
    start = end + 1;
  }
  return params;
}

std::string BuildQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(k);
    out.push_back('=');
    out += PercentEncode(v);
  }
  return out;
}

std::string WithoutTrailingSlashes(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base);
}

StatusOr<std::string> ServiceBaseUrl(std::string_view base_url, std::string_view service) {
  std::string base = WithoutTrailingSlashes(base_url);
  VOUCH_ASSIGN_OR_RETURN(Url url, Url::Parse(base));
  if (url.target.find('?') != std::string::npos) {
    return InvalidArgumentError("the " + std::string(service) + " URL " + base +
                                " must not have a query");
  }
  return base;
}

StatusOr<Url> Url::Parse(std::string_view text) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return InvalidArgumentError("URL contains a space, control or non-ASCII character");
    }
  }
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return InvalidArgumentError("URL '" + std::string(text) +
                                "' has no scheme (want http:// or https://)");
  }
  Url url;
  for (char c : text.substr(0, sep)) url.scheme.push_back(AsciiLower(c));
  if (url.scheme != "http" && url.scheme != "https") {
    return InvalidArgumentError("URL '" + std::string(text) + "' has scheme '" + url.scheme +
                                "' (want http or https)");
  }
  std::string_view rest = text.substr(sep + 3);
  size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("URL '" + std::string(text) + "' has user info (not supported)");
  }

  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgumentError("URL '" + std::string(text) +
                                  "' has an unterminated IPv6 literal");
    }
    std::string_view literal = authority.substr(1, close - 1);
    if (literal.empty() || !std::all_of(literal.begin(), literal.end(), IsIpv6LiteralChar)) {
      return InvalidArgumentError("URL '" + std::string(text) + "' has an invalid IPv6 literal");
    }
    url.host = std::string(literal);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return InvalidArgumentError("URL '" + std::string(text) +
                                    "' has junk after the IPv6 literal");
      }
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostChar)) {
      return InvalidArgumentError("URL '" + std::string(text) + "' has an empty or invalid host");
    }
    url.host = std::string(host);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }

  url.port = url.is_https() ? 443 : 80;
  if (has_port && !port_text.empty()) {
    uint32_t port = 0;
    if (port_text.size() > 5) {
      return InvalidArgumentError("URL '" + std::string(text) + "' has an invalid port");
    }
    for (char c : port_text) {
      if (c < '0' || c > '9') {
        return InvalidArgumentError("URL '" + std::string(text) + "' has an invalid port");
      }
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535) {
      return InvalidArgumentError("URL '" + std::string(text) + "' has a port out of range");
    }
    url.port = static_cast<uint16_t>(port);
  }

  if (target.empty() || target.front() == '?') {
    url.target = "/" + std::string(target);
  } else {
    url.target = std::string(target);
  }
  return url;
}

std::string Url::HostHeader() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (is_https() ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::ToString() const { return scheme + "://" + HostHeader() + target; }

}  // namespace vouch::http

// The HTTP/1.1 message types shared by Vouch's server and client (RFC 9110, RFC 9112), a small
// router, and the URL helpers the services need (RFC 3986 percent-encoding, query strings).
//
// Nothing here knows about Vouch's domain. Bodies are octet strings held in std::string (any byte
// value is allowed); `BodyBytes()` views them as bytes.
//
// Thread safety: the value types are thread-compatible. A Router is immutable once handed to a
// server, and `Dispatch` is then safe to call from many threads at once.
#ifndef VOUCH_HTTP_HTTP_H_
#define VOUCH_HTTP_HTTP_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"

namespace vouch::http {

// Header fields in arrival (or insertion) order with case-insensitive name lookup.
// Repeated fields are kept as separate entries.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  // Appends a field (an existing field of the same name is kept).
  void Add(std::string name, std::string value);
  // Replaces every field named `name` by one field.
  void Set(std::string name, std::string value);
  // Removes every field named `name`.
  void Remove(std::string_view name);

  // The value of the first field named `name`, if any. The view is valid until this object is
  // modified or destroyed.
  std::optional<std::string_view> Get(std::string_view name) const;
  // The first value named `name`, or `fallback`.
  std::string GetOr(std::string_view name, std::string_view fallback) const;
  // Every value named `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// ASCII case-insensitive equality (header names, methods are case-sensitive and compared
// exactly).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// True when `name` is an RFC 9110 token and `value` holds no CR, LF or NUL (and no other control
// character except HTAB), i.e. the field can be written without header injection.
bool IsValidHeaderField(std::string_view name, std::string_view value);

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// A request as a server's handler sees it.
struct HttpRequest {
  std::string method;     // "GET", "POST", ... (case-sensitive, as sent)
  std::string target;     // the request-target as sent, e.g. "/tile/0/001?x=1"
  std::string path;       // target up to '?': not percent-decoded, not normalised
  std::string raw_query;  // after '?', undecoded ("" when absent)
  QueryParams query;      // raw_query split on '&' and '=', percent- and '+'-decoded, in order
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:54321" or "[::1]:54321"
  int version = 11;            // 10 for HTTP/1.0, 11 for HTTP/1.1

  // The first query value named `name`, if any.
  std::optional<std::string> QueryParam(std::string_view name) const;
  ByteSpan BodyBytes() const { return AsBytes(body); }
};

class DeferredResponse;

// A response: the status, its header fields and the whole body. The server sets
// Content-Length, Connection and framing itself; handlers set everything else.
struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // Set (HttpResponse::Later): the answer comes later, through this; the rest is ignored.
  std::shared_ptr<DeferredResponse> deferred;

  // A response given later (DeferredResponse), without holding the handler's thread.
  static HttpResponse Later(std::shared_ptr<DeferredResponse> deferred);

  ByteSpan BodyBytes() const { return AsBytes(body); }

  // "text/plain; charset=utf-8".
  static HttpResponse Text(int status, std::string body);
  // "application/json".
  static HttpResponse Json(int status, std::string json);
  // Arbitrary octets with the given Content-Type.
  static HttpResponse Bytes(int status, ByteSpan body,
                            std::string content_type = "application/octet-stream");
  static HttpResponse Bytes(int status, std::string body,
                            std::string content_type = "application/octet-stream");
};

// One byte range of a representation (RFC 9110 §14.1.2): bytes first..last, inclusive; no
// `last` means to the end.
struct ByteRange {
  uint64_t first = 0;
  std::optional<uint64_t> last;
};

// The range a request's Range value asks for when it is one range "bytes=FIRST-" or
// "bytes=FIRST-LAST" (digits only, LAST >= FIRST); nullopt for anything else — another unit,
// several ranges, a suffix range "bytes=-N", a malformed value — which a server ignores
// (RFC 9110 §14.2 lets it) by sending the whole representation.
std::optional<ByteRange> ParseRangeHeader(std::string_view value);

// The answer to a GET of `body` (Content-Type application/octet-stream) that honours the
// request's Range header as ParseRangeHeader reads it: 206 with the bytes asked for (LAST
// capped at the end) and "Content-Range: bytes FIRST-LAST/LENGTH"; 416 with
// "Content-Range: bytes */LENGTH" when FIRST is not before the end; otherwise 200 with all of
// `body`.
HttpResponse RangedBytes(const HttpRequest& request, ByteSpan body);

// The first and last byte of a 206 answer's Content-Range value "bytes FIRST-LAST/LENGTH"
// (LENGTH may be "*"); nullopt when it is not of that form or LAST < FIRST.
std::optional<std::pair<uint64_t, uint64_t>> ParseContentRange(std::string_view value);

// An answer a handler gives later without holding its thread — e.g. once a submission is
// durably sequenced: the handler returns HttpResponse::Later(deferred), and whoever finishes the
// work calls Complete(response) once, from any thread (later calls do nothing). The server
// answers `fallback` instead when Complete has not come within `timeout` of the handler's
// return, and abandons the request when it stops or the connection closes (Complete then does
// nothing). Complete must not block: it hands the response to the connection's I/O thread.
//
// Thread-safety: thread-safe.
class DeferredResponse {
 public:
  DeferredResponse(std::chrono::milliseconds timeout, HttpResponse fallback);
  ~DeferredResponse();
  DeferredResponse(const DeferredResponse&) = delete;
  DeferredResponse& operator=(const DeferredResponse&) = delete;

  void Complete(HttpResponse response);

  // For the server. `sink` receives the response once (at once, on this thread, when Complete
  // came first; the fallback when this deferred was used up or abandoned before); Abandon()
  // drops the sink (and what it holds) and makes Complete do nothing.
  void OnComplete(std::function<void(HttpResponse)> sink);
  void Abandon();
  std::chrono::milliseconds timeout() const { return timeout_; }
  const HttpResponse& fallback() const { return fallback_; }

 private:
  struct State;  // the sink or the early response, and their lock (http.cc)
  const std::chrono::milliseconds timeout_;
  const HttpResponse fallback_;
  const std::unique_ptr<State> state_;
};

// The reason phrase of a status code ("Not Found"), or "Unknown".
std::string_view StatusReason(int status);

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// Dispatches requests by (method, path): exact routes first, then the longest matching prefix
// route. The routes that match the path most specifically define the resource: if none of them
// has the request's method the answer is 405 with an Allow header; if no route matches the path
// at all, 404. A HEAD request is served by the GET handler when no HEAD route exists (the server
// drops the body and keeps Content-Length).
//
// A Router is a Handler (it is callable), so it can be passed to HttpServer::Start.
class Router {
 public:
  // Registers `handler` for `method` on exactly `path`. Returns *this for chaining. A later
  // registration of the same (method, path) replaces the earlier one.
  Router& Handle(std::string method, std::string path, Handler handler);
  // Registers `handler` for `method` on every path that starts with `prefix`.
  Router& HandlePrefix(std::string method, std::string prefix, Handler handler);

  HttpResponse Dispatch(const HttpRequest& request) const;
  HttpResponse operator()(const HttpRequest& request) const { return Dispatch(request); }

 private:
  struct Route {
    std::string method;
    std::string path;
    bool prefix;
    Handler handler;
  };
  Router& Add(Route route);
  std::vector<Route> routes_;
};

// ---- URLs ----

// Decodes %XX escapes (either hex case). Every other byte is kept, including '+'. Fails with
// kInvalidArgument on a '%' not followed by two hex digits.
StatusOr<std::string> PercentDecode(std::string_view text);
// As PercentDecode, but '+' decodes to a space (application/x-www-form-urlencoded).
StatusOr<std::string> FormDecode(std::string_view text);
// Encodes every byte except the RFC 3986 unreserved characters A-Z a-z 0-9 - . _ ~ as %XX
// (upper-case hex). Safe for path segments, query keys and values.
std::string PercentEncode(std::string_view text);

// Splits "a=1&b=two%20words&c" into ordered, decoded pairs (c has an empty value). Empty
// components ("a=1&&b=2") are skipped. Fails with kInvalidArgument on a bad escape.
StatusOr<QueryParams> ParseQuery(std::string_view raw_query);
// Joins percent-encoded pairs: {{"a","1"},{"b","x y"}} -> "a=1&b=x%20y".
std::string BuildQuery(const QueryParams& params);

// `base` without its trailing '/' characters: a base URL to which paths such as "/add" are
// appended.
std::string WithoutTrailingSlashes(std::string_view base);

// The base URL of one of Vouch's services, as its client keeps it: `base_url` without trailing
// '/' characters, which must parse as a Url (that error is returned as is) and must not have a
// query (kInvalidArgument: "the <service> URL … must not have a query").
StatusOr<std::string> ServiceBaseUrl(std::string_view base_url, std::string_view service);

// An absolute http or https URL: scheme://host[:port][/path][?query][#fragment].
struct Url {
  std::string scheme;  // "http" or "https" (lower-cased)
  std::string host;    // a name, an IPv4 literal or an IPv6 literal without brackets
  uint16_t port = 0;   // explicit, or 80 / 443 by scheme
  std::string target;  // path and query as sent on the request line; "/" when empty

  // Parses `text`. Fails with kInvalidArgument on any other scheme, user info, an empty host,
  // a bad port, or a character that is not printable ASCII (which also rejects CR/LF injection).
  // A fragment is dropped.
  static StatusOr<Url> Parse(std::string_view text);

  bool is_https() const { return scheme == "https"; }
  // host[:port] as sent in a Host header (port omitted when it is the scheme's default, IPv6
  // literal in brackets).
  std::string HostHeader() const;
  // scheme://HostHeader()target
  std::string ToString() const;
};

}  // namespace vouch::http

#endif  // VOUCH_HTTP_HTTP_H_

// Request validation shared by the server and the fuzz target.
#include "http/http_request_parser.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>

#include "http/http_beast.h"

namespace vouch::http::internal {
namespace {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

}  // namespace

void ApplyLimits(BeastRequestParser& parser, const RequestLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(static_cast<std::uint64_t>(limits.max_body_bytes));
}

bool IsDisconnect(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::connection_aborted || ec == net::error::broken_pipe ||
         ec == net::error::operation_aborted || ec == net::error::not_connected ||
         ec == net::error::bad_descriptor || ec == net::error::timed_out ||
         ec == beast::error::timeout;
}

HttpError ParseErrorToHttpError(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) return HttpError{413, "request body too large"};
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return HttpError{431, "request header section too large"};
  }
  return HttpError{400, "malformed request: " + ec.message()};
}

std::optional<HttpError> CheckRequestHeader(const BeastRequestParser& parser) {
  const BeastRequest& message = parser.get();
  const unsigned version = message.version();
  if (version != 10 && version != 11) {
    return HttpError{505, "only HTTP/1.0 and HTTP/1.1 are supported"};
  }
  const size_t hosts = message.count(bhttp::field::host);
  if ((version == 11 && hosts != 1) || hosts > 1) {
    return HttpError{400, "an HTTP/1.1 request needs exactly one Host header"};
  }
  if (message.count(bhttp::field::transfer_encoding) > 0) {
    if (version == 10) return HttpError{400, "Transfer-Encoding in an HTTP/1.0 request"};
    size_t codings = 0;
    bool only_chunked = true;
    for (auto it = message.find(bhttp::field::transfer_encoding);
         it != message.end() && it->name() == bhttp::field::transfer_encoding; ++it) {
      std::string_view value(it->value().data(), it->value().size());
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        if (comma == std::string_view::npos) comma = value.size();
        std::string_view token = TrimOws(value.substr(start, comma - start));
        if (!token.empty()) {
          ++codings;
          if (!EqualsIgnoreCase(token, "chunked")) only_chunked = false;
        }
        start = comma + 1;
      }
    }
    if (codings != 1 || !only_chunked || !parser.chunked()) {
      return HttpError{501, "unsupported transfer coding (only \"chunked\" is accepted)"};
    }
  }
  for (auto it = message.find(bhttp::field::expect);
       it != message.end() && it->name() == bhttp::field::expect; ++it) {
    std::string_view value(it->value().data(), it->value().size());
    if (!EqualsIgnoreCase(TrimOws(value), "100-continue")) {
      return HttpError{417, "unsupported expectation"};
    }
  }
  return std::nullopt;
}

bool ExpectsContinue(const BeastRequestParser& parser) {
  return parser.get().version() == 11 && parser.get().count(bhttp::field::expect) > 0 &&
         !parser.is_done();
}

StatusOr<HttpRequest> ToHttpRequest(BeastRequest&& message, std::string remote_address) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.version = static_cast<int>(message.version());
  request.remote_address = std::move(remote_address);
  if (!IsPrintableAscii(request.target)) {
    return InvalidArgumentError("request target contains a non-printable or non-ASCII byte");
  }

  std::string path_and_query;
  if (!request.target.empty() && request.target.front() == '/') {
    path_and_query = request.target;
  } else if (StartsWithIgnoreCase(request.target, "http://") ||
             StartsWithIgnoreCase(request.target, "https://")) {
    // Absolute form (RFC 9112 §3.2.2): the server must accept it; the authority is ignored.
    StatusOr<Url> url = Url::Parse(request.target);
    if (!url.ok()) return url.status().WithContext("request target");
    path_and_query = url->target;
  } else if (request.target == "*" && request.method == "OPTIONS") {
    path_and_query = "*";
  } else {
    return InvalidArgumentError("request target must start with '/'");
  }
  if (path_and_query.find('#') != std::string::npos) {
    return InvalidArgumentError("request target contains a fragment");
  }

  size_t question = path_and_query.find('?');
  if (question == std::string::npos) {
    request.path = std::move(path_and_query);
  } else {
    request.path = path_and_query.substr(0, question);
    request.raw_query = path_and_query.substr(question + 1);
    StatusOr<QueryParams> query = ParseQuery(request.raw_query);
    if (!query.ok()) return query.status().WithContext("malformed query string");
    request.query = std::move(*query);
  }

  for (const auto& field : message) {
    request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

RawParseResult ParseRawRequest(ByteSpan data, const RequestLimits& limits, size_t max_piece) {
  RawParseResult result;
  if (max_piece == 0) max_piece = 1;
  BeastRequestParser parser;
  ApplyLimits(parser, limits);

  std::string buffer;  // bytes fed so far; [pos, end) not yet consumed by the parser
  size_t fed = 0;
  size_t pos = 0;
  bool header_checked = false;
  auto feed = [&]() -> bool {
    if (fed == data.size()) return false;
    // As the server's read buffer, which holds at most max_header_bytes unparsed bytes.
    const size_t room = limits.max_header_bytes - (buffer.size() - pos);
    size_t n = std::min({max_piece, data.size() - fed, room});
    buffer.append(reinterpret_cast<const char*>(data.data()) + fed, n);
    fed += n;
    return true;
  };

  while (!parser.is_done()) {
    if (pos == buffer.size() && !feed()) {
      result.consumed = pos;
      return result;  // incomplete
    }
    beast::error_code ec;
    size_t n = parser.put(net::buffer(buffer.data() + pos, buffer.size() - pos), ec);
    pos += n;
    if (ec && ec != bhttp::error::need_more) {
      result.error = ParseErrorToHttpError(ec);
      result.consumed = pos;
      return result;
    }
    // As the server: the header is checked before any of the body is read.
    if (parser.is_header_done() && !header_checked) {
      header_checked = true;
      if (std::optional<HttpError> error = CheckRequestHeader(parser)) {
        result.error = std::move(*error);
        result.consumed = pos;
        return result;
      }
      result.expects_continue = ExpectsContinue(parser);
    }
    if (ec == bhttp::error::need_more || (n == 0 && !parser.is_done())) {
      // As the server's read buffer: unparsed bytes (a header section, a chunk-size line with
      // its extensions, a trailer section) never exceed the header limit.
      if (buffer.size() - pos >= limits.max_header_bytes) {
        result.error = ParseErrorToHttpError(bhttp::error::buffer_overflow);
        result.consumed = pos;
        return result;
      }
      if (!feed()) {
        result.consumed = pos;
        return result;  // incomplete
      }
    }
  }
  result.consumed = pos;
  result.keep_alive = parser.keep_alive();
  StatusOr<HttpRequest> request = ToHttpRequest(parser.release(), "fuzz");
  if (!request.ok()) {
    result.error = HttpError{400, request.status().message()};
    return result;
  }
  result.request = std::move(*request);
  return result;
}

}  // namespace vouch::http::internal

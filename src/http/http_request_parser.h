// Request parsing shared by the server and the fuzz target (fuzz/http_request_fuzz.cc): the
// server's limits and validation applied to raw bytes, with no sockets involved.
//
// Thread-compatible (pure functions).
#ifndef VOUCH_HTTP_HTTP_REQUEST_PARSER_H_
#define VOUCH_HTTP_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <optional>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/http/http.h"

namespace vouch::http::internal {

struct RequestLimits {
  size_t max_body_bytes = size_t{1} << 20;
  size_t max_header_bytes = size_t{16} << 10;
};

// An HTTP status with which the server refuses a request, and why.
struct HttpError {
  int status = 400;
  std::string message;
};

struct RawParseResult {
  std::optional<HttpRequest> request;  // set when one whole, valid request was parsed
  std::optional<HttpError> error;      // set when the server would refuse the bytes
  bool expects_continue = false;       // "Expect: 100-continue" on a request with a body
  bool keep_alive = false;             // whether the connection may carry another request
  size_t consumed = 0;                 // bytes of `data` that belong to the request
  // Neither request nor error: the bytes end before the request does.
  bool incomplete() const { return !request && !error; }
};

// Parses the first request in `data` exactly as the server does (same parser, limits and
// checks), feeding it to the incremental parser in pieces of at most `max_piece` bytes (>= 1)
// to exercise the same code paths as bytes trickling in from a socket, and holding at most
// `limits.max_header_bytes` unparsed bytes at once, as the server's read buffer does (so a
// chunk-size line or a trailer section over that limit is 431).
RawParseResult ParseRawRequest(ByteSpan data, const RequestLimits& limits, size_t max_piece);

}  // namespace vouch::http::internal

#endif  // VOUCH_HTTP_HTTP_REQUEST_PARSER_H_

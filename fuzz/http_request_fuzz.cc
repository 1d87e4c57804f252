// Fuzzes the server's request parsing: raw bytes go through the same Beast parser, limits and
// checks as a socket's bytes (internal::ParseRawRequest), then through a Router and the
// byte-range answer (RangedBytes); the same bytes also go through the URL, query and range
// helpers.
//
// Input: byte 0 chooses how the rest trickles into the parser (1..64-byte pieces, or all at
// once); bytes 1.. are the request.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/http_request_parser.h"
#include "vouch/http/http.h"

namespace {

using vouch::http::HttpRequest;
using vouch::http::HttpResponse;

const vouch::http::Router& TestRouter() {
  static const vouch::http::Router* router = [] {
    auto* r = new vouch::http::Router();
    auto ok = [](const HttpRequest& request) {
      return HttpResponse::Text(200, request.path + "?" + request.raw_query);
    };
    r->Handle("GET", "/checkpoint", ok)
        .Handle("POST", "/add", ok)
        .Handle("POST", "/add-checkpoint", ok)
        .HandlePrefix("GET", "/tile/", ok)
        .HandlePrefix("GET", "/sgx/certification/v4/", ok);
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = (data[0] & 0x80) ? size : 1 + data[0] % 64;
  const vouch::ByteSpan input(data + 1, size - 1);
  vouch::http::internal::RequestLimits limits;
  limits.max_body_bytes = 4096;
  limits.max_header_bytes = 2048;

  vouch::http::internal::RawParseResult result =
      vouch::http::internal::ParseRawRequest(input, limits, piece);
  if (result.consumed > input.size()) __builtin_trap();
  if (result.request && result.error) __builtin_trap();
  if (result.error) {
    const int s = result.error->status;
    if (s != 400 && s != 413 && s != 417 && s != 431 && s != 501 && s != 505) __builtin_trap();
  }
  if (result.request) {
    const HttpRequest& request = *result.request;
    if (request.body.size() > limits.max_body_bytes) __builtin_trap();
    if (request.path.empty() || (request.path[0] != '/' && request.path != "*")) __builtin_trap();
    HttpResponse response = TestRouter().Dispatch(request);
    if (response.status != 200 && response.status != 404 && response.status != 405) {
      __builtin_trap();
    }
    // A parsed Range header, served over the body: 206 stays inside it, and the answer's
    // Content-Range reads back as the bytes sent.
    HttpResponse ranged = vouch::http::RangedBytes(request, request.BodyBytes());
    if (ranged.status == 206) {
      auto range = vouch::http::ParseContentRange(ranged.headers.GetOr("Content-Range", ""));
      if (!range || range->second >= request.body.size() ||
          ranged.body != request.body.substr(range->first, range->second - range->first + 1)) {
        __builtin_trap();
      }
    } else if (ranged.status != 200 && ranged.status != 416) {
      __builtin_trap();
    }
  }

  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  (void)vouch::http::Url::Parse(text);
  (void)vouch::http::ParseQuery(text);
  (void)vouch::http::ParseRangeHeader(text);
  (void)vouch::http::ParseContentRange(text);
  vouch::StatusOr<std::string> decoded = vouch::http::PercentDecode(text);
  if (decoded.ok()) {
    // Encoding then decoding is the identity.
    vouch::StatusOr<std::string> again =
        vouch::http::PercentDecode(vouch::http::PercentEncode(*decoded));
    if (!again.ok() || *again != *decoded) __builtin_trap();
  }
  return 0;
}

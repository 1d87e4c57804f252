// Beast-specific helpers shared by the server, the client and ParseRawRequest. Internal: only
// .cc files in src/http include this (Boost stays out of the public headers).
#ifndef VOUCH_HTTP_HTTP_BEAST_H_
#define VOUCH_HTTP_HTTP_BEAST_H_

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>

#include "http/http_request_parser.h"
#include "vouch/base/statusor.h"
#include "vouch/http/http.h"

namespace vouch::http::internal {

// The short names every Beast-using file in src/http writes Boost's namespaces with.
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastRequestParser = bhttp::request_parser<bhttp::string_body>;

// Configures `parser` with `limits`.
void ApplyLimits(BeastRequestParser& parser, const RequestLimits& limits);

// True for errors that mean the peer went away or time ran out (nothing to answer).
bool IsDisconnect(const beast::error_code& ec);

// The status with which the server answers a parse error `ec` (400, 413 or 431).
HttpError ParseErrorToHttpError(const beast::error_code& ec);

// Checks a request whose header section is complete: HTTP version (505), Host (400),
// Transfer-Encoding (400/501) and Expect (417). Returns the refusal, or nullopt when the
// request may proceed.
std::optional<HttpError> CheckRequestHeader(const BeastRequestParser& parser);

// True when the header asks for "100 Continue" before the body is sent.
bool ExpectsContinue(const BeastRequestParser& parser);

// Converts a complete request: splits the target into path and query and decodes the query.
// Fails with kInvalidArgument (the server answers 400) on a malformed target or query.
StatusOr<HttpRequest> ToHttpRequest(BeastRequest&& message, std::string remote_address);

}  // namespace vouch::http::internal

#endif  // VOUCH_HTTP_HTTP_BEAST_H_

// Tests of the message types, router, URL helpers and the server's request parsing (no
// sockets).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "http/http_request_parser.h"
#include "testing/status_matchers.h"
#include "vouch/http/http.h"

namespace vouch::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(PercentTest, DecodesEscapesOfEitherCase) {
  EXPECT_EQ(*PercentDecode("a%20b%2fc%2F"), "a b/c/");
  EXPECT_EQ(*PercentDecode("a+b"), "a+b");
  EXPECT_EQ(*FormDecode("a+b%2B"), "a b+");
  EXPECT_EQ(*PercentDecode(""), "");
  EXPECT_EQ(*PercentDecode("%00%ff"), std::string("\0\xff", 2));
}

TEST(PercentTest, RejectsBadEscapes) {
  EXPECT_THAT(PercentDecode("%"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PercentDecode("abc%2"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PercentDecode("%zz"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("offset 0")));
  EXPECT_THAT(PercentDecode("%2g"), StatusIs(StatusCode::kInvalidArgument));
}

// PCCS sends issuer chains as URL-encoded PEM in a response header.
TEST(PercentTest, DecodesPccsIssuerChainHeader) {
  const std::string pem =
      "-----BEGIN CERTIFICATE-----\nMIICizCCAjKgAwIBAgIUfjiC1ftVKUpASY5FhAPpFJG99FUwCgYI+/=\n"
      "-----END CERTIFICATE-----\n";
  const std::string encoded = PercentEncode(pem);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  EXPECT_THAT(encoded, HasSubstr("-----BEGIN%20CERTIFICATE-----%0AMIIC"));
  EXPECT_EQ(*PercentDecode(encoded), pem);
}

TEST(PercentTest, EncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d/e?"), "a%20b%26c%3Dd%2Fe%3F");
  EXPECT_EQ(PercentEncode(std::string("\0\xff", 2)), "%00%FF");
}

TEST(QueryTest, ParsesAndBuilds) {
  StatusOr<QueryParams> q = ParseQuery("a=1&b=two%20words&c&&d=x+y&a=2");
  ASSERT_THAT(q, IsOk());
  EXPECT_THAT(*q, ElementsAre(Pair("a", "1"), Pair("b", "two words"), Pair("c", ""),
                              Pair("d", "x y"), Pair("a", "2")));
  EXPECT_THAT(*ParseQuery(""), ::testing::IsEmpty());
  EXPECT_THAT(ParseQuery("a=%zz"), StatusIs(StatusCode::kInvalidArgument));

  QueryParams params = {{"fmspc", "00906ED50000"}, {"key", "a b&c"}, {"e", ""}};
  EXPECT_EQ(BuildQuery(params), "fmspc=00906ED50000&key=a%20b%26c&e=");
  EXPECT_EQ(*ParseQuery(BuildQuery(params)), params);
}

TEST(UrlTest, ParsesHttpAndHttps) {
  StatusOr<Url> u = Url::Parse("http://127.0.0.1:8080/tile/0/x001/234?a=b#frag");
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/tile/0/x001/234?a=b");
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:8080");
  EXPECT_EQ(u->ToString(), "http://127.0.0.1:8080/tile/0/x001/234?a=b");

  u = Url::Parse("HTTPS://api.trustedservices.intel.com/sgx/certification/v4/tcb?fmspc=1");
  ASSERT_THAT(u, IsOk());
  EXPECT_TRUE(u->is_https());
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->HostHeader(), "api.trustedservices.intel.com");
  EXPECT_EQ(u->target, "/sgx/certification/v4/tcb?fmspc=1");

  u = Url::Parse("http://[::1]:9000");
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->HostHeader(), "[::1]:9000");

  u = Url::Parse("http://example.com?x=1");
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(u->target, "/?x=1");
  EXPECT_EQ(u->port, 80);
}

TEST(UrlTest, RejectsMalformed) {
  for (const char* bad :
       {"", "example.com/x", "ftp://example.com/", "http://", "http:///x", "http://a b/",
        "http://h:0/", "http://h:65536/", "http://h:12a/", "http://user@h/", "http://[::1/",
        "http://[zz]/", "http://[::1]x/", "http://h/\r\nX: y", "http://h/\xc3\xa9",
        "http://h:123456/", "http://ex%41mple.com/"}) {
    EXPECT_THAT(Url::Parse(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(UrlTest, ServiceBaseUrlDropsTrailingSlashesAndRefusesAQuery) {
  EXPECT_THAT(ServiceBaseUrl("http://127.0.0.1:8080/ledger//", "log"),
              IsOkAndHolds("http://127.0.0.1:8080/ledger"));
  EXPECT_THAT(ServiceBaseUrl("https://broker.example", "broker"),
              IsOkAndHolds("https://broker.example"));
  EXPECT_THAT(
      ServiceBaseUrl("http://h/x?y=1", "root"),
      StatusIs(StatusCode::kInvalidArgument, "the root URL http://h/x?y=1 must not have a query"));
  // Url::Parse's own refusal passes through.
  EXPECT_EQ(ServiceBaseUrl("ftp://h/", "log").status(), Url::Parse("ftp://h").status());
}

TEST(HeadersTest, CaseInsensitiveLookupKeepsOrderAndRepeats) {
  Headers h;
  h.Add("Content-Type", "text/plain");
  h.Add("X-Multi", "1");
  h.Add("x-multi", "2");
  EXPECT_EQ(h.Get("content-type"), "text/plain");
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "text/plain");
  EXPECT_FALSE(h.Get("missing").has_value());
  EXPECT_EQ(h.GetOr("missing", "dflt"), "dflt");
  EXPECT_THAT(h.GetAll("X-MULTI"), ElementsAre("1", "2"));
  h.Set("X-Multi", "3");
  EXPECT_THAT(h.GetAll("x-multi"), ElementsAre("3"));
  h.Remove("CONTENT-type");
  EXPECT_FALSE(h.Has("Content-Type"));
  EXPECT_EQ(h.size(), 1u);
}

TEST(HeadersTest, ValidatesFields) {
  EXPECT_TRUE(IsValidHeaderField("TCB-Info-Issuer-Chain", "-----BEGIN%20CERT"));
  EXPECT_TRUE(IsValidHeaderField("X", "tab\tok"));
  EXPECT_FALSE(IsValidHeaderField("", "v"));
  EXPECT_FALSE(IsValidHeaderField("Bad Name", "v"));
  EXPECT_FALSE(IsValidHeaderField("X", "a\r\nInjected: 1"));
  EXPECT_FALSE(IsValidHeaderField("X", std::string("a\0b", 3)));
}

HttpRequest MakeRequest(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

Handler Reply(std::string text) {
  return [text](const HttpRequest&) { return HttpResponse::Text(200, text); };
}

TEST(RouterTest, ExactThenLongestPrefix) {
  Router router;
  router.Handle("GET", "/checkpoint", Reply("checkpoint"))
      .HandlePrefix("GET", "/tile/", Reply("tile"))
      .HandlePrefix("GET", "/tile/entries/", Reply("entries"))
      .HandlePrefix("GET", "/", Reply("root"))
      .Handle("POST", "/add", Reply("add"));
  EXPECT_EQ(router.Dispatch(MakeRequest("GET", "/checkpoint")).body, "checkpoint");
  EXPECT_EQ(router.Dispatch(MakeRequest("GET", "/tile/0/001")).body, "tile");
  EXPECT_EQ(router.Dispatch(MakeRequest("GET", "/tile/entries/001")).body, "entries");
  EXPECT_EQ(router.Dispatch(MakeRequest("GET", "/other")).body, "root");
  EXPECT_EQ(router.Dispatch(MakeRequest("POST", "/add")).body, "add");
  // HEAD falls back to GET.
  EXPECT_EQ(router.Dispatch(MakeRequest("HEAD", "/checkpoint")).body, "checkpoint");
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router router;
  router.Handle("POST", "/add-checkpoint", Reply("ok")).Handle("GET", "/x", Reply("x"));
  router.Handle("PUT", "/x", Reply("put"));
  HttpResponse r = router.Dispatch(MakeRequest("GET", "/nope"));
  EXPECT_EQ(r.status, 404);
  r = router.Dispatch(MakeRequest("GET", "/add-checkpoint"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.Get("Allow"), "POST");
  r = router.Dispatch(MakeRequest("DELETE", "/x"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.Get("Allow"), "GET, HEAD, PUT");
  // A later registration replaces an earlier one.
  router.Handle("GET", "/x", Reply("x2"));
  EXPECT_EQ(router.Dispatch(MakeRequest("GET", "/x")).body, "x2");
}

internal::RawParseResult Parse(std::string_view raw, size_t piece = 1 << 20,
                               internal::RequestLimits limits = {}) {
  return internal::ParseRawRequest(AsBytes(raw), limits, piece);
}

TEST(ParseRawRequestTest, ParsesRequestLineHeadersQueryAndBody) {
  for (size_t piece : {size_t{1}, size_t{3}, size_t{1000}}) {
    internal::RawParseResult r = Parse(
        "POST /add?x=1&y=a%20b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
        "X-Custom: v\r\n\r\nhello",
        piece);
    ASSERT_TRUE(r.request.has_value()) << piece;
    EXPECT_EQ(r.request->method, "POST");
    EXPECT_EQ(r.request->path, "/add");
    EXPECT_EQ(r.request->raw_query, "x=1&y=a%20b");
    EXPECT_EQ(r.request->QueryParam("y"), "a b");
    EXPECT_EQ(r.request->headers.Get("x-custom"), "v");
    EXPECT_EQ(r.request->body, "hello");
    EXPECT_TRUE(r.keep_alive);
  }
}

TEST(ParseRawRequestTest, ChunkedBody) {
  internal::RawParseResult r = Parse(
      "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n",
      7);
  ASSERT_TRUE(r.request.has_value()) << (r.error ? r.error->message : "incomplete");
  EXPECT_EQ(r.request->body, "hello world");
}

// Regression (found by fuzz/http_request_fuzz.cc): Beast 1.74 asserted on a chunked body whose
// first chunk is the last one when it arrives a byte at a time (boostorg/beast#2861).
TEST(ParseRawRequestTest, FinalChunkTrickledByteByByte) {
  const std::string raw =
      "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\nX-Trailer: 1\r\n\r\n";
  for (size_t piece : {size_t{1}, size_t{2}, size_t{1000}}) {
    internal::RawParseResult r = Parse(raw, piece);
    ASSERT_TRUE(r.request.has_value()) << piece;
    EXPECT_EQ(r.request->body, "");
  }
  internal::RawParseResult r = Parse(
      "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nhello\r\n\r\n", 1);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->status, 400);
}

TEST(ParseRawRequestTest, RejectsHostileInput) {
  struct Case {
    std::string raw;
    int status;
  };
  const std::string big_header =
      "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(20000, 'a') + "\r\n\r\n";
  const Case cases[] = {
      {"\x16\x03\x01\x02\x00garbage\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},                        // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},  // two Hosts
      {"GET / HTTP/1.2\r\nHost: h\r\n\r\n", 400},             // Beast knows only 1.0 and 1.1
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 400},             // Beast rejects other major versions
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
      {"GET relative HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET /?a=%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n", 417},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n", 413},
      {big_header, 431},
      {"GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    for (size_t piece : {size_t{1}, size_t{1} << 20}) {
      internal::RawParseResult r = Parse(c.raw, piece);
      ASSERT_TRUE(r.error.has_value()) << c.raw.substr(0, 80) << " piece=" << piece;
      EXPECT_EQ(r.error->status, c.status) << c.raw.substr(0, 80) << ": " << r.error->message;
    }
  }
}

// Chunk extensions and trailers held the whole connection's memory hostage (issue 12: a 1 GB
// extension grew the server by 1 GB): a chunk-size line or a trailer section over the header
// limit is 431; ones within it are accepted.
TEST(ParseRawRequestTest, ChunkExtensionsAndTrailersAreBoundedByTheHeaderLimit) {
  internal::RequestLimits limits;
  limits.max_header_bytes = 1024;
  const std::string head = "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string long_ext = "5;e=" + std::string(2000, 'a') + "\r\nhello\r\n0\r\n\r\n";
  const std::string long_last_ext = "5\r\nhello\r\n0;e=" + std::string(2000, 'a') + "\r\n\r\n";
  const std::string long_trailer = "5\r\nhello\r\n0\r\nX-T: " + std::string(2000, 'a') + "\r\n\r\n";
  for (const std::string& body : {long_ext, long_last_ext, long_trailer}) {
    for (size_t piece : {size_t{1}, size_t{100}, size_t{1} << 20}) {
      internal::RawParseResult r = Parse(head + body, piece, limits);
      ASSERT_TRUE(r.error.has_value()) << body.substr(0, 40) << " piece=" << piece;
      EXPECT_EQ(r.error->status, 431) << r.error->message;
    }
  }
  const std::string fine = "5;e=" + std::string(500, 'a') +
                           "\r\nhello\r\n0\r\nX-T: " + std::string(500, 'b') + "\r\n\r\n";
  for (size_t piece : {size_t{1}, size_t{1} << 20}) {
    internal::RawParseResult r = Parse(head + fine, piece, limits);
    ASSERT_TRUE(r.request.has_value()) << (r.error ? r.error->message : "incomplete");
    EXPECT_EQ(r.request->body, "hello");
  }
}

TEST(ParseRawRequestTest, IncompleteAndConnectionHeaders) {
  EXPECT_TRUE(Parse("GET / HTTP/1.1\r\nHost: h\r\n").incomplete());
  EXPECT_TRUE(Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc").incomplete());
  EXPECT_FALSE(Parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keep_alive);
  EXPECT_FALSE(Parse("GET / HTTP/1.0\r\n\r\n").keep_alive);
  internal::RawParseResult r = Parse("GET http://example.com/a?b=c HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(r.request.has_value());
  EXPECT_EQ(r.request->path, "/a");
  EXPECT_EQ(r.request->QueryParam("b"), "c");
  r = Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_TRUE(r.expects_continue);
}

TEST(ByteRangeTest, ParsesOneRangeAndIgnoresTheRest) {
  auto r = ParseRangeHeader("bytes=10-");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first, 10u);
  EXPECT_FALSE(r->last.has_value());
  r = ParseRangeHeader("Bytes=0-0");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first, 0u);
  EXPECT_EQ(r->last, 0u);
  for (const char* ignored :
       {"", "bytes=", "bytes=-5", "bytes=5", "bytes=5-4", "bytes=1-2,4-5", "bytes= 1-", "bytes=+1-",
        "bytes=1-+2", "items=1-", "bytes=0x1-", "bytes=18446744073709551616-", "bytes=1--"}) {
    EXPECT_FALSE(ParseRangeHeader(ignored).has_value()) << ignored;
  }
}

TEST(ByteRangeTest, RangedBytesAnswers206Or416Or200) {
  const std::string body = "0123456789";
  HttpRequest request;
  auto answer = [&](const char* range) {
    request.headers.Set("Range", range);
    return RangedBytes(request, AsBytes(body));
  };
  HttpResponse r = answer("bytes=3-");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "3456789");
  EXPECT_EQ(r.headers.GetOr("Content-Range", ""), "bytes 3-9/10");
  r = answer("bytes=3-4");
  EXPECT_EQ(r.body, "34");
  EXPECT_EQ(r.headers.GetOr("Content-Range", ""), "bytes 3-4/10");
  r = answer("bytes=8-100");  // capped at the end
  EXPECT_EQ(r.body, "89");
  EXPECT_EQ(r.headers.GetOr("Content-Range", ""), "bytes 8-9/10");
  r = answer("bytes=10-");
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.headers.GetOr("Content-Range", ""), "bytes */10");
  r = answer("bytes=-3");  // suffix ranges are not served: the whole body
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, body);
  request.headers.Remove("Range");
  r = RangedBytes(request, AsBytes(body));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.headers.Has("Content-Range"));
}

TEST(ByteRangeTest, ParsesContentRange) {
  EXPECT_EQ(ParseContentRange("bytes 3-9/10"), std::make_pair(uint64_t{3}, uint64_t{9}));
  EXPECT_EQ(ParseContentRange("bytes 3-9/*"), std::make_pair(uint64_t{3}, uint64_t{9}));
  for (const char* bad : {"", "bytes */10", "bytes 3-9", "bytes 9-3/10", "bytes 3-10/10",
                          "bytes 3-9/x", "items 3-9/10", "bytes3-9/10", "bytes -9/10"}) {
    EXPECT_FALSE(ParseContentRange(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace vouch::http

// A client of a root's HTTP API (`vouch serve root`, docs/root.md), and the countersigning
// collection of `vouch govern submit`: a proposal goes to every root at once, and each root
// re-checks it itself before it signs (spec/governance.md §5.1; DESIGN.md §3).
//
//   POST /sign      body: the proposed statement (the DSSE payload: in-toto Statement JSON,
//                   canonical, ≤ 65,535 bytes), Content-Type application/vnd.in-toto+json.
//                   200 {"keyid":"<64 hex>","sig":"<base64>"}: the root's DSSE signature over
//                   PAE(application/vnd.in-toto+json, body). 4xx/503
//                   {"error":"<code>","message":"<text>"}: the rule that failed (422), a bad
//                   request (400, 413, 415), rate limited (429), or the root's own self-check
//                   failing (503, code self_check_failed).
//   GET /identity   the root's key, its key-binding quote and its admission (docs/root.md).
//
// Errors of Sign: the root's refusal as kPermissionDenied with the root's code as reason (4xx);
// kUnavailable with reason "self_check_failed" for that 503 and kUnavailable / kDeadlineExceeded
// when the root cannot be reached or answers otherwise; kInvalidArgument, reason
// "sign_response_malformed", when a 200 is not a signature object.
//
// Thread-safety: RootClient is thread-safe if the http::Client is (HttpClient is).
#ifndef VOUCH_SERVER_ROOT_CLIENT_H_
#define VOUCH_SERVER_ROOT_CLIENT_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/dsse/envelope.h"
#include "vouch/http/http_client.h"

namespace vouch::server {

inline constexpr char kSignResponseMalformed[] = "sign_response_malformed";

// {"keyid":"<hex>","sig":"<base64>"} + "\n", and its strict reader (exactly those two string
// members; keyid 64 lower-case hex; sig non-empty standard base64).
std::string FormatSignResponse(const dsse::Signature& signature);
StatusOr<dsse::Signature> ParseSignResponse(std::string_view body);

class RootClient {
 public:
  // `base_url`: http(s)://host[:port][/prefix]. `client` is borrowed and must outlive this
  // object; `timeout` bounds each call.
  static StatusOr<RootClient> Create(std::string_view base_url, http::Client& client,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // POST /sign.
  StatusOr<dsse::Signature> Sign(ByteSpan statement) const;
  // GET /identity (the JSON text, unverified).
  StatusOr<std::string> Identity() const;

  const std::string& base_url() const { return base_; }

 private:
  RootClient(std::string base, http::Client& client, std::chrono::milliseconds timeout)
      : base_(std::move(base)), client_(&client), timeout_(timeout) {}
  std::string base_;
  http::Client* client_;
  std::chrono::milliseconds timeout_;
};

struct RootAnswer {
  std::string url;
  StatusOr<dsse::Signature> signature;
};

// Sends `statement` to every root concurrently (one thread each) and returns every answer in
// the order of `roots`, once all have answered or failed. A root that is down fails at once
// (connection refused), so it delays nothing; a root that hangs delays the result by at most
// its client's timeout. REQUIRES: the roots outlive the call.
std::vector<RootAnswer> CollectSignatures(const std::vector<const RootClient*>& roots,
                                          ByteSpan statement);

}  // namespace vouch::server

#endif  // VOUCH_SERVER_ROOT_CLIENT_H_

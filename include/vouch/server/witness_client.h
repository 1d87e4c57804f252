// The checkpoint publisher's witness calls over HTTP (spec/transparency-log.md §7; C2SP
// tlog-witness): ledger::WitnessTransport as `POST <witness URL>/add-checkpoint` through an
// http::Client (the real HttpClient in `vouch serve log`, an in-process one in tests).
//
// Thread-safety: thread-safe if the http::Client is (HttpClient is).
#ifndef VOUCH_SERVER_WITNESS_CLIENT_H_
#define VOUCH_SERVER_WITNESS_CLIENT_H_

#include <chrono>
#include <string_view>

#include "vouch/base/statusor.h"
#include "vouch/http/http_client.h"
#include "vouch/ledger/checkpoint_publisher.h"

namespace vouch::server {

class HttpWitnessTransport final : public ledger::WitnessTransport {
 public:
  // `client` is borrowed and must outlive the transport.
  explicit HttpWitnessTransport(http::Client& client) : client_(client) {}

  // POSTs `request` (text/plain) to the witness's URL (trailing slashes dropped) +
  // "/add-checkpoint". The client's errors (kUnavailable, kDeadlineExceeded, ...) as they are.
  StatusOr<ledger::WitnessAnswer> AddCheckpoint(const ledger::WitnessEndpoint& witness,
                                                std::string_view request,
                                                std::chrono::milliseconds timeout) override;

 private:
  http::Client& client_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_WITNESS_CLIENT_H_

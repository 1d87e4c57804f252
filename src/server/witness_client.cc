// The publisher's witness calls over HTTP (witness_client.h).
#include "vouch/server/witness_client.h"

#include <string>
#include <utility>

namespace vouch::server {

StatusOr<ledger::WitnessAnswer> HttpWitnessTransport::AddCheckpoint(
    const ledger::WitnessEndpoint& witness, std::string_view request,
    std::chrono::milliseconds timeout) {
  const std::string url = http::WithoutTrailingSlashes(witness.url) + "/add-checkpoint";
  VOUCH_ASSIGN_OR_RETURN(http::HttpResponse response,
                         client_.Post(url, request, "text/plain", {}, timeout));
  return ledger::WitnessAnswer{response.status, response.headers.GetOr("Content-Type", ""),
                               std::move(response.body)};
}

}  // namespace vouch::server

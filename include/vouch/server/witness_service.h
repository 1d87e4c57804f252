// The tlog-witness HTTP service (spec/transparency-log.md §7, C2SP tlog-witness pinned at
// 5ba5ee8): `POST /add-checkpoint` cosigns a checkpoint that consistently extends the last one
// this witness cosigned for its log, and `GET /<hex SHA-256 of origin>/checkpoint` serves that
// latest cosigned checkpoint to monitors. Decisions are tlog::Witness's; state is a
// WitnessStore's, updated atomically before the response is sent.
//
// Thread-safe.
#ifndef VOUCH_SERVER_WITNESS_SERVICE_H_
#define VOUCH_SERVER_WITNESS_SERVICE_H_

#include <memory>
#include <string>
#include <string_view>

#include "vouch/base/clock.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/http/http.h"
#include "vouch/store/witness_store.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/witness.h"

namespace vouch::server {

// Largest add-checkpoint body accepted: 63 proof lines and a note with a few dozen signatures.
inline constexpr size_t kMaxAddCheckpointBody = 64 * 1024;

class WitnessService {
 public:
  // `clock` gives the cosignature timestamps (its Now() must be positive); it is borrowed and
  // must outlive the service.
  WitnessService(tlog::Witness witness, std::unique_ptr<store::WitnessStore> store,
                 const Clock& clock)
      : witness_(std::move(witness)), store_(std::move(store)), clock_(clock) {}

  http::HttpResponse AddCheckpoint(const http::HttpRequest& request) const;
  http::HttpResponse GetCheckpoint(const http::HttpRequest& request) const;
  // Both endpoints, for HttpServer::Start. The service must outlive the router.
  http::Router Routes() const;

 private:
  tlog::Witness witness_;
  std::unique_ptr<store::WitnessStore> store_;
  const Clock& clock_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_WITNESS_SERVICE_H_

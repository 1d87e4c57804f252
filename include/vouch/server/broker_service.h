// The secret broker's HTTP service (spec/provisioning.md §3.1, §3.3–3.5; docs/broker.md "HTTP
// API"): it owns a Broker (broker.h), re-runs its self-check every `recheck_interval` on a thread
// of its own, and serves
//
//   GET /identity    200 {"format":"vouch-broker-identity/v1","mode":"broker",
//                    "max_releases":null,"expires":null,
//                    "hpke":{"kem_id":32,"kdf_id":1,"aead_id":2,"key":{"keyid","spki"}},
//                    "signing":{"key":{"keyid","spki"}},
//                    "evidence":{"type":"sgx-dcap-quote","quote","collateral":{file:b64,…}},
//                    "ledger","receipt","status":{"check","message","checked_size","checked_at",
//                    "admitted_by":{"index","sha256"}|null}}
//                    The quote is BrokerStatus::quote (report_data BrokerKeyReportData of the
//                    last passing check); the collateral the files (sgx::CollateralFiles) of what
//                    the broker's own source gives now, absent if it gives none.
//   POST /challenge  {"envelope_id":"<32 hex>"} → 200 {"nonce":b64,"expires":Timestamp}
//   POST /release    {"envelope":string,"nonce":b64,"enclave_key":b64,
//                     "evidence":{"type":"sgx-dcap-quote","quote":b64,"collateral"?:{…}}}
//                    → 200 {"release_id":"<32 hex>","enc":b64,"ct":b64,
//                           "record":{"entry":b64,"index":N,"leaf_hash":b64}}
//                    The request's collateral is accepted and ignored: the broker verifies with
//                    its own source only (§3.3: a client could pick older, still-valid TCB info).
//
// Requests: Content-Type application/json (else 415), bodies of at most 1 KiB (/challenge) and
// 512 KiB (/release) (else 413), objects with exactly the members above (else 400
// request_malformed; an evidence.type other than sgx-dcap-quote is 400 evidence_unsupported).
// Every answer carries Cache-Control: no-store; an error is {"error":{"code","message"}} with the
// HTTP status of BrokerHttpStatus(code). Limits (§3.5): a token bucket per remote address (the
// host of HttpRequest::remote_address, port dropped) for each of /challenge and /release (429
// rate_limited, Retry-After), and at most `max_concurrent_releases` releases in flight (503 busy,
// Retry-After: 1).
//
// Thread-safe.
#ifndef VOUCH_SERVER_BROKER_SERVICE_H_
#define VOUCH_SERVER_BROKER_SERVICE_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vouch/base/statusor.h"
#include "vouch/http/http.h"
#include "vouch/ledger/reasons.h"
#include "vouch/server/broker.h"
#include "vouch/store/broker_store.h"

namespace vouch::server {

// Codes of the service itself (the broker's are in broker.h and the modules it names; a body
// that is not what the endpoint takes is ledger::reasons::kRequestMalformed, "request_malformed").
inline constexpr char kEvidenceUnsupported[] = "evidence_unsupported";
inline constexpr char kBrokerInternal[] = "internal";

// The one evidence type a broker accepts (mock/EII evidence never is).
inline constexpr char kSgxDcapQuoteEvidence[] = "sgx-dcap-quote";
inline constexpr char kBrokerIdentityFormat[] = "vouch-broker-identity/v1";

// The files of `vouch serve broker` in its data directory: the sealed HPKE and signing keys
// (BrokerKeys::LoadOrCreate) and the sealed high-water mark (BrokerOptions::high_water_mark_path).
inline constexpr char kBrokerKeysFileName[] = "broker-keys.sealed";
inline constexpr char kBrokerHighWaterMarkFileName[] = "high-water-mark.sealed";
// The operator's records (store/broker_store.h: releases, refusals, quotes), not sealed.
inline constexpr char kBrokerStoreFileName[] = "broker.db";

// Body limits (spec/provisioning.md §3.3).
inline constexpr size_t kMaxChallengeBody = 1024;
inline constexpr size_t kMaxReleaseBody = 512 * 1024;

// The HTTP status of an error code (spec/provisioning.md §3.4): 400 request_malformed,
// envelope_malformed, envelope_unsupported, evidence_unsupported, enclave_key_invalid; 403
// envelope_signature_invalid, owner_not_allowed, evidence_rejected, report_data_mismatch,
// constraint_failed, identity_revoked, identity_not_admitted, unadmitted_refused,
// processing_record_missing; 409 nonce_unknown, nonce_envelope_mismatch, nonce_used; 410
// envelope_expired, nonce_expired; 422 envelope_wrong_broker, envelope_decrypt_failed; 429
// rate_limited; 503 busy, collateral_missing, self_check_failed and the ledger view's codes
// (log_unreachable, policy_quorum_not_met, checkpoint_stale, checkpoint_from_future,
// checkpoint_rollback); 500 anything else ("internal").
int BrokerHttpStatus(std::string_view code);

// The error answer for a refusal: {"error":{"code","message"}} with BrokerHttpStatus(code), where
// code is the Status's reason; a reason the table does not know is answered 503 with its code
// when the Status is kUnavailable or kDeadlineExceeded (another reason of the ledger view), else
// 500 "internal". Cache-Control: no-store.
http::HttpResponse BrokerErrorResponse(const Status& error);

struct BrokerServiceOptions {
  // Where the broker reads the ledger. REQUIRES: non-null; borrowed, must outlive the service.
  ledger::ReceiptFetcher* log = nullptr;
  // The broker's (broker.h); its self_check.ledger.clock is the service's clock too.
  BrokerOptions broker;
  std::chrono::milliseconds recheck_interval{60'000};
  // Token buckets per remote address (Create refuses a rate <= 0 or a burst < 1 with
  // KeyedRateLimiter's kInvalidArgument "rate_limiter_options").
  double challenge_rate = 20;
  double challenge_burst = 40;
  double release_rate = 10;
  double release_burst = 20;
  // Addresses tracked at once by each limiter (KeyedRateLimiter::max_keys).
  size_t max_rate_keys = 65'536;
  // Releases in flight at once (>= 1).
  size_t max_concurrent_releases = 64;
  // Told every self-check outcome that differs from the previous one (for the service's log).
  std::function<void(const Status&)> on_check;
  // The broker's bookkeeping (store/broker_store.h), or null for none. Borrowed. With it, every
  // release is stored (with its quote) before its 200 — a failure to store is the answer, 503
  // or 500 with the store's code, although the record is already in the log — and every refusal
  // but rate_limited and busy is stored best effort (time, code, envelope id when known, the
  // remote address's host). Quotes older than `evidence_retention` seconds are dropped at every
  // recheck (recheck_interval).
  store::BrokerStore* journal = nullptr;
  int64_t evidence_retention = 30 * 86'400;
};

namespace internal {
struct BrokerServiceState;
struct BrokerAnswer;
}  // namespace internal

class BrokerService {
 public:
  // Creates the Broker (its self-check failure is returned: fail closed), the limiters, and
  // starts the rechecks.
  static StatusOr<std::unique_ptr<BrokerService>> Create(BrokerServiceOptions options);
  ~BrokerService();
  BrokerService(const BrokerService&) = delete;
  BrokerService& operator=(const BrokerService&) = delete;

  const Broker& broker() const { return *broker_; }

  // GET /identity.
  http::HttpResponse GetIdentity(const http::HttpRequest& request) const;
  // POST /challenge.
  http::HttpResponse PostChallenge(const http::HttpRequest& request);
  // POST /release.
  http::HttpResponse PostRelease(const http::HttpRequest& request);
  // Every endpoint, for HttpServer::Start. The service must outlive the router.
  http::Router Routes();

 private:
  explicit BrokerService(BrokerServiceOptions options);
  // The endpoints' work; `envelope_id` is set once the request names one.
  internal::BrokerAnswer Challenge(const http::HttpRequest& request,
                                   std::optional<provision::EnvelopeId>* envelope_id);
  internal::BrokerAnswer Release(const http::HttpRequest& request,
                                 std::optional<provision::EnvelopeId>* envelope_id);
  // Stores a refusal with error code `code` in the journal (best effort), unless `code` is empty
  // (a 200), rate_limited or busy.
  void NoteRefusal(const http::HttpRequest& request, std::string_view code,
                   const std::optional<provision::EnvelopeId>& envelope_id);

  const BrokerServiceOptions options_;
  std::unique_ptr<Broker> broker_;
  // Destroyed first: the recheck thread stops before the broker goes.
  std::unique_ptr<internal::BrokerServiceState> state_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_BROKER_SERVICE_H_

#include "vouch/server/broker_service.h"

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "server/rechecker.h"
#include "server/self_check_json.h"
#include "vouch/base/encoding.h"
#include "vouch/base/mutex.h"
#include "vouch/base/rate_limiter.h"
#include "vouch/base/time.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/ledger/reasons.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/sgx/collateral.h"
#include "vouch/tlog/reasons.h"

namespace vouch::server {
namespace internal {

// The limiters, the releases in flight and the recheck thread.
struct BrokerServiceState {
  // Set by Create before the service is shared; thread-safe themselves.
  std::unique_ptr<KeyedRateLimiter> challenge_limiter;
  std::unique_ptr<KeyedRateLimiter> release_limiter;
  std::atomic<size_t> releases_in_flight{0};
  // Last: stopped first.
  std::unique_ptr<Rechecker> rechecks;
};

// An endpoint's answer and, for a refusal, its error code (what the journal keeps).
struct BrokerAnswer {
  http::HttpResponse response;
  std::string code;  // empty for a 200
};

}  // namespace internal

namespace {

using internal::BrokerAnswer;
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr char kJsonType[] = "application/json";

http::HttpResponse NoStore(http::HttpResponse r) {
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

BrokerAnswer Error(int status, std::string_view code, std::string_view message) {
  OrderedJson j;
  j["error"] = {{"code", std::string(code)}, {"message", std::string(message)}};
  return {NoStore(http::HttpResponse::Json(
              status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n")),
          std::string(code)};
}

BrokerAnswer Malformed(std::string_view message) {
  return Error(400, ledger::reasons::kRequestMalformed, message);
}

http::HttpResponse Ok(const OrderedJson& j) {
  return NoStore(http::HttpResponse::Json(
      200, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"));
}

BrokerAnswer TooMany(std::string_view code, std::string_view message,
                     std::chrono::seconds retry_after) {
  BrokerAnswer r = Error(BrokerHttpStatus(code), code, message);
  r.response.headers.Set("Retry-After", std::to_string(retry_after.count()));
  return r;
}

// 415 or 413 for a body the endpoint does not take, else nullopt.
std::optional<BrokerAnswer> CheckBody(const http::HttpRequest& request, size_t limit) {
  const std::string type(request.headers.Get("Content-Type").value_or(""));
  std::string media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (!http::EqualsIgnoreCase(media, kJsonType)) {
    return Error(415, ledger::reasons::kRequestMalformed,
                 std::string("the broker takes bodies of type ") + kJsonType);
  }
  if (request.body.size() > limit) {
    return Error(413, ledger::reasons::kRequestMalformed,
                 "the body is over this endpoint's limit of " + std::to_string(limit) + " bytes");
  }
  return std::nullopt;
}

// The host part of "host:port" or "[v6]:port": the key of the per-address limits.
std::string AddressKey(std::string_view remote) {
  if (!remote.empty() && remote.front() == '[') {
    const size_t close = remote.find(']');
    return std::string(
        remote.substr(0, close == std::string_view::npos ? remote.size() : close + 1));
  }
  return std::string(remote.substr(0, remote.rfind(':')));
}

bool IsLowerHex(std::string_view s, size_t size) {
  if (s.size() != size) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// True when `j` is an object whose members are all in `allowed` and include all of `required`.
bool HasMembers(const Json& j, const std::set<std::string>& allowed,
                const std::set<std::string>& required) {
  if (!j.is_object()) return false;
  for (const auto& [key, value] : j.items()) {
    if (allowed.count(key) == 0) return false;
  }
  for (const std::string& key : required) {
    if (!j.contains(key)) return false;
  }
  return true;
}

// The base64 string member `name` of `j`, decoded to exactly N bytes.
template <size_t N>
std::optional<std::array<uint8_t, N>> FixedBase64(const Json& j, const char* name) {
  if (!j[name].is_string()) return std::nullopt;
  auto bytes = Base64Decode(j[name].get<std::string>());
  if (!bytes.ok() || bytes->size() != N) return std::nullopt;
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

OrderedJson StatusJson(const BrokerStatus& st) {
  OrderedJson j;
  internal::AddSelfCheckJson(j, st.check, st.checked_size, st.checked_at, st.admitted_by);
  return j;
}

}  // namespace

int BrokerHttpStatus(std::string_view code) {
  static const auto* const kStatus = new std::map<std::string, int, std::less<>>{
      {ledger::reasons::kRequestMalformed, 400},
      {provision::kReasonEnvelopeMalformed, 400},
      {provision::kReasonEnvelopeUnsupported, 400},
      {kEvidenceUnsupported, 400},
      {provision::kReasonEnclaveKeyInvalid, 400},
      {provision::kReasonEnvelopeSignatureInvalid, 403},
      {kOwnerNotAllowed, 403},
      {kEvidenceRejected, 403},
      {kReportDataMismatch, 403},
      {kConstraintFailed, 403},
      {kIdentityRevoked, 403},
      {kIdentityNotAdmitted, 403},
      {kUnadmittedRefused, 403},
      {kProcessingRecordMissing, 403},
      {provision::kReasonNonceUnknown, 409},
      {provision::kReasonNonceEnvelopeMismatch, 409},
      {provision::kReasonNonceUsed, 409},
      {kEnvelopeExpired, 410},
      {kReleaseLimitReached, 410},
      {kHandoffExpired, 410},
      {provision::kReasonNonceExpired, 410},
      {provision::kReasonEnvelopeWrongBroker, 422},
      {provision::kReasonEnvelopeDecryptFailed, 422},
      {provision::kReasonRateLimited, 429},
      {provision::kReasonBusy, 503},
      {kCollateralMissing, 503},
      {kSelfCheckFailed, 503},
      {kLogUnreachable, 503},
      {tlog::reasons::kPolicyQuorumNotMet, 503},
      {kCheckpointStale, 503},
      {kCheckpointFromFuture, 503},
      {ledger::reasons::kCheckpointRollback, 503},
  };
  auto it = kStatus->find(code);
  return it == kStatus->end() ? 500 : it->second;
}

namespace {

BrokerAnswer Refusal(const Status& error) {
  const std::string& code = error.reason();
  const int status = BrokerHttpStatus(code);
  if (status != 500) return Error(status, code, error.message());
  if (!code.empty() &&
      (error.code() == StatusCode::kUnavailable || error.code() == StatusCode::kDeadlineExceeded)) {
    return Error(503, code, error.message());
  }
  return Error(500, kBrokerInternal, error.message());
}

}  // namespace

http::HttpResponse BrokerErrorResponse(const Status& error) { return Refusal(error).response; }

BrokerService::BrokerService(BrokerServiceOptions options)
    : options_(std::move(options)), state_(std::make_unique<internal::BrokerServiceState>()) {}

BrokerService::~BrokerService() {
  // The recheck thread uses broker_: stop it first.
  state_->rechecks.reset();
}

StatusOr<std::unique_ptr<BrokerService>> BrokerService::Create(BrokerServiceOptions options) {
  if (options.log == nullptr || options.broker.self_check.ledger.clock == nullptr ||
      options.max_concurrent_releases < 1) {
    return InvalidArgumentError(
        "a broker service needs a log, a clock and max_concurrent_releases >= 1");
  }
  auto service = std::unique_ptr<BrokerService>(new BrokerService(std::move(options)));
  const BrokerServiceOptions& o = service->options_;
  const Clock& clock = *o.broker.self_check.ledger.clock;
  internal::BrokerServiceState& st = *service->state_;
  VOUCH_ASSIGN_OR_RETURN(
      st.challenge_limiter,
      KeyedRateLimiter::Create(
          {.rate = o.challenge_rate, .burst = o.challenge_burst, .max_keys = o.max_rate_keys},
          clock));
  VOUCH_ASSIGN_OR_RETURN(
      st.release_limiter,
      KeyedRateLimiter::Create(
          {.rate = o.release_rate, .burst = o.release_burst, .max_keys = o.max_rate_keys}, clock));
  VOUCH_ASSIGN_OR_RETURN(service->broker_, Broker::Create(*o.log, o.broker));
  if (o.on_check) o.on_check(service->broker_->status().check);

  Broker* broker = service->broker_.get();
  store::BrokerStore* journal = o.journal;
  const int64_t retention = o.evidence_retention;
  st.rechecks = std::make_unique<internal::Rechecker>(
      clock, o.recheck_interval, broker->status().check,
      [broker, journal, retention, &clock] {
        // Old quotes are dropped here, off the releases' path (best effort: the next recheck
        // tries again).
        if (journal != nullptr) (void)journal->DropEvidenceBefore(clock.Now() - retention);
        return broker->Recheck();
      },
      o.on_check);
  return service;
}

http::HttpResponse BrokerService::GetIdentity(const http::HttpRequest& /*request*/) const {
  const BrokerStatus st = broker_->status();
  const X25519PublicKey& hpke = broker_->hpke_public_key();
  const PublicKeyVerify& signing = broker_->signing_key().verifier();
  OrderedJson j;
  j["format"] = kBrokerIdentityFormat;
  j["mode"] = govern::BrokerModeName(broker_->mode());
  j["max_releases"] = broker_->max_releases() ? OrderedJson(*broker_->max_releases()) : nullptr;
  j["expires"] =
      broker_->expires() ? OrderedJson(FormatRfc3339(*broker_->expires())) : OrderedJson(nullptr);
  j["hpke"] = {{"kem_id", 32},
               {"kdf_id", 1},
               {"aead_id", 2},
               {"key", {{"keyid", X25519KeyId(hpke)}, {"spki", Base64Encode(X25519SpkiOf(hpke))}}}};
  j["signing"] = {
      {"key", {{"keyid", signing.KeyId()}, {"spki", Base64Encode(signing.spki_der())}}}};
  OrderedJson evidence;
  evidence["type"] = kSgxDcapQuoteEvidence;
  evidence["quote"] = Base64Encode(st.quote);
  // The files of a collateral directory (docs/collateral.md) from the broker's own source, so
  // that an owner can check the quote with them; the trust root is never the broker's to give.
  const BrokerOptions& bo = options_.broker;
  if (bo.self_check.collateral) {
    auto collateral = bo.self_check.collateral(st.quote, bo.self_check.ledger.clock->Now());
    if (collateral.ok()) {
      OrderedJson files = OrderedJson::object();
      for (const auto& [name, data] : sgx::CollateralFiles(*collateral)) {
        files[name] = Base64Encode(data);
      }
      evidence["collateral"] = std::move(files);
    }
  }
  j["evidence"] = std::move(evidence);
  j["ledger"] = st.ledger;
  j["receipt"] = st.receipt;
  j["status"] = StatusJson(st);
  return Ok(j);
}

http::HttpResponse BrokerService::PostChallenge(const http::HttpRequest& request) {
  std::optional<provision::EnvelopeId> envelope_id;
  BrokerAnswer answer = Challenge(request, &envelope_id);
  NoteRefusal(request, answer.code, envelope_id);
  return std::move(answer.response);
}

http::HttpResponse BrokerService::PostRelease(const http::HttpRequest& request) {
  std::optional<provision::EnvelopeId> envelope_id;
  BrokerAnswer answer = Release(request, &envelope_id);
  NoteRefusal(request, answer.code, envelope_id);
  return std::move(answer.response);
}

void BrokerService::NoteRefusal(const http::HttpRequest& request, std::string_view code,
                                const std::optional<provision::EnvelopeId>& envelope_id) {
  if (options_.journal == nullptr || code.empty() || code == provision::kReasonRateLimited ||
      code == provision::kReasonBusy) {
    return;
  }
  store::BrokerRefusal refusal;
  refusal.time = options_.broker.self_check.ledger.clock->Now();
  refusal.code = std::string(code.substr(0, store::kMaxRefusalCode));
  refusal.envelope_id = envelope_id;
  refusal.remote_address = AddressKey(request.remote_address).substr(0, store::kMaxRemoteAddress);
  (void)options_.journal->AddRefusal(refusal);  // best effort (spec §3.7)
}

BrokerAnswer BrokerService::Challenge(const http::HttpRequest& request,
                                      std::optional<provision::EnvelopeId>* envelope_id) {
  const Admission admitted = state_->challenge_limiter->Admit(AddressKey(request.remote_address));
  if (!admitted.admitted) {
    return TooMany(provision::kReasonRateLimited, "too many challenges; retry later",
                   admitted.retry_after);
  }
  if (auto refused = CheckBody(request, kMaxChallengeBody)) return *std::move(refused);
  const Json j = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!HasMembers(j, {"envelope_id"}, {"envelope_id"}) || !j["envelope_id"].is_string() ||
      !IsLowerHex(j["envelope_id"].get<std::string>(), 2 * provision::EnvelopeId{}.size())) {
    return Malformed(R"(POST /challenge takes {"envelope_id":"<32 lower-case hex>"})");
  }
  auto id = HexDecodeArray<provision::EnvelopeId{}.size()>(j["envelope_id"].get<std::string>());
  if (!id.ok()) return Malformed("envelope_id is not hex");
  *envelope_id = *id;
  auto nonce = broker_->Challenge(*id);
  if (!nonce.ok()) {
    if (nonce.status().reason() == provision::kReasonRateLimited) {
      return TooMany(provision::kReasonRateLimited, nonce.status().message(),
                     std::chrono::seconds(1));
    }
    if (nonce.status().reason() == provision::kReasonBusy) {
      return TooMany(provision::kReasonBusy, nonce.status().message(), std::chrono::seconds(1));
    }
    return Refusal(nonce.status());
  }
  OrderedJson out;
  out["nonce"] = Base64Encode(nonce->nonce);
  out["expires"] = FormatRfc3339(nonce->expires);
  return {Ok(out), {}};
}

BrokerAnswer BrokerService::Release(const http::HttpRequest& request,
                                    std::optional<provision::EnvelopeId>* envelope_id) {
  const Admission admitted = state_->release_limiter->Admit(AddressKey(request.remote_address));
  if (!admitted.admitted) {
    return TooMany(provision::kReasonRateLimited, "too many releases; retry later",
                   admitted.retry_after);
  }
  if (auto refused = CheckBody(request, kMaxReleaseBody)) return *std::move(refused);
  const Json j = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  const std::set<std::string> members = {"envelope", "nonce", "enclave_key", "evidence"};
  if (!HasMembers(j, members, members) || !j["envelope"].is_string()) {
    return Malformed(
        R"(POST /release takes {"envelope":STRING,"nonce":B64,"enclave_key":B64,"evidence":{…}})");
  }
  ReleaseRequest r;
  const std::string& envelope = j["envelope"].get_ref<const std::string&>();
  r.envelope.assign(envelope.begin(), envelope.end());
  auto nonce = FixedBase64<provision::Nonce{}.size()>(j, "nonce");
  if (!nonce) return Malformed("nonce is not base64 of 32 bytes");
  r.nonce = *nonce;
  auto key = FixedBase64<X25519PublicKey{}.size()>(j, "enclave_key");
  if (!key) return Malformed("enclave_key is not base64 of 32 bytes");
  r.enclave_key = *key;
  const Json& evidence = j["evidence"];
  if (!HasMembers(evidence, {"type", "quote", "collateral"}, {"type", "quote"}) ||
      !evidence["type"].is_string() || !evidence["quote"].is_string() ||
      (evidence.contains("collateral") && !evidence["collateral"].is_object())) {
    return Malformed(
        R"(evidence is {"type":"sgx-dcap-quote","quote":B64,"collateral"?:{FILE:B64,…}})");
  }
  if (evidence["type"] != kSgxDcapQuoteEvidence) {
    return Error(400, kEvidenceUnsupported,
                 "evidence of type " + evidence["type"].get<std::string>() +
                     " is not accepted; the broker takes sgx-dcap-quote only");
  }
  auto quote = Base64Decode(evidence["quote"].get<std::string>());
  if (!quote.ok() || quote->empty()) return Malformed("evidence.quote is not non-empty base64");
  r.quote = *std::move(quote);
  // evidence.collateral is ignored: the broker verifies with its own source only.

  // At most max_concurrent_releases in the broker at once.
  if (state_->releases_in_flight.fetch_add(1) >= options_.max_concurrent_releases) {
    state_->releases_in_flight.fetch_sub(1);
    return TooMany(provision::kReasonBusy, "too many releases in progress; retry later",
                   std::chrono::seconds(1));
  }
  auto released = broker_->Release(r, envelope_id);
  state_->releases_in_flight.fetch_sub(1);
  if (!released.ok()) return Refusal(released.status());
  if (options_.journal != nullptr) {
    store::BrokerRelease row{.release_id = released->release_id,
                             .envelope_id = released->envelope_id,
                             .time = released->time,
                             .log_index = released->record_index,
                             .leaf_hash = released->record_leaf_hash,
                             .mrenclave = released->mrenclave,
                             .quote = r.quote.size() <= store::kMaxStoredQuote ? r.quote : Bytes()};
    if (Status stored = options_.journal->AddRelease(row); !stored.ok()) {
      return Refusal(stored);
    }
  }
  OrderedJson out;
  out["release_id"] = HexEncode(released->release_id);
  out["enc"] = Base64Encode(released->sealed.enc);
  out["ct"] = Base64Encode(released->sealed.ct);
  out["record"] = {{"entry", Base64Encode(released->record_entry)},
                   {"index", released->record_index},
                   {"leaf_hash", Base64Encode(released->record_leaf_hash)}};
  return {Ok(out), {}};
}

http::Router BrokerService::Routes() {
  http::Router router;
  router.Handle("GET", "/identity", [this](const http::HttpRequest& r) { return GetIdentity(r); });
  router.Handle("POST", "/challenge",
                [this](const http::HttpRequest& r) { return PostChallenge(r); });
  router.Handle("POST", "/release", [this](const http::HttpRequest& r) { return PostRelease(r); });
  return router;
}

}  // namespace vouch::server

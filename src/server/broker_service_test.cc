// The broker's HTTP service and its client over the in-process HTTP client, on the governed
// ledger fixture (ledger_fixture.h): the identity document and its binding quote, a challenge
// and release round trip that opens the secret, each HTTP status class of spec/provisioning.md
// §3.3–3.5 (415, 413, 400, 409, 403, 503, 429, busy), and the client's reading of them.
#include "vouch/server/broker_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/in_process_client.h"
#include "server/broker_fixture.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/govern/codes.h"
#include "vouch/ledger/reasons.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/server/broker_client.h"
#include "vouch/store/sqlite_broker_store.h"
#include "vouch/tlog/reasons.h"

namespace vouch::server {
namespace {

using Json = nlohmann::json;
using ledger_testing::kDay;
using ledger_testing::Measurement;

constexpr const char* kServiceSecret = ledger_testing::kBrokerTestSecret;
constexpr char kUrl[] = "http://broker.test";

class BrokerServiceTest : public ledger_testing::BrokerLedgerTest {
 protected:
  void SetUp() override {
    BrokerLedgerTest::SetUp();
    Govern();
  }

  BrokerServiceOptions ServiceOptions() {
    BrokerServiceOptions o;
    o.log = ledger_.get();
    o.broker = BrokerOpts();
    o.recheck_interval = std::chrono::hours(1);
    return o;
  }

  std::unique_ptr<BrokerService> Start(BrokerServiceOptions o) {
    auto service = BrokerService::Create(std::move(o));
    EXPECT_THAT(service, IsOk());
    if (!service.ok()) return nullptr;
    client_.Route(kUrl, (*service)->Routes());
    return std::move(service).value();
  }
  std::unique_ptr<BrokerService> Start() { return Start(ServiceOptions()); }

  http::HttpResponse Call(BrokerService& service, const std::string& path, const std::string& body,
                          const std::string& type = "application/json",
                          const std::string& remote = "192.0.2.1:4000") {
    http::HttpRequest request;
    request.method = "POST";
    request.target = request.path = path;
    request.body = body;
    request.remote_address = remote;
    if (!type.empty()) request.headers.Set("Content-Type", type);
    return service.Routes()(request);
  }

  static std::string Code(const http::HttpResponse& r) {
    const Json j = Json::parse(r.body, nullptr, false);
    return j.is_object() && j["error"].is_object() ? j["error"].value("code", "") : "";
  }

  // A challenge through `client` for the envelope, then the enclave's key and quote.
  Attempt Prepare(const BrokerClient& client, const Bytes& envelope, platform::Platform& platform) {
    auto nonce = client.Challenge(IdOf(envelope));
    EXPECT_THAT(nonce, IsOk());
    return MakeAttempt(envelope, nonce.ok() ? nonce->nonce : provision::Nonce{}, platform);
  }

  // The JSON body of POST /release for `a`.
  static Json ReleaseBody(const Attempt& a) {
    Json j;
    j["envelope"] = std::string(AsStringView(a.request.envelope));
    j["nonce"] = Base64Encode(a.request.nonce);
    j["enclave_key"] = Base64Encode(a.request.enclave_key);
    j["evidence"] = {{"type", "sgx-dcap-quote"}, {"quote", Base64Encode(a.request.quote)}};
    return j;
  }

  BrokerClient Client() { return *BrokerClient::Create(kUrl, client_); }

  http::InProcessClient client_;
};

TEST(BrokerHttpStatusTest, EveryCodeHasItsStatus) {
  const std::vector<std::pair<std::string, int>> table = {
      {"request_malformed", 400},
      {"envelope_malformed", 400},
      {"envelope_unsupported", 400},
      {"evidence_unsupported", 400},
      {"enclave_key_invalid", 400},
      {"envelope_signature_invalid", 403},
      {"owner_not_allowed", 403},
      {"evidence_rejected", 403},
      {"report_data_mismatch", 403},
      {"constraint_failed", 403},
      {"identity_revoked", 403},
      {"identity_not_admitted", 403},
      {"unadmitted_refused", 403},
      {"processing_record_missing", 403},
      {"nonce_unknown", 409},
      {"nonce_envelope_mismatch", 409},
      {"nonce_used", 409},
      {"envelope_expired", 410},
      {"nonce_expired", 410},
      {"envelope_wrong_broker", 422},
      {"envelope_decrypt_failed", 422},
      {"rate_limited", 429},
      {"busy", 503},
      {"collateral_missing", 503},
      {"self_check_failed", 503},
      {"log_unreachable", 503},
      {"policy_quorum_not_met", 503},
      {"checkpoint_stale", 503},
      {"checkpoint_from_future", 503},
      {"checkpoint_rollback", 503},
      {"internal", 500},
      {"", 500},
      {"no_such_code", 500},
  };
  for (const auto& [code, status] : table) EXPECT_EQ(BrokerHttpStatus(code), status) << code;
  // The code constants the broker returns are the table's.
  EXPECT_EQ(BrokerHttpStatus(provision::kReasonNonceUsed), 409);
  EXPECT_EQ(BrokerHttpStatus(kConstraintFailed), 403);
  EXPECT_EQ(BrokerHttpStatus(ledger::reasons::kCheckpointRollback), 503);
  EXPECT_EQ(BrokerHttpStatus(tlog::reasons::kPolicyQuorumNotMet), 503);
  // Another reason of the ledger view is a 503 with its code; anything else is internal.
  http::HttpResponse r =
      BrokerErrorResponse(Status(StatusCode::kUnavailable, "forked", "checkpoint_fork"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "checkpoint_fork");
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  r = BrokerErrorResponse(Status(StatusCode::kInternal, "disk on fire", "io_error"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "internal");
  r = BrokerErrorResponse(RejectedError(kConstraintFailed, "MRENCLAVE differs"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Json::parse(r.body)["error"]["message"], "MRENCLAVE differs");
}

TEST_F(BrokerServiceTest, IdentityStatesTheKeysTheirBindingAndTheLedger) {
  auto service = Start();
  ASSERT_NE(service, nullptr);
  http::HttpRequest get;
  get.method = "GET";
  get.target = get.path = "/identity";
  http::HttpResponse r = service->Routes()(get);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["format"], "vouch-broker-identity/v1");
  EXPECT_EQ(j["mode"], "broker");
  EXPECT_TRUE(j["max_releases"].is_null());
  EXPECT_TRUE(j["expires"].is_null());
  EXPECT_EQ(j["hpke"]["kem_id"], 32);
  EXPECT_EQ(j["hpke"]["kdf_id"], 1);
  EXPECT_EQ(j["hpke"]["aead_id"], 2);
  EXPECT_EQ(j["hpke"]["key"]["keyid"], X25519KeyId(hpke_key_->public_key()));
  EXPECT_EQ(*Base64Decode(j["hpke"]["key"]["spki"].get<std::string>()),
            ToBytes(X25519SpkiOf(hpke_key_->public_key())));
  EXPECT_EQ(j["signing"]["key"]["keyid"], signing_key_->verifier().KeyId());
  EXPECT_EQ(*Base64Decode(j["signing"]["key"]["spki"].get<std::string>()),
            ToBytes(signing_key_->verifier().spki_der()));
  EXPECT_EQ(j["ledger"], ledger_testing::kTestOrigin);
  EXPECT_NE(j["receipt"].get<std::string>().find("c2sp.org/tlog-proof@v1"), std::string::npos);
  EXPECT_EQ(j["status"]["check"], "ok");
  EXPECT_TRUE(j["status"]["admitted_by"].is_object());
  EXPECT_EQ(j["evidence"]["type"], "sgx-dcap-quote");
  ASSERT_TRUE(j["evidence"]["collateral"].is_object());
  EXPECT_FALSE(j["evidence"]["collateral"].empty());

  // The quote verifies and binds both keys: report_data = BrokerKeyReportData.
  auto quote = Base64Decode(j["evidence"]["quote"].get<std::string>());
  ASSERT_THAT(quote, IsOk());
  auto collateral = sim_->CollateralAt(clock_->Now());
  ASSERT_THAT(collateral, IsOk());
  auto verified = verifier_->Verify(*quote, *collateral, {clock_->Now(), false});
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->enclave.report_data,
            *provision::BrokerKeyReportData(hpke_key_->public_key(),
                                            signing_key_->verifier().spki_der()));
  EXPECT_EQ(verified->enclave.mr_enclave, broker_m_);

  // The client reads the same document.
  auto identity = Client().Identity();
  ASSERT_THAT(identity, IsOk());
  EXPECT_EQ(identity->hpke_key, hpke_key_->public_key());
  EXPECT_EQ(identity->signing_keyid, signing_key_->verifier().KeyId());
  EXPECT_EQ(identity->quote, *quote);
  EXPECT_EQ(identity->ledger, ledger_testing::kTestOrigin);
  EXPECT_EQ(identity->check, "ok");
  EXPECT_EQ(identity->collateral.size(), j["evidence"]["collateral"].size());
}

// The owner's check (spec §3.1 (b)–(e)): an admitted broker whose quote binds its keys passes,
// with the collateral it serves or the owner's; each broken step is broker_untrusted.
TEST_F(BrokerServiceTest, TheOwnersCheckTrustsOnlyAnAdmittedBrokerBoundToItsKeys) {
  auto service = Start();
  ASSERT_NE(service, nullptr);
  auto identity = Client().Identity();
  ASSERT_THAT(identity, IsOk());
  auto view = SyncLedgerView(*ledger_, Options().ledger, nullptr);
  ASSERT_THAT(view, IsOk());
  BrokerCheckOptions o;
  o.verifier = verifier_.get();
  o.now = clock_->Now();
  auto trusted = CheckBrokerIdentity(*identity, *view, o);
  ASSERT_THAT(trusted, IsOk());
  EXPECT_EQ(trusted->enclave.code_hash, broker_m_);
  EXPECT_FALSE(trusted->owner_collateral);
  o.collateral = *sim_->CollateralAt(o.now);
  o.hpke_keyid_pin = identity->hpke_keyid;
  trusted = CheckBrokerIdentity(*identity, *view, o);
  ASSERT_THAT(trusted, IsOk());
  EXPECT_TRUE(trusted->owner_collateral);

  auto refused = [&](const BrokerIdentity& id, const BrokerCheckOptions& opts,
                     const std::string& why) {
    auto r = CheckBrokerIdentity(id, *view, opts);
    EXPECT_THAT(r, StatusIs(StatusCode::kPermissionDenied, ::testing::HasSubstr(why)));
    EXPECT_THAT(r, ReasonIs(kBrokerUntrusted));
  };
  // (b) a quote that does not verify; no collateral at all.
  BrokerIdentity bad = *identity;
  bad.quote[bad.quote.size() / 2] ^= 1;
  refused(bad, o, "does not verify");
  BrokerIdentity bare = *identity;
  bare.collateral.clear();
  BrokerCheckOptions no_collateral = o;
  no_collateral.collateral.reset();
  refused(bare, no_collateral, "no collateral");
  // (c) a host that substitutes its own HPKE key keeps the broker's quote: not bound.
  BrokerIdentity swapped = *identity;
  swapped.hpke_key = X25519PrivateKey::Generate()->public_key();
  swapped.hpke_keyid = X25519KeyId(swapped.hpke_key);
  BrokerCheckOptions unpinned = o;
  unpinned.hpke_keyid_pin.reset();
  refused(swapped, unpinned, "report_data");
  // (d) another ledger; an admission no longer in force (its validity ended).
  BrokerIdentity elsewhere = *identity;
  elsewhere.ledger = "other.example/log";
  refused(elsewhere, o, "other.example/log");
  BrokerCheckOptions later = o;
  later.now = o.now + 60 * kDay;
  later.collateral = *sim_->CollateralAt(later.now);
  refused(*identity, later, "no admission for role broker");
  // (e) another pin.
  BrokerCheckOptions pinned = o;
  pinned.hpke_keyid_pin = std::string(64, 'a');
  refused(*identity, pinned, "not the pinned");
}

TEST_F(BrokerServiceTest, ChallengeAndReleaseOpenTheSecret) {
  auto service = Start();
  ASSERT_NE(service, nullptr);
  BrokerClient client = Client();
  Bytes envelope = Envelope();
  Attempt a = Prepare(client, envelope, *app_platform_);
  auto result = client.Release(a.request);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(Open(a, *result), kServiceSecret);
  EXPECT_EQ(hb_->entries().back(), result->record_entry);
  EXPECT_EQ(result->record_index, hb_->entries().size() - 1);

  // The same over the wire with a request's own collateral: accepted and ignored.
  Attempt b = Prepare(client, envelope, *app_platform_);
  Json body = ReleaseBody(b);
  body["evidence"]["collateral"] = {{"tcb_info.json", Base64Encode(AsBytes("stale"))}};
  http::HttpResponse r = Call(*service, "/release", body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  const Json j = Json::parse(r.body);
  EXPECT_EQ(j["release_id"].get<std::string>().size(), 32u);
  EXPECT_EQ(j["record"]["index"], hb_->entries().size() - 1);

  // Replayed: the nonce is used (409), through the client as its reason.
  auto replay = client.Release(b.request);
  EXPECT_THAT(replay, ReasonIs(provision::kReasonNonceUsed));
  EXPECT_EQ(replay.status().code(), StatusCode::kPermissionDenied);
  r = Call(*service, "/release", body.dump());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), provision::kReasonNonceUsed);
}

TEST_F(BrokerServiceTest, RequestsItDoesNotTake) {
  auto service = Start();
  ASSERT_NE(service, nullptr);
  const std::string id(32, 'a');
  const std::string challenge = R"({"envelope_id":")" + id + R"("})";
  EXPECT_EQ(Call(*service, "/challenge", challenge).status, 200);
  EXPECT_EQ(Call(*service, "/challenge", challenge, "application/json; charset=utf-8").status, 200);
  // 415: not JSON.
  http::HttpResponse r = Call(*service, "/challenge", challenge, "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  EXPECT_EQ(Call(*service, "/release", "{}", "").status, 415);
  // 413: over the limits.
  EXPECT_EQ(Call(*service, "/challenge", std::string(1025, ' ')).status, 413);
  EXPECT_EQ(Call(*service, "/release", std::string(512 * 1024 + 1, ' ')).status, 413);
  // 400: malformed bodies.
  for (const std::string& bad :
       {std::string("{"), std::string("[]"), std::string(R"({"envelope_id":"ab"})"),
        std::string(R"({"envelope_id":")" + std::string(32, 'A') + R"("})"),
        std::string(R"({"envelope_id":")" + id + R"(","extra":1})"),
        std::string(R"({"envelope_id":7})")}) {
    r = Call(*service, "/challenge", bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(Code(r), "request_malformed") << bad;
  }
  BrokerClient client = Client();
  Attempt a = Prepare(client, Envelope(), *app_platform_);
  const Json good = ReleaseBody(a);
  auto refused = [&](const std::function<void(Json&)>& change) {
    Json j = good;
    change(j);
    return Call(*service, "/release", j.dump());
  };
  for (const auto& change : std::vector<std::function<void(Json&)>>{
           [](Json& j) { j["unknown"] = 1; },
           [](Json& j) { j.erase("nonce"); },
           [](Json& j) { j["nonce"] = Base64Encode(Bytes(31, 1)); },
           [](Json& j) { j["nonce"] = "%%%"; },
           [](Json& j) { j["enclave_key"] = Base64Encode(Bytes(33, 1)); },
           [](Json& j) { j["envelope"] = 5; },
           [](Json& j) { j["evidence"]["extra"] = true; },
           [](Json& j) { j["evidence"]["quote"] = ""; },
           [](Json& j) { j["evidence"]["collateral"] = "x"; },
           [](Json& j) { j["evidence"].erase("type"); },
       }) {
    r = refused(change);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(Code(r), "request_malformed") << r.body;
  }
  r = refused([](Json& j) { j["evidence"]["type"] = "mock-eii"; });
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), kEvidenceUnsupported);
  // None of these burnt the nonce: the request as made is released.
  r = Call(*service, "/release", good.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  // Routes and methods.
  http::HttpRequest get;
  get.method = "GET";
  get.target = get.path = "/release";
  EXPECT_EQ(service->Routes()(get).status, 405);
}

TEST_F(BrokerServiceTest, RefusalsCarryTheirStatus) {
  auto service = Start();
  ASSERT_NE(service, nullptr);
  BrokerClient client = Client();
  // 403: the evidence is another enclave's.
  auto other = PlatformFor(Measurement("other enclave"));
  Attempt a = Prepare(client, Envelope(), *other);
  http::HttpResponse r = Call(*service, "/release", ReleaseBody(a).dump());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), kConstraintFailed);
  // 409: an unknown nonce.
  Attempt b = Prepare(client, Envelope(), *app_platform_);
  b.request.nonce[0] ^= 1;
  r = Call(*service, "/release", ReleaseBody(b).dump());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Code(r), provision::kReasonNonceUnknown);
  // 422: an envelope for another broker.
  X25519PrivateKey foreign = *X25519PrivateKey::Generate();
  std::swap(*hpke_key_, foreign);
  Bytes other_broker = Envelope();
  std::swap(*hpke_key_, foreign);
  Attempt c = Prepare(client, other_broker, *app_platform_);
  r = Call(*service, "/release", ReleaseBody(c).dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Code(r), provision::kReasonEnvelopeWrongBroker);
  // 503: the log does not acknowledge the record; nothing is released.
  log_accepts_ = false;
  Attempt d = Prepare(client, Envelope(), *app_platform_);
  r = Call(*service, "/release", ReleaseBody(d).dump());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Code(r), kLogUnreachable);
  log_accepts_ = true;
  // 503: the ledger cannot be read.
  Attempt e = Prepare(client, Envelope(), *app_platform_);
  ledger_->reachable = false;
  auto unreachable = client.Release(e.request);
  EXPECT_THAT(unreachable, ReasonIs(kLogUnreachable));
  EXPECT_EQ(unreachable.status().code(), StatusCode::kUnavailable);
}

// Spec §3.7: the operator's records. A release is stored with its quote before its 200; a
// refusal with its code, the envelope when the request named one, and the address's host.
TEST_F(BrokerServiceTest, TheJournalKeepsReleasesAndRefusals) {
  auto journal = store::OpenSqliteBrokerStore(vouch::testing::MakeTempDir("journal") + "/b.db");
  ASSERT_THAT(journal, IsOk());
  BrokerServiceOptions o = ServiceOptions();
  o.journal = journal->get();
  auto service = Start(std::move(o));
  ASSERT_NE(service, nullptr);
  BrokerClient client = Client();
  Bytes envelope = Envelope();
  Attempt a = Prepare(client, envelope, *app_platform_);
  http::HttpResponse r = Call(*service, "/release", ReleaseBody(a).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const Json j = Json::parse(r.body);
  auto releases = (*journal)->Releases(10);
  ASSERT_THAT(releases, IsOk());
  ASSERT_EQ(releases->size(), 1u);
  const store::BrokerRelease& row = (*releases)[0];
  EXPECT_EQ(HexEncode(row.release_id), j["release_id"]);
  EXPECT_EQ(row.envelope_id, IdOf(envelope));
  EXPECT_EQ(row.log_index, j["record"]["index"]);
  EXPECT_EQ(Base64Encode(row.leaf_hash), j["record"]["leaf_hash"]);
  EXPECT_EQ(row.mrenclave, app_m_);
  EXPECT_EQ(row.quote, a.request.quote);
  EXPECT_TRUE((*journal)->Refusals(10)->empty());

  // Replayed from another address: refused, and recorded as such.
  r = Call(*service, "/release", ReleaseBody(a).dump(), "application/json", "198.51.100.7:5555");
  EXPECT_EQ(r.status, 409);
  r = Call(*service, "/release", "{}");
  EXPECT_EQ(r.status, 400);
  auto refusals = (*journal)->Refusals(10);
  ASSERT_THAT(refusals, IsOk());
  ASSERT_EQ(refusals->size(), 2u);
  EXPECT_EQ((*refusals)[1].code, provision::kReasonNonceUsed);
  EXPECT_EQ((*refusals)[1].envelope_id, IdOf(envelope));
  EXPECT_EQ((*refusals)[1].remote_address, "198.51.100.7");
  EXPECT_EQ((*refusals)[0].code, "request_malformed");
  EXPECT_EQ((*refusals)[0].envelope_id, std::nullopt);
  EXPECT_EQ((*journal)->Releases(10)->size(), 1u);
}

// Quotes older than evidence_retention go at the next recheck; the release rows stay.
TEST_F(BrokerServiceTest, OldQuotesAreDroppedAtTheRechecks) {
  auto journal = store::OpenSqliteBrokerStore(vouch::testing::MakeTempDir("retention") + "/b.db");
  ASSERT_THAT(journal, IsOk());
  BrokerServiceOptions o = ServiceOptions();
  o.journal = journal->get();
  o.evidence_retention = kDay;
  auto service = Start(std::move(o));
  ASSERT_NE(service, nullptr);
  BrokerClient client = Client();
  Bytes envelope = Envelope();
  Attempt a = Prepare(client, envelope, *app_platform_);
  ASSERT_THAT(client.Release(a.request), IsOk());
  auto quote_kept = [&] {
    auto releases = (*journal)->Releases(10);
    EXPECT_THAT(releases, IsOk());
    EXPECT_EQ(releases.ok() ? releases->size() : 0, 1u);
    return releases.ok() && !releases->empty() && !(*releases)[0].quote.empty();
  };
  EXPECT_TRUE(quote_kept());
  // A recheck within the retention keeps it.
  clock_->Advance(std::chrono::hours(2));
  for (int i = 0; i < 20; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(quote_kept());
  // Past it, the next recheck drops it (the thread runs on its own; bounded wait).
  clock_->Advance(std::chrono::hours(23));
  bool kept = true;
  for (int i = 0; i < 1000 && (kept = quote_kept()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(kept) << "the quote outlived evidence_retention";
}

TEST_F(BrokerServiceTest, RateLimitedPerAddress) {
  BrokerServiceOptions o = ServiceOptions();
  o.challenge_rate = 1;
  o.challenge_burst = 2;
  o.release_rate = 1;
  o.release_burst = 1;
  auto service = Start(std::move(o));
  ASSERT_NE(service, nullptr);
  const std::string challenge = R"({"envelope_id":")" + std::string(32, 'b') + R"("})";
  EXPECT_EQ(Call(*service, "/challenge", challenge).status, 200);
  EXPECT_EQ(Call(*service, "/challenge", challenge, "application/json", "192.0.2.1:4001").status,
            200);
  // The third from the same host (another port) is refused, before its body is read.
  http::HttpResponse r = Call(*service, "/challenge", "{", "text/plain", "192.0.2.1:4002");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Code(r), "rate_limited");
  EXPECT_EQ(r.headers.Get("Retry-After").value_or(""), "1");
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  // Another address has its own bucket; /release its own limiter.
  EXPECT_EQ(Call(*service, "/challenge", challenge, "application/json", "[2001:db8::1]:5").status,
            200);
  EXPECT_EQ(Call(*service, "/release", "{}").status, 400);
  EXPECT_EQ(Call(*service, "/release", "{}").status, 429);
  // A second later a token is back.
  clock_->Advance(std::chrono::seconds(1));
  EXPECT_EQ(Call(*service, "/challenge", challenge).status, 200);
  EXPECT_EQ(Call(*service, "/challenge", challenge).status, 429);
  // The client reports 429 as unavailable, with the code.
  BrokerClient client = Client();
  EXPECT_THAT(client.Challenge(provision::EnvelopeId{}), IsOk());
  EXPECT_THAT(client.Challenge(provision::EnvelopeId{}), IsOk());
  auto limited = client.Challenge(provision::EnvelopeId{});
  EXPECT_THAT(limited, ReasonIs("rate_limited"));
  EXPECT_EQ(limited.status().code(), StatusCode::kUnavailable);
}

TEST_F(BrokerServiceTest, BusyBeyondTheReleasesInFlight) {
  BrokerServiceOptions o = ServiceOptions();
  o.max_concurrent_releases = 1;
  auto service = Start(std::move(o));
  ASSERT_NE(service, nullptr);
  BrokerClient client = Client();
  // Warm up: the broker-key announcement goes through the log first.
  Bytes envelope = Envelope();
  Attempt warm = Prepare(client, envelope, *app_platform_);
  ASSERT_THAT(client.Release(warm.request), IsOk());

  std::promise<void> open;
  gate_ = open.get_future().share();
  in_append_ = false;
  Attempt a = Prepare(client, envelope, *app_platform_);
  Attempt b = Prepare(client, envelope, *app_platform_);
  StatusOr<ReleaseResult> first = UnavailableError("not run");
  std::thread t([&] { first = client.Release(a.request); });
  while (!in_append_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  http::HttpResponse r = Call(*service, "/release", ReleaseBody(b).dump());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Code(r), "busy");
  EXPECT_EQ(r.headers.Get("Retry-After").value_or(""), "1");
  open.set_value();
  t.join();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(Open(a, *first), kServiceSecret);
  // b's nonce was not consumed: it is released now.
  r = Call(*service, "/release", ReleaseBody(b).dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(BrokerServiceTest, FailsClosed) {
  BrokerServiceOptions o = ServiceOptions();
  ledger_->reachable = false;
  EXPECT_THAT(BrokerService::Create(std::move(o)), ReasonIs(kLogUnreachable));
  o = ServiceOptions();
  o.max_concurrent_releases = 0;
  EXPECT_EQ(BrokerService::Create(std::move(o)).status().code(), StatusCode::kInvalidArgument);
}

TEST(BrokerClientTest, ParsesStrictlyAndKeepsTheCodes) {
  http::InProcessClient client;
  auto json = [](int status, std::string body) {
    http::HttpResponse r = http::HttpResponse::Json(status, std::move(body));
    return r;
  };
  client.Route("http://a.test", [&](const http::HttpRequest&) {
    return json(200, R"({"nonce":"AAAA","expires":"2026-01-01T00:00:00Z"})");
  });
  client.Route("http://b.test", [&](const http::HttpRequest&) {
    return json(410, R"({"error":{"code":"envelope_expired","message":"expired"}})");
  });
  client.Route("http://c.test", [&](const http::HttpRequest&) {
    return json(200, R"({"format":"vouch-broker-identity/v1","mode":"root"})");
  });
  auto a = BrokerClient::Create("http://a.test", client);
  ASSERT_THAT(a, IsOk());
  EXPECT_THAT(a->Challenge({}), ReasonIs(kBrokerResponseMalformed));
  auto b = BrokerClient::Create("http://b.test/", client);
  auto expired = b->Challenge({});
  EXPECT_THAT(expired, ReasonIs("envelope_expired"));
  EXPECT_EQ(expired.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(expired.status().message(), HasSubstr("expired"));
  EXPECT_THAT(BrokerClient::Create("http://c.test", client)->Identity(),
              ReasonIs(kBrokerResponseMalformed));
  EXPECT_EQ(BrokerClient::Create("http://down.test", client)->Identity().status().code(),
            StatusCode::kUnavailable);
  EXPECT_FALSE(BrokerClient::Create("http://a.test/?q=1", client).ok());
}

}  // namespace
}  // namespace vouch::server

// A client of a secret broker's HTTP API (`vouch serve broker`, broker_service.h, docs/broker.md
// "HTTP API"; spec/provisioning.md §3.1, §3.3): its identity document, a challenge for an
// envelope, a release.
//
// Nothing the broker answers is trusted here: the answers are parsed strictly and handed back.
// The caller verifies the identity (the owner's check of §3.1: the quote at its own time with
// its own trust roots and collateral, report_data = BrokerKeyReportData of the two keys, the
// broker's admission, a pinned HPKE keyid) before it uses the HPKE key, and the enclave checks a
// release (record, binding, opening; §3.6 E5–E6) before it uses the secret. The only checks made
// here are of self-consistency: a keyid is the SHA-256 of its SPKI, a record's leaf_hash is the
// leaf hash of its entry.
//
// Errors: the broker's refusal carries its code as the Status's reason: kPermissionDenied for a
// 4xx other than 429 (e.g. "nonce_used", "constraint_failed"), kUnavailable for 429 and 5xx
// (e.g. "rate_limited", "busy", "log_unreachable"; the reason is empty when the body is not an
// error object) and when the broker cannot be reached; kInvalidArgument, reason
// "broker_response_malformed", when a 200 is not what the endpoint answers.
//
// Thread-safety: BrokerClient is thread-safe if the http::Client is (HttpClient is).
#ifndef VOUCH_SERVER_BROKER_CLIENT_H_
#define VOUCH_SERVER_BROKER_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/x25519.h"
#include "vouch/http/http_client.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/nonce_book.h"
#include "vouch/server/broker.h"
#include "vouch/server/fetch_secret.h"
#include "vouch/server/self_check.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/verifier.h"

namespace vouch::server {

inline constexpr char kBrokerResponseMalformed[] = "broker_response_malformed";

// GET /identity, parsed (unverified).
struct BrokerIdentity {
  govern::BrokerMode mode = govern::BrokerMode::kBroker;  // "broker" or "handoff" (spec §6)
  X25519PublicKey hpke_key{};
  std::string hpke_keyid;  // X25519KeyId(hpke_key)
  Bytes signing_spki;      // SPKI DER of the signing key
  std::string signing_keyid;
  Bytes quote;  // the key-binding SGX DCAP quote
  // The collateral directory's files the broker served with it (possibly none).
  std::vector<std::pair<std::string, Bytes>> collateral;
  std::string ledger;   // the ledger's origin
  std::string receipt;  // the .tlog-proof of the broker's admission ("" while not admitted)
  std::string check;    // status.check: "ok" or why the broker does not release
};

// Parses a GET /identity body (format vouch-broker-identity/v1, mode broker or handoff).
StatusOr<BrokerIdentity> ParseBrokerIdentity(std::string_view body);

// The owner's check of a broker (spec/provisioning.md §3.1; what `vouch provision envelope` runs
// before it seals anything to the broker's HPKE key), on an identity ParseBrokerIdentity
// accepted (step (a): keyids are the SHA-256 of their SPKIs, the keys X25519 and Ed25519/P-256):
//   (b) the key-binding quote verifies with the owner's verifier (trust roots) at `now`, with the
//       owner's collateral, else the collateral the document carries;
//   (c) its report_data is provision::BrokerKeyReportData(hpke key, signing SPKI), all 64 bytes;
//   (d) the document names the ledger `view` is of, and the quote's enclave is
//       Admitted(eii, broker, n, now) at the view's size n;
//   (e) with a pin, the HPKE keyid equals it.
// Error: kPermissionDenied, reason "broker_untrusted", the message naming the step and why.
inline constexpr char kBrokerUntrusted[] = "broker_untrusted";

struct BrokerCheckOptions {
  // The owner's trust roots. REQUIRES: non-null; borrowed.
  const sgx::DcapVerifier* verifier = nullptr;
  // The owner's collateral (--collateral); nullopt: the document's.
  std::optional<sgx::Collateral> collateral;
  UnixSeconds now = 0;
  // The expected HPKE keyid (64 lowercase hex), if pinned.
  std::optional<std::string> hpke_keyid_pin;
};

struct TrustedBroker {
  EnclaveInstanceInfo enclave;    // what the verified quote says
  govern::EntryRef admitted_by;   // the first admission for role broker
  bool owner_collateral = false;  // (b) used the owner's collateral, not the document's
};

StatusOr<TrustedBroker> CheckBrokerIdentity(const BrokerIdentity& identity, const LedgerView& view,
                                            const BrokerCheckOptions& options);

class BrokerClient final : public BrokerApi {
 public:
  // `base_url`: http(s)://host[:port][/prefix], no query. `client` is borrowed and must outlive
  // this object; `timeout` bounds each call.
  static StatusOr<BrokerClient> Create(
      std::string_view base_url, http::Client& client,
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // GET /identity.
  StatusOr<BrokerIdentity> Identity() const;
  // POST /challenge.
  StatusOr<provision::IssuedNonce> Challenge(
      const provision::EnvelopeId& envelope_id) const override;
  // POST /release, evidence type sgx-dcap-quote, no collateral (the broker uses its own).
  StatusOr<ReleaseResult> Release(const ReleaseRequest& request) const override;

  const std::string& base_url() const { return base_; }

 private:
  BrokerClient(std::string base, http::Client& client, std::chrono::milliseconds timeout)
      : base_(std::move(base)), client_(&client), timeout_(timeout) {}
  // The refusal of a non-200 answer to `what`.
  Status Refusal(std::string_view what, const http::HttpResponse& response) const;

  std::string base_;
  http::Client* client_;
  std::chrono::milliseconds timeout_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_BROKER_CLIENT_H_

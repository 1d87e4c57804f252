// What the secret broker decides (`vouch serve broker`, docs/broker.md; spec/provisioning.md §3,
// §4; DESIGN.md §3 "Seal to a future enclave is done soundly"): whether it may serve at all
// (its self-check, role broker), and whether one release request gets the secret.
//
//   auto broker = Broker::Create(log, options);    // runs the self-check: fails closed
//   broker->Recheck();                              // every --recheck-interval
//   StatusOr<IssuedNonce> n = broker->Challenge(envelope_id);
//   StatusOr<ReleaseResult> r = broker->Release(request);
//
// Release(request) runs §3.4's checks in this order; the first failure is the answer, its code
// the Status's reason (the HTTP status in brackets is the service's, broker_service.h):
//    2  the envelope parses (provision/envelope.h)        envelope_malformed, _unsupported [400]
//    3  its broker.keyid is this broker's HPKE keyid      envelope_wrong_broker [422]
//    4  an owner signature verifies under ownerKeys ∩ the owner allowlist (if any)
//                                                         owner_not_allowed,
//                                                         envelope_signature_invalid [403]
//    5  now < notAfter                                    envelope_expired [410]
//    6  the nonce is consumed (provision/nonce_book.h)    nonce_unknown, nonce_envelope_mismatch,
//                                                         nonce_used [409], nonce_expired [410]
//       a hand-off broker (spec §6) takes a release slot   release_limit_reached,
//                                                         handoff_expired [410]
//    7  collateral: the broker's own source, never the request's (§3.3: a client could pick
//       older, still-valid TCB info)                      collateral_missing [503]
//    8  the quote verifies at now with the broker's trust roots
//                                                         evidence_rejected (message: the
//                                                         `sgx verify` code) [403]
//    9  report_data = ReleaseReportData(nonce, enclave_key), all 64 bytes
//                                                         report_data_mismatch [403]
//   10  Encap to the enclave key                          enclave_key_invalid [400]
//   11  the EII meets the envelope's constraint at now    constraint_failed [403]
//   12  a ledger view read after step 6 (SyncLedgerView with the last view as high-water mark;
//       a read that started after step 6 for another release serves this one too)
//                                                         log_unreachable, checkpoint_stale, …
//       [503]
//   13  the broker itself is admitted at that view        self_check_failed [503]
//   14  Admitted(eii, workload, n, now): revoked always refuses; not admitted refuses unless
//       the envelope's override (and then not with --no-unadmitted)
//                                                         identity_revoked,
//                                                         identity_not_admitted,
//                                                         unadmitted_refused [403]
//   15  with an activity: its latest processing record covers an admission of step 14
//                                                         processing_record_missing [403]
//   16  the envelope opens with the broker's HPKE key     envelope_decrypt_failed [422]
//   17  the release record (a release-record statement signed by the broker's signing key) is
//       appended and acknowledged durably by the log      log_unreachable [503]
//   18  the response: the inner plaintext sealed to the enclave key, bound to the nonce, the
//       envelope id, the enclave key and the record's leaf hash.
// Before its first release the broker announces its keys with a broker-key statement (§3.7)
// unless the log holds one for them; a failure to append it is log_unreachable [503].
//
// Refusals are never logged in the ledger (§4.2). No secret leaves without its record: the
// response is built only after step 17's acknowledgement.
//
// Thread-safe: Challenge, Release, Recheck and status() may be called from any thread; steps
// 12–13 run one at a time (concurrent releases may share a view fetched after their step 6),
// the rest concurrently.
#ifndef VOUCH_SERVER_BROKER_H_
#define VOUCH_SERVER_BROKER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/hpke.h"
#include "vouch/crypto/random_source.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519.h"
#include "vouch/govern/statement.h"
#include "vouch/ledger/audit.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/nonce_book.h"
#include "vouch/server/self_check.h"
#include "vouch/store/shared_nonces.h"

namespace vouch::server {

namespace internal {
struct BrokerState;
struct CheckedEnvelope;
}  // namespace internal

// Release refusals (spec/provisioning.md §3.4) besides the envelope's, the nonce book's and the
// self-check's codes.
inline constexpr char kOwnerNotAllowed[] = "owner_not_allowed";
inline constexpr char kEnvelopeExpired[] = "envelope_expired";
inline constexpr char kCollateralMissing[] = "collateral_missing";
inline constexpr char kEvidenceRejected[] = "evidence_rejected";
inline constexpr char kReportDataMismatch[] = "report_data_mismatch";
inline constexpr char kConstraintFailed[] = "constraint_failed";
inline constexpr char kIdentityRevoked[] = "identity_revoked";
inline constexpr char kIdentityNotAdmitted[] = "identity_not_admitted";
inline constexpr char kUnadmittedRefused[] = "unadmitted_refused";
inline constexpr char kProcessingRecordMissing[] = "processing_record_missing";
// A direct hand-off broker (spec §6) with no release left, or past its lifetime.
inline constexpr char kReleaseLimitReached[] = "release_limit_reached";
inline constexpr char kHandoffExpired[] = "handoff_expired";

struct BrokerOptions {
  // Role kBroker; service_spki is the signing key's, report_data
  // provision::BrokerKeyReportData(hpke public key, signing SPKI). Create sets
  // ledger.replay.self_signed and .parsed to the entries the broker signs and their statements
  // (neither verified nor parsed again on replay).
  SelfCheckOptions self_check;
  // The broker's HPKE key pair and signing key, generated and sealed inside the enclave.
  // REQUIRES: non-null; borrowed.
  const X25519PrivateKey* hpke_key = nullptr;
  const PublicKeySign* signing_key = nullptr;
  // Appends one entry to the log and returns once the log acknowledged it durably (POST /add):
  // its index. REQUIRES: non-null.
  std::function<StatusOr<uint64_t>(ByteSpan entry)> append;
  // Step 4: when non-empty, only these owner keys are trusted (--owner-key).
  std::vector<std::shared_ptr<const PublicKeyVerify>> owner_allowlist;
  // Step 14: refuse envelopes made under the unadmitted override (--no-unadmitted).
  bool no_unadmitted = false;
  provision::NonceBookOptions nonces;
  // Nonces shared with the other front-ends of this broker (spec §8.4; store/shared_nonces.h),
  // or null for the in-memory book. Borrowed; opened with `nonces`' ttl and limits.
  store::SharedNonces* shared_nonces = nullptr;
  // Draws nonces, release ids and the response's ephemeral keys. Borrowed; thread-safe.
  RandomSource* random = &SystemRandom();
  // As RootSignerOptions::high_water_mark_path.
  std::string high_water_mark_path;
  // kHandoff: the one-shot provisioning enclave of spec §6 (`vouch provision handoff`): its
  // statements say so, and it releases at most `max_releases` times (required, ≥ 1) before
  // `expires` (required). Step 6 also takes a release slot, given back when the request fails
  // before step 17 logged its record; with none free the answer is release_limit_reached, and
  // from `expires` on handoff_expired (both kFailedPrecondition, HTTP 410).
  govern::BrokerMode mode = govern::BrokerMode::kBroker;
  std::optional<uint64_t> max_releases;
  std::optional<UnixSeconds> expires;
};

// What the last self-check established, for GET /identity.
struct BrokerStatus {
  Status check;                // OK, or why the broker does not release
  uint64_t checked_size = 0;   // the ledger size of the last view
  UnixSeconds checked_at = 0;  // when the last check ran
  std::optional<govern::EntryRef> admitted_by;
  std::string receipt;  // .tlog-proof of admitted_by
  Bytes quote;          // the key-binding quote of the last passing check
  std::string ledger;   // the ledger's origin, as of the last passing check
};

struct ReleaseRequest {
  Bytes envelope;  // the envelope file's exact bytes
  provision::Nonce nonce{};
  X25519PublicKey enclave_key{};
  Bytes quote;  // an SGX DCAP quote
};

struct ReleaseResult {
  govern::ReleaseId release_id{};
  provision::EnvelopeId envelope_id{};
  Sha256Hash mrenclave{};   // the target enclave's (the record's identity)
  UnixSeconds time = 0;     // the record's issuedOn
  hpke::Ciphertext sealed;  // the inner plaintext for the enclave key
  Bytes record_entry;       // the exact log entry of the release record
  uint64_t record_index = 0;
  Sha256Digest record_leaf_hash{};
};

class Broker {
 public:
  // Runs the self-check; its failure is returned (exit 3 for `serve broker`). `log` is borrowed
  // and must outlive the broker.
  static StatusOr<std::unique_ptr<Broker>> Create(ledger::ReceiptFetcher& log,
                                                  BrokerOptions options);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Runs the self-check again; Release obeys its outcome until the next one.
  Status Recheck();
  BrokerStatus status() const;

  // POST /challenge: a nonce bound to `envelope_id` (the nonce book's errors; with
  // shared_nonces, also the store's, e.g. kUnavailable "store_unreachable"). While the last
  // self-check failed: kUnavailable "self_check_failed".
  StatusOr<provision::IssuedNonce> Challenge(const provision::EnvelopeId& envelope_id);
  // POST /release: the checks above. `envelope_id` (optional) is set as soon as step 2 parsed
  // the envelope, for the caller's record of a refusal.
  StatusOr<ReleaseResult> Release(const ReleaseRequest& request,
                                  std::optional<provision::EnvelopeId>* envelope_id = nullptr);

  const X25519PublicKey& hpke_public_key() const;
  const PublicKeySign& signing_key() const { return *options_.signing_key; }
  govern::BrokerMode mode() const { return options_.mode; }
  std::optional<uint64_t> max_releases() const { return options_.max_releases; }
  std::optional<UnixSeconds> expires() const { return options_.expires; }
  // Releases whose record the log acknowledged, by this process.
  uint64_t released() const;
  // A hand-off broker whose every release slot went to a logged release: it has nothing left to
  // do. Always false for kBroker.
  bool exhausted() const;

 private:
  Broker(ledger::ReceiptFetcher& log, BrokerOptions options);
  Status RunCheck();
  // Steps 2–4: the envelope `bytes` parsed, for this broker, with the owners whose signatures
  // verified (remembered by its digest, so that the same bytes are checked once). Sets
  // *envelope_id (if non-null) once the envelope parsed.
  StatusOr<std::shared_ptr<const internal::CheckedEnvelope>> CheckEnvelope(
      ByteSpan bytes, std::optional<provision::EnvelopeId>* envelope_id) const;
  // Signs `statement` with the signing key and appends it; the entry and its index, or
  // log_unreachable naming `what`.
  StatusOr<std::pair<Bytes, uint64_t>> SignAndAppend(const govern::Statement& statement,
                                                     std::string_view what);
  // Appends the broker-key statement (§3.7) unless `ledger` or this process has seen it.
  Status Announce(const govern::GovernanceState& ledger, const std::string& origin,
                  UnixSeconds now);

  ledger::ReceiptFetcher& log_;
  const BrokerOptions options_;
  std::unique_ptr<internal::BrokerState> state_;
};

}  // namespace vouch::server

#endif  // VOUCH_SERVER_BROKER_H_

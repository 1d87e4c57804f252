// The enclave side of a release (spec/provisioning.md §3.6; docs/broker.md "The enclave side"):
// an enclave that holds an envelope obtains its secret from the broker and seals it locally.
//
//   FetchedSecret f = FetchSecret(platform, broker, envelope, options)   E1–E7
//
//   E0 with anchors: an owner signature on the envelope verifies under one of the anchor keys
//      (not the envelope's own ownerKeys, which anyone can write) — checked first, so that a
//      forged envelope costs the broker nothing;
//   E1 POST /challenge with the envelope's id → a nonce;
//   E2 a fresh X25519 key pair, generated here, inside the enclave (ReleaseAttempt::Create);
//   E3 a quote from `platform` with report_data = ReleaseReportData(nonce, public key);
//   E4 POST /release;
//   E5 the release record (ReleaseAttempt::Open): its leaf hash is SHA-256(0x00 ‖ entry); the
//      entry is a DSSE release-record statement naming this envelope (id and payload digest),
//      this nonce and this enclave key;
//   E6 the response opens with the enclave key under the response info (nonce, key, envelope
//      id, record leaf hash), holds a well-formed inner plaintext, and its commitment is the
//      envelope's (so a broker cannot answer with another secret for this envelope);
//      with anchors that give a tlog policy, also: the record's tlog-proof, fetched from `log`
//      (which waits for a checkpoint the witness quorum cosigned), is for the record's index and
//      verifies for its leaf hash under that policy; no secret is used before that;
//   E7 the secret sealed with the platform's MRENCLAVE policy, associated data
//      "vouch-provisioned/v1" ‖ id[16] (ProvisionedAad), everything else wiped.
//
// Without anchors the enclave gets confidentiality — only it can open the response — but it
// cannot tell a secret a host substituted (an envelope the host made itself, to the same broker,
// with its own commitment) from the owner's. With anchors (provision/anchors.h) the envelope must
// carry an anchor owner's signature, and its commitment then binds the secret to that owner.
// Without a policy in the anchors the record is not checked against the log here; an auditor
// finds it there.
//
// Errors, each a Status whose reason is the code (docs/error-codes.md):
//   kInvalidArgument     "anchors_malformed"           E0: the anchors' policy does not parse
//   kFailedPrecondition  "anchors_log_missing"         E0: the anchors give a policy, no `log`
//   kPermissionDenied    "envelope_signature_invalid"  E0: no anchor owner signed the envelope
//   the broker's refusal (BrokerClient: its code as the reason, e.g. "nonce_used",
//   "constraint_failed"; kUnavailable for "rate_limited", "busy", an unreachable broker)
//   kFailedPrecondition  "quote_unavailable"           E3: the platform gives no quote
//   kPermissionDenied    "release_record_invalid"      E5: the record is not this release's
//   kPermissionDenied    "response_decrypt_failed"     E6: the response does not open, or what
//                                                      it holds is no inner plaintext
//   kPermissionDenied    "commitment_mismatch"         E6: the secret is not the envelope's
//   the log client's errors (e.g. kUnavailable), tlog's proof-file and policy errors (e.g.
//   "proof_file_malformed", "policy_quorum_not_met", "inclusion_proof_invalid"), and
//   "release_record_invalid" for a proof of another index: E6's tlog-proof
//   seal/'s errors (E7).
//
// Thread-compatible: one call uses its platform and broker from the calling thread.
#ifndef VOUCH_SERVER_FETCH_SECRET_H_
#define VOUCH_SERVER_FETCH_SECRET_H_

#include <optional>
#include <string>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/crypto/x25519.h"
#include "vouch/ledger/audit.h"
#include "vouch/platform/platform.h"
#include "vouch/provision/anchors.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/inner.h"
#include "vouch/provision/nonce_book.h"
#include "vouch/server/broker.h"

namespace vouch::server {

inline constexpr char kQuoteUnavailable[] = "quote_unavailable";
inline constexpr char kReleaseRecordInvalid[] = "release_record_invalid";
inline constexpr char kAnchorsLogMissing[] = "anchors_log_missing";
inline constexpr char kProvisionedAadTag[] = "vouch-provisioned/v1";

// The broker as the enclave side uses it: BrokerClient over HTTP, or a Broker in-process
// (a test's adapter).
class BrokerApi {
 public:
  virtual ~BrokerApi() = default;
  // POST /challenge.
  virtual StatusOr<provision::IssuedNonce> Challenge(const provision::EnvelopeId& id) const = 0;
  // POST /release.
  virtual StatusOr<ReleaseResult> Release(const ReleaseRequest& request) const = 0;
};

// One release as the enclave makes it, between the challenge and the answer: the fresh key pair
// (E2) and the request with its quote (E3); then the answer checked and opened (E5–E6).
// Movable, not copyable (it owns the private key).
class ReleaseAttempt {
 public:
  // E2–E3 for `envelope` (the envelope file's exact bytes, not parsed here) and the broker's
  // `nonce`. kFailedPrecondition "quote_unavailable" when the platform gives no quote.
  static StatusOr<ReleaseAttempt> Create(platform::Platform& platform, ByteSpan envelope,
                                         const provision::Nonce& nonce);

  const ReleaseRequest& request() const { return request_; }

  // E5–E6 on the broker's answer to request(): the record is this release's, the response
  // opens, and the inner's commitment is `envelope`'s. REQUIRES: `envelope` is the envelope
  // request() carries (checked: kInvalidArgument otherwise).
  StatusOr<provision::Inner> Open(const provision::Envelope& envelope,
                                  const ReleaseResult& result) const;

 private:
  ReleaseAttempt(ReleaseRequest request, X25519PrivateKey key)
      : request_(std::move(request)), key_(std::move(key)) {}

  ReleaseRequest request_;
  X25519PrivateKey key_;
};

struct FetchOptions {
  // The enclave's anchors (spec §3.6); nullptr: none (see above). Borrowed for the call.
  const provision::Anchors* anchors = nullptr;
  // Where the record's tlog-proof comes from when the anchors give a policy (a LogClient: its
  // FetchProof waits, within its timeout, for a checkpoint the witness quorum cosigned).
  // REQUIRES: non-null then; borrowed for the call. Unused otherwise.
  ledger::ReceiptFetcher* log = nullptr;
};

struct FetchedSecret {
  SecretBytes secret;
  Bytes sealed;  // seal/ blob of `secret`, MRENCLAVE policy, associated data ProvisionedAad(id)
  govern::ReleaseId release_id{};
  uint64_t record_index = 0;
  Sha256Digest record_leaf_hash{};
  bool owner_verified = false;  // anchors given: an anchor owner signed the envelope
  std::string record_proof;     // the verified tlog-proof of the record (policy given), else ""
};

// "vouch-provisioned/v1" ‖ id: the associated data of a provisioned secret's sealed blob.
Bytes ProvisionedAad(const provision::EnvelopeId& id);

// E0–E7 above. `platform` and `broker` are borrowed for the call.
StatusOr<FetchedSecret> FetchSecret(platform::Platform& platform, const BrokerApi& broker,
                                    const provision::Envelope& envelope,
                                    const FetchOptions& options = {});

}  // namespace vouch::server

#endif  // VOUCH_SERVER_FETCH_SECRET_H_

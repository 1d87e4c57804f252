// The enclave side of a release (spec/provisioning.md §3.6; docs/broker.md "The enclave side"):
// an enclave that holds an envelope obtains its secret from the broker and seals it locally.
//
//   FetchedSecret f = FetchSecret(platform, broker, envelope, options)   E1–E7
//
//   E0 with anchors: an owner signature on the envelope verifies under one of the anchor keys
//      (not the envelope's own ownerKeys, which anyone can write) — checked first, so that a
//      forged envelope costs the broker nothing;
//   E1 POST /challenge with the envelope's id → a nonce;
//   E2 a fresh X25519 key pair, generated here, inside the enclave;
//   E3 a quote from `platform` with report_data = ReleaseReportData(nonce, public key);
//   E4 POST /release;
//   E5 the release record: its leaf hash is SHA-256(0x00 ‖ entry); the entry is a canonical
//      DSSE release-record statement naming this envelope (id and payload digest), this nonce
//      and this enclave key;
//   E6 the response opens with the enclave key under the response info (nonce, key, envelope
//      id, record leaf hash) and holds a well-formed inner plaintext; with anchors its
//      commitment is the envelope's (the secret is the owner's, whatever the host or broker
//      did);
//   E7 the secret sealed with the platform's MRENCLAVE policy, associated data
//      "vouch-provisioned/v1" ‖ id[16] (ProvisionedAad), everything else wiped.
//
// Without anchors the enclave gets confidentiality — only it can open the response — but it
// cannot tell a secret a host substituted (an envelope it made itself, to the same broker) from
// the owner's. The record is not checked against the log here (a tlog-proof needs the ledger's
// policy); an auditor finds it there.
//
// Errors: the broker's (BrokerClient: its refusal code as the reason); kPermissionDenied
// "envelope_signature_invalid" (E0); kFailedPrecondition "quote_unavailable" (E3);
// kPermissionDenied "release_record_invalid" (E5); provision's "response_decrypt_failed",
// "inner_malformed" and "commitment_mismatch" (E6); seal/'s errors (E7).
//
// Thread-compatible: one call uses its platform and broker from the calling thread.
#ifndef VOUCH_SERVER_FETCH_SECRET_H_
#define VOUCH_SERVER_FETCH_SECRET_H_

#include <optional>

#include "vouch/base/bytes.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/dsse/envelope.h"
#include "vouch/platform/platform.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/nonce_book.h"
#include "vouch/server/broker.h"

namespace vouch::server {

inline constexpr char kQuoteUnavailable[] = "quote_unavailable";
inline constexpr char kReleaseRecordInvalid[] = "release_record_invalid";
inline constexpr char kProvisionedAadTag[] = "vouch-provisioned/v1";

// The broker as the enclave side uses it: BrokerClient over HTTP, or a Broker in-process.
class BrokerApi {
 public:
  virtual ~BrokerApi() = default;
  virtual StatusOr<provision::IssuedNonce> Challenge(const provision::EnvelopeId& id) const = 0;
  virtual StatusOr<ReleaseResult> Release(const ReleaseRequest& request) const = 0;
};

struct FetchOptions {
  // The enclave's owner keys (spec §3.6 anchors); nullopt: none (see above).
  std::optional<dsse::KeySet> owner_anchors;
};

struct FetchedSecret {
  SecretBytes secret;
  Bytes sealed;  // seal/ blob of `secret`, associated data ProvisionedAad(id)
  govern::ReleaseId release_id{};
  uint64_t record_index = 0;
  Sha256Digest record_leaf_hash{};
  bool owner_verified = false;  // E0 and the commitment were checked (anchors given)
};

// "vouch-provisioned/v1" ‖ id: the associated data of a provisioned secret's sealed blob.
Bytes ProvisionedAad(const provision::EnvelopeId& id);

StatusOr<FetchedSecret> FetchSecret(platform::Platform& platform, const BrokerApi& broker,
                                    const provision::Envelope& envelope,
                                    const FetchOptions& options = {});

}  // namespace vouch::server

#endif  // VOUCH_SERVER_FETCH_SECRET_H_

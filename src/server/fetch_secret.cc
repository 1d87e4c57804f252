#include "vouch/server/fetch_secret.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vouch/govern/statement.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/seal/seal.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/proof_file.h"

namespace vouch::server {
namespace {

Status BadRecord(const std::string& why) {
  return RejectedError(kReleaseRecordInvalid, "the broker's release record " + why);
}

// E5.
Status CheckRecord(const ReleaseResult& r, const provision::Envelope& envelope,
                   const ReleaseRequest& request) {
  if (tlog::HashLeaf(r.record_entry) != r.record_leaf_hash) {
    return BadRecord("does not hash to the leaf hash it came with");
  }
  auto entry = dsse::LedgerEntry::Parse(r.record_entry);
  if (!entry.ok()) return BadRecord("is no ledger entry: " + entry.status().message());
  auto statement = govern::ParseStatement(entry->payload());
  const auto* record =
      statement.ok() ? std::get_if<govern::ReleaseRecord>(&statement->predicate) : nullptr;
  if (record == nullptr) return BadRecord("is no release-record statement");
  if (record->envelope_id != envelope.payload().id ||
      record->envelope_sha256 != envelope.payload_sha256()) {
    return BadRecord("names another envelope");
  }
  if (record->nonce != request.nonce) return BadRecord("names another nonce");
  if (record->enclave_key != request.enclave_key) return BadRecord("names another enclave key");
  return OkStatus();
}

}  // namespace

Bytes ProvisionedAad(const provision::EnvelopeId& id) {
  const std::string_view tag = kProvisionedAadTag;
  Bytes aad(tag.size() + id.size());
  std::copy(tag.begin(), tag.end(), aad.begin());
  std::copy(id.begin(), id.end(), aad.begin() + static_cast<std::ptrdiff_t>(tag.size()));
  return aad;
}

StatusOr<ReleaseAttempt> ReleaseAttempt::Create(platform::Platform& platform, ByteSpan envelope,
                                                const provision::Nonce& nonce) {
  // E2.
  VOUCH_ASSIGN_OR_RETURN(X25519PrivateKey key, X25519PrivateKey::Generate());
  ReleaseRequest request;
  request.envelope = ToBytes(envelope);
  request.nonce = nonce;
  request.enclave_key = key.public_key();
  // E3.
  auto quote = platform.Quote(provision::ReleaseReportData(nonce, request.enclave_key));
  if (!quote.ok()) {
    return Status(StatusCode::kFailedPrecondition,
                  "the platform gives no quote: " + quote.status().message(), kQuoteUnavailable);
  }
  request.quote = *std::move(quote);
  return ReleaseAttempt(std::move(request), std::move(key));
}

StatusOr<provision::Inner> ReleaseAttempt::Open(const provision::Envelope& envelope,
                                                const ReleaseResult& result) const {
  if (!EqualBytes(envelope.bytes(), request_.envelope)) {
    return InvalidArgumentError("the envelope is not the one this release asked for");
  }
  VOUCH_RETURN_IF_ERROR(CheckRecord(result, envelope, request_));
  const provision::EnvelopePayload& p = envelope.payload();
  provision::ResponseBinding binding{p.id, request_.nonce, request_.enclave_key,
                                     result.record_leaf_hash};
  VOUCH_ASSIGN_OR_RETURN(provision::Inner inner,
                         provision::OpenResponse(key_, binding, result.sealed));
  VOUCH_RETURN_IF_ERROR(inner.VerifyCommitment(p.id, p.commitment));
  return inner;
}

StatusOr<FetchedSecret> FetchSecret(platform::Platform& platform, const BrokerApi& broker,
                                    const provision::Envelope& envelope,
                                    const FetchOptions& options) {
  const provision::EnvelopePayload& p = envelope.payload();
  FetchedSecret out;
  // E0.
  std::optional<tlog::Policy> policy;
  if (options.anchors != nullptr) {
    if (options.anchors->policy()) {
      auto parsed = tlog::Policy::Parse(*options.anchors->policy());
      if (!parsed.ok()) {
        return MalformedError(provision::kReasonAnchorsMalformed,
                              "/policy: " + parsed.status().message());
      }
      if (options.log == nullptr) {
        return Status(StatusCode::kFailedPrecondition,
                      "the anchors give a tlog policy: the release record's tlog-proof must be "
                      "fetched from the log, and no log is given",
                      kAnchorsLogMissing);
      }
      policy = *std::move(parsed);
    }
    VOUCH_RETURN_IF_ERROR(envelope.VerifyOwners(options.anchors->owner_keys()).status());
    out.owner_verified = true;
  }
  // E1–E4.
  VOUCH_ASSIGN_OR_RETURN(provision::IssuedNonce issued, broker.Challenge(p.id));
  VOUCH_ASSIGN_OR_RETURN(ReleaseAttempt attempt,
                         ReleaseAttempt::Create(platform, envelope.bytes(), issued.nonce));
  VOUCH_ASSIGN_OR_RETURN(ReleaseResult result, broker.Release(attempt.request()));
  // E5–E6.
  VOUCH_ASSIGN_OR_RETURN(provision::Inner inner, attempt.Open(envelope, result));
  if (policy) {
    VOUCH_ASSIGN_OR_RETURN(out.record_proof, options.log->FetchProof(result.record_index));
    VOUCH_ASSIGN_OR_RETURN(tlog::ProofFile proof, tlog::ProofFile::Parse(out.record_proof));
    if (proof.index() != result.record_index) {
      return BadRecord("comes with a tlog-proof of entry " + std::to_string(proof.index()) +
                       ", not of entry " + std::to_string(result.record_index));
    }
    VOUCH_RETURN_IF_ERROR(proof.Verify(result.record_leaf_hash, *policy).status());
  }
  // E7. The inner (its commit key and secret) and the attempt's key wipe themselves.
  out.secret = SecretBytes(inner.secret().Reveal());
  VOUCH_ASSIGN_OR_RETURN(out.sealed, seal::Seal(platform, seal::SealPolicy::kMrEnclave, out.secret,
                                                ProvisionedAad(p.id)));
  out.release_id = result.release_id;
  out.record_index = result.record_index;
  out.record_leaf_hash = result.record_leaf_hash;
  return out;
}

}  // namespace vouch::server

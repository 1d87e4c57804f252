// The decisions of the secret broker (contract in broker.h).
#include "vouch/server/broker.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "vouch/base/bounded_memo.h"
#include "vouch/base/encoding.h"
#include "vouch/base/mutex.h"
#include "vouch/constraint/constraint.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/dsse/envelope.h"
#include "vouch/dsse/self_signed.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/target_admission.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/tlog/merkle.h"

namespace vouch::server {
namespace internal {

struct CheckedEnvelope {
  provision::Envelope envelope;
  dsse::SignerSet owners;
};

struct BrokerState {
  // Held while a check runs or a release reads the ledger (steps 12–13).
  mutable Mutex mu;
  BrokerStatus status VOUCH_GUARDED_BY(mu);
  std::optional<LedgerView> view VOUCH_GUARDED_BY(mu);
  std::optional<EnclaveInstanceInfo> self VOUCH_GUARDED_BY(mu);
  // Reads of the ledger (a check's or a release's), numbered as they start, and the number of
  // the read that made `view` (0: none of this process's, e.g. the high-water mark). A read is
  // numbered while `mu` is held, before it fetches anything, so a read numbered above what a
  // release saw after burning its nonce fetched its checkpoint after that: the release may
  // take its view instead of reading again (steps 12–13), and concurrent releases share one.
  std::atomic<uint64_t> reads_started{0};
  uint64_t view_read VOUCH_GUARDED_BY(mu) = 0;
  // A copy of `status` for status(), which must not wait for a ledger read. Lock order: mu,
  // then published_mu.
  mutable Mutex published_mu;
  BrokerStatus published VOUCH_GUARDED_BY(published_mu);
  // Whether this process has seen its broker-key statement in the log or appended one.
  Mutex announce_mu;
  bool announced VOUCH_GUARDED_BY(announce_mu) = false;
  std::unique_ptr<provision::Nonces> nonces;
  // The entries this broker signed (its records and broker-key statement), which its replay
  // of the ledger need not verify again (BrokerOptions' replay options point to it).
  std::shared_ptr<dsse::SelfSignedEntries> self_signed;
  // The statements of those entries as the encoder parsed them back, which the replay takes
  // instead of parsing them again (ReplayOptions::parsed); the last 1,024, as a record comes
  // back at the next read.
  std::shared_ptr<govern::ParsedStatements> parsed;
  // Envelopes that passed steps 2–4, by the SHA-256 of their bytes: the same bytes pass them
  // again with the same owners (the owner keys are in the bytes, the allowlist is fixed), so a
  // release of an envelope seen before skips parsing and verifying it.
  BoundedMemo<Sha256Digest, std::shared_ptr<const CheckedEnvelope>> checked_envelopes{1024};
  // The secrets of the last 64 envelopes opened at step 16, by the SHA-256 of the envelope's
  // payload (which holds the sealed secret and everything bound to it): a later release of the
  // same envelope reaches step 16 through every check again and takes the secret opened before
  // instead of paying for an HPKE open. They stay in this enclave's memory, beside the key that
  // opens them anyway, and are wiped when forgotten (SecretBytes).
  BoundedMemo<Sha256Digest, std::shared_ptr<const provision::Inner>> opened_secrets{64};
  // Release slots (a hand-off broker's): taken at step 6, given back on failure before step 17.
  mutable Mutex slots_mu;
  uint64_t slots_taken VOUCH_GUARDED_BY(slots_mu) = 0;
  uint64_t released VOUCH_GUARDED_BY(slots_mu) = 0;
};

}  // namespace internal

namespace {

// The in-memory book's rules kept by store::SharedNonces, for every front-end of one broker
// (spec §8.4): this process draws the nonce, the database keeps it and burns it once, and the
// outcomes become the book's errors.
class SharedNonceBook final : public provision::Nonces {
 public:
  SharedNonceBook(store::SharedNonces& shared, const BrokerOptions& options, RandomSource& random)
      : shared_(shared), options_(options.nonces), random_(random) {}

  StatusOr<provision::IssuedNonce> Issue(const provision::EnvelopeId& id,
                                         UnixSeconds now) override {
    provision::IssuedNonce issued;
    if (Status drawn = random_.Fill(issued.nonce); !drawn.ok()) {
      return drawn.WithContext("cannot draw a nonce");
    }
    issued.expires = now + options_.ttl.count();
    VOUCH_ASSIGN_OR_RETURN(store::NonceIssue kept, shared_.Issue(issued.nonce, id, now));
    switch (kept) {
      case store::NonceIssue::kKept:
        return issued;
      case store::NonceIssue::kEnvelopeFull:
        return provision::NonceEnvelopeFull(options_.max_per_envelope);
      case store::NonceIssue::kBookFull:
        break;
    }
    return provision::NonceBookFull(options_.max_outstanding);
  }

  Status Consume(const provision::Nonce& nonce, const provision::EnvelopeId& id,
                 UnixSeconds now) override {
    VOUCH_ASSIGN_OR_RETURN(store::NonceConsume burnt, shared_.Consume(nonce, id, now));
    switch (burnt) {
      case store::NonceConsume::kConsumed:
        return OkStatus();
      case store::NonceConsume::kUnknown:
        return provision::NonceRefused(provision::kReasonNonceUnknown);
      case store::NonceConsume::kEnvelopeMismatch:
        return provision::NonceRefused(provision::kReasonNonceEnvelopeMismatch);
      case store::NonceConsume::kExpired:
        return provision::NonceRefused(provision::kReasonNonceExpired);
      case store::NonceConsume::kUsed:
        break;
    }
    return provision::NonceRefused(provision::kReasonNonceUsed);
  }

 private:
  store::SharedNonces& shared_;
  const provision::NonceBookOptions options_;
  RandomSource& random_;
};

Status BrokerSelfCheckFailed(const Status& check) {
  return Status(StatusCode::kUnavailable,
                "this broker does not release while its self-check fails (" + check.reason() +
                    "): " + check.message(),
                kSelfCheckFailed);
}

void PublishLocked(internal::BrokerState& state) VOUCH_REQUIRES(state.mu) {
  MutexLock lock(&state.published_mu);
  state.published = state.status;
}

govern::EnclaveIdentity IdentityOf(const EnclaveInstanceInfo& eii) {
  govern::EnclaveIdentity id;
  id.mrenclave = eii.code_hash;
  id.mrsigner = eii.code_signer;
  id.isv_prod_id = eii.product_id;
  id.isv_svn = eii.isv_svn;
  id.mode = eii.mode;
  id.summary = eii.security.summary;
  id.collateral_time = eii.security.timestamp;
  return id;
}

// What steps 12–14 established, for the record.
struct Authorization {
  uint64_t size = 0;
  Sha256Digest root_hash{};
  std::string origin;
  std::vector<govern::EntryRef> admitted_by;  // empty under the override
  std::shared_ptr<const govern::GovernanceState> state;
};

}  // namespace

Broker::Broker(ledger::ReceiptFetcher& log, BrokerOptions options)
    : log_(log), options_(std::move(options)), state_(std::make_unique<internal::BrokerState>()) {}

Broker::~Broker() = default;

StatusOr<std::unique_ptr<Broker>> Broker::Create(ledger::ReceiptFetcher& log,
                                                 BrokerOptions options) {
  if (options.hpke_key == nullptr || options.signing_key == nullptr || !options.append ||
      options.random == nullptr || options.self_check.ledger.clock == nullptr) {
    return InvalidArgumentError("a broker needs its HPKE key, signing key, log and randomness");
  }
  const bool handoff = options.mode == govern::BrokerMode::kHandoff;
  const bool valid = handoff ? options.max_releases.value_or(0) >= 1 && options.expires.has_value()
                             : !options.max_releases.has_value() && !options.expires.has_value();
  if (!valid) {
    return InvalidArgumentError(
        "a hand-off broker, and only it, has max_releases (at least 1) and expires");
  }
  auto self_signed = std::make_shared<dsse::SelfSignedEntries>();
  auto parsed = std::make_shared<govern::ParsedStatements>(1024);
  options.self_check.ledger.replay.self_signed = self_signed;
  options.self_check.ledger.replay.parsed = parsed;
  auto broker = std::unique_ptr<Broker>(new Broker(log, std::move(options)));
  broker->state_->self_signed = std::move(self_signed);
  broker->state_->parsed = std::move(parsed);
  const BrokerOptions& o = broker->options_;
  if (o.shared_nonces != nullptr) {
    broker->state_->nonces = std::make_unique<SharedNonceBook>(*o.shared_nonces, o, *o.random);
  } else {
    VOUCH_ASSIGN_OR_RETURN(
        broker->state_->nonces,
        provision::NonceBook::Create(o.nonces, *o.self_check.ledger.clock, *o.random));
  }
  if (!o.high_water_mark_path.empty()) {
    VOUCH_ASSIGN_OR_RETURN(
        std::optional<LedgerView> mark,
        LoadHighWaterMark(*o.self_check.platform, o.high_water_mark_path, o.self_check.ledger));
    MutexLock lock(&broker->state_->mu);
    broker->state_->view = std::move(mark);
  }
  VOUCH_RETURN_IF_ERROR(broker->RunCheck());
  return broker;
}

Status Broker::Recheck() { return RunCheck(); }

Status Broker::RunCheck() {
  internal::BrokerState& state = *state_;
  MutexLock lock(&state.mu);
  const UnixSeconds now = options_.self_check.ledger.clock->Now();
  const uint64_t read = state.reads_started.fetch_add(1) + 1;
  const LedgerView* previous = state.view ? &*state.view : nullptr;
  auto result = RunSelfCheck(log_, options_.self_check, previous);
  if (result.ok()) {
    Status kept = KeepHighWaterMark(*options_.self_check.platform, options_.high_water_mark_path,
                                    &state.view, result->view);
    if (!kept.ok()) {
      result = kept;
    } else {
      state.view_read = read;
    }
  }
  BrokerStatus& st = state.status;
  st.checked_at = now;
  if (result.ok()) {
    st.check = OkStatus();
    st.checked_size = result->view.checkpoint.size();
    st.admitted_by = result->admitted_by;
    st.receipt = result->receipt;
    st.quote = result->quote;
    st.ledger = result->view.checkpoint.origin();
    state.self = result->self;
  } else {
    st.check = result.status();
    st.admitted_by.reset();
    st.receipt.clear();
  }
  PublishLocked(state);
  return st.check;
}

BrokerStatus Broker::status() const {
  MutexLock lock(&state_->published_mu);
  return state_->published;
}

const X25519PublicKey& Broker::hpke_public_key() const { return options_.hpke_key->public_key(); }

uint64_t Broker::released() const {
  MutexLock lock(&state_->slots_mu);
  return state_->released;
}

bool Broker::exhausted() const {
  MutexLock lock(&state_->slots_mu);
  return options_.max_releases.has_value() && state_->released >= *options_.max_releases;
}

namespace {

// A hand-off broker's release slot for one request (spec §6): taken at step 6, given back when
// the request ends before its record was logged (Commit not called).
class ReleaseSlot {
 public:
  // Takes a slot, or says why none is free. For a kBroker broker: no slot is needed.
  static StatusOr<ReleaseSlot> Take(internal::BrokerState& state, const BrokerOptions& options,
                                    UnixSeconds now) {
    if (!options.max_releases) return ReleaseSlot(nullptr);
    if (now >= *options.expires) {
      return Status(StatusCode::kFailedPrecondition,
                    "this hand-off broker expired at " + FormatRfc3339(*options.expires),
                    kHandoffExpired);
    }
    MutexLock lock(&state.slots_mu);
    if (state.slots_taken >= *options.max_releases) {
      return Status(StatusCode::kFailedPrecondition,
                    "this hand-off broker has no release left (at most " +
                        std::to_string(*options.max_releases) + ")",
                    kReleaseLimitReached);
    }
    ++state.slots_taken;
    return ReleaseSlot(&state);
  }
  ReleaseSlot(ReleaseSlot&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  ReleaseSlot& operator=(ReleaseSlot&&) = delete;
  ReleaseSlot(const ReleaseSlot&) = delete;
  ReleaseSlot& operator=(const ReleaseSlot&) = delete;
  ~ReleaseSlot() {
    if (state_ == nullptr) return;
    MutexLock lock(&state_->slots_mu);
    --state_->slots_taken;
  }
  // The record was logged: the slot is used for good.
  void Commit() {
    if (state_ == nullptr) return;
    MutexLock lock(&state_->slots_mu);
    ++state_->released;
    state_ = nullptr;
  }

 private:
  explicit ReleaseSlot(internal::BrokerState* state) : state_(state) {}
  internal::BrokerState* state_;
};

}  // namespace

StatusOr<provision::IssuedNonce> Broker::Challenge(const provision::EnvelopeId& envelope_id) {
  {
    MutexLock lock(&state_->published_mu);
    if (!state_->published.check.ok()) return BrokerSelfCheckFailed(state_->published.check);
  }
  const UnixSeconds now = options_.self_check.ledger.clock->Now();
  // A hand-off broker with no slot it could still give: no nonce either.
  if (options_.max_releases) {
    VOUCH_RETURN_IF_ERROR(ReleaseSlot::Take(*state_, options_, now).status());
  }
  return state_->nonces->Issue(envelope_id, now);
}

StatusOr<std::pair<Bytes, uint64_t>> Broker::SignAndAppend(const govern::Statement& statement,
                                                           std::string_view what) {
  VOUCH_ASSIGN_OR_RETURN(Bytes payload, govern::EncodeStatement(statement, state_->parsed.get()));
  VOUCH_ASSIGN_OR_RETURN(dsse::Signature sig, dsse::SignPayload(*options_.signing_key,
                                                                dsse::kInTotoPayloadType, payload));
  VOUCH_ASSIGN_OR_RETURN(dsse::LedgerEntry entry, dsse::LedgerEntry::Create(payload, {sig}));
  state_->self_signed->Add(options_.signing_key->verifier(), entry);
  auto index = options_.append(entry.bytes());
  if (!index.ok()) {
    return Status(
        StatusCode::kUnavailable,
        "the log did not acknowledge " + std::string(what) + ": " + index.status().message(),
        kLogUnreachable);
  }
  return std::make_pair(ToBytes(entry.bytes()), *index);
}

Status Broker::Announce(const govern::GovernanceState& ledger, const std::string& origin,
                        UnixSeconds now) {
  MutexLock lock(&state_->announce_mu);
  const std::string keyid = options_.signing_key->verifier().KeyId();
  if (state_->announced || ledger.BrokerKeyAnnouncement(keyid)) {
    state_->announced = true;
    return OkStatus();
  }
  govern::BrokerKey bk;
  bk.ledger = origin;
  bk.issued_on = now;
  bk.mode = options_.mode;
  bk.hpke_key.key = hpke_public_key();
  VOUCH_ASSIGN_OR_RETURN(bk.signing_key.key,
                         PublicKeyFromSpki(options_.signing_key->verifier().spki_der()));
  {
    MutexLock state_lock(&state_->mu);
    if (!state_->self) return BrokerSelfCheckFailed(state_->status.check);
    bk.identity = IdentityOf(*state_->self);
    bk.quote = state_->status.quote;
  }
  VOUCH_RETURN_IF_ERROR(SignAndAppend(govern::Statement{bk}, "the broker-key statement").status());
  state_->announced = true;
  return OkStatus();
}

StatusOr<std::shared_ptr<const internal::CheckedEnvelope>> Broker::CheckEnvelope(
    ByteSpan bytes, std::optional<provision::EnvelopeId>* envelope_id) const {
  const Sha256Digest digest = Sha256(bytes);
  if (auto seen = state_->checked_envelopes.Get(digest)) {
    if (envelope_id != nullptr) *envelope_id = (*seen)->envelope.payload().id;
    return *std::move(seen);
  }
  // 2–3: the envelope, for this broker.
  VOUCH_ASSIGN_OR_RETURN(provision::Envelope envelope, provision::Envelope::Parse(bytes));
  const provision::EnvelopePayload& payload = envelope.payload();
  if (envelope_id != nullptr) *envelope_id = payload.id;
  if (payload.broker_keyid != X25519KeyIdDigest(hpke_public_key())) {
    return MalformedError(provision::kReasonEnvelopeWrongBroker,
                          "envelope " + envelope.IdHex() + " is for broker key " +
                              HexEncode(payload.broker_keyid) + ", this broker's is " +
                              X25519KeyId(hpke_public_key()));
  }
  // 4: an owner's signature, under the allowlist when there is one.
  dsse::KeySet trusted;
  for (const govern::Key& k : payload.owner_keys) {
    const bool allowed =
        options_.owner_allowlist.empty() ||
        std::any_of(options_.owner_allowlist.begin(), options_.owner_allowlist.end(),
                    [&](const auto& a) { return a->key_digest() == k.key->key_digest(); });
    if (allowed) trusted.Add(k.key);
  }
  if (trusted.empty()) {
    return RejectedError(kOwnerNotAllowed, "no owner key of envelope " + envelope.IdHex() +
                                               " is on this broker's owner allowlist");
  }
  VOUCH_ASSIGN_OR_RETURN(dsse::SignerSet owners, envelope.VerifyOwners(trusted));
  auto checked = std::make_shared<const internal::CheckedEnvelope>(
      internal::CheckedEnvelope{std::move(envelope), std::move(owners)});
  state_->checked_envelopes.Put(digest, checked);
  return checked;
}

StatusOr<ReleaseResult> Broker::Release(const ReleaseRequest& request,
                                        std::optional<provision::EnvelopeId>* envelope_id) {
  const Clock& clock = *options_.self_check.ledger.clock;
  const UnixSeconds now = clock.Now();

  // 2–4: the envelope, for this broker, signed by an owner.
  VOUCH_ASSIGN_OR_RETURN(std::shared_ptr<const internal::CheckedEnvelope> checked,
                         CheckEnvelope(request.envelope, envelope_id));
  const provision::Envelope& envelope = checked->envelope;
  const provision::EnvelopePayload& payload = envelope.payload();
  const dsse::SignerSet& owners = checked->owners;
  // 5
  if (payload.not_after && now >= *payload.not_after) {
    return Status(
        StatusCode::kFailedPrecondition,
        "envelope " + envelope.IdHex() + " expired at " + FormatRfc3339(*payload.not_after),
        kEnvelopeExpired);
  }
  // 6: the nonce is burnt before anything costly or informative; a hand-off broker also takes
  // a release slot.
  VOUCH_RETURN_IF_ERROR(state_->nonces->Consume(request.nonce, payload.id, now));
  const uint64_t reads_before = state_->reads_started.load();
  VOUCH_ASSIGN_OR_RETURN(ReleaseSlot slot, ReleaseSlot::Take(*state_, options_, now));

  // 7–8: the evidence, with the broker's own collateral.
  auto collateral = options_.self_check.collateral(request.quote, now);
  if (!collateral.ok()) {
    return Status(
        StatusCode::kUnavailable,
        "this broker has no collateral to verify evidence with: " + collateral.status().message(),
        kCollateralMissing);
  }
  auto verified = options_.self_check.verifier->Verify(request.quote, *collateral, {now, false});
  if (!verified.ok()) {
    return RejectedError(kEvidenceRejected, "the quote does not verify (" +
                                                verified.status().reason() +
                                                "): " + verified.status().message());
  }
  // 9
  if (verified->enclave.report_data !=
      provision::ReleaseReportData(request.nonce, request.enclave_key)) {
    return RejectedError(kReportDataMismatch,
                         "the quote's report data is not SHA-256(\"vouch-release/v1\" ‖ nonce ‖ "
                         "SPKI(enclave key)) ‖ 32 zero bytes for this request");
  }
  // 10
  VOUCH_ASSIGN_OR_RETURN(hpke::Encapsulation encap,
                         provision::EncapToEnclave(request.enclave_key, *options_.random));
  // 11
  const EnclaveInstanceInfo eii = sgx::ToEnclaveInstanceInfo(*verified);
  VOUCH_ASSIGN_OR_RETURN(EnclaveConstraint constraint,
                         EnclaveConstraint::Parse(payload.constraint));
  if (Status met = constraint.Check(eii, now); !met.ok()) {
    return RejectedError(kConstraintFailed, met.message());
  }

  // 12–13: a view fetched after step 6 (this release's read, or one that started after step 6
  // while this release waited for it); the broker itself still admitted in it.
  Authorization auth;
  {
    MutexLock lock(&state_->mu);
    if (!state_->view || state_->view_read <= reads_before) {
      const uint64_t read = state_->reads_started.fetch_add(1) + 1;
      VOUCH_RETURN_IF_ERROR(
          RefreshLedgerView(log_, options_.self_check.ledger, *options_.self_check.platform,
                            options_.high_water_mark_path, "broker", &state_->view));
      state_->view_read = read;
    }
    const LedgerView& view = *state_->view;
    if (!state_->self) return BrokerSelfCheckFailed(state_->status.check);
    auto admitted = CheckAdmitted(view, govern::Role::kBroker, *state_->self,
                                  options_.signing_key->verifier().spki_der(), now);
    if (!admitted.ok()) {
      state_->status.check = admitted.status();
      state_->status.admitted_by.reset();
      state_->status.receipt.clear();
      PublishLocked(*state_);
      return BrokerSelfCheckFailed(admitted.status());
    }
    auth.size = view.checkpoint.size();
    auth.root_hash = view.checkpoint.root();
    auth.origin = view.checkpoint.origin();
    auth.state = view.state;
  }

  // 14: the target's admission at that view.
  govern::AdmissionDecision decision =
      auth.state->Admitted(eii, govern::Role::kWorkload, auth.size, now);
  if (decision.code == govern::kRevoked) {
    return RejectedError(kIdentityRevoked, "MRENCLAVE " + HexEncode(eii.code_hash) +
                                               " is revoked at size " + std::to_string(auth.size) +
                                               ": " + decision.message);
  }
  if (payload.unadmitted_override) {
    if (options_.no_unadmitted) {
      return RejectedError(kUnadmittedRefused,
                           "envelope " + envelope.IdHex() +
                               " was made under the unadmitted override, which this broker "
                               "refuses (--no-unadmitted)");
    }
  } else if (!decision.admitted) {
    return RejectedError(kIdentityNotAdmitted, "MRENCLAVE " + HexEncode(eii.code_hash) +
                                                   " is not admitted for role workload at size " +
                                                   std::to_string(auth.size) + " (" +
                                                   decision.code + "): " + decision.message);
  } else {
    auth.admitted_by = decision.by;
  }
  // 15: the activity's latest record covers an admission of step 14.
  std::optional<govern::RecordSummary> record;
  if (payload.activity) {
    record = govern::LatestRecord(*auth.state, *payload.activity);
    if (record && !(decision.admitted && govern::RecordCovers(*record, decision.by))) {
      record.reset();
    }
    if (!record) {
      return RejectedError(kProcessingRecordMissing,
                           "no processing record of activity " + *payload.activity +
                               " covers an admission of MRENCLAVE " + HexEncode(eii.code_hash) +
                               " at size " + std::to_string(auth.size));
    }
  }

  // 16: only now is the envelope opened (or its secret, opened by an earlier release, taken).
  std::shared_ptr<const provision::Inner> inner;
  if (auto opened = state_->opened_secrets.Get(envelope.payload_sha256())) {
    inner = *std::move(opened);
  } else {
    VOUCH_ASSIGN_OR_RETURN(
        provision::Inner fresh,
        provision::OpenEnvelopeSecret(*options_.hpke_key, payload.Binding(), payload.sealed));
    inner = std::make_shared<const provision::Inner>(std::move(fresh));
    state_->opened_secrets.Put(envelope.payload_sha256(), inner);
  }

  // 17: the record, durably logged before anything is answered.
  VOUCH_RETURN_IF_ERROR(Announce(*auth.state, auth.origin, now));
  govern::ReleaseRecord rr;
  rr.ledger = auth.origin;
  rr.issued_on = now;
  VOUCH_RETURN_IF_ERROR(options_.random->Fill(rr.release_id));
  rr.envelope_id = payload.id;
  rr.envelope_sha256 = envelope.payload_sha256();
  rr.broker_mode = options_.mode;
  {
    MutexLock lock(&state_->mu);
    rr.broker_mrenclave = state_->self->code_hash;
  }
  rr.broker_hpke_keyid = X25519KeyId(hpke_public_key());
  rr.broker_signing_keyid = options_.signing_key->verifier().KeyId();
  rr.constraint = payload.constraint;
  rr.enclave_key = request.enclave_key;
  rr.identity = IdentityOf(eii);
  rr.quote_sha256 = Sha256(request.quote);
  rr.nonce = request.nonce;
  rr.unadmitted_override = payload.unadmitted_override;
  rr.admitted_by = auth.admitted_by;
  rr.checkpoint_size = auth.size;
  rr.checkpoint_root_hash = auth.root_hash;
  for (const Sha256Digest& d : owners) rr.owners.push_back(HexEncode(d));
  std::sort(rr.owners.begin(), rr.owners.end());
  if (record) {
    rr.activity_id = record->record.activity_id;
    rr.activity_version = record->record.activity_version;
    rr.record = record->entry;
  }
  VOUCH_ASSIGN_OR_RETURN(auto logged, SignAndAppend(govern::Statement{rr}, "the release record"));
  slot.Commit();
  ReleaseResult result;
  result.release_id = rr.release_id;
  result.envelope_id = payload.id;
  result.mrenclave = rr.identity.mrenclave;
  result.time = rr.issued_on;
  result.record_entry = std::move(logged.first);
  result.record_index = logged.second;
  result.record_leaf_hash = tlog::HashLeaf(result.record_entry);
  // 18
  provision::ResponseBinding binding{payload.id, request.nonce, request.enclave_key,
                                     result.record_leaf_hash};
  VOUCH_ASSIGN_OR_RETURN(result.sealed, provision::SealResponse(encap, binding, *inner));
  return result;
}

}  // namespace vouch::server

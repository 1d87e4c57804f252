// Test support for the broker (broker_test.cc, broker_service_test.cc): the governed-ledger
// fixture (ledger_fixture.h) with a broker's keys and simulated platform, an application's
// platform, admissions for both, envelopes for the application, and the enclave side of a
// release (server::ReleaseAttempt: a fresh key and a quote binding it to a nonce; opening the
// response).
#ifndef VOUCH_SERVER_BROKER_FIXTURE_H_
#define VOUCH_SERVER_BROKER_FIXTURE_H_

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/ledger_fixture.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/server/broker.h"
#include "vouch/server/fetch_secret.h"

namespace vouch::server::ledger_testing {

inline constexpr char kBrokerTestSecret[] = "postgres://app:hunter2@db/app";

class BrokerLedgerTest : public GovernedLedgerTest {
 protected:
  void SetUp() override {
    GovernedLedgerTest::SetUp();
    hpke_key_.emplace(*X25519PrivateKey::Generate());
    signing_key_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
    owner_ = *LocalSigningKey::Generate(SignatureAlgorithm::kEd25519);
    broker_platform_ = PlatformFor(broker_m_);
    app_platform_ = PlatformFor(app_m_);
  }

  static std::string Constraint(const Sha256Hash& m) {
    return "C:" + HexEncodeUpper(m) + " SEC:INSECURE";
  }

  // Provenance of `m` by both builders, then its admission for `role` signed by root-1.
  govern::EntryRef Admit(govern::Role role, const Sha256Hash& m, const std::string& target) {
    std::vector<govern::EntryRef> refs;
    for (const auto& [id, key] :
         {std::pair{kBuilderA, "builder-a"}, std::pair{kBuilderB, "builder-b"}}) {
      Add(hb_->Sign({hb_->MakeProvenance(id, m, std::string(40, '3'), target, t0_ + kHour + 120)},
                    {key}));
      refs.push_back(Last());
    }
    const UnixSeconds issued = clock_->Now() - 60;
    Add(hb_->Sign({hb_->MakeAdmission(role, Constraint(m), issued, issued + 30 * kDay, refs)},
                  {"root-1"}));
    return Last();
  }

  // Root set 1, the broker's admission and (unless told otherwise) the application's.
  void Govern(bool admit_app = true) {
    Bootstrap();
    Admit(govern::Role::kBroker, broker_m_, "vouch-broker");
    if (admit_app) app_admission_ = Admit(govern::Role::kWorkload, app_m_, "app");
    ledger_->cosign_time = clock_->Now() - 10;
  }

  // The broker's options; its appends go to the sequencer unless `log_accepts_` is false, after
  // `gate_` (if set) opens.
  BrokerOptions BrokerOpts() {
    BrokerOptions o;
    o.self_check = Options();
    o.self_check.role = govern::Role::kBroker;
    o.self_check.platform = broker_platform_.get();
    const ByteSpan spki = signing_key_->verifier().spki_der();
    o.self_check.service_spki.assign(spki.begin(), spki.end());
    o.self_check.report_data = *provision::BrokerKeyReportData(hpke_key_->public_key(), spki);
    o.hpke_key = &*hpke_key_;
    o.signing_key = signing_key_.get();
    o.append = [this](ByteSpan entry) -> StatusOr<uint64_t> {
      in_append_ = true;
      if (gate_) gate_->wait();
      if (!log_accepts_) return UnavailableError("connection refused");
      VOUCH_ASSIGN_OR_RETURN(auto added, seq_->Submit(entry).get());
      hb_->Append(ToBytes(entry));
      return added.index;
    };
    return o;
  }

  // An envelope of `secret` for the application (admitted unless `override_admission`), sealed
  // to the broker's key and signed by the owner.
  Bytes Envelope(bool override_admission = false, std::optional<UnixSeconds> not_after = {},
                 const std::string& constraint = "", std::string_view secret = kBrokerTestSecret) {
    provision::EnvelopeRequest r;
    EXPECT_THAT(SystemRandom().Fill(r.id), IsOk());
    r.created = clock_->Now();
    r.not_after = not_after;
    r.constraint = constraint.empty() ? Constraint(app_m_) : constraint;
    r.unadmitted_override = override_admission;
    if (!override_admission) {
      r.admitted_by = {app_admission_};
      r.checkpoint = provision::CheckpointRef{std::string(kTestOrigin), 1, Sha256Digest{}};
    }
    r.broker_key = hpke_key_->public_key();
    auto inner = provision::Inner::Generate(SecretBytes(AsBytes(secret)));
    EXPECT_THAT(inner, IsOk());
    const PublicKeySign* owners[] = {owner_.get()};
    auto env = provision::MakeEnvelope(r, *inner, owners);
    EXPECT_THAT(env, IsOk());
    return ToBytes(env->bytes());
  }

  static provision::EnvelopeId IdOf(const Bytes& envelope) {
    return provision::Envelope::Parse(envelope)->payload().id;
  }

  // The enclave side of one release (server::ReleaseAttempt): a fresh key and a quote binding it
  // to `nonce`. `request` is a copy tests may spoil; Open uses the attempt's own.
  struct Attempt {
    ReleaseRequest request;
    std::optional<ReleaseAttempt> attempt;
  };
  static Attempt MakeAttempt(const Bytes& envelope, const provision::Nonce& nonce,
                             platform::Platform& platform) {
    Attempt a;
    auto attempt = ReleaseAttempt::Create(platform, envelope, nonce);
    EXPECT_THAT(attempt, IsOk());
    if (!attempt.ok()) return a;
    a.request = attempt->request();
    a.attempt.emplace(*std::move(attempt));
    return a;
  }

  // The secret the enclave opens from `result` (ReleaseAttempt::Open: the record, the response,
  // the owner's commitment).
  static std::string Open(const Attempt& a, const ReleaseResult& result) {
    auto env = provision::Envelope::Parse(a.attempt->request().envelope);
    EXPECT_THAT(env, IsOk());
    if (!env.ok()) return "";
    auto inner = a.attempt->Open(*env, result);
    EXPECT_THAT(inner, IsOk());
    if (!inner.ok()) return "";
    return std::string(AsStringView(inner->secret().Reveal()));
  }

  std::atomic<bool> log_accepts_{true};
  std::atomic<bool> in_append_{false};
  std::optional<std::shared_future<void>> gate_;
  Sha256Hash broker_m_ = Measurement("vouch-broker enclave");
  Sha256Hash app_m_ = Measurement("app enclave");
  govern::EntryRef app_admission_;
  std::optional<X25519PrivateKey> hpke_key_;
  std::unique_ptr<LocalSigningKey> signing_key_;
  std::unique_ptr<LocalSigningKey> owner_;
  std::unique_ptr<platform::Platform> broker_platform_;
  std::unique_ptr<platform::Platform> app_platform_;
};

}  // namespace vouch::server::ledger_testing

#endif  // VOUCH_SERVER_BROKER_FIXTURE_H_

// Releases of a provisioned secret by the broker (issue 15, "Speed"; docs/broker.md, "Speed"):
// `Broker::Release` — spec/provisioning.md §3.4 steps 2–18: the envelope, the nonce, the quote
// verified with cached collateral, the binding, the constraint, a fresh witnessed view of the
// ledger (an incremental sync), the admission, the envelope opened, the release record signed
// and appended over HTTP (concurrent records share the sequencer's batches) and the response
// sealed — from several client threads at once. The ledger is real: a SQLite log, three witnesses
// at a 2-of-3 quorum and the log's HTTP API on loopback in this process (bench_ledger.h); the
// broker and the application run on simulated platforms of one sim installation.
//
// Next to it, measured in the same run on one thread: the spec's reference, one ECDSA P-256
// verification plus two X25519 operations per release (the least any release must cost); the
// goal is at least 50% of its rate per core. Not a test.
//
//   build/default/bench/broker_bench [--releases N] [--clients C]   (default 400, 8)
//
// Nonces, the application's fresh keys and its quotes are made before the timed loop (they are
// the enclave's work, not the broker's). The broker's first release (its broker-key statement
// and the first full sync) is made before the timed loop too. Last, what `vouch serve broker`
// adds per release: its row in the operator's records (store/broker_store.h, SQLite, synced
// before the answer), stored from as many threads, next to the releases' own latency.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_ledger.h"
#include "bench_util.h"
#include "govern/history_builder.h"
#include "platform/test_identity.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519.h"
#include "vouch/platform/sim.h"
#include "vouch/provision/binding.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/envelope_crypto.h"
#include "vouch/provision/inner.h"
#include "vouch/server/broker.h"
#include "vouch/server/log_client.h"
#include "vouch/sgx/verifier.h"
#include "vouch/store/sqlite_broker_store.h"

namespace {

using namespace vouch;  // NOLINT(google-build-using-namespace): benchmark
using bench::Must;
using govern::testing::HistoryBuilder;
using govern::testing::Measurement;

constexpr int64_t kDay = 86400;
const std::string kBuilderA = "https://builder-a.example/vouch";
const std::string kBuilderB = "https://builder-b.example/ci";
constexpr char kSecret[] = "postgres://app:hunter2@db/app";

platform::EnclaveIdentity Identity(const Sha256Hash& m) {
  return vouch::testing::TestIdentity(m, Measurement("bench signer"));
}

std::string Constraint(const Sha256Hash& m) { return "C:" + HexEncodeUpper(m) + " SEC:INSECURE"; }

// One prepared request and the key that opens its answer.
struct Attempt {
  server::ReleaseRequest request;
  std::optional<X25519PrivateKey> key;
};

}  // namespace

int main(int argc, char** argv) {
  int releases = 400;
  int clients = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--releases") == 0) releases = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--clients") == 0) clients = std::atoi(argv[i + 1]);
  }
  if (releases < 1 || clients < 1 || clients > 256) {
    return std::fprintf(stderr, "usage: broker_bench [--releases N>0] [--clients 1..256]\n"), 2;
  }
  const Clock& clock = RealClock();
  const UnixSeconds t0 = clock.Now() - 2 * 3600;
  auto hb = Must(HistoryBuilder::Create(t0), "history builder");
  bench::BenchLedger ledger("broker-bench");
  auto sim = std::make_shared<platform::SimInstallation>(
      Must(platform::SimInstallation::Init(ledger.dir() + "/sim", t0, false), "sim"));
  auto verifier =
      Must(sgx::DcapVerifier::Create({{sim->pki().root(), sgx::TrustRootKind::kSimulation}}),
           "verifier");
  const sgx::Collateral collateral = Must(sim->CollateralAt(clock.Now()), "collateral");

  // The governance: root set 1 (one root), the broker admitted for broker, the application for
  // workload, each measurement with provenance by two builders.
  const Sha256Hash root_m = Measurement("vouch-root enclave");
  const Sha256Hash broker_m = Measurement("vouch-broker enclave");
  const Sha256Hash app_m = Measurement("app enclave");
  auto provenance = [&](const Sha256Hash& m, const std::string& target) {
    return ledger.AppendAll(
        {Must(hb->Sign({hb->MakeProvenance(kBuilderA, m, std::string(40, '1'), target, t0)},
                       {"builder-a"}),
              "provenance"),
         Must(hb->Sign({hb->MakeProvenance(kBuilderB, m, std::string(40, '1'), target, t0 + 60)},
                       {"builder-b"}),
              "provenance")},
        hb.get());
  };
  {
    auto root =
        Must(hb->MakeRoot("root-a", "root-1", root_m, provenance(root_m, "vouch-root")), "root");
    root.constraint = Constraint(root_m);
    govern::RootSet set = hb->MakeRootSet(
        1, t0 + 3600, t0 + 180 * kDay, 1, {root},
        {hb->MakeBuilder(kBuilderA, {"builder-a"}), hb->MakeBuilder(kBuilderB, {"builder-b"})});
    ledger.AppendAll({Must(hb->Sign({set}, {"root-1"}), "root set")}, hb.get());
  }
  auto admit = [&](govern::Role role, const Sha256Hash& m, const std::string& target) {
    auto refs = provenance(m, target);
    const UnixSeconds issued = clock.Now() - 60;
    return ledger.AppendAll(
        {Must(hb->Sign({hb->MakeAdmission(role, Constraint(m), issued, issued + 30 * kDay, refs)},
                       {"root-1"}),
              "admission")},
        hb.get())[0];
  };
  admit(govern::Role::kBroker, broker_m, "vouch-broker");
  const govern::EntryRef app_admission = admit(govern::Role::kWorkload, app_m, "app");

  // The broker, reading and appending to the log over HTTP.
  http::HttpClient http;
  auto log = Must(server::LogClient::Create(ledger.url(), http), "log client");
  const X25519PrivateKey hpke = Must(X25519PrivateKey::Generate(), "hpke key");
  const auto signing = Must(LocalSigningKey::Generate(SignatureAlgorithm::kEd25519), "key");
  auto broker_platform = platform::NewSimPlatform(sim, Identity(broker_m));
  server::BrokerOptions o;
  o.self_check.role = govern::Role::kBroker;
  o.self_check.platform = broker_platform.get();
  const ByteSpan spki = signing->verifier().spki_der();
  o.self_check.service_spki.assign(spki.begin(), spki.end());
  o.self_check.report_data =
      Must(provision::BrokerKeyReportData(hpke.public_key(), spki), "report data");
  o.self_check.verifier = verifier.get();
  o.self_check.collateral = [&collateral](ByteSpan, UnixSeconds) {
    return StatusOr<sgx::Collateral>(collateral);
  };
  o.self_check.ledger.policy = &ledger.policy();
  o.self_check.ledger.clock = &clock;
  o.hpke_key = &hpke;
  o.signing_key = signing.get();
  o.append = [&log](ByteSpan entry) -> StatusOr<uint64_t> {
    VOUCH_ASSIGN_OR_RETURN(server::AddResponse added, log.Add(entry));
    return added.index;
  };
  o.nonces.max_per_envelope = static_cast<size_t>(releases) + 1;
  o.nonces.max_outstanding = std::max<size_t>(o.nonces.max_per_envelope, 65'536);
  o.nonces.max_retained = 4 * o.nonces.max_outstanding;
  auto broker = Must(server::Broker::Create(log, std::move(o)), "broker");

  // The owner's envelope for the application.
  const auto owner = Must(LocalSigningKey::Generate(SignatureAlgorithm::kEd25519), "owner");
  provision::EnvelopeRequest er;
  bench::Must(SystemRandom().Fill(er.id), "id");
  er.created = clock.Now();
  er.constraint = Constraint(app_m);
  er.admitted_by = {app_admission};
  er.checkpoint = provision::CheckpointRef{std::string(govern::testing::kTestOrigin),
                                           app_admission.index + 1, Sha256Digest{}};
  er.broker_key = hpke.public_key();
  const PublicKeySign* owners[] = {owner.get()};
  const auto envelope = Must(
      provision::MakeEnvelope(
          er, Must(provision::Inner::Generate(SecretBytes(AsBytes(kSecret))), "inner"), owners),
      "envelope");
  const Bytes envelope_bytes = ToBytes(envelope.bytes());

  // The application's side, prepared: a nonce, a fresh key and a quote binding both, per release.
  auto app_platform = platform::NewSimPlatform(sim, Identity(app_m));
  auto prepare = [&]() {
    Attempt a;
    a.request.envelope = envelope_bytes;
    a.request.nonce = Must(broker->Challenge(er.id), "challenge").nonce;
    a.key.emplace(Must(X25519PrivateKey::Generate(), "enclave key"));
    a.request.enclave_key = a.key->public_key();
    a.request.quote = Must(
        app_platform->Quote(provision::ReleaseReportData(a.request.nonce, a.request.enclave_key)),
        "quote");
    return a;
  };
  auto opens = [&](const Attempt& a, const server::ReleaseResult& r) {
    provision::ResponseBinding binding{er.id, a.request.nonce, a.request.enclave_key,
                                       r.record_leaf_hash};
    auto inner = provision::OpenResponse(*a.key, binding, r.sealed);
    return inner.ok() && AsStringView(inner->secret().Reveal()) == kSecret;
  };
  {
    Attempt first = prepare();
    auto r = Must(broker->Release(first.request), "first release");
    if (!opens(first, r)) return std::fprintf(stderr, "the first release does not open\n"), 1;
  }
  std::vector<Attempt> attempts;
  attempts.reserve(static_cast<size_t>(releases));
  for (int i = 0; i < releases; ++i) attempts.push_back(prepare());
  std::printf(
      "log, 3 witnesses (quorum 2 of 3), broker and application on simulated platforms, on "
      "loopback; ledger before: %zu entries\n",
      hb->entries().size());

  // The timed loop: `clients` threads, each releasing the next prepared request.
  std::vector<double> ms(attempts.size());
  std::vector<std::optional<server::ReleaseResult>> results(attempts.size());
  std::atomic<size_t> next{0};
  std::atomic<int> failed{0};
  // The broker's own CPU: Broker::Release runs on the calling thread, its HTTP client too, so
  // the releasing threads' CPU is the broker's; the log's and the witnesses' is not in it.
  std::vector<double> broker_cpu(static_cast<size_t>(clients));
  const double cpu_start = ProcessCpuSeconds();
  const auto start = clock.SteadyNow();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const double thread_start = ThreadCpuSeconds();
      for (size_t i = next++; i < attempts.size(); i = next++) {
        const auto t = clock.SteadyNow();
        auto r = broker->Release(attempts[i].request);
        ms[i] = bench::Ms(clock.SteadyNow() - t);
        if (!r.ok()) {
          if (failed++ == 0) std::fprintf(stderr, "release: %s\n", r.status().ToString().c_str());
          continue;
        }
        results[i] = *std::move(r);
      }
      broker_cpu[static_cast<size_t>(c)] = ThreadCpuSeconds() - thread_start;
    });
  }
  for (auto& t : threads) t.join();
  const double total_s = bench::Ms(clock.SteadyNow() - start) / 1000;
  const double cpu_s = ProcessCpuSeconds() - cpu_start;
  if (failed > 0) return std::fprintf(stderr, "%d releases failed\n", failed.load()), 1;
  for (size_t i = 0; i < attempts.size(); ++i) {
    if (!opens(attempts[i], *results[i]))
      return std::fprintf(stderr, "a release does not open\n"), 1;
  }
  const double rate = releases / total_s;
  const double per_cpu_second = releases / cpu_s;
  const double broker_cpu_s = std::accumulate(broker_cpu.begin(), broker_cpu.end(), 0.0);
  const double broker_per_cpu_second = releases / broker_cpu_s;
  std::printf(
      "releases (%d clients): %d in %.2f s = %.1f releases/s; latency p50 %.1f ms, p99 %.1f ms, "
      "max %.1f ms; CPU of the whole process (broker, log, witnesses) %.2f s = %.0f releases per "
      "CPU-second\n",
      clients, releases, total_s, rate, bench::Percentile(ms, 0.5), bench::Percentile(ms, 0.99),
      *std::max_element(ms.begin(), ms.end()), cpu_s, per_cpu_second);
  std::printf(
      "the broker's own CPU (the releasing threads) %.2f s = %.0f releases per CPU-second\n",
      broker_cpu_s, broker_per_cpu_second);

  // The operator's records: one durable row per release, with its quote, as the service writes.
  {
    auto journal = Must(store::OpenSqliteBrokerStore(ledger.dir() + "/broker.db"), "broker store");
    std::vector<double> row_ms(attempts.size());
    next = 0;
    const auto rows_start = clock.SteadyNow();
    threads.clear();
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < attempts.size(); i = next++) {
          const server::ReleaseResult& r = *results[i];
          const auto t = clock.SteadyNow();
          Status stored = journal->AddRelease({.release_id = r.release_id,
                                               .envelope_id = r.envelope_id,
                                               .time = r.time,
                                               .log_index = r.record_index,
                                               .leaf_hash = r.record_leaf_hash,
                                               .mrenclave = r.mrenclave,
                                               .quote = attempts[i].request.quote});
          row_ms[i] = bench::Ms(clock.SteadyNow() - t);
          if (!stored.ok() && failed++ == 0) {
            std::fprintf(stderr, "journal: %s\n", stored.ToString().c_str());
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failed > 0) return std::fprintf(stderr, "%d journal rows failed\n", failed.load()), 1;
    const double rows_s = bench::Ms(clock.SteadyNow() - rows_start) / 1000;
    std::printf(
        "operator's records (SQLite, synced, %d threads): %d rows in %.2f s = %.0f rows/s; row "
        "latency p50 %.2f ms, p99 %.2f ms = %.1f%% of a release's p50\n",
        clients, releases, rows_s, releases / rows_s, bench::Percentile(row_ms, 0.5),
        bench::Percentile(row_ms, 0.99),
        100 * bench::Percentile(row_ms, 0.5) / bench::Percentile(ms, 0.5));
  }

  // The reference: one ECDSA P-256 verification and two X25519 operations, on one thread.
  const auto p256 = Must(LocalSigningKey::Generate(SignatureAlgorithm::kEcdsaP256Sha256), "p256");
  const Bytes message = ToBytes(AsBytes("a quote's signed body"));
  const Bytes sig = Must(p256->Sign(message), "sign");
  const X25519PrivateKey a = Must(X25519PrivateKey::Generate(), "x25519");
  const X25519PrivateKey b = Must(X25519PrivateKey::Generate(), "x25519");
  const double ref = bench::Rate(2.0, 10, 10, [&] {
    return p256->verifier().Verify(message, sig).ok() && a.Agree(b.public_key()).ok() &&
           b.Agree(a.public_key()).ok();
  });
  std::printf(
      "reference (one thread): 1 ECDSA P-256 verification + 2 X25519 = %.0f /s; releases per "
      "CPU-second of the broker = %.1f%% of it (goal >= 50%%), of the whole process = %.1f%%\n",
      ref, 100 * broker_per_cpu_second / ref, 100 * per_cpu_second / ref);
  // What no release can do without, on one thread: the quote's ECDSA verifications (the
  // attestation key's signature; the QE report's PCK signature only when the verifier has not
  // verified that very QE report before, as the quotes of one platform share it), two X25519
  // operations (a fresh key agreed with the enclave's; the envelope's secret was opened by the
  // first release, made before the timed loop, and is kept) and the record's signature (this
  // broker's key, Ed25519): the most a release could reach if nothing else cost.
  const sgx::DcapVerifier::CacheStats qe = verifier->cache_stats();
  const bool qe_verified_each_time = qe.qe_report_misses >= static_cast<uint64_t>(releases);
  const double floor = bench::Rate(2.0, 10, 10, [&] {
    return p256->verifier().Verify(message, sig).ok() &&
           (!qe_verified_each_time || p256->verifier().Verify(message, sig).ok()) &&
           a.Agree(b.public_key()).ok() && b.Agree(a.public_key()).ok() &&
           signing->Sign(message).ok();
  });
  std::printf(
      "a release's own cryptography (one thread): %d ECDSA P-256 verification%s (QE reports "
      "verified: %llu, remembered: %llu) + 2 X25519 + 1 Ed25519 signature = %.0f /s = %.1f%% of "
      "the reference (no release can do better)\n",
      qe_verified_each_time ? 2 : 1, qe_verified_each_time ? "s" : "",
      static_cast<unsigned long long>(qe.qe_report_misses),
      static_cast<unsigned long long>(qe.qe_report_hits), floor, 100 * floor / ref);
  std::printf("ledger after: %llu entries\n",
              static_cast<unsigned long long>(ledger.publisher().Latest()->size()));
  broker.reset();
  ledger.Stop();
  return 0;
}

// Admissions countersigned end to end by three roots (issue 14, "Speed"; docs/root.md): propose
// → 2 of 3 roots' signatures over HTTP → appended over HTTP → covered by a checkpoint that a
// 2-of-3 witness quorum cosigned. A real log (SQLite store, Sequencer, CheckpointPublisher, the
// HTTP API), three real witnesses and three RootServices, each on a simulated platform of its
// own sim installation, all on loopback in this process; the roots read the log over HTTP.
// Then the cost of a root's full self-check (RunSelfCheck with no previous view: quote, every
// tile, the replay of every entry) next to a reference measured in the same run: the signature
// verifications it needs (the checkpoint's policy verification: log signature and cosignatures,
// plus every Ed25519 DSSE signature of every entry), timed with the crypto API directly.
// Not a test.
//
//   build/default/bench/root_bench [--admissions N]   (default 100)
//
// Each admission is of a distinct measurement whose provenance by two builders is in the log
// before the timed loop starts (2 entries per admission). Admissions are proposed one at a time.
// The evidence attester of the roots accepts every root (sim evidence; the real one is
// `serve root --collateral`'s); the roots' rate limit is lifted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench_ledger.h"
#include "bench_util.h"
#include "govern/history_builder.h"
#include "platform/test_identity.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/time.h"
#include "vouch/crypto/sha.h"
#include "vouch/dsse/envelope.h"
#include "vouch/http/http_server.h"
#include "vouch/platform/sim.h"
#include "vouch/server/enclave_key.h"
#include "vouch/server/log_client.h"
#include "vouch/server/root_client.h"
#include "vouch/server/root_service.h"
#include "vouch/server/self_check.h"
#include "vouch/tlog/checkpoint.h"

namespace {

using namespace vouch;  // NOLINT(google-build-using-namespace): benchmark
using govern::testing::HistoryBuilder;
using govern::testing::Measurement;

constexpr int64_t kDay = 86400;
const std::string kBuilderA = "https://builder-a.example/vouch";
const std::string kBuilderB = "https://builder-b.example/ci";

using vouch::bench::BenchLedger;
using vouch::bench::Die;
using vouch::bench::Ms;
using vouch::bench::Must;
using vouch::bench::Percentile;

class AcceptingAttester final : public govern::EvidenceAttester {
 public:
  Status Attest(const govern::RootDescriptor& /*root*/, UnixSeconds /*at*/) override {
    return OkStatus();
  }
};

// A root: its own sim installation, platform, sealed key, log client and HTTP server.
struct BenchRoot {
  std::shared_ptr<platform::SimInstallation> sim;
  std::unique_ptr<sgx::DcapVerifier> verifier;
  http::HttpClient http;
  std::unique_ptr<server::LogClient> log;
  std::unique_ptr<server::RootService> service;
  std::unique_ptr<http::HttpServer> server;
  std::unique_ptr<server::RootClient> client;
};

platform::EnclaveIdentity RootIdentity(const Sha256Hash& m) {
  return vouch::testing::TestIdentity(m, Measurement("root signer"));
}

}  // namespace

int main(int argc, char** argv) {
  int admissions = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--admissions") == 0) admissions = std::atoi(argv[i + 1]);
  }
  if (admissions < 1) return std::fprintf(stderr, "--admissions must be at least 1\n"), 2;
  const Clock& clock = RealClock();
  const UnixSeconds t0 = clock.Now() - 2 * 3600;
  auto hb = Must(HistoryBuilder::Create(t0), "history builder");
  const Sha256Hash root_m = Measurement("vouch-root enclave");

  // The log and its witnesses (2 of 3).
  BenchLedger ledger("root-bench");
  const std::string dir = ledger.dir();
  const std::string log_url = ledger.url();
  const tlog::Policy& policy = ledger.policy();
  std::vector<Bytes> entries;  // every entry appended, in order (for the reference)
  auto append_all = [&](const std::vector<Bytes>& batch) {
    entries.insert(entries.end(), batch.begin(), batch.end());
    return ledger.AppendAll(batch, hb.get());
  };

  // Provenance of the root's measurement by two builders.
  const auto root_refs = append_all(
      {Must(
           hb->Sign({hb->MakeProvenance(kBuilderA, root_m, std::string(40, '1'), "vouch-root", t0)},
                    {"builder-a"}),
           "provenance"),
       Must(hb->Sign({hb->MakeProvenance(kBuilderB, root_m, std::string(40, '1'), "vouch-root",
                                         t0 + 60)},
                     {"builder-b"}),
            "provenance")});

  // Three roots, bootstrapping.
  AcceptingAttester attester;
  std::vector<std::unique_ptr<BenchRoot>> roots;
  for (int n = 0; n < 3; ++n) {
    auto r = std::make_unique<BenchRoot>();
    const std::string rdir = dir + "/root" + std::to_string(n);
    r->sim = std::make_shared<platform::SimInstallation>(
        Must(platform::SimInstallation::Init(rdir + "/sim", t0, false), "sim"));
    r->verifier =
        Must(sgx::DcapVerifier::Create({{r->sim->pki().root(), sgx::TrustRootKind::kSimulation}}),
             "verifier");
    r->log = std::make_unique<server::LogClient>(
        Must(server::LogClient::Create(log_url, r->http), "log client"));
    std::unique_ptr<platform::Platform> platform =
        platform::NewSimPlatform(r->sim, RootIdentity(root_m));
    auto key = Must(server::EnclaveKey::LoadOrCreate(
                        *platform, rdir + "-" + server::kRootKeyFileName, server::kRootKeyPurpose),
                    "root key");
    server::RootServiceOptions o;
    o.log = r->log.get();
    o.ledger.policy = &policy;
    o.ledger.clock = &clock;
    o.verifier = r->verifier.get();
    o.collateral = [sim = r->sim](ByteSpan, UnixSeconds at) { return sim->CollateralAt(at); };
    o.attester = &attester;
    o.bootstrap = true;
    o.recheck_interval = std::chrono::milliseconds(100);
    o.sign_rate = 1e6;
    o.sign_burst = 1e6;
    r->service =
        Must(server::RootService::Create(std::move(platform), std::move(key), o), "root service");
    r->server = Must(http::HttpServer::Start({}, r->service->Routes()), "root server");
    r->client = std::make_unique<server::RootClient>(
        Must(server::RootClient::Create("http://" + r->server->address(), r->http), "client"));
    roots.push_back(std::move(r));
  }
  std::vector<const server::RootClient*> clients;
  for (const auto& r : roots) clients.push_back(r->client.get());

  // Collects the roots' signatures over `payload` and keeps those that verify; dies below 2.
  auto countersign = [&](const Bytes& payload) {
    std::vector<dsse::Signature> sigs;
    const Bytes pae = dsse::Pae(dsse::kInTotoPayloadType, payload);
    auto answers = server::CollectSignatures(clients, payload);
    for (size_t i = 0; i < answers.size(); ++i) {
      if (!answers[i].signature.ok()) continue;
      if (!roots[i]->service->key().public_key().Verify(pae, answers[i].signature->sig).ok()) {
        continue;
      }
      sigs.push_back(*answers[i].signature);
    }
    if (sigs.size() < 2) {
      for (const auto& a : answers) {
        if (!a.signature.ok()) std::fprintf(stderr, "%s: ", a.url.c_str());
        if (!a.signature.ok())
          std::fprintf(stderr, "%s\n", a.signature.status().ToString().c_str());
      }
      std::exit(1);
    }
    auto entry = Must(dsse::LedgerEntry::Create(payload, sigs), "entry");
    return Bytes(entry.bytes().begin(), entry.bytes().end());
  };
  auto payload_of = [&](const govern::Statement& statement) {
    auto entry = Must(hb->Sign(statement, {"other"}), "statement");
    return Must(dsse::LedgerEntry::Parse(entry), "parse").payload();
  };

  // Root set 1: the three roots, threshold 2, countersigned by the bootstrapping roots.
  {
    std::vector<govern::RootDescriptor> descriptors;
    for (int n = 0; n < 3; ++n) {
      govern::RootDescriptor d;
      d.name = "root-" + std::string(1, static_cast<char>('a' + n));
      d.key = roots[static_cast<size_t>(n)]->service->key().StatementKey();
      d.constraint = "C:" + HexEncodeUpper(root_m) + " SEC:INSECURE";
      d.quote = roots[static_cast<size_t>(n)]->service->binding_quote();
      d.reproduced_by = root_refs;
      descriptors.push_back(std::move(d));
    }
    const UnixSeconds now = clock.Now();
    govern::RootSet set = hb->MakeRootSet(
        1, now - 60, now + 180 * kDay, 2, std::move(descriptors),
        {hb->MakeBuilder(kBuilderA, {"builder-a"}), hb->MakeBuilder(kBuilderB, {"builder-b"})});
    append_all({countersign(payload_of({set}))});
  }
  // The roots leave bootstrap at their next recheck.
  for (const auto& r : roots) {
    auto deadline = clock.SteadyNow() + std::chrono::seconds(20);
    while (!r->service->signer().status().check.ok() || r->service->signer().status().bootstrap) {
      if (clock.SteadyNow() > deadline)
        Die("root not admitted", r->service->signer().status().check);
      clock.SleepFor(std::chrono::milliseconds(10));
    }
  }

  // Provenance of every admission's measurement, before the timed loop.
  std::vector<std::vector<govern::EntryRef>> refs(static_cast<size_t>(admissions));
  {
    std::vector<Bytes> batch;
    for (int i = 0; i < admissions; ++i) {
      const Sha256Hash m = Measurement("workload " + std::to_string(i));
      char commit_hex[41];
      std::snprintf(commit_hex, sizeof commit_hex, "%040x", static_cast<unsigned>(i));
      const std::string commit = commit_hex;
      batch.push_back(
          Must(hb->Sign({hb->MakeProvenance(kBuilderA, m, commit, "w", clock.Now() - 600)},
                        {"builder-a"}),
               "provenance"));
      batch.push_back(
          Must(hb->Sign({hb->MakeProvenance(kBuilderB, m, commit, "w", clock.Now() - 600)},
                        {"builder-b"}),
               "provenance"));
    }
    auto all = append_all(batch);
    for (size_t i = 0; i < refs.size(); ++i) refs[i] = {all[2 * i], all[2 * i + 1]};
  }
  std::printf(
      "log, 3 witnesses (quorum 2 of 3) and 3 roots (threshold 2 of 3, each on its own sim "
      "installation) on loopback; ledger before: %zu entries\n",
      entries.size());

  // The timed loop: propose → threshold → logged under a quorum checkpoint.
  http::HttpClient log_http;
  auto log = Must(server::LogClient::Create(log_url, log_http), "log client");
  std::vector<double> ms;
  const auto start = clock.SteadyNow();
  for (int i = 0; i < admissions; ++i) {
    const auto t = clock.SteadyNow();
    const UnixSeconds issued = clock.Now() - 60;
    const Sha256Hash m = Measurement("workload " + std::to_string(i));
    const Bytes entry = countersign(payload_of(
        {hb->MakeAdmission(govern::Role::kWorkload, "C:" + HexEncodeUpper(m) + " SEC:STALE", issued,
                           issued + 30 * kDay, refs[static_cast<size_t>(i)])}));
    auto added = Must(log.Add(entry), "add");
    if (!ledger.WaitForSize(added.index + 1)) return std::fprintf(stderr, "timeout\n"), 1;
    entries.push_back(entry);
    hb->Append(entry);
    ms.push_back(Ms(clock.SteadyNow() - t));
  }
  const double total_s = Ms(clock.SteadyNow() - start) / 1000;
  std::printf(
      "admissions (sequential): %d in %.2f s = %.1f admissions/s; latency p50 %.1f ms, "
      "p99 %.1f ms, max %.1f ms\n",
      admissions, total_s, admissions / total_s, Percentile(ms, 0.5), Percentile(ms, 0.99),
      *std::max_element(ms.begin(), ms.end()));

  // A root's full self-check on the resulting ledger (root 0's identity, key and log client).
  const auto& r0 = *roots[0];
  std::unique_ptr<platform::Platform> platform =
      platform::NewSimPlatform(r0.sim, RootIdentity(root_m));
  server::SelfCheckOptions check;
  check.role = govern::Role::kRoot;
  check.platform = platform.get();
  const ByteSpan spki = r0.service->key().spki_der();
  check.service_spki.assign(spki.begin(), spki.end());
  check.report_data = govern::RootKeyReportData(check.service_spki);
  check.verifier = r0.verifier.get();
  check.collateral = [sim = r0.sim](ByteSpan, UnixSeconds at) { return sim->CollateralAt(at); };
  check.ledger.policy = &policy;
  check.ledger.clock = &clock;
  check.ledger.replay.attester = &attester;
  std::vector<double> check_ms;
  uint64_t checked_size = 0;
  for (int i = 0; i < 5; ++i) {
    const auto t = clock.SteadyNow();
    auto result = Must(server::RunSelfCheck(*r0.log, check, nullptr), "self-check");
    check_ms.push_back(Ms(clock.SteadyNow() - t));
    checked_size = result.view.checkpoint.size();
  }

  // Reference: the signature verifications of that check, with the crypto API directly.
  const std::string note = Must(r0.log->FetchCheckpoint(), "checkpoint");
  const auto cp = Must(tlog::SignedCheckpoint::Parse(note), "checkpoint");
  std::map<std::string, const PublicKeyVerify*> keys;
  for (const char* name : {"builder-a", "builder-b"}) {
    keys[hb->key(name).verifier().KeyId()] = &hb->key(name).verifier();
  }
  for (const auto& r : roots) keys[r->service->key().KeyId()] = &r->service->key().public_key();
  struct Check {
    const PublicKeyVerify* key;
    Bytes pae;
    Bytes sig;
  };
  std::vector<Check> checks;
  for (const Bytes& e : entries) {
    auto parsed = Must(dsse::LedgerEntry::Parse(e), "entry");
    for (const auto& s : parsed.signatures()) {
      auto k = keys.find(s.keyid);
      if (k == keys.end()) return std::fprintf(stderr, "unknown keyid %s\n", s.keyid.c_str()), 1;
      checks.push_back({k->second, dsse::Pae(dsse::kInTotoPayloadType, parsed.payload()), s.sig});
    }
  }
  std::vector<double> ref_ms;
  for (int i = 0; i < 5; ++i) {
    const auto t = clock.SteadyNow();
    if (!policy.VerifyCheckpoint(cp).ok()) return std::fprintf(stderr, "no quorum\n"), 1;
    for (const Check& c : checks) {
      if (!c.key->Verify(c.pae, c.sig).ok()) return std::fprintf(stderr, "bad signature\n"), 1;
    }
    ref_ms.push_back(Ms(clock.SteadyNow() - t));
  }
  const double check_p50 = Percentile(check_ms, 0.5), ref_p50 = Percentile(ref_ms, 0.5);
  std::printf("ledger: %llu entries, %zu DSSE signatures, checkpoint note %zu bytes\n",
              static_cast<unsigned long long>(checked_size), checks.size(), note.size());
  std::printf(
      "reference: checkpoint policy verification (log signature + cosignatures) + %zu Ed25519 "
      "DSSE verifications: %.2f ms (median of 5)\n",
      checks.size(), ref_p50);
  std::printf(
      "root self-check from scratch (RunSelfCheck: quote, every tile, replay of every entry): "
      "%.2f ms (median of 5) = %.2fx the reference\n",
      check_p50, check_p50 / ref_p50);

  for (auto& r : roots) r->server->Stop();
  roots.clear();
  ledger.Stop();
  return 0;
}

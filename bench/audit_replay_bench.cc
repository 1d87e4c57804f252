// Benchmark of the offline ledger replay (`vouch audit replay`, docs/governance.md): statements
// per second over a generated history, next to the Ed25519 verification rate measured in the
// same process, and peak memory for growing prefixes of the history.
//
//   audit_replay_bench [--entries N] [--seconds S]
//   audit_replay_bench --entries N --write-history FILE   (only write the history, e.g. to load
//                                                         it into a log for `vouch audit LOG_URL`)
//
// The history (default 100,000 entries) is a root set 2-of-3, 100 provenance entries from two
// builders (one signature each), 200 admissions and processing-record updates of 20 activities
// (two or three root signatures each, alternating): every governance entry is fully judged —
// envelope, statement, signatures, time window, references, reproduction. It is written to a
// temporary JSON Lines file; each measurement runs in a fresh process (this program re-executed
// with --replay) so that its peak RSS (VmHWM) is the replay's alone.
//
// Reported: statements/s; signatures verified per entry; the Ed25519 verification rate; the
// rate those signatures alone allow (Ed25519 rate / signatures per entry) and the replay's share
// of it (goal: at least 45%); VmHWM at 25%, 50% and 100% of the entries (flat = bounded by the
// state, not the log).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "govern/history_builder.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/replay.h"

namespace {

using namespace vouch;          // NOLINT(google-build-using-namespace): benchmark program
using namespace vouch::govern;  // NOLINT(google-build-using-namespace): benchmark program
using testing::ConstraintFor;
using testing::HistoryBuilder;
using testing::Measurement;

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 86400;

// Writes a history of `n` entries to `path`; returns the number of signatures it holds.
uint64_t Generate(const std::string& path, uint64_t n) {
  UnixSeconds t0 = 1796115600;  // 2026-12-01T09:00:00Z
  auto hb = HistoryBuilder::Create(t0);
  if (!hb.ok()) std::exit(1);
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) std::exit(1);
  uint64_t index = 0;
  uint64_t signatures = 0;
  auto emit = [&](const StatusOr<Bytes>& entry, size_t sigs) {
    if (!entry.ok()) {
      std::fprintf(stderr, "generation failed: %s\n", entry.status().ToString().c_str());
      std::exit(1);
    }
    std::fwrite(entry->data(), 1, entry->size(), out);
    std::fputc('\n', out);
    signatures += sigs;
    return EntryRef{index++, Sha256(*entry)};
  };
  const std::string a = "https://builder-a.example/ci";
  const std::string b = "https://builder-b.example/ci";
  std::vector<std::pair<EntryRef, EntryRef>> prov;
  for (int m = 0; m < 50; ++m) {
    Sha256Hash mre = Measurement("workload " + std::to_string(m));
    std::string commit = HexEncode(Measurement("commit " + std::to_string(m))).substr(0, 40);
    EntryRef ra = emit(
        (*hb)->Sign(Statement{(*hb)->MakeProvenance(a, mre, commit, "app", t0)}, {"builder-a"}), 1);
    EntryRef rb = emit(
        (*hb)->Sign(Statement{(*hb)->MakeProvenance(b, mre, commit, "app", t0)}, {"builder-b"}), 1);
    prov.emplace_back(ra, rb);
  }
  Sha256Hash root_m = Measurement("root");
  std::string root_commit(40, 'c');
  EntryRef r0 =
      emit((*hb)->Sign(Statement{(*hb)->MakeProvenance(a, root_m, root_commit, "root", t0)},
                       {"builder-a"}),
           1);
  EntryRef r1 =
      emit((*hb)->Sign(Statement{(*hb)->MakeProvenance(b, root_m, root_commit, "root", t0)},
                       {"builder-b"}),
           1);
  std::vector<RootDescriptor> roots;
  for (int r = 1; r <= 3; ++r) {
    roots.push_back(*(*hb)->MakeRoot("root-" + std::to_string(r), "root-" + std::to_string(r),
                                     root_m, {r0, r1}));
  }
  RootSet set = (*hb)->MakeRootSet(
      1, t0 + kHour, t0 + 3000 * kDay, 2, roots,
      {(*hb)->MakeBuilder(a, {"builder-a"}), (*hb)->MakeBuilder(b, {"builder-b"})});
  emit((*hb)->Sign(Statement{set}, {"root-1", "root-2", "root-3"}), 3);
  const std::vector<std::string> two = {"root-1", "root-2"};
  const std::vector<std::string> three = {"root-1", "root-2", "root-3"};
  std::vector<EntryRef> admissions;
  for (int i = 0; i < 200 && index < n; ++i) {
    Sha256Hash mre = Measurement("workload " + std::to_string(i % 50));
    Admission adm =
        (*hb)->MakeAdmission(Role::kWorkload, ConstraintFor(mre), t0 + 2 * kHour + i,
                             t0 + 300 * kDay, {prov[i % 50].first, prov[i % 50].second});
    const auto& signers = i % 2 ? three : two;
    admissions.push_back(emit((*hb)->Sign(Statement{adm}, signers), signers.size()));
  }
  std::vector<uint64_t> versions(20, 0);
  for (uint64_t i = 0; index < n; ++i) {
    ProcessingRecord r;
    r.ledger = testing::kTestOrigin;
    r.issued_on = t0 + 3 * kHour + static_cast<int64_t>(i);
    r.activity_id = "activity-" + std::to_string(i % 20);
    r.activity_version = ++versions[i % 20];
    r.controllers = {{"controller", Sha256(AsBytes("register entry"))}};
    r.purposes = {"Processing for benchmark purposes"};
    r.data_subject_categories = {"Customers"};
    r.personal_data_categories = {"Account data"};
    r.erasure_time_limits = {{"Account data", "P365D", std::nullopt}};
    r.security_measures = {"Secrets released only to admitted enclaves"};
    r.covers = {admissions[i % admissions.size()], admissions[(i + 7) % admissions.size()]};
    const auto& signers = i % 2 ? three : two;
    emit((*hb)->Sign(Statement{r}, signers), signers.size());
  }
  std::fclose(out);
  return signatures;
}

long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// Child mode: measures Ed25519 verification, then replays the first `limit` lines of `path`.
int ReplayMode(const std::string& path, uint64_t limit, double seconds) {
  auto key = LocalSigningKey::FromEd25519Seed(Bytes(32, 7));
  Bytes message(1500, 'x');
  Bytes sig = *(*key)->Sign(message);
  const PublicKeyVerify& verifier = (*key)->verifier();
  double ed25519 =
      vouch::bench::Rate(seconds, 100, 100, [&] { return verifier.Verify(message, sig).ok(); });
  std::ifstream in(path, std::ios::binary);
  std::string line;
  GovernanceState state({});
  uint64_t n = 0;
  uint64_t valid = 0;
  auto start = RealClock().SteadyNow();
  while (n < limit && std::getline(in, line)) {
    valid += state.Append(AsBytes(line)).valid ? 1 : 0;
    ++n;
  }
  double elapsed = std::chrono::duration<double>(RealClock().SteadyNow() - start).count();
  std::printf("%llu %llu %.1f %.1f %ld\n", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(valid), static_cast<double>(n) / elapsed, ed25519,
              PeakRssKb());
  return valid == n ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t entries = 100000;
  double seconds = 2;
  std::string replay_path;
  std::string history_path;
  uint64_t limit = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--entries" && i + 1 < argc) {
      entries = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--write-history" && i + 1 < argc) {
      history_path = argv[++i];
    } else if (arg == "--replay" && i + 2 < argc) {
      replay_path = argv[++i];
      limit = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: %s [--entries N] [--seconds S] [--write-history FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  if (!replay_path.empty()) return ReplayMode(replay_path, limit, seconds);
  if (!history_path.empty()) {
    uint64_t signatures = Generate(history_path, entries);
    std::printf("%s: %llu entries, %llu signatures\n", history_path.c_str(),
                static_cast<unsigned long long>(entries),
                static_cast<unsigned long long>(signatures));
    return 0;
  }

  char tmpl[] = "/tmp/audit_replay_bench_XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) return 3;
  ::close(fd);
  std::string path = tmpl;
  std::printf("generating %llu entries ...\n", static_cast<unsigned long long>(entries));
  uint64_t signatures = Generate(path, entries);
  double per_entry = static_cast<double>(signatures) / static_cast<double>(entries);
  std::printf("history: %llu entries, %.2f signatures per entry\n\n",
              static_cast<unsigned long long>(entries), per_entry);
  std::printf("%10s %12s %14s %14s %9s %10s\n", "entries", "stmts/s", "ed25519/s", "sig-bound/s",
              "ratio", "VmHWM");
  int rc = 0;
  for (uint64_t limit_n : {entries / 4, entries / 2, entries}) {
    std::string cmd = "'/proc/" + std::to_string(::getpid()) + "/exe' --replay '" + path + "' " +
                      std::to_string(limit_n) + " --seconds " + std::to_string(seconds);
    std::FILE* p = ::popen(cmd.c_str(), "r");
    unsigned long long n = 0, valid = 0;
    double rate = 0, ed = 0;
    long rss = 0;
    if (p == nullptr ||
        std::fscanf(p, "%llu %llu %lf %lf %ld", &n, &valid, &rate, &ed, &rss) != 5) {
      std::fprintf(stderr, "replay run failed\n");
      rc = 1;
      if (p) ::pclose(p);
      continue;
    }
    if (::pclose(p) != 0 || valid != n) {
      std::fprintf(stderr, "replay judged %llu of %llu entries valid\n", valid, n);
      rc = 1;
    }
    double bound = ed / per_entry;
    std::printf("%10llu %12.0f %14.0f %14.0f %8.0f%% %7ld MB\n", n, rate, ed, bound,
                100.0 * rate / bound, rss / 1024);
  }
  std::remove(path.c_str());
  return rc;
}

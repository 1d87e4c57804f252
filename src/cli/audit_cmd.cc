// `vouch audit replay`, `vouch audit export --art30` and `vouch audit releases`: replay a ledger
// offline from a JSON Lines file of entries in log order (spec/governance.md §4.5,
// docs/governance.md), export its GDPR Art. 30 records (§3.6.4) and list its release records
// (spec/provisioning.md §7). Thin: read lines, feed vouch::govern::GovernanceState,
// format.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/govern_common.h"
#include "cli/log_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/build/attest.h"
#include "vouch/constraint/constraint.h"
#include "vouch/crypto/x509.h"
#include "vouch/govern/art30.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/replay.h"
#include "vouch/ledger/audit.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/sgx/verifier.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/reasons.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::ordered_json;

// A line longer than this is an I/O problem, not an entry (entries are at most 65,535 bytes).
constexpr size_t kMaxLine = size_t{16} << 20;

struct LedgerAuditOptions {
  std::string file;
  std::string pin;
  std::string origin;
  std::string at;
  std::string register_file;
  std::string format = "csv";
  std::string out = "-";
  std::vector<std::string> collateral;
  std::vector<std::string> trust_roots;
  std::vector<std::string> sim_roots;
  bool art30 = false;
  std::string identity;  // releases: MRENCLAVE filter
  std::string envelope;  // releases: envelope id filter
  bool strict = false;
  bool json = false;
};

constexpr const char kReplayHelp[] =
    "Replays a ledger offline: FILE holds one entry per line (JSON Lines, log order, entry i on\n"
    "line i+1). Every entry is judged once, at its own position, by the rules of\n"
    "docs/governance.md (envelope, statement, root set in force, signatures counted once per\n"
    "key, time window, reproduction, revocations) and reported with its verdict; then the\n"
    "root-set chain, reproductions, admissions in force at --at, revocations and processing\n"
    "records. Alarms: signed_invalid (the roots signed what the rules refuse), not_reproducible\n"
    "(builders disagree), root_evidence_invalid (with --collateral: a root's quote or constraint\n"
    "fails full attestation), no root set matching --root-set-pin. Give\n"
    "--root-set-pin (the statement_digest of root set version 1): without it the first version\n"
    "1 set is trusted on first use (warning root_set_unpinned). Progress goes to stderr.";

constexpr const char kReplayFooter[] =
    "--json prints one object, streamed (so its verdict comes last): "
    "{\"format\":\"vouch-audit-replay/1\",\"entries\":[{\"index\",\n"
    "\"entry_hash\",\"class\",\"valid\",\"code\",\"message\",\"path\",\"findings\"}...],"
    "\"checkpoint\",\n"
    "\"summary\",\"root_set_chain\",\"reproductions\",\"admissions\",\"revocations\",\"records\",\n"
    "\"findings\",\"verdict\":\"accepted\"|\"rejected\"|\"error\"[,\"error\"]}.\n"
    "Exit codes: 0 no alarms; 1 alarms (with --strict also any invalid entry); 2 bad usage;\n"
    "3 I/O error.";

constexpr const char kExportHelp[] =
    "Replays FILE (as `vouch audit replay`) and exports the GDPR Art. 30(1) records of "
    "processing:\n"
    "one row (CSV, RFC 4180) or object (JSON) per activity, its latest valid version, with the\n"
    "controllers' names and contacts joined from your register file (the ledger holds only their\n"
    "salted digests), the covered admissions and how many are in force at --at.";

constexpr const char kExportFooter[] =
    "With --json (and --out FILE): {\"verdict\",\"out\",\"format\",\"missing\":[...]}.\n"
    "Exit codes: 0 exported; 1 exported, but a controller digest is missing from the register\n"
    "(register_entry_missing; the digest is exported); 2 bad usage or a malformed register;\n"
    "3 I/O error.";

constexpr const char kReleasesHelp[] =
    "Replays FILE (as `vouch audit replay`) and lists the secrets released through brokers: every\n"
    "valid release record (spec/provisioning.md §4.1: signed by an announced key of a broker\n"
    "admitted at its position), in log order, with its time, the target's MRENCLAVE and\n"
    "constraint, the envelope, the broker and the digest of the quote it released on. Filter\n"
    "with --identity MRENCLAVE or --envelope ID. Released secrets cannot be taken back; this is\n"
    "the list of who got what (docs/broker.md, \"Revocation\").";

constexpr const char kReleasesFooter[] =
    "--json prints "
    "{\"verdict\":\"ok\",\"format\":\"vouch-audit-releases/1\",\"entries\",\"releases\":[{\n"
    "\"index\","
    "\"entry_hash\",\"issued_on\",\"release_id\",\"envelope\":{\"id\",\"sha256\"},\"target\":{\n"
    "\"mrenclave\",\"mrsigner\",\"isv_prod_id\",\"isv_svn\",\"mode\",\"constraint\"},\"broker\":{"
    "\"mode\",\n"
    "\"mrenclave\",\"signing_keyid\"},\"quote_sha256\",\"unadmitted_override\",\"activity\"}...]}."
    "\n"
    "Exit codes: 0 listed (also none); 2 bad usage or a FILE that is no ledger; 3 FILE cannot be\n"
    "read.";

struct ReplayResult {
  uint64_t entries = 0;
  uint64_t valid = 0;
  uint64_t alarms = 0;
  uint64_t warnings = 0;
  std::map<std::string, uint64_t> by_class;
  Json findings = Json::array();
  tlog::CompactRange tree;
};

std::string ClassOf(const govern::EntryVerdict& v) {
  return v.kind ? std::string(govern::StatementKindName(*v.kind)) : "unknown";
}

Json VerdictJson(const govern::EntryVerdict& v) {
  Json j;
  j["index"] = v.index;
  j["entry_hash"] = HexEncode(v.entry_hash);
  j["class"] = ClassOf(v);
  j["valid"] = v.valid;
  if (!v.valid) {
    j["code"] = v.code;
    j["message"] = v.message;
    if (!v.path.empty()) j["path"] = v.path;
  }
  if (v.issued_on) j["issued_on"] = FormatRfc3339(*v.issued_on);
  if (!v.findings.empty()) {
    j["findings"] = Json::array();
    for (const govern::Finding& f : v.findings) {
      j["findings"].push_back({{"severity", govern::SeverityName(f.severity)},
                               {"code", f.code},
                               {"message", f.message}});
    }
  }
  return j;
}

// Counts the verdicts of a replay (offline or online) and prints them as they come: a line each,
// or, with --json, the members of the streamed "entries" array. Progress on stderr every 2 s.
class EntryPrinter {
 public:
  // `print` false: count only (the export, whose output is the records).
  EntryPrinter(bool json, ReplayResult* result, bool print = true)
      : json_(json), print_(print), result_(result) {}

  // The number of entries to come, for the progress lines (the online audit knows it).
  void set_total(uint64_t total) { total_ = total; }

  void Begin() {
    if (json_) std::cout << "{\"format\":\"vouch-audit-replay/1\",\"entries\":[";
  }

  void Add(ByteSpan entry, const govern::EntryVerdict& v) {
    ReplayResult& r = *result_;
    r.tree.Append(tlog::HashLeaf(entry));
    ++r.entries;
    if (v.valid) ++r.valid;
    ++r.by_class[ClassOf(v)];
    for (const govern::Finding& f : v.findings) {
      (f.severity == govern::Severity::kAlarm ? r.alarms : r.warnings)++;
      r.findings.push_back({{"index", v.index},
                            {"severity", govern::SeverityName(f.severity)},
                            {"code", f.code},
                            {"message", f.message}});
    }
    if (!print_) {
      // Counted only.
    } else if (json_) {
      std::cout << (r.entries == 1 ? "" : ",") << DumpJson(VerdictJson(v));
    } else {
      std::cout << "#" << v.index << " " << HexEncode(v.entry_hash).substr(0, 16) << " "
                << ClassOf(v) << ": "
                << (v.valid ? "valid" : "INVALID " + v.code + ": " + v.message)
                << (v.path.empty() ? "" : " [" + v.path + "]") << "\n";
      for (const govern::Finding& f : v.findings) {
        std::cout << "    " << (f.severity == govern::Severity::kAlarm ? "ALARM " : "warning ")
                  << f.code << ": " << f.message << "\n";
      }
    }
    auto now = RealClock().SteadyNow();
    if (now - last_report_ > std::chrono::seconds(2)) {
      double secs = std::chrono::duration<double>(now - start_).count();
      if (total_) {
        std::fprintf(stderr, "vouch: audit: %llu of %llu entries replayed (%.0f/s)\n",
                     static_cast<unsigned long long>(r.entries),
                     static_cast<unsigned long long>(*total_),
                     static_cast<double>(r.entries) / secs);
      } else {
        std::fprintf(stderr, "vouch: audit: %llu entries replayed (%.0f/s)\n",
                     static_cast<unsigned long long>(r.entries),
                     static_cast<double>(r.entries) / secs);
      }
      last_report_ = now;
    }
  }

  // The replay stopped: with --json the streamed object ends with the verdict and error
  // (docs/cli.md); otherwise the two lines on stderr. Returns `failure`'s exit code.
  int Fail(const Failure& failure, const std::string& what, const std::string& message) {
    if (!json_)
      return ReportFailure(false, ErrorCode{failure.code, failure.exit_code}, what, message);
    Json tail = {{"verdict", FailureVerdict(failure.exit_code)},
                 {"error", {{"code", failure.code}, {"message", message}}}};
    std::cout << "]," << DumpJson(tail).substr(1) << "\n";
    return failure.exit_code;
  }

 private:
  const bool json_;
  const bool print_;
  ReplayResult* result_;
  std::optional<uint64_t> total_;
  const std::chrono::steady_clock::time_point start_ = RealClock().SteadyNow();
  std::chrono::steady_clock::time_point last_report_ = start_;
};

// Feeds every line of `path` to `state` and `printer`.
Status ReplayFile(const std::string& path, govern::GovernanceState& state, EntryPrinter& printer) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) return UnavailableError("cannot open " + path + ": " + std::strerror(errno));
  std::string line;
  std::vector<char> buf(1 << 16);
  uint64_t lines = 0;
  Status status;
  auto finish_line = [&] {
    printer.Add(AsBytes(line), state.Append(AsBytes(line)));
    ++lines;
    line.clear();
  };
  while (true) {
    size_t n = std::fread(buf.data(), 1, buf.size(), file);
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        finish_line();
      } else {
        if (line.size() >= kMaxLine) {
          status = InvalidArgumentError("line " + std::to_string(lines + 1) +
                                        " is longer than 16 MiB: not a JSON Lines ledger file");
          break;
        }
        line.push_back(buf[i]);
      }
    }
    if (!status.ok()) break;
  }
  if (status.ok() && std::ferror(file)) status = UnavailableError("cannot read " + path);
  if (status.ok() && !line.empty()) finish_line();  // last line without a newline
  if (file != stdin) std::fclose(file);
  return status;
}

StatusOr<govern::ReplayOptions> MakeReplayOptions(const LedgerAuditOptions& opts) {
  govern::ReplayOptions o;
  VOUCH_ASSIGN_OR_RETURN(o.root_set_pin, RootSetPinArg(opts.pin));
  if (!opts.origin.empty()) o.origin = opts.origin;
  return o;
}

Json ChainJson(const govern::GovernanceState& state) {
  Json chain = Json::array();
  for (const auto& s : state.RootSetChain()) {
    Json j;
    j["version"] = s.version;
    j["index"] = s.index;
    j["statement_digest"] = HexEncode(s.statement_digest);
    j["entry_hash"] = HexEncode(s.entry_hash);
    j["issued_on"] = FormatRfc3339(s.issued_on);
    j["expires"] = FormatRfc3339(s.expires);
    j["threshold"] = s.threshold;
    j["reproduction_threshold"] = s.reproduction_threshold;
    j["roots"] = Json::array();
    for (const auto& r : s.roots) {
      j["roots"].push_back({{"name", r.name},
                            {"keyid", r.keyid},
                            {"constraint", r.constraint},
                            {"mrenclave", HexEncode(r.mrenclave)},
                            {"trusted_by", r.source}});
    }
    j["builders"] = Json::array();
    for (const auto& b : s.builders) j["builders"].push_back({{"id", b.id}, {"keyids", b.keyids}});
    chain.push_back(std::move(j));
  }
  return chain;
}

Json ReproductionsJson(const std::vector<govern::ReproductionSummary>& repro) {
  Json out = Json::array();
  for (const auto& r : repro) {
    Json j = {{"repository", r.repository}, {"git_commit", r.git_commit},
              {"target", r.target},         {"bundle_format", r.bundle_format},
              {"conflict", r.conflict},     {"measurements", Json::array()}};
    for (const auto& m : r.measurements) {
      j["measurements"].push_back({{"mrenclave", HexEncode(m.mrenclave)},
                                   {"builders", m.builders},
                                   {"entries", m.entries}});
    }
    out.push_back(std::move(j));
  }
  return out;
}

Json AdmissionsJson(const std::vector<govern::AdmissionSummary>& admissions) {
  Json out = Json::array();
  for (const auto& a : admissions) {
    Json j = {{"index", a.entry.index},
              {"entry_hash", HexEncode(a.entry.sha256)},
              {"role", govern::RoleName(a.role)},
              {"constraint", a.constraint},
              {"not_before", FormatRfc3339(a.not_before)},
              {"expires", FormatRfc3339(a.expires)},
              {"in_force", a.in_force}};
    if (!a.in_force) j["reason"] = a.reason;
    out.push_back(std::move(j));
  }
  return out;
}

Json RevocationsJson(const std::vector<govern::RevocationSummary>& revocations) {
  Json out = Json::array();
  for (const auto& r : revocations) {
    const govern::Revocation& v = r.revocation;
    Json target = {{"kind", govern::RevocationKindName(v.kind)}};
    switch (v.kind) {
      case govern::RevocationKind::kMeasurement:
        target["mrenclave"] = HexEncode(v.mrenclave);
        break;
      case govern::RevocationKind::kSigner:
        target["mrsigner"] = HexEncode(v.mrsigner);
        if (v.product_id) target["productId"] = *v.product_id;
        if (v.isv_svn_below) target["isvSvnBelow"] = *v.isv_svn_below;
        break;
      case govern::RevocationKind::kAdmission:
        target["entry"] = {{"index", v.entry.index}, {"sha256", HexEncode(v.entry.sha256)}};
        break;
      default:
        target["keyid"] = v.keyid;
    }
    out.push_back({{"index", r.entry.index},
                   {"entry_hash", HexEncode(r.entry.sha256)},
                   {"issued_on", FormatRfc3339(v.issued_on)},
                   {"target", target},
                   {"reason", v.reason}});
  }
  return out;
}

Json RecordsJson(const std::vector<govern::RecordSummary>& records) {
  Json out = Json::array();
  for (const auto& r : records) {
    Json covers = Json::array();
    for (const auto& c : r.record.covers) covers.push_back(c.index);
    out.push_back({{"activity", r.record.activity_id},
                   {"version", r.record.activity_version},
                   {"index", r.entry.index},
                   {"entry_hash", HexEncode(r.entry.sha256)},
                   {"covers", covers}});
  }
  return out;
}

// The end-of-log alarms (conflicting builders, no root set matching the pin), added to
// `result`; then the verdict: kExitOk (accepted) without alarms, kExitRejected with alarms or,
// with `strict`, any invalid entry.
int Conclude(const govern::GovernanceState& state, bool pinned, bool strict, ReplayResult* result) {
  auto add_alarm = [&](const char* code, const std::string& message) {
    ++result->alarms;
    result->findings.push_back(
        {{"index", nullptr}, {"severity", "alarm"}, {"code", code}, {"message", message}});
  };
  for (const auto& r : state.Reproductions()) {
    if (r.conflict) {
      add_alarm(govern::kNotReproducible, "builders disagree on the MRENCLAVE of " + r.repository +
                                              "@" + r.git_commit + " (" + r.target + ")");
    }
  }
  if (pinned && state.RootSetChain().empty()) {
    add_alarm(govern::kRootSetPinMismatch, "no root set matching --root-set-pin in the ledger");
  }
  const uint64_t invalid = result->entries - result->valid;
  return result->alarms > 0 || (strict && invalid > 0) ? kExitRejected : kExitOk;
}

// What the online audit adds to the report: members of "checkpoint", a "log" object, and the
// text lines that say the same.
struct LogReport {
  Json checkpoint = Json::object();
  Json log;
  std::vector<std::string> lines;
};

// The rest of the report after the entries, ending in the verdict of `rc`.
void PrintTail(bool json, int rc, const govern::GovernanceState& state, const ReplayResult& result,
               UnixSeconds at, const LogReport* log) {
  auto repro = state.Reproductions();
  auto chain = ChainJson(state);
  const uint64_t invalid = result.entries - result.valid;
  std::string root_hash = Base64Encode(result.tree.Root());
  if (json) {
    Json tail;
    tail["checkpoint"] = {{"size", result.entries}, {"rootHash", root_hash}};
    if (log != nullptr) {
      for (const auto& [k, v] : log->checkpoint.items()) tail["checkpoint"][k] = v;
      tail["log"] = log->log;
    }
    Json classes = Json::object();
    for (const auto& [k, n] : result.by_class) classes[k] = n;
    tail["summary"] = {{"entries", result.entries}, {"valid", result.valid},
                       {"invalid", invalid},        {"classes", classes},
                       {"alarms", result.alarms},   {"warnings", result.warnings}};
    tail["ledger"] = state.origin() ? Json(*state.origin()) : Json(nullptr);
    tail["root_set_chain"] = chain;
    tail["reproductions"] = ReproductionsJson(repro);
    tail["admissions"] = AdmissionsJson(state.Admissions(at));
    tail["revocations"] = RevocationsJson(state.Revocations());
    tail["records"] = RecordsJson(state.Records());
    tail["findings"] = result.findings;
    // Streamed: the verdict comes last (docs/cli.md); alarms are counted in the summary.
    tail["verdict"] = rc == kExitOk ? kVerdictAccepted : kVerdictRejected;
    std::string t = DumpJson(tail);
    std::cout << "]," << t.substr(1) << "\n";
    return;
  }
  std::cout << "\nledger:      " << state.origin().value_or("(unknown)") << ", " << result.entries
            << " entries, " << result.valid << " valid, " << invalid << " invalid\n"
            << "tree:        size " << result.entries << ", root " << root_hash << "\n";
  if (log != nullptr) {
    for (const std::string& line : log->lines) std::cout << line << "\n";
  }
  std::cout << "root sets:\n";
  for (const auto& s2 : chain) {
    std::cout << "  v" << s2["version"].get<uint64_t>() << " at #" << s2["index"].get<uint64_t>()
              << ", " << s2["threshold"].get<uint32_t>() << "-of-" << s2["roots"].size()
              << ", expires " << s2["expires"].get<std::string>() << ", statement_digest "
              << s2["statement_digest"].get<std::string>() << "\n";
  }
  std::cout << "reproductions:\n";
  for (const auto& r : repro) {
    for (const auto& m : r.measurements) {
      std::cout << "  " << r.target << " " << r.git_commit.substr(0, 12) << " -> "
                << HexEncode(m.mrenclave).substr(0, 16) << " by " << m.builders.size()
                << " builder(s)" << (r.conflict ? "  CONFLICT" : "") << "\n";
    }
  }
  std::cout << "admissions at " << FormatRfc3339(at) << ":\n";
  for (const auto& a : state.Admissions(at)) {
    std::cout << "  #" << a.entry.index << " " << govern::RoleName(a.role) << " " << a.constraint
              << ": " << (a.in_force ? "in force" : "not in force (" + a.reason + ")") << "\n";
  }
  std::cout << "revocations: " << state.Revocations().size()
            << ", records: " << state.Records().size() << "\n"
            << "alarms:      " << result.alarms << ", warnings: " << result.warnings << "\n";
  for (const auto& f : result.findings) {
    if (f["severity"] == "alarm") {
      std::cout << "  ALARM " << f["code"].get<std::string>() << ": "
                << f["message"].get<std::string>() << "\n";
    }
  }
}

int RunReplay(const LedgerAuditOptions& opts) {
  auto options = MakeReplayOptions(opts);
  if (!options.ok())
    return ReportFailure(opts.json, kExitUsage, "usage", "bad usage", options.status().message());
  auto at = TimeArgOrNow(opts.at);
  if (!at.ok()) {
    return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --at", at.status().message());
  }
  std::unique_ptr<CollateralAttester> attester;
  if (!opts.collateral.empty()) {
    auto a = CollateralAttester::Create(opts.trust_roots, opts.sim_roots, opts.collateral);
    if (!a.ok()) return ReportStatus(opts.json, kExitUsage, "bad --collateral or root", a.status());
    attester = std::move(a).value();
    options->attester = attester.get();
  }
  govern::GovernanceState state(*options);
  ReplayResult result;
  EntryPrinter printer(opts.json, &result);
  printer.Begin();
  Status s = ReplayFile(opts.file, state, printer);
  if (!s.ok()) {
    Failure failure = ErrorCodeFor(s);
    failure.exit_code = failure.exit_code == kExitIo ? kExitIo : kExitUsage;
    return printer.Fail(failure, "cannot replay " + opts.file, s.message());
  }
  const int rc = Conclude(state, options->root_set_pin.has_value(), opts.strict, &result);
  PrintTail(opts.json, rc, state, result, *at, nullptr);
  return rc;
}

// ---- vouch audit LOG_URL: the tree audit and the replay over the log's own entries ----

struct OnlineOptions {
  LedgerAuditOptions
      replay;  // --root-set-pin, --at, --collateral, --trust-root, --sim-root, --strict, --json
  std::string url;
  Trust trust;
  std::string state;
  std::string save_entries;  // the verified entries as JSON Lines, for `audit replay|releases`
  std::string max_issue_lag;
  std::string max_skew = "PT5M";
  int timeout = 30;
  bool verbose = false;
};

constexpr const char kOnlineHelp[] =
    "Audits the governance ledger at LOG_URL, a Vouch transparency log with witnesses. First the\n"
    "tree audit of `vouch log audit`: the checkpoint must be signed by the log and cosigned by\n"
    "the --policy's witness quorum (a policy with quorum none is refused), consistent with the\n"
    "one this auditor trusted before (--state), and every hash tile and entry bundle must\n"
    "recompute its root. Then every entry, in log order as the tiles deliver it, is judged at its\n"
    "position as `vouch audit replay` judges it (entries that are not governance envelopes are\n"
    "reported invalid with their code, e.g. entry_malformed), and each valid statement's issue\n"
    "time is bounded by the witnesses' times (spec §4.4): it must not be more than --max-skew\n"
    "later than the quorum time t_q of the first checkpoint this auditor saw covering it\n"
    "(statement_from_future, alarm), nor more than maxIssueLag (the root set's policy, PT1H by\n"
    "default; --max-issue-lag) + --max-skew before the t_q of a checkpoint it recorded that did\n"
    "not yet hold it (statement_backdated, alarm); when no recorded checkpoint bounds it from\n"
    "below and the first covering one is more than maxIssueLag later, issue_time_unverified\n"
    "(warning). See docs/governance.md §6.2. --state keeps the trusted\n"
    "checkpoint and the (size, t_q) of every checkpoint audited, and is written only when the\n"
    "audit is accepted; run it at least every maxIssueLag / 2. Progress goes to stderr.";

constexpr const char kOnlineFooter[] =
    "--json prints one object, streamed as `audit replay` does (verdict last):\n"
    "{\"format\":\"vouch-audit-replay/"
    "1\",\"entries\":[...],\"checkpoint\":{\"size\",\"rootHash\",\n"
    "\"origin\",\"witnesses\",\"quorum_time\"},\"log\":{\"url\",\"trusted_size\",\n"
    "\"consistency_proven\",\"tiles\",\"bundles\",\"state\",\"state_updated\",\n"
    "\"saved_entries\"},\"summary\",...,\n"
    "\"verdict\":\"accepted\"|\"rejected\"|\"error\"[,\"error\"]}.\n"
    "Exit codes: 0 no alarms; 1 the tree audit failed (rollback, split view, bad tiles, no\n"
    "quorum) or alarms (with --strict also any invalid entry); 2 bad usage, a policy without a\n"
    "quorum (policy_quorum_none), an unusable --state; 3 the log unreachable, --state not\n"
    "writable.";

constexpr char kStateFormat[] = "vouch-audit-state/1";

// The online auditor's state file (docs/governance.md §6.2): the last checkpoint it trusted,
// verbatim, and the quorum times of the checkpoints it audited.
struct AuditStateFile {
  std::string checkpoint;
  govern::CheckpointTimes times;
};

StatusOr<AuditStateFile> ParseAuditState(const std::string& text) {
  auto bad = [](const std::string& why) {
    return InvalidArgumentError(std::string("not a ") + kStateFormat + " file: " + why);
  };
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  for (const auto& [k, v] : j.items()) {
    if (k != "format" && k != "checkpoint" && k != "quorum_times")
      return bad("unknown member " + k);
  }
  if (!j.contains("format") || j["format"] != kStateFormat) return bad("wrong or missing format");
  if (!j.contains("checkpoint") || !j["checkpoint"].is_string()) return bad("no checkpoint");
  if (!j.contains("quorum_times") || !j["quorum_times"].is_array()) return bad("no quorum_times");
  AuditStateFile state;
  state.checkpoint = j["checkpoint"].get<std::string>();
  for (const Json& r : j["quorum_times"]) {
    if (!r.is_object() || r.size() != 2 || !r.contains("size") || !r["size"].is_number_unsigned() ||
        !r.contains("quorum_time") || !r["quorum_time"].is_string()) {
      return bad("quorum_times holds {\"size\": integer, \"quorum_time\": RFC 3339} objects");
    }
    auto t = govern::ParseTimestamp(r["quorum_time"].get<std::string>());
    if (!t.ok()) return bad("quorum_time: " + t.status().message());
    state.times.Add(r["size"].get<uint64_t>(), *t);
  }
  return state;
}

std::string SerializeAuditState(const AuditStateFile& state) {
  Json times = Json::array();
  for (const auto& r : state.times.records()) {
    times.push_back({{"size", r.size}, {"quorum_time", FormatRfc3339(r.quorum_time)}});
  }
  Json j = {{"format", kStateFormat}, {"checkpoint", state.checkpoint}, {"quorum_times", times}};
  return j.dump(1) + "\n";
}

int RunOnlineAudit(OnlineOptions opts) {
  const bool json = opts.replay.json;
  std::optional<tlog::Policy> policy;
  if (int rc =
          ResolveUrlAndTrust(&opts.url, opts.trust, /*required=*/true, json, opts.verbose, &policy);
      rc != kExitOk) {
    return rc;
  }
  if (policy->quorum() == "none") {
    return ReportFailure(json, codes::kPolicyQuorumNone, "bad --policy",
                         "the policy requires no witness (quorum none): the online audit bounds "
                         "every statement's issue time by witness times",
                         "name a quorum of witnesses in the policy");
  }
  auto options = MakeReplayOptions(opts.replay);
  if (!options.ok()) {
    return ReportFailure(json, codes::kUsage, "bad usage", options.status().message());
  }
  auto at = TimeArgOrNow(opts.replay.at);
  if (!at.ok()) return ReportFailure(json, codes::kInvalidTime, "bad --at", at.status().message());
  std::optional<int64_t> lag_override;
  if (!opts.max_issue_lag.empty()) {
    auto lag = DurationArg(opts.max_issue_lag, "--max-issue-lag");
    if (!lag.ok()) return ReportFailure(json, codes::kUsage, "bad usage", lag.status().message());
    lag_override = *lag;
  }
  auto skew = DurationArg(opts.max_skew, "--max-skew");
  if (!skew.ok()) return ReportFailure(json, codes::kUsage, "bad usage", skew.status().message());
  std::unique_ptr<CollateralAttester> attester;
  if (!opts.replay.collateral.empty()) {
    auto a = CollateralAttester::Create(opts.replay.trust_roots, opts.replay.sim_roots,
                                        opts.replay.collateral);
    if (!a.ok()) return ReportStatus(json, kExitUsage, "bad --collateral or root", a.status());
    attester = std::move(a).value();
    options->attester = attester.get();
  }

  // The state of earlier runs.
  AuditStateFile saved;
  std::optional<tlog::Checkpoint> trusted;
  if (!opts.state.empty() && FileExists(opts.state)) {
    auto text = ReadFileToString(opts.state, 16 << 20);
    if (!text.ok()) {
      ErrorCode code = ReadErrorCode(text.status());
      return ReportFailure(json, code.exit_code == kExitIo ? code : codes::kStateInvalid,
                           "cannot read --state", text.status().message());
    }
    auto parsed = ParseAuditState(*text);
    if (!parsed.ok()) {
      return ReportFailure(json, codes::kStateInvalid, "bad --state",
                           opts.state + ": " + parsed.status().message(),
                           "give the file a previous `vouch audit` wrote, or a new file name");
    }
    auto cp = tlog::SignedCheckpoint::Parse(parsed->checkpoint);
    Status s = cp.ok() ? policy->VerifyCheckpoint(*cp).status() : cp.status();
    if (!s.ok()) {
      return ReportFailure(
          json, codes::kStateInvalid, "bad --state",
          opts.state + " does not hold a checkpoint this policy accepts: " + s.message());
    }
    trusted = cp->checkpoint();
    saved = std::move(parsed).value();
    Verbose(opts.verbose, "trusted checkpoint from " + opts.state + ": size " +
                              std::to_string(trusted->size()) + ", " +
                              std::to_string(saved.times.records().size()) + " quorum times");
  }

  // The checkpoint this audit is about, verified, with its quorum time.
  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, json, &rc);
  if (!log.ok()) return rc;
  Verbose(opts.verbose, "GET " + log->base_url() + "/checkpoint");
  auto note = log->FetchCheckpoint();
  if (!note.ok()) return ClientFailure(json, "cannot fetch the checkpoint", note.status());
  auto signed_cp = tlog::SignedCheckpoint::Parse(*note);
  if (!signed_cp.ok()) {
    return ReportFailure(json, ErrorCode{tlog::reasons::kCheckpointMalformed, kExitRejected},
                         "the log's checkpoint is malformed", signed_cp.status().message());
  }
  auto verified = policy->VerifyCheckpoint(*signed_cp);
  if (!verified.ok()) return ReportStatus(json, "checkpoint rejected", verified.status());
  const tlog::Checkpoint& cp = signed_cp->checkpoint();
  const auto quorum_time = static_cast<UnixSeconds>(*verified->quorum_time);
  Verbose(opts.verbose, "checkpoint of " + cp.origin() + ", size " + std::to_string(cp.size()) +
                            ", quorum time " + FormatRfc3339(quorum_time));
  govern::CheckpointTimes times = saved.times;
  times.Add(cp.size(), quorum_time);
  options->origin = cp.origin();

  // --save-entries: written as the tiles deliver the entries, kept only once the tree verified.
  std::unique_ptr<AtomicFileWriter> saved_entries;
  if (!opts.save_entries.empty()) {
    auto writer = AtomicFileWriter::Open(opts.save_entries, 0644);
    if (!writer.ok()) {
      return ReportStatus(json, kExitIo, "cannot write --save-entries", writer.status());
    }
    saved_entries = *std::move(writer);
  }
  auto save_entry = [&](uint64_t index, ByteSpan entry) -> Status {
    if (std::find(entry.begin(), entry.end(), '\n') != entry.end()) {
      return InvalidArgumentError("entry " + std::to_string(index) +
                                  " holds a line break: --save-entries cannot write it as a line");
    }
    VOUCH_RETURN_IF_ERROR(saved_entries->Append(entry));
    return saved_entries->Append(AsBytes("\n"));
  };

  // Tree audit and replay, in one pass over the tiles.
  govern::GovernanceState state(*options);
  ReplayResult result;
  EntryPrinter printer(json, &result);
  printer.set_total(cp.size());
  printer.Begin();
  ledger::PinnedCheckpointFetcher fetcher(*log, *note);
  ledger::AuditOptions audit;
  audit.policy = &*policy;
  audit.trusted = trusted;
  audit.check_entries = true;
  audit.on_entry = [&](uint64_t index, ByteSpan entry) -> Status {
    if (saved_entries) VOUCH_RETURN_IF_ERROR(save_entry(index, entry));
    govern::EntryVerdict v = state.Append(entry);
    if (v.valid && v.issued_on) {
      if (auto f =
              times.Check(v.index, *v.issued_on, lag_override.value_or(v.max_issue_lag), *skew)) {
        v.findings.push_back(std::move(*f));
      }
    }
    printer.Add(entry, v);
    return OkStatus();
  };
  const auto start = SteadyNow();
  auto tree = ledger::AuditLog(fetcher, audit);
  if (!tree.ok()) {
    return printer.Fail(AuditFailureCode(tree.status()), "audit failed",
                        "tree audit: " + tree.status().message());
  }
  Verbose(opts.verbose, "audited in " + Elapsed(start));
  if (saved_entries) {
    if (Status s = saved_entries->Commit(); !s.ok()) {
      return printer.Fail({std::string(codes::kIoError.code), kExitIo},
                          "cannot write --save-entries", s.message());
    }
  }
  rc = Conclude(state, options->root_set_pin.has_value(), opts.replay.strict, &result);

  // The state moves on only when everything verified.
  bool state_updated = false;
  if (!opts.state.empty() && rc == kExitOk) {
    AuditStateFile next{*note, times};
    Status s = WriteFileAtomic(opts.state, AsBytes(SerializeAuditState(next)), 0644);
    if (!s.ok()) {
      return printer.Fail({std::string(codes::kIoError.code), kExitIo}, "cannot write --state",
                          s.message());
    }
    state_updated = true;
  }
  LogReport report;
  Json witnesses = Json::array();
  std::string witness_list;
  for (const std::string& w : verified->witnesses) {
    witnesses.push_back(w);
    witness_list += (witness_list.empty() ? "" : ", ") + w;
  }
  report.checkpoint = {{"origin", cp.origin()},
                       {"witnesses", witnesses},
                       {"quorum_time", FormatRfc3339(quorum_time)}};
  report.log = {
      {"url", log->base_url()},
      {"trusted_size", tree->trusted_size},
      {"consistency_proven", tree->consistency_proven},
      {"tiles", tree->tiles},
      {"bundles", tree->bundles},
      {"state", opts.state.empty() ? Json(nullptr) : Json(opts.state)},
      {"state_updated", state_updated},
      {"saved_entries", opts.save_entries.empty() ? Json(nullptr) : Json(opts.save_entries)}};
  report.lines.push_back("log:         " + log->base_url() + ", checkpoint cosigned by " +
                         witness_list + " (quorum at " + FormatRfc3339(quorum_time) +
                         "); tree recomputed from " + std::to_string(tree->tiles) +
                         " hash tiles and " + std::to_string(tree->bundles) + " entry bundles");
  if (trusted) {
    report.lines.push_back("             consistent with the trusted checkpoint of size " +
                           std::to_string(tree->trusted_size) +
                           (tree->consistency_proven ? " (consistency proof verified)" : ""));
  }
  if (!opts.save_entries.empty()) {
    report.lines.push_back("entries:     " + std::to_string(cp.size()) + " saved to " +
                           opts.save_entries + " (JSON Lines, as the tree verified them)");
  }
  if (!opts.state.empty()) {
    report.lines.push_back(
        std::string("state:       ") +
        (state_updated ? "updated " + opts.state : "not updated (the audit is not accepted)"));
  }
  PrintTail(json, rc, state, result, *at, &report);
  return rc;
}

int RunExport(const LedgerAuditOptions& opts) {
  if (!opts.art30) {
    return ReportFailure(opts.json, codes::kUsage, "bad usage", "only --art30 exports exist");
  }
  if (opts.format != "csv" && opts.format != "json") {
    return ReportFailure(opts.json, codes::kUsage, "bad --format", "csv or json");
  }
  if (int rc = RefuseStdoutWithJson(opts.json, opts.out, "--out"); rc != kExitOk) return rc;
  auto options = MakeReplayOptions(opts);
  if (!options.ok()) {
    return ReportFailure(opts.json, codes::kUsage, "bad usage", options.status().message());
  }
  auto at = TimeArgOrNow(opts.at);
  if (!at.ok()) {
    return ReportFailure(opts.json, codes::kInvalidTime, "bad --at", at.status().message());
  }
  auto text = ReadFileToString(opts.register_file, 16 << 20);
  if (!text.ok()) return ReportStatus(opts.json, kExitIo, "cannot read --register", text.status());
  auto reg = govern::ParseRegister(*text);
  if (!reg.ok()) return ReportStatus(opts.json, kExitUsage, "bad --register", reg.status());
  govern::GovernanceState state(*options);
  ReplayResult result;
  EntryPrinter counter(false, &result, /*print=*/false);  // the export is the output
  Status s = ReplayFile(opts.file, state, counter);
  if (!s.ok()) return ReportStatus(opts.json, kExitUsage, "cannot replay " + opts.file, s);
  if (result.alarms > 0) {
    PrintError("warning: the replay raised " + std::to_string(result.alarms) +
               " alarm(s); run `vouch audit replay` to see them");
  }
  govern::Art30Export out =
      opts.format == "csv"
          ? govern::ExportArt30Csv(state, *reg, *at)
          : govern::ExportArt30Json(state, *reg, {result.entries, Base64Encode(result.tree.Root())},
                                    *at);
  Status written = WriteOutput(opts.out, AsBytes(out.text), 0600);
  if (!written.ok()) return ReportStatus(opts.json, kExitIo, "cannot write " + opts.out, written);
  Json fields = {{"out", opts.out}, {"format", opts.format}, {"missing", out.missing}};
  if (!out.missing.empty()) {
    return ReportFailure(opts.json, ErrorCode{govern::kRegisterEntryMissing, kExitRejected},
                         "register_entry_missing",
                         std::to_string(out.missing.size()) +
                             " controller digest(s) are not in the register (exported as "
                             "digests), e.g. " +
                             out.missing[0],
                         "", fields);
  }
  if (opts.json) PrintJsonResult(kVerdictOk, fields);
  return kExitOk;
}

int RunReleases(const LedgerAuditOptions& opts) {
  std::optional<Sha256Hash> identity;
  if (!opts.identity.empty()) {
    auto m = HexDecode(opts.identity);
    if (!m.ok() || m->size() != 32) {
      return ReportFailure(opts.json, codes::kUsage, "bad --identity", "an MRENCLAVE: 64 hex");
    }
    identity.emplace();
    std::copy(m->begin(), m->end(), identity->begin());
  }
  std::optional<govern::ReleaseId> envelope;
  if (!opts.envelope.empty()) {
    auto id = HexDecode(opts.envelope);
    if (!id.ok() || id->size() != envelope.emplace().size()) {
      return ReportFailure(opts.json, codes::kUsage, "bad --envelope",
                           "an envelope id: 32 hex (vouch provision inspect shows it)");
    }
    std::copy(id->begin(), id->end(), envelope->begin());
  }
  auto options = MakeReplayOptions(opts);
  if (!options.ok()) {
    return ReportFailure(opts.json, codes::kUsage, "bad usage", options.status().message());
  }
  govern::GovernanceState state(*options);
  ReplayResult result;
  EntryPrinter counter(false, &result, /*print=*/false);  // the list is the output
  Status s = ReplayFile(opts.file, state, counter);
  if (!s.ok()) {
    return ReportStatus(opts.json, s.code() == StatusCode::kUnavailable ? kExitIo : kExitUsage,
                        "cannot replay " + opts.file, s);
  }
  if (!s.ok()) return ReportStatus(opts.json, kExitUsage, "cannot replay " + opts.file, s);
  if (result.alarms > 0) {
    PrintError("warning: the replay raised " + std::to_string(result.alarms) +
               " alarm(s); run `vouch audit replay` to see them");
  }
  Json list = Json::array();
  size_t shown = 0;
  for (const govern::ReleaseSummary& r : state.Releases()) {
    if (identity && r.identity.mrenclave != *identity) continue;
    if (envelope && r.envelope_id != *envelope) continue;
    ++shown;
    if (!opts.json) {
      std::cout << r.entry.index << "  " << FormatRfc3339(r.issued_on) << "  target "
                << HexEncodeUpper(r.identity.mrenclave) << "  envelope " << HexEncode(r.envelope_id)
                << "  broker " << HexEncodeUpper(r.broker_mrenclave).substr(0, 16) << "…"
                << (r.unadmitted_override ? "  UNADMITTED OVERRIDE" : "")
                << (r.activity_id ? "  activity " + *r.activity_id : "") << "\n";
      continue;
    }
    list.push_back(
        {{"index", r.entry.index},
         {"entry_hash", HexEncode(r.entry.sha256)},
         {"issued_on", FormatRfc3339(r.issued_on)},
         {"release_id", HexEncode(r.release_id)},
         {"envelope", {{"id", HexEncode(r.envelope_id)}, {"sha256", HexEncode(r.envelope_sha256)}}},
         {"target",
          {{"mrenclave", HexEncodeUpper(r.identity.mrenclave)},
           {"mrsigner", HexEncodeUpper(r.identity.mrsigner)},
           {"isv_prod_id", r.identity.isv_prod_id},
           {"isv_svn", r.identity.isv_svn},
           {"mode", EnclaveModeName(r.identity.mode)},
           {"constraint", r.constraint}}},
         {"broker",
          {{"mode", govern::BrokerModeName(r.broker_mode)},
           {"mrenclave", HexEncodeUpper(r.broker_mrenclave)},
           {"signing_keyid", r.broker_signing_keyid}}},
         {"quote_sha256", HexEncode(r.quote_sha256)},
         {"unadmitted_override", r.unadmitted_override},
         {"activity", r.activity_id ? Json(*r.activity_id) : Json(nullptr)}});
  }
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"format", "vouch-audit-releases/1"},
                                 {"entries", result.entries},
                                 {"releases", std::move(list)}});
  } else {
    std::cerr << shown << " release(s) of " << state.Releases().size() << " in " << result.entries
              << " entries\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<LedgerAuditOptions>();
  CLI::App* audit = GetOrAddSubcommand(app, "audit", "Replay and audit the governance ledger");
  // `vouch audit LOG_URL` audits the log itself; `replay` and `export` work on files.
  audit->require_subcommand(0, 1);
  SetLongDescription(audit, kOnlineHelp);
  audit->footer(
      std::string(kOnlineFooter) +
      "\nThe tree alone: 'vouch log audit'. A ledger file offline: 'vouch audit replay'.");
  auto online = std::make_shared<OnlineOptions>();
  audit->add_option("LOG_URL", online->url, kUrlHelp);
  AddPolicyOption(audit, online->trust);
  AddRootSetPinOption(audit, &online->replay.pin);
  audit->add_option("--state", online->state,
                    "File with the trusted checkpoint and the quorum times seen (created if "
                    "missing; written only when the audit is accepted)");
  audit
      ->add_option("--save-entries", online->save_entries,
                   "Also write the log's entries, as the tree audit verified them, to this file "
                   "in JSON Lines (for 'vouch audit replay' or 'audit releases'); written only "
                   "when the tree verifies")
      ->type_name("FILE");
  audit->add_option("--max-issue-lag", online->max_issue_lag,
                    "Bound between a statement's issue time and the witness times (default: the "
                    "root set's maxIssueLag, PT1H unless it says otherwise)");
  audit->add_option("--max-skew", online->max_skew,
                    "Clock skew allowed, a duration or seconds (default PT5M)");
  audit->add_option("--at", online->replay.at, "Time for admissions in force (default: now)");
  audit->add_option("--collateral", online->replay.collateral,
                    "Collateral directory for the roots' evidence (matched by dirHash); "
                    "repeatable");
  audit->add_option("--trust-root", online->replay.trust_roots,
                    "Production root certificate (DER or PEM) for the evidence (default: "
                    "Intel's)");
  audit->add_option("--sim-root", online->replay.sim_roots,
                    "Simulation root certificate (DER or PEM)");
  audit->add_flag("--strict", online->replay.strict, "Exit 1 on any invalid entry too");
  AddNetworkOptions(audit, online->timeout, "Seconds per request (default 30)", online->verbose,
                    online->replay.json);
  audit->callback([audit, online, &ctx] {
    if (audit->get_subcommands().empty()) ctx.exit_code = RunOnlineAudit(*online);
  });

  CLI::App* replay = audit->add_subcommand("replay", "Replay a ledger file offline");
  SetLongDescription(replay, kReplayHelp);
  replay->footer(kReplayFooter);
  replay->add_option("FILE", opts->file, "JSON Lines file of entries in log order (- for stdin)")
      ->required();
  AddRootSetPinOption(replay, &opts->pin);
  replay->add_option("--origin", opts->origin, "The ledger's checkpoint origin");
  replay->add_option("--at", opts->at, "Time for admissions in force (default: now)");
  replay->add_option("--collateral", opts->collateral,
                     "Collateral directory for the roots' evidence (matched by dirHash); "
                     "repeatable");
  replay->add_option(
      "--trust-root", opts->trust_roots,
      "Production root certificate (DER or PEM) for the evidence (default: Intel's);\n"
      "never one of Vouch's simulation roots");
  replay->add_option("--sim-root", opts->sim_roots, "Simulation root certificate (DER or PEM)");
  replay->add_flag("--strict", opts->strict, "Exit 1 on any invalid entry too");
  replay->add_flag("--json", opts->json, "Print one JSON object");
  replay->callback([opts, &ctx] { ctx.exit_code = RunReplay(*opts); });

  CLI::App* exp = audit->add_subcommand("export", "Export GDPR Art. 30 records of processing");
  SetLongDescription(exp, kExportHelp);
  exp->footer(kExportFooter);
  exp->add_option("FILE", opts->file, "JSON Lines file of entries in log order")->required();
  exp->add_flag("--art30", opts->art30, "Export the Art. 30(1) records (required)")->required();
  exp->add_option("--register", opts->register_file, "Register file (vouch-art30-register/1)")
      ->required();
  exp->add_option("--format", opts->format, "csv (default) or json");
  exp->add_option("--out", opts->out, "Output file (default: stdout; written 0600)");
  exp->add_flag("--json", opts->json, "Print one JSON object (needs --out FILE)");
  AddRootSetPinOption(exp, &opts->pin);
  exp->add_option("--origin", opts->origin, "The ledger's checkpoint origin");
  exp->add_option("--at", opts->at, "Time for admissions in force (default: now)");
  exp->callback([opts, &ctx] { ctx.exit_code = RunExport(*opts); });

  CLI::App* rel = audit->add_subcommand("releases", "List the secrets released through brokers");
  SetLongDescription(rel, kReleasesHelp);
  rel->footer(kReleasesFooter);
  rel->add_option("FILE", opts->file, "JSON Lines file of entries in log order (- for stdin)")
      ->required();
  auto* by_identity =
      rel->add_option("--identity", opts->identity, "Only releases to this MRENCLAVE (64 hex)");
  rel->add_option("--envelope", opts->envelope, "Only releases of this envelope id (32 hex)")
      ->excludes(by_identity);
  AddRootSetPinOption(rel, &opts->pin);
  rel->add_option("--origin", opts->origin, "The ledger's checkpoint origin");
  rel->add_flag("--json", opts->json, "Print one JSON object");
  rel->callback([opts, &ctx] { ctx.exit_code = RunReleases(*opts); });
}

}  // namespace vouch::cli

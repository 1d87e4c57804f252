// `vouch audit replay` and `vouch audit export --art30`: replay a ledger offline from a JSON
// Lines file of entries in log order (spec/governance.md §4.5, docs/governance.md) and export
// its GDPR Art. 30 records (§3.6.4). Thin: read lines, feed vouch::govern::GovernanceState,
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
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/build/attest.h"
#include "vouch/constraint/constraint.h"
#include "vouch/crypto/x509.h"
#include "vouch/govern/art30.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/replay.h"
#include "vouch/sgx/collateral.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/sgx/verifier.h"
#include "vouch/tlog/merkle.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::ordered_json;

// A line longer than this is an I/O problem, not an entry (entries are at most 65,535 bytes).
constexpr size_t kMaxLine = size_t{16} << 20;

struct Options {
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

// Feeds every line of `path` to `state`; calls `on_verdict` for each. Progress on stderr.
Status ReplayFile(const std::string& path, govern::GovernanceState& state, ReplayResult* result,
                  const std::function<void(const govern::EntryVerdict&)>& on_verdict) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) return UnavailableError("cannot open " + path + ": " + std::strerror(errno));
  std::string line;
  std::vector<char> buf(1 << 16);
  auto start = RealClock().SteadyNow();
  auto last_report = start;
  Status status;
  auto finish_line = [&] {
    govern::EntryVerdict v = state.Append(AsBytes(line));
    result->tree.Append(tlog::HashLeaf(AsBytes(line)));
    ++result->entries;
    if (v.valid) ++result->valid;
    ++result->by_class[ClassOf(v)];
    for (const govern::Finding& f : v.findings) {
      (f.severity == govern::Severity::kAlarm ? result->alarms : result->warnings)++;
      result->findings.push_back({{"index", v.index},
                                  {"severity", govern::SeverityName(f.severity)},
                                  {"code", f.code},
                                  {"message", f.message}});
    }
    on_verdict(v);
    line.clear();
    auto now = RealClock().SteadyNow();
    if (now - last_report > std::chrono::seconds(2)) {
      double secs = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "vouch: audit: %llu entries replayed (%.0f/s)\n",
                   static_cast<unsigned long long>(result->entries),
                   static_cast<double>(result->entries) / secs);
      last_report = now;
    }
  };
  while (true) {
    size_t n = std::fread(buf.data(), 1, buf.size(), file);
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        finish_line();
      } else {
        if (line.size() >= kMaxLine) {
          status = InvalidArgumentError("line " + std::to_string(result->entries + 1) +
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

// Full attestation of root evidence (governance.md §3.3) with collateral directories given on
// the command line, matched to each root by the dirHash its evidence names: the quote verified
// at the set's issuedOn with the trust roots, then the root's constraint checked against it.
// Its outcome is a finding, never state.
class CollateralAttester final : public govern::EvidenceAttester {
 public:
  static StatusOr<std::unique_ptr<CollateralAttester>> Create(const Options& opts) {
    std::vector<sgx::TrustRoot> roots;
    auto add = [&](const std::vector<std::string>& paths, sgx::TrustRootKind kind) -> Status {
      for (const std::string& path : paths) {
        VOUCH_ASSIGN_OR_RETURN(sgx::TrustRoot root, ReadTrustRoot(path, kind));
        roots.push_back(std::move(root));
      }
      return OkStatus();
    };
    if (opts.trust_roots.empty()) {
      roots.push_back({sgx::IntelSgxRootCa(), sgx::TrustRootKind::kProduction});
    }
    VOUCH_RETURN_IF_ERROR(add(opts.trust_roots, sgx::TrustRootKind::kProduction));
    VOUCH_RETURN_IF_ERROR(add(opts.sim_roots, sgx::TrustRootKind::kSimulation));
    VOUCH_ASSIGN_OR_RETURN(auto verifier, sgx::DcapVerifier::Create(std::move(roots)));
    auto attester =
        std::unique_ptr<CollateralAttester>(new CollateralAttester(std::move(verifier)));
    for (const std::string& dir : opts.collateral) {
      VOUCH_ASSIGN_OR_RETURN(Sha256Digest hash, build::DirHash1(dir));
      VOUCH_ASSIGN_OR_RETURN(sgx::Collateral collateral, sgx::ReadCollateralDirectory(dir));
      attester->by_hash_.emplace(hash, std::move(collateral));
    }
    return attester;
  }

  Status Attest(const govern::RootDescriptor& root, UnixSeconds at) override {
    auto it = by_hash_.find(root.collateral_dir_hash);
    if (it == by_hash_.end()) {
      return NotFoundError("no --collateral directory has dirHash " +
                           HexEncode(root.collateral_dir_hash));
    }
    auto result = verifier_->Verify(root.quote, it->second, {at, false});
    if (!result.ok()) {
      return RejectedError(result.status().reason(), "quote rejected (" + result.status().reason() +
                                                         "): " + result.status().message());
    }
    auto constraint = EnclaveConstraint::Parse(root.constraint);
    if (!constraint.ok()) return constraint.status();
    Status check = constraint->Check(sgx::ToEnclaveInstanceInfo(*result), at);
    if (!check.ok()) return RejectedError(check.reason(), "constraint not met: " + check.message());
    return OkStatus();
  }

 private:
  explicit CollateralAttester(std::unique_ptr<sgx::DcapVerifier> verifier)
      : verifier_(std::move(verifier)) {}
  std::unique_ptr<sgx::DcapVerifier> verifier_;
  std::map<Sha256Digest, sgx::Collateral> by_hash_;
};

StatusOr<govern::ReplayOptions> MakeReplayOptions(const Options& opts) {
  govern::ReplayOptions o;
  // The flag wins over the environment (docs/cli.md, "Environment").
  const std::string pin_text =
      opts.pin.empty() ? EnvDefault(kEnvRootSetPin).value_or("") : opts.pin;
  if (!pin_text.empty()) {
    auto pin = HexDecodeArray<32>(pin_text);
    if (!pin.ok()) {
      return InvalidArgumentError(
          std::string(opts.pin.empty() ? "$VOUCH_ROOT_SET_PIN" : "--root-set-pin") +
          " must be 64 hex digits (root set version 1's statement_digest)");
    }
    o.root_set_pin = *pin;
  }
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

int RunReplay(const Options& opts) {
  auto options = MakeReplayOptions(opts);
  if (!options.ok())
    return ReportFailure(opts.json, kExitUsage, "usage", "bad usage", options.status().message());
  auto at = TimeArgOrNow(opts.at);
  if (!at.ok()) {
    return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --at", at.status().message());
  }
  std::unique_ptr<CollateralAttester> attester;
  if (!opts.collateral.empty()) {
    auto a = CollateralAttester::Create(opts);
    if (!a.ok()) return ReportStatus(opts.json, kExitUsage, "bad --collateral or root", a.status());
    attester = std::move(a).value();
    options->attester = attester.get();
  }
  govern::GovernanceState state(*options);
  ReplayResult result;
  bool first = true;
  if (opts.json) std::cout << "{\"format\":\"vouch-audit-replay/1\",\"entries\":[";
  Status s = ReplayFile(opts.file, state, &result, [&](const govern::EntryVerdict& v) {
    if (opts.json) {
      std::cout << (first ? "" : ",") << DumpJson(VerdictJson(v));
      first = false;
      return;
    }
    std::cout << "#" << v.index << " " << HexEncode(v.entry_hash).substr(0, 16) << " " << ClassOf(v)
              << ": " << (v.valid ? "valid" : "INVALID " + v.code + ": " + v.message)
              << (v.path.empty() ? "" : " [" + v.path + "]") << "\n";
    for (const govern::Finding& f : v.findings) {
      std::cout << "    " << (f.severity == govern::Severity::kAlarm ? "ALARM " : "warning ")
                << f.code << ": " << f.message << "\n";
    }
  });
  if (!s.ok()) {
    if (!opts.json) return ReportStatus(false, kExitUsage, "cannot replay " + opts.file, s);
    // The object is streamed: its verdict and error come last (docs/cli.md).
    Failure failure = ErrorCodeFor(s);
    const int rc = failure.exit_code == kExitIo ? kExitIo : kExitUsage;
    Json tail = {{"verdict", kVerdictError},
                 {"error", {{"code", failure.code}, {"message", s.message()}}}};
    std::cout << "]," << DumpJson(tail).substr(1) << "\n";
    return rc;
  }
  // End-of-log alarms.
  auto repro = state.Reproductions();
  auto chain = ChainJson(state);
  auto add_alarm = [&](const char* code, const std::string& message) {
    ++result.alarms;
    result.findings.push_back(
        {{"index", nullptr}, {"severity", "alarm"}, {"code", code}, {"message", message}});
  };
  for (const auto& r : repro) {
    if (r.conflict) {
      add_alarm(govern::kNotReproducible, "builders disagree on the MRENCLAVE of " + r.repository +
                                              "@" + r.git_commit + " (" + r.target + ")");
    }
  }
  if (options->root_set_pin && chain.empty()) {
    add_alarm(govern::kRootSetPinMismatch, "no root set matching --root-set-pin in the ledger");
  }
  uint64_t invalid = result.entries - result.valid;
  bool alarm = result.alarms > 0;
  int rc = alarm || (opts.strict && invalid > 0) ? kExitRejected : kExitOk;
  std::string root_hash = Base64Encode(result.tree.Root());
  if (opts.json) {
    Json tail;
    tail["checkpoint"] = {{"size", result.entries}, {"rootHash", root_hash}};
    Json classes = Json::object();
    for (const auto& [k, n] : result.by_class) classes[k] = n;
    tail["summary"] = {{"entries", result.entries}, {"valid", result.valid},
                       {"invalid", invalid},        {"classes", classes},
                       {"alarms", result.alarms},   {"warnings", result.warnings}};
    tail["ledger"] = state.origin() ? Json(*state.origin()) : Json(nullptr);
    tail["root_set_chain"] = chain;
    tail["reproductions"] = ReproductionsJson(repro);
    tail["admissions"] = AdmissionsJson(state.Admissions(*at));
    tail["revocations"] = RevocationsJson(state.Revocations());
    tail["records"] = RecordsJson(state.Records());
    tail["findings"] = result.findings;
    // Streamed: the verdict comes last (docs/cli.md); alarms are counted in the summary.
    tail["verdict"] = rc == kExitOk ? kVerdictAccepted : kVerdictRejected;
    std::string t = DumpJson(tail);
    std::cout << "]," << t.substr(1) << "\n";
    return rc;
  }
  std::cout << "\nledger:      " << state.origin().value_or("(unknown)") << ", " << result.entries
            << " entries, " << result.valid << " valid, " << invalid << " invalid\n"
            << "tree:        size " << result.entries << ", root " << root_hash << "\n";
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
  std::cout << "admissions at " << FormatRfc3339(*at) << ":\n";
  for (const auto& a : state.Admissions(*at)) {
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
  return rc;
}

int RunExport(const Options& opts) {
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
  Status s = ReplayFile(opts.file, state, &result, [](const govern::EntryVerdict&) {});
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

}  // namespace

void RegisterAuditCommands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* audit = GetOrAddSubcommand(app, "audit", "Replay and audit the governance ledger");
  audit->footer("Audit a transparency log itself with 'vouch log audit'.\n\n" +
                std::string(kExitCodesHelp));

  CLI::App* replay = audit->add_subcommand("replay", "Replay a ledger file offline");
  SetLongDescription(replay, kReplayHelp);
  replay->footer(kReplayFooter);
  replay->add_option("FILE", opts->file, "JSON Lines file of entries in log order (- for stdin)")
      ->required();
  replay->add_option("--root-set-pin", opts->pin,
                     "statement_digest of root set version 1 (default: $VOUCH_ROOT_SET_PIN)");
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
  exp->add_option("--root-set-pin", opts->pin,
                  "statement_digest of root set version 1 (default: $VOUCH_ROOT_SET_PIN)");
  exp->add_option("--origin", opts->origin, "The ledger's checkpoint origin");
  exp->add_option("--at", opts->at, "Time for admissions in force (default: now)");
  exp->callback([opts, &ctx] { ctx.exit_code = RunExport(*opts); });
}

}  // namespace vouch::cli

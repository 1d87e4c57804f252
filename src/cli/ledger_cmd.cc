// `vouch ledger submit LOG_URL ENVELOPE`: append a signed governance statement to the witnessed
// ledger and keep its receipt (docs/governance.md §5, "Online"). Thin: check the envelope as the
// replay will (E1–E8, S1–S3, the ledger origin), then `log add` and `log proof` through the
// shared client pieces (log_common.h), and verify the receipt for this entry.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/govern_common.h"
#include "cli/log_common.h"
#include "dsse/jcs.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/statement.h"
#include "vouch/server/root_client.h"
#include "vouch/server/self_check.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/proof_file.h"

namespace vouch::cli {
namespace {

// A statement that does not parse, refused: its code (an I/O failure keeps exit 3, anything else
// is the input's fault, exit 2), message and, when the parser knows it, the JSON path.
int RefuseStatement(bool json, const std::string& what, const Status& status,
                    const govern::ParseDiagnostics& diag, const std::string& hint) {
  Json fields = Json::object();
  if (!diag.path.empty()) fields["path"] = diag.path;
  const Failure f = ErrorCodeFor(status);
  return ReportFailure(json, ErrorCode{f.code, f.exit_code == kExitIo ? kExitIo : kExitUsage}, what,
                       status.message(), hint, fields);
}

struct SubmitOptions {
  std::string url;
  std::string envelope;
  Trust trust;
  std::string out;
  int timeout = 60;
  bool verbose = false;
  bool json = false;
};

constexpr const char kSubmitHelp[] =
    "Appends ENVELOPE, a signed ledger entry (the canonical DSSE envelope that `vouch statement\n"
    "sign` writes), to the log at LOG_URL and waits until a checkpoint cosigned by the log's\n"
    "witness quorum covers it; then writes the receipt (c2sp.org/tlog-proof) to --out, or prints\n"
    "it. Before anything is sent, the envelope is checked as every auditor will judge it: the\n"
    "envelope (strict DSSE, canonical, in-toto payload type), the statement and its predicate,\n"
    "and that its `ledger` is this log's origin — an entry the ledger would hold as invalid\n"
    "forever is refused (exit 2) instead. Signatures and the rules that depend on the ledger's\n"
    "state (root set in force, thresholds, reproduction) are the auditor's to judge: `vouch\n"
    "audit LOG_URL`. With --policy (or $VOUCH_POLICY) the receipt's checkpoint must satisfy its\n"
    "witness quorum and the inclusion proof must lead to this entry; the witnesses are named.";

constexpr const char kSubmitFooter[] =
    "Prints index, entry_hash, statement_digest, class, tree_size, witnesses and where the\n"
    "receipt went. --json: {\"verdict\":\"ok\",\"index\",\"entry_hash\",\"statement_digest\",\n"
    "\"class\",\"duplicate\",\"tree_size\",\"verified\",\"witnesses\",\"quorum_time\",\"out\"|\n"
    "\"proof_file\"}.\n"
    "Exit codes: 0 appended and receipt written; 1 the log refused the entry, misbehaved, or its\n"
    "receipt does not verify; 2 bad usage, or an envelope the ledger would hold as invalid (the\n"
    "replay's code, e.g. entry_not_canonical, predicate_malformed, ledger_mismatch); 3 I/O, the\n"
    "log unreachable, or no quorum-cosigned checkpoint within --timeout\n"
    "(witness_quorum_missing).";

// The ledger origin the log at `log` uses: the policy's only log, or the log's current
// checkpoint (unverified: it only decides whether to refuse early; the receipt is verified).
std::optional<std::string> LogOrigin(const tlog::Policy* policy, server::LogClient& log) {
  if (policy != nullptr && policy->logs().size() == 1) return policy->logs()[0].key.name();
  auto note = log.FetchCheckpoint();
  if (!note.ok()) return std::nullopt;
  auto cp = tlog::SignedCheckpoint::Parse(*note);
  if (!cp.ok()) return std::nullopt;
  return cp->checkpoint().origin();
}

int AppendAndReport(const SubmitOptions& opts, server::LogClient& log, http::HttpClient& http,
                    const tlog::Policy* policy, const dsse::LedgerEntry& entry,
                    const std::string& kind);

int RunSubmit(SubmitOptions opts) {
  if (int rc = ResolveUrl(&opts.url, &opts.envelope, "ENVELOPE", opts.json, opts.verbose);
      rc != kExitOk) {
    return rc;
  }
  if (int rc = RefuseStdoutWithJson(opts.json, opts.out, "--out"); rc != kExitOk) return rc;
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/false, opts.json, opts.verbose, &policy);
      rc != kExitOk) {
    return rc;
  }
  Bytes bytes;
  if (int rc = ReadEntryFile(opts.envelope, opts.json, &bytes); rc != kExitOk) return rc;

  // What every replay will check first (E1–E8, S1–S3): refused here, exit 2, with its code.
  auto entry = dsse::LedgerEntry::Parse(bytes);
  if (!entry.ok()) {
    return ReportStatus(opts.json, kExitUsage, "refusing to submit " + opts.envelope,
                        entry.status());
  }
  govern::ParseDiagnostics diag;
  auto statement = govern::ParseStatement(entry->payload(), &diag);
  if (!statement.ok()) {
    return RefuseStatement(opts.json, "refusing to submit " + opts.envelope, statement.status(),
                           diag, "fix the statement and sign it again");
  }
  const std::string kind =
      diag.kind ? std::string(govern::StatementKindName(*diag.kind)) : std::string("unknown");

  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, opts.json, &rc);
  if (!log.ok()) return rc;
  if (statement->ledger() != nullptr) {
    auto origin = LogOrigin(policy ? &*policy : nullptr, *log);
    if (origin && *origin != *statement->ledger()) {
      return ReportFailure(opts.json, ErrorCode{govern::kLedgerMismatch, kExitUsage},
                           "refusing to submit " + opts.envelope,
                           "the statement is for the ledger \"" + *statement->ledger() +
                               "\", but the log's origin is \"" + *origin +
                               "\": every auditor would judge it ledger_mismatch",
                           "write it with --ledger " + *origin + " and sign it again");
    }
  }

  return AppendAndReport(opts, *log, http, policy ? &*policy : nullptr, *entry, kind);
}

// Appends `entry` to the log, waits for its receipt under the witness quorum, verifies it (with
// a policy), writes it to --out and reports: the tail of `submit` and `countersign`.
int AppendAndReport(const SubmitOptions& opts, server::LogClient& log, http::HttpClient& http,
                    const tlog::Policy* policy, const dsse::LedgerEntry& entry,
                    const std::string& kind) {
  const ByteSpan bytes = entry.bytes();
  server::AddResponse added;
  if (int rc = AddEntry(log, bytes, opts.timeout, opts.json, opts.verbose, &added); rc != kExitOk) {
    return rc;
  }
  std::string receipt;
  std::optional<tlog::ProofFile> file;
  if (int rc = FetchReceipt(opts.url, http, added.index, policy, opts.trust, opts.timeout,
                            opts.json, opts.verbose, &receipt, &file);
      rc != kExitOk) {
    return rc;
  }
  std::optional<tlog::PolicyVerification> verified;
  if (policy) {
    auto v = file->VerifyEntry(bytes, *policy);
    if (!v.ok()) {
      return ReportStatus(opts.json, "the log's receipt is rejected",
                          TrustRejection(opts.trust, file->checkpoint().checkpoint(), v.status()));
    }
    verified = std::move(v).value();
  }
  if (!opts.out.empty() && opts.out != "-") {
    if (Status s = WriteFileAtomic(opts.out, AsBytes(receipt), 0644); !s.ok()) {
      return ReportFailure(opts.json, codes::kIoError, "cannot write --out", s.message());
    }
  }
  const tlog::Checkpoint& cp = file->checkpoint().checkpoint();
  Json witnesses = Json::array();
  if (verified) {
    for (const std::string& w : verified->witnesses) witnesses.push_back(w);
  }
  if (opts.json) {
    Json out = {{"index", added.index},
                {"entry_hash", HexEncode(entry.entry_hash())},
                {"statement_digest", HexEncode(entry.statement_digest())},
                {"class", kind},
                {"duplicate", added.duplicate},
                {"tree_size", cp.size()},
                {"verified", verified.has_value()},
                {"witnesses", witnesses}};
    if (verified && verified->quorum_time) {
      out["quorum_time"] = FormatRfc3339(static_cast<UnixSeconds>(*verified->quorum_time));
    }
    if (opts.out.empty()) {
      out["proof_file"] = receipt;
    } else {
      out["out"] = opts.out;
    }
    PrintJsonResult(kVerdictOk, out);
    return kExitOk;
  }
  if (opts.out.empty() || opts.out == "-") {
    std::cout << receipt;
    return kExitOk;
  }
  std::cout << "index " << added.index << (added.duplicate ? " (already in the log)" : "") << "\n"
            << "entry_hash " << HexEncode(entry.entry_hash()) << "\n"
            << "statement_digest " << HexEncode(entry.statement_digest()) << "\n"
            << "class " << kind << "\n"
            << "tree_size " << cp.size() << "\n";
  if (verified) {
    std::cout << "witnesses";
    for (const std::string& w : verified->witnesses) std::cout << " " << w;
    if (verified->quorum_time) {
      std::cout << " (quorum at " << FormatRfc3339(static_cast<UnixSeconds>(*verified->quorum_time))
                << ")";
    }
    std::cout << "\n";
  } else {
    std::cout << "witnesses not verified (give --policy)\n";
  }
  std::cout << "receipt " << opts.out << "\n";
  return kExitOk;
}

struct CountersignOptions {
  SubmitOptions submit;
  std::vector<std::string> roots;
  std::string pin;
  std::string envelope;
  std::string max_checkpoint_age = "PT5M";
};

constexpr const char kCountersignHelp[] =
    "Sends STATEMENT, an unsigned governance statement (`vouch govern "
    "root-set|admit|revoke|record\n"
    "--out`), to every --root at once. Each root re-checks it against the ledger itself and\n"
    "signs only if every rule holds (docs/root.md). This command first reads the ledger the same\n"
    "way (the checkpoint cosigned by the --policy's witness quorum, no older than\n"
    "--max-checkpoint-age, every entry replayed with the --root-set-pin) to learn the root set in\n"
    "force; it keeps the signatures that verify, and once they meet the threshold (for a root "
    "set:\n"
    "that of the set in force and that of the new set) it assembles the canonical entry, writes "
    "it\n"
    "to --envelope if asked, appends it to the log and waits for its receipt as `vouch ledger\n"
    "submit` does. A root that is down or refuses costs nothing while the others reach the\n"
    "threshold; each root's answer is reported.";

constexpr const char kCountersignFooter[] =
    "Prints each root's answer on stderr, then what `ledger submit` prints. --json: as `ledger\n"
    "submit`, plus \"roots\": [{\"url\",\"signed\",\"keyid\"|\"error\"}].\n"
    "Exit codes: 0 countersigned, appended and receipt written; 1 the roots' signatures do not\n"
    "meet the threshold (threshold_not_met; each refusal is named), the ledger's checkpoint is\n"
    "stale or lacks its quorum, or the log misbehaved; 2 bad usage, a statement that does not\n"
    "parse or that roots do not sign (provenance); 3 I/O, or the log unreachable.";

int RunCountersign(CountersignOptions o) {
  SubmitOptions& opts = o.submit;
  if (int rc = ResolveUrl(&opts.url, &opts.envelope, "STATEMENT", opts.json, opts.verbose);
      rc != kExitOk) {
    return rc;
  }
  if (int rc = RefuseStdoutWithJson(opts.json, opts.out, "--out"); rc != kExitOk) return rc;
  std::optional<tlog::Policy> policy;
  server::LedgerViewOptions view_options;
  if (int rc = ResolveLedgerView(opts.trust, o.pin, o.max_checkpoint_age, opts.json, opts.verbose,
                                 &policy, &view_options);
      rc != kExitOk) {
    return rc;
  }
  // What the roots sign is the canonical (RFC 8785) form of the statement.
  Bytes text;
  if (int rc = ReadEntryFile(opts.envelope, opts.json, &text); rc != kExitOk) return rc;
  auto doc = internal::ParseJson(AsStringView(text));
  auto canonical = doc.ok() ? internal::CanonicalJson(*doc) : doc.status();
  if (!canonical.ok()) {
    return ReportFailure(opts.json, kExitUsage, govern::kPayloadMalformed,
                         "cannot read " + opts.envelope, canonical.status().message());
  }
  const Bytes payload = ToBytes(*canonical);
  govern::ParseDiagnostics diag;
  auto statement = govern::ParseStatement(payload, &diag);
  if (!statement.ok()) {
    return RefuseStatement(opts.json, "refusing to send " + opts.envelope, statement.status(), diag,
                           "write it with `vouch govern`");
  }
  if (statement->kind() == govern::StatementKind::kProvenance) {
    return ReportFailure(opts.json, codes::kUsage, "refusing to send " + opts.envelope,
                         "roots do not sign build provenance; its builder does (`vouch build "
                         "attest`, `vouch statement sign`)");
  }
  const std::string kind(govern::StatementKindName(statement->kind()));

  // The root set in force, from a verified, replayed view of the ledger.
  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, opts.json, &rc);
  if (!log.ok()) return rc;
  std::optional<server::LedgerView> view;
  if (rc = ReadLedgerView(*log, view_options, opts.json, opts.verbose, &view); rc != kExitOk) {
    return rc;
  }

  // Every root at once.
  std::vector<server::RootClient> clients;
  clients.reserve(o.roots.size());
  for (const std::string& url : o.roots) {
    auto c = server::RootClient::Create(url, http, std::chrono::seconds(opts.timeout));
    if (!c.ok()) return ReportStatus(opts.json, kExitUsage, "bad --root " + url, c.status());
    clients.push_back(std::move(c).value());
  }
  std::vector<const server::RootClient*> roots;
  roots.reserve(clients.size());
  for (const auto& c : clients) roots.push_back(&c);
  std::vector<server::RootAnswer> answers = server::CollectSignatures(roots, payload);

  // Keep the signatures that verify; report every answer.
  std::vector<dsse::Signature> kept;
  Json root_json = Json::array();
  std::string refusals;
  for (auto& a : answers) {
    Json r = {{"url", a.url}};
    Status why = a.signature.status();
    if (a.signature.ok()) {
      auto single = dsse::LedgerEntry::Create(payload, {*a.signature});
      Status s = single.ok() ? view->state->CheckSignatures(*single) : single.status();
      // Alone a signature meets no threshold but the smallest; it counts if it verifies.
      const bool verifies = s.ok() || s.reason() == dsse::kThresholdNotMet ||
                            s.reason() == govern::kNewSetThresholdNotMet ||
                            s.reason() == govern::kOldSetThresholdNotMet;
      if (verifies) {
        kept.push_back(*a.signature);
      } else {
        why = Status(StatusCode::kPermissionDenied,
                     "its signature does not verify (" + s.reason() + "): " + s.message(),
                     s.reason());
      }
    }
    if (why.ok()) {
      r["signed"] = true;
      r["keyid"] = a.signature->keyid;
      if (!opts.json) PrintError("root " + a.url + ": signed (key " + a.signature->keyid + ")");
    } else {
      r["signed"] = false;
      r["error"] = {{"code", why.reason().empty() ? "root_unreachable" : why.reason()},
                    {"message", why.message()}};
      refusals += "\n  " + a.url + ": " + why.message();
      if (!opts.json) PrintError("root " + a.url + ": " + why.message());
    }
    root_json.push_back(std::move(r));
  }
  auto entry =
      kept.empty()
          ? StatusOr<dsse::LedgerEntry>(RejectedError(dsse::kThresholdNotMet, "no root signed"))
          : dsse::LedgerEntry::Create(payload, kept);
  Status enough = entry.ok() ? view->state->CheckSignatures(*entry) : entry.status();
  if (!enough.ok()) {
    return ReportFailure(opts.json, ErrorCode{dsse::kThresholdNotMet, kExitRejected},
                         "not countersigned",
                         enough.message() + (refusals.empty() ? "" : "; refusals:" + refusals), "",
                         {{"roots", root_json}});
  }
  if (!o.envelope.empty()) {
    if (Status s = WriteFileAtomic(o.envelope, entry->bytes(), 0644); !s.ok()) {
      return ReportFailure(opts.json, codes::kIoError, "cannot write --envelope", s.message());
    }
  }
  return AppendAndReport(opts, *log, http, &*policy, *entry, kind);
}

}  // namespace

void RegisterLedgerCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* ledger =
      GetOrAddSubcommand(app, "ledger", "Submit governance statements to the witnessed ledger");
  ledger->footer(
      "The governance ledger is a Vouch transparency log ('vouch serve log') with witnesses.\n"
      "Audit it with 'vouch audit LOG_URL'. See docs/governance.md.\n\n" +
      std::string(kExitCodesHelp));
  auto opts = std::make_shared<SubmitOptions>();
  CLI::App* submit =
      ledger->add_subcommand("submit", "Append a signed statement and keep its receipt");
  SetLongDescription(submit, std::string(kSubmitHelp) + "\n\n" + kTrustOptions);
  submit->footer(kSubmitFooter);
  submit->add_option("LOG_URL", opts->url, kUrlHelp);
  submit->add_option("ENVELOPE", opts->envelope, "The signed entry (- for stdin)");
  AddTrustOptions(submit, opts->trust);
  submit->add_option("--out", opts->out,
                     "Write the receipt (.tlog-proof) here; without it, it is printed");
  AddNetworkOptions(submit, opts->timeout,
                    "Seconds to wait for the log and for the witness quorum (default 60)",
                    opts->verbose, opts->json);
  submit->callback([opts, &ctx] { ctx.exit_code = RunSubmit(*opts); });

  auto co = std::make_shared<CountersignOptions>();
  CLI::App* cs = ledger->add_subcommand(
      "countersign", "Have the roots re-check and sign a statement, then append it");
  SetLongDescription(cs, kCountersignHelp);
  cs->footer(kCountersignFooter);
  cs->add_option("LOG_URL", co->submit.url, kUrlHelp);
  cs->add_option("STATEMENT", co->submit.envelope, "The unsigned statement (- for stdin)");
  cs->add_option("--root", co->roots, "A root's URL (repeat for each root)")->required();
  AddPolicyOption(cs, co->submit.trust);
  AddRootSetPinOption(cs, &co->pin);
  AddMaxCheckpointAgeOption(cs, &co->max_checkpoint_age);
  cs->add_option("--envelope", co->envelope, "Also write the countersigned entry here");
  cs->add_option("--out", co->submit.out,
                 "Write the receipt (.tlog-proof) here; without it, it is printed");
  AddNetworkOptions(cs, co->submit.timeout,
                    "Seconds to wait for each root, the log and the witness quorum (default 60)",
                    co->submit.verbose, co->submit.json);
  cs->callback([co, &ctx] { ctx.exit_code = RunCountersign(*co); });
}

}  // namespace vouch::cli

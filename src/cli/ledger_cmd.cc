// `vouch ledger submit LOG_URL ENVELOPE`: append a signed governance statement to the witnessed
// ledger and keep its receipt (docs/governance.md §5, "Online"). Thin: check the envelope as the
// replay will (E1–E8, S1–S3, the ledger origin), then `log add` and `log proof` through the
// shared client pieces (log_common.h), and verify the receipt for this entry.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/govern_common.h"
#include "cli/log_common.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/statement.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/proof_file.h"

namespace vouch::cli {
namespace {

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
  const bool unsupported =
      !statement.ok() && statement.status().reason() == govern::kPredicateTypeUnsupported;
  if (!statement.ok() && !unsupported) {
    Json fields = Json::object();
    if (!diag.path.empty()) fields["path"] = diag.path;
    Failure f = ErrorCodeFor(statement.status());
    return ReportFailure(opts.json,
                         ErrorCode{f.code, f.exit_code == kExitIo ? kExitIo : kExitUsage},
                         "refusing to submit " + opts.envelope, statement.status().message(),
                         "fix the statement and sign it again", fields);
  }
  if (unsupported) {
    PrintError("warning: " + statement.status().message() +
               "; the ledger holds it, but no rule judges it yet");
  }
  const std::string kind =
      diag.kind ? std::string(govern::StatementKindName(*diag.kind)) : std::string("unknown");

  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, opts.json, &rc);
  if (!log.ok()) return rc;
  if (statement.ok() && statement->ledger() != nullptr) {
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

  server::AddResponse added;
  if (rc = AddEntry(*log, bytes, opts.timeout, opts.json, opts.verbose, &added); rc != kExitOk) {
    return rc;
  }
  std::string receipt;
  std::optional<tlog::ProofFile> file;
  if (rc = FetchReceipt(opts.url, http, added.index, policy ? &*policy : nullptr, opts.trust,
                        opts.timeout, opts.json, opts.verbose, &receipt, &file);
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
                {"entry_hash", HexEncode(entry->entry_hash())},
                {"statement_digest", HexEncode(entry->statement_digest())},
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
            << "entry_hash " << HexEncode(entry->entry_hash()) << "\n"
            << "statement_digest " << HexEncode(entry->statement_digest()) << "\n"
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
}

}  // namespace vouch::cli

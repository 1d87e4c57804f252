// `vouch log ...`: keys for a transparency log and the client side of its HTTP API — add an
// entry, fetch a checkpoint or a receipt, verify a receipt offline, audit the whole log
// (docs/log.md). Thin: parse arguments, call vouch::ledger / vouch::tlog, format.
//
// Output contract (docs/log.md, "Commands"; docs/cli.md): data on stdout (key-value lines, the
// note or receipt verbatim, or one JSON object with --json, whose "verdict" is "ok", or
// "accepted" for verify-proof and audit); errors "vouch: <what>: <message>" on stderr, or
// {"verdict":"rejected"|"error","error":{"code","message"}} on stdout with --json. Progress and
// --verbose lines go to stderr. The log URL defaults to $VOUCH_LOG_URL, --policy to
// $VOUCH_POLICY; flags win. Exit codes as every command (error_codes.h).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "cli/cli_common.h"
#include "cli/log_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/crypto/sha.h"
#include "vouch/http/http_client.h"
#include "vouch/ledger/audit.h"
#include "vouch/server/log_client.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/proof_file.h"
#include "vouch/tlog/reasons.h"
#include "vouch/tlog/tiles.h"

namespace vouch::cli {
namespace {

constexpr const char kKeyHelp[] =
    "The log's keys are Ed25519 signed-note keys (c2sp.org/signed-note, type 0x01). The private\n"
    "key file is one line in Go's golang.org/x/mod/sumdb/note format,\n"
    "  PRIVATE+KEY+<origin>+<8 hex key ID>+<base64(0x01 || 32-byte seed)>\n"
    "and the verifier key (vkey) that clients pin is\n"
    "  <origin>+<8 hex key ID>+<base64(0x01 || 32-byte public key)>";

// ---- keygen ----

struct LogKeygenOptions {
  std::string origin;
  std::string out;
  bool force = false;
  bool json = false;
};

int RunLogKeygen(const LogKeygenOptions& opts) {
  if (!tlog::IsValidKeyName(opts.origin)) {
    return ReportFailure(opts.json, codes::kInvalidOrigin, "bad --origin",
                         "an origin is non-empty and has no white space, control character or "
                         "'+' (e.g. log.example.com/vouch)");
  }
  if (int rc = RefuseKeyOverwrite(opts.json, opts.out, opts.force,
                                  "give another --out, or --force to replace the key (its log's "
                                  "checkpoints then no longer verify)");
      rc != kExitOk) {
    return rc;
  }
  auto signer = tlog::Ed25519NoteSigner::Generate(opts.origin);
  if (!signer.ok()) return ReportStatus(opts.json, "keygen", signer.status());
  SecretBytes skey = signer->GoPrivateKey();
  std::string file(skey.Reveal().begin(), skey.Reveal().end());
  file.push_back('\n');
  return WriteNoteKeyFile(opts.json, opts.out, file, "origin", opts.origin,
                          signer->verifier_key().ToString());
}

// ---- add ----

struct AddOptions {
  std::string url;
  std::string file;
  int timeout = 60;
  bool verbose = false;
  bool json = false;
};

int RunAdd(AddOptions opts) {
  if (int rc = ResolveUrl(&opts.url, &opts.file, "FILE", opts.json, opts.verbose); rc != kExitOk) {
    return rc;
  }
  Bytes entry;
  if (int rc = ReadEntryFile(opts.file, opts.json, &entry); rc != kExitOk) return rc;
  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, opts.json, &rc);
  if (!log.ok()) return rc;
  server::AddResponse added;
  if (rc = AddEntry(*log, entry, opts.timeout, opts.json, opts.verbose, &added); rc != kExitOk) {
    return rc;
  }
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"index", added.index},
                                 {"leaf_hash", Base64Encode(added.leaf_hash)},
                                 {"duplicate", added.duplicate},
                                 {"tree_size", added.tree_size}});
  } else {
    std::cout << "index " << added.index << "\n"
              << "leaf_hash " << Base64Encode(added.leaf_hash) << "\n"
              << "duplicate " << (added.duplicate ? "yes" : "no") << "\n"
              << "tree_size " << added.tree_size << "\n";
  }
  return kExitOk;
}

// ---- checkpoint ----

struct CheckpointOptions {
  std::string url;
  Trust trust;
  int timeout = 30;
  bool verbose = false;
  bool json = false;
};

int RunCheckpoint(CheckpointOptions opts) {
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveUrlAndTrust(&opts.url, opts.trust, /*required=*/false, opts.json,
                                  opts.verbose, &policy);
      rc != kExitOk) {
    return rc;
  }
  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, opts.json, &rc);
  if (!log.ok()) return rc;
  Verbose(opts.verbose, "GET " + log->base_url() + "/checkpoint");
  const auto start = SteadyNow();
  auto note = log->FetchCheckpoint();
  if (!note.ok()) return ClientFailure(opts.json, "cannot fetch the checkpoint", note.status());
  Verbose(opts.verbose, "answered in " + Elapsed(start));
  auto cp = tlog::SignedCheckpoint::Parse(*note);
  if (!cp.ok()) {
    return ReportFailure(opts.json, ErrorCode{tlog::reasons::kCheckpointMalformed, kExitRejected},
                         "the log's checkpoint is malformed", cp.status().message());
  }
  if (policy) {
    auto verified = policy->VerifyCheckpoint(*cp);
    if (!verified.ok()) {
      return ReportStatus(opts.json, "checkpoint rejected",
                          TrustRejection(opts.trust, cp->checkpoint(), verified.status()));
    }
  }
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"origin", cp->checkpoint().origin()},
                                 {"size", cp->checkpoint().size()},
                                 {"root", Base64Encode(cp->checkpoint().root())},
                                 {"verified", policy.has_value()},
                                 {"checkpoint", *note}});
  } else {
    std::cout << *note;
  }
  return kExitOk;
}

// ---- proof ----

struct ProofOptions {
  std::string url;
  std::string index;
  Trust trust;
  std::string out;
  int timeout = 30;
  bool verbose = false;
  bool json = false;
};

int RunProof(ProofOptions opts) {
  if (int rc = ResolveUrl(&opts.url, &opts.index, "INDEX", opts.json, opts.verbose);
      rc != kExitOk) {
    return rc;
  }
  if (opts.index.empty() || opts.index.size() > 19 ||
      opts.index.find_first_not_of("0123456789") != std::string::npos ||
      (opts.index.size() > 1 && opts.index[0] == '0')) {
    return ReportFailure(opts.json, codes::kIndexMalformed, "bad INDEX",
                         "an index is a decimal number without sign or leading zeros");
  }
  const uint64_t index = std::stoull(opts.index);
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/false, opts.json, opts.verbose, &policy);
      rc != kExitOk) {
    return rc;
  }
  http::HttpClient http;
  std::string text;
  std::optional<tlog::ProofFile> file;
  if (int rc = FetchReceipt(opts.url, http, index, policy ? &*policy : nullptr, opts.trust,
                            opts.timeout, opts.json, opts.verbose, &text, &file);
      rc != kExitOk) {
    return rc;
  }
  if (!opts.out.empty()) {
    if (Status s = WriteFileAtomic(opts.out, AsBytes(text), 0644); !s.ok()) {
      return ReportFailure(opts.json, codes::kIoError, "cannot write --out", s.message());
    }
  }
  if (opts.json) {
    Json out = {{"index", index},
                {"tree_size", file->checkpoint().checkpoint().size()},
                {"verified", policy.has_value()}};
    if (opts.out.empty()) {
      out["proof_file"] = text;
    } else {
      out["out"] = opts.out;
    }
    PrintJsonResult(kVerdictOk, out);
  } else if (opts.out.empty()) {
    std::cout << text;
  }
  return kExitOk;
}

// ---- verify-proof ----

struct VerifyProofOptions {
  std::string receipt;
  std::string entry;
  Trust trust;
  bool verbose = false;
  bool json = false;
};

int RunVerifyProof(VerifyProofOptions opts) {
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/true, opts.json, opts.verbose, &policy);
      rc != kExitOk) {
    return rc;
  }
  auto text = ReadFileToString(opts.receipt, tlog::kMaxProofFileSize);
  if (!text.ok()) {
    if (ReadErrorCode(text.status()).exit_code == kExitIo) {
      return ReportFailure(opts.json, codes::kIoError, "cannot read the receipt",
                           text.status().message());
    }
    return ReportStatus(
        opts.json, "receipt rejected",
        MalformedError(tlog::reasons::kProofFileMalformed, text.status().message()));
  }
  auto entry = ReadFile(opts.entry, tlog::kMaxEntrySize);
  if (!entry.ok()) {
    if (ReadErrorCode(entry.status()).exit_code == kExitIo) {
      return ReportFailure(opts.json, codes::kIoError, "cannot read --entry",
                           entry.status().message());
    }
    return ReportFailure(opts.json, codes::kEntryTooLarge, "receipt rejected",
                         opts.entry + " is larger than 65,535 bytes, so no log holds it");
  }
  auto file = tlog::ProofFile::Parse(*text);
  if (!file.ok()) return ReportStatus(opts.json, "receipt rejected", file.status());
  auto verified = file->VerifyEntry(*entry, *policy);
  if (!verified.ok()) {
    return ReportStatus(
        opts.json, "receipt rejected",
        TrustRejection(opts.trust, file->checkpoint().checkpoint(), verified.status()));
  }
  const tlog::Checkpoint& cp = file->checkpoint().checkpoint();
  if (opts.json) {
    Json witnesses = Json::array();
    for (const std::string& w : verified->witnesses) witnesses.push_back(w);
    PrintJsonResult(kVerdictAccepted, {{"origin", cp.origin()},
                                       {"index", file->index()},
                                       {"tree_size", cp.size()},
                                       {"root", Base64Encode(cp.root())},
                                       {"leaf_hash", Base64Encode(tlog::HashLeaf(*entry))},
                                       {"witnesses", witnesses}});
  } else {
    std::cout << "OK: the entry is at index " << file->index() << " of " << cp.origin()
              << " (checkpoint size " << cp.size() << ", root " << Base64Encode(cp.root()) << ")";
    if (!verified->witnesses.empty()) {
      std::cout << "; cosigned by";
      for (const std::string& w : verified->witnesses) std::cout << " " << w;
    }
    std::cout << "\n";
  }
  return kExitOk;
}

// ---- audit ----

struct AuditOptions {
  std::string url;
  Trust trust;
  std::string state;
  bool no_entries = false;
  bool quiet = false;
  int timeout = 30;
  bool verbose = false;
  bool json = false;
};

constexpr uint64_t kProgressThreshold = 100'000;  // entries

int RunAudit(AuditOptions opts) {
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveUrlAndTrust(&opts.url, opts.trust, /*required=*/true, opts.json, opts.verbose,
                                  &policy);
      rc != kExitOk) {
    return rc;
  }
  // The last checkpoint this client trusted.
  std::optional<tlog::Checkpoint> trusted;
  if (!opts.state.empty() && FileExists(opts.state)) {
    auto text = ReadFileToString(opts.state, tlog::kMaxNoteSize);
    if (!text.ok()) {
      ErrorCode code = ReadErrorCode(text.status());
      return ReportFailure(opts.json, code.exit_code == kExitIo ? code : codes::kStateInvalid,
                           "cannot read --state", text.status().message());
    }
    auto cp = tlog::SignedCheckpoint::Parse(*text);
    Status s = cp.ok() ? policy->VerifyCheckpoint(*cp).status() : cp.status();
    if (!s.ok()) {
      return ReportFailure(
          opts.json, codes::kStateInvalid, "bad --state",
          opts.state + " does not hold a checkpoint this policy accepts: " + s.message());
    }
    trusted = cp->checkpoint();
    Verbose(opts.verbose,
            "trusted checkpoint from " + opts.state + ": size " + std::to_string(trusted->size()));
  }
  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, opts.json, &rc);
  if (!log.ok()) return rc;
  ledger::AuditOptions audit;
  audit.policy = &*policy;
  audit.trusted = trusted;
  audit.check_entries = !opts.no_entries;
  auto start = SteadyNow();
  auto last = start;
  if (!opts.quiet) {
    audit.progress = [&](uint64_t done, uint64_t total) {
      if (total < kProgressThreshold && !opts.verbose) return;
      auto now = SteadyNow();
      if (done != total && now - last < std::chrono::seconds(1)) return;
      last = now;
      std::fprintf(
          stderr, "audit: %llu of %llu entries (%.0f%%)\n", static_cast<unsigned long long>(done),
          static_cast<unsigned long long>(total),
          total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total));
    };
  }
  auto result = ledger::AuditLog(*log, audit);
  if (!result.ok()) {
    const Status& s = result.status();
    if (s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kInvalidArgument) {
      return ReportStatus(opts.json, "audit failed", s);
    }
    return ClientFailure(opts.json, "audit failed", s);
  }
  Verbose(opts.verbose, "audited in " + Elapsed(start));
  bool state_updated = false;
  if (!opts.state.empty()) {
    Status s = WriteFileAtomic(opts.state, AsBytes(result->checkpoint_note), 0644);
    if (!s.ok()) {
      return ReportFailure(opts.json, codes::kIoError, "cannot write --state", s.message());
    }
    state_updated = true;
  }
  const tlog::Checkpoint& cp = result->checkpoint;
  if (opts.json) {
    PrintJsonResult(kVerdictAccepted, {{"origin", cp.origin()},
                                       {"size", cp.size()},
                                       {"root", Base64Encode(cp.root())},
                                       {"trusted_size", result->trusted_size},
                                       {"consistency_proven", result->consistency_proven},
                                       {"tiles", result->tiles},
                                       {"bundles", result->bundles},
                                       {"state_updated", state_updated}});
  } else {
    std::cout << "OK: " << cp.origin() << " size " << cp.size() << " root "
              << Base64Encode(cp.root()) << "\n";
    std::cout << "recomputed the tree from " << result->tiles << " hash tiles";
    if (!opts.no_entries) std::cout << " and " << result->bundles << " entry bundles";
    std::cout << "\n";
    if (trusted.has_value()) {
      std::cout << "consistent with the trusted checkpoint of size " << result->trusted_size
                << (result->consistency_proven ? " (consistency proof verified)" : "") << "\n";
    } else if (!opts.state.empty()) {
      std::cout << "no earlier state: trusting this checkpoint from now on\n";
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterLogCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* log = app.add_subcommand("log", "Transparency log: keys, entries, receipts, audits");
  log->footer(
      "Keys for a Vouch transparency log (a C2SP tlog-tiles log) and the client side of its\n"
      "HTTP API. Run the log itself with 'vouch serve log'. See docs/log.md.\n"
      "Environment: VOUCH_LOG_URL is the URL when none is given, VOUCH_POLICY the --policy\n"
      "when neither --vkey nor --policy is given.\n\n" +
      std::string(kExitCodesHelp));
  log->require_subcommand(1);

  auto keygen_opts = std::make_shared<LogKeygenOptions>();
  CLI::App* keygen = log->add_subcommand("keygen", "Create a log signing key");
  keygen->footer(
      std::string(std::string("Creates an Ed25519 key for a log whose checkpoint origin is\n"
                              "--origin, writes the private key to --out (mode 0600) and\n"
                              "prints the verifier key to give to clients.\n\n") +
                  kKeyHelp) +
      "\n\n" + "Exit codes: 0 created; 2 bad --origin or --out exists; 3 cannot write.");
  keygen
      ->add_option("--origin", keygen_opts->origin,
                   "Checkpoint origin and key name, e.g. log.example.com/vouch")
      ->required();
  keygen->add_option("--out", keygen_opts->out, "Private key file to create (0600)")->required();
  keygen->add_flag("--force", keygen_opts->force, "Replace an existing --out");
  keygen->add_flag("--json", keygen_opts->json, "Print one JSON object");
  keygen->callback([keygen_opts, &ctx] { ctx.exit_code = RunLogKeygen(*keygen_opts); });

  auto add_opts = std::make_shared<AddOptions>();
  CLI::App* add = log->add_subcommand("add", "Add an entry to a log");
  add->footer(
      std::string(
          "Submits FILE (1 to 65,535 bytes) to the log at URL and waits until it is durably\n"
          "sequenced (saying so on stderr when that takes more than 2 s). Prints its index, its\n"
          "RFC 6962 leaf hash SHA-256(0x00 || entry), whether it was already in the log (then\n"
          "the index is the existing one) and the size of the checkpoint that includes it:\n"
          "  index 42\n  leaf_hash <base64>\n  duplicate no\n  tree_size 43") +
      "\n\n" +
      "Exit codes: 0 added (or already present); 1 the log refused the entry or answered\n"
      "wrongly; 2 bad URL, no URL and no $VOUCH_LOG_URL, FILE empty or over 65,535 bytes;\n"
      "3 FILE unreadable, the log unreachable, busy or failing.");
  add->add_option("URL", add_opts->url, kUrlHelp);
  add->add_option("FILE", add_opts->file, "The entry (- for stdin)");
  AddNetworkOptions(add, add_opts->timeout, "Seconds to wait (default 60)", add_opts->verbose,
                    add_opts->json);
  add->callback([add_opts, &ctx] { ctx.exit_code = RunAdd(*add_opts); });

  auto cp_opts = std::make_shared<CheckpointOptions>();
  CLI::App* checkpoint = log->add_subcommand("checkpoint", "Fetch a log's latest checkpoint");
  checkpoint->footer(
      std::string(std::string("Prints the log's latest signed checkpoint verbatim\n"
                              "(c2sp.org/tlog-checkpoint). With --vkey or --policy it is\n"
                              "verified first.\n\n") +
                  kTrustOptions) +
      "\n\n" +
      "Exit codes: 0 fetched (and verified); 1 malformed or not validly signed; 2 bad usage;\n"
      "3 the log is unreachable.");
  checkpoint->add_option("URL", cp_opts->url, kUrlHelp);
  AddTrustOptions(checkpoint, cp_opts->trust);
  AddNetworkOptions(checkpoint, cp_opts->timeout, "Seconds (default 30)", cp_opts->verbose,
                    cp_opts->json);
  checkpoint->callback([cp_opts, &ctx] { ctx.exit_code = RunCheckpoint(*cp_opts); });

  auto proof_opts = std::make_shared<ProofOptions>();
  CLI::App* proof = log->add_subcommand("proof", "Fetch a receipt (tlog-proof) for an entry");
  proof->footer(
      std::string(
          std::string(
              "Fetches a c2sp.org/tlog-proof@v1 receipt for entry INDEX: the inclusion\n"
              "proof against the log's latest checkpoint, and the checkpoint itself. Keep it\n"
              "beside the entry; 'vouch log verify-proof' checks it offline. With --vkey or\n"
              "--policy its checkpoint is verified before it is written.\n"
              "A log that publishes at a witness quorum has no receipt for an entry until a\n"
              "cosigned checkpoint covers it: the command then says so and waits (--timeout);\n"
              "if the quorum does not come, it names the witnesses that are missing.\n\n") +
          kTrustOptions) +
      "\n\n" +
      "Exit codes: 0 written; 1 no such entry, or the receipt is malformed or not validly\n"
      "signed; 2 bad usage; 3 the log is unreachable, its checkpoint lacks its witness quorum\n"
      "(witness_quorum_missing), or --out cannot be written.");
  proof->add_option("URL", proof_opts->url, kUrlHelp);
  proof->add_option("INDEX", proof_opts->index, "Entry index (from 'vouch log add')");
  AddTrustOptions(proof, proof_opts->trust);
  proof->add_option("--out", proof_opts->out, "Write the receipt here instead of stdout");
  AddNetworkOptions(proof, proof_opts->timeout, "Seconds to wait for a receipt (default 30)",
                    proof_opts->verbose, proof_opts->json);
  proof->callback([proof_opts, &ctx] { ctx.exit_code = RunProof(*proof_opts); });

  auto vp_opts = std::make_shared<VerifyProofOptions>();
  CLI::App* verify = log->add_subcommand("verify-proof", "Verify a receipt offline");
  verify->footer(
      std::string(
          std::string(
              "Verifies a tlog-proof receipt for the entry in --entry, offline: the\n"
              "checkpoint must be signed by the log (and cosigned by the policy's witness\n"
              "quorum), and the inclusion proof of SHA-256(0x00 || entry) at the receipt's\n"
              "index must lead to its root. The receipt's 'extra' line is never trusted.\n\n") +
          kTrustOptions) +
      "\n\n" +
      "Exit codes: 0 valid; 1 rejected (malformed receipt, bad signature, missing cosignatures,\n"
      "wrong entry or proof); 2 bad usage (bad --vkey or --policy); 3 a file is unreadable.");
  verify->add_option("RECEIPT", vp_opts->receipt, "The .tlog-proof file (- for stdin)")->required();
  verify->add_option("--entry", vp_opts->entry, "The entry the receipt is for")->required();
  AddTrustOptions(verify, vp_opts->trust);
  verify->add_flag("--verbose", vp_opts->verbose, "Say on stderr what is trusted");
  verify->add_flag("--json", vp_opts->json, "Print one JSON object");
  verify->callback([vp_opts, &ctx] { ctx.exit_code = RunVerifyProof(*vp_opts); });

  auto audit_opts = std::make_shared<AuditOptions>();
  CLI::App* audit = log->add_subcommand("audit", "Audit a whole log");
  audit->footer(
      std::string(
          std::string(
              "Fetches the log's checkpoint and verifies it; checks that it is consistent with "
              "the\n"
              "last checkpoint this client trusted (kept in --state: a smaller size is a "
              "rollback,\n"
              "the same size with another root a split view, and a larger one must come with a\n"
              "valid consistency proof); then fetches every hash tile and entry bundle, checks "
              "every\n"
              "entry against its leaf hash and recomputes the whole tree, which must give the\n"
              "checkpoint's root. On success the checkpoint is written to --state. Progress goes "
              "to\n"
              "stderr for logs of 100,000 entries or more (always with --verbose).\n\n") +
          kTrustOptions) +
      "\n\n" +
      "Exit codes: 0 the log is consistent; 1 rejected (rollback, split view, bad signature,\n"
      "inconsistent or missing tiles); 2 bad usage or an unusable --state; 3 the log is\n"
      "unreachable or --state cannot be written.");
  audit->add_option("URL", audit_opts->url, kUrlHelp);
  AddTrustOptions(audit, audit_opts->trust);
  audit->add_option("--state", audit_opts->state,
                    "File with the last trusted checkpoint (created if missing)");
  audit->add_flag("--no-entries", audit_opts->no_entries,
                  "Check hash tiles only, not entry bundles");
  audit->add_flag("--quiet", audit_opts->quiet, "No progress on stderr");
  AddNetworkOptions(audit, audit_opts->timeout, "Seconds per request (default 30)",
                    audit_opts->verbose, audit_opts->json);
  audit->callback([audit_opts, &ctx] { ctx.exit_code = RunAudit(*audit_opts); });
}

}  // namespace vouch::cli

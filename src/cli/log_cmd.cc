// `vouch log ...`: keys for a transparency log and the client side of its HTTP API — add an
// entry, fetch a checkpoint or a receipt, verify a receipt offline, audit the whole log
// (docs/log.md). Thin: parse arguments, call vouch::ledger / vouch::tlog, format.
//
// Output contract (docs/log.md, "Commands"): data on stdout (key-value lines, the note or
// receipt verbatim, or one JSON object with --json); errors "vouch: <what>: <message>" on
// stderr, or {"error":{"code":...,"message":...}} on stdout with --json (beside
// "verdict":"rejected" for verify-proof and audit). Exit codes as every command (cli_common.h).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/cli_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/secret_bytes.h"
#include "vouch/http/http_client.h"
#include "vouch/ledger/audit.h"
#include "vouch/server/log_client.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/proof_file.h"
#include "vouch/tlog/tiles.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char kKeyHelp[] =
    "The log's keys are Ed25519 signed-note keys (c2sp.org/signed-note, type 0x01). The private\n"
    "key file is one line in Go's golang.org/x/mod/sumdb/note format,\n"
    "  PRIVATE+KEY+<origin>+<8 hex key ID>+<base64(0x01 || 32-byte seed)>\n"
    "and the verifier key (vkey) that clients pin is\n"
    "  <origin>+<8 hex key ID>+<base64(0x01 || 32-byte public key)>";

constexpr const char kTrustOptions[] =
    "Trust: --vkey VKEY (the log's verifier key; no witnesses required) or --policy FILE (a\n"
    "c2sp.org/tlog-policy file: accepted logs and a witness quorum).";

// What a client command trusts: a policy built from --vkey, or read from --policy.
struct Trust {
  std::string vkey;
  std::string policy_file;
  bool given() const { return !vkey.empty() || !policy_file.empty(); }
};

void AddTrustOptions(CLI::App* cmd, Trust& trust) {
  auto* vkey =
      cmd->add_option("--vkey", trust.vkey, "The log's verifier key, <origin>+<key id>+<base64>");
  auto* policy = cmd->add_option("--policy", trust.policy_file,
                                 "A c2sp.org/tlog-policy file (logs and witness quorum)");
  vkey->excludes(policy);
}

// The policy for `trust`; `*exit_code` and `*code` describe a failure.
StatusOr<tlog::Policy> MakePolicy(const Trust& trust, int* exit_code, std::string* code) {
  *exit_code = kExitUsage;
  if (!trust.policy_file.empty()) return ReadPolicyFile(trust.policy_file, exit_code, code);
  auto key = tlog::VerifierKey::Parse(trust.vkey);
  if (!key.ok()) {
    *code = "vkey_malformed";
    return key.status().WithContext("bad --vkey");
  }
  if (key->type() != tlog::kSigTypeEd25519) {
    *code = "vkey_malformed";
    return InvalidArgumentError("bad --vkey: a log key has type 0x01 (Ed25519), this one 0x" +
                                HexEncode(std::vector<uint8_t>{key->type()}));
  }
  auto policy = tlog::Policy::Parse("log " + key->ToString() + "\nquorum none\n");
  if (!policy.ok()) {
    *code = "vkey_malformed";
    return policy.status().WithContext("bad --vkey");
  }
  return policy;
}

// Resolves `trust` into the policy a client command verifies with, in `*policy`. Without
// --vkey or --policy, `*policy` stays empty, or, when the command needs one (`required`), that
// is a usage error ("trust_missing"). A failure is reported as `json` asks and its exit code
// returned; kExitOk otherwise.
int ResolveTrust(const Trust& trust, bool required, bool json,
                 std::optional<tlog::Policy>* policy) {
  if (!trust.given()) {
    if (!required) return kExitOk;
    return ReportFailure(json, kExitUsage, "trust_missing", "bad usage",
                         "give the log's --vkey or a --policy");
  }
  int exit_code;
  std::string code;
  auto p = MakePolicy(trust, &exit_code, &code);
  if (!p.ok()) return ReportFailure(json, exit_code, code, "bad usage", p.status().message());
  *policy = std::move(p).value();
  return kExitOk;
}

// Exit code and error code for a failure talking to the log (or of what it sent).
int ClientFailure(bool json, const std::string& what, const Status& status) {
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return ReportFailure(json, kExitRejected,
                           status.reason().empty() ? "rejected" : status.reason(), what,
                           status.message());
    case StatusCode::kInvalidArgument:
      return ReportFailure(json, kExitRejected,
                           status.reason().empty() ? "log_response_malformed" : status.reason(),
                           what, status.message());
    case StatusCode::kNotFound:
      return ReportFailure(json, kExitRejected, "not_found", what, status.message());
    default:
      return ReportFailure(json, kExitIo, "log_unreachable", what, status.message());
  }
}

// A verification verdict in --json form.
int Rejected(bool json, const std::string& what, const Status& status) {
  std::string code = status.reason().empty() ? "rejected" : status.reason();
  if (json) {
    Json out;
    out["verdict"] = "rejected";
    out["error"]["code"] = code;
    out["error"]["message"] = status.message();
    std::cout << DumpJson(out) << "\n";
    return kExitRejected;
  }
  return ReportFailure(false, kExitRejected, code, what, status.message());
}

std::chrono::milliseconds Seconds(int s) { return std::chrono::milliseconds(int64_t{s} * 1000); }

// ---- keygen ----

struct KeygenOptions {
  std::string origin;
  std::string out;
  bool force = false;
  bool json = false;
};

int RunKeygen(const KeygenOptions& opts) {
  if (!tlog::IsValidKeyName(opts.origin)) {
    return ReportFailure(opts.json, kExitUsage, "invalid_origin", "bad --origin",
                         "an origin is non-empty and has no white space, control character or "
                         "'+' (e.g. log.example.com/vouch)");
  }
  if (FileExists(opts.out) && !opts.force) {
    return ReportFailure(opts.json, kExitUsage, "exists", "refusing to overwrite",
                         opts.out + " exists (use --force to replace it)");
  }
  auto signer = tlog::Ed25519NoteSigner::Generate(opts.origin);
  if (!signer.ok()) {
    return ReportFailure(opts.json, kExitIo, "internal", "keygen", signer.status().message());
  }
  SecretBytes skey = signer->GoPrivateKey();
  Bytes file(skey.Reveal().begin(), skey.Reveal().end());
  file.push_back('\n');
  Status written = WriteFileAtomic(opts.out, file, 0600);
  SecureWipe(file.data(), file.size());
  if (!written.ok()) {
    return ReportFailure(opts.json, kExitIo, "io_error", "cannot write key", written.message());
  }
  const std::string vkey = signer->verifier_key().ToString();
  if (opts.json) {
    Json out;
    out["origin"] = opts.origin;
    out["vkey"] = vkey;
    out["key_file"] = opts.out;
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << vkey << "\n";
  }
  return kExitOk;
}

// ---- add ----

struct AddOptions {
  std::string url;
  std::string file;
  int timeout = 60;
  bool json = false;
};

int RunAdd(const AddOptions& opts) {
  auto entry = ReadFile(opts.file, tlog::kMaxEntrySize);
  if (!entry.ok()) {
    int code = ExitCodeForReadError(entry.status());
    return ReportFailure(opts.json, code, code == kExitIo ? "io_error" : "input_too_large",
                         "cannot read entry",
                         code == kExitIo ? entry.status().message()
                                         : opts.file +
                                               " is larger than 65,535 bytes, the most "
                                               "a log entry can be");
  }
  if (entry->empty()) {
    return ReportFailure(opts.json, kExitUsage, "entry_empty", "cannot add",
                         opts.file + " is empty; the log does not accept empty entries");
  }
  http::HttpClient http;
  auto log = server::LogClient::Create(opts.url, http, Seconds(opts.timeout));
  if (!log.ok()) {
    return ReportFailure(opts.json, kExitUsage, "url_malformed", "bad URL", log.status().message());
  }
  auto added = log->Add(*entry);
  if (!added.ok()) return ClientFailure(opts.json, "cannot add", added.status());
  if (added->leaf_hash != tlog::HashLeaf(*entry)) {
    return ReportFailure(opts.json, kExitRejected, "leaf_hash_mismatch", "the log misbehaved",
                         "it answered with leaf hash " + Base64Encode(added->leaf_hash) +
                             ", not the entry's " + Base64Encode(tlog::HashLeaf(*entry)));
  }
  if (opts.json) {
    Json out;
    out["index"] = added->index;
    out["leaf_hash"] = Base64Encode(added->leaf_hash);
    out["duplicate"] = added->duplicate;
    out["tree_size"] = added->tree_size;
    std::cout << DumpJson(out) << "\n";
  } else {
    std::cout << "index " << added->index << "\n"
              << "leaf_hash " << Base64Encode(added->leaf_hash) << "\n"
              << "duplicate " << (added->duplicate ? "yes" : "no") << "\n"
              << "tree_size " << added->tree_size << "\n";
  }
  return kExitOk;
}

// ---- checkpoint ----

struct CheckpointOptions {
  std::string url;
  Trust trust;
  int timeout = 30;
  bool json = false;
};

int RunCheckpoint(const CheckpointOptions& opts) {
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/false, opts.json, &policy); rc != kExitOk) {
    return rc;
  }
  http::HttpClient http;
  auto log = server::LogClient::Create(opts.url, http, Seconds(opts.timeout));
  if (!log.ok()) {
    return ReportFailure(opts.json, kExitUsage, "url_malformed", "bad URL", log.status().message());
  }
  auto note = log->FetchCheckpoint();
  if (!note.ok()) return ClientFailure(opts.json, "cannot fetch the checkpoint", note.status());
  auto cp = tlog::SignedCheckpoint::Parse(*note);
  if (!cp.ok()) {
    return ReportFailure(opts.json, kExitRejected, "checkpoint_malformed",
                         "the log's checkpoint is malformed", cp.status().message());
  }
  if (policy) {
    auto verified = policy->VerifyCheckpoint(*cp);
    if (!verified.ok()) return Rejected(opts.json, "checkpoint rejected", verified.status());
  }
  if (opts.json) {
    Json out;
    out["origin"] = cp->checkpoint().origin();
    out["size"] = cp->checkpoint().size();
    out["root"] = Base64Encode(cp->checkpoint().root());
    out["verified"] = policy.has_value();
    out["checkpoint"] = *note;
    std::cout << DumpJson(out) << "\n";
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
  bool json = false;
};

int RunProof(const ProofOptions& opts) {
  uint64_t index = 0;
  if (opts.index.empty() || opts.index.size() > 19 ||
      opts.index.find_first_not_of("0123456789") != std::string::npos ||
      (opts.index.size() > 1 && opts.index[0] == '0')) {
    return ReportFailure(opts.json, kExitUsage, "index_malformed", "bad INDEX",
                         "an index is a decimal number without sign or leading zeros");
  }
  index = std::stoull(opts.index);
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/false, opts.json, &policy); rc != kExitOk) {
    return rc;
  }
  http::HttpClient http;
  auto log = server::LogClient::Create(opts.url, http, Seconds(opts.timeout));
  if (!log.ok()) {
    return ReportFailure(opts.json, kExitUsage, "url_malformed", "bad URL", log.status().message());
  }
  auto text = log->FetchProof(index);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return ReportFailure(opts.json, kExitRejected, "entry_not_found", "no such entry",
                           text.status().message());
    }
    return ClientFailure(opts.json, "cannot fetch the proof", text.status());
  }
  auto file = tlog::ProofFile::Parse(*text);
  if (!file.ok()) {
    return ReportFailure(opts.json, kExitRejected, "proof_file_malformed",
                         "the log's receipt is malformed", file.status().message());
  }
  if (file->index() != index) {
    return ReportFailure(opts.json, kExitRejected, "proof_file_mismatch", "the log misbehaved",
                         "it sent a receipt for entry " + std::to_string(file->index()));
  }
  if (policy) {
    auto verified = policy->VerifyCheckpoint(file->checkpoint());
    if (!verified.ok()) {
      return Rejected(opts.json, "the receipt's checkpoint is rejected", verified.status());
    }
  }
  if (!opts.out.empty()) {
    if (Status s = WriteFileAtomic(opts.out, AsBytes(*text), 0644); !s.ok()) {
      return ReportFailure(opts.json, kExitIo, "io_error", "cannot write --out", s.message());
    }
  }
  if (opts.json) {
    Json out;
    out["index"] = index;
    out["tree_size"] = file->checkpoint().checkpoint().size();
    if (opts.out.empty()) {
      out["proof_file"] = *text;
    } else {
      out["out"] = opts.out;
    }
    std::cout << DumpJson(out) << "\n";
  } else if (opts.out.empty()) {
    std::cout << *text;
  }
  return kExitOk;
}

// ---- verify-proof ----

struct VerifyProofOptions {
  std::string receipt;
  std::string entry;
  Trust trust;
  bool json = false;
};

int RunVerifyProof(const VerifyProofOptions& opts) {
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/true, opts.json, &policy); rc != kExitOk) {
    return rc;
  }
  auto text = ReadFileToString(opts.receipt, tlog::kMaxProofFileSize);
  if (!text.ok()) {
    if (ExitCodeForReadError(text.status()) == kExitIo) {
      return ReportFailure(opts.json, kExitIo, "io_error", "cannot read the receipt",
                           text.status().message());
    }
    return Rejected(opts.json, "receipt rejected",
                    MalformedError("proof_file_malformed", text.status().message()));
  }
  auto entry = ReadFile(opts.entry, tlog::kMaxEntrySize);
  if (!entry.ok()) {
    if (ExitCodeForReadError(entry.status()) == kExitIo) {
      return ReportFailure(opts.json, kExitIo, "io_error", "cannot read --entry",
                           entry.status().message());
    }
    return Rejected(
        opts.json, "receipt rejected",
        RejectedError("entry_too_large", opts.entry + " is larger than 65,535 bytes, so no log "
                                                      "holds it"));
  }
  auto file = tlog::ProofFile::Parse(*text);
  if (!file.ok()) return Rejected(opts.json, "receipt rejected", file.status());
  auto verified = file->VerifyEntry(*entry, *policy);
  if (!verified.ok()) return Rejected(opts.json, "receipt rejected", verified.status());
  const tlog::Checkpoint& cp = file->checkpoint().checkpoint();
  if (opts.json) {
    Json out;
    out["verdict"] = "accepted";
    out["origin"] = cp.origin();
    out["index"] = file->index();
    out["tree_size"] = cp.size();
    out["root"] = Base64Encode(cp.root());
    out["leaf_hash"] = Base64Encode(tlog::HashLeaf(*entry));
    out["witnesses"] = Json::array();
    for (const std::string& w : verified->witnesses) out["witnesses"].push_back(w);
    std::cout << DumpJson(out) << "\n";
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
  bool json = false;
};

constexpr uint64_t kProgressThreshold = 100'000;  // entries

int RunAudit(const AuditOptions& opts) {
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/true, opts.json, &policy); rc != kExitOk) {
    return rc;
  }
  // The last checkpoint this client trusted.
  std::optional<tlog::Checkpoint> trusted;
  if (!opts.state.empty() && FileExists(opts.state)) {
    auto text = ReadFileToString(opts.state, tlog::kMaxNoteSize);
    if (!text.ok()) {
      int ec = ExitCodeForReadError(text.status());
      return ReportFailure(opts.json, ec, ec == kExitIo ? "io_error" : "state_invalid",
                           "cannot read --state", text.status().message());
    }
    auto cp = tlog::SignedCheckpoint::Parse(*text);
    Status s = cp.ok() ? policy->VerifyCheckpoint(*cp).status() : cp.status();
    if (!s.ok()) {
      return ReportFailure(
          opts.json, kExitUsage, "state_invalid", "bad --state",
          opts.state + " does not hold a checkpoint this policy accepts: " + s.message());
    }
    trusted = cp->checkpoint();
  }
  http::HttpClient http;
  auto log = server::LogClient::Create(opts.url, http, Seconds(opts.timeout));
  if (!log.ok()) {
    return ReportFailure(opts.json, kExitUsage, "url_malformed", "bad URL", log.status().message());
  }
  ledger::AuditOptions audit;
  audit.policy = &*policy;
  audit.trusted = trusted;
  audit.check_entries = !opts.no_entries;
  auto start = RealClock().SteadyNow();
  auto last = start;
  if (!opts.quiet) {
    audit.progress = [&](uint64_t done, uint64_t total) {
      if (total < kProgressThreshold) return;
      auto now = RealClock().SteadyNow();
      if (done != total && now - last < std::chrono::seconds(1)) return;
      last = now;
      std::fprintf(stderr, "audit: %llu of %llu entries (%.0f%%)\n",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   100.0 * static_cast<double>(done) / static_cast<double>(total));
    };
  }
  auto result = ledger::AuditLog(*log, audit);
  if (!result.ok()) {
    const Status& s = result.status();
    if (s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kInvalidArgument) {
      return Rejected(opts.json, "audit failed", s);
    }
    return ClientFailure(opts.json, "audit failed", s);
  }
  bool state_updated = false;
  if (!opts.state.empty()) {
    Status s = WriteFileAtomic(opts.state, AsBytes(result->checkpoint_note), 0644);
    if (!s.ok()) {
      return ReportFailure(opts.json, kExitIo, "io_error", "cannot write --state", s.message());
    }
    state_updated = true;
  }
  const tlog::Checkpoint& cp = result->checkpoint;
  if (opts.json) {
    Json out;
    out["verdict"] = "accepted";
    out["origin"] = cp.origin();
    out["size"] = cp.size();
    out["root"] = Base64Encode(cp.root());
    out["trusted_size"] = result->trusted_size;
    out["consistency_proven"] = result->consistency_proven;
    out["tiles"] = result->tiles;
    out["bundles"] = result->bundles;
    out["state_updated"] = state_updated;
    std::cout << DumpJson(out) << "\n";
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
  CLI::App* log = app.add_subcommand("log", "Transparency log: keys and client commands");
  log->description(
      "Keys for a Vouch transparency log (a C2SP tlog-tiles log) and the client side of its\n"
      "HTTP API. Run the log itself with 'vouch serve log'. See docs/log.md.");
  log->require_subcommand(1);

  auto keygen_opts = std::make_shared<KeygenOptions>();
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
  keygen->callback([keygen_opts, &ctx] { ctx.exit_code = RunKeygen(*keygen_opts); });

  auto add_opts = std::make_shared<AddOptions>();
  CLI::App* add = log->add_subcommand("add", "Add an entry to a log");
  add->footer(
      std::string(
          "Submits FILE (1 to 65,535 bytes) to the log at URL and waits until it is durably\n"
          "sequenced. Prints its index, its RFC 6962 leaf hash SHA-256(0x00 || entry), whether it\n"
          "was already in the log (then the index is the existing one) and the size of the\n"
          "checkpoint that includes it:\n"
          "  index 42\n  leaf_hash <base64>\n  duplicate no\n  tree_size 43") +
      "\n\n" +
      "Exit codes: 0 added (or already present); 1 the log refused the entry or answered\n"
      "wrongly; 2 bad URL, FILE empty or over 65,535 bytes; 3 FILE unreadable, the log\n"
      "unreachable, busy or failing.");
  add->add_option("URL", add_opts->url, "The log, e.g. http://127.0.0.1:7381")->required();
  add->add_option("FILE", add_opts->file, "The entry (- for stdin)")->required();
  add->add_option("--timeout", add_opts->timeout, "Seconds to wait (default 60)")
      ->check(CLI::Range(1, 3600));
  add->add_flag("--json", add_opts->json, "Print one JSON object");
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
  checkpoint->add_option("URL", cp_opts->url, "The log")->required();
  AddTrustOptions(checkpoint, cp_opts->trust);
  checkpoint->add_option("--timeout", cp_opts->timeout, "Seconds (default 30)")
      ->check(CLI::Range(1, 3600));
  checkpoint->add_flag("--json", cp_opts->json, "Print one JSON object");
  checkpoint->callback([cp_opts, &ctx] { ctx.exit_code = RunCheckpoint(*cp_opts); });

  auto proof_opts = std::make_shared<ProofOptions>();
  CLI::App* proof = log->add_subcommand("proof", "Fetch a receipt (tlog-proof) for an entry");
  proof->footer(
      std::string(
          std::string(
              "Fetches a c2sp.org/tlog-proof@v1 receipt for entry INDEX: the inclusion\n"
              "proof against the log's latest checkpoint, and the checkpoint itself. Keep it\n"
              "beside the entry; 'vouch log verify-proof' checks it offline. With --vkey or\n"
              "--policy its checkpoint is verified before it is written.\n\n") +
          kTrustOptions) +
      "\n\n" +
      "Exit codes: 0 written; 1 no such entry, or the receipt is malformed or not validly\n"
      "signed; 2 bad usage; 3 the log is unreachable or --out cannot be written.");
  proof->add_option("URL", proof_opts->url, "The log")->required();
  proof->add_option("INDEX", proof_opts->index, "Entry index (from 'vouch log add')")->required();
  AddTrustOptions(proof, proof_opts->trust);
  proof->add_option("--out", proof_opts->out, "Write the receipt here instead of stdout");
  proof->add_option("--timeout", proof_opts->timeout, "Seconds (default 30)")
      ->check(CLI::Range(1, 3600));
  proof->add_flag("--json", proof_opts->json, "Print one JSON object");
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
              "stderr for logs of 100,000 entries or more.\n\n") +
          kTrustOptions) +
      "\n\n" +
      "Exit codes: 0 the log is consistent; 1 rejected (rollback, split view, bad signature,\n"
      "inconsistent or missing tiles); 2 bad usage or an unusable --state; 3 the log is\n"
      "unreachable or --state cannot be written.");
  audit->add_option("URL", audit_opts->url, "The log")->required();
  AddTrustOptions(audit, audit_opts->trust);
  audit->add_option("--state", audit_opts->state,
                    "File with the last trusted checkpoint (created if missing)");
  audit->add_flag("--no-entries", audit_opts->no_entries,
                  "Check hash tiles only, not entry bundles");
  audit->add_flag("--quiet", audit_opts->quiet, "No progress on stderr");
  audit->add_option("--timeout", audit_opts->timeout, "Seconds per request (default 30)")
      ->check(CLI::Range(1, 3600));
  audit->add_flag("--json", audit_opts->json, "Print one JSON object");
  audit->callback([audit_opts, &ctx] { ctx.exit_code = RunAudit(*audit_opts); });
}

}  // namespace vouch::cli

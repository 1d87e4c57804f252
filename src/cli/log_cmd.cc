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

constexpr const char kTrustOptions[] =
    "Trust: --vkey VKEY (the log's verifier key; no witnesses required) or --policy FILE (a\n"
    "c2sp.org/tlog-policy file: accepted logs and a witness quorum); without either, the\n"
    "policy file in $VOUCH_POLICY, if set.";

constexpr const char kUrlHelp[] = "The log, e.g. http://127.0.0.1:7381 (default: $VOUCH_LOG_URL)";

// What a client command trusts: a policy built from --vkey, or read from --policy (or from
// $VOUCH_POLICY when neither is given).
struct Trust {
  std::string vkey;
  std::string policy_file;
};

void AddTrustOptions(CLI::App* cmd, Trust& trust) {
  auto* vkey =
      cmd->add_option("--vkey", trust.vkey, "The log's verifier key, <origin>+<key id>+<base64>");
  auto* policy = cmd->add_option(
      "--policy", trust.policy_file,
      "A c2sp.org/tlog-policy file (logs and witness quorum; default $VOUCH_POLICY)");
  vkey->excludes(policy);
}

// The policy for `trust`; `*exit_code` and `*code` describe a failure.
StatusOr<tlog::Policy> MakePolicy(const Trust& trust, int* exit_code, std::string* code) {
  *exit_code = kExitUsage;
  if (!trust.policy_file.empty()) return ReadPolicyFile(trust.policy_file, exit_code, code);
  *code = tlog::reasons::kVkeyMalformed;
  auto key = tlog::VerifierKey::Parse(trust.vkey);
  if (!key.ok()) return key.status().WithContext("bad --vkey");
  if (key->type() != tlog::kSigTypeEd25519) {
    return InvalidArgumentError("bad --vkey: a log key has type 0x01 (Ed25519), this one 0x" +
                                HexEncode(std::vector<uint8_t>{key->type()}) +
                                (key->type() == 0x04 ? " (a witness's cosignature key)" : ""));
  }
  auto policy = tlog::Policy::Parse("log " + key->ToString() + "\nquorum none\n");
  if (!policy.ok()) return policy.status().WithContext("bad --vkey");
  return policy;
}

// Resolves `trust` (after $VOUCH_POLICY) into the policy a client command verifies with, in
// `*policy`. Without any, `*policy` stays empty, or, when the command needs one (`required`),
// that is a usage error ("trust_missing"). A failure is reported as `json` asks and its exit
// code returned; kExitOk otherwise.
int ResolveTrust(Trust& trust, bool required, bool json, bool verbose,
                 std::optional<tlog::Policy>* policy) {
  if (trust.vkey.empty() && trust.policy_file.empty()) {
    if (auto env = EnvDefault(kEnvPolicy)) {
      trust.policy_file = *env;
      Verbose(verbose, std::string("--policy ") + *env + " (from $" + kEnvPolicy + ")");
    }
  }
  if (trust.vkey.empty() && trust.policy_file.empty()) {
    if (!required) return kExitOk;
    return ReportFailure(json, codes::kTrustMissing, "bad usage",
                         "give the log's --vkey or a --policy",
                         std::string("or set ") + kEnvPolicy + " to a policy file");
  }
  int exit_code;
  std::string code;
  auto p = MakePolicy(trust, &exit_code, &code);
  if (!p.ok()) return ReportFailure(json, exit_code, code, "bad usage", p.status().message());
  Verbose(verbose, trust.vkey.empty() ? "trusting the policy " + trust.policy_file
                                      : "trusting the log key " + trust.vkey);
  *policy = std::move(p).value();
  return kExitOk;
}

// A checkpoint that `trust` rejected, worded for what was given: with --vkey there is no policy
// to speak of.
Status TrustRejection(const Trust& trust, const tlog::Checkpoint& cp, const Status& status) {
  if (trust.vkey.empty()) return status;
  const std::string key_name = trust.vkey.substr(0, trust.vkey.find('+'));
  if (status.reason() == tlog::reasons::kPolicyUnknownLog) {
    return RejectedError(status.reason(), "the checkpoint is for the log \"" + cp.origin() +
                                              "\", but --vkey is the key of \"" + key_name +
                                              "\": is it the other log's URL or key?");
  }
  if (status.reason() == tlog::reasons::kPolicyLogSignatureMissing) {
    return RejectedError(status.reason(), "the checkpoint of \"" + cp.origin() +
                                              "\" is not signed by the --vkey key (another key "
                                              "with the same name?)");
  }
  return status;
}

// The log URL: the first positional, or $VOUCH_LOG_URL. For commands with a second positional
// (FILE, INDEX), CLI11 puts a lone positional into the URL; then it is the second one and the
// URL comes from the environment. A failure is reported and its exit code returned.
int ResolveUrl(std::string* url, std::string* second, const char* second_name, bool json,
               bool verbose) {
  if (second != nullptr && second->empty() && !url->empty()) {
    *second = *url;
    url->clear();
  }
  if (second != nullptr && second->empty()) {
    return ReportFailure(json, codes::kUsage, "bad usage",
                         std::string(second_name) + " is required",
                         "see the command's --help for its arguments and examples");
  }
  if (url->empty()) {
    auto env = EnvDefault(kEnvLogUrl);
    if (!env) {
      return ReportFailure(
          json, codes::kUsage, "bad usage", "the log URL is required",
          std::string("give it first (e.g. http://127.0.0.1:7381) or set ") + kEnvLogUrl);
    }
    *url = *env;
    Verbose(verbose, "log " + *url + " (from $" + kEnvLogUrl + ")");
  }
  return kExitOk;
}

// Exit code and error code for a failure talking to the log (or of what it sent).
int ClientFailure(bool json, const std::string& what, const Status& status) {
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return ReportStatus(json, what, status);
    case StatusCode::kInvalidArgument:
      if (status.reason().empty()) {
        return ReportFailure(json, codes::kLogResponseMalformed, what, status.message());
      }
      return ReportStatus(json, what, status);
    case StatusCode::kNotFound:
      return ReportFailure(json, codes::kNotFound, what, status.message());
    default:
      return ReportFailure(json, codes::kLogUnreachable, what, status.message(),
                           "check the URL, and that the log runs ('vouch serve log')");
  }
}

// A client of the log at `url`; a malformed URL is reported (exit 2).
StatusOr<server::LogClient> Connect(const std::string& url, http::HttpClient& http, int timeout,
                                    bool json, int* exit_code) {
  auto log = server::LogClient::Create(url, http, std::chrono::seconds(timeout));
  if (!log.ok()) {
    *exit_code = ReportFailure(json, codes::kUrlMalformed, "bad URL", log.status().message(),
                               "a log URL is http(s)://host[:port][/prefix]");
  }
  return log;
}

// ---- keygen ----

struct KeygenOptions {
  std::string origin;
  std::string out;
  bool force = false;
  bool json = false;
};

int RunKeygen(const KeygenOptions& opts) {
  if (!tlog::IsValidKeyName(opts.origin)) {
    return ReportFailure(opts.json, codes::kInvalidOrigin, "bad --origin",
                         "an origin is non-empty and has no white space, control character or "
                         "'+' (e.g. log.example.com/vouch)");
  }
  if (FileExists(opts.out) && !opts.force) {
    return ReportFailure(opts.json, codes::kFileExists, "refusing to overwrite",
                         opts.out + " exists",
                         "give another --out, or --force to replace the key (its log's "
                         "checkpoints then no longer verify)");
  }
  auto signer = tlog::Ed25519NoteSigner::Generate(opts.origin);
  if (!signer.ok()) return ReportStatus(opts.json, "keygen", signer.status());
  SecretBytes skey = signer->GoPrivateKey();
  Bytes file(skey.Reveal().begin(), skey.Reveal().end());
  file.push_back('\n');
  Status written = WriteFileAtomic(opts.out, file, 0600);
  SecureWipe(file.data(), file.size());
  if (!written.ok()) {
    return ReportFailure(opts.json, codes::kIoError, "cannot write key", written.message());
  }
  const std::string vkey = signer->verifier_key().ToString();
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"origin", opts.origin}, {"vkey", vkey}, {"key_file", opts.out}});
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
  bool verbose = false;
  bool json = false;
};

int RunAdd(AddOptions opts) {
  if (int rc = ResolveUrl(&opts.url, &opts.file, "FILE", opts.json, opts.verbose); rc != kExitOk) {
    return rc;
  }
  auto entry = ReadFile(opts.file, tlog::kMaxEntrySize);
  if (!entry.ok()) {
    ErrorCode code = ReadErrorCode(entry.status());
    return ReportFailure(opts.json, code, "cannot read entry",
                         code.exit_code == kExitIo ? entry.status().message()
                                                   : opts.file +
                                                         " is larger than 65,535 bytes, the most "
                                                         "a log entry can be");
  }
  if (entry->empty()) {
    return ReportFailure(opts.json, codes::kEntryEmpty, "cannot add",
                         opts.file + " is empty; the log does not accept empty entries");
  }
  http::HttpClient http;
  int rc = kExitOk;
  auto log = Connect(opts.url, http, opts.timeout, opts.json, &rc);
  if (!log.ok()) return rc;
  Verbose(opts.verbose, "POST " + log->base_url() + "/add (" + std::to_string(entry->size()) +
                            " bytes, leaf hash " + Base64Encode(tlog::HashLeaf(*entry)) + ")");
  const auto start = SteadyNow();
  StatusOr<server::AddResponse> added = [&] {
    // The log answers once the entry is durably sequenced: usually milliseconds, but a busy
    // log, or one waiting for its storage, can take up to --timeout.
    WaitNotice notice("waiting for the log to sequence the entry",
                      std::chrono::seconds(opts.timeout));
    return log->Add(*entry);
  }();
  if (!added.ok()) return ClientFailure(opts.json, "cannot add", added.status());
  Verbose(opts.verbose, "sequenced in " + Elapsed(start));
  if (added->leaf_hash != tlog::HashLeaf(*entry)) {
    return ReportFailure(opts.json, codes::kLeafHashMismatch, "the log misbehaved",
                         "it answered with leaf hash " + Base64Encode(added->leaf_hash) +
                             ", not the entry's " + Base64Encode(tlog::HashLeaf(*entry)));
  }
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"index", added->index},
                                 {"leaf_hash", Base64Encode(added->leaf_hash)},
                                 {"duplicate", added->duplicate},
                                 {"tree_size", added->tree_size}});
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
  bool verbose = false;
  bool json = false;
};

int RunCheckpoint(CheckpointOptions opts) {
  if (int rc = ResolveUrl(&opts.url, nullptr, "", opts.json, opts.verbose); rc != kExitOk) {
    return rc;
  }
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/false, opts.json, opts.verbose, &policy);
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

// Why no receipt for entry `index` came in time although the log answers: the checkpoint that
// would cover it lacks its witness quorum. With a policy, its witnesses that have a URL there are
// asked (c2sp.org/tlog-witness GET /<hex SHA-256(origin)>/checkpoint) what they last cosigned
// for the log, so that the message names the missing ones.
std::string ExplainMissingQuorum(http::HttpClient& http, const tlog::Policy* policy,
                                 const std::string& origin, uint64_t index,
                                 std::optional<uint64_t> published) {
  std::string out =
      "the log has sequenced entry " + std::to_string(index) +
      " but published no checkpoint covering it: that checkpoint lacks its "
      "witness quorum (" +
      (published ? "the latest published checkpoint has size " + std::to_string(*published)
                 : std::string("nothing is published yet")) +
      ")";
  if (policy == nullptr) {
    return out + "; give --policy (or set " + kEnvPolicy + ") to see which witnesses are missing";
  }
  std::set<std::string> covering;
  std::vector<std::string> notes;
  const std::string path = "/" + HexEncode(Sha256(AsBytes(origin))) + "/checkpoint";
  for (const tlog::Policy::Witness& w : policy->witnesses()) {
    if (w.url.empty()) {
      notes.push_back(w.name + ": no URL in the policy, not asked");
      continue;
    }
    auto r = http.Get(http::WithoutTrailingSlashes(w.url) + path, {}, std::chrono::seconds(3));
    if (!r.ok()) {
      notes.push_back(w.name + " (" + w.url + "): unreachable (" + r.status().message() + ")");
    } else if (r->status != 200) {
      notes.push_back(w.name + " (" + w.url + "): has cosigned nothing for this log (HTTP " +
                      std::to_string(r->status) + ")");
    } else if (auto cp = tlog::SignedCheckpoint::Parse(r->body); !cp.ok()) {
      notes.push_back(w.name + " (" + w.url + "): answered something that is not a checkpoint");
    } else if (cp->checkpoint().size() <= index) {
      notes.push_back(w.name + " (" + w.url + "): last cosigned size " +
                      std::to_string(cp->checkpoint().size()) + ", not yet this entry");
    } else {
      covering.insert(w.name);
    }
  }
  out += "; " + policy->ExplainQuorum(covering);
  for (const std::string& note : notes) out += "; " + note;
  return out;
}

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
  const auto start = SteadyNow();
  const auto deadline = start + std::chrono::seconds(opts.timeout);
  // A first, short try. A log that publishes at its witness quorum answers 503 until a cosigned
  // checkpoint covers the entry: then say so, wait in the open, and name the missing witnesses
  // if the quorum does not come.
  int rc = kExitOk;
  auto quick = Connect(opts.url, http, 1, opts.json, &rc);
  if (!quick.ok()) return rc;
  Verbose(opts.verbose, "GET " + quick->base_url() + "/proof/" + opts.index);
  auto text = quick->FetchProof(index);
  const auto transient = [](const Status& s) {
    return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded;
  };
  if (!text.ok() && transient(text.status())) {
    // Does the log answer at all, and what has it published?
    auto answer = http.Get(quick->base_url() + "/checkpoint", {}, std::chrono::milliseconds(2000));
    std::optional<tlog::SignedCheckpoint> published;
    if (answer.ok() && answer->status == 200) {
      if (auto cp = tlog::SignedCheckpoint::Parse(answer->body); cp.ok()) published = *cp;
    }
    const bool quorum_wait =
        answer.ok() &&
        (answer->status == 503 || (published && published->checkpoint().size() <= index));
    const auto left =
        std::max(std::chrono::duration_cast<std::chrono::seconds>(deadline - SteadyNow()),
                 std::chrono::seconds(1));
    if (answer.ok() && SteadyNow() < deadline) {
      if (quorum_wait) {
        PrintError("entry " + opts.index +
                   " is sequenced but not yet in a checkpoint cosigned by the log's witness "
                   "quorum; waiting up to " +
                   std::to_string(left.count()) + " s (--timeout)");
      }
      auto patient = Connect(opts.url, http, static_cast<int>(left.count()), opts.json, &rc);
      if (!patient.ok()) return rc;
      {
        std::optional<WaitNotice> notice;
        if (quorum_wait) notice.emplace("still waiting for a witness-cosigned checkpoint", left);
        text = patient->FetchProof(index);
      }
    }
    if (!text.ok() && transient(text.status()) && quorum_wait) {
      std::string origin;
      if (published) {
        origin = published->checkpoint().origin();
      } else if (policy && policy->logs().size() == 1) {
        origin = policy->logs()[0].key.name();
      }
      std::optional<uint64_t> published_size;
      if (published) published_size = published->checkpoint().size();
      return ReportFailure(
          opts.json, codes::kWitnessQuorumMissing,
          "no receipt within " + std::to_string(opts.timeout) + " s",
          ExplainMissingQuorum(http, policy ? &*policy : nullptr, origin, index, published_size),
          "the log keeps asking its witnesses: try again once they are back (a longer "
          "--timeout waits longer)");
    }
  }
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return ReportFailure(opts.json, codes::kEntryNotFound, "no such entry",
                           text.status().message());
    }
    return ClientFailure(opts.json, "cannot fetch the proof", text.status());
  }
  Verbose(opts.verbose, "answered in " + Elapsed(start));
  auto file = tlog::ProofFile::Parse(*text);
  if (!file.ok()) {
    return ReportFailure(opts.json, ErrorCode{tlog::reasons::kProofFileMalformed, kExitRejected},
                         "the log's receipt is malformed", file.status().message());
  }
  if (file->index() != index) {
    return ReportFailure(opts.json, codes::kProofFileMismatch, "the log misbehaved",
                         "it sent a receipt for entry " + std::to_string(file->index()));
  }
  if (policy) {
    auto verified = policy->VerifyCheckpoint(file->checkpoint());
    if (!verified.ok()) {
      return ReportStatus(
          opts.json, "the receipt's checkpoint is rejected",
          TrustRejection(opts.trust, file->checkpoint().checkpoint(), verified.status()));
    }
  }
  if (!opts.out.empty()) {
    if (Status s = WriteFileAtomic(opts.out, AsBytes(*text), 0644); !s.ok()) {
      return ReportFailure(opts.json, codes::kIoError, "cannot write --out", s.message());
    }
  }
  if (opts.json) {
    Json out = {{"index", index},
                {"tree_size", file->checkpoint().checkpoint().size()},
                {"verified", policy.has_value()}};
    if (opts.out.empty()) {
      out["proof_file"] = *text;
    } else {
      out["out"] = opts.out;
    }
    PrintJsonResult(kVerdictOk, out);
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
  if (int rc = ResolveUrl(&opts.url, nullptr, "", opts.json, opts.verbose); rc != kExitOk) {
    return rc;
  }
  std::optional<tlog::Policy> policy;
  if (int rc = ResolveTrust(opts.trust, /*required=*/true, opts.json, opts.verbose, &policy);
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

void AddNetworkOptions(CLI::App* cmd, int& timeout, const char* timeout_help, bool& verbose,
                       bool& json) {
  cmd->add_option("--timeout", timeout, timeout_help)->check(CLI::Range(1, 3600));
  cmd->add_flag("--verbose", verbose, "Say on stderr what is asked of whom, and how long it took");
  cmd->add_flag("--json", json, "Print one JSON object");
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

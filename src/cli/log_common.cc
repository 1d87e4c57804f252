#include "cli/log_common.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/sha.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/reasons.h"
#include "vouch/tlog/tiles.h"

namespace vouch::cli {
namespace {

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

}  // namespace

void AddTrustOptions(CLI::App* cmd, Trust& trust) {
  auto* vkey =
      cmd->add_option("--vkey", trust.vkey, "The log's verifier key, <origin>+<key id>+<base64>");
  auto* policy = cmd->add_option(
      "--policy", trust.policy_file,
      "A c2sp.org/tlog-policy file (logs and witness quorum; default $VOUCH_POLICY)");
  vkey->excludes(policy);
}

void AddPolicyOption(CLI::App* cmd, Trust& trust) {
  cmd->add_option("--policy", trust.policy_file,
                  "A c2sp.org/tlog-policy file with a witness quorum (default $VOUCH_POLICY)");
}

void AddRootSetPinOption(CLI::App* cmd, std::string* pin) {
  cmd->add_option("--root-set-pin", *pin,
                  "statement_digest of root set version 1 (default: $VOUCH_ROOT_SET_PIN)");
}

void AddMaxCheckpointAgeOption(CLI::App* cmd, std::string* max_checkpoint_age) {
  cmd->add_option("--max-checkpoint-age", *max_checkpoint_age,
                  "How old the witnesses' checkpoint may be (default PT5M)");
}

void AddLedgerTrustOptions(CLI::App* cmd, LedgerTrust* ledger) {
  cmd->add_option("--log", ledger->log_url, "The ledger's log URL (default: $VOUCH_LOG_URL)");
  AddPolicyOption(cmd, ledger->trust);
  AddRootSetPinOption(cmd, &ledger->pin);
  cmd->add_option("--trust-root", ledger->trust_roots,
                  "A production root CA (DER or PEM) for quotes (default: Intel's); repeatable");
  cmd->add_option("--sim-root", ledger->sim_roots,
                  "A simulation root CA (vouch sim init's root_ca.der); repeatable");
}

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

int ResolveUrlAndTrust(std::string* url, Trust& trust, bool required, bool json, bool verbose,
                       std::optional<tlog::Policy>* policy) {
  if (int rc = ResolveUrl(url, nullptr, "", json, verbose); rc != kExitOk) return rc;
  return ResolveTrust(trust, required, json, verbose, policy);
}

Failure ClientFailureCode(const Status& status) {
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
      return ErrorCodeFor(status);
    case StatusCode::kInvalidArgument:
      if (status.reason().empty()) {
        return {std::string(codes::kLogResponseMalformed.code),
                codes::kLogResponseMalformed.exit_code};
      }
      return ErrorCodeFor(status);
    case StatusCode::kNotFound:
      return {std::string(codes::kNotFound.code), codes::kNotFound.exit_code};
    default:
      return {std::string(codes::kLogUnreachable.code), codes::kLogUnreachable.exit_code};
  }
}

int ClientFailure(bool json, const std::string& what, const Status& status) {
  Failure f = ClientFailureCode(status);
  return ReportFailure(json, ErrorCode{f.code, f.exit_code}, what, status.message(),
                       f.code == codes::kLogUnreachable.code
                           ? "check the URL, and that the log runs ('vouch serve log')"
                           : "");
}

Failure AuditFailureCode(const Status& status) {
  if (status.code() == StatusCode::kPermissionDenied ||
      status.code() == StatusCode::kInvalidArgument) {
    return ErrorCodeFor(status);
  }
  return ClientFailureCode(status);
}

StatusOr<server::LogClient> Connect(const std::string& url, http::HttpClient& http, int timeout,
                                    bool json, int* exit_code) {
  auto log = server::LogClient::Create(url, http, std::chrono::seconds(timeout));
  if (!log.ok()) {
    *exit_code = ReportFailure(json, codes::kUrlMalformed, "bad URL", log.status().message(),
                               "a log URL is http(s)://host[:port][/prefix]");
  }
  return log;
}

void AddNetworkOptions(CLI::App* cmd, int& timeout, const char* timeout_help, bool& verbose,
                       bool& json) {
  cmd->add_option("--timeout", timeout, timeout_help)->check(CLI::Range(1, 3600));
  cmd->add_flag("--verbose", verbose, "Say on stderr what is asked of whom, and how long it took");
  cmd->add_flag("--json", json, "Print one JSON object");
}

int ReadEntryFile(const std::string& path, bool json, Bytes* entry) {
  auto read = ReadFile(path, tlog::kMaxEntrySize);
  if (!read.ok()) {
    ErrorCode code = ReadErrorCode(read.status());
    return ReportFailure(json, code, "cannot read entry",
                         code.exit_code == kExitIo
                             ? read.status().message()
                             : path + " is larger than 65,535 bytes, the most a log entry can be");
  }
  if (read->empty()) {
    return ReportFailure(json, codes::kEntryEmpty, "cannot add",
                         path + " is empty; the log does not accept empty entries");
  }
  *entry = std::move(read).value();
  return kExitOk;
}

int AddEntry(server::LogClient& log, ByteSpan entry, int timeout, bool json, bool verbose,
             server::AddResponse* added) {
  Verbose(verbose, "POST " + log.base_url() + "/add (" + std::to_string(entry.size()) +
                       " bytes, leaf hash " + Base64Encode(tlog::HashLeaf(entry)) + ")");
  const auto start = SteadyNow();
  StatusOr<server::AddResponse> response = [&] {
    // The log answers once the entry is durably sequenced: usually milliseconds, but a busy
    // log, or one waiting for its storage, can take up to --timeout.
    WaitNotice notice("waiting for the log to sequence the entry", std::chrono::seconds(timeout));
    return log.Add(entry);
  }();
  if (!response.ok()) return ClientFailure(json, "cannot add", response.status());
  Verbose(verbose, "sequenced in " + Elapsed(start));
  if (response->leaf_hash != tlog::HashLeaf(entry)) {
    return ReportFailure(json, codes::kLeafHashMismatch, "the log misbehaved",
                         "it answered with leaf hash " + Base64Encode(response->leaf_hash) +
                             ", not the entry's " + Base64Encode(tlog::HashLeaf(entry)));
  }
  *added = std::move(response).value();
  return kExitOk;
}

int FetchReceipt(const std::string& url, http::HttpClient& http, uint64_t index,
                 const tlog::Policy* policy, const Trust& trust, int timeout, bool json,
                 bool verbose, std::string* receipt, std::optional<tlog::ProofFile>* parsed) {
  const std::string index_text = std::to_string(index);
  const auto start = SteadyNow();
  const auto deadline = start + std::chrono::seconds(timeout);
  // A first, short try. A log that publishes at its witness quorum answers 503 until a cosigned
  // checkpoint covers the entry: then say so, wait in the open, and name the missing witnesses
  // if the quorum does not come.
  int rc = kExitOk;
  auto quick = Connect(url, http, 1, json, &rc);
  if (!quick.ok()) return rc;
  Verbose(verbose, "GET " + quick->base_url() + "/proof/" + index_text);
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
        PrintError("entry " + index_text +
                   " is sequenced but not yet in a checkpoint cosigned by the log's witness "
                   "quorum; waiting up to " +
                   std::to_string(left.count()) + " s (--timeout)");
      }
      auto patient = Connect(url, http, static_cast<int>(left.count()), json, &rc);
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
      } else if (policy != nullptr && policy->logs().size() == 1) {
        origin = policy->logs()[0].key.name();
      }
      std::optional<uint64_t> published_size;
      if (published) published_size = published->checkpoint().size();
      return ReportFailure(
          json, codes::kWitnessQuorumMissing, "no receipt within " + std::to_string(timeout) + " s",
          ExplainMissingQuorum(http, policy, origin, index, published_size),
          "the log keeps asking its witnesses: try again once they are back (a longer "
          "--timeout waits longer)");
    }
  }
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return ReportFailure(json, codes::kEntryNotFound, "no such entry", text.status().message());
    }
    return ClientFailure(json, "cannot fetch the proof", text.status());
  }
  Verbose(verbose, "answered in " + Elapsed(start));
  auto file = tlog::ProofFile::Parse(*text);
  if (!file.ok()) {
    return ReportFailure(json, ErrorCode{tlog::reasons::kProofFileMalformed, kExitRejected},
                         "the log's receipt is malformed", file.status().message());
  }
  if (file->index() != index) {
    return ReportFailure(json, codes::kProofFileMismatch, "the log misbehaved",
                         "it sent a receipt for entry " + std::to_string(file->index()));
  }
  if (policy) {
    auto verified = policy->VerifyCheckpoint(file->checkpoint());
    if (!verified.ok()) {
      return ReportStatus(
          json, "the receipt's checkpoint is rejected",
          TrustRejection(trust, file->checkpoint().checkpoint(), verified.status()));
    }
  }
  *receipt = std::move(text).value();
  *parsed = std::move(file).value();
  return kExitOk;
}

}  // namespace vouch::cli

// `vouch provision fetch`: the enclave side of a release (spec/provisioning.md §3.6; docs/broker.md
// "The enclave side"), run inside the target enclave (`vouch enclave run BUNDLE -- provision fetch
// ...`). Thin: the platform is platform::Platform::FromEnvironment (as `serve broker` takes it),
// the broker server::BrokerClient, the steps E1-E7 server::FetchSecret; this file reads the
// arguments and files, writes the sealed blob and reports. The secret is never printed.
// `vouch provision unseal`, registered with it, opens that blob again inside the same enclave.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli_common.h"
#include "cli/error_codes.h"
#include "cli/govern_common.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/http/http_client.h"
#include "vouch/platform/platform.h"
#include "vouch/provision/anchors.h"
#include "vouch/provision/envelope.h"
#include "vouch/seal/seal.h"
#include "vouch/server/broker_client.h"
#include "vouch/server/fetch_secret.h"
#include "vouch/server/log_client.h"

namespace vouch::cli {
namespace {

// What the command reads at most: more than the formats allow, so that only absurd inputs are
// input_too_large and the parsers give the reason for the rest.
constexpr size_t kMaxEnvelopeRead = size_t{1} << 20;
constexpr size_t kMaxAnchorsRead = size_t{1} << 20;
// A sealed provisioned secret: at most 32,768 bytes of secret plus the blob's header and tag.
constexpr size_t kMaxSealedRead = size_t{1} << 20;

struct ProvisionFetchOptions {
  std::string envelope;
  std::string broker;
  std::string seal_out;
  std::string anchors;
  std::string log_url;
  int timeout = 30;
  bool force = false;
  bool json = false;
  bool verbose = false;
};

constexpr const char kProvisionFetchHelp[] =
    "Fetches the secret of the envelope file ENV from the broker at --broker and seals it to this\n"
    "enclave (spec/provisioning.md §3.6). It runs inside the target enclave, started by 'vouch\n"
    "enclave run BUNDLE -- provision fetch ...', and reads its platform from the environment.\n"
    "  E0 with --anchors (provision-anchors.json, docs/formats/provision-anchors.md, best shipped\n"
    "     inside the measured bundle): an owner signature on the envelope verifies under one of\n"
    "     the anchors' ownerKeys, checked before the broker is asked;\n"
    "  E1 a challenge nonce for the envelope's id; E2 a fresh X25519 key pair, inside;\n"
    "  E3 a quote binding the nonce and the key; E4 the release;\n"
    "  E5 the broker's release record names this envelope, nonce and key, and hashes to its leaf;\n"
    "  E6 the response opens with the key and its secret matches the envelope's commitment;\n"
    "  E7 the secret is sealed to this enclave's MRENCLAVE (associated data\n"
    "     \"vouch-provisioned/v1\" and the envelope id) into --seal-out, mode 0600.\n"
    "The secret itself is never printed or written unsealed. Without --anchors the enclave gets\n"
    "confidentiality (only it can open the response) but cannot tell a secret the host\n"
    "substituted (an envelope of its own, to the same broker) from the owner's. Anchors with a\n"
    "tlog policy also need --log: the release record's tlog-proof is fetched from it (the log\n"
    "answers once a checkpoint its witness quorum cosigned covers the record; --timeout bounds\n"
    "the wait) and verified under that policy before the secret is sealed.";

constexpr const char kProvisionFetchFooter[] =
    "Exit codes: 0 fetched and sealed; 1 the envelope is malformed or unsupported, no anchor\n"
    "owner signed it (envelope_signature_invalid), the broker refused (its code, e.g. nonce_used,\n"
    "constraint_failed, identity_not_admitted), or its answer failed a check\n"
    "(release_record_invalid, response_decrypt_failed, commitment_mismatch, or its record's\n"
    "tlog-proof);\n"
    "2 not running as an enclave (platform_unavailable), bad usage, unusable --anchors\n"
    "(anchors_malformed), anchors with a policy but no --log (anchors_log_missing), --seal-out\n"
    "exists (without --force); 3 I/O, the broker or the log unreachable or busy, no quote\n"
    "(quote_unavailable), sealing failed. A record's tlog-proof that does not verify: 1.";

constexpr const char kUnsealHelp[] =
    "Opens a secret 'provision fetch' sealed (--in) and writes it to --out, mode 0600. Like\n"
    "fetch it runs inside the enclave ('vouch enclave run BUNDLE -- provision unseal ...'): the\n"
    "blob opens only in the enclave with the MRENCLAVE that sealed it, on the same platform, and\n"
    "only under its envelope's id (associated data \"vouch-provisioned/v1\" and the id).";

constexpr const char kUnsealFooter[] =
    "Exit codes: 0 written; 1 the blob does not open here or under this id, or is malformed;\n"
    "2 not running as an enclave (platform_unavailable), bad usage (--envelope-id not 32 hex\n"
    "digits), --out exists (without --force); 3 I/O.";

struct UnsealOptions {
  std::string in;
  std::string envelope_id;
  std::string out;
  bool force = false;
  bool json = false;
};

// The enclave's platform (platform::Platform::FromEnvironment) in `*out`; outside an enclave,
// `what` is reported failed, with the hint to run `provision <command>` in one.
int EnclavePlatform(bool json, const std::string& what, const std::string& command,
                    std::unique_ptr<platform::Platform>* out) {
  auto platform = platform::Platform::FromEnvironment();
  if (!platform.ok()) {
    return ReportStatus(
        json, what, platform.status(),
        "run it inside the enclave: vouch enclave run BUNDLE -- provision " + command + " ...");
  }
  *out = *std::move(platform);
  return kExitOk;
}

int RunProvisionFetch(const ProvisionFetchOptions& o) {
  const bool json = o.json;
  if (int rc = RefuseStdoutWithJson(json, o.seal_out, "--seal-out"); rc != kExitOk) return rc;
  if (int rc = RefuseOverwrite(json, o.seal_out, o.force); rc != kExitOk) return rc;
  // Usage first (--anchors, --broker, --log), then the platform, then the envelope.
  std::optional<provision::Anchors> anchors;
  if (!o.anchors.empty()) {
    Bytes file;
    if (int rc = ReadInputFile(json, o.anchors, kMaxAnchorsRead, &file); rc != kExitOk) return rc;
    auto parsed = provision::Anchors::Parse(file);
    if (!parsed.ok()) {
      return ReportStatus(json, kExitUsage, "unusable --anchors", parsed.status());
    }
    if (parsed->policy() && o.log_url.empty()) {
      return ReportFailure(json, ErrorCode{server::kAnchorsLogMissing, kExitUsage}, "bad usage",
                           "the anchors give a tlog policy: --log is required, to fetch the "
                           "release record's tlog-proof");
    }
    anchors = *std::move(parsed);
  }
  http::HttpClient http;
  auto client = server::BrokerClient::Create(o.broker, http, std::chrono::seconds(o.timeout));
  if (!client.ok()) return ReportStatus(json, kExitUsage, "bad --broker", client.status());
  std::optional<server::LogClient> log;
  if (!o.log_url.empty()) {
    auto created = server::LogClient::Create(o.log_url, http, std::chrono::seconds(o.timeout));
    if (!created.ok()) return ReportStatus(json, kExitUsage, "bad --log", created.status());
    log.emplace(*std::move(created));
  }
  std::unique_ptr<platform::Platform> platform;
  if (int rc = EnclavePlatform(json, "cannot fetch the secret", "fetch", &platform);
      rc != kExitOk) {
    return rc;
  }
  Bytes bytes;
  if (int rc = ReadInputFile(json, o.envelope, kMaxEnvelopeRead, &bytes); rc != kExitOk) return rc;
  auto envelope = provision::Envelope::Parse(bytes);
  if (!envelope.ok()) return ReportStatus(json, "rejected envelope", envelope.status());
  if (!anchors) {
    PrintError(
        "warning: no --anchors: the secret's owner is not verified (the host could give an "
        "envelope of its own)");
  }

  Verbose(o.verbose, "asking " + client->base_url() + " for envelope " + envelope->IdHex());
  server::FetchOptions options;
  options.anchors = anchors ? &*anchors : nullptr;
  options.log = log ? &*log : nullptr;
  auto fetched = server::FetchSecret(*platform, *client, *envelope, options);
  if (!fetched.ok()) {
    return ReportStatus(json, "cannot fetch the secret of " + envelope->IdHex(), fetched.status());
  }
  const std::string release_id = HexEncode(fetched->release_id);
  const uint64_t record_index = fetched->record_index;
  const std::string leaf_hash = HexEncode(fetched->record_leaf_hash);
  const bool owner_verified = fetched->owner_verified;
  const bool record_proven = !fetched->record_proof.empty();
  const Bytes sealed = std::move(fetched->sealed);
  fetched->secret = SecretBytes();  // wiped: only the sealed blob leaves this function
  if (Status s = WriteOutput(o.seal_out, sealed, 0600); !s.ok()) {
    return ReportStatus(json, "cannot write " + o.seal_out, s);
  }
  if (json) {
    PrintJsonResult(kVerdictOk, {{"envelope_id", envelope->IdHex()},
                                 {"seal_out", o.seal_out},
                                 {"release_id", release_id},
                                 {"record_index", record_index},
                                 {"record_leaf_hash", leaf_hash},
                                 {"owner_verified", owner_verified},
                                 {"record_proven", record_proven},
                                 {"sealed_bytes", sealed.size()}});
  } else if (o.seal_out != "-") {
    std::cout << "secret of envelope " << envelope->IdHex() << " sealed to this enclave in "
              << o.seal_out << "\n"
              << "release:  " << release_id << " (record " << record_index << ")\n"
              << "owner:    "
              << (owner_verified ? "verified under --anchors" : "NOT verified (no --anchors)")
              << "\n"
              << "record:   "
              << (record_proven ? "in the log, proven under the anchors' policy"
                                : "not checked against the log (no policy in the anchors)")
              << "\n";
  }
  return kExitOk;
}

int RunUnseal(const UnsealOptions& o) {
  const bool json = o.json;
  if (int rc = RefuseStdoutWithJson(json, o.out, "--out"); rc != kExitOk) return rc;
  if (int rc = RefuseOverwrite(json, o.out, o.force); rc != kExitOk) return rc;
  auto id = HexDecodeArray<provision::kIdSize>(o.envelope_id);
  if (!id.ok() || o.envelope_id.size() != 2 * provision::kIdSize) {
    return ReportFailure(json, codes::kUsage, "bad usage",
                         "--envelope-id is the envelope's id, 32 hex digits");
  }
  std::unique_ptr<platform::Platform> platform;
  if (int rc = EnclavePlatform(json, "cannot unseal", "unseal", &platform); rc != kExitOk) {
    return rc;
  }
  Bytes blob;
  if (int rc = ReadInputFile(json, o.in, kMaxSealedRead, &blob); rc != kExitOk) return rc;
  auto secret = seal::Unseal(*platform, blob, server::ProvisionedAad(*id));
  if (!secret.ok()) return ReportStatus(json, "cannot unseal " + o.in, secret.status());
  if (Status s = WriteOutput(o.out, secret->Reveal(), 0600); !s.ok()) {
    return ReportStatus(json, "cannot write " + o.out, s);
  }
  if (json) PrintJsonResult(kVerdictOk, {{"out", o.out}, {"bytes", secret->size()}});
  return kExitOk;
}

}  // namespace

void AddProvisionFetchCommand(CLI::App* provision, CommandContext& ctx) {
  auto o = std::make_shared<ProvisionFetchOptions>();
  CLI::App* cmd = provision->add_subcommand(
      "fetch", "Fetch an envelope's secret from the broker and seal it (inside the enclave)");
  SetLongDescription(cmd, kProvisionFetchHelp);
  cmd->footer(kProvisionFetchFooter);
  cmd->add_option("ENV", o->envelope, "The envelope file")->required();
  cmd->add_option("--broker", o->broker, "The broker's URL")->required();
  cmd->add_option("--seal-out", o->seal_out,
                  "The sealed blob to write, 0600 (- for stdout, not with --json)")
      ->required();
  cmd->add_option("--anchors", o->anchors,
                  "provision-anchors.json: the owner keys this enclave trusts");
  cmd->add_option("--log", o->log_url,
                  "The ledger's log URL, for the record's tlog-proof (anchors with a policy)");
  cmd->add_option("--timeout", o->timeout, "Seconds for each call to the broker or the log")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--force", o->force, "Replace an existing --seal-out");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_flag("-v,--verbose", o->verbose, "Say what is asked, on stderr");
  cmd->callback([o, &ctx] { ctx.exit_code = RunProvisionFetch(*o); });

  // Its counterpart, registered with it.
  auto u = std::make_shared<UnsealOptions>();
  CLI::App* unseal = provision->add_subcommand(
      "unseal", "Open a secret 'provision fetch' sealed (inside the same enclave)");
  SetLongDescription(unseal, kUnsealHelp);
  unseal->footer(kUnsealFooter);
  unseal->add_option("--in", u->in, "The sealed blob 'provision fetch' wrote")->required();
  unseal->add_option("--envelope-id", u->envelope_id, "The envelope's id (32 hex digits)")
      ->required();
  unseal->add_option("--out", u->out, "Where to write the secret, 0600 (- for stdout)")->required();
  unseal->add_flag("--force", u->force, "Replace an existing --out");
  unseal->add_flag("--json", u->json, "Print one JSON object");
  unseal->callback([u, &ctx] { ctx.exit_code = RunUnseal(*u); });
}

}  // namespace vouch::cli

// `vouch provision recover`: custodians re-open an envelope's secret and the owner re-wraps it
// for a corrected target (spec/provisioning.md §5.3; docs/broker.md "Recovery"). Thin: the
// recovery is provision::RecoverEnvelope, the new envelope the steps `provision envelope` runs
// (MakeTargetEnvelope), the statement provision::MakeRewrap; this file runs them in the spec's
// order — the re-wrap is in the log before the new envelope is written — and reports.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/error_codes.h"
#include "cli/govern_common.h"
#include "cli/log_common.h"
#include "cli/provision_envelope.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/statement.h"
#include "vouch/http/http_client.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/rewrap.h"

namespace vouch::cli {
namespace {

struct RecoverOptions {
  TargetOptions target;
  std::string input;
  std::vector<std::string> owner_pubs;
  std::vector<std::string> custodian_keys;
  std::string to_constraint;
  std::string reason;
};

constexpr const char kRecoverHelp[] =
    "Re-opens the secret of envelope ENV with the recovery custodians' keys and seals it again\n"
    "for --to-constraint, as a new envelope --out (e.g. the target was built with another\n"
    "measurement than the one the envelope names, or the broker's key is lost). In this order\n"
    "(spec/provisioning.md §5.3):\n"
    "  1. ENV is well-formed and signed by one of the original owner's keys, --owner-pub (not\n"
    "     merely by the keys it names itself: a forged envelope would make the custodians\n"
    "     re-wrap an attacker's secret);\n"
    "  2. each --custodian-key opens its share; fewer than the envelope's threshold is refused;\n"
    "  3. the shares combine and open the recovery wrap; a wrong or corrupt share fails here;\n"
    "  4. the secret matches ENV's commitment;\n"
    "  5. the new envelope is made as `vouch provision envelope` makes one: the owner's check of\n"
    "     --broker, the ledger, the admission rule for --to-constraint (or --allow-unadmitted),\n"
    "     --activity, --recovery; the same secret under a new id and commitment, signed by --key;\n"
    "  6. a re-wrap statement (both envelopes' ids, digests and targets, --reason, the\n"
    "     custodians whose shares were used), signed by --key, is appended to the log, and only\n"
    "     once the log has acknowledged it is --out written.\n"
    "The plaintext is in this process's memory: run it on the owner's machine with the\n"
    "custodians present, never on the target's host.";

constexpr const char kRecoverFooter[] =
    "Exit codes: 0 re-wrapped, logged and written; 1 ENV not signed by an --owner-pub key\n"
    "(envelope_signature_invalid), too few shares (recovery_insufficient_shares), a share or the\n"
    "wrap does not open (recovery_failed), or any refusal of `provision envelope`; 2 bad usage,\n"
    "an unusable key, ENV malformed or without recovery (recovery_invalid), a key that holds no\n"
    "share (recovery_custodian_unknown), --out exists (without --force); 3 I/O, or the log or\n"
    "the broker unreachable.";

int RunRecover(const RecoverOptions& o) {
  const TargetOptions& t = o.target;
  const bool json = t.json;
  if (int rc = RefuseStdoutWithJson(json, t.out, "--out"); rc != kExitOk) return rc;
  if (int rc = RefuseOverwrite(json, t.out, t.force); rc != kExitOk) return rc;
  if (std::find(std::begin(govern::kRewrapReasons), std::end(govern::kRewrapReasons), o.reason) ==
      std::end(govern::kRewrapReasons)) {
    return ReportFailure(json, codes::kUsage, "bad usage",
                         "--reason must be wrong_measurement, broker_key_lost or other");
  }

  // 1–4 once the usage checks passed: the old envelope, signed by one of the original owner's
  // keys; the custodians' shares, the wrap, the commitment.
  std::optional<provision::Envelope> from;
  std::vector<std::string> used;
  auto prepare = [&](std::optional<provision::Inner>* inner) -> int {
    dsse::KeySet owners;
    for (const std::string& path : o.owner_pubs) {
      auto key = ReadPublicKeyFile(path);
      if (!key.ok()) return ReportStatus(json, kExitUsage, "unusable --owner-pub", key.status());
      owners.Add(std::move(key).value());
    }
    Bytes bytes;
    if (int rc = ReadInputFile(json, o.input, provision::kMaxEnvelopeFileSize + 1, &bytes);
        rc != kExitOk) {
      return rc;
    }
    auto parsed = provision::Envelope::Parse(bytes);
    if (!parsed.ok()) return ReportStatus(json, kExitUsage, "rejected envelope", parsed.status());
    if (auto signers = parsed->VerifyOwners(owners); !signers.ok()) {
      return ReportStatus(json, "refusing to recover " + o.input, signers.status(),
                          "only the --owner-pub keys count: one of them must have signed it");
    }
    std::vector<X25519PrivateKey> custodians;
    for (const std::string& path : o.custodian_keys) {
      auto key = ReadX25519PrivateKeyFile(path);
      if (!key.ok()) {
        return ReportStatus(json, kExitUsage, "unusable --custodian-key " + path, key.status());
      }
      custodians.push_back(std::move(key).value());
    }
    auto recovered = provision::RecoverEnvelope(*parsed, custodians);
    if (!recovered.ok()) {
      return ReportStatus(json, "cannot recover " + o.input, recovered.status());
    }
    Verbose(t.verbose, "recovered the secret of envelope " + parsed->IdHex() + " with " +
                           std::to_string(recovered->custodians.size()) + " custodian shares");
    from.emplace(*std::move(parsed));
    used = std::move(recovered->custodians);
    inner->emplace(std::move(recovered->inner));
    return kExitOk;
  };

  // 5. The new envelope.
  http::HttpClient http;
  std::optional<MadeEnvelope> made;
  if (int rc = MakeTargetEnvelope(t, o.to_constraint, prepare, http, &made); rc != kExitOk) {
    return rc;
  }

  // 6. The re-wrap, logged before the new envelope exists anywhere but here.
  govern::Rewrap rewrap = provision::MakeRewrap(*from, made->envelope, made->ledger_origin,
                                                made->envelope.payload().created, o.reason, used);
  auto payload = govern::EncodeStatement(govern::Statement{rewrap});
  if (!payload.ok()) return ReportStatus(json, "cannot write the re-wrap", payload.status());
  std::vector<dsse::Signature> signatures;
  for (const auto& key : made->owners) {
    auto sig = dsse::SignPayload(*key, dsse::kInTotoPayloadType, *payload);
    if (!sig.ok()) return ReportStatus(json, "cannot sign the re-wrap", sig.status());
    signatures.push_back(std::move(sig).value());
  }
  auto entry = dsse::LedgerEntry::Create(*payload, std::move(signatures));
  if (!entry.ok()) return ReportStatus(json, kExitUsage, "cannot sign the re-wrap", entry.status());
  server::AddResponse added;
  if (int rc = AddEntry(made->log, entry->bytes(), t.timeout, json, t.verbose, &added);
      rc != kExitOk) {
    return rc;
  }
  Json extra = {
      {"recovered_from", from->IdHex()},
      {"reason", o.reason},
      {"custodians_used", used},
      {"rewrap", {{"index", added.index}, {"entry_hash", HexEncode(entry->entry_hash())}}}};
  return WriteMadeEnvelope(
      t, *made, extra,
      "recovered: " + from->IdHex() + " (" + o.reason + ", " + std::to_string(used.size()) +
          " custodians)\nre-wrap:   logged at index " + std::to_string(added.index) + "\n");
}

}  // namespace

void AddProvisionRecoverCommand(CLI::App* provision, CommandContext& ctx) {
  auto o = std::make_shared<RecoverOptions>();
  CLI::App* cmd = provision->add_subcommand(
      "recover", "Re-open an envelope with its custodians and re-wrap it for a new target");
  SetLongDescription(cmd, kRecoverHelp);
  cmd->footer(kRecoverFooter);
  cmd->add_option("ENV", o->input, "The envelope to recover")->required();
  cmd->add_option("--owner-pub", o->owner_pubs,
                  "The original owner's public key (PEM); repeatable; one must have signed ENV")
      ->required();
  cmd->add_option("--custodian-key", o->custodian_keys,
                  "A custodian's X25519 private key (PEM); repeatable, at least the threshold")
      ->required();
  cmd->add_option("--to-constraint", o->to_constraint, "The new target's constraint")->required();
  cmd->add_option("--reason", o->reason, "wrong_measurement, broker_key_lost or other")->required();
  AddTargetOptions(cmd, &o->target);
  cmd->callback([o, &ctx] { ctx.exit_code = RunRecover(*o); });
}

}  // namespace vouch::cli

// `vouch provision envelope`: an owner seals a secret to an attested broker for a target
// constraint (spec/provisioning.md §2.4; docs/broker.md "Making an envelope";
// docs/formats/envelope.md). Thin: the owner's check is server::CheckBrokerIdentity, the
// admission rule govern::TargetAdmitted, the envelope provision::MakeEnvelope; this file reads
// the arguments, runs them in the spec's order and reports.
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
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/govern/target_admission.h"
#include "vouch/http/http_client.h"
#include "vouch/provision/envelope.h"
#include "vouch/provision/inner.h"
#include "vouch/server/broker.h"
#include "vouch/server/broker_client.h"
#include "vouch/sgx/collateral.h"

namespace vouch::cli {
namespace {

constexpr size_t kMaxSecret = 32768;

struct EnvelopeOptions {
  TargetOptions target;
  std::string constraint;
  std::string input;
};

constexpr const char kEnvelopeHelp[] =
    "Seals the secret in --in (1..32,768 bytes) to the broker at --broker for enclaves that meet\n"
    "--constraint, and writes the envelope file --out (0644: it holds no plaintext). Nothing is\n"
    "sealed before these checks pass, in this order (spec/provisioning.md §2.4):\n"
    "  1. the constraint parses and is valid; it is written in canonical form;\n"
    "  2. the owner's check of the broker: its key-binding quote verifies at the owner's time "
    "with\n"
    "     the owner's trust roots (--trust-root, --sim-root) and collateral (--collateral, else\n"
    "     the broker's), its report data binds the broker's HPKE and signing keys, the ledger\n"
    "     admits its enclave for role broker, and (--broker-pin) its HPKE keyid is the pinned "
    "one;\n"
    "  3. the ledger read at its newest checkpoint a witness quorum cosigned (--policy), no older\n"
    "     than --max-checkpoint-age, replayed from root set 1 (--root-set-pin);\n"
    "  4. the target is admitted: every C: code hash and every S: signer with its PROD: is in an\n"
    "     admission in force for role workload, and none of them is revoked. Otherwise refused,\n"
    "     unless --allow-unadmitted: the envelope then says so (bound into the encryption, so it\n"
    "     cannot be stripped), every release of it records the override, and a broker run with\n"
    "     --no-unadmitted refuses it. A revoked name is refused even then;\n"
    "  5. --activity: a processing record of that activity exists and covers an admission of 4.\n"
    "Then the secret is sealed with a fresh id and commitment, split for --recovery custodians\n"
    "(--threshold of them can re-open it; `vouch provision custodian-keygen`), and signed with\n"
    "every --key. The broker releases it only to fresh evidence of an enclave meeting the\n"
    "constraint that the ledger admits at the time of the release.";

constexpr const char kEnvelopeFooter[] =
    "Exit codes: 0 written; 1 the broker is untrusted (broker_untrusted), the target not admitted\n"
    "(target_not_admitted) or revoked (target_revoked), no covering processing record\n"
    "(processing_record_missing), or the ledger's checkpoint stale or without its quorum; 2 bad\n"
    "usage, a malformed or invalid constraint, a secret of 0 or more than 32,768 bytes\n"
    "(input_too_large), an unusable key, --out exists (without --force); 3 I/O, or the log or\n"
    "the broker unreachable.";

// The secret, 1..32,768 bytes, from a file or stdin; kInvalidArgument for a size outside that.
StatusOr<SecretBytes> ReadSecret(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, kMaxSecret));
  SecretBytes secret(bytes);
  std::fill(bytes.begin(), bytes.end(), uint8_t{0});
  if (secret.size() == 0) return InvalidArgumentError(path + " is empty");
  return secret;
}

}  // namespace

int MakeTargetEnvelope(const TargetOptions& o, const std::string& constraint_text,
                       const PrepareInner& prepare, http::HttpClient& http,
                       std::optional<MadeEnvelope>* made) {
  const bool json = o.json;
  auto usage = [json](const std::string& message) {
    return ReportFailure(json, codes::kUsage, "bad usage", message);
  };
  std::string log_url =
      o.ledger.log_url.empty() ? EnvDefault(kEnvLogUrl).value_or("") : o.ledger.log_url;
  if (log_url.empty()) return usage("--log is required (or $VOUCH_LOG_URL)");
  if (o.recovery.empty() != (o.threshold == 0)) {
    return usage("--recovery and --threshold go together");
  }

  // 1. The constraint, canonical.
  auto constraint = EnclaveConstraint::Parse(constraint_text);
  if (!constraint.ok()) {
    return ReportStatus(json, kExitUsage, "bad constraint", constraint.status());
  }
  const std::string canonical = constraint->ToString();
  if (canonical.size() > provision::kMaxConstraintSize) {
    return usage("the constraint is longer than 4,096 bytes");
  }
  if (constraint->min_security_level() == SecuritySummary::kInsecure) {
    PrintError(
        "warning: the constraint accepts SEC:INSECURE enclaves (simulation and debug "
        "platforms); use it for tests only");
  }

  // What the command needs later, checked before the network is used.
  std::optional<UnixSeconds> not_after;
  if (!o.expires.empty()) {
    auto t = AtOrNow(o.expires);
    if (!t.ok()) return ReportBadAt(json, t.status());
    not_after = *t;
  }
  std::vector<std::unique_ptr<LocalSigningKey>> owners;
  for (const std::string& k : o.keys) {
    auto key = ReadSigningKeyFile(k);
    if (!key.ok()) return ReportStatus(json, kExitUsage, "unusable --key " + k, key.status());
    owners.push_back(std::move(key).value());
  }
  std::vector<X25519PublicKey> custodians;
  for (const std::string& c : o.recovery) {
    auto key = ReadX25519PublicKeyFile(c);
    if (!key.ok()) return ReportStatus(json, kExitUsage, "unusable --recovery " + c, key.status());
    custodians.push_back(*key);
  }
  std::optional<provision::Inner> inner;
  if (int rc = prepare(&inner); rc != kExitOk) return rc;
  Trust trust = o.ledger.trust;
  std::optional<tlog::Policy> policy;
  server::LedgerViewOptions view_options;
  if (int rc = ResolveLedgerView(trust, o.ledger.pin, o.max_checkpoint_age, json, o.verbose,
                                 &policy, &view_options);
      rc != kExitOk) {
    return rc;
  }
  auto attester = CollateralAttester::Create(
      o.ledger.trust_roots, o.ledger.sim_roots,
      o.collateral.empty() ? std::vector<std::string>{} : std::vector<std::string>{o.collateral});
  if (!attester.ok()) {
    return ReportStatus(json, kExitUsage, "bad --collateral or trust root", attester.status());
  }

  // 2–3. The broker's identity and the ledger, then the owner's check.
  auto client = server::BrokerClient::Create(o.broker, http, std::chrono::seconds(o.timeout));
  if (!client.ok()) return ReportStatus(json, kExitUsage, "bad --broker", client.status());
  Verbose(o.verbose, "asking " + client->base_url() + " for its identity");
  auto identity = client->Identity();
  if (!identity.ok()) {
    return ReportStatus(json, "cannot read the broker's identity", identity.status());
  }
  int rc = kExitOk;
  auto log = Connect(log_url, http, o.timeout, json, &rc);
  if (!log.ok()) return rc;
  std::optional<server::LedgerView> view;
  if (rc = ReadLedgerView(*log, view_options, json, o.verbose, &view); rc != kExitOk) return rc;
  const UnixSeconds now = RealClock().Now();
  server::BrokerCheckOptions check;
  check.verifier = &(*attester)->verifier();
  if ((*attester)->first() != nullptr) check.collateral = *(*attester)->first();
  check.now = now;
  if (!o.broker_pin.empty()) check.hpke_keyid_pin = o.broker_pin;
  auto broker = server::CheckBrokerIdentity(*identity, *view, check);
  if (!broker.ok()) return ReportStatus(json, "refusing to seal to this broker", broker.status());
  Verbose(o.verbose, "broker " + identity->hpke_keyid + " (MRENCLAVE " +
                         HexEncode(broker->enclave.code_hash) + ") admitted by entry " +
                         std::to_string(broker->admitted_by.index));

  // 4. The admission rule; 5. the activity's record.
  provision::EnvelopeRequest request;
  auto admitted = govern::TargetAdmitted(*view->state, *constraint, govern::Role::kWorkload, now);
  if (admitted.ok()) {
    request.admitted_by = *admitted;
    request.checkpoint = provision::CheckpointRef{view->checkpoint.origin(),
                                                  view->checkpoint.size(), view->checkpoint.root()};
  } else if (admitted.status().reason() == govern::kTargetNotAdmitted && o.allow_unadmitted) {
    request.unadmitted_override = true;
    PrintError("warning: " + admitted.status().message() +
               "; the envelope is made under --allow-unadmitted, and every release records it");
  } else {
    return ReportStatus(json, "refusing to seal to this target", admitted.status());
  }
  if (!o.activity.empty()) {
    auto record = govern::LatestRecord(*view->state, o.activity);
    if (!record ||
        (!request.unadmitted_override && !govern::RecordCovers(*record, request.admitted_by))) {
      return ReportFailure(json, ErrorCode{server::kProcessingRecordMissing, kExitRejected},
                           "refusing to seal for activity " + o.activity,
                           record ? "its latest processing record covers no admission of the "
                                    "target"
                                  : "the ledger has no valid processing record of it",
                           "log one with `vouch govern record`");
    }
    if (request.unadmitted_override) {
      PrintError("warning: the broker refuses releases for activity " + o.activity +
                 " until the target is admitted and its processing record covers the admission");
    }
    request.activity = o.activity;
  }

  // 6–7. Seal, split, sign, write.
  if (Status s = SystemRandom().Fill(request.id); !s.ok()) {
    return ReportStatus(json, "cannot draw the envelope id", s);
  }
  request.created = now;
  request.not_after = not_after;
  request.constraint = canonical;
  request.broker_key = identity->hpke_key;
  request.broker_url = client->base_url();
  request.custodians = custodians;
  request.threshold = o.threshold;
  std::vector<const PublicKeySign*> signers;
  signers.reserve(owners.size());
  for (const auto& k : owners) signers.push_back(k.get());
  auto envelope = provision::MakeEnvelope(request, *inner, signers);
  if (!envelope.ok()) {
    return ReportStatus(json, kExitUsage, "cannot make the envelope", envelope.status());
  }
  made->emplace(MadeEnvelope{.envelope = *std::move(envelope),
                             .owners = std::move(owners),
                             .broker_keyid = identity->hpke_keyid,
                             .broker_mrenclave = broker->enclave.code_hash,
                             .ledger_origin = view->checkpoint.origin(),
                             .ledger_size = view->checkpoint.size(),
                             .custodians = custodians.size(),
                             .log = *std::move(log)});
  return kExitOk;
}

int WriteMadeEnvelope(const TargetOptions& o, const MadeEnvelope& made, const Json& extra,
                      const std::string& extra_text) {
  const bool json = o.json;
  const provision::Envelope& envelope = made.envelope;
  if (Status s = WriteOutput(o.out, envelope.bytes(), 0644); !s.ok()) {
    return ReportStatus(json, "cannot write " + o.out, s);
  }
  const provision::EnvelopePayload& p = envelope.payload();
  const std::string mrenclave = HexEncode(made.broker_mrenclave);
  Json admitted_by = Json::array();
  for (const govern::EntryRef& r : p.admitted_by) {
    admitted_by.push_back({{"index", r.index}, {"sha256", HexEncode(r.sha256)}});
  }
  if (json) {
    Json fields = {
        {"id", envelope.IdHex()},
        {"out", o.out},
        {"constraint", p.constraint},
        {"broker_keyid", made.broker_keyid},
        {"broker_mrenclave", mrenclave},
        {"admission", p.unadmitted_override ? "override" : "admitted"},
        {"admitted_by", admitted_by},
        {"unadmitted_override", p.unadmitted_override},
        {"ledger_size", made.ledger_size},
        {"expires", p.not_after ? Json(FormatRfc3339(*p.not_after)) : Json()},
        {"activity", p.activity ? Json(*p.activity) : Json()},
        {"recovery",
         p.recovery ? Json({{"threshold", o.threshold}, {"custodians", made.custodians}}) : Json()},
        {"payload_sha256", HexEncode(envelope.payload_sha256())}};
    fields.update(extra);
    PrintJsonResult(kVerdictOk, fields);
  } else if (o.out != "-") {
    std::cout << "envelope " << envelope.IdHex() << " written to " << o.out << "\n"
              << "target:    " << p.constraint << "\n"
              << "admission: "
              << (p.unadmitted_override
                      ? std::string("OVERRIDE (not admitted when made)")
                      : "admitted by " + std::to_string(p.admitted_by.size()) +
                            " admission(s), ledger size " + std::to_string(made.ledger_size))
              << "\n"
              << "broker:    " << made.broker_keyid << " (MRENCLAVE " << mrenclave << ")\n";
    if (p.not_after) std::cout << "expires:   " << FormatRfc3339(*p.not_after) << "\n";
    if (p.recovery) {
      std::cout << "recovery:  " << o.threshold << " of " << made.custodians << " custodians\n";
    }
    std::cout << extra_text;
  }
  return kExitOk;
}

namespace {

int RunEnvelope(const EnvelopeOptions& o) {
  const bool json = o.target.json;
  if (int rc = RefuseStdoutWithJson(json, o.target.out, "--out"); rc != kExitOk) return rc;
  if (int rc = RefuseOverwrite(json, o.target.out, o.target.force); rc != kExitOk) return rc;
  auto prepare = [&o, json](std::optional<provision::Inner>* inner) -> int {
    auto secret = ReadSecret(o.input);
    if (!secret.ok()) {
      return ReportReadFailure(json, "cannot read the secret", secret.status(),
                               "a secret is 1 to 32,768 bytes");
    }
    auto generated = provision::Inner::Generate(*std::move(secret));
    if (!generated.ok()) {
      return ReportStatus(json, "cannot prepare the secret", generated.status());
    }
    inner->emplace(*std::move(generated));
    return kExitOk;
  };
  http::HttpClient http;
  std::optional<MadeEnvelope> made;
  if (int rc = MakeTargetEnvelope(o.target, o.constraint, prepare, http, &made); rc != kExitOk) {
    return rc;
  }
  return WriteMadeEnvelope(o.target, *made, Json::object(), "");
}

}  // namespace

void AddTargetOptions(CLI::App* cmd, TargetOptions* o) {
  cmd->add_option("--broker", o->broker, "The broker's URL")->required();
  cmd->add_option("--out", o->out, "The envelope file to write (- for stdout)")->required();
  cmd->add_option("--key", o->keys, "An owner's signing key (PEM, Ed25519 or P-256); repeatable")
      ->required();
  AddLedgerTrustOptions(cmd, &o->ledger);
  cmd->add_option("--collateral", o->collateral,
                  "Collateral directory for the broker's quote (default: the broker's own)");
  AddMaxCheckpointAgeOption(cmd, &o->max_checkpoint_age);
  cmd->add_option("--expires", o->expires,
                  "The broker refuses releases from this time on (Unix seconds or RFC 3339)");
  cmd->add_option("--activity", o->activity,
                  "The GDPR Art. 30 activity the secret serves (a processing record's id)");
  cmd->add_flag("--allow-unadmitted", o->allow_unadmitted,
                "Make the envelope although the target is not admitted (recorded; see above)");
  cmd->add_option("--recovery", o->recovery,
                  "A recovery custodian's X25519 public key (PEM); repeatable, 2..16");
  cmd->add_option("--threshold", o->threshold, "How many custodians together can recover");
  cmd->add_option("--broker-pin", o->broker_pin, "The broker's expected HPKE keyid (64 hex)");
  cmd->add_option("--timeout", o->timeout, "Seconds for each call to the log or the broker")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--force", o->force, "Replace an existing --out");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_flag("-v,--verbose", o->verbose, "Say what is read and checked, on stderr");
}

void AddProvisionEnvelopeCommand(CLI::App* provision, CommandContext& ctx) {
  auto o = std::make_shared<EnvelopeOptions>();
  CLI::App* cmd = provision->add_subcommand(
      "envelope", "Seal a secret to an attested broker for enclaves that meet a constraint");
  SetLongDescription(cmd, kEnvelopeHelp);
  cmd->footer(kEnvelopeFooter);
  cmd->add_option("--constraint", o->constraint, "The target's constraint (C:… or S:… PROD:…)")
      ->required();
  cmd->add_option("--in", o->input, "The secret (a file, - for stdin; 1..32,768 bytes)")
      ->required();
  AddTargetOptions(cmd, &o->target);
  cmd->callback([o, &ctx] { ctx.exit_code = RunEnvelope(*o); });
}

}  // namespace vouch::cli

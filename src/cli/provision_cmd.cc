// `vouch provision custodian-keygen|inspect`: recovery custodians' X25519 keys
// (spec/provisioning.md §5.2; vouch/crypto/x25519_keys.h) and a readable view of a provisioning
// envelope file (§2; docs/formats/envelope.md). Thin: parse arguments, call vouch::provision and
// the key-file functions, format.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/govern_common.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/time.h"
#include "vouch/crypto/signer.h"
#include "vouch/crypto/x25519.h"
#include "vouch/crypto/x25519_keys.h"
#include "vouch/dsse/envelope.h"
#include "vouch/provision/envelope.h"

namespace vouch::cli {
namespace {

// What `inspect` reads at most: more than the format allows (Envelope::Parse refuses a file over
// 131,072 bytes as envelope_malformed), so that only absurd inputs are input_too_large.
constexpr size_t kMaxInspectFile = size_t{1} << 20;
// hpke.ct = 40 bytes of inner header ("VPS1", commit_key, u32be length) + secret + 16 (tag).
constexpr size_t kCiphertextOverhead = 56;

constexpr const char kProvisionHelp[] =
    "Provisioning: an owner's secret HPKE-sealed to an attested broker, bound to the target's\n"
    "constraint, in a signed envelope file (docs/formats/envelope.md); recovery custodians hold\n"
    "X25519 keys that can together re-open it (spec/provisioning.md §5).";

constexpr const char kProvisionKeygenHelp[] =
    "Generates a recovery custodian's X25519 key pair from the OS random generator. Writes the\n"
    "private key to --out as unencrypted PKCS#8 PEM, mode 0600 (what `openssl genpkey\n"
    "-algorithm X25519` writes), and the public key to --pub-out as SPKI PEM (default: --out with\n"
    "'.pem' replaced by '.pub.pem'); give the public key to owners. Prints the HPKE keyid, hex\n"
    "SHA-256 of the SPKI DER, which envelopes name the custodian by (check: `openssl pkey -in\n"
    "K.pem -pubout -outform DER | sha256sum`).";

constexpr const char kProvisionKeygenFooter[] =
    "Exit codes: 0 created; 2 bad usage, or a file exists (without --force); 3 cannot write.";

constexpr const char kProvisionInspectHelp[] =
    "Checks a provisioning envelope file as every reader does (spec/provisioning.md §2.5) and\n"
    "prints it: id, times and whether it is expired at --at, the target, the admission (with a\n"
    "WARNING for an override), owner, broker and custodian keyids, the HPKE suite and the secret\n"
    "length, and the owner signatures. Without --owner-pub the signatures are checked against\n"
    "the envelope's own ownerKeys, which are self-certified: anyone can make an envelope that\n"
    "verifies that way, and the broker's owner allowlist or the enclave's pinned owner keys\n"
    "decide trust. With --owner-pub only the given keys count, and at least one of them must\n"
    "have signed. Nothing is decrypted.";

constexpr const char kProvisionInspectFooter[] =
    "Exit codes: 0 printed and a signature verified; 1 the envelope is malformed or unsupported,\n"
    "or no trusted owner key signed it (envelope_signature_invalid); 2 bad usage or an unusable\n"
    "--owner-pub; 3 I/O error.";

// ---- custodian-keygen ----

int RunProvisionKeygen(const KeyPairOptions& opts) {
  std::string pub_out;
  if (const int rc = ResolveKeyPairPaths(
          opts,
          "give another --out/--pub-out, or --force to replace the key (the shares of envelopes "
          "made for the old key then open only with the old key)",
          &pub_out);
      rc != kExitOk) {
    return rc;
  }
  auto key = X25519PrivateKey::Generate();
  if (!key.ok()) return ReportStatus(opts.json, "key generation failed", key.status());
  Status written = WriteX25519PrivateKeyFile(opts.out, *key);
  if (!written.ok()) {
    return ReportFailure(opts.json, codes::kIoError, "cannot write key", written.message());
  }
  written = WriteX25519PublicKeyFile(pub_out, key->public_key());
  if (!written.ok()) {
    return ReportFailure(opts.json, codes::kIoError, "cannot write public key", written.message());
  }
  const std::string keyid = X25519KeyId(key->public_key());
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"key", opts.out}, {"public_key", pub_out}, {"keyid", keyid}});
  } else {
    std::cout << "key:        " << opts.out << " (X25519, PKCS#8 PEM, mode 0600)\n"
              << "public key: " << pub_out << " (SPKI PEM: give it to owners)\n"
              << "keyid:      " << keyid << "\n";
  }
  return kExitOk;
}

// ---- inspect ----

struct InspectOptions {
  std::string input;
  std::vector<std::string> owner_pubs;
  std::string at;
  bool json = false;
};

Json Nullable(const std::optional<std::string>& value) {
  return value.has_value() ? Json(*value) : Json(nullptr);
}

// The envelope as docs/cli.md ("vouch provision inspect") documents it, without "signatures".
Json Summary(const provision::Envelope& env, UnixSeconds at) {
  const provision::EnvelopePayload& p = env.payload();
  Json j;
  j["id"] = env.IdHex();
  j["payload_sha256"] = HexEncode(env.payload_sha256());
  j["created"] = FormatRfc3339(p.created);
  j["not_after"] = p.not_after.has_value() ? Json(FormatRfc3339(*p.not_after)) : Json(nullptr);
  j["at"] = FormatRfc3339(at);
  j["expired"] = p.not_after.has_value() && at >= *p.not_after;
  j["target"] = {{"role", p.role}, {"constraint", p.constraint}};
  Json admission;
  admission["status"] = p.unadmitted_override ? "override" : "admitted";
  admission["by"] = Json::array();
  for (const govern::EntryRef& ref : p.admitted_by) {
    admission["by"].push_back({{"index", ref.index}, {"sha256", HexEncode(ref.sha256)}});
  }
  admission["checkpoint"] = nullptr;
  if (p.checkpoint.has_value()) {
    admission["checkpoint"] = {{"origin", p.checkpoint->origin},
                               {"size", p.checkpoint->size},
                               {"root_hash", Base64Encode(p.checkpoint->root_hash)}};
  }
  j["admission"] = admission;
  j["unadmitted_override"] = p.unadmitted_override;
  j["activity"] = Nullable(p.activity);
  j["owner_keys"] = Json::array();
  for (const govern::Key& k : p.owner_keys) j["owner_keys"].push_back(k.KeyId());
  j["broker"] = {{"keyid", HexEncode(p.broker_keyid)}, {"url", Nullable(p.broker_url)}};
  j["hpke"] = {{"kem_id", 32}, {"kdf_id", 1}, {"aead_id", 2}, {"ct_size", p.sealed.ct.size()}};
  j["secret_length"] = p.sealed.ct.size() - kCiphertextOverhead;
  j["recovery"] = nullptr;
  if (p.recovery.has_value()) {
    Json custodians = Json::array();
    for (const provision::SealedShare& s : p.recovery->shares) {
      custodians.push_back({{"keyid", HexEncode(s.custodian)}, {"x", s.x}});
    }
    j["recovery"] = {{"threshold", p.recovery->threshold},
                     {"shares", p.recovery->shares.size()},
                     {"custodians", custodians}};
  }
  return j;
}

void PrintSummary(const Json& j) {
  auto s = [](const Json& v) { return v.is_null() ? std::string("-") : v.get<std::string>(); };
  const Json& adm = j["admission"];
  std::cout << "envelope:     " << s(j["id"]) << "\n"
            << "payload:      sha256 " << s(j["payload_sha256"]) << "\n"
            << "created:      " << s(j["created"]) << "\n"
            << "not after:    ";
  if (j["not_after"].is_null()) {
    std::cout << "- (no expiry)\n";
  } else {
    std::cout << s(j["not_after"]) << (j["expired"].get<bool>() ? " (EXPIRED at " : " (valid at ")
              << s(j["at"]) << ")\n";
  }
  std::cout << "target:       role " << s(j["target"]["role"]) << "\n"
            << "constraint:   " << s(j["target"]["constraint"]) << "\n"
            << "admission:    " << s(adm["status"]) << "\n";
  if (j["unadmitted_override"].get<bool>()) {
    std::cout << "WARNING: admission override: the target was not admitted in the ledger when "
                 "this envelope was made;\n"
                 "         the owner chose --allow-unadmitted, and every release of it is "
                 "recorded as an override.\n";
  }
  for (const Json& ref : adm["by"]) {
    std::cout << "admitted by:  entry " << ref["index"].get<uint64_t>() << " sha256 "
              << s(ref["sha256"]) << "\n";
  }
  if (!adm["checkpoint"].is_null()) {
    const Json& cp = adm["checkpoint"];
    std::cout << "checkpoint:   " << s(cp["origin"]) << " size " << cp["size"].get<uint64_t>()
              << " root " << s(cp["root_hash"]) << "\n";
  }
  std::cout << "activity:     " << s(j["activity"]) << "\n";
  for (const Json& k : j["owner_keys"]) std::cout << "owner key:    " << s(k) << "\n";
  std::cout << "broker:       keyid " << s(j["broker"]["keyid"]) << "\n"
            << "broker url:   " << s(j["broker"]["url"]) << " (a hint, not bound)\n"
            << "hpke:         DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM (32, 1, 2)\n"
            << "ciphertext:   " << j["hpke"]["ct_size"].get<size_t>() << " bytes (secret "
            << j["secret_length"].get<size_t>() << " bytes)\n";
  if (j["recovery"].is_null()) {
    std::cout << "recovery:     none\n";
  } else {
    const Json& r = j["recovery"];
    std::cout << "recovery:     " << r["threshold"].get<int>() << " of "
              << r["shares"].get<size_t>() << " custodians\n";
    for (const Json& c : r["custodians"]) {
      std::cout << "custodian:    " << s(c["keyid"]) << " (x " << c["x"].get<int>() << ")\n";
    }
  }
}

int RunInspect(const InspectOptions& opts) {
  auto at = AtOrNow(opts.at);
  if (!at.ok()) return ReportBadAt(opts.json, at.status());
  // Pinned keys first: an unusable --owner-pub is the user's mistake, whatever the file holds.
  dsse::KeySet pinned;
  for (const std::string& path : opts.owner_pubs) {
    auto key = ReadPublicKeyFile(path);
    if (!key.ok()) return ReportStatus(opts.json, kExitUsage, "unusable --owner-pub", key.status());
    if (!pinned.Add(std::move(key).value())) {
      return ReportFailure(opts.json, codes::kUsage, "bad usage",
                           path + ": the same owner key is given twice");
    }
  }
  Bytes bytes;
  if (int rc = ReadInputFile(opts.json, opts.input, kMaxInspectFile, &bytes); rc != kExitOk) {
    return rc;
  }
  auto env = provision::Envelope::Parse(bytes);
  if (!env.ok()) return ReportStatus(opts.json, "rejected envelope", env.status());
  Json j = Summary(*env, *at);

  const bool self_certified = opts.owner_pubs.empty();
  dsse::KeySet own;
  if (self_certified) {
    for (const govern::Key& k : env->payload().owner_keys) own.Add(k.key);
  }
  auto signers = env->VerifyOwners(self_certified ? own : pinned);
  Json sig;
  sig["checked_against"] = self_certified ? "envelope_owner_keys" : "owner_pub";
  sig["signers"] = signers.ok() ? SignerList(*signers) : Json::array();
  j["signatures"] = sig;
  if (!opts.json) PrintSummary(j);
  if (!signers.ok()) {
    return ReportStatus(
        opts.json, "rejected envelope", signers.status(),
        self_certified
            ? ""
            : "only the --owner-pub keys count: one of them must have signed this exact envelope",
        j);
  }
  if (opts.json) {
    PrintJsonResult(kVerdictOk, j);
    return kExitOk;
  }
  for (const Json& k : sig["signers"]) {
    std::cout << "signature:    valid, owner key " << k.get<std::string>() << "\n";
  }
  if (self_certified) {
    std::cout << "trust:        SELF-CERTIFIED: checked only against the envelope's own "
                 "ownerKeys; the broker's\n"
                 "              owner allowlist or the enclave's pinned owner keys decide "
                 "trust (pin them with --owner-pub)\n";
  } else {
    std::cout << "trust:        signed by a pinned --owner-pub key\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterProvisionCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* provision =
      app.add_subcommand("provision", "Provisioning envelopes and recovery custodian keys");
  provision->footer(std::string(kProvisionHelp) + "\n\n" + kExitCodesHelp);
  provision->require_subcommand(1);
  AddProvisionEnvelopeCommand(provision, ctx);
  AddProvisionRecoverCommand(provision, ctx);
  AddProvisionHandoffCommand(provision, ctx);
  AddProvisionFetchCommand(provision, ctx);

  auto keygen_opts = std::make_shared<KeyPairOptions>();
  CLI::App* keygen =
      provision->add_subcommand("custodian-keygen", "Create a recovery custodian's X25519 key");
  SetLongDescription(keygen, kProvisionKeygenHelp);
  keygen->footer(kProvisionKeygenFooter);
  AddKeyPairFileOptions(keygen, keygen_opts.get());
  keygen->add_flag("--force", keygen_opts->force, "Replace existing --out and --pub-out files");
  keygen->add_flag("--json", keygen_opts->json, "Print one JSON object");
  keygen->callback([keygen_opts, &ctx] { ctx.exit_code = RunProvisionKeygen(*keygen_opts); });

  auto inspect_opts = std::make_shared<InspectOptions>();
  CLI::App* inspect = provision->add_subcommand("inspect", "Check and print an envelope file");
  SetLongDescription(inspect, kProvisionInspectHelp);
  inspect->footer(kProvisionInspectFooter);
  inspect->add_option("ENV", inspect_opts->input, "Envelope file")->required();
  inspect->add_option("--owner-pub", inspect_opts->owner_pubs,
                      "A pinned owner public key (PEM; Ed25519 or P-256); repeatable");
  inspect->add_option("--at", inspect_opts->at,
                      "Time to judge notAfter at (Unix seconds or RFC 3339; default now)");
  inspect->add_flag("--json", inspect_opts->json, "Print one JSON object");
  inspect->callback([inspect_opts, &ctx] { ctx.exit_code = RunInspect(*inspect_opts); });
}

}  // namespace vouch::cli

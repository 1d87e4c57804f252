// `vouch statement sign|verify|inspect`: DSSE envelopes and canonical ledger entries on the
// command line (docs/formats/dsse.md, docs/governance.md). Thin: parse arguments, call
// vouch::dsse / vouch::govern, format.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/govern_common.h"
#include "dsse/jcs.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/crypto/signer.h"
#include "vouch/dsse/envelope.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/statement.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxStatementFile = size_t{1} << 20;

struct StatementOptions {
  std::string input;
  std::vector<std::string> keys;
  std::string out;
  size_t threshold = 0;
  bool entry = false;
  bool json = false;
};

constexpr const char kStatementSignHelp[] =
    "Signs a statement into a canonical ledger entry, or countersigns an entry.\n"
    "INPUT is either an unsigned in-toto statement (JSON, any formatting: it is checked against\n"
    "docs/formats/statements.md and signed in its RFC 8785 canonical form) or an existing entry,\n"
    "to which each --key adds its signature (the entry stays canonical: signatures sorted by\n"
    "keyid). Keys are PEM files as `openssl genpkey -algorithm ed25519` (or EC P-256) writes them.";

constexpr const char kStatementSignFooter[] =
    "Exit codes: 0 written; 1 the entry to countersign is rejected (E1-S3); 2 the statement is\n"
    "invalid, a key is unusable or already signed; 3 I/O error.";

constexpr const char kStatementVerifyHelp[] =
    "Verifies a DSSE envelope (or the envelope inside a Sigstore bundle) against the given\n"
    "public keys: accepted when at least --threshold distinct given keys signed it (default: all\n"
    "of them). Each key counts once, whatever keyids or signatures it appears under. As DSSE\n"
    "allows, base64 may be URL-safe or unpadded and keyids may be empty or foreign: a signature\n"
    "naming no given key is tried against every key and skipped when none verifies it; one that\n"
    "names a given key must verify. With --entry the file must be a canonical ledger entry\n"
    "holding a valid statement (checks E1-S3 of docs/governance.md), and keyids are mandatory.";

constexpr const char kStatementVerifyFooter[] =
    "--json prints "
    "{\"verdict\":\"accepted\"|\"rejected\"|\"error\",\"signers\":[keyid...],\"threshold\":N,\n"
    "\"keys\":K,\"error\":{\"code\",\"message\"}}.\n"
    "Exit codes: 0 accepted; 1 rejected (too few signers, a bad signature, an envelope or entry\n"
    "that does not parse); 2 bad usage or an unusable key file; 3 I/O error.";

constexpr const char kStatementKeygenHelp[] =
    "Generates a signing key for statements (a builder's, an owner's, an approver's) from the OS\n"
    "random generator: the private key to --out as unencrypted PKCS#8 PEM, mode 0600 (what\n"
    "`openssl genpkey -algorithm ed25519` writes), the public key to --pub-out as SPKI PEM\n"
    "(default: --out with '.pem' replaced by '.pub.pem'). Prints the keyid, hex SHA-256 of the\n"
    "SPKI DER, which signatures name the key by.";

constexpr const char kStatementKeygenFooter[] =
    "Exit codes: 0 created; 2 bad usage, or a file exists (without --force); 3 cannot write.";

constexpr const char kStatementInspectHelp[] =
    "Prints a DSSE envelope (or Sigstore bundle): payload type, signatures, the statement's\n"
    "type, subjects and predicate, and whether it is a valid ledger entry (checks E1-S3).\n"
    "Nothing is verified against keys: use `vouch statement verify` for that.";

constexpr const char kStatementInspectFooter[] =
    "Exit codes: 0 printed (whatever the ledger verdict); 1 not a DSSE envelope; 3 I/O error.";

std::string TrimTrailingNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Reads the public keys, refusing one given twice.
StatusOr<dsse::KeySet> ReadKeys(const std::vector<std::string>& paths) {
  dsse::KeySet keys;
  for (const std::string& p : paths) {
    VOUCH_ASSIGN_OR_RETURN(auto key, ReadPublicKeyFile(p));
    if (!keys.Add(key)) {
      return MalformedError("duplicate_key", p + ": the same public key is given twice");
    }
  }
  return keys;
}

int KeyFailure(bool json, const std::string& what, const Status& s) {
  return ReportStatus(json, kExitUsage, what, s);
}

// ---- keygen ----

struct StatementKeygenOptions {
  KeyPairOptions files;
  std::string algorithm = "ed25519";
};

int RunStatementKeygen(const StatementKeygenOptions& opts) {
  std::string pub_out;
  if (const int rc = ResolveKeyPairPaths(
          opts.files,
          "give another --out/--pub-out, or --force to replace the key (what it signed then "
          "verifies only with the old public key)",
          &pub_out);
      rc != kExitOk) {
    return rc;
  }
  const SignatureAlgorithm algorithm = opts.algorithm == "p256"
                                           ? SignatureAlgorithm::kEcdsaP256Sha256
                                           : SignatureAlgorithm::kEd25519;
  auto key = LocalSigningKey::Generate(algorithm);
  if (!key.ok()) return ReportStatus(opts.files.json, "key generation failed", key.status());
  auto pem = (*key)->ToPkcs8Pem();
  if (!pem.ok()) return ReportStatus(opts.files.json, "key generation failed", pem.status());
  Status written = WriteFileAtomic(opts.files.out, pem->Reveal(), 0600);
  if (written.ok()) {
    written = WriteFileAtomic(pub_out, AsBytes(PublicKeyToPem((*key)->verifier())), 0644);
  }
  if (!written.ok())
    return ReportFailure(opts.files.json, codes::kIoError, "cannot write key", written.message());
  const std::string keyid = (*key)->verifier().KeyId();
  if (opts.files.json) {
    PrintJsonResult(kVerdictOk, {{"key", opts.files.out},
                                 {"public_key", pub_out},
                                 {"algorithm", opts.algorithm},
                                 {"keyid", keyid}});
  } else {
    std::cout << "key:        " << opts.files.out << " (" << opts.algorithm
              << ", PKCS#8 PEM, mode 0600)\n"
              << "public key: " << pub_out << " (SPKI PEM)\n"
              << "keyid:      " << keyid << "\n";
  }
  return kExitOk;
}

// ---- sign ----

int RunStatementSign(const StatementOptions& opts) {
  if (int rc = RefuseStdoutWithJson(opts.json, opts.out, "--out"); rc != kExitOk) return rc;
  auto text = ReadFileToString(opts.input, kMaxStatementFile);
  if (!text.ok())
    return ReportStatus(opts.json, ExitCodeForReadError(text.status()), "cannot read " + opts.input,
                        text.status());
  std::vector<std::unique_ptr<LocalSigningKey>> keys;
  for (const std::string& k : opts.keys) {
    auto key = ReadSigningKeyFile(k);
    if (!key.ok()) return KeyFailure(opts.json, "unusable key", key.status());
    keys.push_back(std::move(key).value());
  }
  auto doc = internal::ParseJson(*text);
  if (!doc.ok()) {
    return ReportFailure(opts.json, kExitUsage, govern::kPayloadMalformed,
                         "cannot read " + opts.input, doc.status().message());
  }
  bool is_entry = doc->is_object() && doc->contains("payloadType") && doc->contains("signatures");
  std::optional<dsse::LedgerEntry> entry;
  Bytes payload;
  if (is_entry) {
    std::string bytes = TrimTrailingNewlines(*text);
    auto parsed = dsse::LedgerEntry::Parse(AsBytes(bytes));
    if (!parsed.ok())
      return ReportStatus(opts.json, kExitRejected, "rejected entry", parsed.status());
    entry = std::move(parsed).value();
    payload = entry->payload();
  } else {
    auto canonical = internal::CanonicalJson(*doc);
    if (!canonical.ok()) {
      return ReportFailure(opts.json, kExitUsage, govern::kPayloadMalformed, "invalid statement",
                           canonical.status().message());
    }
    payload = ToBytes(*canonical);
  }
  govern::ParseDiagnostics diag;
  auto st = govern::ParseStatement(payload, &diag);
  if (!st.ok()) {
    return ReportStatus(opts.json, is_entry ? kExitRejected : kExitUsage,
                        "refusing to sign an invalid statement", st.status());
  }
  std::vector<std::string> added;
  for (const auto& key : keys) {
    auto sig = dsse::SignPayload(*key, dsse::kInTotoPayloadType, payload);
    if (!sig.ok()) return ReportStatus(opts.json, kExitIo, "signing failed", sig.status());
    added.push_back(sig->keyid);
    auto next = entry ? entry->WithSignature(std::move(sig).value())
                      : dsse::LedgerEntry::Create(payload, {std::move(sig).value()});
    if (!next.ok()) {
      return ReportStatus(
          opts.json, kExitUsage,
          next.status().reason() == dsse::kDuplicateSigner ? "already signed" : "cannot sign",
          next.status());
    }
    entry = std::move(next).value();
  }
  Status written = WriteOutput(opts.out, entry->bytes());
  if (!written.ok()) return ReportStatus(opts.json, kExitIo, "cannot write " + opts.out, written);
  Json signers = Json::array();
  for (const dsse::Signature& s : entry->signatures()) signers.push_back(s.keyid);
  if (opts.json) {
    Json out;
    out["out"] = opts.out;
    out["kind"] = govern::StatementKindName(st->kind());
    out["entry_hash"] = HexEncode(entry->entry_hash());
    out["statement_digest"] = HexEncode(entry->statement_digest());
    out["size"] = entry->bytes().size();
    out["added"] = added;
    out["signers"] = signers;
    PrintJsonResult(kVerdictOk, out);
  } else if (opts.out != "-") {
    std::cout << "entry:            " << opts.out << " (" << entry->bytes().size() << " bytes, "
              << govern::StatementKindName(st->kind()) << ")\n"
              << "entry_hash:       " << HexEncode(entry->entry_hash()) << "\n"
              << "statement_digest: " << HexEncode(entry->statement_digest()) << "\n"
              << "signers:          " << entry->signatures().size() << "\n";
    for (const dsse::Signature& s : entry->signatures()) {
      bool fresh = std::find(added.begin(), added.end(), s.keyid) != added.end();
      std::cout << "  " << s.keyid << (fresh ? "  (added)" : "") << "\n";
    }
  }
  return kExitOk;
}

// ---- verify ----

int RunStatementVerify(const StatementOptions& opts) {
  auto keys = ReadKeys(opts.keys);
  if (!keys.ok()) return KeyFailure(opts.json, "unusable --key", keys.status());
  size_t threshold = opts.threshold == 0 ? keys->size() : opts.threshold;
  if (threshold > keys->size()) {
    return ReportFailure(opts.json, kExitUsage, "usage", "bad --threshold",
                         "--threshold " + std::to_string(threshold) + " is more than the " +
                             std::to_string(keys->size()) + " keys given");
  }
  auto text = ReadFileToString(opts.input, dsse::kMaxGenericEnvelopeSize + 1);
  if (!text.ok()) {
    return ReportStatus(opts.json, ExitCodeForReadError(text.status()), "cannot read " + opts.input,
                        text.status());
  }
  Json out;
  auto reject = [&](const Status& s) {
    // Whatever the code, what was examined is rejected (exit 1).
    Failure failure = ErrorCodeFor(s);
    return ReportFailure(opts.json, ErrorCode{failure.code, kExitRejected}, "rejected",
                         s.message() + (opts.json ? "" : " (" + failure.code + ")"), "", out);
  };
  out["threshold"] = threshold;
  out["keys"] = keys->size();
  StatusOr<dsse::SignerSet> signers = InternalError("unset");
  if (opts.entry) {
    auto entry = dsse::LedgerEntry::Parse(AsBytes(*text));
    if (!entry.ok()) return reject(entry.status());
    out["entry_hash"] = HexEncode(entry->entry_hash());
    out["statement_digest"] = HexEncode(entry->statement_digest());
    govern::ParseDiagnostics diag;
    auto st = govern::ParseStatement(entry->payload(), &diag);
    if (!st.ok()) {
      if (!diag.path.empty()) out["path"] = diag.path;
      return reject(st.status());
    }
    out["kind"] = govern::StatementKindName(st->kind());
    signers = dsse::VerifiedSigners(entry->SignedBytes(), entry->signatures(), *keys);
  } else {
    auto env = dsse::Envelope::Parse(*text);
    if (!env.ok()) return reject(env.status());
    out["payload_type"] = env->payload_type();
    signers = env->Verify(*keys);
  }
  if (!signers.ok()) return reject(signers.status());
  out["signers"] = SignerList(*signers);
  Status t = dsse::CheckThreshold(*signers, threshold, "given keys");
  if (!t.ok()) return reject(t);
  if (opts.json) {
    PrintJsonResult(kVerdictAccepted, out);
  } else {
    std::cout << "accepted: " << signers->size() << " of " << keys->size()
              << " given keys signed (threshold " << threshold << ")\n";
    for (const Sha256Digest& d : *signers) std::cout << "  " << HexEncode(d) << "\n";
  }
  return kExitOk;
}

// ---- inspect ----

int RunStatementInspect(const StatementOptions& opts) {
  auto text = ReadFileToString(opts.input, dsse::kMaxGenericEnvelopeSize + 1);
  if (!text.ok()) {
    return ReportStatus(opts.json, ExitCodeForReadError(text.status()), "cannot read " + opts.input,
                        text.status());
  }
  auto env = dsse::Envelope::Parse(*text);
  if (!env.ok()) return ReportStatus(opts.json, kExitRejected, "not a DSSE envelope", env.status());
  Json out;
  out["payload_type"] = env->payload_type();
  out["sigstore_bundle"] = env->from_sigstore_bundle();
  out["payload_size"] = env->payload().size();
  out["statement_digest"] = HexEncode(Sha256(env->payload()));
  out["signatures"] = Json::array();
  for (const dsse::Signature& s : env->signatures()) {
    out["signatures"].push_back({{"keyid", s.keyid}, {"sig_size", s.sig.size()}});
  }
  internal::JsonReadOptions lenient;
  lenient.integers_only = false;
  lenient.ascii_keys_only = false;
  auto payload = internal::ParseJson(AsStringView(env->payload()), lenient);
  if (payload.ok()) out["statement"] = Json::parse(payload->dump());
  // As a ledger entry.
  Json ledger;
  auto entry = dsse::LedgerEntry::Parse(AsBytes(*text));
  Status verdict = entry.ok() ? Status() : entry.status();
  govern::ParseDiagnostics diag;
  if (entry.ok()) {
    ledger["entry_hash"] = HexEncode(entry->entry_hash());
    auto st = govern::ParseStatement(entry->payload(), &diag);
    if (!st.ok()) verdict = st.status();
    if (diag.kind) ledger["kind"] = govern::StatementKindName(*diag.kind);
  }
  ledger["valid"] = verdict.ok();
  if (!verdict.ok()) {
    ledger["code"] = verdict.reason();
    ledger["message"] = verdict.message();
    if (!diag.path.empty()) ledger["path"] = diag.path;
  }
  out["ledger_entry"] = ledger;
  if (opts.json) {
    PrintJsonResult(kVerdictOk, out);
    return kExitOk;
  }
  std::cout << "payload type:     " << env->payload_type()
            << (env->from_sigstore_bundle() ? "  (from a Sigstore bundle)" : "") << "\n"
            << "payload:          " << env->payload().size() << " bytes, statement_digest "
            << out["statement_digest"].get<std::string>() << "\n"
            << "signatures:       " << env->signatures().size() << "\n";
  for (const dsse::Signature& s : env->signatures()) {
    std::cout << "  keyid " << (s.keyid.empty() ? "(none)" : s.keyid) << ", " << s.sig.size()
              << " bytes\n";
  }
  if (payload.ok() && payload->is_object()) {
    const auto& st = *payload;
    auto str = [&](const nlohmann::json& v) {
      return v.is_string() ? v.get<std::string>() : v.dump();
    };
    if (st.contains("_type")) std::cout << "statement type:   " << str(st["_type"]) << "\n";
    if (st.contains("predicateType"))
      std::cout << "predicate type:   " << str(st["predicateType"]) << "\n";
    if (st.contains("subject") && st["subject"].is_array()) {
      for (const auto& s : st["subject"]) {
        std::cout << "subject:          " << (s.contains("name") ? str(s["name"]) + " " : "")
                  << (s.contains("digest") ? s["digest"].dump() : "") << "\n";
      }
    }
    if (st.contains("predicate") && st["predicate"].is_object()) {
      const auto& p = st["predicate"];
      if (p.contains("buildDefinition") && p["buildDefinition"].is_object() &&
          p["buildDefinition"].contains("buildType")) {
        std::cout << "build type:       " << str(p["buildDefinition"]["buildType"]) << "\n";
      }
      if (p.contains("runDetails") && p["runDetails"].is_object() &&
          p["runDetails"].contains("builder") && p["runDetails"]["builder"].contains("id")) {
        std::cout << "builder:          " << str(p["runDetails"]["builder"]["id"]) << "\n";
      }
      std::cout << "predicate:\n" << Json::parse(p.dump()).dump(2) << "\n";
    }
  }
  if (verdict.ok()) {
    std::cout << "ledger entry:     valid " << ledger["kind"].get<std::string>()
              << " statement, entry_hash " << ledger["entry_hash"].get<std::string>() << "\n";
  } else {
    std::cout << "ledger entry:     rejected (" << verdict.reason() << "): " << verdict.message()
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterStatementCommands(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<StatementOptions>();
  CLI::App* statement =
      app.add_subcommand("statement", "Statement keys, DSSE envelopes and ledger entries");
  statement->require_subcommand(1);
  statement->footer(
      "Statements and their formats: docs/formats/statements.md, docs/governance.md.\n\n" +
      std::string(kExitCodesHelp));

  CLI::App* sign = statement->add_subcommand("sign", "Sign or countersign a statement");
  SetLongDescription(sign, kStatementSignHelp);
  sign->footer(kStatementSignFooter);
  sign->add_option("INPUT", opts->input, "Unsigned statement (JSON) or ledger entry")->required();
  sign->add_option("--key", opts->keys, "Private key (PKCS#8 PEM); repeat to sign with several")
      ->required();
  sign->add_option("--out", opts->out, "Entry file to write (- for stdout)")->required();
  sign->add_flag("--json", opts->json, "Print one JSON object");
  sign->callback([opts, &ctx] { ctx.exit_code = RunStatementSign(*opts); });

  auto keygen_opts = std::make_shared<StatementKeygenOptions>();
  CLI::App* keygen = statement->add_subcommand("keygen", "Create a statement signing key");
  SetLongDescription(keygen, kStatementKeygenHelp);
  keygen->footer(kStatementKeygenFooter);
  AddKeyPairFileOptions(keygen, &keygen_opts->files);
  keygen->add_option("--algorithm", keygen_opts->algorithm, "ed25519 (default) or p256")
      ->check(CLI::IsMember({"ed25519", "p256"}));
  keygen->add_flag("--force", keygen_opts->files.force,
                   "Replace existing --out and --pub-out files");
  keygen->add_flag("--json", keygen_opts->files.json, "Print one JSON object");
  keygen->callback([keygen_opts, &ctx] { ctx.exit_code = RunStatementKeygen(*keygen_opts); });

  CLI::App* verify = statement->add_subcommand("verify", "Verify an envelope against public keys");
  SetLongDescription(verify, kStatementVerifyHelp);
  verify->footer(kStatementVerifyFooter);
  verify->add_option("ENVELOPE", opts->input, "DSSE envelope, Sigstore bundle or ledger entry")
      ->required();
  verify->add_option("--key", opts->keys, "Public key (SPKI PEM); repeatable")->required();
  verify->add_option("--threshold", opts->threshold, "Distinct keys required (default: all)")
      ->check(CLI::PositiveNumber);
  verify->add_flag("--entry", opts->entry, "Require a canonical ledger entry (E1-S3)");
  verify->add_flag("--json", opts->json, "Print one JSON object");
  verify->callback([opts, &ctx] { ctx.exit_code = RunStatementVerify(*opts); });

  CLI::App* inspect = statement->add_subcommand("inspect", "Print an envelope and its statement");
  SetLongDescription(inspect, kStatementInspectHelp);
  inspect->footer(kStatementInspectFooter);
  inspect->add_option("ENVELOPE", opts->input, "DSSE envelope, Sigstore bundle or ledger entry")
      ->required();
  inspect->add_flag("--json", opts->json, "Print one JSON object");
  inspect->callback([opts, &ctx] { ctx.exit_code = RunStatementInspect(*opts); });
}

}  // namespace vouch::cli

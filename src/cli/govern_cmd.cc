// `vouch govern root-set|admit|revoke|record|key-binding`: write the unsigned governance
// statements of spec/governance.md §3.3–§3.6 from flags (docs/formats/statements.md), validated
// before they are written. Signing is `vouch statement sign`. Thin: parse arguments, call
// vouch::govern, format.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/govern_common.h"
#include "dsse/jcs.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/build/attest.h"
#include "vouch/crypto/signer.h"
#include "vouch/govern/art30.h"
#include "vouch/govern/codes.h"
#include "vouch/govern/statement.h"

namespace vouch::cli {
namespace {

using Json = nlohmann::ordered_json;

struct GovernOptions {
  // common
  std::string ledger;
  std::string issued_on;
  std::string out = "-";
  bool json = false;
  // root-set
  uint64_t version = 0;
  std::string expires;
  uint32_t threshold = 2;
  std::vector<std::string> roots;
  std::vector<std::string> builders;
  uint32_t reproduction_threshold = 2;
  std::string max_admission_validity = "P365D";
  std::string max_issue_lag = "PT1H";
  // admit
  std::string role;
  std::string constraint;
  std::string not_before;
  std::vector<std::string> reproduced_by;
  std::string note;
  // revoke
  std::string kind;
  std::string mrenclave;
  std::string mrsigner;
  std::optional<uint32_t> product_id;
  std::optional<uint32_t> isv_svn_below;
  std::string entry;
  std::string keyid;
  std::string key;
  std::string reason;
  // record
  std::string activity;
  uint64_t activity_version = 0;
  std::string register_file;
  std::vector<std::string> controllers;
  std::vector<std::string> purposes;
  std::vector<std::string> data_subjects;
  std::vector<std::string> personal_data;
  std::vector<std::string> recipients;
  std::vector<std::string> transfers;
  std::vector<std::string> transfer_docs;
  std::vector<std::string> erasure;
  std::vector<std::string> security_measures;
  std::string security_documentation;
  std::vector<std::string> covers;
};

constexpr const char kGovernHelp[] =
    "Writes the unsigned governance statements of docs/formats/statements.md: root sets,\n"
    "admissions, revocations and GDPR Art. 30 processing records. Each is validated (schema,\n"
    "canonical constraints, the personal-data screen) before it is written; sign it with\n"
    "`vouch statement sign` and append the entry to the ledger. Times are RFC 3339 or Unix\n"
    "seconds and are written as YYYY-MM-DDThh:mm:ssZ; --issued-on defaults to now.";

constexpr const char kExitFooter[] =
    "Exit codes: 0 written; 2 a flag or the resulting statement is invalid (error.code names the\n"
    "rule, e.g. personal_data_suspected, constraint_not_canonical); 3 I/O error.";

// Splits "k=v,k=v" (values may not contain ',').
StatusOr<std::vector<std::pair<std::string, std::string>>> ParseSpec(const std::string& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(start, end - start);
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("\"" + item + "\" is not KEY=VALUE");
    }
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

StatusOr<Sha256Hash> Hex32Arg(const std::string& what, const std::string& hex) {
  auto v = HexDecodeArray<32>(hex);
  if (!v.ok()) return InvalidArgumentError(what + " must be 64 hex digits");
  return *v;
}

StatusOr<std::vector<govern::EntryRef>> RefsArg(const std::vector<std::string>& items) {
  std::vector<govern::EntryRef> refs;
  for (const std::string& s : items) {
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find('+', start);
      if (end == std::string::npos) end = s.size();
      VOUCH_ASSIGN_OR_RETURN(auto ref, ParseEntryRefArg(s.substr(start, end - start)));
      refs.push_back(ref);
      start = end + 1;
    }
  }
  return refs;
}

StatusOr<govern::Key> KeyArg(const std::string& path) {
  VOUCH_ASSIGN_OR_RETURN(auto key, ReadPublicKeyFile(path));
  return govern::Key{std::move(key)};
}

// Encodes, validates and writes `st`; prints a summary.
int Write(const GovernOptions& opts, const govern::Statement& st) {
  if (int rc = RefuseStdoutWithJson(opts.json, opts.out, "--out"); rc != kExitOk) return rc;
  auto payload = govern::EncodeStatement(st);
  if (!payload.ok())
    return ReportStatus(opts.json, kExitUsage, "invalid statement", payload.status());
  std::string pretty = nlohmann::json::parse(AsStringView(*payload)).dump(2) + "\n";
  Status written = WriteOutput(opts.out, AsBytes(pretty));
  if (!written.ok()) return ReportStatus(opts.json, kExitIo, "cannot write " + opts.out, written);
  if (opts.json) {
    Json out;
    out["out"] = opts.out;
    out["kind"] = govern::StatementKindName(st.kind());
    out["statement_digest"] = HexEncode(Sha256(*payload));
    PrintJsonResult(kVerdictOk, out);
  } else if (opts.out != "-") {
    std::cout << "statement:        " << opts.out << " (" << govern::StatementKindName(st.kind())
              << ", unsigned)\n"
              << "statement_digest: " << HexEncode(Sha256(*payload)) << "\n";
  }
  return kExitOk;
}

// Fills the common fields; returns false after reporting.
bool Common(const GovernOptions& opts, std::string* ledger, UnixSeconds* issued, int* rc) {
  auto t = TimeArgOrNow(opts.issued_on);
  if (!t.ok()) {
    *rc = ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --issued-on",
                        t.status().message());
    return false;
  }
  *ledger = opts.ledger;
  *issued = *t;
  return true;
}

int Usage(const GovernOptions& opts, const std::string& what, const Status& s) {
  return ReportStatus(opts.json, kExitUsage, what, s);
}

int RunRootSet(const GovernOptions& opts) {
  govern::RootSet rs;
  int rc = 0;
  if (!Common(opts, &rs.ledger, &rs.issued_on, &rc)) return rc;
  auto expires = ParseTimeArg(opts.expires);
  if (!expires.ok())
    return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --expires",
                         expires.status().message());
  rs.version = opts.version;
  rs.expires = *expires;
  rs.threshold = opts.threshold;
  rs.reproduction_threshold = opts.reproduction_threshold;
  rs.max_admission_validity = opts.max_admission_validity;
  rs.max_issue_lag = opts.max_issue_lag;
  for (const std::string& spec : opts.roots) {
    auto kv = ParseSpec(spec);
    if (!kv.ok()) return Usage(opts, "bad --root", kv.status());
    govern::RootDescriptor root;
    bool have_collateral = false;
    for (const auto& [k, v] : *kv) {
      if (k == "name") {
        root.name = v;
      } else if (k == "key") {
        auto key = KeyArg(v);
        if (!key.ok()) return Usage(opts, "bad --root key", key.status());
        root.key = *key;
      } else if (k == "constraint") {
        root.constraint = v;
      } else if (k == "quote") {
        auto q = ReadFile(v, 64 * 1024);
        if (!q.ok()) return ReportStatus(opts.json, kExitIo, "cannot read quote " + v, q.status());
        root.quote = *q;
      } else if (k == "collateral") {
        auto h = build::DirHash1(v);
        if (!h.ok())
          return ReportStatus(opts.json, kExitUsage, "bad --root collateral " + v, h.status());
        root.collateral_dir_hash = *h;
        have_collateral = true;
      } else if (k == "collateral-digest") {
        auto h = Hex32Arg("collateral-digest", v);
        if (!h.ok()) return Usage(opts, "bad --root", h.status());
        root.collateral_dir_hash = *h;
        have_collateral = true;
      } else if (k == "collateral-uri") {
        root.collateral_uri = v;
      } else if (k == "reproduced-by") {
        auto refs = RefsArg({v});
        if (!refs.ok()) return Usage(opts, "bad --root reproduced-by", refs.status());
        root.reproduced_by = *refs;
      } else {
        return Usage(opts, "bad --root", InvalidArgumentError("unknown field \"" + k + "\""));
      }
    }
    if (!root.key.key || root.quote.empty() || !have_collateral) {
      return Usage(opts, "bad --root",
                   InvalidArgumentError("each --root needs name, key, constraint, quote and "
                                        "collateral (or collateral-digest)"));
    }
    rs.roots.push_back(std::move(root));
  }
  for (const std::string& spec : opts.builders) {
    auto kv = ParseSpec(spec);
    if (!kv.ok()) return Usage(opts, "bad --builder", kv.status());
    govern::BuilderDescriptor b;
    for (const auto& [k, v] : *kv) {
      if (k == "id") {
        b.id = v;
      } else if (k == "key") {
        auto key = KeyArg(v);
        if (!key.ok()) return Usage(opts, "bad --builder key", key.status());
        b.keys.push_back(*key);
      } else {
        return Usage(opts, "bad --builder", InvalidArgumentError("unknown field \"" + k + "\""));
      }
    }
    rs.builders.push_back(std::move(b));
  }
  return Write(opts, govern::Statement{std::move(rs)});
}

int RunAdmit(const GovernOptions& opts) {
  govern::Admission a;
  int rc = 0;
  if (!Common(opts, &a.ledger, &a.issued_on, &rc)) return rc;
  auto role = govern::RoleFromName(opts.role);
  if (!role) {
    return ReportFailure(opts.json, kExitUsage, "usage", "bad --role",
                         "must be root, broker or workload");
  }
  a.role = *role;
  a.constraint = opts.constraint;
  auto expires = ParseTimeArg(opts.expires);
  if (!expires.ok())
    return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --expires",
                         expires.status().message());
  a.expires = *expires;
  if (!opts.not_before.empty()) {
    auto nb = ParseTimeArg(opts.not_before);
    if (!nb.ok())
      return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --not-before",
                           nb.status().message());
    a.not_before = *nb;
  }
  auto refs = RefsArg(opts.reproduced_by);
  if (!refs.ok()) return Usage(opts, "bad --reproduced-by", refs.status());
  a.reproduced_by = *refs;
  if (!opts.note.empty()) a.note = opts.note;
  return Write(opts, govern::Statement{std::move(a)});
}

int RunRevoke(const GovernOptions& opts) {
  govern::Revocation r;
  int rc = 0;
  if (!Common(opts, &r.ledger, &r.issued_on, &rc)) return rc;
  auto kind = govern::RevocationKindFromName(opts.kind);
  if (!kind) {
    return ReportFailure(opts.json, kExitUsage, "usage", "bad --kind",
                         "must be measurement, signer, admission, builderKey or rootKey");
  }
  r.kind = *kind;
  r.reason = opts.reason;
  if (!opts.note.empty()) r.note = opts.note;
  auto need = [&](bool ok, const std::string& what) {
    return ok ? 0 : ReportFailure(opts.json, kExitUsage, "usage", "bad usage", what);
  };
  switch (*kind) {
    case govern::RevocationKind::kMeasurement: {
      if (int e = need(!opts.mrenclave.empty(), "--kind measurement needs --mrenclave")) return e;
      auto m = Hex32Arg("--mrenclave", opts.mrenclave);
      if (!m.ok()) return Usage(opts, "bad --mrenclave", m.status());
      r.mrenclave = *m;
      break;
    }
    case govern::RevocationKind::kSigner: {
      if (int e = need(!opts.mrsigner.empty(), "--kind signer needs --mrsigner")) return e;
      auto s = Hex32Arg("--mrsigner", opts.mrsigner);
      if (!s.ok()) return Usage(opts, "bad --mrsigner", s.status());
      r.mrsigner = *s;
      if (opts.product_id) {
        if (*opts.product_id > 65535) {
          return ReportFailure(opts.json, kExitUsage, "usage", "bad --product-id", "0..65535");
        }
        r.product_id = static_cast<uint16_t>(*opts.product_id);
      }
      r.isv_svn_below = opts.isv_svn_below;
      break;
    }
    case govern::RevocationKind::kAdmission: {
      auto ref = ParseEntryRefArg(opts.entry);
      if (!ref.ok()) return Usage(opts, "bad --entry", ref.status());
      r.entry = *ref;
      break;
    }
    case govern::RevocationKind::kBuilderKey:
    case govern::RevocationKind::kRootKey:
      if (int e =
              need(opts.keyid.empty() != opts.key.empty(), "give --keyid HEX or --key PUB.pem")) {
        return e;
      }
      if (!opts.key.empty()) {
        auto key = ReadPublicKeyFile(opts.key);
        if (!key.ok()) return Usage(opts, "bad --key", key.status());
        r.keyid = (*key)->KeyId();
      } else {
        r.keyid = opts.keyid;
      }
      break;
  }
  return Write(opts, govern::Statement{std::move(r)});
}

int RunRecord(const GovernOptions& opts) {
  govern::ProcessingRecord r;
  int rc = 0;
  if (!Common(opts, &r.ledger, &r.issued_on, &rc)) return rc;
  r.activity_id = opts.activity;
  r.activity_version = opts.activity_version;
  if (!opts.register_file.empty()) {
    auto text = ReadFileToString(opts.register_file, 16 << 20);
    if (!text.ok())
      return ReportStatus(opts.json, kExitIo, "cannot read --register", text.status());
    auto reg = govern::ParseRegister(*text);
    if (!reg.ok()) return Usage(opts, "bad --register", reg.status());
    for (const auto& e : reg->entries) r.controllers.push_back({e.role, e.digest});
  }
  for (const std::string& c : opts.controllers) {
    size_t eq = c.find('=');
    auto digest = eq == std::string::npos
                      ? StatusOr<Sha256Hash>(InvalidArgumentError("ROLE=SHA256"))
                      : Hex32Arg("--controller digest", c.substr(eq + 1));
    if (!digest.ok()) return Usage(opts, "bad --controller", digest.status());
    r.controllers.push_back({c.substr(0, eq), *digest});
  }
  r.purposes = opts.purposes;
  r.data_subject_categories = opts.data_subjects;
  r.personal_data_categories = opts.personal_data;
  r.recipient_categories = opts.recipients;
  for (const std::string& t : opts.transfers) {
    size_t eq = t.find('=');
    if (eq == std::string::npos) {
      return ReportFailure(opts.json, kExitUsage, "usage", "bad --transfer",
                           "DESTINATION=SAFEGUARDS");
    }
    govern::ThirdCountryTransfer tr{t.substr(0, eq), t.substr(eq + 1), std::nullopt};
    for (const std::string& d : opts.transfer_docs) {
      size_t deq = d.find('=');
      if (deq != std::string::npos && d.substr(0, deq) == tr.destination) {
        auto h = Hex32Arg("--transfer-documentation", d.substr(deq + 1));
        if (!h.ok()) return Usage(opts, "bad --transfer-documentation", h.status());
        tr.documentation = *h;
      }
    }
    r.third_country_transfers.push_back(std::move(tr));
  }
  for (const std::string& e : opts.erasure) {
    // CATEGORY=LIMIT, CATEGORY=LIMIT:NOTE or CATEGORY=:NOTE.
    size_t eq = e.rfind('=');
    if (eq == std::string::npos) {
      return ReportFailure(opts.json, kExitUsage, "usage", "bad --erasure",
                           "CATEGORY=LIMIT, CATEGORY=LIMIT:NOTE or CATEGORY=:NOTE");
    }
    govern::ErasureTimeLimit lim;
    lim.category = e.substr(0, eq);
    std::string rest = e.substr(eq + 1);
    size_t colon = rest.find(':');
    std::string limit = rest.substr(0, colon);
    if (!limit.empty()) lim.limit = limit;
    if (colon != std::string::npos) lim.note = rest.substr(colon + 1);
    r.erasure_time_limits.push_back(std::move(lim));
  }
  r.security_measures = opts.security_measures;
  if (!opts.security_documentation.empty()) {
    auto h = Hex32Arg("--security-documentation", opts.security_documentation);
    if (!h.ok()) return Usage(opts, "bad --security-documentation", h.status());
    r.security_documentation = *h;
  }
  auto covers = RefsArg(opts.covers);
  if (!covers.ok()) return Usage(opts, "bad --covers", covers.status());
  r.covers = *covers;
  return Write(opts, govern::Statement{std::move(r)});
}

int RunKeyBinding(const GovernOptions& opts) {
  auto key = ReadPublicKeyFile(opts.key);
  if (!key.ok()) return Usage(opts, "bad key", key.status());
  std::string rd = HexEncode(govern::RootKeyReportData((*key)->spki_der()));
  if (opts.json) {
    Json out;
    out["keyid"] = (*key)->KeyId();
    out["report_data"] = rd;
    PrintJsonResult(kVerdictOk, out);
  } else {
    std::cout << rd << "\n";
  }
  return kExitOk;
}

void AddCommon(CLI::App* cmd, GovernOptions* o) {
  cmd->add_option("--ledger", o->ledger, "The ledger's checkpoint origin")->required();
  cmd->add_option("--issued-on", o->issued_on, "Issue time (default: now)");
  cmd->add_option("--out", o->out, "Statement file to write (default: stdout)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
}

}  // namespace

void RegisterGovernCommands(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<GovernOptions>();
  CLI::App* govern = app.add_subcommand("govern", "Write governance statements (unsigned)");
  govern->footer(std::string(kGovernHelp) + "\n\n" + kExitCodesHelp);
  govern->require_subcommand(1);

  CLI::App* rs = govern->add_subcommand("root-set", "A root set (roots, builders, threshold)");
  SetLongDescription(
      rs,
      "Root set VERSION: the roots (key, constraint, evidence) and builders trusted from its\n"
      "position on. Version N+1 must be signed by a threshold of version N and of itself.\n"
      "--root name=NAME,key=PUB.pem,constraint=C,quote=FILE,collateral=DIR\n"
      "       [,collateral-digest=HEX instead of collateral][,collateral-uri=URI]\n"
      "       [,reproduced-by=INDEX:SHA256+INDEX:SHA256]   (version 1 only)\n"
      "--builder id=URI,key=PUB.pem[,key=PUB2.pem]\n"
      "Each quote must carry report_data = `vouch govern key-binding PUB.pem`.");
  rs->footer(kExitFooter);
  AddCommon(rs, o.get());
  rs->add_option("--version", o->version, "Version (1, 2, 3 ...)")
      ->required()
      ->check(CLI::PositiveNumber);
  rs->add_option("--expires", o->expires, "Expiry time")->required();
  rs->add_option("--threshold", o->threshold, "Roots that must sign (default 2)");
  rs->add_option("--root", o->roots, "A root (see above); repeat for each")->required();
  rs->add_option("--builder", o->builders, "A builder (see above); repeat for each")->required();
  rs->add_option("--reproduction-threshold", o->reproduction_threshold,
                 "k: distinct builders that must agree (default 2)");
  rs->add_option("--max-admission-validity", o->max_admission_validity, "Duration (default P365D)");
  rs->add_option("--max-issue-lag", o->max_issue_lag, "Duration (default PT1H)");
  rs->callback([o, &ctx] { ctx.exit_code = RunRootSet(*o); });

  CLI::App* admit = govern->add_subcommand("admit", "An admission of an identity for a role");
  SetLongDescription(
      admit,
      "Admits the identity a canonical Conclave constraint describes for a role, from "
      "--not-before\n"
      "(default: the issue time) until --expires, because the referenced provenance entries\n"
      "reproduce its measurement.");
  admit->footer(kExitFooter);
  AddCommon(admit, o.get());
  admit->add_option("--role", o->role, "root, broker or workload")->required();
  admit->add_option("--constraint", o->constraint, "Canonical constraint")->required();
  admit->add_option("--not-before", o->not_before, "Start of validity (default: issue time)");
  admit->add_option("--expires", o->expires, "End of validity")->required();
  admit->add_option("--reproduced-by", o->reproduced_by, "INDEX:SHA256 of a provenance entry")
      ->required();
  admit->add_option("--note", o->note, "A note (no personal data)");
  admit->callback([o, &ctx] { ctx.exit_code = RunAdmit(*o); });

  CLI::App* revoke = govern->add_subcommand("revoke", "A revocation");
  SetLongDescription(
      revoke,
      "Revokes, from its position on: a measurement (--mrenclave), a signer (--mrsigner\n"
      "[--product-id] [--isv-svn-below]), an admission (--entry INDEX:SHA256), a builder key or a\n"
      "root key (--keyid or --key PUB.pem). Revocations are permanent.");
  revoke->footer(kExitFooter);
  AddCommon(revoke, o.get());
  revoke->add_option("--kind", o->kind, "measurement, signer, admission, builderKey, rootKey")
      ->required();
  revoke->add_option("--mrenclave", o->mrenclave, "MRENCLAVE (hex)");
  revoke->add_option("--mrsigner", o->mrsigner, "MRSIGNER (hex)");
  revoke->add_option("--product-id", o->product_id, "Only this product (signer)");
  revoke->add_option("--isv-svn-below", o->isv_svn_below, "Only ISVSVN below this (signer)");
  revoke->add_option("--entry", o->entry, "INDEX:SHA256 of the admission");
  revoke->add_option("--keyid", o->keyid, "keyid of the key");
  revoke->add_option("--key", o->key, "The key (public PEM) instead of --keyid");
  revoke
      ->add_option("--reason", o->reason,
                   "key_compromise, vulnerability, superseded, not_reproducible, "
                   "operator_error, other")
      ->required();
  revoke->add_option("--note", o->note, "A note (no personal data)");
  revoke->callback([o, &ctx] { ctx.exit_code = RunRevoke(*o); });

  CLI::App* record = govern->add_subcommand("record", "A GDPR Art. 30(1) processing record");
  SetLongDescription(
      record,
      "A record of processing activities (Art. 30(1)(a)-(g)) covering admissions. Controllers are\n"
      "referenced by the SHA-256 of their entry in your register file (--register uses all its\n"
      "entries; --controller ROLE=SHA256 names one); names and contacts never enter the ledger.\n"
      "--erasure CATEGORY=LIMIT[:NOTE] (or CATEGORY=:NOTE), --transfer DESTINATION=SAFEGUARDS.");
  record->footer(kExitFooter);
  AddCommon(record, o.get());
  record->add_option("--activity", o->activity, "Activity id (a Name)")->required();
  record->add_option("--activity-version", o->activity_version, "1, 2, 3 ...")->required();
  record->add_option("--register", o->register_file, "Register file (vouch-art30-register/1)");
  record->add_option("--controller", o->controllers, "ROLE=SHA256 of a register entry");
  record->add_option("--purpose", o->purposes, "(b) a purpose")->required();
  record->add_option("--data-subjects", o->data_subjects, "(c) a category of data subjects")
      ->required();
  record->add_option("--personal-data", o->personal_data, "(c) a category of personal data")
      ->required();
  record->add_option("--recipient", o->recipients, "(d) a category of recipients");
  record->add_option("--transfer", o->transfers, "(e) DESTINATION=SAFEGUARDS");
  record->add_option("--transfer-documentation", o->transfer_docs, "DESTINATION=SHA256");
  record->add_option("--erasure", o->erasure, "(f) CATEGORY=LIMIT[:NOTE]");
  record->add_option("--security-measure", o->security_measures, "(g) a measure");
  record->add_option("--security-documentation", o->security_documentation, "SHA256");
  record->add_option("--covers", o->covers, "INDEX:SHA256 of a covered admission")->required();
  record->callback([o, &ctx] { ctx.exit_code = RunRecord(*o); });

  CLI::App* binding =
      govern->add_subcommand("key-binding", "The report data a root's quote must carry");
  SetLongDescription(
      binding,
      "Prints SHA-256(\"vouch-root-key/v1\" || SPKI DER) || 32 zero bytes for a root's public "
      "key,\n"
      "as 128 hex digits: the report_data of the quote in its root-set entry.");
  binding->footer("Exit codes: 0 printed; 2 unusable key; 3 I/O error.");
  binding->add_option("KEY", o->key, "Public key (PEM)")->required();
  binding->add_flag("--json", o->json, "Print one JSON object");
  binding->callback([o, &ctx] { ctx.exit_code = RunKeyBinding(*o); });
}

}  // namespace vouch::cli

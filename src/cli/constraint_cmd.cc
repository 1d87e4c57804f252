// `vouch constraint parse` and `vouch constraint check`: the Conclave-compatible constraint DSL
// on the command line (docs/constraints.md). Thin: parse arguments, call vouch::constraint,
// format the result.
//
// Output contract (docs/constraints.md, "Command line"; docs/cli.md):
//   parse  stdout: the canonical constraint; --json: {"verdict":"ok","constraint":"..."}
//   check  stdout: PASS, or the enclave-rejected message exactly as Conclave words it (and a
//          plain hint on stderr); --json: {"verdict":"accepted","result":"pass"} /
//          {"verdict":"rejected","result":"fail","message","reason","error":{...}}
//   errors stderr: "vouch: <what>: <message>" and "hint: <hint>"; with --json instead on
//          stdout: {"verdict":"error","error":{"code","message","hint"}}. The message is
//          Conclave's, unchanged; the hint is ours (constraint/hints.h).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_common.h"
#include "vouch/base/file.h"
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"
#include "vouch/constraint/hints.h"
#include "vouch/constraint/reasons.h"

namespace vouch::cli {
namespace {

// EII JSON documents are a few hundred bytes; anything this large is not one.
constexpr size_t kMaxEiiFileSize = size_t{1} << 20;

constexpr const char kDslHelp[] =
    "A constraint is a list of KEY:VALUE tokens separated by ASCII spaces (R3 Conclave's\n"
    "EnclaveConstraint syntax; keys are case-sensitive, any order):\n"
    "  C:<hex>       acceptable code hash (MRENCLAVE), 64 hex digits; repeatable\n"
    "  S:<hex>       acceptable code signer (MRSIGNER), 64 hex digits; repeatable;\n"
    "                needs PROD\n"
    "  PROD:<n>      product ID 0..65535; required with S, and then always checked\n"
    "  REVOKE:<n>    minimum revocation level (= max(ISVSVN-1, 0) of the enclave)\n"
    "  SEC:<level>   INSECURE (exact match: only debug/simulation/mock enclaves),\n"
    "                STALE (default: STALE or SECURE) or SECURE\n"
    "  EXPIRE:<p>    maximum age of the attestation data as an ISO-8601 period\n"
    "                (P30D, P6M, P1Y2M3W4D); measured from the EII's security timestamp\n"
    "At least one C or S is required. An enclave passes when its code hash is one of the C\n"
    "values or its signer one of the S values, and every other given key is satisfied.\n"
    "Conclave's messages are kept exactly; a plain hint is printed beside them.\n"
    "See docs/constraints.md.";

constexpr const char kParseExitCodes[] =
    "Exit codes: 0 the constraint is valid (its canonical form is printed);\n"
    "2 the constraint is malformed or invalid (the reason is printed on stderr with a hint, or\n"
    "as {\"verdict\":\"error\",\"error\":{...}} on stdout with --json).";

constexpr const char kCheckExitCodes[] =
    "Output: PASS, or the rejection message exactly as Conclave words it, on stdout (a hint on\n"
    "stderr). With --json: {\"verdict\":\"accepted\",\"result\":\"pass\"} or\n"
    "{\"verdict\":\"rejected\",\"result\":\"fail\",\"message\":...,\"reason\":...,\"error\":{...}};"
    "\n"
    "errors as {\"verdict\":\"error\",\"error\":{\"code\":...,\"message\":...,\"hint\":...}}.\n"
    "Exit codes: 0 the enclave satisfies the constraint; 1 it does not;\n"
    "2 malformed or invalid constraint, malformed EII JSON or bad --at;\n"
    "3 the EII file cannot be read.";

// Exit code 2 for a constraint that does not parse (malformed) or is inconsistent (invalid):
// Conclave's message as it is, and our hint beside it.
int ConstraintError(bool json, const std::string& descriptor, const Status& status) {
  bool invalid = status.code() == StatusCode::kFailedPrecondition;
  return ReportStatus(json, invalid ? "invalid constraint" : "malformed constraint", status,
                      ConstraintParseHint(descriptor));
}

// The hint for EII JSON that does not parse: often the whole output of `sgx verify --json`.
std::string EiiHint(const std::string& text) {
  if (text.find("\"verdict\"") != std::string::npos &&
      text.find("\"enclave\"") != std::string::npos) {
    return "this looks like the output of 'vouch sgx verify --json'; the EII is its \"enclave\" "
           "member, which 'vouch sgx verify --eii-out FILE' writes on its own";
  }
  return "an EII is the JSON object described in docs/eii-json.md, e.g. examples/eii.json";
}

struct ParseOptions {
  std::string constraint;
  bool no_validate = false;
  bool json = false;
};

int RunParse(const ParseOptions& opts) {
  auto constraint = EnclaveConstraint::Parse(opts.constraint, !opts.no_validate);
  if (!constraint.ok()) return ConstraintError(opts.json, opts.constraint, constraint.status());
  if (opts.json) {
    PrintJsonResult(kVerdictOk, {{"constraint", constraint->ToString()}});
  } else {
    std::cout << constraint->ToString() << "\n";
  }
  return kExitOk;
}

struct CheckOptions {
  std::string constraint;
  std::string eii_path;
  std::string at;
  bool json = false;
};

int RunCheck(const CheckOptions& opts) {
  auto constraint = EnclaveConstraint::Parse(opts.constraint);
  if (!constraint.ok()) return ConstraintError(opts.json, opts.constraint, constraint.status());

  auto at = AtOrNow(opts.at);
  if (!at.ok()) return ReportBadAt(opts.json, at.status());
  const UnixSeconds now = *at;

  auto text = ReadFileToString(opts.eii_path, kMaxEiiFileSize);
  if (!text.ok()) {
    return ReportReadFailure(opts.json, "cannot read EII", text.status());
  }
  auto info = EnclaveInstanceInfo::FromJson(*text);
  if (!info.ok()) return ReportStatus(opts.json, "malformed EII", info.status(), EiiHint(*text));

  Status verdict = constraint->Check(*info, now);
  switch (verdict.code()) {
    case StatusCode::kOk:
      if (opts.json) {
        PrintJsonResult(kVerdictAccepted, {{"result", "pass"}});
      } else {
        std::cout << "PASS\n";
      }
      return kExitOk;
    case StatusCode::kPermissionDenied: {
      std::string hint = ConstraintCheckHint(*constraint, *info, verdict);
      if (opts.json) {
        Json fields = {
            {"result", "fail"}, {"message", verdict.message()}, {"reason", verdict.reason()}};
        return ReportStatus(true, "rejected", verdict, hint, fields);
      }
      std::cout << verdict.message() << "\n";
      if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
      return kExitRejected;
    }
    case StatusCode::kFailedPrecondition:
      return ConstraintError(opts.json, opts.constraint, verdict);
    case StatusCode::kInvalidArgument:
      return ReportFailure(opts.json, codes::kInvalidTime, "bad --at", verdict.message());
    default:
      return ReportStatus(opts.json, "internal error", verdict);
  }
}

}  // namespace

void RegisterConstraintCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* group = app.add_subcommand(
      "constraint", "Parse Conclave-compatible constraints; check enclaves against them");
  group->require_subcommand(1);
  group->footer(std::string(kDslHelp) + "\n\n" + kExitCodesHelp);

  auto parse_opts = std::make_shared<ParseOptions>();
  CLI::App* parse =
      group->add_subcommand("parse", "Validate a constraint and print its canonical form");
  parse
      ->add_option("CONSTRAINT", parse_opts->constraint,
                   "The constraint string (quote it: it contains spaces)")
      ->required();
  parse->add_flag("--no-validate", parse_opts->no_validate,
                  "Skip the completeness check (a C or S; S needs PROD), like Conclave's "
                  "parse(s, false)");
  parse->add_flag("--json", parse_opts->json,
                  "Print {\"verdict\":\"ok\",\"constraint\":\"...\"}, or the error as JSON");
  parse->footer(
      "The canonical form lists C, S, PROD, REVOKE, EXPIRE, then SEC (always), hex upper case\n"
      "and sorted; parsing it again gives the same constraint.\n\n" +
      std::string(kDslHelp) + "\n\n" + kParseExitCodes);
  parse->callback([parse_opts, &ctx] { ctx.exit_code = RunParse(*parse_opts); });

  auto check_opts = std::make_shared<CheckOptions>();
  CLI::App* check = group->add_subcommand(
      "check", "Check an enclave's EnclaveInstanceInfo JSON against a constraint");
  check
      ->add_option("CONSTRAINT", check_opts->constraint,
                   "The constraint string (quote it: it contains spaces)")
      ->required();
  check
      ->add_option("--eii", check_opts->eii_path,
                   "EnclaveInstanceInfo JSON file, or - for standard input")
      ->required()
      ->type_name("FILE");
  check
      ->add_option("--at", check_opts->at,
                   "Verification time for EXPIRE: Unix seconds or RFC 3339\n"
                   "(2025-06-19T10:56:11Z); default now")
      ->type_name("TIME");
  check->add_flag("--json", check_opts->json, "Print the result as JSON (see below)");
  check->footer(
      "The enclave is described by its EnclaveInstanceInfo JSON (docs/eii-json.md), e.g. the\n"
      "output of evidence verification. Conclave's rules and failure messages apply.\n\n" +
      std::string(kDslHelp) + "\n\n" + kCheckExitCodes);
  check->callback([check_opts, &ctx] { ctx.exit_code = RunCheck(*check_opts); });
}

}  // namespace vouch::cli

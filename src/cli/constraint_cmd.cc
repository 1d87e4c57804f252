// `vouch constraint parse` and `vouch constraint check`: the Conclave-compatible constraint DSL
// on the command line (docs/constraints.md). Thin: parse arguments, call vouch::constraint,
// format the result.
//
// Output contract (docs/constraints.md, "Command line"):
//   parse  stdout: the canonical constraint; --json: {"constraint":"..."}
//   check  stdout: PASS, or the enclave-rejected message exactly as Conclave words it;
//          --json: {"result":"pass"} / {"result":"fail","message":"...","reason":"..."}
//   errors stderr: "vouch: <what>: <message>"; with --json instead on stdout:
//          {"error":{"code":"...","message":"..."}}
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/file.h"
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"

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
    "Example: \"S:4F2A...E1 PROD:1 SEC:SECURE EXPIRE:P30D\". See docs/constraints.md.";

constexpr const char kParseExitCodes[] =
    "Exit codes: 0 the constraint is valid (its canonical form is printed);\n"
    "2 the constraint is malformed or invalid (the reason is printed on stderr, or as\n"
    "{\"error\":{...}} on stdout with --json).";

constexpr const char kCheckExitCodes[] =
    "Output: PASS, or the rejection message exactly as Conclave words it, on stdout.\n"
    "With --json: {\"result\":\"pass\"} or {\"result\":\"fail\",\"message\":...,\"reason\":...};\n"
    "errors as {\"error\":{\"code\":...,\"message\":...}}.\n"
    "Exit codes: 0 the enclave satisfies the constraint; 1 it does not;\n"
    "2 malformed or invalid constraint, malformed EII JSON or bad --at;\n"
    "3 the EII file cannot be read.";

// Exit code 2 for a constraint that does not parse (malformed) or is inconsistent (invalid).
int ConstraintError(bool json, const Status& status) {
  bool invalid = status.code() == StatusCode::kFailedPrecondition;
  return ReportFailure(json, kExitUsage, invalid ? "constraint_invalid" : "constraint_malformed",
                       invalid ? "invalid constraint" : "malformed constraint", status.message());
}

struct ParseOptions {
  std::string constraint;
  bool no_validate = false;
  bool json = false;
};

int RunParse(const ParseOptions& opts) {
  auto constraint = EnclaveConstraint::Parse(opts.constraint, !opts.no_validate);
  if (!constraint.ok()) return ConstraintError(opts.json, constraint.status());
  if (opts.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    out["constraint"] = constraint->ToString();
    std::cout << DumpJson(out) << "\n";
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
  if (!constraint.ok()) return ConstraintError(opts.json, constraint.status());

  UnixSeconds now = RealClock().Now();
  if (!opts.at.empty()) {
    auto at = ParseTimeArg(opts.at);
    if (!at.ok()) {
      return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --at",
                           at.status().message());
    }
    now = *at;
  }

  auto text = ReadFileToString(opts.eii_path, kMaxEiiFileSize);
  if (!text.ok()) {
    int exit_code = ExitCodeForReadError(text.status());
    return ReportFailure(opts.json, exit_code,
                         exit_code == kExitIo ? "io_error" : "input_too_large", "cannot read EII",
                         text.status().message());
  }
  auto info = EnclaveInstanceInfo::FromJson(*text);
  if (!info.ok()) {
    return ReportFailure(opts.json, kExitUsage, "eii_malformed", "malformed EII",
                         info.status().message());
  }

  Status verdict = constraint->Check(*info, now);
  switch (verdict.code()) {
    case StatusCode::kOk:
      if (opts.json) {
        std::cout << "{\"result\":\"pass\"}\n";
      } else {
        std::cout << "PASS\n";
      }
      return kExitOk;
    case StatusCode::kPermissionDenied:
      if (opts.json) {
        nlohmann::ordered_json out = nlohmann::ordered_json::object();
        out["result"] = "fail";
        out["message"] = verdict.message();
        out["reason"] = verdict.reason();
        std::cout << DumpJson(out) << "\n";
      } else {
        std::cout << verdict.message() << "\n";
      }
      return kExitRejected;
    case StatusCode::kFailedPrecondition:
      return ConstraintError(opts.json, verdict);
    case StatusCode::kInvalidArgument:
      return ReportFailure(opts.json, kExitUsage, "invalid_time", "bad --at", verdict.message());
    default:
      return ReportFailure(opts.json, kExitIo, "internal", "internal error", verdict.message());
  }
}

}  // namespace

void RegisterConstraintCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* group = app.add_subcommand(
      "constraint",
      "Parse Conclave-compatible enclave constraints and check enclaves against them");
  group->require_subcommand(1);
  group->footer(kDslHelp);

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
                  "Print {\"constraint\":\"...\"}, or {\"error\":{\"code\",\"message\"}}");
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

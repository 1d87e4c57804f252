// `vouch sgx verify`: offline verification of an Intel SGX DCAP quote against PCS collateral at
// a stated time, mapped to an EnclaveInstanceInfo and optionally checked against a constraint
// (docs/sgx-verify.md). Thin: parse arguments, call vouch::sgx, format the result.
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/sgx_td_cmd.h"
#include "constraint/eii_json.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/base/time.h"
#include "vouch/constraint/constraint.h"
#include "vouch/constraint/hints.h"
#include "vouch/constraint/tee_constraint.h"
#include "vouch/http/http.h"
#include "vouch/pcs/pcs_client.h"
#include "vouch/sgx/enclave_info.h"
#include "vouch/sgx/reasons.h"
#include "vouch/sgx/simulated_pki.h"
#include "vouch/sgx/verifier.h"

namespace vouch::cli {
namespace {

constexpr const char kVerifyHelp[] =
    "Verifies an Intel SGX DCAP quote (v3 or v4) or an Intel TDX quote (v4 or v5, TD 1.0/1.5)\n"
    "offline against Intel PCS collateral at a stated time: the PCK certificate chain to a\n"
    "trusted root, both CRLs, the TCB Info and QE\n"
    "Identity signatures over their exact bytes, the QE report and its binding to the\n"
    "attestation key, the quote signature, the TCB level and the collateral validity window.\n"
    "Prints the verdict, TCB status, advisories and the enclave identity (EnclaveInstanceInfo);\n"
    "with --constraint also checks a Conclave-style constraint against it. A TD quote prints\n"
    "its TD identity (docs/td-info.md) and takes TDX constraints (TEE:TDX MRTD:..., see\n"
    "docs/constraints.md); a Conclave constraint never matches a TD.\n"
    "The collateral directory layout is described in docs/collateral.md.";

constexpr const char kVerifyFooter[] =
    "Trust roots: the built-in Intel SGX Root CA, or --trust-root (production) and --sim-root\n"
    "(simulation) certificates. Vouch's own simulation roots (subject O = Vouch simulation ...,\n"
    "docs/sgx-verify.md) are refused as --trust-root: give them with --sim-root.\n"
    "Exit codes: 0 accepted (authentic, not revoked, constraint met if given);\n"
    "1 rejected (including a quote or collateral that does not parse, and a failed constraint);\n"
    "2 bad usage (bad --at, malformed constraint, unusable root certificate file);\n"
    "3 I/O error (unreadable quote, missing collateral file, --eii-out not writable).\n"
    "--json prints one object: {\"verdict\":\"accepted\"|\"rejected\"|\"error\",\"tcb_status\",\n"
    "\"advisory_ids\",\"qe_advisory_ids\",\"fmspc\",\"collateral_expired\",\"enclave\":<EII>,\n"
    "\"error\":{\"code\",\"message\",\"hint\"}}; fields not reached are absent. Error codes are\n"
    "listed in docs/error-codes.md.";

struct VerifyOptions {
  std::string quote_path;
  std::string collateral_dir;
  std::string at;
  std::vector<std::string> trust_roots;
  std::vector<std::string> sim_roots;
  std::string constraint;
  bool has_constraint = false;
  std::string eii_out;
  bool allow_expired = false;
  bool verbose = false;
  bool json = false;
};

void PrintHuman(const sgx::VerificationResult* r, const EnclaveInstanceInfo* eii,
                const std::string& verdict, const std::string& code, const std::string& message,
                const std::string& constraint_line) {
  std::cout << "verdict:      " << verdict << "\n";
  if (!code.empty()) std::cout << "error:        " << code << ": " << message << "\n";
  if (r != nullptr) {
    std::cout << "tcb status:   " << sgx::TcbStatusName(r->tcb_status) << " (platform "
              << sgx::TcbStatusName(r->platform_tcb_status) << ", QE "
              << sgx::TcbStatusName(r->qe_tcb_status) << ")\n"
              << "advisories:   " << JoinOrNone(r->advisory_ids)
              << " (QE: " << JoinOrNone(r->qe_advisory_ids) << ")\n";
    PrintPlatformLines(*r);
  }
  if (eii != nullptr) {
    std::cout << "enclave:      MRENCLAVE " << HexEncode(eii->code_hash) << "\n"
              << "              MRSIGNER  " << HexEncode(eii->code_signer) << "\n"
              << "              product " << eii->product_id << ", ISV SVN " << eii->isv_svn
              << " (revocation level " << eii->revocation_level() << "), mode "
              << EnclaveModeName(eii->mode) << "\n"
              << "security:     " << SecuritySummaryName(eii->security.summary) << " as of "
              << FormatRfc3339(eii->security.timestamp) << ": " << eii->security.reason << "\n"
              << "report data:  " << HexEncode(eii->report_data) << "\n";
  }
  if (!constraint_line.empty()) std::cout << "constraint:   " << constraint_line << "\n";
}

// The collateral's root, when the collateral directory holds one that parses (for hints).
std::optional<Certificate> CollateralRoot(const sgx::Collateral& collateral) {
  auto chain = Certificate::ParsePemChain(collateral.tcb_info_issuer_chain);
  if (!chain.ok() || chain->empty()) return std::nullopt;
  return chain->back();
}

int RunVerify(const VerifyOptions& opts) {
  // Usage errors first (exit 2), before any I/O.
  auto at_or = AtOrNow(opts.at);
  if (!at_or.ok()) return ReportBadAt(opts.json, at_or.status());
  const UnixSeconds at = *at_or;
  std::optional<TeeConstraint> constraint;
  if (opts.has_constraint) {
    auto parsed = TeeConstraint::Parse(opts.constraint);
    if (!parsed.ok()) {
      bool invalid = parsed.status().code() == StatusCode::kFailedPrecondition;
      return ReportStatus(opts.json, invalid ? "invalid constraint" : "malformed constraint",
                          parsed.status(), ConstraintParseHint(opts.constraint));
    }
    constraint = std::move(*parsed);
  }
  std::vector<sgx::TrustRoot> roots;
  auto add_roots = [&](const std::vector<std::string>& paths, sgx::TrustRootKind kind) -> int {
    for (const std::string& path : paths) {
      auto root = ReadTrustRoot(path, kind);
      if (!root.ok()) {
        std::string hint;
        if (root.status().reason() == codes::kTrustRootIsSimulation.code) {
          hint = "give it with --sim-root " + path +
                 " instead: simulated evidence is then accepted as mode SIMULATION, summary "
                 "INSECURE";
        }
        return ReportStatus(opts.json, "cannot use root certificate " + path, root.status(), hint);
      }
      const Certificate* cert = &root->certificate;
      Verbose(opts.verbose, std::string("trusting ") + std::string(sgx::TrustRootKindName(kind)) +
                                " root \"" + cert->SubjectCommonName() +
                                "\" (O=" + cert->SubjectOrganization() + ") from " + path);
      roots.push_back(*root);
    }
    return kExitOk;
  };
  if (opts.trust_roots.empty()) {
    roots.push_back({sgx::IntelSgxRootCa(), sgx::TrustRootKind::kProduction});
    Verbose(opts.verbose, "trusting the built-in Intel SGX Root CA (production)");
  } else if (int rc = add_roots(opts.trust_roots, sgx::TrustRootKind::kProduction); rc != kExitOk) {
    return rc;
  }
  if (int rc = add_roots(opts.sim_roots, sgx::TrustRootKind::kSimulation); rc != kExitOk) return rc;
  auto verifier = sgx::DcapVerifier::Create(std::move(roots), {false, 0});
  if (!verifier.ok()) {
    return ReportFailure(opts.json, codes::kRootMalformed, "unusable root",
                         verifier.status().message());
  }
  Verbose(opts.verbose, "verification time " + FormatRfc3339(at) +
                            (opts.at.empty() ? " (now; set it with --at)" : ""));

  auto quote = ReadFile(opts.quote_path, size_t{1} << 20);
  if (!quote.ok()) {
    return ReportReadFailure(opts.json, "cannot read quote", quote.status());
  }
  auto collateral = sgx::ReadCollateralDirectory(opts.collateral_dir);
  if (!collateral.ok() && collateral.status().code() != StatusCode::kInvalidArgument) {
    return ReportFailure(opts.json, codes::kIoError, "cannot read collateral",
                         collateral.status().message());
  }

  Json out;
  // A rejection; `out` holds the fields reached.
  auto reject = [&](const Status& error, const sgx::VerificationResult* r,
                    const EnclaveInstanceInfo* eii, const std::string& constraint_line,
                    const std::string& hint) {
    Failure failure = ErrorCodeFor(error);
    if (opts.json) {
      return ReportStatus(true, "rejected", error, hint, out);
    }
    PrintHuman(r, eii, "rejected", failure.code, error.message(), constraint_line);
    if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
    return static_cast<int>(failure.exit_code);
  };
  if (!collateral.ok()) return reject(collateral.status(), nullptr, nullptr, "", "");
  if (sgx::IsTdQuote(*quote)) {
    return RunVerifyTd(**verifier, *quote, *collateral, {at, opts.allow_expired},
                       constraint ? &*constraint : nullptr, opts.eii_out, opts.json);
  }

  auto result = (*verifier)->Verify(*quote, *collateral, {at, opts.allow_expired});
  if (!result.ok()) {
    std::string hint;
    auto root = CollateralRoot(*collateral);
    if (result.status().reason() == sgx::reasons::kUntrustedRoot && root &&
        sgx::IsVouchSimulationRoot(*root)) {
      hint =
          "the evidence comes from a simulated platform ('vouch sim'); verify it with "
          "--sim-root " +
          opts.collateral_dir +
          "/root_ca.der (if that is this installation's root), never with --trust-root";
    }
    return reject(result.status(), nullptr, nullptr, "", hint);
  }

  const sgx::VerificationResult& r = *result;
  EnclaveInstanceInfo eii = sgx::ToEnclaveInstanceInfo(r);
  out["tcb_status"] = sgx::TcbStatusName(r.tcb_status);
  out["platform_tcb_status"] = sgx::TcbStatusName(r.platform_tcb_status);
  out["qe_tcb_status"] = sgx::TcbStatusName(r.qe_tcb_status);
  out["advisory_ids"] = r.advisory_ids;
  out["qe_advisory_ids"] = r.qe_advisory_ids;
  AddPlatformJson(r, out);
  out["enclave"] = internal::EiiToJsonValue(eii);
  if (!opts.eii_out.empty()) {
    if (Status s = WriteFileAtomic(opts.eii_out, AsBytes(eii.ToJson(2) + "\n"), 0644); !s.ok()) {
      return ReportFailure(opts.json, codes::kIoError, "cannot write --eii-out", s.message());
    }
    out["eii_out"] = opts.eii_out;
  }

  std::string constraint_line;
  if (constraint) {
    Status check = constraint->Check(eii, at);
    if (!check.ok()) {
      out["constraint"] = {
          {"result", "fail"}, {"message", check.message()}, {"reason", check.reason()}};
      Status error = RejectedError(std::string(codes::kConstraintFailed.code), check.message());
      return reject(error, &r, &eii, "FAIL: " + check.message(),
                    constraint->sgx() != nullptr
                        ? ConstraintCheckHint(*constraint->sgx(), eii, check)
                        : std::string());
    }
    out["constraint"] = {{"result", "pass"}};
    constraint_line = "PASS (" + constraint->ToString() + ")";
  }
  if (opts.json) {
    PrintJsonResult(kVerdictAccepted, out);
  } else {
    PrintHuman(&r, &eii, "accepted", "", "", constraint_line);
  }
  return kExitOk;
}

struct FetchOptions {
  std::string quote_path;
  std::string pccs_url;
  std::string out_dir;
  std::string pck_cert_path;
  int timeout_seconds = 30;
  bool verbose = false;
  bool json = false;
};

constexpr const char kFetchHelp[] =
    "Fetches the collateral for a quote from an Intel PCS or a PCCS (API v4) into a collateral\n"
    "directory for 'vouch sgx verify': TCB Info for the platform's FMSPC, QE Identity, the PCK\n"
    "CRL of its CA and the root CA CRL, with their issuer chains. FMSPC and CA type come from\n"
    "the PCK certificate in the quote (certification data type 5) or given with --pck-cert.\n"
    "Nothing fetched is trusted until 'vouch sgx verify' checks it.";

constexpr const char kFetchFooter[] =
    "Exit codes: 0 fetched; 1 the quote does not parse; 2 bad usage (a --pccs that is not an\n"
    "http(s) URL, an unusable --pck-cert, a quote without a PCK certificate and no --pck-cert);\n"
    "3 I/O: the server is unreachable, answers an error or not collateral, or DIR cannot be\n"
    "written.";

int RunFetch(const FetchOptions& opts) {
  if (auto url = http::Url::Parse(opts.pccs_url); !url.ok()) {
    return ReportFailure(
        opts.json, codes::kUrlMalformed, "bad --pccs", url.status().message(),
        "give the server's http(s) URL, e.g. https://api.trustedservices.intel.com "
        "or https://pccs.example:8081");
  }
  std::optional<std::string> pck_chain;
  if (!opts.pck_cert_path.empty()) {
    auto pem = ReadFileToString(opts.pck_cert_path, size_t{1} << 20);
    if (!pem.ok()) {
      return ReportReadFailure(opts.json, "cannot read --pck-cert", pem.status());
    }
    if (!Certificate::ParsePemChain(*pem).ok()) {
      return ReportFailure(opts.json, codes::kPckCertMalformed, "unusable --pck-cert",
                           "not a PEM certificate (chain), leaf first");
    }
    pck_chain = std::move(*pem);
  }
  auto quote = ReadFile(opts.quote_path, size_t{1} << 20);
  if (!quote.ok()) {
    return ReportReadFailure(opts.json, "cannot read quote", quote.status());
  }
  auto selector = pcs::SelectorFromQuote(*quote, pck_chain);
  if (!selector.ok()) {
    if (!selector.status().reason().empty()) {
      return ReportStatus(opts.json, "cannot select the platform", selector.status());
    }
    return ReportFailure(opts.json, codes::kPckCertMissing, "cannot select the platform",
                         selector.status().message(),
                         "give the platform's PCK certificate with --pck-cert");
  }
  Verbose(opts.verbose, "platform: FMSPC " + HexEncode(selector->fmspc) + ", " + selector->ca +
                            " CA; fetching from " + opts.pccs_url);
  http::HttpClient client;
  const auto start = SteadyNow();
  auto collateral = pcs::FetchCollateral(client, opts.pccs_url, *selector,
                                         std::chrono::seconds(opts.timeout_seconds));
  if (!collateral.ok()) {
    if (!collateral.status().reason().empty()) {
      return ReportStatus(opts.json, "cannot fetch collateral", collateral.status());
    }
    return ReportFailure(opts.json, codes::kPccsUnavailable, "cannot fetch collateral",
                         collateral.status().message());
  }
  Verbose(opts.verbose, "fetched TCB Info, QE Identity and both CRLs in " + Elapsed(start));
  if (pck_chain) collateral->pck_cert_chain = *pck_chain;
  if (Status s = sgx::WriteCollateralDirectory(*collateral, opts.out_dir); !s.ok()) {
    return ReportFailure(opts.json, codes::kIoError, "cannot write collateral", s.message());
  }
  if (opts.json) {
    PrintJsonResult(
        kVerdictOk,
        {{"out", opts.out_dir}, {"fmspc", HexEncode(selector->fmspc)}, {"ca", selector->ca}});
  } else {
    std::cout << "fetched collateral for FMSPC " << HexEncode(selector->fmspc) << " ("
              << selector->ca << " CA) into " << opts.out_dir << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterSgxCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* sgx = app.add_subcommand("sgx", "Verify Intel SGX DCAP quotes; fetch their collateral");
  sgx->require_subcommand(1);
  sgx->footer(kExitCodesHelp);

  auto opts = std::make_shared<VerifyOptions>();
  CLI::App* verify = sgx->add_subcommand("verify", "Verify a DCAP quote offline");
  SetLongDescription(verify, kVerifyHelp);
  verify->footer(kVerifyFooter);
  verify->add_option("QUOTE", opts->quote_path, "Quote file (raw bytes; - for stdin)")->required();
  verify->add_option("--collateral", opts->collateral_dir, "Collateral directory")->required();
  verify->add_option("--at", opts->at,
                     "Verification time: Unix seconds or RFC 3339 (default: now). Also the\n"
                     "\"now\" of the constraint's EXPIRE check");
  verify->add_option("--trust-root", opts->trust_roots,
                     "Production root certificate (DER or PEM) replacing the built-in Intel SGX\n"
                     "Root CA; repeatable");
  verify->add_option("--sim-root", opts->sim_roots,
                     "Simulation root certificate (DER or PEM); evidence chained to it is\n"
                     "reported as mode SIMULATION, summary INSECURE; repeatable");
  verify
      ->add_option("--constraint", opts->constraint,
                   "Conclave constraint to check (see 'vouch constraint parse --help'); for\n"
                   "a TD quote a TDX constraint, TEE:TDX MRTD:<hex> … (docs/constraints.md)")
      ->each([opts](const std::string&) { opts->has_constraint = true; });
  verify->add_flag("--allow-expired-collateral", opts->allow_expired,
                   "Accept a time at or after the collateral's expiry (reported as\n"
                   "collateral_expired); never a time before it became valid");
  verify
      ->add_option("--eii-out", opts->eii_out,
                   "Write the enclave's EnclaveInstanceInfo JSON here (what 'vouch constraint\n"
                   "check --eii' reads), whenever the quote verifies")
      ->type_name("FILE");
  verify->add_flag("--verbose", opts->verbose, "Say on stderr which roots and time are used");
  verify->add_flag("--json", opts->json, "Print one JSON object");
  verify->callback([opts, &ctx] { ctx.exit_code = RunVerify(*opts); });

  CLI::App* collateral = sgx->add_subcommand("collateral", "Intel PCS collateral");
  collateral->require_subcommand(1);
  collateral->footer(kExitCodesHelp);
  auto fetch_opts = std::make_shared<FetchOptions>();
  CLI::App* fetch =
      collateral->add_subcommand("fetch", "Fetch a quote's collateral from a PCS/PCCS");
  SetLongDescription(fetch, kFetchHelp);
  fetch->footer(kFetchFooter);
  fetch->add_option("QUOTE", fetch_opts->quote_path, "Quote file (- for stdin)")->required();
  fetch
      ->add_option(
          "--pccs", fetch_opts->pccs_url,
          "Server base URL, e.g. https://api.trustedservices.intel.com or\n"
          "https://pccs.example:8081 (\"/sgx/certification/v4\" is appended unless present)")
      ->required();
  fetch->add_option("--out", fetch_opts->out_dir, "Collateral directory to write")->required();
  fetch->add_option("--pck-cert", fetch_opts->pck_cert_path,
                    "PEM PCK certificate (or chain, leaf first) for quotes without one\n"
                    "(certification data type 1-4); also written as pck_cert_chain.pem");
  fetch->add_option("--timeout", fetch_opts->timeout_seconds, "Seconds per request (default 30)")
      ->check(CLI::Range(1, 600));
  fetch->add_flag("--verbose", fetch_opts->verbose,
                  "Say on stderr what is fetched and how long it takes");
  fetch->add_flag("--json", fetch_opts->json, "Print one JSON object");
  fetch->callback([fetch_opts, &ctx] { ctx.exit_code = RunFetch(*fetch_opts); });
}

}  // namespace vouch::cli

// `vouch sim init|info|collateral`: the installation's simulated SGX platform (docs/platform.md).
// Thin: parse arguments, call vouch::platform, format.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_common.h"
#include "cli/platform_common.h"
#include "vouch/base/clock.h"
#include "vouch/base/encoding.h"
#include "vouch/base/time.h"
#include "vouch/crypto/sha.h"
#include "vouch/platform/sim.h"

namespace vouch::cli {
namespace {

constexpr const char kSimHelp[] =
    "The simulated SGX platform of this installation: a state directory holding a simulation\n"
    "root CA, PCK CA and PCK certificate (with the SGX extension), a TCB Signing certificate,\n"
    "their private keys (0600) and a random platform secret (0600) for seal keys. Its quotes\n"
    "are real-format DCAP v3 quotes that `vouch sgx verify --sim-root DIR/root_ca.der` verifies\n"
    "through exactly the same code as real ones (mode SIMULATION, summary INSECURE).\n"
    "Default directory: $VOUCH_SIM_DIR, else ~/.local/share/vouch/sim. See docs/platform.md.";

constexpr const char kInitFooter[] =
    "Exit codes: 0 created; 2 bad usage, or a platform already exists (use --force);\n"
    "3 I/O error.";

constexpr const char kInfoFooter[] =
    "Exit codes: 0 described; 2 no platform initialised (run 'vouch sim init'), or its state is\n"
    "insecure (a private file readable by others) or inconsistent; 3 I/O error.";

constexpr const char kCollateralFooter[] =
    "Exit codes: 0 written; 2 bad usage or --at, no platform initialised, insecure or\n"
    "inconsistent state, certificates not valid at --at (re-create the platform); 3 I/O error.";

struct SimOptions {
  std::string dir;
  std::string out;
  std::string at;
  bool force = false;
  bool json = false;
};

Json Describe(const platform::SimInstallation& sim) {
  const sgx::SimulatedPkiOptions& o = sim.pki().options();
  Json j;
  j["dir"] = sim.dir();
  j["root_ca"] = sim.RootCertificatePath();
  j["root_ca_sha256"] = HexEncode(Sha256(sim.pki().root().der()));
  j["created"] = FormatRfc3339(sim.created());
  j["certificates_valid_from"] = FormatRfc3339(o.not_before);
  j["certificates_valid_until"] = FormatRfc3339(o.not_after);
  j["fmspc"] = HexEncode(o.platform.fmspc);
  j["pck_ca"] = o.platform_ca ? "Platform" : "Processor";
  return j;
}

void PrintDescription(const platform::SimInstallation& sim) {
  Json j = Describe(sim);
  std::cout << "directory:    " << sim.dir() << "\n"
            << "root CA:      " << sim.RootCertificatePath() << " (SHA-256 "
            << j["root_ca_sha256"].get<std::string>() << ")\n"
            << "certificates: valid " << j["certificates_valid_from"].get<std::string>() << " .. "
            << j["certificates_valid_until"].get<std::string>() << "\n"
            << "platform:     FMSPC " << j["fmspc"].get<std::string>() << ", PCK "
            << j["pck_ca"].get<std::string>() << " CA\n"
            << "trust it with: vouch sgx verify QUOTE --collateral DIR --sim-root "
            << sim.RootCertificatePath() << "\n";
}

int RunInit(const SimOptions& opts) {
  std::string dir = ResolveSimDir(opts.dir);
  auto sim = platform::SimInstallation::Init(dir, RealClock().Now(), opts.force);
  if (!sim.ok()) return ReportStatus(opts.json, "cannot create " + dir, sim.status());
  if (opts.json) {
    PrintJsonResult(kVerdictOk, Describe(*sim));
  } else {
    std::cout << "created a simulated SGX platform (not Intel; evidence is INSECURE)\n";
    PrintDescription(*sim);
  }
  return kExitOk;
}

int RunInfo(const SimOptions& opts) {
  std::string dir = ResolveSimDir(opts.dir);
  auto sim = platform::SimInstallation::Open(dir);
  if (!sim.ok()) return ReportStatus(opts.json, "cannot open " + dir, sim.status());
  if (opts.json) {
    PrintJsonResult(kVerdictOk, Describe(*sim));
  } else {
    PrintDescription(*sim);
  }
  return kExitOk;
}

int RunCollateral(const SimOptions& opts) {
  auto at_or = AtOrNow(opts.at);
  if (!at_or.ok()) return ReportBadAt(opts.json, at_or.status());
  const UnixSeconds at = *at_or;
  std::string dir = ResolveSimDir(opts.dir);
  auto sim = platform::SimInstallation::Open(dir);
  if (!sim.ok()) return ReportStatus(opts.json, "cannot open " + dir, sim.status());
  auto collateral = sim->CollateralAt(at);
  if (!collateral.ok()) {
    return ReportStatus(opts.json, "cannot sign collateral", collateral.status());
  }
  Status written = sim->WriteCollateral(opts.out, at);
  if (!written.ok()) {
    return ReportStatus(opts.json, "cannot write " + opts.out, written);
  }
  UnixSeconds from =
      std::max(at - platform::kSimCollateralBackdate, sim->pki().options().not_before);
  UnixSeconds until =
      std::min(from + sim->pki().options().collateral_lifetime, sim->pki().options().not_after);
  if (opts.json) {
    Json j;
    j["out"] = opts.out;
    j["root_ca"] = opts.out + "/root_ca.der";
    j["valid_from"] = FormatRfc3339(from);
    j["valid_until"] = FormatRfc3339(until);
    PrintJsonResult(kVerdictOk, j);
  } else {
    std::cout << "collateral:   " << opts.out << " (valid " << FormatRfc3339(from) << " .. "
              << FormatRfc3339(until) << ")\n"
              << "root CA:      " << opts.out << "/root_ca.der\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterSimCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* sim = app.add_subcommand("sim", "The simulated SGX platform of this installation");
  sim->footer(std::string(kSimHelp) + "\n\n" + kExitCodesHelp);
  sim->require_subcommand(1);
  auto opts = std::make_shared<SimOptions>();
  auto dir_option = [&](CLI::App* cmd, const char* footer) {
    cmd->add_option("--dir", opts->dir,
                    "State directory (default: $VOUCH_SIM_DIR, else ~/.local/share/vouch/sim)");
    cmd->add_flag("--json", opts->json, "Print one JSON object");
    cmd->footer(footer);
  };

  CLI::App* init = sim->add_subcommand("init", "Create the simulated platform");
  SetLongDescription(
      init,
      "Creates a simulated SGX platform: fresh P-256 keys and Intel-shaped certificates valid\n"
      "for five years, and a random 32-byte platform secret. Refuses to replace an existing\n"
      "one unless --force (which makes every earlier quote and sealed blob foreign).");
  dir_option(init, kInitFooter);
  init->add_flag("--force", opts->force, "Replace an existing platform");
  init->callback([opts, &ctx] { ctx.exit_code = RunInit(*opts); });

  CLI::App* info = sim->add_subcommand("info", "Describe the simulated platform");
  dir_option(info, kInfoFooter);
  info->callback([opts, &ctx] { ctx.exit_code = RunInfo(*opts); });

  CLI::App* collateral =
      sim->add_subcommand("collateral", "Write collateral for the simulated platform's quotes");
  SetLongDescription(
      collateral,
      "Writes a collateral directory (docs/collateral.md) for this platform's quotes, plus\n"
      "root_ca.der. TCB Info, QE Identity and both CRLs are signed afresh, issued five minutes\n"
      "before --at (default now) and valid for 30 days, so collateral is always valid \"now\";\n"
      "run it again when it expires. Then:\n"
      "  vouch sgx verify QUOTE --collateral OUT --sim-root OUT/root_ca.der");
  dir_option(collateral, kCollateralFooter);
  collateral->add_option("--out", opts->out, "Output directory")->required();
  collateral->add_option("--at", opts->at,
                         "Issue the collateral for this time: Unix seconds or RFC 3339");
  collateral->callback([opts, &ctx] { ctx.exit_code = RunCollateral(*opts); });
}

}  // namespace vouch::cli

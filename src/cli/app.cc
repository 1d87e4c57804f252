#include "cli/app.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <vector>

#include "cli/build_info.h"
#include "cli/govern_common.h"
#include "cli/help.h"

namespace vouch::cli {
namespace {

constexpr const char kDescription[] =
    "Vouch: verify that the code running in an enclave is the code you meant to trust.\n"
    "Verifies Intel SGX DCAP quotes offline, checks Conclave-compatible constraints, and\n"
    "records trust decisions in a witnessed transparency log.";

constexpr const char kFooter[] =
    "Run 'vouch help FAMILY' or 'vouch FAMILY COMMAND --help' for a command's options and\n"
    "examples. Environment: VOUCH_LOG_URL and VOUCH_POLICY default the log commands' URL and\n"
    "--policy, VOUCH_ROOT_SET_PIN the audit commands' --root-set-pin, VOUCH_SIM_DIR the\n"
    "simulated platform; flags win (docs/cli.md).";

// Whether --json appears among the options (not after "--").
bool WantsJson(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (arg == "--json") return true;
  }
  return false;
}

// The command the leading words of `args` name, for naming it in parser errors.
std::string ReachedCommand(const CLI::App& root, const std::vector<std::string>& args) {
  const CLI::App* app = &root;
  for (const std::string& arg : args) {
    const CLI::App* sub = FindSubcommand(app, arg);
    if (sub == nullptr) break;
    app = sub;
  }
  return CommandPath(app);
}

int UsageError(bool json, const std::string& message, const std::string& hint) {
  return ReportFailure(json, codes::kUsage, "bad usage", message, hint);
}

}  // namespace

std::string VersionText() {
  return std::string("vouch ") + VOUCH_BUILD_VERSION + "\n" + "commit:     " + VOUCH_BUILD_COMMIT +
         "\n" + "build type: " + VOUCH_BUILD_TYPE + "\n" +
         "OpenSSL:    " + VOUCH_BUILD_OPENSSL_VERSION + " (built with)\n" +
         "SQLite:     " + VOUCH_BUILD_SQLITE_VERSION + " (built with)";
}

std::unique_ptr<CLI::App> BuildApp(CommandContext& ctx) {
  auto app = std::make_unique<CLI::App>(kDescription, "vouch");
  app->formatter(std::make_shared<HelpFormatter>());
  app->set_version_flag("-V,--version", VersionText(), "Print the version, commit and libraries");
  app->footer(std::string(kFooter) + "\n\n" + kExitCodesHelp);
  app->require_subcommand(1);
  RegisterConstraintCommands(*app, ctx);
  RegisterSgxCommands(*app, ctx);
  RegisterWitnessCommands(*app, ctx);
  RegisterLogCommands(*app, ctx);
  RegisterServeCommands(*app, ctx);
  RegisterSimCommands(*app, ctx);
  RegisterEnclaveCommands(*app, ctx);
  RegisterSealCommands(*app, ctx);
  RegisterStatementCommands(*app, ctx);
  RegisterGovernCommands(*app, ctx);
  RegisterBuildCommands(*app, ctx);
  RegisterAuditCommands(*app, ctx);
  RegisterLedgerCommands(*app, ctx);
  RegisterProvisionCommands(*app, ctx);
  RegisterDemoCommand(*app, ctx);
  RegisterVersionCommand(*app, ctx);
  RegisterHelpCommand(*app, ctx);
  if (CLI::App* serve = FindSubcommand(app.get(), "serve")) {
    serve->footer(
        "Services listen on loopback by default, print 'listening on ADDR' once ready, take\n"
        "--port-file FILE, and stop cleanly on SIGTERM or SIGINT.\n\n" +
        std::string(kExitCodesHelp));
  }
  AddExamples(*app);
  return app;
}

int RunVouch(int argc, char** argv, std::optional<build::IntegritySlot> integrity_slot) {
  CommandContext ctx;
  ctx.integrity_slot = integrity_slot;
  std::unique_ptr<CLI::App> app = BuildApp(ctx);
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  const bool json = WantsJson(args);
  // CLI11 would answer a mistyped command with "A subcommand is required" and an unknown
  // option with whatever required option is missing; say what is wrong instead.
  if (auto problem = CheckCommandLine(*app, args)) {
    return UsageError(json, problem->message, problem->hint);
  }
  try {
    app->parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app->exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app->exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app->exit(e);
  } catch (const CLI::ParseError& e) {
    const std::string command = ReachedCommand(*app, args);
    return UsageError(json, command + ": " + e.what(),
                      "see '" + command + " --help' for its options and examples");
  } catch (const std::exception& e) {
    return ReportFailure(json, codes::kInternalError, "internal error", e.what());
  }
  return ctx.exit_code;
}

}  // namespace vouch::cli

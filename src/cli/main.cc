// The `vouch` command: parses arguments with CLI11 and dispatches to one file per command
// family. CLI11 exceptions are converted to exit codes here and never escape.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/cli_common.h"

#ifndef VOUCH_VERSION
#define VOUCH_VERSION "0.0.0"
#endif

namespace {

int RunVouch(int argc, char** argv) {
  using namespace vouch::cli;  // NOLINT(google-build-using-namespace): main only
  CLI::App app{
      "Vouch: verify that the code running in an enclave is the code you meant to trust.\n"
      "Verifies Intel SGX DCAP quotes offline, checks Conclave-compatible constraints, and\n"
      "records trust decisions in a witnessed transparency log.",
      "vouch"};
  app.set_version_flag("--version", std::string("vouch ") + VOUCH_VERSION);
  app.footer(kExitCodesHelp);
  app.require_subcommand(1);

  CommandContext ctx;
  RegisterConstraintCommands(app, ctx);
  RegisterSgxCommands(app, ctx);
  RegisterWitnessCommands(app, ctx);
  RegisterLogCommands(app, ctx);
  RegisterServeCommands(app, ctx);
  RegisterSimCommands(app, ctx);
  RegisterEnclaveCommands(app, ctx);
  RegisterSealCommands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  } catch (const std::exception& e) {
    PrintError(std::string("internal error: ") + e.what());
    return kExitIo;
  }
  return ctx.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return RunVouch(argc, argv);
  } catch (...) {
    // Only setting up the commands can get here (allocation failure): RunVouch converts
    // everything a command throws.
    std::fputs("vouch: internal error\n", stderr);
    return vouch::cli::kExitIo;
  }
}

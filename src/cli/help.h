// Help and usage of the `vouch` command: an example on every help page, the `help` command,
// and "did you mean" suggestions for mistyped commands and options (docs/cli.md, "Help").
#ifndef VOUCH_CLI_HELP_H_
#define VOUCH_CLI_HELP_H_

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_common.h"

namespace vouch::cli {

// CLI11's formatter, with the long descriptions of SetLongDescription (cli_common.h) at the top
// of each command's own page. Set it on the root before adding commands.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_description(const CLI::App* app) const override;
  void SetLongDescription(const CLI::App* app, std::string text) { long_[app] = std::move(text); }

 private:
  std::map<const CLI::App*, std::string> long_;
};

// The subcommands of `app`, in the order they were added.
std::vector<CLI::App*> Subcommands(const CLI::App* app);

// The subcommand `name` of `app`, or nullptr.
CLI::App* FindSubcommand(const CLI::App* app, std::string_view name);

// "vouch sgx verify" for the `verify` subcommand of `sgx`.
std::string CommandPath(const CLI::App* app);

// Every help page's examples, by command path ("vouch", "vouch sgx", "vouch sgx verify", ...).
const std::map<std::string_view, std::string_view>& ExampleTable();

// The examples shown on the help page of the command at `path` ("vouch", "vouch sgx",
// "vouch sgx verify", ...); empty when there are none.
std::string_view ExamplesFor(std::string_view path);

// Appends "Examples:" with ExamplesFor() to the footer of `app` and of every command below it.
void AddExamples(CLI::App& app);

// A command-line problem found before CLI11 parses (which would report it less helpfully).
struct UsageProblem {
  std::string message;  // e.g. "'verfy' is not a command of 'vouch sgx'"
  std::string hint;     // e.g. "did you mean 'verify'? See 'vouch sgx --help'."
};

// Walks `args` (argv without the program name) down the command tree of `root` and reports the
// first of: a word that names no command where a command is expected (with the nearest
// commands), a command family given without a command, an option the command reached does not
// have (with the nearest options). Words after "--" are never looked at.
std::optional<UsageProblem> CheckCommandLine(const CLI::App& root,
                                             const std::vector<std::string>& args);

// The command that `words` name below `root` (none: `root`), or the problem with them.
struct HelpTarget {
  const CLI::App* app = nullptr;
  std::optional<UsageProblem> problem;
};
HelpTarget FindHelpTarget(const CLI::App& root, const std::vector<std::string>& words);

// Registers `vouch help [COMMAND...]` on `root`.
void RegisterHelpCommand(CLI::App& root, CommandContext& ctx);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_HELP_H_

// Manual pages and shell completion for `vouch`, generated from the command tree and the same
// help text that `--help` prints (docs/cli.md, "Manual pages and completion"), so they cannot
// drift from the program. `vouch help --man DIR` and `vouch help --completion bash` write them;
// the build runs both and `cmake --install` installs the result.
#ifndef VOUCH_CLI_DOCGEN_H_
#define VOUCH_CLI_DOCGEN_H_

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace vouch::cli {

struct ManPage {
  std::string file_name;  // "vouch.1", "vouch-sgx.1"
  std::string roff;
};

// One page for `vouch` (its help and the list of families) and one for each command family
// (its help, then every command below it, each with its full help page), in section 1.
// `version` goes into the page footer; there is no date, so the pages of a commit are the same
// byte for byte (reproducible builds).
std::vector<ManPage> ManPages(const CLI::App& root, std::string_view version);

// A bash completion script: command families, commands and each command's options, and file
// names where a command takes arguments. For /usr/share/bash-completion/completions/vouch.
std::string BashCompletion(const CLI::App& root);

// `text` for a roff no-fill block: backslashes escaped, control characters at a line's start
// neutralised.
std::string RoffLiteral(std::string_view text);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_DOCGEN_H_

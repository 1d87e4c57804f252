// Placeholder until the constraint commands land (being written now).
#include "cli/cli_common.h"
namespace vouch::cli {
void RegisterConstraintCommands(CLI::App&, CommandContext&) {}
}  // namespace vouch::cli

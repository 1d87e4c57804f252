#include "cli/cli_common.h"

#include <iostream>

namespace vouch::cli {

void PrintError(const std::string& message) { std::cerr << "vouch: " << message << "\n"; }

int ExitCodeForReadError(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitIo;
}

}  // namespace vouch::cli

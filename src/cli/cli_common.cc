#include "cli/cli_common.h"

#include <iostream>

namespace vouch::cli {

void PrintError(const std::string& message) { std::cerr << "vouch: " << message << "\n"; }

std::string DumpJson(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int ReportFailure(bool json, int exit_code, const std::string& code, const std::string& what,
                  const std::string& message) {
  if (json) {
    nlohmann::ordered_json out;
    out["error"]["code"] = code;
    out["error"]["message"] = message;
    std::cout << DumpJson(out) << "\n";
  } else {
    PrintError(what + ": " + message);
  }
  return exit_code;
}

int ExitCodeForReadError(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitIo;
}

}  // namespace vouch::cli

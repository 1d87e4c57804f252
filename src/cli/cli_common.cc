#include "cli/cli_common.h"

#include <iostream>

#include "vouch/base/file.h"

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

CLI::App* GetOrAddSubcommand(CLI::App& parent, const std::string& name,
                             const std::string& description) {
  for (CLI::App* sub : parent.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  CLI::App* sub = parent.add_subcommand(name, description);
  sub->require_subcommand(1);
  return sub;
}

int ExitCodeForReadError(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitIo;
}

StatusOr<tlog::Policy> ReadPolicyFile(const std::string& path, int* exit_code, std::string* code) {
  auto text = ReadFileToString(path, tlog::kMaxPolicySize);
  if (!text.ok()) {
    *exit_code = ExitCodeForReadError(text.status());
    *code = *exit_code == kExitIo ? "io_error" : "input_too_large";
    return text.status().WithContext("cannot read --policy");
  }
  auto policy = tlog::Policy::Parse(*text);
  if (!policy.ok()) {
    *exit_code = kExitUsage;
    *code = "policy_malformed";
    return policy.status().WithContext("bad --policy");
  }
  return policy;
}

}  // namespace vouch::cli

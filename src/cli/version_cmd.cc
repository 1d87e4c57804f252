// `vouch version`: the version, commit and libraries (as `vouch --version`), and with
// --verify-integrity the image integrity check of the running program (docs/integrity.md,
// spec/governance.md §5.2).
#include <iostream>
#include <memory>
#include <string>

#include "cli/app.h"
#include "cli/build_info.h"
#include "cli/cli_common.h"
#include "vouch/base/encoding.h"
#include "vouch/build/integrity.h"
#include "vouch/build/reasons.h"

namespace vouch::cli {
namespace {

struct VersionOptions {
  bool verify_integrity = false;
  bool json = false;
};

int PrintVersion(bool json) {
  if (json) {
    PrintJsonResult(kVerdictOk, {{"version", VOUCH_BUILD_VERSION},
                                 {"commit", VOUCH_BUILD_COMMIT},
                                 {"build_type", VOUCH_BUILD_TYPE},
                                 {"openssl", VOUCH_BUILD_OPENSSL_VERSION},
                                 {"sqlite", VOUCH_BUILD_SQLITE_VERSION}});
  } else {
    std::cout << VersionText() << "\n";
  }
  return kExitOk;
}

// Exit 0 "integrity: ok <D>"; exit 1 "integrity: altered (stored <x>, computed <y>)" or
// "integrity: not injected"; otherwise the check's code (docs/error-codes.md).
int VerifyIntegrity(const CommandContext& ctx, bool json) {
  auto digests = ReadOwnImageDigests(ctx);
  if (!digests.ok()) return ReportStatus(json, "integrity", digests.status());
  const std::string stored = HexEncode(digests->stored);
  const std::string computed = HexEncode(digests->computed);
  const Status check = build::CheckImageDigests(*digests);
  if (check.ok()) {
    if (json) {
      PrintJsonResult(kVerdictAccepted, {{"integrity", "ok"}, {"digest", computed}});
    } else {
      std::cout << "integrity: ok " << computed << "\n";
    }
    return kExitOk;
  }
  const bool missing = check.reason() == build::reasons::kIntegrityDigestMissing;
  if (json) {
    Json fields = {{"integrity", missing ? "not_injected" : "altered"}, {"computed", computed}};
    if (!missing) fields["stored"] = stored;
    return ReportStatus(true, "integrity", check, "", fields);
  }
  if (missing) {
    std::cout << "integrity: not injected\n";
  } else {
    std::cout << "integrity: altered (stored " << stored << ", computed " << computed << ")\n";
  }
  return ErrorCodeFor(check).exit_code;
}

}  // namespace

StatusOr<build::ImageDigests> ReadOwnImageDigests(const CommandContext& ctx) {
  if (!ctx.integrity_slot) {
    return MalformedError(build::reasons::kIntegrityUnsupported,
                          "this program carries no integrity slot");
  }
  return build::ReadRunningImageDigests(*ctx.integrity_slot);
}

StatusOr<build::ImageDigests> VerifyOwnImage(const CommandContext& ctx) {
  VOUCH_ASSIGN_OR_RETURN(build::ImageDigests digests, ReadOwnImageDigests(ctx));
  VOUCH_RETURN_IF_ERROR(build::CheckImageDigests(digests));
  return digests;
}

void RegisterVersionCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<VersionOptions>();
  CLI::App* cmd = app.add_subcommand("version", "Print the version, or check the image integrity");
  cmd->footer(
      "Prints the version, commit, build type and the OpenSSL and SQLite versions (as\n"
      "'vouch --version'). --verify-integrity instead checks that this executable file is, byte\n"
      "for byte, the one the build's post-link step hashed (docs/integrity.md): prints\n"
      "'integrity: ok <digest>', 'integrity: altered (stored <x>, computed <y>)' or\n"
      "'integrity: not injected'. Every 'vouch serve' runs the same check first.\n\n"
      "Exit codes: 0 version printed, or integrity ok; 1 the image was altered or never injected;\n"
      "2 the image is no ELF64 file with one integrity slot (integrity_unsupported); 3 the "
      "running\n"
      "image cannot be read, or the file is not the running image (integrity_file_mismatch).");
  cmd->add_flag("--verify-integrity", opts->verify_integrity,
                "Check the image integrity digest of this executable");
  cmd->add_flag("--json", opts->json, "Print one JSON object (docs/cli.md)");
  cmd->callback([opts, &ctx] {
    ctx.exit_code =
        opts->verify_integrity ? VerifyIntegrity(ctx, opts->json) : PrintVersion(opts->json);
  });
}

}  // namespace vouch::cli

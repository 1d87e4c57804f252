// `vouch-inject-integrity FILE`: the post-link step of the image integrity digest
// (spec/governance.md §5.2, docs/integrity.md). Locates FILE's `.vouch_integrity` slot, requires
// its digest field to be zero, writes D there and replaces FILE atomically with the same mode.
// Run by the build as the last command to touch the linked `vouch` (strip before, never after).
//
// Exit codes (as the `vouch` command's): 0 injected, printing "<D hex>  FILE"; 2 bad usage, or a
// file that is no supported image (integrity_unsupported) or already injected
// (integrity_already_injected); 3 I/O error.
#include <cstdio>
#include <iostream>
#include <string>

#include "vouch/base/encoding.h"
#include "vouch/build/integrity.h"
#include "vouch/build/reasons.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitIo = 3;

int Run(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]).empty() || argv[1][0] == '-') {
    std::cerr << "usage: vouch-inject-integrity FILE\n";
    return kExitUsage;
  }
  const std::string path = argv[1];
  auto digest = vouch::build::InjectIntegrityDigestFile(path);
  if (!digest.ok()) {
    const std::string& reason = digest.status().reason();
    std::cerr << "vouch-inject-integrity: " << digest.status().message();
    if (!reason.empty()) std::cerr << " (" << reason << ")";
    std::cerr << "\n";
    const bool bad_input = reason == vouch::build::reasons::kIntegrityUnsupported ||
                           reason == vouch::build::reasons::kIntegrityAlreadyInjected ||
                           digest.status().code() == vouch::StatusCode::kInvalidArgument;
    return bad_input ? kExitUsage : kExitIo;
  }
  std::cout << vouch::HexEncode(*digest) << "  " << path << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (...) {
    std::fputs("vouch-inject-integrity: internal error\n", stderr);
    return kExitIo;
  }
}

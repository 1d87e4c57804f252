// The `vouch` command (app.h does the work).
#include <cstdio>

#include "cli/app.h"

int main(int argc, char** argv) {
  try {
    return vouch::cli::RunVouch(argc, argv);
  } catch (...) {
    // Only setting up the commands can get here (allocation failure): RunVouch converts
    // everything a command throws.
    std::fputs("vouch: internal error\n", stderr);
    return vouch::cli::kExitIo;
  }
}

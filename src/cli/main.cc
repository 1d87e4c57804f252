// The `vouch` command (app.h does the work), and the program's image integrity slot.
#include <cstdio>

#include "cli/app.h"
#include "vouch/build/integrity.h"

// The image integrity slot (spec/governance.md §5.2, docs/integrity.md): defined here, in the
// program, never in libvouch. `vouch-inject-integrity` writes the digest into bytes 32..63 after
// linking; `volatile` keeps the compiler from folding the zeros it sees at compile time into the
// code that reads them, and `used, retain` keep the section through --gc-sections.
// Under AddressSanitizer, no redzone: it would grow the section past 64 bytes.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VOUCH_SLOT_NO_ASAN __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef VOUCH_SLOT_NO_ASAN
#define VOUCH_SLOT_NO_ASAN
#endif
extern "C" __attribute__((used, retain, section(".vouch_integrity"), aligned(16)))
VOUCH_SLOT_NO_ASAN const volatile unsigned char vouch_image_integrity[64] = {
    0xFF, 'v', 'o', 'u', 'c', 'h', '-', 'i', 'n', 't', 'e', 'g',
    'r',  'i', 't', 'y', 1,   0,   0,   0,   1,   0,   0,   0 /* rest 0 */};

namespace {

// The slot's bytes as this process sees them in memory.
vouch::build::IntegritySlot RunningIntegritySlot() {
  vouch::build::IntegritySlot slot{};
  for (size_t i = 0; i < slot.size(); ++i) slot[i] = vouch_image_integrity[i];
  return slot;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return vouch::cli::RunVouch(argc, argv, RunningIntegritySlot());
  } catch (...) {
    // Only setting up the commands can get here (allocation failure): RunVouch converts
    // everything a command throws.
    std::fputs("vouch: internal error\n", stderr);
    return vouch::cli::kExitIo;
  }
}

// Shared fixtures for the tlog fuzz targets: the published Tessera test log key and the derived
// test witness key (tests/data/tlog/), so that fuzzed notes reach the verification paths.
#ifndef VOUCH_FUZZ_TLOG_FUZZ_COMMON_H_
#define VOUCH_FUZZ_TLOG_FUZZ_COMMON_H_

#include <cstdlib>
#include <string_view>

#include "vouch/base/encoding.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/note.h"
#include "vouch/tlog/policy.h"
#include "vouch/tlog/witness.h"

namespace vouch::tlog::fuzz {

inline constexpr char kLogVkey[] =
    "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx";
inline constexpr char kWitnessVkey[] =
    "witness.example/test-w1+363f2b66+BItWK3tWUX6rHeAHDKLf/qQCmsBBCf2zCuktoGH9pL40";
inline constexpr char kWitnessSeedHex[] =
    "88ddf0d76ae0ca3c296eedee19b6b69350a4dd4863ac785bdd34f2189d16ebce";

// Aborts (a finding) when an invariant does not hold.
inline void Check(bool ok) {
  if (!ok) std::abort();
}

inline const VerifierSet& Keys() {
  static const VerifierSet* keys = new VerifierSet(
      *VerifierSet::Create({*ParseNoteVerifier(kLogVkey), *ParseNoteVerifier(kWitnessVkey)}));
  return *keys;
}

inline const Policy& TestPolicy() {
  static const Policy* policy = new Policy(*Policy::Parse(
      std::string("log ") + kLogVkey + "\nwitness w1 " + kWitnessVkey + "\nquorum w1\n"));
  return *policy;
}

inline const Witness& TestWitness() {
  static const Witness* witness = new Witness(*Witness::Create(
      {*CosignatureV1Signer::FromSeed("witness.example/test-w1", *HexDecode(kWitnessSeedHex))},
      {WitnessLog{"example.com/log/testdata",
                  *VerifierSet::Create({*ParseNoteVerifier(kLogVkey)})}}));
  return *witness;
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace vouch::tlog::fuzz

#endif  // VOUCH_FUZZ_TLOG_FUZZ_COMMON_H_

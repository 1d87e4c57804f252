// Fuzzes signed-note parsing and verification (spec/transparency-log.md §4), verifier keys and
// Go private keys. Invariant: a parsed note serialises to exactly its input.
#include <cstddef>
#include <cstdint>

#include "tlog_fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch::tlog;
  std::string_view text = fuzz::AsText(data, size);
  auto note = Note::Parse(text);
  if (note.ok()) {
    fuzz::Check(note->Serialize() == text);
    fuzz::Check(note->signatures().size() <= kMaxNoteSignatures);
    auto v = VerifyNote(*note, fuzz::Keys());
    if (v.ok()) fuzz::Check(!v->verified.empty());
  }
  auto key = VerifierKey::Parse(text);
  if (key.ok()) {
    auto again = VerifierKey::Parse(key->ToString());
    fuzz::Check(again.ok() && *again == *key);
    NewNoteVerifier(*key).status().IgnoreError();
  }
  Ed25519NoteSigner::ParseGoPrivateKey(text).status().IgnoreError();
  return 0;
}

// libFuzzer target for X25519 key files (src/crypto/x25519_keys.cc): the strict PEM reader for
// "PUBLIC KEY" and "PRIVATE KEY" blocks and the SPKI DER parser, seeded with keys written by
// `openssl genpkey -algorithm X25519` and friends (fuzz/corpus/x25519_pem/).
//
// Properties (any violation aborts):
//   * failures carry reason "x25519_key_malformed";
//   * an accepted PEM file differs from the canonical one Vouch writes only by CRs before line
//     ends, a missing final newline and trailing blank lines (the strict grammar);
//   * an accepted SPKI is exactly the canonical 44 bytes of the key it gives.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vouch/crypto/x25519_keys.h"

namespace {

// `text` with "\r" removed before every "\n" and at the end, and trailing blank or
// whitespace-only lines dropped, ending in one "\n".
std::string Normalize(std::string_view text) {
  std::string out;
  size_t start = 0;
  std::string pending;  // whitespace-only lines held back until a non-blank line follows
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      pending.append(line).append("\n");
    } else {
      out.append(pending).append(line).append("\n");
      pending.clear();
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  ByteSpan in(data, size);
  std::string_view text = AsStringView(in);

  auto pk = X25519PublicKeyFromPem(text);
  if (pk.ok()) {
    if (Normalize(text) != X25519PublicKeyToPem(*pk)) std::abort();
  } else if (pk.status().reason() != kReasonX25519KeyMalformed) {
    std::abort();
  }

  auto sk = X25519PrivateKeyFromPem(in);
  if (sk.ok()) {
    if (Normalize(text) != AsStringView(X25519PrivateKeyToPem(*sk).Reveal())) std::abort();
  } else if (sk.status().reason() != kReasonX25519KeyMalformed) {
    std::abort();
  }

  auto spki = X25519PublicKeyFromSpki(in);
  if (spki.ok()) {
    if (!EqualBytes(X25519SpkiOf(*spki), in)) std::abort();
  } else if (spki.status().reason() != kReasonX25519KeyMalformed) {
    std::abort();
  }
  return 0;
}

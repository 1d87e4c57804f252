// libFuzzer target for HPKE opening (src/crypto/hpke.cc) with attacker-chosen enc, info, aad and
// ciphertext, against a fixed recipient key whose real ciphertexts seed the corpus
// (fuzz/corpus/hpke_open/).
//
// Input: [aead selector][info length][aad length][enc: 32 bytes][info][aad][ciphertext]; a
// selector 0/1/2 picks AEAD 0x0002/0x0001/0xFFFF, anything else is passed as an unsupported id.
// Short inputs give a short enc.
//
// Properties checked on every input (any violation aborts):
//   * OpenBase fails only with one of hpke.h's documented reasons, never kInternal;
//   * it succeeds only for a supported, non-export-only AEAD, with ct.size() − 16 bytes;
//   * sealing the input's tail to the key and opening it gives it back, and flipping any one
//     byte of that ciphertext makes it fail.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "vouch/crypto/hpke.h"
#include "vouch/crypto/sha.h"

namespace {

using vouch::ByteSpan;

const vouch::X25519PrivateKey& RecipientKey() {
  static const auto* key = new vouch::X25519PrivateKey(
      *vouch::hpke::DeriveKeyPair(vouch::Sha256(vouch::AsBytes("vouch hpke fuzz recipient"))));
  return *key;
}

vouch::hpke::Aead Select(uint8_t selector) {
  switch (selector) {
    case 0:
      return vouch::hpke::Aead::kAes256Gcm;
    case 1:
      return vouch::hpke::Aead::kAes128Gcm;
    case 2:
      return vouch::hpke::Aead::kExportOnly;
    default:
      return static_cast<vouch::hpke::Aead>(selector);
  }
}

ByteSpan Take(ByteSpan& in, size_t n) {
  n = std::min(n, in.size());
  ByteSpan out = in.first(n);
  in = in.subspan(n);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  if (size < 3) return 0;
  const hpke::Aead aead = Select(data[0]);
  ByteSpan in(data + 3, size - 3);
  ByteSpan enc = Take(in, hpke::kEncSize);
  ByteSpan info = Take(in, data[1]);
  ByteSpan aad = Take(in, data[2]);
  ByteSpan ct = in;

  auto opened = hpke::OpenBase(enc, RecipientKey(), info, aad, ct, aead);
  if (opened.ok()) {
    if (aead != hpke::Aead::kAes256Gcm && aead != hpke::Aead::kAes128Gcm) std::abort();
    if (opened->size() + hpke::kTagSize != ct.size()) std::abort();
  } else {
    static const std::set<std::string> kReasons = {
        hpke::kReasonUnsupportedSuite, hpke::kReasonMalformed, hpke::kReasonInvalidKey,
        hpke::kReasonOpenFailed, hpke::kReasonExportOnly};
    if (opened.status().code() == StatusCode::kInternal) std::abort();
    if (!kReasons.contains(opened.status().reason())) std::abort();
  }

  // Round trip of the tail (bounded), and no single-byte change survives.
  ByteSpan plaintext = ct.first(std::min<size_t>(ct.size(), 64));
  auto sealed = hpke::SealBase(RecipientKey().public_key(), info, aad, plaintext);
  if (!sealed.ok()) std::abort();
  auto back = hpke::OpenBase(sealed->enc, RecipientKey(), info, aad, sealed->ct);
  if (!back.ok() || !EqualBytes(back->Reveal(), plaintext)) std::abort();
  Bytes flipped = sealed->ct;
  flipped[size % flipped.size()] ^= static_cast<uint8_t>(1u << (size % 8));
  if (hpke::OpenBase(sealed->enc, RecipientKey(), info, aad, flipped).ok()) std::abort();
  return 0;
}

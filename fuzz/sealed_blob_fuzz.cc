// libFuzzer target for sealed blobs (docs/sealing.md): the header parser and Unseal on a fixed
// mock platform whose blobs seed the corpus (fuzz/corpus/sealed_blob/).
//
// Properties checked on every input:
//   * header failures are kInvalidArgument ("sealed_blob_malformed"); a parsed header
//     re-encodes to the input's first 80 bytes and accounts for the whole input;
//   * Unseal either fails with one of the documented reasons or returns exactly
//     ciphertext_size bytes; it never crashes or leaks;
//   * a blob sealed here always unseals to what was sealed.
// Any violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "vouch/crypto/sha.h"
#include "vouch/platform/mock.h"
#include "vouch/seal/seal.h"

namespace {

// The identity the corpus was sealed with: code hash SHA-256("vouch sealed blob fuzz"),
// product 1, ISV SVN 2, the default mock secret.
vouch::platform::Platform& FuzzPlatform() {
  static vouch::platform::Platform* p = [] {
    vouch::platform::MockPlatformOptions o;
    o.code_hash = vouch::Sha256(vouch::AsBytes("vouch sealed blob fuzz"));
    o.product_id = 1;
    o.isv_svn = 2;
    return vouch::platform::NewMockPlatform(std::move(o)).release();
  }();
  return *p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  ByteSpan in(data, size);
  auto header = seal::SealedBlobHeader::Parse(in);
  if (!header.ok()) {
    if (header.status().reason() != "sealed_blob_malformed") std::abort();
  } else {
    auto encoded = header->Encode();
    if (!EqualBytes(encoded, in.first(encoded.size()))) std::abort();
    if (header->ciphertext_size + seal::kSealedBlobOverhead != size) std::abort();
  }
  static auto* sealer = new seal::Sealer(*seal::Sealer::Create(FuzzPlatform()));
  auto plain = sealer->Unseal(in, AsBytes("fuzz"));
  if (plain.ok()) {
    if (!header.ok() || plain->size() != header->ciphertext_size) std::abort();
  } else {
    static const std::set<std::string> kReasons = {
        "sealed_blob_malformed", "seal_identity_mismatch", "seal_product_mismatch",
        "seal_svn_too_new", "seal_open_failed"};
    if (!kReasons.contains(plain.status().reason())) std::abort();
  }
  // Sealing the input as plaintext always round-trips.
  auto blob = sealer->Seal(seal::SealPolicy::kMrSigner, in.first(std::min<size_t>(size, 256)), {});
  if (!blob.ok()) std::abort();
  auto back = sealer->Unseal(*blob, {});
  if (!back.ok() || !EqualBytes(back->Reveal(), in.first(std::min<size_t>(size, 256)))) {
    std::abort();
  }
  return 0;
}

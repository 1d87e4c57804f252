// libFuzzer target for Shamir combination (src/crypto/shamir.cc, spec/provisioning.md §5.1):
// hostile share sets, and split/combine round trips of fuzzer-chosen secrets
// (fuzz/corpus/shamir_combine/).
//
// Input: byte 0 sets the share length (2 + byte % 40); the rest is cut into shares of that
// length (at most 24; a partial last one is dropped).
// Properties (any violation aborts):
//   * Combine fails exactly when there are fewer than 2 shares, an x is 0 or an x repeats —
//     checked independently here — and then with reason "shamir_invalid"; otherwise it returns
//     length − 1 bytes;
//   * splitting those bytes (as a secret) k of n with randomness derived from the input and
//     combining any k consecutive shares, or all n, gives the secret back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "hash_random.h"
#include "vouch/crypto/shamir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vouch;  // NOLINT(google-build-using-namespace): fuzz harness
  if (size < 1) return 0;
  const size_t length = 2 + data[0] % 40;
  std::vector<SecretBytes> shares;
  bool valid = true;
  bool seen[256] = {};
  for (size_t off = 1; off + length <= size && shares.size() < 24; off += length) {
    shares.emplace_back(ByteSpan(data + off, length));
    uint8_t x = data[off + length - 1];
    valid = valid && x != 0 && !seen[x];
    seen[x] = true;
  }
  valid = valid && shares.size() >= 2;
  auto combined = shamir::Combine(shares);
  if (combined.ok() != valid) std::abort();
  if (!combined.ok() && combined.status().reason() != shamir::kReasonInvalid) std::abort();
  if (combined.ok() && combined->size() != length - 1) std::abort();

  // Round trip.
  ByteSpan secret(data + 1, std::min<size_t>(size - 1, 48));
  if (secret.empty()) return 0;
  const size_t k = 2 + data[0] % 4;
  const size_t n = k + (size % 3);
  fuzz::HashRandom rng(ByteSpan(data, size));
  auto split = shamir::Split(secret, k, n, rng);
  if (!split.ok()) std::abort();
  for (size_t start = 0; start < n; ++start) {
    std::vector<SecretBytes> subset;
    for (size_t j = 0; j < k; ++j) subset.push_back((*split)[(start + j) % n].Copy());
    auto back = shamir::Combine(subset);
    if (!back.ok() || !EqualBytes(back->Reveal(), secret)) std::abort();
  }
  auto all = shamir::Combine(*split);
  if (!all.ok() || !EqualBytes(all->Reveal(), secret)) std::abort();
  return 0;
}

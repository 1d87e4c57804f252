// Internal: random GCM nonces drawn in batches. One RAND_bytes call per 64 nonces instead of
// one per blob (a small call costs as much as sealing 4 KiB). Fork-safe: a pthread_atfork
// handler bumps a generation counter in the child, which then discards the batch inherited from
// its parent and draws fresh bytes from OpenSSL's (fork-safe) DRBG, so parent and child never
// use the same nonce.
//
// Thread-compatible: one NonceSource per Sealer.
#ifndef VOUCH_SEAL_NONCE_SOURCE_H_
#define VOUCH_SEAL_NONCE_SOURCE_H_

#include <array>
#include <cstdint>

#include "vouch/base/status.h"

namespace vouch::seal::internal {

class NonceSource {
 public:
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kBatch = 64;

  NonceSource();
  // Fills `out` with 12 fresh random bytes.
  Status Next(std::array<uint8_t, kNonceSize>& out);

 private:
  std::array<uint8_t, kNonceSize * kBatch> buffer_{};
  size_t used_ = kBatch;  // nonces consumed from buffer_; kBatch = empty
  uint64_t generation_ = 0;
};

}  // namespace vouch::seal::internal

#endif  // VOUCH_SEAL_NONCE_SOURCE_H_

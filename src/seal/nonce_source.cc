#include "seal/nonce_source.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "vouch/base/secret_bytes.h"
#include "vouch/crypto/random.h"

namespace vouch::seal::internal {
namespace {

std::atomic<uint64_t> g_fork_generation{0};

void OnFork() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

uint64_t ForkGeneration() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, OnFork); });
  return g_fork_generation.load(std::memory_order_relaxed);
}

}  // namespace

NonceSource::NonceSource() : generation_(ForkGeneration()) {}

Status NonceSource::Next(std::array<uint8_t, kNonceSize>& out) {
  uint64_t generation = ForkGeneration();
  if (generation != generation_) {
    used_ = kBatch;  // inherited across fork(): never reuse the parent's nonces
    generation_ = generation;
  }
  if (used_ == kBatch) {
    VOUCH_ASSIGN_OR_RETURN(Bytes fresh, RandomBytes(buffer_.size()));
    std::copy(fresh.begin(), fresh.end(), buffer_.begin());
    used_ = 0;
  }
  auto first = buffer_.begin() + static_cast<std::ptrdiff_t>(used_ * kNonceSize);
  std::copy_n(first, kNonceSize, out.begin());
  std::fill_n(first, kNonceSize, 0);  // a nonce is handed out once
  ++used_;
  return OkStatus();
}

}  // namespace vouch::seal::internal

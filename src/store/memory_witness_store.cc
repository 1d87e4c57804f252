#include "store/memory_witness_store.h"

namespace vouch::store {

StatusOr<tlog::WitnessResponse> MemoryWitnessStore::Update(const std::string& origin,
                                                           const Decision& decide) {
  MutexLock lock(&mu_);
  auto it = states_.find(origin);
  std::optional<tlog::WitnessState> stored;
  if (it != states_.end()) stored = it->second;
  StatusOr<tlog::WitnessResponse> response = decide(stored);
  if (response.ok() && response->new_state) states_[origin] = *response->new_state;
  return response;
}

StatusOr<std::optional<tlog::WitnessState>> MemoryWitnessStore::Get(const std::string& origin) {
  MutexLock lock(&mu_);
  auto it = states_.find(origin);
  if (it == states_.end()) return std::optional<tlog::WitnessState>();
  return std::optional<tlog::WitnessState>(it->second);
}

}  // namespace vouch::store

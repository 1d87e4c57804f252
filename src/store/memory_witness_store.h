// Test support (target vouch::store_testing): an in-memory WitnessStore (witness_store.h) with
// the same contract as the SQLite one, without durability. Updates are applied one at a time
// under a lock, so they are atomic by construction.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_STORE_MEMORY_WITNESS_STORE_H_
#define VOUCH_STORE_MEMORY_WITNESS_STORE_H_

#include <map>
#include <optional>
#include <string>

#include "vouch/base/mutex.h"
#include "vouch/store/witness_store.h"

namespace vouch::store {

class MemoryWitnessStore final : public WitnessStore {
 public:
  StatusOr<tlog::WitnessResponse> Update(const std::string& origin, const Decision& decide) override
      VOUCH_EXCLUDES(mu_);
  StatusOr<std::optional<tlog::WitnessState>> Get(const std::string& origin) override
      VOUCH_EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::map<std::string, tlog::WitnessState> states_ VOUCH_GUARDED_BY(mu_);
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_MEMORY_WITNESS_STORE_H_

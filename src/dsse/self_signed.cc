#include "vouch/dsse/self_signed.h"

#include <deque>
#include <set>
#include <utility>

#include "vouch/base/mutex.h"

namespace vouch::dsse {

// (key digest, entry hash) pairs, in a set for lookups and a queue for the order of forgetting.
struct SelfSignedEntries::Impl {
  using Key = std::pair<Sha256Digest, Sha256Digest>;
  explicit Impl(size_t c) : capacity(c) {}
  const size_t capacity;
  mutable Mutex mu;
  std::set<Key> known VOUCH_GUARDED_BY(mu);
  std::deque<Key> order VOUCH_GUARDED_BY(mu);
};

SelfSignedEntries::SelfSignedEntries(size_t capacity) : impl_(std::make_unique<Impl>(capacity)) {}
SelfSignedEntries::~SelfSignedEntries() = default;

void SelfSignedEntries::Add(const PublicKeyVerify& key, const LedgerEntry& entry) {
  if (entry.signatures().size() != 1 || impl_->capacity == 0) return;
  Impl::Key k{key.key_digest(), entry.entry_hash()};
  MutexLock lock(&impl_->mu);
  if (!impl_->known.insert(k).second) return;
  impl_->order.push_back(k);
  if (impl_->order.size() > impl_->capacity) {
    impl_->known.erase(impl_->order.front());
    impl_->order.pop_front();
  }
}

bool SelfSignedEntries::Contains(const PublicKeyVerify& key, const Sha256Digest& entry_hash) const {
  MutexLock lock(&impl_->mu);
  return impl_->known.count({key.key_digest(), entry_hash}) > 0;
}

}  // namespace vouch::dsse

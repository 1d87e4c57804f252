#include "vouch/dsse/self_signed.h"

#include <utility>

#include "vouch/base/bounded_memo.h"

namespace vouch::dsse {

// Keyed by (key digest, entry hash).
struct SelfSignedEntries::Impl {
  explicit Impl(size_t capacity) : known(capacity) {}
  BoundedMemo<std::pair<Sha256Digest, Sha256Digest>, bool> known;
};

SelfSignedEntries::SelfSignedEntries(size_t capacity) : impl_(std::make_unique<Impl>(capacity)) {}
SelfSignedEntries::~SelfSignedEntries() = default;

void SelfSignedEntries::Add(const PublicKeyVerify& key, const LedgerEntry& entry) {
  if (entry.signatures().size() != 1) return;
  impl_->known.Put({key.key_digest(), entry.entry_hash()}, true);
}

bool SelfSignedEntries::Contains(const PublicKeyVerify& key, const Sha256Digest& entry_hash) const {
  return impl_->known.Get({key.key_digest(), entry_hash}).has_value();
}

}  // namespace vouch::dsse

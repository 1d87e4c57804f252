// The ledger entries a process signed itself, remembered so that reading them back need not
// verify its own signatures again: a broker's release records come back in its next view of
// the ledger, one per release (docs/broker.md, "Speed"). Replay asks before it verifies
// (govern::ReplayOptions::self_signed).
//
// An entry is known by the SHA-256 of its bytes (spec/governance.md §1.5's entry hash) and the
// key that signed it. A known entry that comes back byte for byte carries the one signature
// this process made over it with that key, so the signature verifies by construction: skipping
// the verification changes no verdict. Only entries with exactly one signature are recorded.
//
// Bounded: past `capacity` entries the oldest are forgotten, which costs one verification when
// it comes back, nothing else.
//
// Thread-safety: thread-safe.
#ifndef VOUCH_DSSE_SELF_SIGNED_H_
#define VOUCH_DSSE_SELF_SIGNED_H_

#include <cstddef>
#include <memory>

#include "vouch/crypto/sha.h"
#include "vouch/crypto/signer.h"
#include "vouch/dsse/envelope.h"

namespace vouch::dsse {

class SelfSignedEntries {
 public:
  explicit SelfSignedEntries(size_t capacity = 4096);
  ~SelfSignedEntries();
  SelfSignedEntries(const SelfSignedEntries&) = delete;
  SelfSignedEntries& operator=(const SelfSignedEntries&) = delete;

  // Records `entry`, which this process has just signed with the private half of `key`.
  // Entries with other than one signature are not recorded.
  void Add(const PublicKeyVerify& key, const LedgerEntry& entry);
  // True when an entry with these bytes (SHA-256 `entry_hash`) was recorded as signed with
  // `key`.
  bool Contains(const PublicKeyVerify& key, const Sha256Digest& entry_hash) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch::dsse

#endif  // VOUCH_DSSE_SELF_SIGNED_H_

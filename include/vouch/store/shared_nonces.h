// Nonces shared by several front-ends of one broker (spec/provisioning.md §3.5, §8.4;
// docs/broker.md, "Several front-ends"): a challenge answered by one front-end can be released by
// another, and a nonce is burnt once across all of them. A single broker process keeps its nonces
// in memory (provision/nonce_book.h); this store is the same book in a database they share.
//
// The rules are the NonceBook's, with time given by the caller (`now`, Unix seconds):
//   Issue(nonce, id, now)    keeps `nonce` for envelope `id` until now + ttl, unless
//                            max_per_envelope nonces are outstanding (issued, unused, unexpired)
//                            for `id` (kEnvelopeFull) or max_outstanding in all (kBookFull); a
//                            nonce kept already is kInternal (the caller's random source repeated
//                            itself). Entries expired for more than one ttl are deleted.
//   Consume(nonce, id, now)  burns `nonce` for `id` if it is kept, issued for `id`, now < expires
//                            and unused — atomically: of concurrent calls, from any front-end, at
//                            most one gets kConsumed. Otherwise it says why, checked in the
//                            NonceBook's order: kUnknown (never issued, or expired for more than
//                            one ttl), kEnvelopeMismatch, kExpired, kUsed; a refusal changes
//                            nothing.
// Unlike the in-memory book the nonces survive a restart of a front-end (they are rows), so a
// nonce issued before it is still usable after it, within its ttl. A consumption is durable when
// Consume returns; an issue need not be (a nonce lost with a crash of the database is unknown
// afterwards, as every nonce is after a restart of a single broker).
//
// The limits are checked and the nonce inserted in one statement, but concurrent Issues from
// several front-ends may together pass a limit by at most the number of concurrent callers
// (READ COMMITTED); they bound memory and abuse, not security.
//
// Errors: the store's Status codes and reasons (vouch/store/reasons.h, pg_conn.h's mapping);
// the outcomes above are values, not errors.
//
// Thread-safe.
#ifndef VOUCH_STORE_SHARED_NONCES_H_
#define VOUCH_STORE_SHARED_NONCES_H_

#include <cstddef>
#include <cstdint>

#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/store/broker_store.h"

namespace vouch::store {

struct SharedNonceOptions {
  int64_t ttl = 120;  // seconds, > 0 (the broker's --nonce-ttl)
  size_t max_per_envelope = 16;
  size_t max_outstanding = 65'536;  // >= max_per_envelope
};

enum class NonceIssue { kKept, kEnvelopeFull, kBookFull };
enum class NonceConsume { kConsumed, kUnknown, kEnvelopeMismatch, kExpired, kUsed };

class SharedNonces {
 public:
  virtual ~SharedNonces() = default;
  virtual StatusOr<NonceIssue> Issue(const Digest32& nonce, const Id16& envelope_id,
                                     UnixSeconds now) = 0;
  virtual StatusOr<NonceConsume> Consume(const Digest32& nonce, const Id16& envelope_id,
                                         UnixSeconds now) = 0;
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_SHARED_NONCES_H_

// The broker's book of issued nonces (spec/provisioning.md §3.3 POST /challenge, §3.4 step 6,
// §3.5): it draws each nonce, binds it to one envelope id and an expiry, and burns it exactly
// once. The broker service is a thin shell over it; docs/broker.md, "Replay protection and rate
// limits", describes the rules as a client sees them.
//
//   Issue(id)            ──►  nonce = 32 random bytes, expires = now + ttl
//                             (refused past the outstanding limits)
//   Consume(nonce, id)   ──►  known, issued for `id`, now < expires, unused  ──►  used
//
// An entry goes through three states, each ordered by expiry so that collecting them is cheap:
//
//   outstanding (issued, unused, now < expires) ──Consume──► tombstone (used, now < expires)
//        │ now >= expires                                         │ now >= expires
//        └──────────────────────► expired ◄───────────────────────┘
//                                    │ now >= expires + ttl (the retention horizon)
//                                    ▼
//                               forgotten ("nonce_unknown")
//
// What a caller of Consume sees for a nonce that was issued:
//   * before its expiry: OK once, then "nonce_used" (the tombstone) for every replay;
//   * from its expiry until one more ttl has passed: "nonce_expired", used or not;
//   * after that: "nonce_unknown", as for a nonce that was never issued.
// The one exception is memory pressure (below): a tombstone or an expired entry forgotten early
// answers "nonce_unknown" sooner. Either way the nonce is refused; only the reason differs.
//
// Memory is bounded. At most `max_outstanding` entries are outstanding, and at most
// `max_retained` entries of any state are kept: Issue collects the entries whose state changed
// (amortised, oldest expiry first) and, when the book is full, forgets expired entries and then
// tombstones, oldest expiry first, before it keeps a new nonce. An outstanding nonce is never
// forgotten before it expires.
//
// Issued nonces live in this process's memory only: a restart forgets them all, so every nonce
// issued before it, replayed or not, is "nonce_unknown" afterwards (§3.5: no per-nonce disk write,
// and no reliance on sealed storage, which SGX cannot protect against rollback).
//
// Time is the caller's `now` (Unix seconds), or the Clock's wall time read once per call by the
// overloads without it; `expires` is what POST /challenge returns. A wall clock that steps back
// never revives an expired entry's count against the limits, and Consume still requires now <
// expires.
//
// Errors (reason constants below; the HTTP status is the broker's, §3.3–§3.4):
//   Issue    kResourceExhausted "rate_limited" (429): `max_per_envelope` nonces are
//            outstanding for this envelope id;
//            kUnavailable "busy" (503): `max_outstanding` nonces are outstanding in all;
//            kInternal: the RandomSource failed (or repeated a nonce still in the book).
//   Consume  kFailedPrecondition with "nonce_unknown", "nonce_envelope_mismatch" (409),
//            "nonce_expired" (410) or "nonce_used" (409), checked in that order (§3.4 step 6:
//            known, issued for this id, now < expires, unused). A refused Consume changes
//            nothing; a nonce presented with the wrong envelope id stays usable for its own.
//   Create   kInvalidArgument "nonce_book_options" for options out of range.
//
// Thread-safety: thread-safe. Issue and Consume are each atomic: of several concurrent Consume
// calls for the same nonce at most one succeeds.
#ifndef VOUCH_PROVISION_NONCE_BOOK_H_
#define VOUCH_PROVISION_NONCE_BOOK_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "vouch/base/clock.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"
#include "vouch/crypto/random_source.h"
#include "vouch/provision/binding.h"

namespace vouch::provision {

// Reasons of the NonceBook's refusals (stable: the broker answers them as error.code).
inline constexpr char kReasonRateLimited[] = "rate_limited";
inline constexpr char kReasonBusy[] = "busy";
inline constexpr char kReasonNonceUnknown[] = "nonce_unknown";
inline constexpr char kReasonNonceEnvelopeMismatch[] = "nonce_envelope_mismatch";
inline constexpr char kReasonNonceUsed[] = "nonce_used";
inline constexpr char kReasonNonceExpired[] = "nonce_expired";
inline constexpr char kReasonNonceBookOptions[] = "nonce_book_options";

// The bounds of `--nonce-ttl` (§3.3).
inline constexpr std::chrono::seconds kMinNonceTtl{10};
inline constexpr std::chrono::seconds kMaxNonceTtl{600};

// The book's refusals, for a book kept elsewhere under the same rules (nonces shared by several
// broker front-ends, store/shared_nonces.h): Issue's "rate_limited" (kResourceExhausted) and
// "busy" (kUnavailable) with the number of nonces outstanding, and Consume's kFailedPrecondition
// for `reason` (nonce_unknown, nonce_envelope_mismatch, nonce_expired or nonce_used).
Status NonceEnvelopeFull(size_t outstanding);
Status NonceBookFull(size_t outstanding);
Status NonceRefused(std::string_view reason);

struct NonceBookOptions {
  // How long a nonce is valid (`--nonce-ttl`); kMinNonceTtl..kMaxNonceTtl.
  std::chrono::seconds ttl{120};
  // Outstanding nonces per envelope id (> 0), and in all (>= max_per_envelope).
  size_t max_per_envelope = 16;
  size_t max_outstanding = 65'536;
  // Entries kept in any state (> max_outstanding): the hard bound on the book's memory.
  size_t max_retained = 4 * 65'536;
};

// A nonce handed out by Issue.
struct IssuedNonce {
  Nonce nonce{};
  UnixSeconds expires = 0;  // the first second at which it is expired
};

// A book of nonces under the rules above, as the broker uses it: the in-memory NonceBook, or the
// same rules kept in a database for every front-end of one broker (server/broker.cc over
// store::SharedNonces, spec §8.4). `now` is the caller's time, read once per request (§3.4).
// Issue draws the nonce; the errors of both are the banner's. Implementations are thread-safe,
// and of several concurrent Consume calls for one nonce at most one succeeds.
class Nonces {
 public:
  virtual ~Nonces() = default;
  virtual StatusOr<IssuedNonce> Issue(const EnvelopeId& id, UnixSeconds now) = 0;
  virtual Status Consume(const Nonce& nonce, const EnvelopeId& id, UnixSeconds now) = 0;
};

namespace internal {
class NonceBookState;
}  // namespace internal

class NonceBook final : public Nonces {
 public:
  // A book with `options`, reading time from `clock` and drawing nonces from `random`.
  // kInvalidArgument ("nonce_book_options") for options out of range.
  // REQUIRES: `clock` and `random` outlive the book. The book calls `random` only while it
  // holds its lock, so `random` need not be thread-safe itself.
  static StatusOr<std::unique_ptr<NonceBook>> Create(const NonceBookOptions& options,
                                                     const Clock& clock, RandomSource& random);
  ~NonceBook() override;
  NonceBook(const NonceBook&) = delete;
  NonceBook& operator=(const NonceBook&) = delete;

  // Draws a fresh nonce for envelope `id`, valid until now + ttl. Errors: see the banner.
  StatusOr<IssuedNonce> Issue(const EnvelopeId& id, UnixSeconds now) override;
  // Burns `nonce` for envelope `id` (§3.4 step 6): OK only if it is known, was issued for `id`,
  // now < its expiry and it is unused; it is then used for good. Errors: see the banner.
  Status Consume(const Nonce& nonce, const EnvelopeId& id, UnixSeconds now) override;
  // The same at the clock's time.
  StatusOr<IssuedNonce> Issue(const EnvelopeId& id) { return Issue(id, clock_.Now()); }
  Status Consume(const Nonce& nonce, const EnvelopeId& id) {
    return Consume(nonce, id, clock_.Now());
  }

  // Nonces issued, unused and unexpired (as of the last Issue or Consume), in all.
  size_t outstanding() const;
  // Entries kept in any state (outstanding, tombstones, expired): at most max_retained.
  size_t retained() const;

 private:
  NonceBook(const NonceBookOptions& options, const Clock& clock, RandomSource& random);

  const NonceBookOptions options_;
  const Clock& clock_;
  RandomSource& random_;
  std::unique_ptr<internal::NonceBookState> state_;
};

}  // namespace vouch::provision

#endif  // VOUCH_PROVISION_NONCE_BOOK_H_

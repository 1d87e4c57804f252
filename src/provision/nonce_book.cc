#include "vouch/provision/nonce_book.h"

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "vouch/base/mutex.h"

namespace vouch::provision {
namespace internal {
namespace {

// Nonces in the book were drawn from a CSPRNG: their first bytes are already a good hash, and a
// caller cannot choose the keys that are inserted (a presented nonce is only looked up).
struct NonceHash {
  size_t operator()(const Nonce& nonce) const {
    size_t h = 0;
    std::memcpy(&h, nonce.data(), sizeof h);
    return h;
  }
};

enum class EntryState { kOutstanding, kTombstone, kExpired };

struct Entry {
  EnvelopeId id{};
  UnixSeconds expires = 0;
  EntryState state = EntryState::kOutstanding;
  bool used = false;
};

// The entries of one state, oldest expiry first.
using ExpiryQueue = std::set<std::pair<UnixSeconds, Nonce>>;

}  // namespace

class NonceBookState {
 public:
  explicit NonceBookState(const NonceBookOptions& options) : options_(options) {}

  // Moves every entry whose expiry has come to the expired queue (uncounting the outstanding
  // ones), and forgets the expired entries past the retention horizon (expiry + ttl).
  void Collect(UnixSeconds now) VOUCH_REQUIRES(mu) {
    Expire(outstanding, now);
    Expire(tombstones, now);
    const UnixSeconds retention = options_.ttl.count();
    while (!expired.empty() && expired.begin()->first <= now - retention) {
      entries.erase(expired.begin()->second);
      expired.erase(expired.begin());
    }
  }

  // Forgets the expired entry, else the tombstone, with the oldest expiry.
  // REQUIRES: there is one (entries.size() > outstanding.size()).
  void ForgetOldest() VOUCH_REQUIRES(mu) {
    ExpiryQueue& queue = expired.empty() ? tombstones : expired;
    entries.erase(queue.begin()->second);
    queue.erase(queue.begin());
  }

  void Uncount(const EnvelopeId& id) VOUCH_REQUIRES(mu) {
    auto it = per_envelope.find(id);
    if (--it->second == 0) per_envelope.erase(it);
  }

  Mutex mu;
  std::unordered_map<Nonce, Entry, NonceHash> entries VOUCH_GUARDED_BY(mu);
  ExpiryQueue outstanding VOUCH_GUARDED_BY(mu);
  ExpiryQueue tombstones VOUCH_GUARDED_BY(mu);
  ExpiryQueue expired VOUCH_GUARDED_BY(mu);
  // Outstanding nonces per envelope id; ids with none are absent. Ordered, not hashed: the ids
  // are the caller's choice.
  std::map<EnvelopeId, size_t> per_envelope VOUCH_GUARDED_BY(mu);

 private:
  void Expire(ExpiryQueue& queue, UnixSeconds now) VOUCH_REQUIRES(mu) {
    while (!queue.empty() && queue.begin()->first <= now) {
      auto node = queue.extract(queue.begin());
      Entry& entry = entries.at(node.value().second);
      if (entry.state == EntryState::kOutstanding) Uncount(entry.id);
      entry.state = EntryState::kExpired;
      expired.insert(std::move(node));
    }
  }

  const NonceBookOptions options_;
};

}  // namespace internal

StatusOr<std::unique_ptr<NonceBook>> NonceBook::Create(const NonceBookOptions& options,
                                                       const Clock& clock, RandomSource& random) {
  auto invalid = [](const std::string& message) {
    return MalformedError(kReasonNonceBookOptions, "nonce book: " + message);
  };
  if (options.ttl < kMinNonceTtl || options.ttl > kMaxNonceTtl) {
    return invalid("the nonce TTL is " + std::to_string(options.ttl.count()) +
                   " s, not within PT10S..PT10M");
  }
  if (options.max_per_envelope == 0) return invalid("max_per_envelope must be positive");
  if (options.max_outstanding < options.max_per_envelope) {
    return invalid("max_outstanding must be at least max_per_envelope");
  }
  if (options.max_retained <= options.max_outstanding) {
    return invalid("max_retained must exceed max_outstanding");
  }
  return std::unique_ptr<NonceBook>(new NonceBook(options, clock, random));
}

NonceBook::NonceBook(const NonceBookOptions& options, const Clock& clock, RandomSource& random)
    : options_(options),
      clock_(clock),
      random_(random),
      state_(std::make_unique<internal::NonceBookState>(options)) {}

NonceBook::~NonceBook() = default;

Status NonceEnvelopeFull(size_t outstanding) {
  return Status(StatusCode::kResourceExhausted,
                std::to_string(outstanding) +
                    " nonces are outstanding for this envelope; use or let one expire first",
                kReasonRateLimited);
}

Status NonceBookFull(size_t outstanding) {
  return Status(StatusCode::kUnavailable,
                std::to_string(outstanding) + " nonces are outstanding; retry later", kReasonBusy);
}

Status NonceRefused(std::string_view reason) {
  std::string_view message = "this nonce was already used";
  if (reason == kReasonNonceUnknown) {
    message = "this nonce was not issued by this broker, or is long expired";
  } else if (reason == kReasonNonceEnvelopeMismatch) {
    message = "this nonce was issued for another envelope";
  } else if (reason == kReasonNonceExpired) {
    message = "this nonce has expired; ask for a new one";
  }
  return Status(StatusCode::kFailedPrecondition, std::string(message), std::string(reason));
}

StatusOr<IssuedNonce> NonceBook::Issue(const EnvelopeId& id, UnixSeconds now) {
  internal::NonceBookState& s = *state_;
  MutexLock lock(&s.mu);
  s.Collect(now);
  auto counted = s.per_envelope.find(id);
  if (counted != s.per_envelope.end() && counted->second >= options_.max_per_envelope) {
    return NonceEnvelopeFull(counted->second);
  }
  if (s.outstanding.size() >= options_.max_outstanding) {
    return NonceBookFull(s.outstanding.size());
  }
  IssuedNonce issued;
  if (Status drawn = random_.Fill(issued.nonce); !drawn.ok()) {
    return drawn.WithContext("cannot draw a nonce");
  }
  if (s.entries.contains(issued.nonce)) {
    return InternalError("the random source repeated a nonce that is still in the book");
  }
  while (s.entries.size() >= options_.max_retained) s.ForgetOldest();
  issued.expires = now + options_.ttl.count();
  s.entries.emplace(issued.nonce, internal::Entry{.id = id, .expires = issued.expires});
  s.outstanding.emplace(issued.expires, issued.nonce);
  ++s.per_envelope[id];
  return issued;
}

Status NonceBook::Consume(const Nonce& nonce, const EnvelopeId& id, UnixSeconds now) {
  internal::NonceBookState& s = *state_;
  MutexLock lock(&s.mu);
  s.Collect(now);
  auto found = s.entries.find(nonce);
  if (found == s.entries.end()) {
    return NonceRefused(kReasonNonceUnknown);
  }
  internal::Entry& entry = found->second;
  if (entry.id != id) {
    return NonceRefused(kReasonNonceEnvelopeMismatch);
  }
  if (now >= entry.expires) {
    return NonceRefused(kReasonNonceExpired);
  }
  if (entry.used) {
    return NonceRefused(kReasonNonceUsed);
  }
  entry.used = true;
  if (entry.state == internal::EntryState::kOutstanding) {
    auto node = s.outstanding.extract({entry.expires, nonce});
    s.tombstones.insert(std::move(node));
    s.Uncount(entry.id);
    entry.state = internal::EntryState::kTombstone;
  }
  return OkStatus();
}

size_t NonceBook::outstanding() const {
  MutexLock lock(&state_->mu);
  return state_->outstanding.size();
}

size_t NonceBook::retained() const {
  MutexLock lock(&state_->mu);
  return state_->entries.size();
}

}  // namespace vouch::provision

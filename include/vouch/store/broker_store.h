// The secret broker's own bookkeeping (spec/provisioning.md §3.7; docs/broker.md, "State"): what
// an operator asks a broker about — which releases it answered, which requests it refused, the
// quotes behind its releases. The ledger is authoritative for releases (every release record is
// in the log before its answer); this store is a local index beside it, never consulted for a
// decision. Keys, nonces and the ledger view are not here (sealed files and memory, broker.h).
//
//   AddRelease   durable when it returns OK: the service writes the row before the 200, so a
//                crash between the log's acknowledgement and the answer loses at most this row
//   AddRefusal   best effort (not synced at commit); at most max_refusals rows are kept and rows
//                older than refusal_retention before the newest are deleted, because a remote
//                address is personal data in the operator's records
//   DropEvidenceBefore  forgets the quotes of releases before a time (--evidence-retention);
//                the rows stay
//
// Errors: the store's Status codes and reasons (vouch/store/reasons.h, sqlite_db.h's mapping);
// kInvalidArgument for a row that breaks the limits below.
//
// Thread-safe.
#ifndef VOUCH_STORE_BROKER_STORE_H_
#define VOUCH_STORE_BROKER_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/base/time.h"

namespace vouch::store {

inline constexpr size_t kMaxRefusalCode = 64;
inline constexpr size_t kMaxRemoteAddress = 128;
inline constexpr size_t kMaxStoredQuote = 64 * 1024;

using Id16 = std::array<uint8_t, 16>;
using Digest32 = std::array<uint8_t, 32>;

struct BrokerRelease {
  Id16 release_id{};
  Id16 envelope_id{};
  UnixSeconds time = 0;
  uint64_t log_index = 0;  // the release record's index in the log
  Digest32 leaf_hash{};    // its RFC 6962 leaf hash
  Digest32 mrenclave{};    // the target enclave's
  Bytes quote;             // empty once dropped; at most kMaxStoredQuote bytes
  friend bool operator==(const BrokerRelease&, const BrokerRelease&) = default;
};

struct BrokerRefusal {
  UnixSeconds time = 0;
  std::string code;                 // the answer's error code, 1..64 bytes
  std::optional<Id16> envelope_id;  // when the request named one
  std::string remote_address;       // the client's address as the service saw it, ≤ 128 bytes
  friend bool operator==(const BrokerRefusal&, const BrokerRefusal&) = default;
};

struct BrokerStoreOptions {
  size_t max_refusals = 100'000;
  int64_t refusal_retention = 7 * 86'400;  // seconds
};

class BrokerStore {
 public:
  virtual ~BrokerStore() = default;
  // kAlreadyExists (store_constraint) for a release_id already stored.
  virtual Status AddRelease(const BrokerRelease& release) = 0;
  virtual Status AddRefusal(const BrokerRefusal& refusal) = 0;
  // The number of quotes dropped.
  virtual StatusOr<uint64_t> DropEvidenceBefore(UnixSeconds before) = 0;
  // Newest first (by time, then insertion), at most `limit`.
  virtual StatusOr<std::vector<BrokerRelease>> Releases(size_t limit) = 0;
  virtual StatusOr<std::vector<BrokerRefusal>> Refusals(size_t limit) = 0;
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_BROKER_STORE_H_

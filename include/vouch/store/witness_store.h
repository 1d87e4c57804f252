// Durable witness state (DESIGN.md §2, layer 4; spec/transparency-log.md §7.2–§7.3): the latest
// cosigned checkpoint per log origin. The one operation that changes it reads the stored state,
// decides, and writes the new state in a single transaction, so concurrent requests and crashes
// can never make a witness cosign a rollback or a fork.
//
// Implementations: SQLite (sqlite_witness_store.h, the embedded default) and an in-memory one
// for tests (src/store/memory_witness_store.h); open_store.h opens one from a URI. Every
// implementation passes the conformance suite in src/store/witness_store_conformance.h.
//
// Errors: kDataLoss for stored state that is inconsistent; the codes of sqlite_db.h's table
// (kUnavailable, kResourceExhausted, kInternal ...) for database failures.
//
// Thread-safety: implementations are thread-safe.
#ifndef VOUCH_STORE_WITNESS_STORE_H_
#define VOUCH_STORE_WITNESS_STORE_H_

#include <functional>
#include <optional>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/tlog/witness.h"

namespace vouch::store {

class WitnessStore {
 public:
  virtual ~WitnessStore() = default;

  using Decision = std::function<StatusOr<tlog::WitnessResponse>(
      const std::optional<tlog::WitnessState>& stored)>;

  // Atomically: reads the state of `origin`, calls `decide` with it, and when the response
  // carries a new state, stores it durably before returning. `decide` runs inside the
  // transaction: keep it short and free of I/O.
  virtual StatusOr<tlog::WitnessResponse> Update(const std::string& origin,
                                                 const Decision& decide) = 0;
  // The stored state of `origin` (nullopt when it has none).
  virtual StatusOr<std::optional<tlog::WitnessState>> Get(const std::string& origin) = 0;
  // OK while the store accepts updates; kDataLoss (reason "store_damaged") once it has seen
  // damage and stopped them (fail closed). For health reports.
  virtual Status Health() const { return OkStatus(); }
};

}  // namespace vouch::store

#endif  // VOUCH_STORE_WITNESS_STORE_H_

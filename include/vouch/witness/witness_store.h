// Durable witness state (spec/transparency-log.md §7.2–§7.3): the latest cosigned checkpoint per
// log origin. The one operation that changes it reads the stored state, decides, and writes the
// new state in a single transaction, so concurrent requests and crashes can never make a
// witness cosign a rollback or a fork.
//
// Lives with the witness service rather than in store/ for now; it is the witness-state
// interface DESIGN.md §2 gives store/, and moves there when store/ gains its PostgreSQL backend.
//
// Implementations are thread-safe.
#ifndef VOUCH_WITNESS_WITNESS_STORE_H_
#define VOUCH_WITNESS_WITNESS_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/tlog/witness.h"

namespace vouch::witness {

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
  virtual StatusOr<std::optional<tlog::WitnessState>> Get(const std::string& origin) = 0;
};

// SQLite in WAL mode with synchronous=FULL: a commit survives a crash or power loss once it
// returns. Creates the file and schema when missing.
StatusOr<std::unique_ptr<WitnessStore>> OpenSqliteWitnessStore(const std::string& path);

}  // namespace vouch::witness

#endif  // VOUCH_WITNESS_WITNESS_STORE_H_

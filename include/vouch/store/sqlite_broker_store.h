// The embedded BrokerStore (broker_store.h): one SQLite database, `DIR/broker.db` of `vouch serve
// broker`.
#ifndef VOUCH_STORE_SQLITE_BROKER_STORE_H_
#define VOUCH_STORE_SQLITE_BROKER_STORE_H_

#include <memory>
#include <string>

#include "vouch/base/statusor.h"
#include "vouch/store/broker_store.h"

namespace vouch::store {

// Opens the SQLite database `path` (WAL; created with its schema when missing or empty, its
// directory must exist), checking the schema of an existing one (kDataLoss store_schema):
//
//   releases(release_id BLOB PRIMARY KEY, envelope_id BLOB, time INTEGER, log_index INTEGER,
//            leaf_hash BLOB, mrenclave BLOB, quote BLOB NULL)        index on time
//   refusals(id INTEGER PRIMARY KEY, time INTEGER, code TEXT, envelope_id BLOB NULL,
//            remote_address TEXT)                                     index on time
//
// (and a partial index on releases.time where a quote is kept, for DropEvidenceBefore).
StatusOr<std::unique_ptr<BrokerStore>> OpenSqliteBrokerStore(
    const std::string& path, const BrokerStoreOptions& options = {});

}  // namespace vouch::store

#endif  // VOUCH_STORE_SQLITE_BROKER_STORE_H_

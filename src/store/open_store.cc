// Opening a store from a URI (open_store.h).
#include "vouch/store/open_store.h"

#include <cctype>
#include <string>
#include <utility>

#include "store/postgres/pg_conn.h"
#include "vouch/store/postgres_broker_store.h"
#include "vouch/store/postgres_log_store.h"
#include "vouch/store/postgres_witness_store.h"
#include "vouch/store/sqlite_broker_store.h"
#include "vouch/store/sqlite_witness_store.h"

namespace vouch::store {
namespace {

// The anchor of a PostgreSQL state of `what` ("log", "witness"): anchor_dir/WHAT.anchor.
StatusOr<std::string> PostgresAnchor(std::string_view anchor_dir, std::string_view what) {
  if (anchor_dir.empty()) {
    return InvalidArgumentError("a PostgreSQL " + std::string(what) +
                                " state needs a local directory for its anchor");
  }
  return std::string(anchor_dir) + "/" + std::string(what) + ".anchor";
}

// The store of a `what` state ("log", "witness") at `uri` (a directory's default file WHAT.db):
// `postgres(location, anchor)` on PostgreSQL (PostgresAnchor), `sqlite(path)` otherwise.
template <typename Store, typename Postgres, typename Sqlite>
StatusOr<Store> StateStoreAt(std::string_view uri, std::string_view what,
                             std::string_view anchor_dir, const Postgres& postgres,
                             const Sqlite& sqlite) {
  VOUCH_ASSIGN_OR_RETURN(StoreUri parsed, StoreUri::Parse(uri, std::string(what) + ".db"));
  if (parsed.backend == StoreUri::Backend::kPostgres) {
    VOUCH_ASSIGN_OR_RETURN(std::string anchor, PostgresAnchor(anchor_dir, what));
    VOUCH_ASSIGN_OR_RETURN(auto store, postgres(parsed.location, anchor));
    return Store(std::move(store));
  }
  VOUCH_ASSIGN_OR_RETURN(auto store, sqlite(parsed.location));
  return Store(std::move(store));
}

}  // namespace

StatusOr<StoreUri> StoreUri::Parse(std::string_view uri, std::string_view default_file) {
  if (uri.empty()) return InvalidArgumentError("empty store URI");
  const std::string text(uri);
  // A scheme: letters, digits, '+', '-', '.' after a letter, then ':' (RFC 3986 §3.1).
  size_t colon = 0;
  while (colon < uri.size() &&
         (std::isalpha(static_cast<unsigned char>(uri[colon])) != 0 ||
          (colon > 0 && (std::isdigit(static_cast<unsigned char>(uri[colon])) != 0 ||
                         uri[colon] == '+' || uri[colon] == '-' || uri[colon] == '.')))) {
    ++colon;
  }
  if (colon == 0 || colon == uri.size() || uri[colon] != ':') {
    std::string dir = text;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (dir == "/") dir.clear();
    return StoreUri{Backend::kSqlite, dir + "/" + std::string(default_file)};
  }
  std::string scheme(uri.substr(0, colon));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "sqlite") {
    std::string path(uri.substr(colon + 1));
    if (path.empty()) return InvalidArgumentError("store " + text + ": sqlite: needs a file path");
    return StoreUri{Backend::kSqlite, std::move(path)};
  }
  if (scheme == "postgres" || scheme == "postgresql") return StoreUri{Backend::kPostgres, text};
  return InvalidArgumentError("store " + text + ": unknown scheme \"" + scheme +
                              ":\" (use a directory, sqlite:PATH or postgres://...)");
}

std::string StoreUri::Display() const {
  return backend == Backend::kPostgres ? internal::RedactPgUri(location) : location;
}

StatusOr<std::shared_ptr<LogStore>> CreateLogState(std::string_view uri,
                                                   const SqliteOptions& sqlite,
                                                   std::string_view anchor_dir) {
  return StateStoreAt<std::shared_ptr<LogStore>>(
      uri, "log", anchor_dir, CreatePostgresLogState,
      [&](const std::string& path) { return SqliteLogStore::CreateState(path, sqlite); });
}

StatusOr<std::shared_ptr<LogStore>> OpenLogState(std::string_view uri, const SqliteOptions& sqlite,
                                                 std::string_view anchor_dir) {
  return StateStoreAt<std::shared_ptr<LogStore>>(
      uri, "log", anchor_dir, OpenPostgresLogState,
      [&](const std::string& path) { return SqliteLogStore::OpenState(path, sqlite); });
}

StatusOr<std::shared_ptr<LogStore>> OpenLogFollower(std::string_view uri,
                                                    std::string_view anchor_dir) {
  VOUCH_ASSIGN_OR_RETURN(StoreUri parsed, StoreUri::Parse(uri, "log.db"));
  if (parsed.backend != StoreUri::Backend::kPostgres) {
    return InvalidArgumentError("only a PostgreSQL log state is shared by several services; " +
                                parsed.Display() + " is served by one");
  }
  VOUCH_ASSIGN_OR_RETURN(std::string anchor, PostgresAnchor(anchor_dir, "log"));
  VOUCH_ASSIGN_OR_RETURN(auto store, OpenPostgresLogFollower(parsed.location, anchor));
  return std::shared_ptr<LogStore>(std::move(store));
}

StatusOr<std::unique_ptr<WitnessStore>> CreateWitnessState(std::string_view uri,
                                                           const SqliteOptions& sqlite,
                                                           std::string_view anchor_dir) {
  return StateStoreAt<std::unique_ptr<WitnessStore>>(
      uri, "witness", anchor_dir, CreatePostgresWitnessState,
      [&](const std::string& path) { return CreateSqliteWitnessState(path, sqlite); });
}

StatusOr<std::unique_ptr<WitnessStore>> OpenWitnessState(std::string_view uri,
                                                         const SqliteOptions& sqlite,
                                                         std::string_view anchor_dir) {
  return StateStoreAt<std::unique_ptr<WitnessStore>>(
      uri, "witness", anchor_dir, OpenPostgresWitnessState,
      [&](const std::string& path) { return OpenSqliteWitnessState(path, sqlite); });
}

StatusOr<std::unique_ptr<BrokerStore>> OpenBrokerStore(std::string_view uri,
                                                       const BrokerStoreOptions& options) {
  VOUCH_ASSIGN_OR_RETURN(StoreUri parsed, StoreUri::Parse(uri, "broker.db"));
  if (parsed.backend == StoreUri::Backend::kPostgres) {
    return OpenPostgresBrokerStore(parsed.location, options);
  }
  return OpenSqliteBrokerStore(parsed.location, options);
}

StatusOr<std::unique_ptr<SharedNonces>> OpenSharedNonces(std::string_view uri,
                                                         const SharedNonceOptions& options) {
  VOUCH_ASSIGN_OR_RETURN(StoreUri parsed, StoreUri::Parse(uri, "broker.db"));
  if (parsed.backend != StoreUri::Backend::kPostgres) {
    return InvalidArgumentError("store " + std::string(uri) +
                                ": nonces are shared through a PostgreSQL store only "
                                "(postgres://…, the database every front-end uses)");
  }
  return OpenPostgresSharedNonces(parsed.location, options);
}

}  // namespace vouch::store

// The transparency log's store on PostgreSQL (postgres_log_store.h).
#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/validate.h"
#include "vouch/base/mutex.h"
#include "vouch/store/postgres_log_store.h"
#include "vouch/store/reasons.h"
#include "vouch/store/state_anchor.h"
#include "vouch/tlog/checkpoint.h"

namespace vouch::store {
namespace {

using internal::PgBytea;
using internal::PgConnection;
using internal::PgParam;
using internal::PgRows;
using internal::PgSchema;

constexpr int kSchemaVersion = 1;
constexpr const char* kTables =
    "CREATE TABLE vouch_log.meta (key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE vouch_log.entries (idx bigint PRIMARY KEY CHECK (idx >= 0), "
    "leaf_hash bytea NOT NULL UNIQUE, data bytea NOT NULL);"
    "CREATE TABLE vouch_log.tiles (level smallint NOT NULL, idx bigint NOT NULL, "
    "width integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (level, idx));"
    "ALTER TABLE vouch_log.tiles ALTER COLUMN data SET STORAGE EXTERNAL;"
    "CREATE TABLE vouch_log.tree (id integer PRIMARY KEY CHECK (id = 1), "
    "size bigint NOT NULL CHECK (size >= 0), compact_range bytea NOT NULL, "
    "checkpoint text NOT NULL);"
    "INSERT INTO vouch_log.tree VALUES (1, 0, '\\x', '');"
    "CREATE TABLE vouch_log.checkpoints (size bigint PRIMARY KEY, note text NOT NULL);";
// The columns of schema version 1, as information_schema lists them (table, column, type).
constexpr const char* kExpectedColumns[][3] = {
    {"checkpoints", "note", "text"},   {"checkpoints", "size", "bigint"},
    {"entries", "data", "bytea"},      {"entries", "idx", "bigint"},
    {"entries", "leaf_hash", "bytea"}, {"meta", "key", "text"},
    {"meta", "value", "text"},         {"schema_version", "version", "integer"},
    {"tiles", "data", "bytea"},        {"tiles", "idx", "bigint"},
    {"tiles", "level", "smallint"},    {"tiles", "width", "integer"},
    {"tree", "checkpoint", "text"},    {"tree", "compact_range", "bytea"},
    {"tree", "id", "integer"},         {"tree", "size", "bigint"},
};

// Statements, by name. bytea travels as text in hex form (pg_conn.h); arrays as array literals.
// A session-level advisory lock (key: the bytes of "vouchlog" as a big-endian int64) that the
// anchored, serving store holds on its writing connection.
constexpr const char* kTakeSequencingLock = "SELECT pg_try_advisory_lock(8534168888704528231)";
constexpr const char* kLockTreeSize = "SELECT size FROM vouch_log.tree WHERE id = 1 FOR UPDATE";
constexpr const char* kSelectTree =
    "SELECT size, compact_range, checkpoint FROM vouch_log.tree WHERE id = 1";
constexpr const char* kUpdateTree =
    "UPDATE vouch_log.tree SET size = $1, compact_range = $2, checkpoint = $3 WHERE id = 1";
constexpr const char* kFindLeafHashes =
    "SELECT t.n, e.idx FROM unnest($1::bytea[]) WITH ORDINALITY AS t(h, n) "
    "JOIN vouch_log.entries AS e ON e.leaf_hash = t.h";
constexpr const char* kInsertEntries =
    "INSERT INTO vouch_log.entries (idx, leaf_hash, data) "
    "SELECT $1::bigint + t.n - 1, t.h, t.d "
    "FROM unnest($2::bytea[], $3::bytea[]) WITH ORDINALITY AS t(h, d, n)";
constexpr const char* kUpsertTile =
    "INSERT INTO vouch_log.tiles AS t (level, idx, width, data) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, data = excluded.data "
    "WHERE excluded.width >= t.width";
constexpr const char* kUpsertCheckpoint =
    "INSERT INTO vouch_log.checkpoints (size, note) VALUES ($1, $2) "
    "ON CONFLICT (size) DO UPDATE SET note = excluded.note";
constexpr const char* kSelectEntries =
    "SELECT idx, data FROM vouch_log.entries WHERE idx >= $1 AND idx < $2 ORDER BY idx";
constexpr const char* kSelectLeafHashes =
    "SELECT idx, leaf_hash FROM vouch_log.entries WHERE idx >= $1 AND idx < $2 ORDER BY idx";
constexpr const char* kSelectTile =
    "SELECT width, data FROM vouch_log.tiles WHERE level = $1 AND idx = $2";
// Only the requested 32-byte slots (substring of an uncompressed TOAST value reads only the
// chunks that hold it), with the data's length to tell a slot beyond it (a slot is capped so
// its offset fits substring's integer argument; a capped one is beyond any tile).
constexpr const char* kSelectTileSlots =
    "SELECT s.n, octet_length(t.data), "
    "substring(t.data from (least(s.slot, 1048576) * 32 + 1)::integer for 32) "
    "FROM vouch_log.tiles AS t, unnest($3::bigint[]) WITH ORDINALITY AS s(slot, n) "
    "WHERE t.level = $1 AND t.idx = $2";
constexpr const char* kSelectCheckpoint = "SELECT note FROM vouch_log.checkpoints WHERE size = $1";
constexpr const char* kSelectMeta = "SELECT value FROM vouch_log.meta WHERE key = $1";
constexpr const char* kInsertMeta = "INSERT INTO vouch_log.meta (key, value) VALUES ($1, $2)";
constexpr const char* kUpsertMeta =
    "INSERT INTO vouch_log.meta (key, value) VALUES ($1, $2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
// The meta key of the sequencing service's advertised URL (LogStore::AdvertiseSequencer).
constexpr const char* kSequencerUrlKey = "sequencer_url";

// A PostgreSQL array literal of bytea values: {"\\x00ff",...} (the backslash escaped inside
// the quoted element).
std::string ByteaArray(const std::vector<ByteSpan>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += "\"\\";
    out += PgBytea(values[i]);
    out += '"';
  }
  out += '}';
  return out;
}

std::string TileName(uint8_t level, uint64_t index) {
  return "tile (level " + std::to_string(level) + ", index " + std::to_string(index) + ")";
}

Status Damaged(const std::string& what) {
  return Status(StatusCode::kDataLoss, "postgres log store: " + what, reasons::kStoreCorrupt);
}

Status CheckTileId(uint8_t level, uint64_t index) {
  if (level > internal::kMaxStoredTileLevel || index >= internal::kMaxStoredTileIndex) {
    return NotFoundError(TileName(level, index) + " cannot exist");
  }
  return OkStatus();
}

class PostgresLogStore final : public LogStore {
 public:
  PostgresLogStore(std::unique_ptr<PgConnection> writer, std::unique_ptr<PgConnection> reader)
      : writer_(std::move(writer)), reader_(std::move(reader)) {}
  // An anchored store: every Append records its checkpoint's tree in the anchor at
  // `anchor_path` before it returns.
  // A follower's store (OpenPostgresLogFollower) is read-only: its writes fail store_in_use.
  PostgresLogStore(std::unique_ptr<PgConnection> writer, std::unique_ptr<PgConnection> reader,
                   std::string anchor_path, StateAnchor anchor,
                   std::optional<std::string> bound_origin, bool follower)
      : writer_(std::move(writer)),
        reader_(std::move(reader)),
        follower_(follower),
        anchor_path_(std::move(anchor_path)),
        anchor_(std::move(anchor)),
        bound_origin_(std::move(bound_origin)) {}

  Status Bind(const LogIdentity& identity) override VOUCH_EXCLUDES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(RefuseWriteOfFollower());
    MutexLock lock(&writer_mu_);
    Status bound = writer_->Transaction([&]() -> Status {
      writer_mu_.AssertHeld();
      // The tree row's lock serialises Binds (and Appends) of every process on this database.
      VOUCH_RETURN_IF_ERROR(writer_->Query(kLockTreeSize, {}, "log store: lock").status());
      VOUCH_ASSIGN_OR_RETURN(auto origin, ReadMetaLocked("origin"));
      VOUCH_ASSIGN_OR_RETURN(auto vkey, ReadMetaLocked("vkey"));
      if (origin.has_value() || vkey.has_value()) {
        if (origin != identity.origin || vkey != identity.vkey) {
          return FailedPreconditionError("the database " + writer_->display() +
                                         " holds the log \"" + origin.value_or("") + "\" (key " +
                                         vkey.value_or("") + "), not \"" + identity.origin +
                                         "\" (key " + identity.vkey + ")");
        }
        return OkStatus();
      }
      VOUCH_RETURN_IF_ERROR(Health());
      VOUCH_RETURN_IF_ERROR(
          writer_->Query(kInsertMeta, {"origin", identity.origin}, "log store: bind").status());
      return writer_->Query(kInsertMeta, {"vkey", identity.vkey}, "log store: bind").status();
    });
    VOUCH_RETURN_IF_ERROR(Observe(bound));
    bound_origin_ = identity.origin;
    return OkStatus();
  }

  StatusOr<LogTreeState> ReadState() const override VOUCH_EXCLUDES(reader_mu_) {
    MutexLock lock(&reader_mu_);
    return Observe(ReadStateLocked());
  }

  Status Append(const AppendBatch& batch) override VOUCH_EXCLUDES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(RefuseWriteOfFollower());
    VOUCH_RETURN_IF_ERROR(internal::ValidateBatch(batch));
    MutexLock lock(&writer_mu_);
    // Fail closed: nothing is appended to a store that has shown damage.
    VOUCH_RETURN_IF_ERROR(Health());
    tlog::Hash root{};
    if (anchor_.has_value()) {
      VOUCH_ASSIGN_OR_RETURN(root, CheckAnchorableLocked(batch.new_state));
    }
    // COMMIT returns once the commit record is flushed (synchronous_commit = on).
    Status committed = writer_->Transaction([&] {
      writer_mu_.AssertHeld();
      return AppendLocked(batch);
    });
    VOUCH_RETURN_IF_ERROR(Observe(committed));
    // The anchor records the newly signed tree before the batch is acknowledged; a crash in
    // between leaves the database ahead of the anchor, which the next open accepts.
    if (anchor_.has_value()) {
      VOUCH_RETURN_IF_ERROR(internal::AnchorCommittedBatch(anchor_path_, *bound_origin_,
                                                           batch.new_state, root, *anchor_));
    }
    return OkStatus();
  }

  StatusOr<std::vector<std::optional<uint64_t>>> FindLeafHashes(
      std::span<const tlog::Hash> leaf_hashes) const override VOUCH_EXCLUDES(reader_mu_) {
    MutexLock lock(&reader_mu_);
    return Observe(Lookup(*reader_, leaf_hashes));
  }

  StatusOr<std::vector<Bytes>> ReadEntries(uint64_t begin, uint64_t end) const override
      VOUCH_EXCLUDES(reader_mu_) {
    VOUCH_RETURN_IF_ERROR(internal::ValidateRange(begin, end));
    MutexLock lock(&reader_mu_);
    std::vector<Bytes> out;
    VOUCH_RETURN_IF_ERROR(Observe(ScanRange(kSelectEntries, begin, end, out,
                                            [](Bytes data) -> StatusOr<Bytes> { return data; })));
    return out;
  }

  StatusOr<std::vector<tlog::Hash>> ReadLeafHashes(uint64_t begin, uint64_t end) const override
      VOUCH_EXCLUDES(reader_mu_) {
    VOUCH_RETURN_IF_ERROR(internal::ValidateRange(begin, end));
    MutexLock lock(&reader_mu_);
    std::vector<tlog::Hash> out;
    VOUCH_RETURN_IF_ERROR(Observe(
        ScanRange(kSelectLeafHashes, begin, end, out, [](Bytes data) -> StatusOr<tlog::Hash> {
          tlog::Hash hash{};
          if (data.size() != hash.size()) return Damaged("a stored leaf hash is not 32 bytes");
          std::memcpy(hash.data(), data.data(), hash.size());
          return hash;
        })));
    return out;
  }

  StatusOr<StoredTile> ReadTile(uint8_t level, uint64_t index) const override
      VOUCH_EXCLUDES(reader_mu_) {
    VOUCH_RETURN_IF_ERROR(CheckTileId(level, index));
    MutexLock lock(&reader_mu_);
    return Observe(ReadTileLocked(level, index));
  }

  Status ReadTileHashes(uint8_t level, uint64_t index, std::span<const uint32_t> slots,
                        std::span<tlog::Hash> out) const override VOUCH_EXCLUDES(reader_mu_) {
    if (slots.size() != out.size()) return InternalError("ReadTileHashes: output size mismatch");
    VOUCH_RETURN_IF_ERROR(CheckTileId(level, index));
    MutexLock lock(&reader_mu_);
    return Observe(ReadTileHashesLocked(level, index, slots, out));
  }

  StatusOr<std::string> ReadCheckpoint(uint64_t size) const override VOUCH_EXCLUDES(reader_mu_) {
    if (size > INT64_MAX) return NotFoundError("no checkpoint for size " + std::to_string(size));
    MutexLock lock(&reader_mu_);
    auto rows = reader_->Query(kSelectCheckpoint, {std::to_string(size)}, "log store: read");
    if (!rows.ok()) return Observe(rows.status());
    if (rows->rows() == 0) {
      return NotFoundError("no checkpoint was signed for size " + std::to_string(size));
    }
    return rows->Text(0, 0);
  }

  Status Health() const override VOUCH_EXCLUDES(damage_mu_) {
    MutexLock lock(&damage_mu_);
    return damage_;
  }

 private:
  // Remembers damage (kDataLoss): from then on, appends are refused.
  Status Observe(Status status) const VOUCH_EXCLUDES(damage_mu_) {
    if (status.code() == StatusCode::kDataLoss) {
      MutexLock lock(&damage_mu_);
      if (damage_.ok()) {
        damage_ = Status(StatusCode::kDataLoss,
                         "store damaged: appends stopped (" + status.message() + ")",
                         reasons::kStoreDamaged);
      }
    }
    return status;
  }
  template <typename T>
  StatusOr<T> Observe(StatusOr<T> result) const {
    if (!result.ok()) (void)Observe(result.status());
    return result;
  }

  // What an anchored Append records (internal::AnchorableRoot).
  StatusOr<tlog::Hash> CheckAnchorableLocked(const LogTreeState& state) VOUCH_REQUIRES(writer_mu_) {
    return internal::AnchorableRoot(bound_origin_, state);
  }

  StatusOr<LogTreeState> ReadStateLocked() const VOUCH_REQUIRES(reader_mu_) {
    VOUCH_ASSIGN_OR_RETURN(PgRows rows, reader_->Query(kSelectTree, {}, "log store: read state"));
    if (rows.rows() != 1) return Damaged("the tree state row is missing");
    VOUCH_ASSIGN_OR_RETURN(int64_t size, rows.Int(0, 0));
    VOUCH_ASSIGN_OR_RETURN(Bytes range, rows.Bytea(0, 1));
    if (size < 0 || range.size() % tlog::kHashSize != 0 ||
        range.size() / tlog::kHashSize !=
            static_cast<size_t>(std::popcount(static_cast<uint64_t>(size)))) {
      return Damaged("the stored tree state is inconsistent");
    }
    LogTreeState state;
    state.size = static_cast<uint64_t>(size);
    for (size_t i = 0; i < range.size(); i += tlog::kHashSize) {
      tlog::Hash h;
      std::memcpy(h.data(), range.data() + i, tlog::kHashSize);
      state.range.push_back(h);
    }
    state.checkpoint = rows.Text(0, 2);
    return state;
  }

  // For each of `hashes`, the index of the stored entry with that leaf hash (one statement).
  static StatusOr<std::vector<std::optional<uint64_t>>> Lookup(PgConnection& db,
                                                               std::span<const tlog::Hash> hashes) {
    std::vector<std::optional<uint64_t>> out(hashes.size());
    if (hashes.empty()) return out;
    std::vector<ByteSpan> values(hashes.begin(), hashes.end());
    VOUCH_ASSIGN_OR_RETURN(PgRows rows, db.Query(kFindLeafHashes, {ByteaArray(values)},
                                                 "log store: look up leaf hashes"));
    for (int r = 0; r < rows.rows(); ++r) {
      VOUCH_ASSIGN_OR_RETURN(int64_t n, rows.Int(r, 0));
      VOUCH_ASSIGN_OR_RETURN(int64_t idx, rows.Int(r, 1));
      if (n < 1 || static_cast<uint64_t>(n) > out.size() || idx < 0) {
        return Damaged("a leaf hash lookup returned an impossible row");
      }
      out[static_cast<size_t>(n - 1)] = static_cast<uint64_t>(idx);
    }
    return out;
  }

  // One Append, as the SQLite store's: the fence, the deduplication check, the entries, the
  // tiles, the tree state and the checkpoint history.
  Status AppendLocked(const AppendBatch& batch) VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(PgRows locked, writer_->Query(kLockTreeSize, {}, "log store: lock"));
    if (locked.rows() != 1) return Damaged("the tree state row is missing");
    VOUCH_ASSIGN_OR_RETURN(int64_t stored, locked.Int(0, 0));
    if (stored < 0 || static_cast<uint64_t>(stored) != batch.old_size) {
      return Status(StatusCode::kAborted, "append batch extends size " +
                                              std::to_string(batch.old_size) +
                                              " but the store holds " + std::to_string(stored));
    }
    if (!batch.entries.empty()) {
      std::vector<tlog::Hash> hashes;
      std::vector<ByteSpan> leaf_hashes;
      std::vector<ByteSpan> data;
      hashes.reserve(batch.entries.size());
      for (const NewEntry& e : batch.entries) {
        hashes.push_back(e.leaf_hash);
        leaf_hashes.emplace_back(e.leaf_hash);
        data.push_back(e.data);
      }
      VOUCH_ASSIGN_OR_RETURN(auto existing, Lookup(*writer_, hashes));
      std::vector<size_t> order(hashes.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return hashes[a] != hashes[b] ? hashes[a] < hashes[b] : a < b;
      });
      for (size_t k = 0; k < order.size(); ++k) {
        const size_t i = order[k];
        if (existing[i].has_value() || (k > 0 && hashes[order[k - 1]] == hashes[i])) {
          return AlreadyExistsError("an entry with the leaf hash of new entry " +
                                    std::to_string(batch.old_size + i) + " is already stored");
        }
      }
      VOUCH_RETURN_IF_ERROR(
          writer_
              ->Query(kInsertEntries,
                      {std::to_string(batch.old_size), ByteaArray(leaf_hashes), ByteaArray(data)},
                      "log store: insert entries")
              .status());
    }
    for (const StoredTile& tile : batch.tiles) {
      VOUCH_RETURN_IF_ERROR(writer_
                                ->Query(kUpsertTile,
                                        {std::to_string(tile.level), std::to_string(tile.index),
                                         std::to_string(tile.width), PgBytea(tile.data)},
                                        "log store: write tile")
                                .status());
    }
    Bytes range;
    range.reserve(batch.new_state.range.size() * tlog::kHashSize);
    for (const tlog::Hash& h : batch.new_state.range) ::vouch::Append(range, h);
    VOUCH_ASSIGN_OR_RETURN(PgRows updated,
                           writer_->Query(kUpdateTree,
                                          {std::to_string(batch.new_state.size), PgBytea(range),
                                           batch.new_state.checkpoint},
                                          "log store: write tree state"));
    if (updated.affected() != 1) return Damaged("the tree state row is missing");
    return writer_
        ->Query(kUpsertCheckpoint,
                {std::to_string(batch.new_state.size), batch.new_state.checkpoint},
                "log store: write checkpoint")
        .status();
  }

  // The rows of `sql` over [begin, end), each converted by `convert` into `out`; they must be
  // exactly the indices begin, ..., end − 1 (kNotFound naming the first missing one otherwise).
  template <typename T, typename Convert>
  Status ScanRange(const char* sql, uint64_t begin, uint64_t end, std::vector<T>& out,
                   Convert&& convert) const VOUCH_REQUIRES(reader_mu_) {
    VOUCH_ASSIGN_OR_RETURN(
        PgRows rows,
        reader_->Query(sql, {std::to_string(begin), std::to_string(end)}, "log store: read"));
    out.reserve(static_cast<size_t>(rows.rows()));
    uint64_t next = begin;
    for (int r = 0; r < rows.rows(); ++r, ++next) {
      VOUCH_ASSIGN_OR_RETURN(int64_t idx, rows.Int(r, 0));
      if (idx < 0 || static_cast<uint64_t>(idx) != next) break;
      VOUCH_ASSIGN_OR_RETURN(Bytes data, rows.Bytea(r, 1));
      VOUCH_ASSIGN_OR_RETURN(T value, convert(std::move(data)));
      out.push_back(std::move(value));
    }
    if (next != end) return NotFoundError("entry " + std::to_string(next) + " is not stored");
    return OkStatus();
  }

  StatusOr<StoredTile> ReadTileLocked(uint8_t level, uint64_t index) const
      VOUCH_REQUIRES(reader_mu_) {
    VOUCH_ASSIGN_OR_RETURN(
        PgRows rows, reader_->Query(kSelectTile, {std::to_string(level), std::to_string(index)},
                                    "log store: read tile"));
    if (rows.rows() == 0) return NotFoundError(TileName(level, index) + " is not stored");
    VOUCH_ASSIGN_OR_RETURN(int64_t width, rows.Int(0, 0));
    VOUCH_ASSIGN_OR_RETURN(Bytes data, rows.Bytea(0, 1));
    if (width < 1 || width > 256 || data.size() > internal::kMaxStoredTileSize) {
      return Damaged("stored " + TileName(level, index) + " has an invalid width or size");
    }
    return StoredTile{level, index, static_cast<uint16_t>(width), std::move(data)};
  }

  Status ReadTileHashesLocked(uint8_t level, uint64_t index, std::span<const uint32_t> slots,
                              std::span<tlog::Hash> out) const VOUCH_REQUIRES(reader_mu_) {
    std::string list = "{";
    for (size_t i = 0; i < slots.size(); ++i) {
      if (i > 0) list += ',';
      list += std::to_string(slots[i]);
    }
    list += '}';
    VOUCH_ASSIGN_OR_RETURN(
        PgRows rows,
        reader_->Query(kSelectTileSlots, {std::to_string(level), std::to_string(index), list},
                       "log store: read tile hashes"));
    if (rows.rows() == 0) {
      if (slots.empty()) return ReadTileLocked(level, index).status();
      return NotFoundError(TileName(level, index) + " is not stored");
    }
    if (static_cast<size_t>(rows.rows()) != slots.size()) {
      return Damaged("a tile hash read returned the wrong number of rows");
    }
    for (int r = 0; r < rows.rows(); ++r) {
      VOUCH_ASSIGN_OR_RETURN(int64_t n, rows.Int(r, 0));
      VOUCH_ASSIGN_OR_RETURN(int64_t length, rows.Int(r, 1));
      if (n < 1 || static_cast<size_t>(n) > slots.size()) {
        return Damaged("a tile hash read returned an impossible row");
      }
      const size_t i = static_cast<size_t>(n - 1);
      if (length < 0 || static_cast<uint64_t>(length) > internal::kMaxStoredTileSize) {
        return Damaged("stored " + TileName(level, index) + " has an invalid size");
      }
      if (uint64_t{slots[i]} * tlog::kHashSize + tlog::kHashSize > static_cast<uint64_t>(length)) {
        return OutOfRangeError("hash slot " + std::to_string(slots[i]) + " is beyond " +
                               TileName(level, index));
      }
      VOUCH_ASSIGN_OR_RETURN(Bytes hash, rows.Bytea(r, 2));
      if (hash.size() != tlog::kHashSize) {
        return Damaged("a slot of stored " + TileName(level, index) + " is not 32 bytes");
      }
      std::memcpy(out[i].data(), hash.data(), tlog::kHashSize);
    }
    return OkStatus();
  }

  Status AdvertiseSequencer(const std::string& url) override VOUCH_EXCLUDES(writer_mu_) {
    VOUCH_RETURN_IF_ERROR(RefuseWriteOfFollower());
    MutexLock lock(&writer_mu_);
    return Observe(
        writer_->Query(kUpsertMeta, {kSequencerUrlKey, url}, "log store: advertise").status());
  }

  StatusOr<std::string> ReadSequencerUrl() const override VOUCH_EXCLUDES(reader_mu_) {
    MutexLock lock(&reader_mu_);
    auto rows = reader_->Query(kSelectMeta, {kSequencerUrlKey}, "log store: read meta");
    if (!rows.ok()) return Observe(rows.status());
    return rows->rows() == 0 ? std::string() : rows->Text(0, 0);
  }

  Status RefuseWriteOfFollower() const {
    if (!follower_) return OkStatus();
    return Status(StatusCode::kFailedPrecondition,
                  "this store follows a log state that another service sequences: it is "
                  "read-only",
                  reasons::kStoreInUse);
  }

  StatusOr<std::optional<std::string>> ReadMetaLocked(const std::string& key)
      VOUCH_REQUIRES(writer_mu_) {
    VOUCH_ASSIGN_OR_RETURN(PgRows rows, writer_->Query(kSelectMeta, {key}, "log store: read meta"));
    if (rows.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(rows.Text(0, 0));
  }

  Mutex writer_mu_;
  const std::unique_ptr<PgConnection> writer_ VOUCH_PT_GUARDED_BY(writer_mu_);
  mutable Mutex reader_mu_;
  const std::unique_ptr<PgConnection> reader_ VOUCH_PT_GUARDED_BY(reader_mu_);
  const bool follower_ = false;
  mutable Mutex damage_mu_;
  mutable Status damage_ VOUCH_GUARDED_BY(damage_mu_);
  // The anchor (none for a store opened by OpenPostgresLogStore) and the bound origin.
  const std::string anchor_path_;
  std::optional<StateAnchor> anchor_ VOUCH_GUARDED_BY(writer_mu_);
  std::optional<std::string> bound_origin_ VOUCH_GUARDED_BY(writer_mu_);
};

constexpr PgSchema kSchema{"vouch_log", "log", kSchemaVersion, kExpectedColumns,
                           "docs/postgres.md"};

// The schema vouch_log of a new state, with its state id, in one transaction.
Status CreateLogSchema(PgConnection& db, const std::string& state_id) {
  return db.Transaction([&] {
    VOUCH_RETURN_IF_ERROR(CreateSchema(db, kSchema, kTables, "log store: create the schema"));
    return db.Query(kInsertMeta, {"state_id", state_id}, "log store: write meta").status();
  });
}

StatusOr<std::optional<std::string>> ReadMeta(PgConnection& db, const std::string& key) {
  VOUCH_ASSIGN_OR_RETURN(PgRows rows, db.Query(kSelectMeta, {key}, "log store: read meta"));
  if (rows.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(rows.Text(0, 0));
}

// The database matches `anchor` (same state id and origin, at least the anchored size, the
// anchored root at that size). When the database is ahead, `anchor` is advanced to its newest
// checkpoint and rewritten first.
Status CompareWithAnchor(PgConnection& db, const std::string& anchor_path, StateAnchor& anchor,
                         const std::optional<std::string>& origin) {
  const std::string display = db.display();
  VOUCH_ASSIGN_OR_RETURN(auto id, ReadMeta(db, "state_id"));
  if (id != anchor.state_id) {
    return internal::AnchorError(
        StatusCode::kDataLoss, reasons::kStateLost,
        "the log database " + display + " belongs to another state (state id " +
            id.value_or("none") + ", the anchor " + anchor_path + " has " + anchor.state_id +
            "): restore this log's database from backup, or start a new log "
            "with a new key");
  }
  VOUCH_ASSIGN_OR_RETURN(PgRows tree, db.Query(kSelectTree, {}, "log store: read state"));
  if (tree.rows() != 1) return Damaged("the tree state row is missing");
  VOUCH_ASSIGN_OR_RETURN(int64_t stored_size, tree.Int(0, 0));
  VOUCH_ASSIGN_OR_RETURN(Bytes range_bytes, tree.Bytea(0, 1));
  const std::string newest = tree.Text(0, 2);
  if (stored_size < 0 || range_bytes.size() % tlog::kHashSize != 0) {
    return Damaged("the stored tree state is inconsistent");
  }
  const uint64_t size = static_cast<uint64_t>(stored_size);
  for (const auto& [anchored_origin, anchored] : anchor.trees) {
    if (origin != anchored_origin) {
      return internal::AnchorError(StatusCode::kDataLoss, reasons::kStateLost,
                                   "the log database " + display + " holds the log \"" +
                                       origin.value_or("") + "\", but its anchor is for \"" +
                                       anchored_origin + "\"");
    }
    if (size < anchored.size) {
      return internal::AnchorError(
          StatusCode::kDataLoss, reasons::kStateBehind,
          "the log database " + display + " has " + std::to_string(size) +
              " entries but this log signed a checkpoint for " + std::to_string(anchored.size) +
              ": the database is behind what was signed (lost or rolled back); "
              "restore it from backup, or start a new log with a new key");
    }
    VOUCH_ASSIGN_OR_RETURN(PgRows note, db.Query(kSelectCheckpoint, {std::to_string(anchored.size)},
                                                 "log store: read checkpoint"));
    StatusOr<tlog::Checkpoint> body =
        note.rows() == 1 ? internal::ParseCheckpointBody(note.Text(0, 0))
                         : StatusOr<tlog::Checkpoint>(NotFoundError("no checkpoint"));
    if (!body.ok() || body->size() != anchored.size || body->root() != anchored.root) {
      return internal::AnchorError(
          StatusCode::kDataLoss, reasons::kStateBehind,
          "the log database " + display + " (" + std::to_string(size) +
              " entries) does not extend the checkpoint this log signed for " +
              std::to_string(anchored.size) +
              " entries; restore the database from backup, or start a new log "
              "with a new key");
    }
  }
  if (origin.has_value() && !newest.empty()) {
    auto it = anchor.trees.find(*origin);
    if (it == anchor.trees.end() || it->second.size < size) {
      std::vector<tlog::Hash> range(range_bytes.size() / tlog::kHashSize);
      for (size_t i = 0; i < range.size(); ++i) {
        std::memcpy(range[i].data(), range_bytes.data() + i * tlog::kHashSize, tlog::kHashSize);
      }
      VOUCH_ASSIGN_OR_RETURN(tlog::Hash root, internal::RangeRoot(size, range));
      VOUCH_RETURN_IF_ERROR(
          internal::AdvanceLogAnchor(anchor_path, *origin, AnchoredTree{size, root}, anchor));
    }
  }
  return OkStatus();
}

// One service per state: the writing connection holds the sequencing lock for its life (the
// server drops it with the session, so a killed service frees it as its connection closes).
Status TakeSequencingLock(PgConnection& writer) {
  VOUCH_ASSIGN_OR_RETURN(PgRows locked,
                         writer.Query(kTakeSequencingLock, {}, "log store: take the lock"));
  if (locked.Text(0, 0) == "t") return OkStatus();
  return Status(StatusCode::kFailedPrecondition,
                writer.display() +
                    " is in use by another log service (it holds the sequencing lock); stop it "
                    "first, or start this one with --standby: one process serves a log state "
                    "at a time",
                reasons::kStoreInUse);
}

enum class OpenMode { kCreate, kOpen, kFollow };

StatusOr<std::unique_ptr<LogStore>> OpenAnchored(const std::string& uri,
                                                 const std::string& anchor_path, OpenMode mode) {
  const bool create = mode == OpenMode::kCreate;
  VOUCH_ASSIGN_OR_RETURN(std::optional<StateAnchor> anchor, ReadStateAnchor(anchor_path));
  const std::string display = internal::RedactPgUri(uri);
  if (create && anchor.has_value()) {
    return Status(StatusCode::kAlreadyExists,
                  "the log state exists already (its anchor " + anchor_path +
                      " exists); open it without --init",
                  reasons::kStateExists);
  }
  if (!create && !anchor.has_value()) {
    return internal::AnchorError(StatusCode::kFailedPrecondition, reasons::kStateMissing,
                                 "there is no log state anchored at " + anchor_path +
                                     ": create one with `vouch serve log --init --store " +
                                     display + "`");
  }
  if (anchor.has_value() && anchor->kind != StateKind::kLog) {
    return internal::AnchorError(StatusCode::kDataLoss, reasons::kStateAnchorInvalid,
                                 "the state anchor " + anchor_path + " is not a log's");
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> writer, PgConnection::Open(uri));
  if (create) VOUCH_RETURN_IF_ERROR(TakeSequencingLock(*writer));
  VOUCH_ASSIGN_OR_RETURN(const bool exists, HasSchema(*writer, kSchema));
  if (create) {
    if (exists) {
      return Status(StatusCode::kAlreadyExists,
                    display +
                        " already holds a log state (schema vouch_log) that is not "
                        "anchored at " +
                        anchor_path +
                        ": open it where its anchor is, or drop the schema to start anew",
                    reasons::kStateExists);
    }
    StateAnchor created;
    created.kind = StateKind::kLog;
    VOUCH_ASSIGN_OR_RETURN(created.state_id, NewStateId());
    VOUCH_RETURN_IF_ERROR(CreateLogSchema(*writer, created.state_id));
    VOUCH_RETURN_IF_ERROR(WriteStateAnchor(anchor_path, created));
    anchor = std::move(created);
  } else {
    if (!exists) {
      return internal::AnchorError(
          StatusCode::kDataLoss, reasons::kStateLost,
          display +
              " holds no log state (schema vouch_log), but this log has "
              "state (anchor " +
              anchor_path +
              "): restore the database from backup, or start a new log with a "
              "new key");
    }
    VOUCH_RETURN_IF_ERROR(CheckSchema(*writer, kSchema));
  }
  VOUCH_ASSIGN_OR_RETURN(std::optional<std::string> origin, ReadMeta(*writer, "origin"));
  if (!create) {
    // Compared (and the anchor advanced to the database) before the lock is tried, so that a
    // standby that tries again and again keeps its anchor as fresh as its last try.
    VOUCH_RETURN_IF_ERROR(CompareWithAnchor(*writer, anchor_path, *anchor, origin));
    if (mode == OpenMode::kOpen) VOUCH_RETURN_IF_ERROR(TakeSequencingLock(*writer));
  }
  if (mode != OpenMode::kFollow) {
    // A broken session lost the lock with it: a reconnected one serves only once it holds it
    // again (else every append fails, store_in_use, while a standby may have taken over).
    writer->set_reconnect_hook([w = writer.get()] { return TakeSequencingLock(*w); });
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> reader, PgConnection::Open(uri));
  return std::unique_ptr<LogStore>(
      new PostgresLogStore(std::move(writer), std::move(reader), anchor_path, *std::move(anchor),
                           std::move(origin), mode == OpenMode::kFollow));
}

}  // namespace

StatusOr<std::unique_ptr<LogStore>> OpenPostgresLogStore(const std::string& uri) {
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> writer, PgConnection::Open(uri));
  VOUCH_ASSIGN_OR_RETURN(const bool exists, HasSchema(*writer, kSchema));
  if (exists) {
    VOUCH_RETURN_IF_ERROR(CheckSchema(*writer, kSchema));
  } else {
    VOUCH_ASSIGN_OR_RETURN(std::string state_id, NewStateId());
    VOUCH_RETURN_IF_ERROR(CreateLogSchema(*writer, state_id));
  }
  VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> reader, PgConnection::Open(uri));
  return std::unique_ptr<LogStore>(new PostgresLogStore(std::move(writer), std::move(reader)));
}

}  // namespace vouch::store

namespace vouch::store {

StatusOr<std::unique_ptr<LogStore>> CreatePostgresLogState(const std::string& uri,
                                                           const std::string& anchor_path) {
  return OpenAnchored(uri, anchor_path, OpenMode::kCreate);
}

StatusOr<std::unique_ptr<LogStore>> OpenPostgresLogState(const std::string& uri,
                                                         const std::string& anchor_path) {
  return OpenAnchored(uri, anchor_path, OpenMode::kOpen);
}

StatusOr<std::unique_ptr<LogStore>> OpenPostgresLogFollower(const std::string& uri,
                                                            const std::string& anchor_path) {
  return OpenAnchored(uri, anchor_path, OpenMode::kFollow);
}

}  // namespace vouch::store

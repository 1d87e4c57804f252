// The state anchor file (state_anchor.h; docs/formats/state-anchor.md).
#include "vouch/store/state_anchor.h"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "store/validate.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/store/reasons.h"

namespace vouch::store {
namespace {

constexpr std::string_view kMagic = "vouch-state-anchor 1";
constexpr size_t kStateIdHex = 32;

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A canonical decimal uint64: digits, no sign, no leading zero unless "0", no overflow.
std::optional<uint64_t> ParseSize(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// An origin: 1..kMaxAnchoredOriginSize bytes, none a control character (< 0x20 or 0x7f).
bool ValidOrigin(std::string_view s) {
  if (s.empty() || s.size() > kMaxAnchoredOriginSize) return false;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7f) return false;
  }
  return true;
}

Status LineError(size_t line, std::string_view what) {
  return InvalidArgumentError("state anchor line " + std::to_string(line) + ": " +
                              std::string(what));
}

}  // namespace

std::string_view StateKindName(StateKind kind) {
  return kind == StateKind::kLog ? "log" : "witness";
}

StatusOr<std::string> NewStateId() {
  std::array<uint8_t, kStateIdHex / 2> id{};
  size_t got = 0;
  while (got < id.size()) {
    const ssize_t n = ::getrandom(id.data() + got, id.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return InternalError(std::string("getrandom failed: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  return HexEncode(id);
}

std::string SerializeStateAnchor(const StateAnchor& anchor) {
  std::string out;
  out += kMagic;
  out += "\nkind ";
  out += StateKindName(anchor.kind);
  out += "\nstate-id " + anchor.state_id + "\n";
  for (const auto& [origin, tree] : anchor.trees) {
    out += "tree " + std::to_string(tree.size) + " " + HexEncode(tree.root) + " " + origin + "\n";
  }
  out += "end\n";
  return out;
}

StatusOr<StateAnchor> ParseStateAnchor(std::string_view text) {
  if (text.size() > kMaxStateAnchorSize) return InvalidArgumentError("state anchor too large");
  if (text.empty() || text.back() != '\n') {
    return InvalidArgumentError("state anchor is empty or does not end with a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() < 4) return InvalidArgumentError("state anchor is truncated");
  if (lines[0] != kMagic) return LineError(1, "not \"" + std::string(kMagic) + "\"");
  StateAnchor anchor;
  if (lines[1] == "kind log") {
    anchor.kind = StateKind::kLog;
  } else if (lines[1] == "kind witness") {
    anchor.kind = StateKind::kWitness;
  } else {
    return LineError(2, "not \"kind log\" or \"kind witness\"");
  }
  constexpr std::string_view kIdPrefix = "state-id ";
  if (!lines[2].starts_with(kIdPrefix) || lines[2].size() != kIdPrefix.size() + kStateIdHex ||
      !IsLowerHex(lines[2].substr(kIdPrefix.size()))) {
    return LineError(3, "not \"state-id \" and 32 lowercase hex digits");
  }
  anchor.state_id = std::string(lines[2].substr(kIdPrefix.size()));
  if (lines.back() != "end") return InvalidArgumentError("state anchor is truncated (no \"end\")");
  const std::string* previous = nullptr;
  for (size_t i = 3; i + 1 < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.starts_with("tree ")) return LineError(i + 1, "not a \"tree\" line");
    line.remove_prefix(5);
    const size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return LineError(i + 1, "missing root hash");
    const auto size = ParseSize(line.substr(0, sp1));
    if (!size) return LineError(i + 1, "bad tree size");
    line.remove_prefix(sp1 + 1);
    if (line.size() < 2 * tlog::kHashSize + 2 || line[2 * tlog::kHashSize] != ' ' ||
        !IsLowerHex(line.substr(0, 2 * tlog::kHashSize))) {
      return LineError(i + 1, "root is not 64 lowercase hex digits followed by an origin");
    }
    auto root = HexDecodeArray<tlog::kHashSize>(line.substr(0, 2 * tlog::kHashSize));
    if (!root.ok()) return LineError(i + 1, "bad root hash");
    const std::string_view origin = line.substr(2 * tlog::kHashSize + 1);
    if (!ValidOrigin(origin)) return LineError(i + 1, "bad origin");
    if (previous != nullptr && !(*previous < origin)) {
      return LineError(i + 1, "origins are not sorted or not unique");
    }
    auto [it, inserted] =
        anchor.trees.emplace(std::string(origin), AnchoredTree{*size, *std::move(root)});
    previous = &it->first;
  }
  if (anchor.kind == StateKind::kLog && anchor.trees.size() > 1) {
    return InvalidArgumentError("state anchor: a log anchor has more than one tree");
  }
  return anchor;
}

std::string StateAnchorPathFor(const std::string& db_path) {
  const size_t slash = db_path.rfind('/');
  const size_t name = slash == std::string::npos ? 0 : slash + 1;
  if (db_path.size() > name + 3 && db_path.ends_with(".db")) {
    return db_path.substr(0, db_path.size() - 3) + ".anchor";
  }
  return db_path + ".anchor";
}

StatusOr<std::optional<StateAnchor>> ReadStateAnchor(const std::string& path) {
  if (!FileExists(path)) return std::optional<StateAnchor>();
  VOUCH_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path, kMaxStateAnchorSize + 1));
  auto anchor = ParseStateAnchor(text);
  if (!anchor.ok()) {
    return Status(StatusCode::kDataLoss,
                  "the state anchor " + path + " is damaged: " + anchor.status().message() +
                      " (docs/log.md, \"Recovery\")",
                  reasons::kStateAnchorInvalid);
  }
  return std::optional<StateAnchor>(*std::move(anchor));
}

Status WriteStateAnchor(const std::string& path, const StateAnchor& anchor) {
  const std::string text = SerializeStateAnchor(anchor);
  return WriteFileAtomic(path, ByteSpan(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                         0644);
}

Status CheckWitnessAgainstAnchor(const std::string& database,
                                 const std::optional<std::string>& state_id,
                                 const std::map<std::string, AnchoredTree>& stored,
                                 const std::string& anchor_path, const StateAnchor& anchor) {
  auto error = [](const char* reason, std::string message) {
    return internal::AnchorError(StateKind::kWitness, StatusCode::kDataLoss, reason,
                                 std::move(message));
  };
  if (state_id != anchor.state_id) {
    return error(reasons::kStateLost,
                 database + " belongs to another state (state id " + state_id.value_or("none") +
                     ", the anchor " + anchor_path + " has " + anchor.state_id +
                     "): it was replaced; restore this witness's database from backup");
  }
  for (const auto& [origin, tree] : anchor.trees) {
    auto it = stored.find(origin);
    const uint64_t have = it == stored.end() ? 0 : it->second.size;
    if (it == stored.end() || have < tree.size) {
      return error(reasons::kStateBehind,
                   database + " holds size " + std::to_string(have) + " for the log \"" + origin +
                       "\", but this witness cosigned size " + std::to_string(tree.size) +
                       ": the database is behind what was cosigned (lost or rolled back); "
                       "restore it from backup");
    }
    if (have == tree.size && it->second.root != tree.root) {
      return error(reasons::kStateBehind,
                   database + " holds another root for size " + std::to_string(tree.size) +
                       " of the log \"" + origin +
                       "\" than the one this witness cosigned; restore it from backup");
    }
  }
  return OkStatus();
}

}  // namespace vouch::store

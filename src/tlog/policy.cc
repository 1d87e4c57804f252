// Witness policies: c2sp.org/tlog-policy and the Sigsum variant (spec/transparency-log.md §10).
#include "vouch/tlog/policy.h"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tlog/text.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"
#include "vouch/tlog/cosignature.h"
#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

constexpr std::string_view kNone = "none";

std::vector<std::string_view> SplitTokens(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
      ++i;
    }
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      ++i;
    }
    if (i > start) {
      out.push_back(line.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace

const Policy::Group* Policy::FindGroup(std::string_view name) const {
  for (const auto& g : groups_) {
    if (g.name == name) {
      return &g;
    }
  }
  return nullptr;
}

const Policy::Witness* Policy::FindWitness(std::string_view name) const {
  for (const auto& w : witnesses_) {
    if (w.name == name) {
      return &w;
    }
  }
  return nullptr;
}

// Parses one policy file, a line at a time, each keyword by its own method. Every error names
// the variant and the line.
class Policy::Parser {
 public:
  explicit Parser(bool sigsum) : sigsum_(sigsum), variant_(sigsum ? "Sigsum policy" : "policy") {}

  StatusOr<Policy> Parse(std::string_view text) {
    if (text.size() > kMaxPolicySize) {
      return MalformedError(reasons::kPolicyMalformed, variant_ + " larger than 1 MiB");
    }
    if (!text.empty() && text.back() != '\n') {
      line_no_ = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
      return Bad("the last line does not end in a newline");
    }
    for (std::string_view line : internal::SplitLines(text)) {
      ++line_no_;
      VOUCH_RETURN_IF_ERROR(Line(line));
    }
    if (!have_quorum_) {
      return MalformedError(reasons::kPolicyMalformed, variant_ + " has no quorum line");
    }
    return std::move(p_);
  }

 private:
  using Tokens = std::vector<std::string_view>;

  Status Bad(const std::string& why) const {
    return MalformedError(reasons::kPolicyMalformed,
                          variant_ + " line " + std::to_string(line_no_) + ": " + why);
  }

  Status Line(std::string_view line) {
    for (char c : line) {
      auto b = static_cast<uint8_t>(c);
      if (b != '\t' && (b < 0x20 || b == 0x7f)) {
        return Bad("control character 0x" + HexEncode(ByteSpan(&b, 1)) +
                   " (only tab and newline are allowed)");
      }
    }
    Tokens t = SplitTokens(line);
    if (t.empty() || t[0][0] == '#') return OkStatus();
    std::string_view keyword = t[0];
    // A URL cannot start with '#': that is a trailing comment, which the format does not have.
    if ((keyword == "log" && t.size() == 3) || (keyword == "witness" && t.size() == 4)) {
      if (t.back()[0] == '#') {
        return Bad("comments must be on their own line (a URL cannot start with '#')");
      }
    }
    if (keyword == "log") return LogLine(t);
    if (keyword == "witness") return WitnessLine(t);
    if (keyword == "group") return GroupLine(t);
    if (keyword == "quorum") return QuorumLine(t);
    return Bad("unknown keyword " + internal::Quote(keyword));
  }

  // A witness or group of that name exists.
  bool Defined(std::string_view name) const {
    return p_.FindWitness(name) != nullptr || p_.FindGroup(name) != nullptr;
  }

  // log <key> [<url>]
  Status LogLine(const Tokens& t) {
    if (t.size() != 2 && t.size() != 3) return Bad("expected: log <key> [<url>]");
    if (p_.logs_.size() == kMaxPolicyLogs) return Bad("too many logs");
    StatusOr<VerifierKey> key = sigsum_ ? SigsumLogKey(t[1]) : LogKey(t[1]);
    if (!key.ok()) return key.status();
    for (const auto& other : p_.logs_) {
      if (other.key.public_key() == key->public_key()) {
        return Bad("log key " + key->name() + " is listed twice");
      }
    }
    auto v = NewNoteVerifier(*key);
    if (!v.ok()) return Bad(v.status().message());
    p_.logs_.push_back(Log{*key, t.size() == 3 ? std::string(t[2]) : std::string(), *v});
    return OkStatus();
  }

  StatusOr<VerifierKey> SigsumLogKey(std::string_view hex) const {
    auto raw = HexDecode(hex);
    if (!raw.ok() || raw->size() != 32) return Bad("a Sigsum log key is 64 hex digits");
    std::string origin = "sigsum.org/v1/tree/" + HexEncode(Sha256(*raw));
    auto vk = VerifierKey::Create(origin, kSigTypeEd25519, *raw);
    if (!vk.ok()) return Bad(vk.status().message());
    return vk;
  }

  StatusOr<VerifierKey> LogKey(std::string_view text) const {
    auto vk = VerifierKey::Parse(text);
    if (!vk.ok()) return Bad(vk.status().message());
    if (vk->type() != kSigTypeEd25519) {
      uint8_t type = vk->type();
      return Bad("log key " + vk->name() + " has signature type 0x" +
                 HexEncode(ByteSpan(&type, 1)) + "; logs must use Ed25519 (0x01)");
    }
    return vk;
  }

  // witness <name> <key> [<url>]
  Status WitnessLine(const Tokens& t) {
    if (t.size() != 3 && t.size() != 4) return Bad("expected: witness <name> <key> [<url>]");
    if (p_.witnesses_.size() == kMaxPolicyWitnesses) return Bad("too many witnesses");
    Witness w;
    w.name = std::string(t[1]);
    if (w.name == kNone || Defined(w.name)) {
      return Bad("the name " + internal::Quote(w.name) + " is already defined");
    }
    VOUCH_RETURN_IF_ERROR(sigsum_ ? SigsumWitnessKey(t[2], w) : WitnessKey(t[2], w));
    for (const auto& other : p_.witnesses_) {
      if (other.public_key == w.public_key) {
        return Bad("witness " + internal::Quote(w.name) + " has the same key as witness " +
                   internal::Quote(other.name));
      }
    }
    if (t.size() == 4) w.url = std::string(t[3]);
    p_.witnesses_.push_back(std::move(w));
    return OkStatus();
  }

  // Sets w's key, type and verifier from a Sigsum witness key (64 hex digits).
  Status SigsumWitnessKey(std::string_view hex, Witness& w) const {
    auto key = HexDecode(hex);
    if (!key.ok() || key->size() != 32) return Bad("a Sigsum witness key is 64 hex digits");
    w.public_key = *key;
    w.type = kSigTypeCosignatureV1;
    auto v = CosignatureV1Verifier::CreateAnyName(w.name, w.public_key);
    if (!v.ok()) return Bad(v.status().message());
    w.verifier = *v;
    return OkStatus();
  }

  // Sets w's key, type and verifier from a note verifier key (a cosignature key; a subtree
  // ML-DSA-44 key is kept without a verifier).
  Status WitnessKey(std::string_view text, Witness& w) const {
    auto vk = VerifierKey::Parse(text);
    if (!vk.ok()) return Bad(vk.status().message());
    w.public_key = vk->public_key();
    w.type = vk->type();
    if (w.type == kSigTypeCosignatureV1) {
      auto v = NewNoteVerifier(*vk);
      if (!v.ok()) return Bad(v.status().message());
      w.verifier = *v;
    } else if (w.type != kSigTypeSubtreeMlDsa44) {
      uint8_t type = w.type;
      return Bad("witness key " + vk->name() + " has signature type 0x" +
                 HexEncode(ByteSpan(&type, 1)) + "; witnesses use cosignature keys (0x04)");
    }
    return OkStatus();
  }

  // group <name> <k|any|all> <member> [<member>...]
  Status GroupLine(const Tokens& t) {
    if (t.size() < 4) return Bad("expected: group <name> <k|any|all> <member> [<member>...]");
    if (p_.groups_.size() == kMaxPolicyGroups) return Bad("too many groups");
    Group g;
    g.name = std::string(t[1]);
    if (g.name == kNone || Defined(g.name)) {
      return Bad("the name " + internal::Quote(g.name) + " is already defined");
    }
    const uint64_t n = t.size() - 3;
    if (t[2] == "any") {
      g.threshold = 1;
    } else if (t[2] == "all") {
      g.threshold = n;
    } else {
      auto k = internal::ParseDecimal(t[2]);
      if (!k || *k < 1 || *k > n) {
        return Bad("the threshold must be any, all or a decimal 1.." + std::to_string(n));
      }
      g.threshold = *k;
    }
    for (size_t i = 3; i < t.size(); ++i) {
      std::string m(t[i]);
      if (m == kNone) return Bad("none cannot be a group member");
      if (!Defined(m)) return Bad("group member " + internal::Quote(m) + " is not defined above");
      if (!member_used_.insert(m).second) {
        return Bad(internal::Quote(m) + " is already a member of a group");
      }
      g.members.push_back(std::move(m));
    }
    p_.groups_.push_back(std::move(g));
    return OkStatus();
  }

  // quorum <name|none>
  Status QuorumLine(const Tokens& t) {
    if (t.size() != 2) return Bad("expected: quorum <name|none>");
    if (have_quorum_) return Bad("the quorum is defined twice");
    std::string q(t[1]);
    if (q != kNone && !Defined(q)) {
      return Bad("quorum " + internal::Quote(q) + " is not defined above");
    }
    p_.quorum_ = std::move(q);
    have_quorum_ = true;
    return OkStatus();
  }

  const bool sigsum_;
  const std::string variant_;
  size_t line_no_ = 0;
  Policy p_;
  std::set<std::string> member_used_;  // every group member (one group each)
  bool have_quorum_ = false;
};

StatusOr<Policy> Policy::Parse(std::string_view text) { return Parser(false).Parse(text); }
StatusOr<Policy> Policy::ParseSigsum(std::string_view text) { return Parser(true).Parse(text); }

bool Policy::Satisfied(const std::string& name, const std::set<std::string>& verified) const {
  if (name == kNone) {
    return true;
  }
  if (FindWitness(name) != nullptr) {
    return verified.count(name) > 0;
  }
  const Group* g = FindGroup(name);
  if (g == nullptr) {
    return false;
  }
  uint64_t count = 0;
  for (const auto& m : g->members) {
    count += Satisfied(m, verified) ? 1 : 0;
  }
  return count >= g->threshold;
}

bool Policy::QuorumSatisfied(const std::set<std::string>& verified) const {
  return Satisfied(quorum_, verified);
}

void Policy::CollectMissing(const std::string& name, const std::set<std::string>& verified,
                            std::vector<std::string>* missing,
                            std::vector<std::string>* groups) const {
  if (Satisfied(name, verified)) {
    return;
  }
  if (const Witness* w = FindWitness(name)) {
    std::string entry = name;
    if (w->verifier == nullptr) {
      entry += " (key type not supported)";
    }
    missing->push_back(entry);
    return;
  }
  const Group* g = FindGroup(name);
  if (g == nullptr) {
    return;
  }
  uint64_t have = 0;
  for (const auto& m : g->members) {
    have += Satisfied(m, verified) ? 1 : 0;
  }
  groups->push_back(g->name + " has " + std::to_string(have) + " of the " +
                    std::to_string(g->threshold) + " required (of " +
                    std::to_string(g->members.size()) + ")");
  for (const auto& m : g->members) {
    CollectMissing(m, verified, missing, groups);
  }
}

std::string Policy::ExplainQuorum(const std::set<std::string>& verified) const {
  if (QuorumSatisfied(verified)) {
    return "the witness quorum " + quorum_ + " is satisfied";
  }
  std::vector<std::string> missing;
  std::vector<std::string> groups;
  CollectMissing(quorum_, verified, &missing, &groups);
  std::string out = "witness quorum " + internal::Quote(quorum_) + " not met";
  if (!groups.empty()) {
    out += ": ";
    for (size_t i = 0; i < groups.size(); ++i) {
      out += (i ? "; " : "") + groups[i];
    }
  }
  std::string have;
  for (const auto& v : verified) {
    have += (have.empty() ? "" : ", ") + v;
  }
  out += "; valid cosignatures from: " + (have.empty() ? std::string("none") : have);
  std::string miss;
  for (const auto& m : missing) {
    miss += (miss.empty() ? "" : ", ") + m;
  }
  out += "; missing cosignatures from: " + miss;
  return out;
}

StatusOr<PolicyVerification> Policy::VerifyCheckpoint(const SignedCheckpoint& checkpoint) const {
  const std::string& origin = checkpoint.checkpoint().origin();
  std::vector<std::shared_ptr<const NoteVerifier>> verifiers;
  for (const auto& log : logs_) {
    if (log.key.name() == origin) {
      verifiers.push_back(log.verifier);
    }
  }
  const size_t log_count = verifiers.size();
  if (log_count == 0) {
    return RejectedError(reasons::kPolicyUnknownLog,
                         "no log in the policy has origin " + internal::Quote(origin));
  }
  std::vector<const Witness*> witness_of;  // parallel to verifiers[log_count..]
  for (const auto& w : witnesses_) {
    if (w.verifier == nullptr) {
      continue;
    }
    verifiers.push_back(w.verifier);
    witness_of.push_back(&w);
  }
  VOUCH_ASSIGN_OR_RETURN(VerifierSet set, VerifierSet::Create(verifiers));
  auto v = VerifyNote(checkpoint.note(), set);
  if (!v.ok()) {
    if (v.status().reason() == reasons::kNoteUnverified) {
      return RejectedError(reasons::kPolicyLogSignatureMissing,
                           "checkpoint of " + internal::Quote(origin) +
                               " has no valid signature by a log key in the policy");
    }
    return v.status();
  }
  PolicyVerification result;
  for (size_t i : v->verified) {
    if (i < log_count) {
      if (result.log.empty()) {
        result.log = verifiers[i]->Describe();
      }
    } else {
      result.witnesses.insert(witness_of[i - log_count]->name);
    }
  }
  if (result.log.empty()) {
    return RejectedError(reasons::kPolicyLogSignatureMissing,
                         "checkpoint of " + internal::Quote(origin) +
                             " has no valid signature by a log key in the policy");
  }
  if (!QuorumSatisfied(result.witnesses)) {
    return RejectedError(reasons::kPolicyQuorumNotMet, ExplainQuorum(result.witnesses));
  }
  // Every line by a listed key verified above, so its timestamp can be read off the line.
  for (size_t i : v->verified) {
    if (i < log_count) continue;
    const Witness* w = witness_of[i - log_count];
    for (const NoteSignature& line : checkpoint.note().signatures()) {
      if (!line.decoded || !w->verifier->Matches(line.key_name, line.key_id)) continue;
      auto cosig = CosignatureV1::Decode(line.signature);
      if (!cosig.ok()) continue;
      auto [it, fresh] = result.witness_times.emplace(w->name, cosig->timestamp);
      if (!fresh) it->second = std::min(it->second, cosig->timestamp);
    }
  }
  if (quorum_ != "none") {
    std::vector<std::pair<uint64_t, std::string>> by_time;
    for (const auto& [name, time] : result.witness_times) by_time.emplace_back(time, name);
    std::sort(by_time.begin(), by_time.end(), std::greater<>());
    std::set<std::string> counted;
    for (const auto& [time, name] : by_time) {
      counted.insert(name);
      if (QuorumSatisfied(counted)) {
        result.quorum_time = time;
        break;
      }
    }
  }
  return result;
}

}  // namespace vouch::tlog

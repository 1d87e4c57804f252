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

namespace vouch::tlog {

namespace {

constexpr std::string_view kNone = "none";

std::vector<std::string_view> Tokens(std::string_view line) {
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

StatusOr<Policy> Policy::Parse(std::string_view text) { return ParseImpl(text, false); }
StatusOr<Policy> Policy::ParseSigsum(std::string_view text) { return ParseImpl(text, true); }

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

StatusOr<Policy> Policy::ParseImpl(std::string_view text, bool sigsum) {
  const std::string variant = sigsum ? "Sigsum policy" : "policy";
  size_t line_no = 0;
  auto bad = [&](const std::string& why) {
    return MalformedError("policy_malformed",
                          variant + " line " + std::to_string(line_no) + ": " + why);
  };
  if (text.size() > kMaxPolicySize) {
    return MalformedError("policy_malformed", variant + " larger than 1 MiB");
  }
  if (!text.empty() && text.back() != '\n') {
    line_no = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    return bad("the last line does not end in a newline");
  }
  Policy p;
  std::set<std::string> member_used;
  bool have_quorum = false;
  for (std::string_view line : internal::SplitLines(text)) {
    ++line_no;
    for (char c : line) {
      auto b = static_cast<uint8_t>(c);
      if (b != '\t' && (b < 0x20 || b == 0x7f)) {
        return bad("control character 0x" + HexEncode(ByteSpan(&b, 1)) +
                   " (only tab and newline are allowed)");
      }
    }
    std::vector<std::string_view> t = Tokens(line);
    if (t.empty() || t[0][0] == '#') {
      continue;
    }
    std::string_view keyword = t[0];
    // A URL cannot start with '#': that is a trailing comment, which the format does not have.
    if ((keyword == "log" && t.size() == 3) || (keyword == "witness" && t.size() == 4)) {
      if (t.back()[0] == '#') {
        return bad("comments must be on their own line (a URL cannot start with '#')");
      }
    }
    auto defined = [&](std::string_view name) {
      return p.FindWitness(name) != nullptr || p.FindGroup(name) != nullptr;
    };
    if (keyword == "log") {
      if (t.size() != 2 && t.size() != 3) {
        return bad("expected: log <key> [<url>]");
      }
      if (p.logs_.size() == kMaxPolicyLogs) {
        return bad("too many logs");
      }
      std::optional<VerifierKey> key;
      if (sigsum) {
        auto raw = HexDecode(t[1]);
        if (!raw.ok() || raw->size() != 32) {
          return bad("a Sigsum log key is 64 hex digits");
        }
        std::string origin = "sigsum.org/v1/tree/" + HexEncode(Sha256(*raw));
        auto vk = VerifierKey::Create(origin, kSigTypeEd25519, *raw);
        if (!vk.ok()) {
          return bad(vk.status().message());
        }
        key = *vk;
      } else {
        auto vk = VerifierKey::Parse(t[1]);
        if (!vk.ok()) {
          return bad(vk.status().message());
        }
        if (vk->type() != kSigTypeEd25519) {
          uint8_t type = vk->type();
          return bad("log key " + vk->name() + " has signature type 0x" +
                     HexEncode(ByteSpan(&type, 1)) + "; logs must use Ed25519 (0x01)");
        }
        key = *vk;
      }
      for (const auto& other : p.logs_) {
        if (other.key.public_key() == key->public_key()) {
          return bad("log key " + key->name() + " is listed twice");
        }
      }
      auto v = NewNoteVerifier(*key);
      if (!v.ok()) {
        return bad(v.status().message());
      }
      p.logs_.push_back(Log{*key, t.size() == 3 ? std::string(t[2]) : std::string(), *v});
    } else if (keyword == "witness") {
      if (t.size() != 3 && t.size() != 4) {
        return bad("expected: witness <name> <key> [<url>]");
      }
      if (p.witnesses_.size() == kMaxPolicyWitnesses) {
        return bad("too many witnesses");
      }
      Witness w;
      w.name = std::string(t[1]);
      if (w.name == kNone || defined(w.name)) {
        return bad("the name " + internal::Quote(w.name) + " is already defined");
      }
      if (sigsum) {
        auto key = HexDecode(t[2]);
        if (!key.ok() || key->size() != 32) {
          return bad("a Sigsum witness key is 64 hex digits");
        }
        w.public_key = *key;
        w.type = kSigTypeCosignatureV1;
        auto v = CosignatureV1Verifier::CreateAnyName(w.name, w.public_key);
        if (!v.ok()) {
          return bad(v.status().message());
        }
        w.verifier = *v;
      } else {
        auto vk = VerifierKey::Parse(t[2]);
        if (!vk.ok()) {
          return bad(vk.status().message());
        }
        w.public_key = vk->public_key();
        w.type = vk->type();
        if (w.type == kSigTypeCosignatureV1) {
          auto v = NewNoteVerifier(*vk);
          if (!v.ok()) {
            return bad(v.status().message());
          }
          w.verifier = *v;
        } else if (w.type != kSigTypeSubtreeMlDsa44) {
          uint8_t type = w.type;
          return bad("witness key " + vk->name() + " has signature type 0x" +
                     HexEncode(ByteSpan(&type, 1)) + "; witnesses use cosignature keys (0x04)");
        }
      }
      for (const auto& other : p.witnesses_) {
        if (other.public_key == w.public_key) {
          return bad("witness " + internal::Quote(w.name) + " has the same key as witness " +
                     internal::Quote(other.name));
        }
      }
      if (t.size() == 4) {
        w.url = std::string(t[3]);
      }
      p.witnesses_.push_back(std::move(w));
    } else if (keyword == "group") {
      if (t.size() < 4) {
        return bad("expected: group <name> <k|any|all> <member> [<member>...]");
      }
      if (p.groups_.size() == kMaxPolicyGroups) {
        return bad("too many groups");
      }
      Group g;
      g.name = std::string(t[1]);
      if (g.name == kNone || defined(g.name)) {
        return bad("the name " + internal::Quote(g.name) + " is already defined");
      }
      const uint64_t n = t.size() - 3;
      if (t[2] == "any") {
        g.threshold = 1;
      } else if (t[2] == "all") {
        g.threshold = n;
      } else {
        auto k = internal::ParseDecimal(t[2]);
        if (!k || *k < 1 || *k > n) {
          return bad("the threshold must be any, all or a decimal 1.." + std::to_string(n));
        }
        g.threshold = *k;
      }
      for (size_t i = 3; i < t.size(); ++i) {
        std::string m(t[i]);
        if (m == kNone) {
          return bad("none cannot be a group member");
        }
        if (!defined(m)) {
          return bad("group member " + internal::Quote(m) + " is not defined above");
        }
        if (!member_used.insert(m).second) {
          return bad(internal::Quote(m) + " is already a member of a group");
        }
        g.members.push_back(std::move(m));
      }
      p.groups_.push_back(std::move(g));
    } else if (keyword == "quorum") {
      if (t.size() != 2) {
        return bad("expected: quorum <name|none>");
      }
      if (have_quorum) {
        return bad("the quorum is defined twice");
      }
      std::string q(t[1]);
      if (q != kNone && !defined(q)) {
        return bad("quorum " + internal::Quote(q) + " is not defined above");
      }
      p.quorum_ = std::move(q);
      have_quorum = true;
    } else {
      return bad("unknown keyword " + internal::Quote(keyword));
    }
  }
  if (!have_quorum) {
    return MalformedError("policy_malformed", variant + " has no quorum line");
  }
  return p;
}

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
    return RejectedError("policy_unknown_log",
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
    if (v.status().reason() == "note_unverified") {
      return RejectedError("policy_log_signature_missing",
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
    return RejectedError("policy_log_signature_missing",
                         "checkpoint of " + internal::Quote(origin) +
                             " has no valid signature by a log key in the policy");
  }
  if (!QuorumSatisfied(result.witnesses)) {
    return RejectedError("policy_quorum_not_met", ExplainQuorum(result.witnesses));
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

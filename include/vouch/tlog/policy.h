// Witness policies (c2sp.org/tlog-policy at C2SP 5ba5ee8, and the Sigsum variant; spec/
// transparency-log.md §10): which logs are accepted and which witnesses must have cosigned a
// checkpoint, as a k-of-n quorum over witnesses and nested groups.
//
//   log <vkey> [<url>]                       key type 0x01; key name = the log's origin
//   witness <name> <vkey> [<url>]            key type 0x04 (0x06 parses, never verifies)
//   group <name> <k | any | all> <member>... members defined on earlier lines, each used once
//   quorum <name | none>                     exactly one
//
// Items are separated by runs of spaces and tabs; empty lines and lines whose first non-blank
// character is '#' are ignored; allowed octets are TAB, LF, 0x20–0x7E and 0x80–0xFF (opaque);
// every line ends in LF. The Sigsum variant writes keys as 64 hex digits (raw Ed25519 public
// keys): a log's origin is "sigsum.org/v1/tree/" + hex(SHA-256(key)) and a witness matches a
// cosignature line of any key name whose key ID is SHA-256(<that name> ‖ "\n" ‖ 0x04 ‖ key)[0:4].
//
// Evaluation: a checkpoint is valid when a listed log whose key name equals its origin signed it,
// every line by a listed key verifies (spec §4.4), and the quorum is satisfied by the witnesses
// with a valid cosignature (each counts once).
//
// Errors: parsing, kInvalidArgument reason "policy_malformed" with the line number;
// verification, kPermissionDenied reasons "policy_unknown_log", "policy_log_signature_missing",
// "note_signature_invalid", "policy_quorum_not_met" (the message names the missing witnesses).
//
// Thread-safety: Policy is immutable and safe to share.
#ifndef VOUCH_TLOG_POLICY_H_
#define VOUCH_TLOG_POLICY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/statusor.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/note.h"

namespace vouch::tlog {

// Parsing limits (the spec asks for at least 32 of each).
inline constexpr size_t kMaxPolicyLogs = 256;
inline constexpr size_t kMaxPolicyWitnesses = 256;
inline constexpr size_t kMaxPolicyGroups = 256;
inline constexpr size_t kMaxPolicySize = size_t{1} << 20;

// The result of a successful policy check.
struct PolicyVerification {
  std::string log;                  // key name (= origin) of the log key that signed
  std::set<std::string> witnesses;  // policy names of witnesses with a valid cosignature
  // The cosignature timestamp (POSIX seconds) of each witness in `witnesses`; a witness with
  // several valid lines gets its earliest.
  std::map<std::string, uint64_t> witness_times;
  // The quorum time t_q (spec/governance.md §5.1 step 4): the largest T such that the
  // witnesses whose cosignature timestamp is ≥ T satisfy the quorum — cosigners sorted by
  // timestamp, descending, added until the quorum holds, the last one's timestamp. The quorum
  // attests that the checkpoint existed at t_q. Unset when the quorum is "none".
  std::optional<uint64_t> quorum_time;
};

class Policy {
 public:
  struct Log {
    VerifierKey key;
    std::string url;  // empty if absent
    std::shared_ptr<const NoteVerifier> verifier;
  };
  struct Witness {
    std::string name;                              // the policy-local name
    Bytes public_key;                              // raw key bytes (32 for Ed25519)
    uint8_t type;                                  // 0x04 or 0x06
    std::string url;                               // empty if absent
    std::shared_ptr<const NoteVerifier> verifier;  // null for unsupported types (0x06)
  };
  struct Group {
    std::string name;
    uint64_t threshold;  // 1 <= k <= members.size()
    std::vector<std::string> members;
  };

  // c2sp.org/tlog-policy (vkeys).
  static StatusOr<Policy> Parse(std::string_view text);
  // The Sigsum variant (hex keys).
  static StatusOr<Policy> ParseSigsum(std::string_view text);

  const std::vector<Log>& logs() const { return logs_; }
  const std::vector<Witness>& witnesses() const { return witnesses_; }
  const std::vector<Group>& groups() const { return groups_; }
  // The quorum name; "none" when no cosignature is required.
  const std::string& quorum() const { return quorum_; }

  // Verifies `checkpoint` against the policy (see the banner).
  StatusOr<PolicyVerification> VerifyCheckpoint(const SignedCheckpoint& checkpoint) const;

  // Whether the witnesses named in `verified` satisfy the quorum.
  bool QuorumSatisfied(const std::set<std::string>& verified) const;
  // Explains why `verified` does not satisfy the quorum, naming the missing witnesses.
  std::string ExplainQuorum(const std::set<std::string>& verified) const;

 private:
  Policy() = default;
  class Parser;  // policy.cc: one method per line keyword
  bool Satisfied(const std::string& name, const std::set<std::string>& verified) const;
  void CollectMissing(const std::string& name, const std::set<std::string>& verified,
                      std::vector<std::string>* missing, std::vector<std::string>* groups) const;
  const Group* FindGroup(std::string_view name) const;
  const Witness* FindWitness(std::string_view name) const;

  std::vector<Log> logs_;
  std::vector<Witness> witnesses_;
  std::vector<Group> groups_;
  std::string quorum_;
};

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_POLICY_H_

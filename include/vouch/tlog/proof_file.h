// Proof files (c2sp.org/tlog-proof@v1 as of C2SP 5ba5ee8; spec/transparency-log.md §9): an
// offline-verifiable receipt that an entry is in the log and that witnesses observed the
// checkpoint. The entry itself travels beside the file. Extension `.tlog-proof`.
//
//   c2sp.org/tlog-proof@v1                 exact first line
//   extra <base64>                         optional; unauthenticated, never trusted implicitly
//   index <decimal>                        zero-based entry index, no leading zeros
//   <base64 hash>                          0..64 inclusion-proof lines, leaf sibling first
//                                          an empty line
//   <checkpoint note, with the log signature and any cosignatures>
//
// Verification: the checkpoint must satisfy the policy (a listed log for its origin signed it;
// the witness quorum cosigned it), then the inclusion proof of the leaf hash at `index` must lead
// to the checkpoint's root.
//
// Errors: kInvalidArgument reason "proof_file_malformed"; verification errors as in policy.h
// and proof.h ("inclusion_proof_invalid").
//
// Thread-safety: ProofFile is immutable and safe to share.
#ifndef VOUCH_TLOG_PROOF_FILE_H_
#define VOUCH_TLOG_PROOF_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/policy.h"

namespace vouch::tlog {

inline constexpr std::string_view kProofFileHeader = "c2sp.org/tlog-proof@v1";
inline constexpr size_t kMaxProofFileSize = kMaxNoteSize + 8192;

class ProofFile {
 public:
  static StatusOr<ProofFile> Parse(std::string_view text);
  // Builds a proof file. `index` must be below the checkpoint's size.
  static StatusOr<ProofFile> Create(uint64_t index, std::vector<Hash> inclusion_proof,
                                    std::string_view checkpoint_note,
                                    std::optional<Bytes> extra = std::nullopt);

  uint64_t index() const { return index_; }
  const std::vector<Hash>& inclusion_proof() const { return proof_; }
  const SignedCheckpoint& checkpoint() const { return checkpoint_; }
  // Unauthenticated application data, if present.
  const std::optional<Bytes>& extra() const { return extra_; }

  std::string Serialize() const;

  // Verifies that the entry whose RFC 6962 leaf hash is `leaf_hash` is at index() in a
  // checkpoint that satisfies `policy`.
  StatusOr<PolicyVerification> Verify(const Hash& leaf_hash, const Policy& policy) const;
  // Verify(HashLeaf(entry), policy).
  StatusOr<PolicyVerification> VerifyEntry(ByteSpan entry, const Policy& policy) const {
    return Verify(HashLeaf(entry), policy);
  }

 private:
  ProofFile(uint64_t index, std::vector<Hash> proof, SignedCheckpoint checkpoint,
            std::optional<Bytes> extra)
      : index_(index),
        proof_(std::move(proof)),
        checkpoint_(std::move(checkpoint)),
        extra_(std::move(extra)) {}
  uint64_t index_;
  std::vector<Hash> proof_;
  SignedCheckpoint checkpoint_;
  std::optional<Bytes> extra_;
};

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_PROOF_FILE_H_

// Merkle inclusion and consistency proofs: generation from a HashReader (RFC 6962 §2.1.1,
// §2.1.2) and verification exactly as RFC 9162 §2.1.3.2 / §2.1.4.2 with the preconditions of
// transparency-dev/merkle (spec/transparency-log.md §2, §3). Also the optional subtree proofs
// of draft-ietf-plants-merkle-tree-certs §4 (spec §3, "Subtree inclusion/consistency").
//
// Proof elements are ordered from the leaf level upwards (the leaf's sibling first). Indices are
// 0-based; sizes are leaf counts.
//
// Outcomes of the verifiers:
//   OK                  the proof verifies;
//   kInvalidArgument    the question is malformed (index >= size, size2 < size1, size1 == 0 for
//                       consistency, a leaf hash that is not 32 bytes, an invalid subtree),
//                       reason "proof_request_invalid";
//   kPermissionDenied   the proof was checked and does not verify (wrong length, wrong hashes),
//                       reason "inclusion_proof_invalid" / "consistency_proof_invalid" /
//                       "subtree_inclusion_proof_invalid" / "subtree_consistency_proof_invalid".
// Roots are taken as byte strings and compared exactly, like the reference implementation: a
// root that is not 32 bytes never equals a computed root.
//
// Thread-safety: all functions are thread-safe (pure); generation calls `reader` once, from the
// calling thread.
#ifndef VOUCH_TLOG_PROOF_H_
#define VOUCH_TLOG_PROOF_H_

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "vouch/base/bytes.h"
#include "vouch/base/statusor.h"
#include "vouch/tlog/merkle.h"

namespace vouch::tlog {

// ---- Generation (RFC 6962 PATH / PROOF), one batched HashReader::ReadHashes call each. ----

// The audit path of leaf `index` in the tree of size `size`. REQUIRES-checked: index < size.
StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const HashReader& reader);
// The consistency proof from size `size1` to `size2`. Checked: 0 < size1 <= size2 (the proof
// from 0 is meaningless and is rejected, as by the verifier). Empty when size1 == size2.
StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                             const HashReader& reader);
// MTH of the tree of size `size` (EmptyRoot() for 0).
StatusOr<Hash> TreeRoot(uint64_t size, const HashReader& reader);

// The right border of one tree size with its suffix folds: MTH(D[a:n]) for every boundary a of
// the compact range of [0, n). Every non-perfect element of an inclusion or consistency proof
// is such a suffix, so with a RightBorder proof generation reads only perfect subtrees and does
// no hashing (instead of up to 63 hash operations per proof). Build it once per published tree
// size (the sequencer has the CompactRange at hand). Immutable, thread-safe.
class RightBorder {
 public:
  explicit RightBorder(const CompactRange& range);
  uint64_t size() const { return size_; }
  // MTH of the whole tree.
  const Hash& root() const { return root_; }
  // MTH(D[begin:size()]) when `begin` is a boundary of the compact range, else nullptr.
  const Hash* SuffixHash(uint64_t begin) const;

 private:
  uint64_t size_;
  Hash root_;
  std::vector<std::pair<uint64_t, Hash>> suffixes_;  // (begin, MTH(D[begin:size])), ascending
};

// As above, for the tree of size border.size(), reading right-border folds from `border`.
StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, const RightBorder& border,
                                           const HashReader& reader);
StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, const RightBorder& border,
                                             const HashReader& reader);

// The nodes InclusionProof / ConsistencyProof read, in the order they are requested. A storage
// layer can use these to prefetch. Same preconditions as the generators.
StatusOr<std::vector<NodeId>> InclusionProofNodes(uint64_t index, uint64_t size);
StatusOr<std::vector<NodeId>> ConsistencyProofNodes(uint64_t size1, uint64_t size2);

// ---- Verification (RFC 9162 §2.1.3.2, §2.1.4.2). ----

// The expected proof length for leaf `index` in a tree of `size`: inner + border
// (decompInclProof). REQUIRES: index < size.
size_t InclusionProofLength(uint64_t index, uint64_t size);

// Recomputes the root from an inclusion proof.
StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, ByteSpan leaf_hash,
                                      std::span<const Hash> proof);
Status VerifyInclusion(uint64_t index, uint64_t size, ByteSpan leaf_hash,
                       std::span<const Hash> proof, ByteSpan root);
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         ByteSpan root1, ByteSpan root2);

// ---- Subtrees (draft-ietf-plants-merkle-tree-certs §4.1, §4.3, §4.4; optional). ----

// [start, end) is a subtree iff start < end and start is a multiple of BIT_CEIL(end − start).
bool IsValidSubtree(uint64_t start, uint64_t end);
// Inclusion of leaf `index` in the subtree [start, end) whose hash is `subtree_hash`.
Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end, ByteSpan leaf_hash,
                              std::span<const Hash> proof, ByteSpan subtree_hash);
// Consistency of the subtree [start, end) (hash `subtree_hash`) with the tree of size `size`
// (root `root`). The empty subtree (start == end <= size) verifies with an empty proof when its
// hash is EmptyRoot(), whatever `root`.
Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                std::span<const Hash> proof, ByteSpan subtree_hash, ByteSpan root);

}  // namespace vouch::tlog

#endif  // VOUCH_TLOG_PROOF_H_

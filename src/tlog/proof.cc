// Proof generation (RFC 6962 §2.1.1, §2.1.2) and verification (RFC 9162 §2.1.3.2, §2.1.4.2;
// draft-ietf-plants-merkle-tree-certs §4 for subtrees). spec/transparency-log.md §2, §3.
#include "vouch/tlog/proof.h"

#include <algorithm>
#include <array>
#include <bit>
#include <string>

#include "vouch/tlog/reasons.h"

namespace vouch::tlog {

namespace {

// A proof element: MTH(D[begin:end]).
struct Range {
  uint64_t begin;
  uint64_t end;
};

// Proofs have at most 64 elements (+1 for the final SUBPROOF node).
constexpr size_t kMaxElements = 66;
// Every element is one node except at most two right-border ranges.
constexpr size_t kMaxNodes = kMaxElements + 2 * kMaxRangeNodes;

// The largest power of two strictly less than `n`. REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (std::bit_width(n - 1) - 1); }

Status RequestInvalid(std::string message) {
  return MalformedError(reasons::kProofRequestInvalid, std::move(message));
}

// RFC 6962 PATH(m, D[0:n]) as ranges, leaf sibling first. REQUIRES: m < n.
size_t InclusionRanges(uint64_t m, uint64_t n, std::array<Range, kMaxElements>& out) {
  size_t count = 0;
  uint64_t lo = 0;
  uint64_t hi = n;
  while (hi - lo > 1) {
    uint64_t k = SplitPoint(hi - lo);
    if (m < lo + k) {
      out[count++] = Range{lo + k, hi};
      hi = lo + k;
    } else {
      out[count++] = Range{lo, lo + k};
      lo += k;
    }
  }
  std::reverse(out.begin(), out.begin() + static_cast<ptrdiff_t>(count));
  return count;
}

// RFC 6962 PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) as ranges. REQUIRES: 0 < m <= n.
size_t ConsistencyRanges(uint64_t m, uint64_t n, std::array<Range, kMaxElements>& out) {
  size_t count = 0;
  uint64_t lo = 0;
  uint64_t hi = n;
  uint64_t mm = m;  // m relative to lo
  bool b = true;
  while (true) {
    if (mm == hi - lo) {
      if (!b) {
        out[count++] = Range{lo, hi};
      }
      break;
    }
    uint64_t k = SplitPoint(hi - lo);
    if (mm <= k) {
      out[count++] = Range{lo + k, hi};
      hi = lo + k;
    } else {
      out[count++] = Range{lo, lo + k};
      mm -= k;
      lo += k;
      b = false;
    }
  }
  std::reverse(out.begin(), out.begin() + static_cast<ptrdiff_t>(count));
  return count;
}

// The nodes of `ranges`, flattened, with the number of nodes of each range in `counts`.
struct NodePlan {
  std::array<NodeId, kMaxNodes> ids;
  std::array<uint8_t, kMaxElements> counts;
  size_t elements = 0;
  size_t nodes = 0;
};

// Ranges answered by `border` (non-perfect suffixes of its tree) get a count of 0 nodes.
bool FromBorder(const Range& r, const RightBorder* border) {
  return border != nullptr && r.end == border->size() && !std::has_single_bit(r.end - r.begin) &&
         border->SuffixHash(r.begin) != nullptr;
}

void PlanNodes(std::span<const Range> ranges, NodePlan& plan, const RightBorder* border) {
  plan.elements = ranges.size();
  plan.nodes = 0;
  std::array<NodeId, kMaxRangeNodes> buf;
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (FromBorder(ranges[i], border)) {
      plan.counts[i] = 0;
      continue;
    }
    size_t n = DecomposeRange(ranges[i].begin, ranges[i].end, buf);
    std::copy(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n),
              plan.ids.begin() + static_cast<ptrdiff_t>(plan.nodes));
    plan.counts[i] = static_cast<uint8_t>(n);
    plan.nodes += n;
  }
}

StatusOr<std::vector<Hash>> ReadAndFold(std::span<const Range> ranges, const HashReader& reader,
                                        const RightBorder* border = nullptr) {
  NodePlan plan;
  PlanNodes(ranges, plan, border);
  std::array<Hash, kMaxNodes> hashes;
  VOUCH_RETURN_IF_ERROR(reader.ReadHashes(std::span<const NodeId>(plan.ids.data(), plan.nodes),
                                          std::span<Hash>(hashes.data(), plan.nodes)));
  std::vector<Hash> proof;
  proof.reserve(plan.elements);
  size_t at = 0;
  for (size_t i = 0; i < plan.elements; ++i) {
    if (plan.counts[i] == 0) {
      proof.push_back(*border->SuffixHash(ranges[i].begin));
      continue;
    }
    proof.push_back(FoldRange(std::span<const Hash>(hashes.data() + at, plan.counts[i])));
    at += plan.counts[i];
  }
  return proof;
}

std::vector<NodeId> PlanToVector(std::span<const Range> ranges) {
  NodePlan plan;
  PlanNodes(ranges, plan, nullptr);
  return std::vector<NodeId>(plan.ids.begin(),
                             plan.ids.begin() + static_cast<ptrdiff_t>(plan.nodes));
}

Status CheckInclusionRequest(uint64_t index, uint64_t size) {
  if (index >= size) {
    return RequestInvalid("leaf index " + std::to_string(index) + " is not in a tree of size " +
                          std::to_string(size));
  }
  return OkStatus();
}

Status CheckConsistencyRequest(uint64_t size1, uint64_t size2) {
  if (size2 < size1) {
    return RequestInvalid("consistency from size " + std::to_string(size1) +
                          " to the smaller size " + std::to_string(size2));
  }
  if (size1 == 0) {
    return RequestInvalid("a consistency proof from the empty tree is meaningless");
  }
  return OkStatus();
}

bool Equal(ByteSpan a, const Hash& b) { return EqualBytes(a, ByteSpan(b)); }

StatusOr<Hash> LeafHash(ByteSpan leaf_hash) {
  if (leaf_hash.size() != kHashSize) {
    return RequestInvalid("leaf hash must be 32 bytes, got " + std::to_string(leaf_hash.size()));
  }
  Hash h;
  std::copy(leaf_hash.begin(), leaf_hash.end(), h.begin());
  return h;
}

std::string ToHex(const Hash& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : h) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

}  // namespace

StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                           const HashReader& reader) {
  VOUCH_RETURN_IF_ERROR(CheckInclusionRequest(index, size));
  std::array<Range, kMaxElements> ranges;
  size_t n = InclusionRanges(index, size, ranges);
  return ReadAndFold(std::span<const Range>(ranges.data(), n), reader);
}

StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                             const HashReader& reader) {
  VOUCH_RETURN_IF_ERROR(CheckConsistencyRequest(size1, size2));
  std::array<Range, kMaxElements> ranges;
  size_t n = ConsistencyRanges(size1, size2, ranges);
  return ReadAndFold(std::span<const Range>(ranges.data(), n), reader);
}

RightBorder::RightBorder(const CompactRange& range) : size_(range.size()), root_(range.Root()) {
  std::vector<NodeId> ids = range.node_ids();
  std::span<const Hash> hashes = range.hashes();
  // Suffix folds from the right: MTH(D[begin_i:n]) = H(node_i, MTH(D[begin_i+1:n])).
  suffixes_.resize(ids.size());
  Hash acc{};
  for (size_t i = ids.size(); i-- > 0;) {
    acc = i + 1 == ids.size() ? hashes[i] : HashChildren(hashes[i], acc);
    suffixes_[i] = {ids[i].index << ids[i].level, acc};
  }
}

const Hash* RightBorder::SuffixHash(uint64_t begin) const {
  auto it = std::lower_bound(suffixes_.begin(), suffixes_.end(), begin,
                             [](const auto& e, uint64_t b) { return e.first < b; });
  return it != suffixes_.end() && it->first == begin ? &it->second : nullptr;
}

StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, const RightBorder& border,
                                           const HashReader& reader) {
  VOUCH_RETURN_IF_ERROR(CheckInclusionRequest(index, border.size()));
  std::array<Range, kMaxElements> ranges;
  size_t n = InclusionRanges(index, border.size(), ranges);
  return ReadAndFold(std::span<const Range>(ranges.data(), n), reader, &border);
}

StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, const RightBorder& border,
                                             const HashReader& reader) {
  VOUCH_RETURN_IF_ERROR(CheckConsistencyRequest(size1, border.size()));
  std::array<Range, kMaxElements> ranges;
  size_t n = ConsistencyRanges(size1, border.size(), ranges);
  return ReadAndFold(std::span<const Range>(ranges.data(), n), reader, &border);
}

StatusOr<Hash> TreeRoot(uint64_t size, const HashReader& reader) {
  if (size == 0) {
    return EmptyRoot();
  }
  Range whole{0, size};
  VOUCH_ASSIGN_OR_RETURN(std::vector<Hash> folded,
                         ReadAndFold(std::span<const Range>(&whole, 1), reader));
  return folded[0];
}

StatusOr<std::vector<NodeId>> InclusionProofNodes(uint64_t index, uint64_t size) {
  VOUCH_RETURN_IF_ERROR(CheckInclusionRequest(index, size));
  std::array<Range, kMaxElements> ranges;
  size_t n = InclusionRanges(index, size, ranges);
  return PlanToVector(std::span<const Range>(ranges.data(), n));
}

StatusOr<std::vector<NodeId>> ConsistencyProofNodes(uint64_t size1, uint64_t size2) {
  VOUCH_RETURN_IF_ERROR(CheckConsistencyRequest(size1, size2));
  std::array<Range, kMaxElements> ranges;
  size_t n = ConsistencyRanges(size1, size2, ranges);
  return PlanToVector(std::span<const Range>(ranges.data(), n));
}

size_t InclusionProofLength(uint64_t index, uint64_t size) {
  const auto inner = static_cast<size_t>(std::bit_width(index ^ (size - 1)));
  const auto border = static_cast<size_t>(std::popcount(inner >= 64 ? 0 : index >> inner));
  return inner + border;
}

StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, ByteSpan leaf_hash,
                                      std::span<const Hash> proof) {
  VOUCH_RETURN_IF_ERROR(CheckInclusionRequest(index, size));
  VOUCH_ASSIGN_OR_RETURN(Hash r, LeafHash(leaf_hash));
  size_t want = InclusionProofLength(index, size);
  if (proof.size() != want) {
    return RejectedError(reasons::kInclusionProofInvalid,
                         "inclusion proof for leaf " + std::to_string(index) +
                             " in a tree of size " + std::to_string(size) + " must have " +
                             std::to_string(want) + " hashes, got " + std::to_string(proof.size()));
  }
  // RFC 9162 §2.1.3.2.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return RejectedError(reasons::kInclusionProofInvalid, "inclusion proof is too long");
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return RejectedError(reasons::kInclusionProofInvalid, "inclusion proof is too short");
  }
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, ByteSpan leaf_hash,
                       std::span<const Hash> proof, ByteSpan root) {
  VOUCH_ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (!Equal(root, computed)) {
    return RejectedError(
        reasons::kInclusionProofInvalid,
        "inclusion proof for leaf " + std::to_string(index) + " leads to root " + ToHex(computed) +
            ", which is not the expected root of the tree of size " + std::to_string(size));
  }
  return OkStatus();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         ByteSpan root1, ByteSpan root2) {
  VOUCH_RETURN_IF_ERROR(CheckConsistencyRequest(size1, size2));
  auto fail = [&](const std::string& why) {
    return RejectedError(reasons::kConsistencyProofInvalid, "consistency proof from size " +
                                                                std::to_string(size1) + " to " +
                                                                std::to_string(size2) + ": " + why);
  };
  if (size1 == size2) {
    if (!proof.empty()) {
      return fail("the proof must be empty for equal sizes");
    }
    if (!EqualBytes(root1, root2)) {
      return fail("equal sizes but different roots");
    }
    return OkStatus();
  }
  if (proof.empty()) {
    return fail("the proof is empty");
  }
  // Expected length (decompInclProof of size1 − 1 in size2, less the levels below size1's
  // lowest set bit, plus the seed unless size1 is a power of two).
  {
    int inner = static_cast<int>(std::bit_width((size1 - 1) ^ (size2 - 1)));
    int border = std::popcount(inner >= 64 ? 0 : (size1 - 1) >> inner);
    int shift = std::countr_zero(size1);
    size_t want =
        static_cast<size_t>(inner - shift + border) + (std::has_single_bit(size1) ? 0 : 1);
    if (proof.size() != want) {
      return fail("the proof must have " + std::to_string(want) + " hashes, got " +
                  std::to_string(proof.size()));
    }
  }
  // RFC 9162 §2.1.4.2. When size1 is a power of two the proof starts with root1 implicitly.
  Hash seed;
  std::span<const Hash> rest = proof;
  if (std::has_single_bit(size1)) {
    if (root1.size() != kHashSize) {
      return fail("the old root is not 32 bytes");
    }
    std::copy(root1.begin(), root1.end(), seed.begin());
  } else {
    seed = proof[0];
    rest = proof.subspan(1);
  }
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = seed;
  Hash sr = seed;
  for (const Hash& c : rest) {
    if (sn == 0) {
      return fail("the proof is too long");
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return fail("the proof is too short");
  }
  if (!Equal(root1, fr)) {
    return fail("the proof does not lead to the old root");
  }
  if (!Equal(root2, sr)) {
    return fail("the proof does not lead to the new root");
  }
  return OkStatus();
}

bool IsValidSubtree(uint64_t start, uint64_t end) {
  if (start >= end) {
    return false;
  }
  uint64_t width = end - start;
  // BIT_CEIL(width) must divide start; a width above 2^63 has no 64-bit ceiling.
  if (width > (uint64_t{1} << 63)) {
    return false;
  }
  uint64_t ceil = std::bit_ceil(width);
  return (start & (ceil - 1)) == 0;
}

Status VerifySubtreeInclusion(uint64_t index, uint64_t start, uint64_t end, ByteSpan leaf_hash,
                              std::span<const Hash> proof, ByteSpan subtree_hash) {
  if (!IsValidSubtree(start, end)) {
    return RequestInvalid("[" + std::to_string(start) + ", " + std::to_string(end) +
                          ") is not a valid subtree");
  }
  if (index < start || index >= end) {
    return RequestInvalid("leaf index " + std::to_string(index) + " is outside the subtree [" +
                          std::to_string(start) + ", " + std::to_string(end) + ")");
  }
  Status s = VerifyInclusion(index - start, end - start, leaf_hash, proof, subtree_hash);
  if (s.code() == StatusCode::kPermissionDenied) {
    return RejectedError(reasons::kSubtreeInclusionProofInvalid, "subtree " + s.message());
  }
  return s;
}

Status VerifySubtreeConsistency(uint64_t start, uint64_t end, uint64_t size,
                                std::span<const Hash> proof, ByteSpan subtree_hash, ByteSpan root) {
  auto fail = [&](const std::string& why) {
    return RejectedError(reasons::kSubtreeConsistencyProofInvalid,
                         "subtree [" + std::to_string(start) + ", " + std::to_string(end) +
                             ") of the tree of size " + std::to_string(size) + ": " + why);
  };
  if (end > size) {
    return RequestInvalid("subtree end " + std::to_string(end) + " is beyond the tree size " +
                          std::to_string(size));
  }
  if (start == end) {
    // The empty subtree is consistent with every tree; its hash is MTH({}).
    if (!proof.empty()) {
      return fail("the proof must be empty for the empty subtree");
    }
    if (!Equal(subtree_hash, EmptyRoot())) {
      return fail("the empty subtree's hash must be MTH({})");
    }
    return OkStatus();
  }
  if (!IsValidSubtree(start, end)) {
    return RequestInvalid("[" + std::to_string(start) + ", " + std::to_string(end) +
                          ") is not a valid subtree");
  }
  if (start == 0 && end == size) {
    if (!proof.empty()) {
      return fail("the proof must be empty when the subtree is the tree");
    }
    if (!EqualBytes(subtree_hash, root)) {
      return fail("the subtree is the tree but roots differ");
    }
    return OkStatus();
  }
  uint64_t fn = start;     // first leaf of the subtree
  uint64_t sn = end - 1;   // last leaf of the subtree
  uint64_t tn = size - 1;  // last leaf of the tree
  if (sn == tn) {
    while (fn != sn) {
      fn >>= 1;
      sn >>= 1;
      tn >>= 1;
    }
  } else {
    while (fn != sn && (sn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
      tn >>= 1;
    }
  }
  Hash fr;
  std::span<const Hash> rest = proof;
  if (fn == sn) {
    if (subtree_hash.size() != kHashSize) {
      return fail("the subtree hash is not 32 bytes");
    }
    std::copy(subtree_hash.begin(), subtree_hash.end(), fr.begin());
  } else {
    if (proof.empty()) {
      return fail("the proof is empty");
    }
    fr = proof[0];
    rest = proof.subspan(1);
  }
  Hash sr = fr;
  for (const Hash& c : rest) {
    if (tn == 0) {
      return fail("the proof is too long");
    }
    if ((sn & 1) == 1 || sn == tn) {
      if (fn < sn) {
        fr = HashChildren(c, fr);
      }
      sr = HashChildren(c, sr);
      while ((sn & 1) == 0 && sn != 0) {
        fn >>= 1;
        sn >>= 1;
        tn >>= 1;
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
    tn >>= 1;
  }
  if (tn != 0) {
    return fail("the proof is too short");
  }
  if (!Equal(subtree_hash, fr)) {
    return fail("the proof does not lead to the subtree hash");
  }
  if (!Equal(root, sr)) {
    return fail("the proof does not lead to the tree root");
  }
  return OkStatus();
}

}  // namespace vouch::tlog

#include "vouch/tlog/proof.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"

namespace vouch::tlog {
namespace {

using testing::B64;
using testing::H64;

// Decodes a JSON proof; fails (returns false) when an element is not a 32-byte hash, which
// every such published vector expects to be an error.
bool DecodeProof(const nlohmann::json& j, std::vector<Hash>* out) {
  if (j.is_null()) {
    return true;
  }
  for (const auto& e : j) {
    auto h = HashFromBase64(e.get<std::string>());
    if (!h.ok()) {
      return false;
    }
    out->push_back(*h);
  }
  return true;
}

// ---- The published transparency-dev/merkle vectors (518 files). ----

// The published vectors of one kind ("inclusion", "consistency", ...).
std::vector<std::string> Vectors(const std::string& kind) {
  return testing::JsonFilesUnder("tlog/transparency-dev-merkle/testdata/" + kind);
}

// A vector's proof (when its elements decode) verified by `verify` fails exactly when the vector
// wants an error.
void ExpectVectorOutcome(
    const std::string& file,
    const std::function<Status(const nlohmann::json& v, const std::vector<Hash>& proof)>& verify) {
  auto v = testing::ReadJson(file);
  std::vector<Hash> proof;
  Status s = DecodeProof(v["proof"], &proof) ? verify(v, proof)
                                             : InvalidArgumentError("proof element is not a hash");
  EXPECT_EQ(s.ok(), !v["wantErr"].get<bool>()) << v["desc"] << ": " << s;
}

class InclusionVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InclusionVectorTest, MatchesExpectedOutcome) {
  ExpectVectorOutcome(GetParam(), [](const nlohmann::json& v, const std::vector<Hash>& proof) {
    return VerifyInclusion(v["leafIdx"].get<uint64_t>(), v["treeSize"].get<uint64_t>(),
                           B64(v["leafHash"]), proof, B64(v["root"]));
  });
}

INSTANTIATE_TEST_SUITE_P(TransparencyDevMerkle, InclusionVectorTest,
                         ::testing::ValuesIn(Vectors("inclusion")));

class ConsistencyVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConsistencyVectorTest, MatchesExpectedOutcome) {
  ExpectVectorOutcome(GetParam(), [](const nlohmann::json& v, const std::vector<Hash>& proof) {
    return VerifyConsistency(v["size1"].get<uint64_t>(), v["size2"].get<uint64_t>(), proof,
                             B64(v["root1"]), B64(v["root2"]));
  });
}

INSTANTIATE_TEST_SUITE_P(TransparencyDevMerkle, ConsistencyVectorTest,
                         ::testing::ValuesIn(Vectors("consistency")));

class SubtreeInclusionVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SubtreeInclusionVectorTest, MatchesExpectedOutcome) {
  ExpectVectorOutcome(GetParam(), [](const nlohmann::json& v, const std::vector<Hash>& proof) {
    return VerifySubtreeInclusion(v["leafIdx"].get<uint64_t>(), v["start"].get<uint64_t>(),
                                  v["end"].get<uint64_t>(), B64(v["leafHash"]), proof,
                                  B64(v["root"]));
  });
}

INSTANTIATE_TEST_SUITE_P(TransparencyDevMerkle, SubtreeInclusionVectorTest,
                         ::testing::ValuesIn(Vectors("subtreeinclusion")));

class SubtreeConsistencyVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SubtreeConsistencyVectorTest, MatchesExpectedOutcome) {
  ExpectVectorOutcome(GetParam(), [](const nlohmann::json& v, const std::vector<Hash>& proof) {
    return VerifySubtreeConsistency(v["start"].get<uint64_t>(), v["end"].get<uint64_t>(),
                                    v["size"].get<uint64_t>(), proof, B64(v["root1"]),
                                    B64(v["root2"]));
  });
}

INSTANTIATE_TEST_SUITE_P(TransparencyDevMerkle, SubtreeConsistencyVectorTest,
                         ::testing::ValuesIn(Vectors("subtreeconsistency")));

TEST(ProofVectorsTest, AllPublishedVectorsArePresent) {
  EXPECT_EQ(Vectors("inclusion").size(), 98u);
  EXPECT_EQ(Vectors("consistency").size(), 98u);
  EXPECT_EQ(Vectors("subtreeinclusion").size(), 204u);
  EXPECT_EQ(Vectors("subtreeconsistency").size(), 118u);
}

// ---- Generation reproduces the published happy paths and the derived Tessera proofs. ----

MemoryTree ReferenceTree() {
  auto ref = testing::ReadJson("tlog/transparency-dev-merkle/reference_tree.json");
  MemoryTree tree;
  for (const auto& hex : ref["leaf_inputs_hex"]) {
    tree.AppendEntry(*HexDecode(hex.get<std::string>()));
  }
  return tree;
}

TEST(ProofGenerationTest, ReproducesPublishedHappyPaths) {
  MemoryTree tree = ReferenceTree();
  int checked = 0;
  for (int dir = 0; dir <= 4; ++dir) {
    std::string base = "tlog/transparency-dev-merkle/testdata/";
    auto inc = testing::ReadJson(base + "inclusion/" + std::to_string(dir) + "/happy-path.json");
    std::vector<Hash> want;
    ASSERT_TRUE(DecodeProof(inc["proof"], &want));
    auto got = InclusionProof(inc["leafIdx"], inc["treeSize"], tree);
    ASSERT_THAT(got, IsOk());
    EXPECT_EQ(*got, want) << "inclusion " << dir;
    auto con = testing::ReadJson(base + "consistency/" + std::to_string(dir) + "/happy-path.json");
    want.clear();
    ASSERT_TRUE(DecodeProof(con["proof"], &want));
    auto got_c = ConsistencyProof(con["size1"], con["size2"], tree);
    ASSERT_THAT(got_c, IsOk());
    EXPECT_EQ(*got_c, want) << "consistency " << dir;
    checked += 2;
  }
  EXPECT_EQ(checked, 10);
}

TEST(ProofGenerationTest, ReproducesAllTesseraProofs) {
  auto j = testing::ReadJson("tlog/derived/tessera_log_proofs.json");
  MemoryTree tree;
  for (const auto& e : testing::TesseraEntries()) {
    tree.AppendEntry(AsBytes(e));
  }
  ASSERT_EQ(j["inclusion"].size(), 120u);
  ASSERT_EQ(j["consistency"].size(), 120u);
  for (const auto& v : j["inclusion"]) {
    std::vector<Hash> want;
    ASSERT_TRUE(DecodeProof(v["proof"], &want));
    uint64_t index = v["leafIdx"], size = v["treeSize"];
    auto got = InclusionProof(index, size, tree);
    ASSERT_THAT(got, IsOk());
    EXPECT_EQ(*got, want) << index << "/" << size;
    std::string data = v["leafData"];
    EXPECT_EQ(HashLeaf(AsBytes(data)), H64(v["leafHash"]));
    EXPECT_THAT(VerifyInclusion(index, size, HashLeaf(AsBytes(data)), want, B64(v["root"])),
                IsOk());
    EXPECT_EQ(InclusionProofLength(index, size), want.size());
  }
  for (const auto& v : j["consistency"]) {
    std::vector<Hash> want;
    ASSERT_TRUE(DecodeProof(v["proof"], &want));
    uint64_t s1 = v["size1"], s2 = v["size2"];
    auto got = ConsistencyProof(s1, s2, tree);
    ASSERT_THAT(got, IsOk());
    EXPECT_EQ(*got, want) << s1 << "->" << s2;
    EXPECT_THAT(VerifyConsistency(s1, s2, want, B64(v["root1"]), B64(v["root2"])), IsOk());
  }
}

// Exhaustive round trip on small trees: every generated proof verifies, every single-bit
// corruption, truncation or extension fails.
TEST(ProofRoundTripTest, EveryProofUpTo40LeavesVerifiesAndMutationsFail) {
  MemoryTree tree;
  for (int i = 0; i < 40; ++i) {
    tree.AppendEntry(AsBytes("leaf " + std::to_string(i)));
  }
  std::vector<Hash> roots;
  for (uint64_t s = 0; s <= 40; ++s) {
    roots.push_back(tree.RootAt(s));
  }
  for (uint64_t size = 1; size <= 40; ++size) {
    ASSERT_EQ(*TreeRoot(size, tree), roots[size]);
    for (uint64_t index = 0; index < size; ++index) {
      Hash leaf = HashLeaf(AsBytes("leaf " + std::to_string(index)));
      auto proof = InclusionProof(index, size, tree);
      ASSERT_THAT(proof, IsOk());
      ASSERT_THAT(VerifyInclusion(index, size, leaf, *proof, roots[size]), IsOk())
          << index << "/" << size;
      auto nodes = InclusionProofNodes(index, size);
      ASSERT_THAT(nodes, IsOk());
      EXPECT_GE(nodes->size(), proof->size());
      if (!proof->empty()) {
        auto bad = *proof;
        bad[bad.size() / 2][3] ^= 0x10;
        EXPECT_THAT(VerifyInclusion(index, size, leaf, bad, roots[size]),
                    ReasonIs("inclusion_proof_invalid"));
        bad = *proof;
        bad.pop_back();
        EXPECT_THAT(VerifyInclusion(index, size, leaf, bad, roots[size]),
                    ReasonIs("inclusion_proof_invalid"));
      }
      auto longer = *proof;
      longer.push_back(leaf);
      EXPECT_THAT(VerifyInclusion(index, size, leaf, longer, roots[size]),
                  ReasonIs("inclusion_proof_invalid"));
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      auto proof = ConsistencyProof(size1, size, tree);
      ASSERT_THAT(proof, IsOk());
      ASSERT_THAT(VerifyConsistency(size1, size, *proof, roots[size1], roots[size]), IsOk())
          << size1 << "->" << size;
      for (size_t i = 0; i < proof->size(); ++i) {
        auto bad = *proof;
        bad[i][0] ^= 1;
        EXPECT_THAT(VerifyConsistency(size1, size, bad, roots[size1], roots[size]),
                    ReasonIs("consistency_proof_invalid"));
      }
      if (size1 < size) {
        EXPECT_FALSE(VerifyConsistency(size1, size, *proof, roots[size1 - 1], roots[size]).ok());
        EXPECT_FALSE(VerifyConsistency(size1, size, *proof, roots[size1], roots[size - 1]).ok());
      }
    }
  }
}

TEST(ProofGenerationTest, LargeTreeProofsVerify) {
  MemoryTree tree;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    tree.AppendEntry(AsBytes(std::to_string(rng())));
  }
  for (int t = 0; t < 300; ++t) {
    uint64_t size = 1 + rng() % 5000;
    uint64_t index = rng() % size;
    uint64_t size1 = 1 + rng() % size;
    Hash leaf;
    NodeId id{0, index};
    ASSERT_THAT(tree.ReadHashes(std::span<const NodeId>(&id, 1), std::span<Hash>(&leaf, 1)),
                IsOk());
    auto inc = InclusionProof(index, size, tree);
    ASSERT_THAT(inc, IsOk());
    EXPECT_THAT(VerifyInclusion(index, size, leaf, *inc, tree.RootAt(size)), IsOk());
    auto con = ConsistencyProof(size1, size, tree);
    ASSERT_THAT(con, IsOk());
    EXPECT_THAT(VerifyConsistency(size1, size, *con, tree.RootAt(size1), tree.RootAt(size)),
                IsOk());
  }
}

TEST(ProofGenerationTest, RejectsMeaninglessRequests) {
  MemoryTree tree;
  tree.AppendEntry(AsBytes("x"));
  EXPECT_THAT(InclusionProof(1, 1, tree), ReasonIs("proof_request_invalid"));
  EXPECT_THAT(ConsistencyProof(0, 1, tree), ReasonIs("proof_request_invalid"));
  EXPECT_THAT(ConsistencyProof(2, 1, tree), ReasonIs("proof_request_invalid"));
  EXPECT_THAT(InclusionProof(0, 2, tree), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(*TreeRoot(0, tree), EmptyRoot());
  auto empty = ConsistencyProof(1, 1, tree);
  ASSERT_THAT(empty, IsOk());
  EXPECT_TRUE(empty->empty());
}

TEST(ProofVerificationTest, HugeSizesDoNotOverflow) {
  Hash leaf{};
  std::vector<Hash> proof(64);
  uint64_t max = ~uint64_t{0};
  EXPECT_FALSE(VerifyInclusion(max - 1, max, leaf, proof, leaf).ok());
  EXPECT_FALSE(VerifyConsistency(max - 1, max, proof, leaf, leaf).ok());
  EXPECT_FALSE(VerifyConsistency(uint64_t{1} << 63, max, proof, leaf, leaf).ok());
  EXPECT_FALSE(VerifySubtreeConsistency(uint64_t{1} << 63, max, max, proof, leaf, leaf).ok());
  EXPECT_EQ(InclusionProofLength(max - 1, max), 63u);
  EXPECT_FALSE(IsValidSubtree(1, (uint64_t{1} << 63) + 2));
  EXPECT_TRUE(IsValidSubtree(uint64_t{1} << 63, max));
}

}  // namespace
}  // namespace vouch::tlog

namespace vouch::tlog {
namespace {

// Counts the nodes a reader is asked for.
class CountingReader : public HashReader {
 public:
  explicit CountingReader(const HashReader& inner) : inner_(inner) {}
  Status ReadHashes(std::span<const NodeId> ids, std::span<Hash> out) const override {
    reads_ += ids.size();
    return inner_.ReadHashes(ids, out);
  }
  mutable size_t reads_ = 0;

 private:
  const HashReader& inner_;
};

TEST(RightBorderTest, ProofsMatchAndReadOnlyPerfectSubtrees) {
  MemoryTree tree;
  for (int i = 0; i < 300; ++i) {
    tree.AppendEntry(AsBytes(std::to_string(i)));
  }
  for (uint64_t size = 1; size <= 300; size += (size < 40 ? 1 : 37)) {
    CompactRange range = *CompactRange::FromReader(size, tree);
    RightBorder border(range);
    EXPECT_EQ(border.root(), tree.RootAt(size));
    EXPECT_EQ(border.SuffixHash(size), nullptr);
    EXPECT_EQ(*border.SuffixHash(0), tree.RootAt(size));
    for (uint64_t index = 0; index < size; ++index) {
      CountingReader counting(tree);
      auto with = InclusionProof(index, border, counting);
      ASSERT_THAT(with, IsOk());
      EXPECT_EQ(*with, *InclusionProof(index, size, tree)) << index << "/" << size;
      EXPECT_LE(counting.reads_, with->size());
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      CountingReader counting(tree);
      auto with = ConsistencyProof(size1, border, counting);
      ASSERT_THAT(with, IsOk());
      EXPECT_EQ(*with, *ConsistencyProof(size1, size, tree)) << size1 << "->" << size;
      EXPECT_LE(counting.reads_, with->size());
    }
  }
  RightBorder empty{CompactRange()};
  EXPECT_EQ(empty.root(), EmptyRoot());
  EXPECT_THAT(InclusionProof(0, empty, tree), ReasonIs("proof_request_invalid"));
}

}  // namespace
}  // namespace vouch::tlog

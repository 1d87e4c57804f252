#include "vouch/tlog/merkle.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"
#include "vouch/crypto/sha.h"

namespace vouch::tlog {
namespace {

using testing::HHex;

TEST(MerkleHashTest, ReferenceHasherVectors) {
  auto ref = testing::ReadJson("tlog/transparency-dev-merkle/reference_tree.json");
  for (const auto& v : ref["hasher_vectors"]) {
    std::string desc = v["desc"];
    Hash want = HHex(v["hex"]);
    if (v.contains("left_ascii")) {
      std::string l = v["left_ascii"], r = v["right_ascii"];
      EXPECT_EQ(HashChildren(AsBytes(l), AsBytes(r)), want) << desc;
    } else if (v.contains("input_ascii")) {
      std::string in = v["input_ascii"];
      EXPECT_EQ(HashLeaf(AsBytes(in)), want) << desc;
    } else if (v.contains("input_hex")) {
      EXPECT_EQ(HashLeaf(*HexDecode(v["input_hex"].get<std::string>())), want) << desc;
    } else {
      EXPECT_EQ(EmptyRoot(), want) << desc;
    }
  }
}

TEST(MerkleHashTest, ReferenceTreeLeavesAndRoots) {
  auto ref = testing::ReadJson("tlog/transparency-dev-merkle/reference_tree.json");
  std::vector<Hash> leaves;
  for (size_t i = 0; i < ref["leaf_inputs_hex"].size(); ++i) {
    Bytes input = *HexDecode(ref["leaf_inputs_hex"][i].get<std::string>());
    leaves.push_back(HashLeaf(input));
    EXPECT_EQ(leaves.back(), HHex(ref["leaf_hashes_hex"][i])) << i;
  }
  MemoryTree tree;
  CompactRange range;
  const auto& roots = ref["root_hashes_by_size_hex"];
  for (size_t size = 0; size < roots.size(); ++size) {
    Hash want = HHex(roots[size]);
    EXPECT_EQ(RootFromLeafHashes(std::span<const Hash>(leaves.data(), size)), want) << size;
    EXPECT_EQ(range.Root(), want) << size;
    EXPECT_EQ(tree.Root(), want) << size;
    if (size < leaves.size()) {
      range.Append(leaves[size]);
      tree.Append(leaves[size]);
    }
  }
  EXPECT_EQ(HexEncode(tree.Root()),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(MerkleHashTest, LargeLeafUsesStreamingPathWithSameResult) {
  Bytes big(10000, 0x61);
  Bytes prefixed = big;
  prefixed.insert(prefixed.begin(), 0x00);
  EXPECT_EQ(HashLeaf(big), Sha256(prefixed));
  Bytes exact(4096, 0x62);
  Bytes exact_prefixed = exact;
  exact_prefixed.insert(exact_prefixed.begin(), 0x00);
  EXPECT_EQ(HashLeaf(exact), Sha256(exact_prefixed));
}

TEST(MerkleHashTest, TesseraRootsBySize) {
  auto proofs = testing::ReadJson("tlog/derived/tessera_log_proofs.json");
  CompactRange range;
  const auto& entries = testing::TesseraEntries();
  for (size_t size = 0; size <= entries.size(); ++size) {
    EXPECT_EQ(Base64Encode(range.Root()),
              proofs["roots_by_size"][std::to_string(size)].get<std::string>())
        << size;
    if (size < entries.size()) {
      range.Append(HashLeaf(AsBytes(entries[size])));
    }
  }
}

TEST(HashFromTest, ChecksLengthAndEncoding) {
  EXPECT_THAT(HashFromBytes(Bytes(31)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HashFromBytes(Bytes(32)), IsOk());
  EXPECT_THAT(HashFromBase64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), IsOk());
  EXPECT_THAT(HashFromBase64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"),
              StatusIs(StatusCode::kInvalidArgument));
  // Non-canonical final bits.
  EXPECT_THAT(HashFromBase64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV="),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HashFromBase64("ZG9uJ3QgY2FyZSAx"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(DecomposeRangeTest, AlignedAndUnalignedRanges) {
  std::array<NodeId, kMaxRangeNodes> out;
  size_t n = DecomposeRange(0, 6, out);
  ASSERT_EQ(n, 2u);
  EXPECT_EQ(out[0], (NodeId{2, 0}));
  EXPECT_EQ(out[1], (NodeId{1, 2}));
  n = DecomposeRange(3, 13, out);
  // [3,4) [4,8) [8,12) [12,13)
  ASSERT_EQ(n, 4u);
  EXPECT_EQ(out[0], (NodeId{0, 3}));
  EXPECT_EQ(out[1], (NodeId{2, 1}));
  EXPECT_EQ(out[2], (NodeId{2, 2}));
  EXPECT_EQ(out[3], (NodeId{0, 12}));
  EXPECT_EQ(DecomposeRange(5, 5, out), 0u);
  n = DecomposeRange(0, ~uint64_t{0}, out);
  EXPECT_EQ(n, 64u);
  EXPECT_EQ(out[0], (NodeId{63, 0}));
  n = DecomposeRange(1, ~uint64_t{0}, out);
  EXPECT_EQ(n, 126u);
}

TEST(CompactRangeTest, MatchesMemoryTreeAndVisitsEveryNode) {
  std::mt19937_64 rng(42);
  MemoryTree tree;
  CompactRange range;
  std::vector<std::vector<Hash>> visited;
  for (uint64_t i = 0; i < 1100; ++i) {
    Hash leaf;
    for (auto& b : leaf) {
      b = static_cast<uint8_t>(rng());
    }
    tree.Append(leaf);
    range.Append(leaf, [&](uint8_t level, uint64_t index, const Hash& h) {
      if (visited.size() <= level) {
        visited.resize(level + 1);
      }
      ASSERT_EQ(visited[level].size(), index) << "nodes are visited in order";
      visited[level].push_back(h);
    });
    ASSERT_EQ(range.Root(), tree.Root()) << i;
    ASSERT_EQ(range.hashes().size(), static_cast<size_t>(std::popcount(range.size())));
  }
  // Every visited node equals the tree's node.
  for (size_t level = 0; level < visited.size(); ++level) {
    for (size_t index = 0; index < visited[level].size(); ++index) {
      NodeId id{static_cast<uint8_t>(level), index};
      Hash h;
      ASSERT_THAT(tree.ReadHashes(std::span<const NodeId>(&id, 1), std::span<Hash>(&h, 1)), IsOk());
      EXPECT_EQ(h, visited[level][index]);
    }
  }
  // Round trip through stored state, and FromReader.
  auto restored = CompactRange::Create(range.size(), range.hashes());
  ASSERT_THAT(restored, IsOk());
  EXPECT_EQ(*restored, range);
  auto from_reader = CompactRange::FromReader(range.size(), tree);
  ASSERT_THAT(from_reader, IsOk());
  EXPECT_EQ(*from_reader, range);
  EXPECT_EQ(from_reader->node_ids().size(), range.hashes().size());
}

TEST(CompactRangeTest, CreateRejectsWrongHashCount) {
  std::vector<Hash> two(2);
  EXPECT_THAT(CompactRange::Create(4, two), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CompactRange::Create(5, two), IsOk());
  EXPECT_EQ(CompactRange().Root(), EmptyRoot());
}

TEST(MemoryTreeTest, ReadHashesReportsMissingNodes) {
  MemoryTree tree;
  tree.AppendEntry(AsBytes("a"));
  NodeId id{1, 0};
  Hash h;
  EXPECT_THAT(tree.ReadHashes(std::span<const NodeId>(&id, 1), std::span<Hash>(&h, 1)),
              StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace vouch::tlog

#include "vouch/tlog/tiles.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "testing/status_matchers.h"
#include "tlog/test_util.h"
#include "vouch/base/encoding.h"
#include "vouch/base/file.h"
#include "vouch/tlog/checkpoint.h"
#include "vouch/tlog/proof.h"

namespace vouch::tlog {
namespace {

TEST(TilePathTest, SpecExamples) {
  auto j = testing::ReadJson("tlog/c2sp-spec-examples/examples.json");
  int n = 0;
  for (const auto& e : j["tile_path_examples"]) {
    uint16_t width = e.contains("width") ? e["width"].get<uint16_t>() : kTileWidth;
    TileId id =
        e.contains("entries_index")
            ? TileId::Bundle(e["entries_index"].get<uint64_t>(), width)
            : TileId::HashTile(e["level"].get<uint8_t>(), e["index"].get<uint64_t>(), width);
    EXPECT_EQ(TilePath(id), e["path"].get<std::string>());
    auto parsed = ParseTilePath(e["path"].get<std::string>());
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(*parsed, id);
    ++n;
  }
  EXPECT_EQ(n, 5);
}

TEST(TilePathTest, RoundTripsAndRejectsNonCanonicalPaths) {
  for (uint64_t index :
       {uint64_t{0}, uint64_t{999}, uint64_t{1000}, uint64_t{1234067}, ~uint64_t{0}}) {
    for (uint16_t w : {uint16_t{1}, uint16_t{255}, kTileWidth}) {
      for (const TileId& id : {TileId::HashTile(63, index, w), TileId::Bundle(index, w)}) {
        auto p = ParseTilePath(TilePath(id));
        ASSERT_THAT(p, IsOk()) << TilePath(id);
        EXPECT_EQ(*p, id);
      }
    }
  }
  EXPECT_EQ(TilePath(TileId::HashTile(0, ~uint64_t{0})),
            "tile/0/x018/x446/x744/x073/x709/x551/615");
  const char* bad[] = {
      "tile/0/1",
      "tile/0/0001",
      "tile/0/x000/001",
      "tile/0/001/002",
      "tile/0/x1/002",
      "tile/0/000.p/0",
      "tile/0/000.p/256",
      "tile/0/000.p/08",
      "tile/64/000",
      "tile/01/000",
      "tile/-1/000",
      "tile/entries",
      "tiles/0/000",
      "/tile/0/000",
      "tile/0/000/",
      "tile/0/x018/x446/x744/x073/x709/x551/616",
      "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
      "tile/data/000",
      "tile/0/000.p/",
      "tile/0/00a",
  };
  for (const char* b : bad) {
    EXPECT_THAT(ParseTilePath(b), ReasonIs("tile_path_invalid")) << b;
  }
}

TEST(TilesForSizeTest, Size70000AsInTheSpec) {
  std::map<std::pair<int, bool>, int> count;  // (level, partial) -> tiles
  std::map<int, uint16_t> partial_width;
  for (const TileId& id : HashTilesForSize(70000)) {
    count[{id.level, id.partial()}]++;
    if (id.partial()) {
      partial_width[id.level] = id.width;
    }
  }
  EXPECT_EQ((count[{0, false}]), 273);
  EXPECT_EQ((count[{0, true}]), 1);
  EXPECT_EQ(partial_width[0], 112);
  EXPECT_EQ((count[{1, false}]), 1);
  EXPECT_EQ((count[{1, true}]), 1);
  EXPECT_EQ(partial_width[1], 17);
  EXPECT_EQ((count[{2, false}]), 0);
  EXPECT_EQ((count[{2, true}]), 1);
  EXPECT_EQ(partial_width[2], 1);
  EXPECT_EQ(HashTilesForSize(70000).size(), 277u);
  EXPECT_EQ(PartialHashTilesForSize(70000).size(), 3u);
  EXPECT_EQ(EntryBundlesForSize(70000).size(), 274u);
  // Size 256: one full level-0 tile and a partial level-1 tile of width 1.
  auto s256 = HashTilesForSize(256);
  ASSERT_EQ(s256.size(), 2u);
  EXPECT_EQ(s256[0], TileId::HashTile(0, 0));
  EXPECT_EQ(s256[1], TileId::HashTile(1, 0, 1));
  EXPECT_TRUE(HashTilesForSize(0).empty());
  EXPECT_EQ(HashTileWidth(0, 273, 70000), 112);
  EXPECT_EQ(HashTileWidth(0, 272, 70000), 256);
  EXPECT_EQ(HashTileWidth(0, 274, 70000), 0);
  EXPECT_EQ(HashTileWidth(2, 0, 70000), 1);
  EXPECT_EQ(HashTileWidth(7, 0, ~uint64_t{0}), 255);
}

// Serves tiles from tests/data/tlog/tessera-testdata-log/log/.
class TesseraFiles : public TileSource {
 public:
  StatusOr<std::shared_ptr<const HashTile>> ReadHashTile(uint8_t level, uint64_t index,
                                                         uint16_t width) const override {
    TileId id = TileId::HashTile(level, index, width);
    VOUCH_ASSIGN_OR_RETURN(
        Bytes data,
        ReadFile(::vouch::testing::TestDataPath("tlog/tessera-testdata-log/log/" + TilePath(id))));
    VOUCH_ASSIGN_OR_RETURN(HashTile tile, HashTile::Parse(id, data));
    return std::make_shared<const HashTile>(std::move(tile));
  }
};

TEST(TesseraLogTest, EveryCheckpointIsRebuiltFromItsTilesAndBundles) {
  auto keys = *VerifierSet::Create({*ParseNoteVerifier(testing::kTesseraVkey)});
  const auto& entries = testing::TesseraEntries();
  TesseraFiles files;
  for (uint64_t n = 1; n <= 15; ++n) {
    auto cp = SignedCheckpoint::Parse(::vouch::testing::ReadTestDataString(
        "tlog/tessera-testdata-log/log/checkpoint." + std::to_string(n)));
    ASSERT_THAT(cp, IsOk());
    ASSERT_THAT(cp->Verify(keys), IsOk());
    ASSERT_EQ(cp->checkpoint().size(), n);
    // The level-0 partial tile of width n reproduces the signed root.
    TileHashReader reader(n, files);
    auto root = TreeRoot(n, reader);
    ASSERT_THAT(root, IsOk()) << n;
    EXPECT_EQ(*root, cp->checkpoint().root()) << n;
    // The bundle of width n holds the entries, each hashing to its tile hash.
    auto tile = files.ReadHashTile(0, 0, static_cast<uint16_t>(n));
    ASSERT_THAT(tile, IsOk());
    Bytes bundle = ::vouch::testing::ReadTestData(
        "tlog/tessera-testdata-log/log/" + TilePath(TileId::Bundle(0, static_cast<uint16_t>(n))));
    auto parsed = ParseEntryBundle(bundle, n);
    ASSERT_THAT(parsed, IsOk());
    for (uint64_t i = 0; i < n; ++i) {
      EXPECT_EQ(AsStringView((*parsed)[i]), entries[i]);
      EXPECT_EQ(HashLeaf((*parsed)[i]), (*tile)->hashes()[i]);
    }
    // Proofs generated from tiles verify against the checkpoint.
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(i, n, reader);
      ASSERT_THAT(proof, IsOk());
      EXPECT_THAT(
          VerifyInclusion(i, n, HashLeaf(AsBytes(entries[i])), *proof, cp->checkpoint().root()),
          IsOk());
    }
  }
}

TEST(TesseraLogTest, RebuildingTheEntriesGivesByteIdenticalTilesAndCheckpoints) {
  auto signer = *Ed25519NoteSigner::ParseGoPrivateKey(testing::kTesseraSkey);
  const NoteSigner* signers[] = {&signer};
  auto sign = [&](const TileIntegrator& t) {
    return *SignCheckpoint(*Checkpoint::Create(testing::kTesseraOrigin, t.size(), t.Root()),
                           signers);
  };
  TileIntegrator integrator;
  EXPECT_EQ(sign(integrator),
            ::vouch::testing::ReadTestDataString("tlog/tessera-testdata-log/log/checkpoint.0"));
  for (const std::string& e : testing::TesseraEntries()) {
    ByteSpan entry = AsBytes(e);
    auto writes = integrator.Append(std::span<const ByteSpan>(&entry, 1));
    ASSERT_THAT(writes, IsOk());
    uint64_t n = integrator.size();
    ASSERT_EQ(writes->size(), 2u) << n;
    for (const TileWrite& w : *writes) {
      EXPECT_EQ(w.id.width, n);
      std::string path = TilePath(w.id);
      EXPECT_EQ(w.data, ::vouch::testing::ReadTestData("tlog/tessera-testdata-log/log/" + path))
          << path;
    }
    EXPECT_EQ(sign(integrator),
              ::vouch::testing::ReadTestDataString("tlog/tessera-testdata-log/log/checkpoint." +
                                                   std::to_string(n)));
  }
  EXPECT_EQ(sign(integrator),
            ::vouch::testing::ReadTestDataString("tlog/tessera-testdata-log/log/checkpoint"));
}

// Tiles kept in memory, as a storage layer would (latest write of each path wins).
class MemoryTiles : public TileSource {
 public:
  void Apply(const std::vector<TileWrite>& writes) {
    for (const auto& w : writes) {
      files_[TilePath(w.id)] = w.data;
    }
  }
  StatusOr<std::shared_ptr<const HashTile>> ReadHashTile(uint8_t level, uint64_t index,
                                                         uint16_t width) const override {
    TileId id = TileId::HashTile(level, index, width);
    auto it = files_.find(TilePath(id));
    if (it == files_.end()) {
      id.width = kTileWidth;  // the full tile serves any partial request
      it = files_.find(TilePath(id));
    }
    if (it == files_.end()) {
      return NotFoundError("no tile " + TilePath(id));
    }
    VOUCH_ASSIGN_OR_RETURN(HashTile tile, HashTile::Parse(id, it->second));
    return std::make_shared<const HashTile>(std::move(tile));
  }
  const Bytes* Find(const TileId& id) const {
    auto it = files_.find(TilePath(id));
    return it == files_.end() ? nullptr : &it->second;
  }
  size_t size() const { return files_.size(); }

 private:
  std::map<std::string, Bytes> files_;
};

TEST(TileIntegratorTest, LargeLogTilesProofsAndResume) {
  std::mt19937_64 rng(1);
  std::vector<std::string> entries;
  for (int i = 0; i < 70000; ++i) {
    entries.push_back("entry-" + std::to_string(rng()));
  }
  MemoryTree tree;
  for (const auto& e : entries) {
    tree.AppendEntry(AsBytes(e));
  }

  MemoryTiles tiles;
  TileIntegrator integrator;
  size_t pos = 0;
  std::vector<uint64_t> checkpoints;
  while (pos < entries.size()) {
    size_t batch = std::min<size_t>(entries.size() - pos, 1 + rng() % 3000);
    std::vector<ByteSpan> spans;
    for (size_t i = 0; i < batch; ++i) {
      spans.push_back(AsBytes(entries[pos + i]));
    }
    auto writes = integrator.Append(spans);
    ASSERT_THAT(writes, IsOk());
    tiles.Apply(*writes);
    pos += batch;
    checkpoints.push_back(pos);
    ASSERT_EQ(integrator.Root(), tree.RootAt(pos)) << pos;
    // Every tile needed at this size exists, and the tiles rebuild the root.
    for (const TileId& id : PartialHashTilesForSize(pos)) {
      ASSERT_NE(tiles.Find(id), nullptr);
    }
    TileHashReader reader(pos, tiles);
    ASSERT_EQ(*TreeRoot(pos, reader), tree.RootAt(pos));
  }
  for (const TileId& id : HashTilesForSize(70000)) {
    const Bytes* data = tiles.Find(id);
    ASSERT_NE(data, nullptr) << TilePath(id);
    ASSERT_EQ(data->size(), size_t{id.width} * kHashSize);
  }
  for (const TileId& id : EntryBundlesForSize(70000)) {
    ASSERT_NE(tiles.Find(id), nullptr) << TilePath(id);
    auto parsed = ParseEntryBundle(*tiles.Find(id), id.width);
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(AsStringView((*parsed)[0]), entries[id.index * kTileWidth]);
  }
  // Proofs served from tiles equal those from the full tree.
  TileHashReader reader(70000, tiles);
  for (int t = 0; t < 200; ++t) {
    uint64_t index = rng() % 70000;
    uint64_t size1 = 1 + rng() % 70000;
    EXPECT_EQ(*InclusionProof(index, 70000, reader), *InclusionProof(index, 70000, tree));
    EXPECT_EQ(*ConsistencyProof(size1, 70000, reader), *ConsistencyProof(size1, 70000, tree));
  }
  // Resume at an intermediate checkpoint size from stored tiles and continue identically.
  uint64_t at = checkpoints[checkpoints.size() / 2];
  MemoryTiles replay;
  TileIntegrator first;
  std::vector<ByteSpan> head;
  for (uint64_t i = 0; i < at; ++i) {
    head.push_back(AsBytes(entries[i]));
  }
  replay.Apply(*first.Append(head));
  const Bytes* partial_bundle =
      replay.Find(TileId::Bundle(at / kTileWidth, static_cast<uint16_t>(at % kTileWidth)));
  auto resumed = TileIntegrator::Resume(at, replay, partial_bundle ? *partial_bundle : Bytes{});
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(resumed->range(), first.range());
  std::vector<ByteSpan> tail;
  for (uint64_t i = at; i < entries.size(); ++i) {
    tail.push_back(AsBytes(entries[i]));
  }
  auto w1 = first.Append(tail);
  auto w2 = resumed->Append(tail);
  ASSERT_THAT(w1, IsOk());
  ASSERT_THAT(w2, IsOk());
  ASSERT_EQ(w1->size(), w2->size());
  for (size_t i = 0; i < w1->size(); ++i) {
    EXPECT_EQ((*w1)[i].id, (*w2)[i].id);
    EXPECT_EQ((*w1)[i].data, (*w2)[i].data);
  }
  EXPECT_EQ(resumed->Root(), tree.Root());
}

TEST(TileIntegratorTest, ResumeChecksTheStoredBundle) {
  MemoryTiles tiles;
  TileIntegrator t;
  std::vector<ByteSpan> e = {AsBytes("a"), AsBytes("b"), AsBytes("c")};
  tiles.Apply(*t.Append(e));
  Bytes good = *tiles.Find(TileId::Bundle(0, 3));
  EXPECT_THAT(TileIntegrator::Resume(3, tiles, good), IsOk());
  Bytes wrong = *EncodeEntryBundle(std::vector<ByteSpan>{AsBytes("a"), AsBytes("b"), AsBytes("x")});
  EXPECT_THAT(TileIntegrator::Resume(3, tiles, wrong), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(TileIntegrator::Resume(3, tiles, Bytes{}), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(TileIntegrator::Resume(300, tiles, Bytes{}), StatusIs(StatusCode::kNotFound));
}

TEST(EntryBundleTest, LimitsAndMalformedBundles) {
  Bytes max_entry(kMaxEntrySize, 'x');
  std::vector<ByteSpan> ok = {max_entry, AsBytes("")};
  auto bundle = EncodeEntryBundle(ok);
  ASSERT_THAT(bundle, IsOk());
  EXPECT_EQ((*bundle)[0], 0xff);
  EXPECT_EQ((*bundle)[1], 0xff);
  auto parsed = ParseEntryBundle(*bundle, 2);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ((*parsed)[0].size(), kMaxEntrySize);
  EXPECT_TRUE((*parsed)[1].empty());
  Bytes too_big(kMaxEntrySize + 1, 'x');
  std::vector<ByteSpan> bad = {too_big};
  EXPECT_THAT(EncodeEntryBundle(bad), StatusIs(StatusCode::kInvalidArgument));
  TileIntegrator t;
  EXPECT_THAT(t.Append(bad), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_THAT(ParseEntryBundle(Bytes{0x00}), ReasonIs("entry_bundle_malformed"));
  EXPECT_THAT(ParseEntryBundle(Bytes{0x00, 0x02, 'a'}), ReasonIs("entry_bundle_malformed"));
  EXPECT_THAT(ParseEntryBundle(Bytes{0x00, 0x01, 'a'}, 2), ReasonIs("entry_bundle_malformed"));
  EXPECT_THAT(HashTile::Parse(TileId::HashTile(0, 0, 2), Bytes(63)), ReasonIs("tile_malformed"));
}

TEST(HashTileTest, InnerNodesMatchTheTree) {
  MemoryTree tree;
  std::vector<Hash> leaves;
  for (int i = 0; i < 200; ++i) {
    leaves.push_back(HashLeaf(AsBytes(std::to_string(i))));
    tree.Append(leaves.back());
  }
  auto tile = HashTile::FromHashes(TileId::HashTile(0, 0, 200), leaves);
  ASSERT_THAT(tile, IsOk());
  for (int h = 0; h <= kTileHeight; ++h) {
    for (uint32_t j = 0; (uint64_t{j} + 1) << h <= 200; ++j) {
      NodeId id{static_cast<uint8_t>(h), j};
      Hash want;
      ASSERT_THAT(tree.ReadHashes(std::span<const NodeId>(&id, 1), std::span<Hash>(&want, 1)),
                  IsOk());
      EXPECT_EQ(tile->Node(h, j), want) << h << "/" << j;
    }
  }
  EXPECT_EQ(tile->Serialize().size(), 200 * kHashSize);
}

}  // namespace
}  // namespace vouch::tlog

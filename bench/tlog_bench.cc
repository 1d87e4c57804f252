// tlog benchmarks (spec/transparency-log.md §2, §3, §8). Following DESIGN.md §4, compare the
// rates with BM_Sha256_65Bytes, the raw cost of one Merkle node hash measured in the same run.
//
//   ./build/default/bench/tlog_bench
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <random>

#include "vouch/crypto/sha.h"
#include "vouch/tlog/merkle.h"
#include "vouch/tlog/proof.h"
#include "vouch/tlog/tiles.h"

namespace vouch::tlog {
namespace {

constexpr uint64_t kTreeSize = 1 << 20;

// Parsed tiles kept in memory, as a server's tile cache would.
class CachedTiles : public TileSource {
 public:
  void Apply(const std::vector<TileWrite>& writes) {
    for (const auto& w : writes) {
      if (w.id.is_bundle()) continue;
      tiles_[{w.id.level, w.id.index}] =
          std::make_shared<const HashTile>(*HashTile::Parse(w.id, w.data));
    }
  }
  StatusOr<std::shared_ptr<const HashTile>> ReadHashTile(uint8_t level, uint64_t index,
                                                         uint16_t) const override {
    auto it = tiles_.find({level, index});
    if (it == tiles_.end()) return NotFoundError("no tile");
    return it->second;
  }

 private:
  std::map<std::pair<uint8_t, uint64_t>, std::shared_ptr<const HashTile>> tiles_;
};

const CachedTiles& Tiles() {
  static const CachedTiles* tiles = [] {
    auto* t = new CachedTiles;
    TileIntegrator integrator;
    std::vector<std::string> batch;
    for (uint64_t i = 0; i < kTreeSize; ++i) {
      batch.push_back("entry " + std::to_string(i));
      if (batch.size() == 4096 || i + 1 == kTreeSize) {
        std::vector<ByteSpan> spans;
        for (const auto& e : batch) spans.push_back(AsBytes(e));
        t->Apply(*integrator.Append(spans));
        batch.clear();
      }
    }
    return t;
  }();
  return *tiles;
}

void BM_Sha256_65Bytes(benchmark::State& state) {
  std::array<uint8_t, 65> buf{};
  for (auto _ : state) {
    auto d = Sha256(buf);
    buf[1] = d[0];
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Sha256_65Bytes);

void BM_HashChildren(benchmark::State& state) {
  Hash a{}, b{};
  for (auto _ : state) {
    a = HashChildren(a, b);
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_HashChildren);

void BM_CompactRangeAppend(benchmark::State& state) {
  CompactRange range;
  Hash leaf{};
  for (auto _ : state) {
    leaf[0]++;
    range.Append(leaf);
  }
  benchmark::DoNotOptimize(range.Root());
}
BENCHMARK(BM_CompactRangeAppend);

void BM_IntegrateEntries(benchmark::State& state) {
  std::vector<std::string> entries;
  for (int i = 0; i < 256; ++i)
    entries.push_back(std::string(200, static_cast<char>('a' + i % 26)));
  std::vector<ByteSpan> spans;
  for (const auto& e : entries) spans.push_back(AsBytes(e));
  TileIntegrator integrator;
  for (auto _ : state) benchmark::DoNotOptimize(integrator.Append(spans));
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_IntegrateEntries);

void BM_InclusionProofFromTiles(benchmark::State& state) {
  TileHashReader reader(kTreeSize - 3, Tiles());
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto proof = InclusionProof(rng() % (kTreeSize - 3), kTreeSize - 3, reader);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_InclusionProofFromTiles);

void BM_InclusionProofFromTilesWithBorder(benchmark::State& state) {
  TileHashReader reader(kTreeSize - 3, Tiles());
  RightBorder border(*CompactRange::FromReader(kTreeSize - 3, reader));
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto proof = InclusionProof(rng() % (kTreeSize - 3), border, reader);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_InclusionProofFromTilesWithBorder);

void BM_ConsistencyProofFromTilesWithBorder(benchmark::State& state) {
  TileHashReader reader(kTreeSize - 3, Tiles());
  RightBorder border(*CompactRange::FromReader(kTreeSize - 3, reader));
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    auto proof = ConsistencyProof(1 + rng() % (kTreeSize - 4), border, reader);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_ConsistencyProofFromTilesWithBorder);

void BM_ConsistencyProofFromTiles(benchmark::State& state) {
  TileHashReader reader(kTreeSize - 3, Tiles());
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    auto proof = ConsistencyProof(1 + rng() % (kTreeSize - 4), kTreeSize - 3, reader);
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_ConsistencyProofFromTiles);

void BM_VerifyInclusion(benchmark::State& state) {
  TileHashReader reader(kTreeSize - 3, Tiles());
  uint64_t index = 123456;
  auto proof = *InclusionProof(index, kTreeSize - 3, reader);
  NodeId leaf_id{0, index};
  Hash leaf;
  (void)reader.ReadHashes(std::span<const NodeId>(&leaf_id, 1), std::span<Hash>(&leaf, 1));
  Hash root = *TreeRoot(kTreeSize - 3, reader);
  for (auto _ : state)
    benchmark::DoNotOptimize(VerifyInclusion(index, kTreeSize - 3, leaf, proof, root));
}
BENCHMARK(BM_VerifyInclusion);

void BM_HashTileParseFull(benchmark::State& state) {
  Bytes data(kTileWidth * kHashSize, 7);
  for (auto _ : state) {
    benchmark::DoNotOptimize(HashTile::Parse(TileId::HashTile(0, 0), data));
  }
}
BENCHMARK(BM_HashTileParseFull);

}  // namespace
}  // namespace vouch::tlog

BENCHMARK_MAIN();

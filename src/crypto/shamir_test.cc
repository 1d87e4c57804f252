#include "vouch/crypto/shamir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/scripted_random.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/encoding.h"

namespace vouch::shamir {
namespace {

using ::vouch::testing::ScriptedRandom;

Bytes Hex(const nlohmann::json& j) { return *HexDecode(j.get<std::string>()); }

nlohmann::json Vectors() {
  return nlohmann::json::parse(
      vouch::testing::ReadTestDataString("provisioning/shamir/gf256-vectors.json"));
}

std::vector<SecretBytes> Pick(const std::vector<SecretBytes>& shares,
                              const std::vector<size_t>& indices) {
  std::vector<SecretBytes> out;
  for (size_t i : indices) out.push_back(shares[i].Copy());
  return out;
}

// Carry-less schoolbook multiplication with reduction, written differently from GfMul.
uint8_t ReferenceMul(uint8_t a, uint8_t b) {
  unsigned product = 0;
  for (int i = 0; i < 8; ++i) {
    if ((b >> i) & 1) product ^= static_cast<unsigned>(a) << i;
  }
  for (int bit = 14; bit >= 8; --bit) {
    if ((product >> bit) & 1) product ^= 0x11Bu << (bit - 8);
  }
  return static_cast<uint8_t>(product);
}

TEST(ShamirTest, FieldKnownAnswers) {
  auto v = Vectors();
  int checked = 0;
  for (const auto& kat : v["mul_kats"]) {
    uint8_t a = Hex(kat["a"])[0];
    uint8_t b = Hex(kat["b"])[0];
    EXPECT_EQ(GfMul(a, b), Hex(kat["a*b"])[0]) << kat["source"];
    ++checked;
  }
  EXPECT_EQ(checked, 3);
  EXPECT_EQ(GfInverse(0x02), 0x8d);
  EXPECT_EQ(GfInverse(0x00), 0x00);
}

TEST(ShamirTest, FieldMatchesReferenceEverywhere) {
  for (unsigned a = 0; a < 256; ++a) {
    for (unsigned b = 0; b < 256; ++b) {
      ASSERT_EQ(GfMul(static_cast<uint8_t>(a), static_cast<uint8_t>(b)),
                ReferenceMul(static_cast<uint8_t>(a), static_cast<uint8_t>(b)))
          << a << "·" << b;
    }
    if (a != 0) {
      ASSERT_EQ(GfMul(static_cast<uint8_t>(a), GfInverse(static_cast<uint8_t>(a))), 1) << a;
    }
  }
}

// MystenLabs/seal's published 2-of-3 vector in Vault's layout: every pair and the triple give
// the secret.
TEST(ShamirTest, Published2Of3Vector) {
  auto v = Vectors()["published"];
  std::vector<SecretBytes> shares;
  for (const auto& s : v["shares_hex"]) shares.emplace_back(Hex(s));
  ASSERT_EQ(shares.size(), 3u);
  const std::string want = v["secret_ascii"];
  for (const auto& subset :
       std::vector<std::vector<size_t>>{{0, 1}, {0, 2}, {1, 2}, {2, 0}, {0, 1, 2}}) {
    auto secret = Combine(Pick(shares, subset));
    ASSERT_THAT(secret, IsOk());
    EXPECT_EQ(AsStringView(secret->Reveal()), want);
  }
  EXPECT_THAT(Combine(Pick(shares, {1})), ReasonIs(kReasonInvalid));
}

TEST(ShamirTest, InterpolationKnownAnswer) {
  auto v = Vectors()["interpolate_kat"];
  std::vector<SecretBytes> shares;
  for (const auto& p : v["points"]) {
    shares.emplace_back(Bytes{p[1].get<uint8_t>(), p[0].get<uint8_t>()});  // y ‖ x
  }
  auto secret = Combine(shares);
  ASSERT_THAT(secret, IsOk());
  ASSERT_EQ(secret->size(), 1u);
  EXPECT_EQ(secret->Reveal()[0], v["value_at_0"].get<int>());
}

// The derived 3-of-5 split: the x-coordinates and coefficients are scripted through Split's
// RandomSource in the documented order, so the production code path reproduces the shares.
TEST(ShamirTest, Deterministic3Of5Split) {
  auto v = Vectors()["deterministic_split"];
  Bytes secret = Hex(v["secret"]);
  ScriptedRandom rng;
  for (const auto& x : v["x"]) rng.Add(Bytes{x.get<uint8_t>()});
  rng.Add(Hex(v["C"]));
  auto shares = Split(secret, v["threshold"], v["n"], rng);
  ASSERT_THAT(shares, IsOk());
  EXPECT_EQ(rng.remaining(), 0u);
  ASSERT_EQ(shares->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(HexEncode((*shares)[i].Reveal()), v["shares"][i]) << "share " << i;
  }
  int triples = 0;
  for (const auto& subset : v["combine_any_3_gives_secret"]) {
    auto got = Combine(Pick(*shares, subset.get<std::vector<size_t>>()));
    ASSERT_THAT(got, IsOk());
    EXPECT_TRUE(EqualBytes(got->Reveal(), secret)) << subset;
    ++triples;
  }
  EXPECT_EQ(triples, 10);
  int pairs = 0;
  for (const auto& c : v["combine_2_gives_other_values"]) {
    auto got = Combine(Pick(*shares, c["shares"].get<std::vector<size_t>>()));
    ASSERT_THAT(got, IsOk());
    EXPECT_EQ(HexEncode(got->Reveal()), c["combine_result"]) << c["shares"];
    EXPECT_FALSE(EqualBytes(got->Reveal(), secret));
    ++pairs;
  }
  EXPECT_EQ(pairs, 10);
}

TEST(ShamirTest, XCoordinatesSkipZeroAndRepeats) {
  ScriptedRandom rng(Bytes{0x00, 0x05, 0x05, 0x00, 0x07, 0x09});
  rng.Add(Bytes(2 * 1, 0x11));  // coefficients: 2 bytes × (k − 1 = 1)
  auto shares = Split(AsBytes("ab"), 2, 3, rng);
  ASSERT_THAT(shares, IsOk());
  EXPECT_EQ(rng.remaining(), 0u);
  EXPECT_EQ((*shares)[0].Reveal().back(), 0x05);
  EXPECT_EQ((*shares)[1].Reveal().back(), 0x07);
  EXPECT_EQ((*shares)[2].Reveal().back(), 0x09);
}

TEST(ShamirTest, RandomSplitsRecoverWithThresholdOnly) {
  Bytes secret(32);
  for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 7 + 1);
  for (size_t k = 2; k <= 5; ++k) {
    auto shares = Split(secret, k, 5);
    ASSERT_THAT(shares, IsOk());
    for (const auto& s : *shares) EXPECT_EQ(s.size(), 33u);
    // Every k consecutive shares (cyclically) recover the secret; k − 1 do not.
    for (size_t start = 0; start < 5; ++start) {
      std::vector<size_t> idx;
      for (size_t j = 0; j < k; ++j) idx.push_back((start + j) % 5);
      auto got = Combine(Pick(*shares, idx));
      ASSERT_THAT(got, IsOk());
      EXPECT_TRUE(EqualBytes(got->Reveal(), secret)) << "k=" << k << " start=" << start;
      if (k > 2) {
        idx.pop_back();
        auto short_got = Combine(Pick(*shares, idx));
        ASSERT_THAT(short_got, IsOk());
        EXPECT_FALSE(EqualBytes(short_got->Reveal(), secret));
      }
    }
  }
}

TEST(ShamirTest, SplitRejectsBadArguments) {
  EXPECT_THAT(Split({}, 2, 3), ReasonIs(kReasonInvalid));
  EXPECT_THAT(Split(AsBytes("s"), 1, 3), ReasonIs(kReasonInvalid));
  EXPECT_THAT(Split(AsBytes("s"), 4, 3), ReasonIs(kReasonInvalid));
  EXPECT_THAT(Split(AsBytes("s"), 2, 256), ReasonIs(kReasonInvalid));
  EXPECT_THAT(Split(AsBytes("s"), 255, 255), IsOk());
  ScriptedRandom empty;
  EXPECT_THAT(Split(AsBytes("s"), 2, 2, empty), StatusIs(StatusCode::kInternal));
}

TEST(ShamirTest, CombineRejectsBadShareSets) {
  auto shares = Split(AsBytes("secret"), 2, 3);
  ASSERT_THAT(shares, IsOk());
  std::vector<SecretBytes> one = Pick(*shares, {0});
  EXPECT_THAT(Combine(one), StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 2")));

  std::vector<SecretBytes> dup = Pick(*shares, {0, 1, 0});
  EXPECT_THAT(Combine(dup), StatusIs(StatusCode::kInvalidArgument, HasSubstr("duplicate")));

  std::vector<SecretBytes> inconsistent = Pick(*shares, {0, 1});
  Bytes forged(inconsistent[0].Reveal().begin(), inconsistent[0].Reveal().end());
  forged[0] ^= 1;
  inconsistent.emplace_back(forged);
  EXPECT_THAT(Combine(inconsistent),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("inconsistent")));

  std::vector<SecretBytes> lengths = Pick(*shares, {0});
  lengths.emplace_back(Bytes{1, 2, 3});
  EXPECT_THAT(Combine(lengths),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("different lengths")));

  std::vector<SecretBytes> zero = Pick(*shares, {0});
  Bytes x0(zero[0].Reveal().begin(), zero[0].Reveal().end());
  x0.back() = 0;
  zero.emplace_back(x0);
  EXPECT_THAT(Combine(zero), StatusIs(StatusCode::kInvalidArgument, HasSubstr("x = 0")));

  std::vector<SecretBytes> tiny;
  tiny.emplace_back(Bytes{1});
  tiny.emplace_back(Bytes{2});
  EXPECT_THAT(Combine(tiny), StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 2 bytes")));
}

}  // namespace
}  // namespace vouch::shamir

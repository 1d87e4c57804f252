// MrEnclaveBuilder: the record layouts against a value computed independently with Python's
// hashlib and struct.pack('<8sLQ44s' / '<8sQQ40s' / '<8sQ48s'), the formats Gramine's signer
// uses (python/graminelibos/sgx_sign.py), and the instruction-order rules.
#include "vouch/sgx/measurement.h"

#include <gtest/gtest.h>

#include "testing/status_matchers.h"
#include "vouch/base/encoding.h"

namespace vouch::sgx {
namespace {

TEST(MrEnclaveBuilderTest, MatchesIndependentComputation) {
  MrEnclaveBuilder b(1, 0x10000);
  ASSERT_THAT(b.AddPage(0, kSecinfoR | kSecinfoPageTypeReg, Bytes(kPageSize, 'A')), IsOk());
  Bytes page(kPageSize);
  for (size_t i = 0; i < page.size(); ++i) page[i] = static_cast<uint8_t>(i % 251);
  ASSERT_THAT(b.AddPage(0x1000, kSecinfoR | kSecinfoX | kSecinfoPageTypeReg, page), IsOk());
  ASSERT_THAT(b.EAdd(0x2000, kSecinfoR | kSecinfoPageTypeReg), IsOk());  // added, not extended
  EXPECT_EQ(HexEncode(b.Finish()),
            "5652722217efd706c4ab85447bb8cb0d5e0afd52bbed936f5c068826b8f31b01");
}

TEST(MrEnclaveBuilderTest, EveryInputChangesTheResult) {
  auto measure = [](uint32_t ssa, uint64_t size, uint64_t offset, uint64_t flags, uint8_t fill) {
    MrEnclaveBuilder b(ssa, size);
    EXPECT_THAT(b.AddPage(offset, flags, Bytes(kPageSize, fill)), IsOk());
    return b.Finish();
  };
  Sha256Digest base = measure(1, 0x100000, 0, 0x201, 1);
  EXPECT_EQ(base, measure(1, 0x100000, 0, 0x201, 1));
  EXPECT_NE(base, measure(2, 0x100000, 0, 0x201, 1));
  EXPECT_NE(base, measure(1, 0x200000, 0, 0x201, 1));
  EXPECT_NE(base, measure(1, 0x100000, 0x1000, 0x201, 1));
  EXPECT_NE(base, measure(1, 0x100000, 0, 0x205, 1));
  EXPECT_NE(base, measure(1, 0x100000, 0, 0x201, 2));
}

TEST(MrEnclaveBuilderTest, EnforcesInstructionRules) {
  MrEnclaveBuilder b(1, 0x4000);
  EXPECT_THAT(b.EAdd(0x800, 0x201), StatusIs(StatusCode::kInvalidArgument));      // unaligned
  EXPECT_THAT(b.EAdd(0x4000, 0x201), StatusIs(StatusCode::kInvalidArgument));     // outside
  EXPECT_THAT(b.EExtend(0, Bytes(256)), StatusIs(StatusCode::kInvalidArgument));  // not added
  ASSERT_THAT(b.EAdd(0, 0x201), IsOk());
  EXPECT_THAT(b.EAdd(0, 0x201), StatusIs(StatusCode::kInvalidArgument));  // twice
  EXPECT_THAT(b.EExtend(0x80, Bytes(256)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(b.EExtend(0x100, Bytes(255)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(b.EExtend(0x100, Bytes(256)), IsOk());
  EXPECT_THAT(b.AddPage(0x1000, 0x201, Bytes(100)), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace vouch::sgx

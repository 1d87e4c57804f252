#include "vouch/provision/nonce_book.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "testing/concurrently.h"
#include "testing/fake_clock.h"
#include "testing/scripted_random.h"
#include "testing/status_matchers.h"

namespace vouch::provision {
namespace {

using std::chrono::seconds;
using ::vouch::testing::FakeClock;
using ::vouch::testing::RunConcurrently;
using ::vouch::testing::ScriptedRandom;

// Distinct, reproducible "random" nonces: a counter in the first eight bytes.
class CountingRandom final : public RandomSource {
 public:
  Status Fill(std::span<uint8_t> out) override {
    std::fill(out.begin(), out.end(), uint8_t{0xA5});
    uint64_t n = ++draws_;
    for (size_t i = 0; i < 8 && i < out.size(); ++i, n >>= 8) out[i] = static_cast<uint8_t>(n);
    return OkStatus();
  }
  uint64_t draws() const { return draws_; }

 private:
  uint64_t draws_ = 0;
};

EnvelopeId Id(uint32_t n) {
  EnvelopeId id{};
  for (size_t i = 0; i < 4; ++i) id[i] = static_cast<uint8_t>(n >> (8 * i));
  id[15] = 0x77;
  return id;
}

class NonceBookTest : public ::testing::Test {
 protected:
  std::unique_ptr<NonceBook> Make(const NonceBookOptions& options = {}) {
    auto book = NonceBook::Create(options, clock_, random_);
    EXPECT_THAT(book, IsOk());
    return book.ok() ? std::move(*book) : nullptr;
  }
  IssuedNonce MustIssue(NonceBook& book, const EnvelopeId& id) {
    auto issued = book.Issue(id);
    EXPECT_THAT(issued, IsOk());
    return issued.ok() ? *issued : IssuedNonce{};
  }

  FakeClock clock_;
  CountingRandom random_;
};

TEST_F(NonceBookTest, IssuesFreshNonceValidForTtlAndConsumesItOnce) {
  auto book = Make();
  auto a = book->Issue(Id(1));
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->expires, clock_.Now() + 120);
  auto b = book->Issue(Id(1));
  ASSERT_THAT(b, IsOk());
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_EQ(random_.draws(), 2u);
  EXPECT_EQ(book->outstanding(), 2u);

  EXPECT_THAT(book->Consume(a->nonce, Id(1)), IsOk());
  EXPECT_EQ(book->outstanding(), 1u);
  EXPECT_EQ(book->retained(), 2u);  // a is a tombstone
  EXPECT_THAT(book->Consume(b->nonce, Id(1)), IsOk());
  EXPECT_EQ(book->outstanding(), 0u);
}

TEST_F(NonceBookTest, UnknownNonceIsRefused) {
  auto book = Make();
  MustIssue(*book, Id(1));
  Nonce other{};
  other[0] = 0x42;
  Status s = book->Consume(other, Id(1));
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(s, ReasonIs(kReasonNonceUnknown));
}

TEST_F(NonceBookTest, NonceForAnotherEnvelopeIsRefusedAndNotBurnt) {
  auto book = Make();
  IssuedNonce n = MustIssue(*book, Id(1));
  Status s = book->Consume(n.nonce, Id(2));
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(s, ReasonIs(kReasonNonceEnvelopeMismatch));
  EXPECT_EQ(book->outstanding(), 1u);
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), IsOk());
}

TEST_F(NonceBookTest, ReplayIsReportedAsUsedUntilExpiry) {
  auto book = Make();
  IssuedNonce n = MustIssue(*book, Id(1));
  ASSERT_THAT(book->Consume(n.nonce, Id(1)), IsOk());
  Status s = book->Consume(n.nonce, Id(1));
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(s, ReasonIs(kReasonNonceUsed));
  clock_.Advance(seconds(119));
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), ReasonIs(kReasonNonceUsed));
  // The envelope check comes first: a replay under another id is a mismatch.
  EXPECT_THAT(book->Consume(n.nonce, Id(2)), ReasonIs(kReasonNonceEnvelopeMismatch));
  // Once expired, a tombstone answers as any expired nonce.
  clock_.Advance(seconds(1));
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), ReasonIs(kReasonNonceExpired));
}

TEST_F(NonceBookTest, ExpiresExactlyAtExpires) {
  auto book = Make();
  IssuedNonce a = MustIssue(*book, Id(1));
  IssuedNonce b = MustIssue(*book, Id(1));
  clock_.SetNow(a.expires - 1);
  EXPECT_THAT(book->Consume(a.nonce, Id(1)), IsOk());
  clock_.SetNow(b.expires);
  Status s = book->Consume(b.nonce, Id(1));
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(s, ReasonIs(kReasonNonceExpired));
  EXPECT_EQ(book->outstanding(), 0u);
}

TEST_F(NonceBookTest, ExpiredNonceIsReportedExpiredForOneMoreTtlThenForgotten) {
  auto book = Make({.ttl = seconds(30)});
  IssuedNonce n = MustIssue(*book, Id(1));
  clock_.SetNow(n.expires + 29);
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), ReasonIs(kReasonNonceExpired));
  EXPECT_EQ(book->retained(), 1u);
  clock_.SetNow(n.expires + 30);
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), ReasonIs(kReasonNonceUnknown));
  EXPECT_EQ(book->retained(), 0u);
}

TEST_F(NonceBookTest, WallClockSteppingBackDoesNotReviveCountedExpiredNonce) {
  auto book = Make();
  IssuedNonce n = MustIssue(*book, Id(1));
  clock_.SetNow(n.expires);
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), ReasonIs(kReasonNonceExpired));
  EXPECT_EQ(book->outstanding(), 0u);
  // Back before its expiry: now < expires holds again, so it may be used once, and the
  // outstanding count stays right.
  clock_.SetNow(n.expires - 5);
  EXPECT_EQ(book->outstanding(), 0u);
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), IsOk());
  EXPECT_THAT(book->Consume(n.nonce, Id(1)), ReasonIs(kReasonNonceUsed));
  EXPECT_EQ(book->outstanding(), 0u);
}

TEST_F(NonceBookTest, PerEnvelopeLimitIsRateLimited) {
  auto book = Make();
  std::vector<IssuedNonce> issued;
  issued.reserve(16);
  for (int i = 0; i < 16; ++i) issued.push_back(MustIssue(*book, Id(1)));
  auto refused = book->Issue(Id(1));
  EXPECT_THAT(refused, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(refused.status(), ReasonIs(kReasonRateLimited));
  EXPECT_EQ(random_.draws(), 16u);  // nothing drawn for a refusal
  // Other envelopes are not affected.
  EXPECT_THAT(book->Issue(Id(2)), IsOk());
  // Using one frees its slot; a mismatched attempt does not.
  ASSERT_THAT(book->Consume(issued[0].nonce, Id(1)), IsOk());
  EXPECT_THAT(book->Consume(issued[1].nonce, Id(3)), ReasonIs(kReasonNonceEnvelopeMismatch));
  EXPECT_THAT(book->Issue(Id(1)), IsOk());
  EXPECT_THAT(book->Issue(Id(1)), StatusIs(StatusCode::kResourceExhausted));
  // Expiry frees all of them.
  clock_.Advance(seconds(120));
  for (int i = 0; i < 16; ++i) EXPECT_THAT(book->Issue(Id(1)), IsOk());
}

TEST_F(NonceBookTest, GlobalLimitIsBusy) {
  auto book = Make({.max_per_envelope = 2, .max_outstanding = 5, .max_retained = 6});
  std::vector<IssuedNonce> issued;
  for (uint32_t i = 0; i < 5; ++i) issued.push_back(MustIssue(*book, Id(i)));
  auto refused = book->Issue(Id(9));
  EXPECT_THAT(refused, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(refused.status(), ReasonIs(kReasonBusy));
  // Using one frees a slot.
  ASSERT_THAT(book->Consume(issued[3].nonce, Id(3)), IsOk());
  EXPECT_THAT(book->Issue(Id(9)), IsOk());
  EXPECT_THAT(book->Issue(Id(9)).status(), ReasonIs(kReasonBusy));
}

TEST_F(NonceBookTest, PerEnvelopeLimitIsCheckedBeforeGlobalLimit) {
  auto book = Make({.max_per_envelope = 2, .max_outstanding = 2, .max_retained = 3});
  MustIssue(*book, Id(0));
  MustIssue(*book, Id(0));
  EXPECT_THAT(book->Issue(Id(0)).status(), ReasonIs(kReasonRateLimited));
  EXPECT_THAT(book->Issue(Id(1)).status(), ReasonIs(kReasonBusy));
}

TEST_F(NonceBookTest, OptionsOutOfRangeAreRefused) {
  auto refused = [&](const NonceBookOptions& o) {
    auto book = NonceBook::Create(o, clock_, random_);
    EXPECT_THAT(book, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(book.status(), ReasonIs(kReasonNonceBookOptions));
  };
  auto accepted = [&](const NonceBookOptions& o) {
    EXPECT_THAT(NonceBook::Create(o, clock_, random_), IsOk());
  };
  NonceBookOptions o;
  o.ttl = seconds(9);
  refused(o);
  o.ttl = seconds(10);
  accepted(o);
  o.ttl = seconds(600);
  accepted(o);
  o.ttl = seconds(601);
  refused(o);
  o = {};
  o.max_per_envelope = 0;
  refused(o);
  o = {};
  o.max_outstanding = 15;
  refused(o);
  o = {};
  o.max_retained = o.max_outstanding;
  refused(o);
  o.max_retained = o.max_outstanding + 1;
  accepted(o);
}

TEST_F(NonceBookTest, RandomFailureIssuesNothing) {
  ScriptedRandom empty;
  auto book = NonceBook::Create({}, clock_, empty);
  ASSERT_THAT(book, IsOk());
  EXPECT_THAT((*book)->Issue(Id(1)), StatusIs(StatusCode::kInternal));
  EXPECT_EQ((*book)->outstanding(), 0u);
  EXPECT_EQ((*book)->retained(), 0u);
}

TEST_F(NonceBookTest, RepeatedNonceFromRandomSourceIsRefused) {
  Bytes same(32, 0x11);
  ScriptedRandom twice;
  twice.Add(same);
  twice.Add(same);
  auto book = NonceBook::Create({}, clock_, twice);
  ASSERT_THAT(book, IsOk());
  auto first = (*book)->Issue(Id(1));
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT((*book)->Issue(Id(2)), StatusIs(StatusCode::kInternal));
  EXPECT_EQ((*book)->outstanding(), 1u);
  // The first one still belongs to envelope 1.
  EXPECT_THAT((*book)->Consume(first->nonce, Id(1)), IsOk());
}

// A steady stream of challenges, some used and some abandoned: the book holds at most what was
// issued in the last two TTLs (outstanding or tombstone for one, expired for the next).
TEST_F(NonceBookTest, ExpiredEntriesAreCollectedSoMemoryStaysBounded) {
  auto book = Make({.ttl = seconds(10)});
  constexpr size_t kPerSecond = 40;
  uint32_t next_id = 0;
  for (int t = 0; t < 300; ++t) {
    for (size_t i = 0; i < kPerSecond; ++i) {
      IssuedNonce n = MustIssue(*book, Id(next_id));
      if (i % 2 == 0) {
        ASSERT_THAT(book->Consume(n.nonce, Id(next_id)), IsOk());
      }
      ++next_id;
    }
    ASSERT_LE(book->retained(), kPerSecond * 2 * 10);
    ASSERT_LE(book->outstanding(), kPerSecond / 2 * 10);
    clock_.Advance(seconds(1));
  }
  EXPECT_EQ(random_.draws(), 300 * kPerSecond);
  clock_.Advance(seconds(20));
  MustIssue(*book, Id(0));
  EXPECT_EQ(book->retained(), 1u);
  EXPECT_EQ(book->outstanding(), 1u);
}

// Issue-and-use cycles leave tombstones that the outstanding limit does not count: max_retained
// bounds them, and the oldest are forgotten first. Outstanding nonces are never forgotten.
TEST_F(NonceBookTest, RetainedEntriesAreHardBoundedAndOutstandingOnesKept) {
  auto book = Make({.max_per_envelope = 4, .max_outstanding = 5, .max_retained = 10});
  std::vector<IssuedNonce> kept;
  kept.reserve(4);
  for (int i = 0; i < 4; ++i) kept.push_back(MustIssue(*book, Id(1)));
  std::vector<IssuedNonce> used;
  for (int i = 0; i < 100; ++i) {
    used.push_back(MustIssue(*book, Id(2)));
    ASSERT_THAT(book->Consume(used.back().nonce, Id(2)), IsOk());
    ASSERT_LE(book->retained(), 10u);
  }
  EXPECT_EQ(book->retained(), 10u);
  // The six newest tombstones remain; older ones were forgotten.
  for (size_t i = 0; i < used.size(); ++i) {
    EXPECT_THAT(book->Consume(used[i].nonce, Id(2)),
                ReasonIs(i >= used.size() - 6 ? kReasonNonceUsed : kReasonNonceUnknown))
        << i;
  }
  for (const IssuedNonce& n : kept) EXPECT_THAT(book->Consume(n.nonce, Id(1)), IsOk());
}

TEST_F(NonceBookTest, ExpiredEntriesAreForgottenBeforeTombstones) {
  auto book = Make({.max_per_envelope = 4, .max_outstanding = 4, .max_retained = 5});
  IssuedNonce old_a = MustIssue(*book, Id(1));
  IssuedNonce old_b = MustIssue(*book, Id(1));
  clock_.Advance(seconds(60));
  IssuedNonce t1 = MustIssue(*book, Id(2));
  ASSERT_THAT(book->Consume(t1.nonce, Id(2)), IsOk());
  IssuedNonce t2 = MustIssue(*book, Id(2));
  ASSERT_THAT(book->Consume(t2.nonce, Id(2)), IsOk());
  clock_.Advance(seconds(60));  // old_a and old_b expire; the tombstones do not
  MustIssue(*book, Id(3));
  MustIssue(*book, Id(3));  // full: forgets old_a
  EXPECT_EQ(book->retained(), 5u);
  EXPECT_THAT(book->Consume(old_a.nonce, Id(1)), ReasonIs(kReasonNonceUnknown));
  EXPECT_THAT(book->Consume(old_b.nonce, Id(1)), ReasonIs(kReasonNonceExpired));
  EXPECT_THAT(book->Consume(t1.nonce, Id(2)), ReasonIs(kReasonNonceUsed));
  EXPECT_THAT(book->Consume(t2.nonce, Id(2)), ReasonIs(kReasonNonceUsed));
}

TEST_F(NonceBookTest, ConcurrentConsumeOfOneNonceSucceedsExactlyOnce) {
  auto book = Make();
  constexpr int kThreads = 6;
  for (int round = 0; round < 300; ++round) {
    IssuedNonce n = MustIssue(*book, Id(static_cast<uint32_t>(round)));
    std::atomic<int> ok{0};
    std::atomic<int> used{0};
    RunConcurrently(kThreads, [&] {
      Status s = book->Consume(n.nonce, Id(static_cast<uint32_t>(round)));
      if (s.ok()) {
        ++ok;
      } else if (s.reason() == kReasonNonceUsed) {
        ++used;
      }
    });
    ASSERT_EQ(ok.load(), 1) << "round " << round;
    ASSERT_EQ(used.load(), kThreads - 1) << "round " << round;
  }
  EXPECT_EQ(book->outstanding(), 0u);
}

}  // namespace
}  // namespace vouch::provision

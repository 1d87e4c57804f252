#include "vouch/base/bounded_memo.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace vouch {
namespace {

TEST(BoundedMemoTest, RemembersUpToItsCapacityAndForgetsTheOldestFirst) {
  BoundedMemo<int, std::string> memo(2);
  EXPECT_EQ(memo.Get(1), std::nullopt);
  memo.Put(1, "one");
  memo.Put(2, "two");
  memo.Put(1, "uno");  // kept as it was, and in its place
  EXPECT_EQ(memo.Get(1), "one");
  memo.Put(3, "three");
  EXPECT_EQ(memo.Get(1), std::nullopt);
  EXPECT_EQ(memo.Get(2), "two");
  EXPECT_EQ(memo.Get(3), "three");
  BoundedMemo<int, int> none(0);
  none.Put(1, 1);
  EXPECT_EQ(none.Get(1), std::nullopt);
}

TEST(BoundedMemoTest, ManyThreadsStayWithinTheCapacity) {
  BoundedMemo<int, int> memo(64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&memo, t] {
      for (int i = 0; i < 1000; ++i) {
        memo.Put(t * 1000 + i, i);
        (void)memo.Get(t * 1000 + i / 2);
      }
    });
  }
  for (auto& t : threads) t.join();
  int remembered = 0;
  for (int k = 0; k < 4000; ++k) remembered += memo.Get(k).has_value() ? 1 : 0;
  EXPECT_EQ(remembered, 64);
}

}  // namespace
}  // namespace vouch

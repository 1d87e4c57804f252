// NonceSource: nonces are distinct across batches, and a forked child never repeats its
// parent's nonces.
#include "seal/nonce_source.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "testing/status_matchers.h"

namespace vouch::seal::internal {
namespace {

using Nonce = std::array<uint8_t, NonceSource::kNonceSize>;

TEST(NonceSourceTest, DistinctAcrossBatches) {
  NonceSource source;
  std::set<Nonce> seen;
  for (size_t i = 0; i < 5 * NonceSource::kBatch + 3; ++i) {
    Nonce n;
    ASSERT_THAT(source.Next(n), IsOk());
    EXPECT_TRUE(seen.insert(n).second) << i;
  }
}

TEST(NonceSourceTest, ForkedChildDrawsFreshNonces) {
  NonceSource source;
  Nonce first;
  ASSERT_THAT(source.Next(first), IsOk());  // the batch is now filled and shared by a fork
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Nonce n;
    bool ok = source.Next(n).ok();
    ssize_t w = ::write(fds[1], n.data(), n.size());
    ::_exit(ok && w == static_cast<ssize_t>(n.size()) ? 0 : 1);
  }
  Nonce parent, child;
  ASSERT_THAT(source.Next(parent), IsOk());
  ASSERT_EQ(::read(fds[0], child.data(), child.size()), static_cast<ssize_t>(child.size()));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(parent, child);
  EXPECT_NE(first, child);
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace vouch::seal::internal

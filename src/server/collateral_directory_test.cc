#include "vouch/server/collateral_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "testing/fake_clock.h"
#include "testing/status_matchers.h"
#include "testing/test_data.h"
#include "vouch/base/file.h"
#include "vouch/platform/sim.h"
#include "vouch/sgx/collateral.h"

namespace vouch::server {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr UnixSeconds kT0 = 1'790'000'000;
constexpr auto kInterval = std::chrono::seconds(10);
constexpr std::string_view kNotACrl = "not a CRL";

class CollateralDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = ::vouch::testing::MakeTempDir("collateral_directory_test");
    auto sim = platform::SimInstallation::Init(tmp_ + "/sim", kT0, false);
    ASSERT_THAT(sim, IsOk());
    for (UnixSeconds at : {kT0, kT0 + 86'400}) {
      auto c = sim->CollateralAt(at);
      ASSERT_THAT(c, IsOk());
      versions_.push_back(*std::move(c));
    }
    dir_ = tmp_ + "/collateral";
    ASSERT_THAT(sgx::WriteCollateralDirectory(versions_[0], dir_), IsOk());
  }

  StatusOr<CollateralSource> Watch() {
    CollateralDirectoryOptions options;
    options.check_interval = kInterval;
    options.on_event = [this](const std::string& e) { events_.push_back(e); };
    return WatchCollateralDirectory(dir_, clock_, options);
  }

  // The TCB Info body of what `source` answers now.
  std::string TcbInfo(const CollateralSource& source) {
    auto c = source({}, kT0);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? std::string(AsStringView(c->tcb_info.body)) : "";
  }
  std::string TcbInfoOf(int version) {
    return std::string(AsStringView(versions_[version].tcb_info.body));
  }

  std::string tmp_;
  std::string dir_;
  std::vector<sgx::Collateral> versions_;  // collateral issued at kT0 and a day later
  ::vouch::testing::FakeClock clock_{kT0};
  std::vector<std::string> events_;
};

TEST_F(CollateralDirectoryTest, AnswersWithTheDirectorysCollateral) {
  ASSERT_NE(TcbInfoOf(0), TcbInfoOf(1));
  auto source = Watch();
  ASSERT_THAT(source, IsOk());
  EXPECT_EQ(TcbInfo(*source), TcbInfoOf(0));
  EXPECT_THAT(events_, IsEmpty());
}

TEST_F(CollateralDirectoryTest, AMissingOrBrokenDirectoryIsRefusedAtStart) {
  dir_ = tmp_ + "/nothing-here";
  EXPECT_FALSE(Watch().ok());
  dir_ = tmp_ + "/broken";
  ASSERT_THAT(sgx::WriteCollateralDirectory(versions_[0], dir_), IsOk());
  ASSERT_THAT(WriteFileAtomic(dir_ + "/root_ca_crl.der", AsBytes(kNotACrl), 0644), IsOk());
  EXPECT_FALSE(Watch().ok());
}

TEST_F(CollateralDirectoryTest, ARewrittenDirectoryIsReadAgainAtTheNextLook) {
  auto source = Watch();
  ASSERT_THAT(source, IsOk());
  ASSERT_THAT(sgx::WriteCollateralDirectory(versions_[1], dir_), IsOk());
  // Not looked at before the interval has passed.
  clock_.Advance(kInterval - std::chrono::seconds(1));
  EXPECT_EQ(TcbInfo(*source), TcbInfoOf(0));
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(TcbInfo(*source), TcbInfoOf(1));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_THAT(events_[0], HasSubstr("read again"));
  // Unchanged: nothing read, nothing told.
  clock_.Advance(kInterval);
  EXPECT_EQ(TcbInfo(*source), TcbInfoOf(1));
  EXPECT_EQ(events_.size(), 1u);
}

TEST_F(CollateralDirectoryTest, ABrokenUpdateKeepsTheLastGoodReadUntilItIsMended) {
  auto source = Watch();
  ASSERT_THAT(source, IsOk());
  // A half-written update: one file replaced by something that does not parse.
  ASSERT_THAT(WriteFileAtomic(dir_ + "/root_ca_crl.der", AsBytes(kNotACrl), 0644), IsOk());
  clock_.Advance(kInterval);
  EXPECT_EQ(TcbInfo(*source), TcbInfoOf(0));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_THAT(events_[0], HasSubstr("unusable, keeping the last good read"));
  // Tried again at every look, told once.
  clock_.Advance(kInterval);
  EXPECT_EQ(TcbInfo(*source), TcbInfoOf(0));
  EXPECT_EQ(events_.size(), 1u);
  // The update completed.
  ASSERT_THAT(sgx::WriteCollateralDirectory(versions_[1], dir_), IsOk());
  clock_.Advance(kInterval);
  EXPECT_EQ(TcbInfo(*source), TcbInfoOf(1));
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_THAT(events_[1], HasSubstr("read again"));
}

}  // namespace
}  // namespace vouch::server

// First use of a device by a user, remembered in the store across restarts.
#include <gtest/gtest.h>

#include "access/access.h"
#include "support/test_support.h"

namespace wardline::access {
namespace {

class History : public ::testing::TestWithParam<std::string> {
 protected:
  testing::TempDir dir_;
};

TEST_P(History, FirstUseOncePerUserAndDeviceAcrossRestarts) {
  auto store = testing::open_test_store(GetParam(), dir_.path());
  ASSERT_NE(store, nullptr);
  {
    DeviceHistory h(*store);
    EXPECT_TRUE(h.first_use("kim", "ipad-1", 100));
    EXPECT_FALSE(h.first_use("kim", "ipad-1", 200));
    EXPECT_TRUE(h.first_use("kim", "phone-2", 300));
    EXPECT_TRUE(h.first_use("lee", "ipad-1", 400));
  }
  DeviceHistory after_restart(*store);
  EXPECT_FALSE(after_restart.first_use("kim", "ipad-1", 500));
  EXPECT_FALSE(after_restart.first_use("lee", "ipad-1", 600));
  EXPECT_TRUE(after_restart.first_use("lee", "phone-2", 700));
}

INSTANTIATE_TEST_SUITE_P(Stores, History, ::testing::ValuesIn(testing::kStoreKinds));

}  // namespace
}  // namespace wardline::access

#include "arch/kernel_probe.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

TEST(ProbeKernelTest, ThisKernel) {
  absl::StatusOr<KernelProbe> p = ProbeKernel(/*full=*/true);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->actions.trace);
  EXPECT_FALSE(p->release.empty());
  EXPECT_FALSE(p->abis.empty());
  EXPECT_THAT(p->ToJson(), HasSubstr("\"rewrite_path\":"));
}

}  // namespace
}  // namespace sysgate

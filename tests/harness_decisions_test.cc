// The library's handlers on brokered calls (issue 13): a handler comes
// first, and what it lets run is the policy's and then the broker's to
// decide, exactly as without a handler.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/harness.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

constexpr char kGrants[] =
    "broker read /usr/**\n"
    "broker exec /usr/bin/*\n";

std::unique_ptr<Harness> Brokered() {
  absl::StatusOr<std::unique_ptr<Harness>> h = Harness::Create(kGrants);
  EXPECT_TRUE(h.ok()) << h.status();
  return std::move(*h);
}

TEST(HarnessDecisionsTest, AllowLeavesTheCallToTheBroker) {
  auto h = Brokered();
  int seen = 0;
  h->On("openat", [&](Call&) {
    ++seen;
    return Decision::Allow();
  });
  absl::StatusOr<HarnessResult> r = h->RunFunction([] {
    int granted = open("/usr/bin/true", O_RDONLY);
    int denied = open("/etc/hostname", O_RDONLY);
    return (granted >= 0 ? 0 : 1) | (denied < 0 && errno == EACCES ? 0 : 2);
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(seen, 2);
  ASSERT_EQ(r->violations().size(), 1u);
  EXPECT_EQ(r->violations()[0].rule, "broker default");
  EXPECT_THAT(r->violations()[0].detail,
              HasSubstr("resolved to /etc/hostname"));
}

TEST(HarnessDecisionsTest, FailAndReturnAreTheHandlers) {
  auto h = Brokered();
  h->On("newfstatat", [](Call&) { return Decision::Fail(ENOENT); });
  h->On("execve", [](Call&) { return Decision::Return(0); });
  absl::StatusOr<HarnessResult> r = h->RunFunction([] {
    struct stat st;
    bool failed = stat("/usr/bin/true", &st) != 0 && errno == ENOENT;
    // Returns 0 without running: the function goes on.
    char* const argv[] = {const_cast<char*>("true"), nullptr};
    bool returned = execv("/usr/bin/true", argv) == 0;
    return (failed ? 0 : 1) | (returned ? 0 : 2);
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_TRUE(r->violations().empty());
}

TEST(HarnessDecisionsTest, AnExecTheHandlerLetsRunIsCheckedByTheBroker) {
  auto h = Brokered();
  h->On("execve", [](Call&) { return Decision::Allow(); });
  absl::StatusOr<HarnessResult> granted = h->RunFunction([] {
    char* const argv[] = {const_cast<char*>("false"), nullptr};
    execv("/usr/bin/false", argv);
    return 99;
  });
  ASSERT_TRUE(granted.ok()) << granted.status();
  EXPECT_EQ(granted->exit_code, 1);  // /usr/bin/false ran.
  absl::StatusOr<HarnessResult> denied = h->RunFunction([] {
    char* const argv[] = {const_cast<char*>("nologin"), nullptr};
    execv("/usr/sbin/nologin", argv);
    return errno == EACCES ? 0 : 1;
  });
  ASSERT_TRUE(denied.ok()) << denied.status();
  EXPECT_EQ(denied->exit_code, 0);
  ASSERT_EQ(denied->violations().size(), 1u);
  EXPECT_EQ(denied->violations()[0].rule, "broker default");
}

TEST(HarnessDecisionsTest, InspectSeesTheBrokersResult) {
  auto h = Brokered();
  int64_t seen = -1000;
  h->On("openat", [&](Call&) {
    return Decision::Inspect([&](int64_t result) -> absl::optional<int64_t> {
      seen = result;
      return absl::nullopt;
    });
  });
  absl::StatusOr<HarnessResult> r = h->RunFunction(
      [] { return open("/etc/hostname", O_RDONLY) < 0 ? 0 : 1; });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(seen, -EACCES);  // The broker's answer, seen at the exit.
}

}  // namespace
}  // namespace sysgate

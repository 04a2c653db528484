// End to end: --fake-time (issue 5), for dynamic, static and 32-bit
// programs, and the vsyscall page, without LD_PRELOAD.
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kY2K = 946684800;

int64_t Value(const std::string& out, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, key + " = ")) {
      int64_t v;
      if (absl::SimpleAtoi(line.substr(key.size() + 3), &v)) return v;
    }
  }
  return -1;
}

TEST(FakeTimeTest, DateSeesTheYear2000) {
  Outcome o =
      RunSysgate({"run", "--fake-time=@946684800", "--", "date", "-u", "+%Y"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "2000\n");
}

TEST(FakeTimeTest, EveryRealtimeClockMovesMonotonicDoesNot) {
  std::vector<std::string> programs = {"calls", "calls_static"};
  if (HasCompatAbi()) programs.push_back("calls32");
  for (const std::string& program : programs) {
    Outcome o = RunSysgate(
        {"run", "--fake-time=@946684800", "--", Tracee(program), "clocks"});
    EXPECT_EQ(o.status, 0) << program << o.err;
    for (const char* key : {"time", "gettimeofday", "realtime"}) {
      int64_t v = Value(o.out, key);
      // A second of slack below: glibc may read CLOCK_REALTIME_COARSE
      // (i386 time()), which lags the fine clock by up to a tick.
      EXPECT_GE(v, kY2K - 1) << program << " " << key << "\n" << o.out;
      EXPECT_LT(v, kY2K + 120) << program << " " << key << "\n" << o.out;
    }
    // CLOCK_MONOTONIC counts from boot, as before.
    int64_t mono = Value(o.out, "monotonic");
    EXPECT_GE(mono, 0) << program;
    EXPECT_LT(mono, kY2K / 2) << program;
  }
}

TEST(FakeTimeTest, TheClockRunsAtRealSpeed) {
  Outcome o =
      RunSysgate({"run", "--fake-time=2021-03-04T05:06:07Z", "--", "/bin/sh",
                  "-c", "date -u +%s; sleep 1.2; date -u +%s"});
  std::vector<std::string> lines =
      absl::StrSplit(o.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << o.out << o.err;
  int64_t first, second;
  ASSERT_TRUE(absl::SimpleAtoi(lines[0], &first));
  ASSERT_TRUE(absl::SimpleAtoi(lines[1], &second));
  EXPECT_GE(first, 1614834367);
  EXPECT_LT(first, 1614834367 + 60);
  EXPECT_GE(second - first, 1);
  EXPECT_LE(second - first, 3);
}

TEST(FakeTimeTest, TheVsyscallPageToo) {
  SYSGATE_SKIP_WITHOUT_VSYSCALL();
  Outcome o = RunSysgate({"run", "--fake-time=@946684800", "--",
                          Tracee("calls"), "vsyscall-time"});
  EXPECT_EQ(o.status, 0) << o.err;
  int64_t v = Value(o.out, "vsyscall time");
  EXPECT_GE(v, kY2K) << o.out;
  EXPECT_LT(v, kY2K + 120) << o.out;
}

TEST(FakeTimeTest, BadSpecs) {
  Outcome o = RunSysgate({"run", "--fake-time=yesterday", "--", "true"});
  EXPECT_EQ(o.status, 125);
  EXPECT_THAT(
      o.err,
      HasSubstr("--fake-time: 'yesterday' is neither @SECONDS nor RFC 3339"));
}

}  // namespace
}  // namespace sysgate::testing

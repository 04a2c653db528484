// End to end: what a denied call's report says (issue 3): the call decoded,
// the rule, the ABI and vsyscall and foreign-filter notes, and --stack.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// The position of each needle in order, or a failure naming the first one
// out of order.
::testing::AssertionResult InOrder(const std::string& text,
                                   const std::vector<std::string>& needles) {
  size_t at = 0;
  for (const std::string& n : needles) {
    size_t found = text.find(n, at);
    if (found == std::string::npos)
      return ::testing::AssertionFailure()
             << "'" << n << "' missing or out of order";
    at = found + n.size();
  }
  return ::testing::AssertionSuccess();
}

std::string DenyChdir() {
  return TempFile("deny-chdir.policy", "errno(EPERM) chdir\n");
}

TEST(StackTest, MainThreadFramesInOrder) {
  Outcome o = RunSysgate({"run", "--stack", "--policy=" + DenyChdir(), "--",
                          Tracee("calls"), "deep", "/"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("chdir(\"/\") denied by"));
  EXPECT_TRUE(
      InOrder(o.err, {"#0 0x", "(libc.so.6+0x", "#1 0x", " in level_three",
                      "(calls+0x", " in level_two", " in level_one"}))
      << o.err;
  EXPECT_THAT(o.err, ContainsRegex(
                         "level_three\\+0x[0-9a-f]+ \\(calls\\+0x[0-9a-f]+\\) "
                         "at [^ ]*calls\\.c:[0-9]+"));
}

TEST(StackTest, OtherThreadsToo) {
  Outcome o = RunSysgate({"run", "--stack", "--policy=" + DenyChdir(), "--",
                          Tracee("calls"), "deep-thread", "/"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err,
              ContainsRegex("pid [0-9]+ \\(calls\\), tid [0-9]+: chdir"));
  EXPECT_TRUE(InOrder(o.err, {" in level_three", " in level_two",
                              " in level_one", " in deep_thread"}))
      << o.err;
}

TEST(StackTest, InTheJsonLog) {
  std::string log = TempFile("stack.jsonl", "");
  Outcome o = RunSysgate({"run", "--stack", "--quiet", "--log=" + log,
                          "--policy=" + DenyChdir(), "--", Tracee("calls"),
                          "deep", "/"});
  std::string events = ReadFile(log);
  EXPECT_THAT(events, HasSubstr("\"stack\":[{\"ip\":"));
  EXPECT_TRUE(InOrder(
      events, {"\"function\":\"level_three\"", "\"function\":\"level_two\"",
               "\"function\":\"level_one\""}))
      << events;
  EXPECT_THAT(events,
              ContainsRegex("\"file\":\"[^\"]*calls.c\",\"line\":[0-9]+"));
}

TEST(StackTest, ThirtyTwoBitDegradesToTheCallSite) {
  SYSGATE_SKIP_WITHOUT_COMPAT_ABI();
  Outcome o = RunSysgate({"run", "--stack", "--policy=" + DenyChdir(), "--",
                          Tracee("calls32"), "deep", "/"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(
      o.err,
      ContainsRegex(
          "\\[i386\\]: chdir\\(\"/\"\\) denied by [^\n]*\n    #0 0x[0-9a-f]+"));
}

TEST(StackTest, OnlyWhenAskedFor) {
  Outcome o = RunSysgate(
      {"run", "--policy=" + DenyChdir(), "--", Tracee("calls"), "deep", "/"});
  EXPECT_THAT(o.err, Not(HasSubstr("#0")));
}

TEST(ReportTest, ForeignFilterIsNamed) {
  std::string p = TempFile("foreign-deny.policy", "errno(EACCES) getuid\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "own-filter"});
  EXPECT_THAT(o.out, HasSubstr("getuid = -1 EACCES\n"));
  EXPECT_THAT(
      o.err,
      HasSubstr("getuid() [the program's own filter also asked] denied by " +
                p + ":1"));
}

}  // namespace
}  // namespace sysgate::testing

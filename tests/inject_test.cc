// End to end: --inject, strace's -e inject syntax and semantics.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;

std::string Chdirs(const std::string& spec, int n = 6) {
  Outcome o = RunSysgate({"run", "--inject=" + spec, "--", Tracee("calls"),
                          "chdir", std::to_string(n)});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err, "");  // Injections are not denials.
  std::string failed;
  for (int i = 1; i <= n; ++i) {
    bool fails = o.out.find("chdir" + std::to_string(i) + " = -1 ENOENT") !=
                 std::string::npos;
    failed += fails ? "x" : ".";
  }
  return failed;
}

TEST(InjectTest, WhenForms) {
  EXPECT_EQ(Chdirs("chdir:error=ENOENT"), "xxxxxx");
  EXPECT_EQ(Chdirs("chdir:error=ENOENT:when=3"), "..x...");
  EXPECT_EQ(Chdirs("chdir:error=ENOENT:when=3+"), "..xxxx");
  EXPECT_EQ(Chdirs("chdir:error=ENOENT:when=2+2"), ".x.x.x");
  EXPECT_EQ(Chdirs("chdir:error=ENOENT:when=2..4"), ".xxx..");
  EXPECT_EQ(Chdirs("chdir:error=ENOENT:when=1..5+2"), "x.x.x.");
  EXPECT_EQ(Chdirs("chdir:error=2:when=6"), ".....x");
}

TEST(InjectTest, RetvalSkipsTheCall) {
  Outcome o = RunSysgate(
      {"run", "--inject=getuid:retval=77", "--", Tracee("calls"), "ids"});
  EXPECT_THAT(o.out, HasSubstr("getuid = 77\n"));
  EXPECT_THAT(o.out, HasSubstr("geteuid = 0\n"));
}

TEST(InjectTest, SignalIsDeliveredAndTheCallStillRuns) {
  Outcome o = RunSysgate({"run", "--inject=chdir:signal=USR1", "--",
                          Tracee("calls"), "signal-on-chdir"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("chdir = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("signal = User defined signal 1\n"));
  Outcome both = RunSysgate({"run", "--inject=chdir:error=EIO:signal=SIGUSR1",
                             "--", Tracee("calls"), "signal-on-chdir"});
  EXPECT_THAT(both.out, HasSubstr("chdir = -1 EIO\n"));
  EXPECT_THAT(both.out, HasSubstr("signal = User defined signal 1\n"));
}

TEST(InjectTest, SyscallSubstitutesTheNumber) {
  // getuid becomes getppid: a real, different call runs, and its result
  // (the parent's pid, not 0) is what the program sees.
  Outcome o = RunSysgate(
      {"run", "--inject=getuid:syscall=getppid", "--", Tracee("calls"), "ids"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, ::testing::Not(HasSubstr("getuid = 0\n")));
  EXPECT_THAT(o.out, ::testing::ContainsRegex("getuid = [1-9][0-9]*\n"));
  // With error=, the substitute runs and its result is replaced at exit.
  Outcome e = RunSysgate({"run", "--inject=chdir:syscall=getpid:error=EROFS",
                          "--", Tracee("calls"), "chdir", "1"});
  EXPECT_THAT(e.out, HasSubstr("chdir1 = -1 EROFS\n"));
}

TEST(InjectTest, InjectOnlyCountsItsOwnCallsAndLeavesThePolicyInForce) {
  std::string p = TempFile("inject-policy.policy", "errno(EACCES) chdir\n");
  Outcome o = RunSysgate({"run", "--quiet", "--policy=" + p,
                          "--inject=chdir:error=ENOENT:when=2", "--",
                          Tracee("calls"), "chdir", "3"});
  EXPECT_THAT(o.out, HasSubstr("chdir1 = -1 EACCES\n"));
  EXPECT_THAT(o.out, HasSubstr("chdir2 = -1 ENOENT\n"));
  EXPECT_THAT(o.out, HasSubstr("chdir3 = -1 EACCES\n"));
}

TEST(InjectTest, InvocationsAreCountedPerThread) {
  // 4 threads x 5 getuid, the 3rd of each thread's calls fails: 4 x 4 good.
  Outcome o = RunSysgate({"run", "--inject=getuid:retval=9:when=3", "--",
                          Tracee("calls"), "threads", "4", "5", "0"});
  EXPECT_THAT(o.out, HasSubstr("good = 16 of 20\n"));
}

TEST(InjectTest, BadSpecsAreRejected) {
  struct Case {
    const char* spec;
    const char* message;
  } cases[] = {
      {"chdri:error=ENOENT", "unknown syscall 'chdri'; did you mean 'chdir'?"},
      {"chdir:error=EWHAT", "unknown errno 'EWHAT'"},
      {"chdir:error=ENOENT:retval=1",
       "error= and retval= are mutually exclusive"},
      {"chdir", "needs error=, retval=, signal= or syscall="},
      {"chdir:error=ENOENT:when=0", "when: '0' is not a number in 1..65535"},
      {"chdir:frob=1", "unknown action 'frob'"},
  };
  for (const Case& c : cases) {
    Outcome o = RunSysgate({"run", std::string("--inject=") + c.spec, "true"});
    EXPECT_EQ(o.status, 125) << c.spec;
    EXPECT_THAT(o.err, HasSubstr(std::string("sysgate: --inject=") + c.spec +
                                 ": " + c.message));
  }
}

}  // namespace
}  // namespace sysgate::testing

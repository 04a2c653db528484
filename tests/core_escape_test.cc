// End to end: a hostile program against the machinery of sysgate's core
// (tests/testcases/core_escapes.c): the timed resumes of --inject's delays
// and the alarm processes behind them, and the hand-off of a brokered call
// from a ptrace stop to the notification server.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A thread other than the leader execs while the leader waits out a delay:
// it takes the leader's tid, and the old leader's timed resume must not
// resume the new image's threads at stops sysgate has not decided.
TEST(CoreEscapeTest, AnExecWhileTheLeaderWaitsLetsNothingThrough) {
  std::string dir = absl::StrCat(getenv("TEST_TMPDIR"), "/escaped");
  std::string policy =
      TempFile("mkdir.policy", "default allow\nerrno(EPERM) mkdir\n");
  for (int run = 0; run < 3; ++run) {
    // Reported (a log): each mkdir is a ptrace stop to be decided.
    Outcome o =
        RunSysgate({"run", "--quiet", "--log=/dev/null", "--policy=" + policy,
                    "--inject=getppid:delay_enter=300ms", "--",
                    Tracee("core_escapes"), "exec-while-parked", dir});
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_THAT(o.out, HasSubstr("escaped = 0\n"));
    struct stat st;
    EXPECT_NE(stat(dir.c_str(), &st), 0) << dir << " was made";
  }
}

// The alarm children sysgate forks to wait for a deadline are its own: the
// program can neither trace, read nor take a handle on them (ptrace itself
// allowed by the policy), and stopping one stalls nothing.
TEST(CoreEscapeTest, TheAlarmsOfTimedResumesAreOutOfReach) {
  std::string policy = TempFile("allow.policy", "default allow\n");
  Outcome o = RunSysgate({"run", "--policy=" + policy,
                          "--inject=getpgid:delay_enter=1s", "--",
                          Tracee("core_escapes"), "attack-alarm"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, Not(HasSubstr("alarms = 0\n")));
  EXPECT_THAT(o.out, HasSubstr("ptrace attach = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("process_vm_readv = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("pidfd_open = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("the delayed call returned\n"));
  EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard (errno EPERM)"));
}

// A hand-off the program's own filter kept from the broker serves nothing
// later, and a hand-off number the program makes itself is refused.
TEST(CoreEscapeTest, AHandOffNumberServesOnlyTheCallHandedOver) {
  std::string target = TempFile("handed", "contents\n");
  std::string policy = TempFile("broker.policy", "broker read /**\n");
  // Every openat stops in ptrace, and is handed to the broker.
  Outcome o = RunSysgate({"run", "--policy=" + policy,
                          "--inject=openat:error=ENOENT:when=1000", "--",
                          Tracee("core_escapes"), "forged-handoff", target});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("own filter = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("marked openat = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("hand-off number = -1 ENOSYS\n"));
  EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard (errno ENOSYS); a "
                               "system call number sysgate reserves"));
}

}  // namespace
}  // namespace sysgate::testing

// End to end: a hostile program against the machinery of sysgate's core
// (tests/testcases/core_escapes.c): the timed resumes of --inject's delays
// and the alarm processes behind them, and the hand-off of a brokered call
// from a ptrace stop to the notification server.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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
      TempFile("mkdir.policy", "default allow\nerrno(EPERM) mkdir, mkdirat\n");
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

// An x32 call is refused whichever filter asked for its stop, even one of
// the program's own giving the data of sysgate's default rule.
TEST(CoreEscapeTest, X32CallsAreRefusedWhoeverAsked) {
  SYSGATE_SKIP_UNLESS_X86_64("x32");
  std::string policy = TempFile("log.policy", "default log\n");
  std::string log = TempFile("x32.jsonl", "");
  Outcome o = RunSysgate({"run", "--policy=" + policy, "--log=" + log, "--",
                          Tracee("core_escapes"), "own-trace-x32"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("own filter = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("x32 getpid = -1 ENOSYS\n"));
  EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard (errno ENOSYS); an "
                               "x32 system call number"));
  // Its one event is the refusal, not a `log` of the default's.
  int x32_events = 0;
  for (absl::string_view line : absl::StrSplit(ReadFile(log), '\n')) {
    if (!absl::StrContains(line, "\"nr\":1073741863")) continue;
    ++x32_events;
    EXPECT_THAT(std::string(line), HasSubstr("\"event\":\"violation\""));
    EXPECT_THAT(std::string(line), HasSubstr("\"rule\":\"sysgate guard\""));
  }
  EXPECT_EQ(x32_events, 1);
}

// What sysgate writes for the program (a readlink's target, a stat) goes
// only where the program itself could write: not into its code, whether the
// answer comes by notification or at a ptrace stop.
TEST(CoreEscapeTest, AnswersAreNeverWrittenIntoCode) {
  std::string link = absl::StrCat(getenv("TEST_TMPDIR"), "/code-link");
  unlink(link.c_str());
  ASSERT_EQ(symlink("\x31\xc0\xb0\x2a\xc3", link.c_str()), 0);
  std::string policy = TempFile("read.policy", "broker read /**\n");
  for (bool at_stop : {false, true}) {
    SCOPED_TRACE(at_stop ? "at a ptrace stop" : "by notification");
    std::vector<std::string> args = {"run", "--policy=" + policy};
    if (at_stop) args.push_back("--inject=readlinkat:error=EIO:when=1000");
    args.insert(args.end(),
                {"--", Tracee("core_escapes"), "readlink-into-text", link});
    Outcome o = RunSysgate(args);
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_THAT(o.out, HasSubstr("readlink into code = -1 EFAULT\n"));
    EXPECT_THAT(o.out, HasSubstr("code = unchanged\n"));
  }
}

}  // namespace
}  // namespace sysgate::testing

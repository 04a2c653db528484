#include "supervisor/notify/landlock_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "arch/landlock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
namespace ll = landlock;

class LandlockPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char real[PATH_MAX];
    ASSERT_NE(realpath(getenv("TEST_TMPDIR"), real), nullptr);
    root_ = real;
    mkdir((root_ + "/dir").c_str(), 0755);
    unlink((root_ + "/link").c_str());
    ASSERT_EQ(symlink("dir", (root_ + "/link").c_str()), 0);
    close(open((root_ + "/file").c_str(), O_CREAT | O_WRONLY, 0644));
  }

  static BrokerRule Grant(BrokerRule::Mode mode, std::string pattern) {
    BrokerRule rule;
    rule.mode = mode;
    rule.patterns = {std::move(pattern)};
    rule.loc = {"p.policy", 3, 1};
    return rule;
  }

  LandlockPlan PlanOf(std::vector<BrokerRule> rules, int abi = 7) {
    Policy policy;
    policy.broker_rules = std::move(rules);
    return PlanLandlock(policy, abi);
  }

  std::string root_;
};

TEST_F(LandlockPlanTest, HierarchiesAndFilesAreExact) {
  LandlockPlan plan =
      PlanOf({Grant(BrokerRule::Mode::kRead, root_ + "/dir/**"),
              Grant(BrokerRule::Mode::kWrite, root_ + "/file"),
              Grant(BrokerRule::Mode::kExec, root_ + "/dir/*")});
  EXPECT_THAT(plan.differences, IsEmpty());
  ASSERT_EQ(plan.ruleset.rules.size(), 3u);
  EXPECT_EQ(plan.ruleset.rules[0].path, root_ + "/dir");
  EXPECT_EQ(plan.ruleset.rules[1].path, root_ + "/file");
  EXPECT_EQ(
      PlanOf({Grant(BrokerRule::Mode::kRead, "/**")}).ruleset.rules[0].path,
      "/");
}

TEST_F(LandlockPlanTest, WhatARuleWouldWidenIsSaid) {
  struct Case {
    std::string pattern, rule_path, why;
  } cases[] = {
      {root_ + "/dir", root_ + "/dir", "a rule on a directory covers"},
      {root_ + "/dir/*.txt", root_ + "/dir", "a wildcard below it"},
      {root_ + "/*/x/**", root_, "a wildcard below it"},
      {root_ + "/missing/**", root_ + "/missing", "does not exist"},
      {root_ + "/file/**", root_ + "/file", "is not a directory"},
      {root_ + "/link/**", root_ + "/link", "is not its resolved path"},
      {root_ + "/dir/../dir/**", root_ + "/dir/../dir",
       "is not its resolved path"},
  };
  for (const Case& c : cases) {
    LandlockPlan plan = PlanOf({Grant(BrokerRule::Mode::kRead, c.pattern)});
    ASSERT_GE(plan.ruleset.rules.size(), 1u) << c.pattern;
    EXPECT_EQ(plan.ruleset.rules[0].path, c.rule_path);
    EXPECT_THAT(plan.differences, Contains(HasSubstr(c.why))) << c.pattern;
  }
  // A rule in /proc/self would be sysgate's, built by sysgate: none.
  LandlockPlan self = PlanOf({Grant(BrokerRule::Mode::kRead, "/proc/self/**")});
  EXPECT_THAT(self.ruleset.rules, IsEmpty());
  EXPECT_THAT(self.differences, Contains(HasSubstr("/proc/self would name")));
  EXPECT_FALSE(self.reads_proc);
  // Exec needs READ_FILE: exact only inside a read grant.
  EXPECT_THAT(PlanOf({Grant(BrokerRule::Mode::kRead, root_ + "/dir/**"),
                      Grant(BrokerRule::Mode::kExec, "/usr/bin/*")})
                  .differences,
              Contains(HasSubstr("/usr/bin would be readable")));
  BrokerRule deny = Grant(BrokerRule::Mode::kDeny, root_ + "/dir/x");
  LandlockPlan denied =
      PlanOf({Grant(BrokerRule::Mode::kRead, root_ + "/**"), deny});
  EXPECT_THAT(denied.differences,
              Contains(HasSubstr("broker deny p.policy:3")));
  Policy enoent;
  enoent.broker_default_errno = ENOENT;
  EXPECT_FALSE(PlanLandlock(enoent, 7).exact());
  Policy eacces;
  eacces.broker_rules = {Grant(BrokerRule::Mode::kRead, root_ + "/dir/**"),
                         Grant(BrokerRule::Mode::kExec, root_ + "/dir/*")};
  eacces.broker_default_errno = EACCES;
  EXPECT_TRUE(PlanLandlock(eacces, 7).exact());
}

// Reading /proc is exact for a program without the capabilities that read
// more than sysgate's world-readable entries (the launcher drops them);
// writing there never is. A read grant on `/` runs every file too, so it
// needs no exec grant to handle READ_FILE and EXECUTE.
TEST_F(LandlockPlanTest, ReadingProcIsExactWritingIsNot) {
  LandlockPlan everything =
      PlanOf({Grant(BrokerRule::Mode::kRead, "/**"),
              Grant(BrokerRule::Mode::kWrite, "/dev/null")});
  EXPECT_THAT(everything.differences, IsEmpty());
  EXPECT_TRUE(everything.reads_proc);
  EXPECT_EQ(everything.ruleset.handled_fs & (ll::kExecute | ll::kReadFile),
            uint64_t{ll::kExecute | ll::kReadFile});
  LandlockPlan proc =
      PlanOf({Grant(BrokerRule::Mode::kRead, "/proc/**"),
              Grant(BrokerRule::Mode::kRead, root_ + "/dir/**"),
              Grant(BrokerRule::Mode::kExec, root_ + "/dir/*")});
  EXPECT_THAT(proc.differences, IsEmpty());
  EXPECT_TRUE(proc.reads_proc);
  EXPECT_FALSE(
      PlanOf({Grant(BrokerRule::Mode::kRead, root_ + "/dir/**")}).reads_proc);
  for (const char* pattern : {"/**", "/proc/**", "/proc/sys/**"}) {
    LandlockPlan written = PlanOf({Grant(BrokerRule::Mode::kRead, "/**"),
                                   Grant(BrokerRule::Mode::kWrite, pattern)});
    EXPECT_THAT(written.differences, Contains(HasSubstr("writes in /proc")))
        << pattern;
  }
}

TEST_F(LandlockPlanTest, RightsFollowTheModeAndTheAbi) {
  uint64_t read = RightsOfGrant(BrokerRule::Mode::kRead, 7);
  uint64_t write = RightsOfGrant(BrokerRule::Mode::kWrite, 7);
  EXPECT_EQ(read & (ll::kWriteFile | ll::kMakeReg | ll::kRemoveFile), 0u);
  EXPECT_EQ(write & read, read);  // A write grant includes read.
  EXPECT_NE(write & ll::kMakeSock, 0u);
  EXPECT_EQ(write & (ll::kMakeChar | ll::kMakeBlock), 0u);
  EXPECT_EQ(RightsOfGrant(BrokerRule::Mode::kExec, 7),
            uint64_t{ll::kExecute | ll::kReadFile});
  EXPECT_EQ(RightsOfGrant(BrokerRule::Mode::kDeny, 7), 0u);
  // Rights an older ABI lacks are neither granted nor handled.
  EXPECT_EQ(RightsOfGrant(BrokerRule::Mode::kWrite, 1) &
                (ll::kRefer | ll::kTruncate | ll::kIoctlDev),
            0u);
  EXPECT_EQ(PlanOf({}, 2).ruleset.handled_fs & ll::kTruncate, 0u);
  EXPECT_EQ(PlanOf({}, 5).ruleset.scoped, 0u);
  EXPECT_EQ(PlanOf({}, 6).ruleset.scoped,
            uint64_t{ll::kScopeAbstractUnixSocket | ll::kScopeSignal});
  // READ_FILE and EXECUTE are handled only where the broker restricts
  // exec too: the kernel needs both to exec.
  LandlockPlan no_exec = PlanOf({Grant(BrokerRule::Mode::kRead, "/usr/**")});
  EXPECT_EQ(no_exec.ruleset.handled_fs & (ll::kExecute | ll::kReadFile), 0u);
  EXPECT_THAT(no_exec.differences, Contains(HasSubstr("no broker exec rules")));
  LandlockPlan exec = PlanOf({Grant(BrokerRule::Mode::kRead, "/usr/**"),
                              Grant(BrokerRule::Mode::kExec, "/usr/bin/*")});
  EXPECT_EQ(exec.ruleset.handled_fs & (ll::kExecute | ll::kReadFile),
            uint64_t{ll::kExecute | ll::kReadFile});
  EXPECT_TRUE(exec.exact());
}

TEST_F(LandlockPlanTest, OnlyCallsLandlockChecksAreLeftToIt) {
  std::vector<std::string> v1 = CallsLandlockConfines(1);
  std::vector<std::string> v3 = CallsLandlockConfines(3);
  for (const char* call : {"openat", "openat2", "creat", "mkdirat", "mknodat",
                           "symlinkat", "newfstatat", "readlinkat"})
    EXPECT_THAT(v1, Contains(std::string(call))) << call;
  EXPECT_THAT(v1, Not(Contains(std::string("truncate"))));
  EXPECT_THAT(v3, Contains(std::string("truncate")));
  // Never what Landlock checks on the parent (a grant's own root has no
  // rule there) or does not check, nor what acts on a held fd.
  for (const char* call :
       {"unlinkat", "rmdir", "renameat2", "linkat", "execve", "execveat",
        "fchmodat", "fchownat", "utimensat", "fchmod", "fchown"})
    EXPECT_THAT(v3, Not(Contains(std::string(call)))) << call;
  EXPECT_THAT(CallsLandlockConfines(0), IsEmpty());
}

TEST_F(LandlockPlanTest, TheKernelTakesThePlan) {
  int abi = ll::Abi();
  if (abi == 0) GTEST_SKIP() << "this kernel has no Landlock";
  LandlockPlan plan =
      PlanOf({Grant(BrokerRule::Mode::kWrite, root_ + "/file"),
              Grant(BrokerRule::Mode::kRead, root_ + "/missing/deeper/**"),
              Grant(BrokerRule::Mode::kExec, "/usr/bin/*")},
             abi);
  AddExecutables(SystemElfInterpreters(), plan);
  // Directory rights on a file are masked, a missing path is its nearest
  // ancestor's: the kernel accepts every rule.
  absl::StatusOr<int> fd = ll::CreateRuleset(plan.ruleset);
  ASSERT_TRUE(fd.ok()) << fd.status();
  close(*fd);
}

TEST_F(LandlockPlanTest, InterpretersAreFound) {
  std::vector<std::string> found = SystemElfInterpreters();
  // Every glibc system has at least its own ABI's loader.
  EXPECT_THAT(found, Not(IsEmpty()));
  for (const std::string& path : found)
    EXPECT_EQ(access(path.c_str(), R_OK), 0) << path;
    // The files the ABI-mandated names of this build's machine lead to are
    // there too: Landlock checks the inode the kernel opens. (Only this
    // machine's: under qemu-user, the other machine's names resolve on the
    // host, not in the emulated root that the search lists.)
#if defined(__x86_64__)
  const char* const kNames[] = {"/lib64/ld-linux-x86-64.so.2",
                                "/lib/ld-linux.so.2"};
#else
  const char* const kNames[] = {"/lib/ld-linux-aarch64.so.1"};
#endif
  for (const char* name : kNames) {
    char real[PATH_MAX];
    if (realpath(name, real) == nullptr) continue;
    EXPECT_THAT(found, Contains(std::string(real))) << name;
  }
}

TEST_F(LandlockPlanTest, OnlyAPlanConfiningExecNeedsTheInterpreters) {
  LandlockPlan plan = PlanOf({Grant(BrokerRule::Mode::kRead, "/**"),
                              Grant(BrokerRule::Mode::kWrite, "/dev/null")},
                             7);
  // Every file is readable and runnable beneath `/` already.
  EXPECT_NE(plan.ruleset.handled_fs & ll::FsRight::kExecute, 0u);
  EXPECT_FALSE(NeedsExecutables(plan));
  // Reading less: exec needs them only with an exec grant.
  EXPECT_FALSE(
      NeedsExecutables(PlanOf({Grant(BrokerRule::Mode::kRead, "/usr/**")})));
  // An exec grant: READ_FILE and EXECUTE are handled.
  LandlockPlan narrow = PlanOf({Grant(BrokerRule::Mode::kRead, "/usr/**"),
                                Grant(BrokerRule::Mode::kExec, "/usr/bin/*")},
                               7);
  EXPECT_TRUE(NeedsExecutables(narrow));
}

}  // namespace
}  // namespace sysgate

// End to end: i386 processes, `int $0x80` from 64-bit ones, and the x86-64
// vsyscall page; on arm64, AArch32 processes (refused).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

TEST(I386Test, RulesApplyToThirtyTwoBitProcesses) {
  SYSGATE_SKIP_WITHOUT_COMPAT_ABI();
  std::string p = TempFile("i386.policy", "emulate(4242) getuid\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls32"), "ids"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("getuid = 4242\n"));
  EXPECT_THAT(o.out, HasSubstr("geteuid = 0\n"));
}

TEST(I386Test, DenialsNameTheCompatAbi) {
  SYSGATE_SKIP_WITHOUT_COMPAT_ABI();
  std::string p = TempFile("i386-deny.policy", "errno(EACCES) geteuid\n");
  std::string log = TempFile("i386.jsonl", "");
  Outcome o = RunSysgate(
      {"run", "--policy=" + p, "--log=" + log, "--", Tracee("calls32"), "ids"});
  EXPECT_THAT(o.out, HasSubstr("geteuid = -1 EACCES\n"));
  EXPECT_THAT(o.err, HasSubstr("[i386]: geteuid() denied by"));
  // i386 geteuid is 49 (x86-64 uses 107).
  EXPECT_THAT(ReadFile(log),
              HasSubstr("\"abi\":\"i386\",\"syscall\":\"geteuid\",\"nr\":49"));
}

TEST(I386Test, Int80FromSixtyFourBitUsesI386Numbers) {
  SYSGATE_SKIP_UNLESS_X86_64("int $0x80 from 64-bit code");
  // A rule on getuid covers x86-64 102 and i386 24, and must not catch
  // i386 102, which is socketcall.
  std::string p = TempFile("int80.policy", "emulate(4242) getuid\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "int80"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("i386 getuid = 4242\n"));
  EXPECT_THAT(o.out, HasSubstr("x86_64 getuid = 4242\n"));
  EXPECT_THAT(o.out, HasSubstr("i386 socketcall = -1 EINVAL\n"));
  EXPECT_THAT(o.out, HasSubstr("i386 getpid = 1\n"));
}

TEST(I386Test, AnX86_64OnlyRuleDoesNotLeakToI386) {
  SYSGATE_SKIP_UNLESS_X86_64("int $0x80 from 64-bit code");
  // socketcall exists only on i386, as 102; the x86-64 call with that
  // number (getuid) must not be caught by a socketcall rule.
  std::string p = TempFile("int80-kill.policy", "kill socketcall\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "int80"});
  EXPECT_EQ(o.status, 159);  // i386 socketcall (102) is killed...
  EXPECT_THAT(
      o.out,
      HasSubstr("i386 getuid = 0\n"));  // ...x86-64 102 (getuid) never was.
  EXPECT_THAT(o.err, HasSubstr("[i386]: socketcall("));
}

TEST(VsyscallTest, SkipWithAValue) {
  SYSGATE_SKIP_WITHOUT_VSYSCALL();
  std::string p = TempFile("vsyscall.policy", "emulate(1234) time\n");
  Outcome o = RunSysgate(
      {"run", "--policy=" + p, "--", Tracee("calls"), "vsyscall-time"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("vsyscall time = 1234\n"));
  EXPECT_THAT(o.out, HasSubstr("stored = untouched\n"));
}

TEST(VsyscallTest, ErrnoOnAVsyscall) {
  SYSGATE_SKIP_WITHOUT_VSYSCALL();
  std::string p = TempFile("vsyscall-errno.policy", "errno(EPERM) time\n");
  Outcome o = RunSysgate(
      {"run", "--policy=" + p, "--", Tracee("calls"), "vsyscall-time"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("vsyscall time = -1\n"));
  EXPECT_THAT(o.err, HasSubstr("[vsyscall] denied by"));
}

TEST(VsyscallTest, RewriteIsRefusedAndTheProcessLives) {
  SYSGATE_SKIP_WITHOUT_VSYSCALL();
  Outcome o = RunSysgate({"run", "--inject=time:syscall=getpid", "--",
                          Tracee("calls"), "vsyscall-time"});
  EXPECT_EQ(o.status, 0) << o.err;  // Not killed by SIGSYS.
  EXPECT_THAT(o.out, HasSubstr("vsyscall time = -38\n"));  // -ENOSYS
  EXPECT_THAT(o.err,
              HasSubstr("[vsyscall]: a vsyscall's number cannot change"));
  EXPECT_THAT(o.err, HasSubstr("failed with ENOSYS"));
}

// arm64's compat ABI: sysgate has no AArch32 tables, so the filter sends
// such a process's first call to sysgate, which names the ABI and kills it.
TEST(CompatTest, AArch32ProgramsAreRefusedClearly) {
  if (HostIsX86_64()) GTEST_SKIP() << "AArch32 exists only on arm64";
  std::string log = TempFile("aarch32.jsonl", "");
  Outcome o =
      RunSysgate({"run", "--log=" + log, "--", Tracee("calls32"), "ids"});
  EXPECT_EQ(o.status, 128 + 9);
  EXPECT_EQ(o.out, "");
  EXPECT_THAT(o.err,
              ContainsRegex("sysgate: pid [0-9]+ \\(calls32\\): a system call "
                            "denied by sysgate guard \\(kill\\); 32-bit ARM "
                            "\\(AArch32\\), audit arch 0x40000028: sysgate has "
                            "no system call tables for it\n"));
  EXPECT_THAT(ReadFile(log), HasSubstr("\"event\":\"violation\""));
  EXPECT_THAT(ReadFile(log), HasSubstr("32-bit ARM (AArch32)"));
}

}  // namespace
}  // namespace sysgate::testing

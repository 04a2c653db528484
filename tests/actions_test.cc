// End to end: policy actions, exit statuses, exec failures, policy errors
// and the JSON Lines log, through the real sysgate binary.
#include <sys/stat.h>

#include <cstdio>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Policy(const std::string& name, const std::string& text) {
  return TempFile(name, text);
}

TEST(ActionsTest, EmulateReturnsTheValueWithoutRunningTheCall) {
  std::string p = Policy("emulate.policy", "emulate(4242) getuid\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("getuid = 4242\n"));
  EXPECT_THAT(o.out, Not(HasSubstr("geteuid = 4242")));  // Only getuid.
  EXPECT_EQ(o.err, "");  // Emulation is not a denial: quiet.
}

TEST(ActionsTest, EmulateMinusOneLooksLikeEperm) {
  std::string p = Policy("emulate-1.policy", "emulate(-1) getuid\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_THAT(o.out, HasSubstr("getuid = -1 EPERM\n"));
}

TEST(ActionsTest, ErrnoFailsTheCallAndReportsIt) {
  std::string p =
      Policy("errno.policy",
             "errno(EACCES) openat if (flags & O_ACCMODE) != O_RDONLY\n");
  std::string target = TempFile("errno-target", "");
  Outcome o = RunSysgate(
      {"run", "--policy=" + p, "--", Tracee("calls"), "open", target, "write"});
  EXPECT_EQ(o.status, 0);
  EXPECT_THAT(o.out, HasSubstr("write = -1 EACCES\n"));
  EXPECT_THAT(o.err, HasSubstr("openat(AT_FDCWD, \"" + target +
                               "\", O_WRONLY|O_CREAT|O_CLOEXEC"));
  EXPECT_THAT(o.err, HasSubstr("denied by " + p + ":1 (errno EACCES)"));
  // The read-only open of the same file is allowed by the condition.
  Outcome r = RunSysgate(
      {"run", "--policy=" + p, "--", Tracee("calls"), "open", target, "read"});
  EXPECT_THAT(r.out, HasSubstr("read = 0\n"));
  EXPECT_EQ(r.err, "");
}

TEST(ActionsTest, QuietSilencesDenialLines) {
  std::string p = Policy("quiet.policy", "errno(EPERM) getuid\n");
  Outcome o = RunSysgate(
      {"run", "--quiet", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_THAT(o.out, HasSubstr("getuid = -1 EPERM\n"));
  EXPECT_EQ(o.err, "");
}

TEST(ActionsTest, KillEndsTheProcessWithSigsys) {
  std::string p = Policy("kill.policy", "kill getuid\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(o.status, 159) << o.err;  // 128 + SIGSYS
  EXPECT_THAT(o.out, Not(HasSubstr("getuid =")));
  EXPECT_THAT(o.err, HasSubstr("getuid() denied by " + p + ":1 (kill)"));
  // Without reports the kernel kills on its own, with the same status.
  Outcome q = RunSysgate(
      {"run", "--quiet", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(q.status, 159);
}

TEST(ActionsTest, TrapDeliversSigsysAndIsReported) {
  std::string p = Policy("trap.policy", "trap getuid\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(o.status, 159);  // SIGSYS's default action.
  EXPECT_THAT(o.err, HasSubstr("getuid() denied by " + p + ":1 (trap)"));
}

TEST(ActionsTest, DefaultDecidesUnlistedCalls) {
  std::string p =
      Policy("default.policy", "default errno(ENOSYS)\nallow-nothing-here\n");
  // An unknown action is a policy error first.
  Outcome bad =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(bad.status, 125);
  std::string q =
      Policy("default2.policy",
             "# everything the tracee needs, and getuid falls to the default\n"
             "default errno(EPERM)\n"
             "allow execve, brk, mmap, mprotect, munmap, openat, close, read, "
             "write, fstat, newfstatat\n"
             "allow arch_prctl, set_tid_address, set_robust_list, rseq, "
             "prlimit64, getrandom, pread64\n"
             "allow access, exit_group, geteuid, getppid, futex, clone, wait4, "
             "rt_sigaction\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + q, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("getuid = -1 EPERM\n"));
  EXPECT_THAT(o.err, HasSubstr("getuid() denied by default (errno EPERM)"));
}

TEST(ActionsTest, BuiltInDefaultDeniesEscapesAndRunsOrdinaryPrograms) {
  Outcome ls =
      RunSysgate({"run", "--", "/bin/sh", "-c", "ls / >/dev/null && echo ok"});
  EXPECT_EQ(ls.status, 0) << ls.err;
  EXPECT_EQ(ls.out, "ok\n");
  EXPECT_EQ(ls.err, "");
  Outcome unshare = RunSysgate({"run", "--", "unshare", "--user", "true"});
  EXPECT_NE(unshare.status, 0);
  EXPECT_THAT(unshare.err, HasSubstr("unshare(CLONE_NEWUSER"));
  EXPECT_THAT(unshare.err, HasSubstr("denied by <built-in default>:"));
}

TEST(ExitStatusTest, ProgramStatusesPassThrough) {
  EXPECT_EQ(RunSysgate({"run", Tracee("calls"), "exit", "0"}).status, 0);
  EXPECT_EQ(RunSysgate({"run", Tracee("calls"), "exit", "3"}).status, 3);
  EXPECT_EQ(RunSysgate({"run", Tracee("calls"), "exit", "255"}).status, 255);
  EXPECT_EQ(RunSysgate({"run", Tracee("calls"), "kill-self", "15"}).status,
            143);
  EXPECT_EQ(RunSysgate({"run", Tracee("calls"), "kill-self", "9"}).status, 137);
}

TEST(ExitStatusTest, ExecFailures) {
  Outcome missing = RunSysgate({"run", "--", "/no/such/program"});
  EXPECT_EQ(missing.status, 127);
  EXPECT_EQ(missing.err,
            "sysgate: cannot execute '/no/such/program': No such file or "
            "directory\n");
  Outcome nopath = RunSysgate({"run", "sysgate-no-such-command"});
  EXPECT_EQ(nopath.status, 127);
  std::string plain = TempFile("not-executable", "data\n");
  chmod(plain.c_str(), 0644);
  Outcome noexec = RunSysgate({"run", "--", plain});
  EXPECT_EQ(noexec.status, 126);
  EXPECT_EQ(noexec.err,
            "sysgate: cannot execute '" + plain + "': Permission denied\n");
  // Executable but not a program the kernel can load.
  std::string garbage = TempFile("garbage-exe", "\x01\x02\x03garbage");
  chmod(garbage.c_str(), 0755);
  Outcome noexecformat = RunSysgate({"run", "--", garbage});
  EXPECT_EQ(noexecformat.status, 126);
  EXPECT_THAT(noexecformat.err, HasSubstr("Exec format error"));
}

TEST(PolicyErrorTest, ErrorsAreLocatedAndExit125) {
  std::string p = Policy("typo.policy", "allow read\nerrno(EPERM) getuidd\n");
  Outcome o =
      RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"), "ids"});
  EXPECT_EQ(o.status, 125);
  EXPECT_EQ(
      o.err,
      p + ":2:14: error: unknown syscall 'getuidd'; did you mean 'getuid'?\n");
  EXPECT_EQ(o.out, "");
  std::string q = Policy("param.policy", "allow read if flags == 1\n");
  Outcome r = RunSysgate({"check", q});
  EXPECT_EQ(r.status, 125);
  EXPECT_THAT(r.err,
              HasSubstr(q + ":1:15: error: read has no parameter 'flags'"));
  Outcome missing = RunSysgate({"run", "--policy=/no/such.policy", "true"});
  EXPECT_EQ(missing.status, 125);
  EXPECT_THAT(missing.err,
              HasSubstr("/no/such.policy: error: cannot read policy"));
  Outcome usage = RunSysgate({"run", "--bogus", "true"});
  EXPECT_EQ(usage.status, 125);
  EXPECT_THAT(usage.err, HasSubstr("sysgate: run: unknown option '--bogus'"));
}

TEST(LogTest, JsonLinesRecordEveryEvent) {
  std::string p = Policy("log.policy", "errno(EPERM) getuid\nlog geteuid\n");
  std::string log = TempFile("events.jsonl", "");
  Outcome o = RunSysgate({"run", "--quiet", "--policy=" + p, "--log=" + log,
                          "--", Tracee("calls"), "ids"});
  EXPECT_EQ(o.status, 0);
  std::string events = ReadFile(log);
  EXPECT_EQ(CountLines(events, "\"event\":\"exec\""), 1) << events;
  EXPECT_EQ(CountLines(events, "\"event\":\"violation\""), 1) << events;
  EXPECT_EQ(CountLines(events, "\"event\":\"log\""), 1) << events;
  EXPECT_EQ(CountLines(events, "\"event\":\"exit\""), 1) << events;
  EXPECT_THAT(
      events,
      HasSubstr(ByHost(
          "\"abi\":\"x86_64\",\"syscall\":\"getuid\",\"nr\":102,\"args\":[",
          "\"abi\":\"arm64\",\"syscall\":\"getuid\",\"nr\":174,\"args\":[")));
  EXPECT_THAT(events, HasSubstr("\"action\":\"errno(EPERM)\",\"rule\":\"" + p +
                                ":1\""));
  EXPECT_THAT(events, HasSubstr("\"syscall\":\"geteuid\""));
  EXPECT_THAT(events, HasSubstr("\"event\":\"exit\",\"pid\":"));
  EXPECT_THAT(events, HasSubstr("\"status\":0}"));
}

TEST(CheckTest, CompilesForEveryMachineAndDisassembles) {
  std::string p =
      Policy("check.policy",
             "default allow\nerrno(EPERM) openat if flags == O_RDONLY\n");
  Outcome o = RunSysgate({"check", "--dump", p});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr(": x86_64+i386: 1 rules, "));
  EXPECT_THAT(o.out, HasSubstr(": arm64: 1 rules, "));
  EXPECT_THAT(o.out, HasSubstr("0000: ld  arch\n"));
  EXPECT_THAT(o.out, HasSubstr("(arm64)"));
}

TEST(ProbeTest, ReportsThisKernel) {
  Outcome o = RunSysgate({"probe", "--json"});
  EXPECT_EQ(o.status, 0);
  EXPECT_THAT(o.out, HasSubstr("\"actions_avail\":["));
  EXPECT_THAT(o.out, HasSubstr("\"trace\""));
  EXPECT_THAT(o.out, HasSubstr("\"get_syscall_info\":true"));
  Outcome text = RunSysgate({"probe"});
  // Which rewrite path is in use follows from the kernel: SET_SYSCALL_INFO
  // is 6.16+ (6.18 here; Debian's 6.1 in tests/qemu has the fallback).
  int major = 0, minor = 0;
  ASSERT_EQ(sscanf(text.out.c_str(), "kernel: %d.%d", &major, &minor), 2)
      << text.out;
  bool has_set_info = major > 6 || (major == 6 && minor >= 16);
  EXPECT_THAT(text.out,
              HasSubstr(has_set_info
                            ? "PTRACE_SET_SYSCALL_INFO: yes (rewrites use it)\n"
                            : "PTRACE_SET_SYSCALL_INFO: no (rewrites "
                              "use the register set)\n"));
  EXPECT_THAT(o.out, HasSubstr(has_set_info ? "\"set_syscall_info\":true"
                                            : "\"set_syscall_info\":false"));
  EXPECT_THAT(text.out, HasSubstr(ByHost("ABIs: x86_64", "ABIs: arm64")));
}

TEST(CliTest, HelpAndVersion) {
  EXPECT_THAT(RunSysgate({"--version"}).out, HasSubstr("sysgate "));
  for (const char* cmd : {"run", "check", "probe"}) {
    Outcome o = RunSysgate({cmd, "--help"});
    EXPECT_EQ(o.status, 0);
    EXPECT_THAT(o.out, HasSubstr(std::string("usage: sysgate ") + cmd));
  }
}

}  // namespace
}  // namespace sysgate::testing

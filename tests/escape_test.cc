// End to end: a supervised program trying to get out (issue 7). Each test
// makes the attempt for real (tests/testcases/escapes.c), checks that it
// failed where it would have mattered, and that sysgate reported it.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Outcome RunEscape(const std::vector<std::string>& args,
                  const std::string& policy = "") {
  std::vector<std::string> full = {"run"};
  if (!policy.empty()) full.push_back("--policy=" + policy);
  full.push_back("--");
  full.push_back(Tracee("escapes"));
  full.insert(full.end(), args.begin(), args.end());
  return RunSysgate(full);
}

// ARGV run directly, without sysgate; its standard output.
std::string RunUnsupervised(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) return "";
  pid_t child = fork();
  if (child == 0) {
    dup2(out[1], 1);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[256];
  for (ssize_t n; (n = read(out[0], buf, sizeof(buf))) > 0;)
    text.append(buf, n);
  close(out[0]);
  waitpid(child, nullptr, 0);
  return text;
}

// A copy of `from` in `dir` with `mode`.
std::string CopyExecutable(const std::string& from, const std::string& dir,
                           mode_t mode) {
  std::string to = dir + "/" + from.substr(from.rfind('/') + 1);
  {
    std::ifstream in(from, std::ios::binary);
    std::ofstream out(to, std::ios::binary);
    out << in.rdbuf();
  }
  chmod(to.c_str(), mode);
  return to;
}

// A policy that denies nothing: whatever still fails is sysgate's guards.
std::string AllowEverything() {
  return TempFile("allow-everything.policy", "default allow\n");
}

TEST(EscapeTest, PtraceOfASiblingAndTraceme) {
  Outcome o = RunEscape({"ptrace"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("attach sibling = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("seize sibling = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("sibling traced by sysgate only = yes\n"));
  EXPECT_THAT(o.out, HasSubstr("traceme = -1 EPERM\n"));
  EXPECT_THAT(o.err, HasSubstr("ptrace(16, "));     // PTRACE_ATTACH
  EXPECT_THAT(o.err, HasSubstr("ptrace(16902, "));  // PTRACE_SEIZE
  EXPECT_THAT(o.err, HasSubstr("ptrace(0, "));      // PTRACE_TRACEME
  EXPECT_EQ(CountLines(o.err, "(errno EPERM)"), 3) << o.err;
}

TEST(EscapeTest, ProcessVmWritevIntoASibling) {
  Outcome o = RunEscape({"vm-write"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("process_vm_writev = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("sibling secret = 1\n"));
  EXPECT_THAT(o.err, HasSubstr("process_vm_writev("));
}

// Even a policy allowing everything never lets the program reach into
// sysgate itself, nor any of its threads (the broker's included).
TEST(EscapeTest, SysgateItselfIsOutOfReach) {
  // An emulate rule starts the notification thread.
  std::string policy =
      TempFile("reach.policy", "default allow\nemulate(0) syncfs\n");
  Outcome o = RunEscape({"reach-sysgate"}, policy);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("seize sysgate = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("process_vm_readv sysgate = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("process_vm_writev sysgate = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("pidfd_open sysgate = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("prlimit64 sysgate = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("perf_event_open sysgate = -1 EPERM\n"));
  // The notification thread makes two (a sanitizer runtime may add one).
  int refused = 0, threads = 0;
  ASSERT_EQ(sscanf(o.out.c_str() + o.out.find("sysgate threads refused"),
                   "sysgate threads refused = %d of %d", &refused, &threads),
            2)
      << o.out;
  EXPECT_GE(threads, 2);
  EXPECT_EQ(refused, threads);
  // Seizing, prlimit64 and perf_event_open each: three per thread.
  EXPECT_EQ(CountLines(o.err, "denied by sysgate guard (errno EPERM)"),
            6 + 3 * threads)
      << o.err;
  // Other processes are still the policy's to decide.
  Outcome sibling = RunEscape({"vm-write"}, AllowEverything());
  EXPECT_THAT(sibling.out, HasSubstr("sibling secret = 2\n"));
}

// A perf event on every process of a CPU or a cgroup samples sysgate's
// registers and stack when it runs there; a root program needs no ptrace
// check for it. Refused whatever the policy allows; one on the program
// itself stays the policy's (and the kernel's) to decide.
TEST(EscapeTest, PerfEventsOnEveryoneAreRefused) {
  std::string native = RunUnsupervised({Tracee("escapes"), "perf-everyone"});
  if (native.find("perf self = -1 ENOSYS") != std::string::npos)
    GTEST_SKIP() << "this kernel has no perf events";
  Outcome o = RunEscape({"perf-everyone"}, AllowEverything());
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("perf cpu 0 = -1 EACCES\n"));
  EXPECT_THAT(o.out, HasSubstr("perf cpu 0, junk upper half = -1 EACCES\n"));
  EXPECT_THAT(o.out, HasSubstr("perf cgroup = -1 EACCES\n"));
  EXPECT_EQ(CountLines(o.err, "denied by sysgate guard (errno EACCES)"), 3)
      << o.err;
  std::string self = native.substr(native.find("perf self"));
  EXPECT_THAT(o.out, HasSubstr(self)) << native;
}

// prlimit64 and perf_event_open reach only the program's own threads: the
// kernel does not keep them off a thread sysgate starts after its check,
// whose id a program can predict (a race a hostile review won).
TEST(EscapeTest, LimitsAndPerfEventsStayInsideTheProgram) {
  std::string native =
      RunUnsupervised({Tracee("escapes"), "outside-the-program"});
  Outcome o = RunEscape({"outside-the-program"}, AllowEverything());
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("prlimit64 init = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("prlimit64 child = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("perf_event_open init = -1 EPERM\n"));
  // On the child as natively (0 as root; EACCES under perf_event_paranoid).
  std::string child = native.substr(native.find("perf_event_open child"));
  EXPECT_THAT(o.out, HasSubstr(child.substr(0, child.find('\n') + 1)))
      << native;
}

// An id no thread has may be sysgate's next thread's (or alarm's) by the
// time a call the guard let go on runs: the guard answers it itself, with
// the kernel's ESRCH, and says so.
TEST(EscapeTest, CallsAtAFreeIdAreAnsweredByTheGuard) {
  std::string native = RunUnsupervised({Tracee("escapes"), "free-ids"});
  Outcome o = RunEscape({"free-ids"}, AllowEverything());
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, native);
  for (const char* call : {"seize", "process_vm_readv", "process_vm_writev",
                           "pidfd_open", "prlimit64", "perf_event_open"}) {
    EXPECT_THAT(o.out, HasSubstr(absl::StrCat(call, " nobody = -1 ESRCH\n")));
  }
  EXPECT_EQ(CountLines(o.err, "denied by sysgate guard (errno ESRCH)"), 6)
      << o.err;
}

// A program running as the same (unprivileged) user as sysgate could open
// sysgate's memory through /proc, which no filter sees; sysgate makes
// itself undumpable once the program is seized, so that needs
// CAP_SYS_PTRACE. Run as nobody: binaries copied where nobody can reach.
TEST(EscapeTest, SysgatesMemoryIsOutOfReachOfItsOwnUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run sysgate as nobody";
  if (access("/usr/bin/setpriv", X_OK) != 0)
    GTEST_SKIP() << "needs setpriv (util-linux)";
  char dir[] = "/tmp/sysgate-nobody-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ASSERT_EQ(chmod(dir, 0755), 0);
  std::string sysgate = CopyExecutable(Sysgate(), dir, 0755);
  std::string escapes = CopyExecutable(Tracee("escapes"), dir, 0755);
  std::string out = RunUnsupervised({"/usr/bin/setpriv", "--reuid=65534",
                                     "--regid=65534", "--clear-groups", sysgate,
                                     "run", "--", escapes, "sysgate-mem"});
  EXPECT_THAT(out, HasSubstr("open sysgate mem = -1 EACCES\n"));
  unlink(sysgate.c_str());
  unlink(escapes.c_str());
  rmdir(dir);
}

// A root program holds CAP_SYS_PTRACE, which undumpability does not stop:
// sysgate drops it (and CAP_CHECKPOINT_RESTORE) from every set before
// exec, so even root cannot open sysgate's memory. Its other capabilities
// stay (CAP_CHOWN here).
TEST(EscapeTest, RootProgramKeepsNoCapabilityThatReachesSysgate) {
  if (geteuid() != 0) GTEST_SKIP() << "needs a root program";
  std::string before = RunUnsupervised({Tracee("escapes"), "caps"});
  if (before.find("CapEff 19 = 1\n") == std::string::npos)
    GTEST_SKIP() << "this root has no CAP_SYS_PTRACE to drop";
  Outcome caps = RunEscape({"caps"});
  ASSERT_EQ(caps.status, 0) << caps.err;
  for (const char* set : {"Inh", "Prm", "Eff", "Bnd", "Amb"}) {
    EXPECT_THAT(caps.out, HasSubstr(absl::StrCat("Cap", set, " 19 = 0\n")));
    EXPECT_THAT(caps.out, HasSubstr(absl::StrCat("Cap", set, " 40 = 0\n")));
  }
  EXPECT_THAT(caps.out, HasSubstr("CapEff 0 = 1\n"));
  EXPECT_THAT(caps.out, HasSubstr("CapBnd 0 = 1\n"));
  for (const std::string& policy : {std::string(), AllowEverything()}) {
    Outcome mem = RunEscape({"sysgate-mem"}, policy);
    EXPECT_EQ(mem.status, 0) << mem.err;
    EXPECT_THAT(mem.out, HasSubstr("open sysgate mem = -1 EACCES\n"));
  }
}

TEST(EscapeTest, CloneUntracedViaCloneAndClone3) {
  for (const std::string& policy :
       {std::string(), TempFile("allow-clone.policy",
                                "default allow\nallow clone, clone3\n")}) {
    Outcome o = RunEscape({"clone3"}, policy);
    EXPECT_EQ(o.status, 0) << o.err;
    // clone3's flags are in memory no filter can read: always ENOSYS.
    EXPECT_THAT(o.out, HasSubstr("clone3 untraced = -1 ENOSYS\n"));
    EXPECT_THAT(o.out, HasSubstr("clone3 = -1 ENOSYS\n"));
    EXPECT_THAT(o.out, HasSubstr("clone untraced = -1 EPERM\n"));
    EXPECT_THAT(o.err, HasSubstr("clone(CLONE_UNTRACED|SIGCHLD"));
    EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard"));
  }
}

TEST(EscapeTest, AVforkChildIsSupervised) {
  Outcome o = RunEscape({"vfork"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("vfork child = 1\n"));
  EXPECT_THAT(o.out, HasSubstr("vfork child traceme = -1 EPERM\n"));
  EXPECT_THAT(o.err, HasSubstr("ptrace(0, "));
}

// Under NO_NEW_PRIVS the set-user-ID bit is ignored: the program stays
// nobody, and stays supervised after the exec.
TEST(EscapeTest, SetuidExecGainsNothing) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make a setuid-root file";
  // Somewhere nobody can reach (TEST_TMPDIR's parents may be private).
  char dir[] = "/tmp/sysgate-setuid-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ASSERT_EQ(chmod(dir, 0755), 0);
  std::string copy = CopyExecutable(Tracee("escapes"), dir, 04755);
  // Without sysgate the same exec does make it root again, or this test
  // would prove nothing (a nosuid mount, or a test runner under
  // NO_NEW_PRIVS, say).
  std::string unsupervised = RunUnsupervised({copy, "setuid-exec", copy});
  if (unsupervised.find("euid = 0\n") == std::string::npos) {
    unlink(copy.c_str());
    rmdir(dir);
    GTEST_SKIP() << "set-user-ID does not take effect here: " << unsupervised;
  }

  Outcome o = RunEscape({"setuid-exec", copy});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("euid = 65534\n"));
  EXPECT_THAT(o.out, HasSubstr("ids traceme = -1 EPERM\n"));
  EXPECT_THAT(o.err, HasSubstr("ptrace(0, "));
  unlink(copy.c_str());
  rmdir(dir);
}

TEST(EscapeTest, X32NumbersAreRefusedAndReported) {
  SYSGATE_SKIP_UNLESS_X86_64("the x32 ABI");
  Outcome o = RunEscape({"x32"}, AllowEverything());
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("x32 getppid = -1 ENOSYS\n"));
  EXPECT_THAT(o.out, HasSubstr("x32 ptrace = -1 ENOSYS\n"));
  EXPECT_EQ(CountLines(o.err, "an x32 system call number"), 2) << o.err;
}

// TSYNC'd allow-alls, TRACE and ERRNO filters of the program's own: none
// lifts a denial. ERRNO outranks TRACE, so the program's own ERRNO(0) makes
// ptrace "succeed" without running: the sibling is still sysgate's alone.
TEST(EscapeTest, TheProgramsOwnFiltersLiftNothing) {
  Outcome o = RunEscape({"own-filters"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("tsync allow-all = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("attach after allow-all = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("own trace filter = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("attach after trace = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("vm write after trace = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("attach after errno(0) = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("sibling traced by sysgate only = yes\n"));
  EXPECT_EQ(CountLines(o.err, "(errno EPERM)"), 3) << o.err;
}

TEST(EscapeTest, NoListenerOfTheProgramsOwn) {
  Outcome o = RunEscape({"own-listener"}, AllowEverything());
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("listener = -1 EPERM\n"));
  // Filters without one are fine.
  EXPECT_THAT(o.out, HasSubstr("plain filter = 0\n"));
  EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard"));
}

TEST(EscapeTest, PtraceIsDeniedByTheDefaultPolicy) {
  Outcome o =
      RunSysgate({"run", "--", "/bin/sh", "-c",
                  "exec 2>&1; strace -o /dev/null true || echo failed"});
  EXPECT_THAT(o.out, HasSubstr("failed"));
}

// The broker's channel: the program holds no end of it (the listener left
// with the launcher), cannot reopen sysgate's descriptors through /proc,
// and "/proc/self" is itself even though sysgate resolves the path.
TEST(EscapeTest, TheBrokerChannelIsOutOfReach) {
  std::string policy =
      TempFile("broker-all.policy", "broker write /**\nbroker exec /**\n");
  Outcome o = RunEscape({"descriptors"}, policy);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("listeners held = 0\n"));
  EXPECT_THAT(o.out, Not(HasSubstr("socket:")));
  EXPECT_THAT(o.out, Not(HasSubstr("anon_inode:")));
  EXPECT_THAT(o.out, HasSubstr("sysgate descriptors reached = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("pidfd_open sysgate = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("/proc/self is me = yes\n"));
  EXPECT_THAT(o.out, HasSubstr("/proc/self/status Name:\tescapes\n"));
  EXPECT_THAT(o.out, HasSubstr("open /proc/self/mem = 0\n"));
  // sysgate's descriptor links are not even followed: what they lead to
  // (the listener) is never resolved, let alone reported.
  EXPECT_THAT(o.err, Not(HasSubstr("anon_inode:")));
  EXPECT_THAT(o.err, HasSubstr(": sysgate's own /proc entries"));
}

}  // namespace
}  // namespace sysgate::testing

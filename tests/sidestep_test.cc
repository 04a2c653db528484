// End to end: rules a hostile program tries to sidestep (issue 15). Each
// test makes the call for real (tests/testcases/sidesteps.c) with garbage
// wherever the kernel ignores it, and checks that the rule still decided
// and that the report shows what the kernel read.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Rules on parameters the kernel reads narrower than the register. Names a
// call lacks on an ABI (chown's 16-bit form, mmap's `prot` on i386's old
// mmap) are written as argN or left to the ABIs that have them.
std::string WidthPolicy() {
  return TempFile("widths.policy",
                  "default allow\n"
                  "errno(EPERM) fchmodat, chmod if mode == 04755\n"
                  "errno(EPERM) clone if clone_flags == SIGCHLD\n"
                  "errno(EPERM) mmap if arg2 == 7\n"
                  "errno(EPERM) ioctl if cmd == TIOCSTI\n"
                  "errno(EACCES) ptrace if pid == 1\n"
                  "errno(EPERM) chown if user == 0\n");
}

std::string TargetFile() {
  std::string file = TempFile("target", "");
  chmod(file.c_str(), 0644);
  return file;
}

// The permission bits of `file`; 0 if it cannot be stat'ed.
unsigned PermissionsOf(const std::string& file) {
  struct stat st;
  return stat(file.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// The tracee of every ABI this machine runs.
std::vector<std::string> Programs() {
  std::vector<std::string> programs = {"sidesteps"};
  if (HasCompatAbi()) programs.push_back("sidesteps32");
  return programs;
}

Outcome RunTracee(const std::string& program,
                  const std::vector<std::string>& args,
                  const std::string& policy) {
  std::vector<std::string> full = {"run"};
  if (!policy.empty()) full.push_back("--policy=" + policy);
  full.push_back("--");
  full.push_back(Tracee(program));
  full.insert(full.end(), args.begin(), args.end());
  return RunSysgate(full);
}

TEST(SidestepTest, GarbageAboveAParametersWidthDecidesNothing) {
  std::string file = TargetFile();
  Outcome o = RunTracee("sidesteps", {"widths", file}, WidthPolicy());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("fchmodat 04755 = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("clone SIGCHLD = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("mmap rwx = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("ioctl TIOCSTI = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("ptrace pid 1 = -1 EACCES\n"));
  EXPECT_EQ(PermissionsOf(file), 0644u);  // Unchanged.
  // Reported as the kernel reads them: no garbage in the shown values.
  EXPECT_THAT(o.err, HasSubstr("04755)"));
  EXPECT_THAT(o.err, HasSubstr("clone(SIGCHLD"));
  EXPECT_THAT(o.err, Not(HasSubstr("5a5a5a5a")));
}

TEST(SidestepTest, I386SixteenBitParameters) {
  if (!HasCompatAbi()) GTEST_SKIP() << "no i386 ABI on this machine";
  std::string file = TargetFile();
  Outcome o = RunTracee("sidesteps32", {"widths", file}, WidthPolicy());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("fchmodat 04755 = -1 EPERM\n"));
  // chown16's uid 0x10000 is uid 0 to the kernel.
  EXPECT_THAT(o.out, HasSubstr("chown16 uid 0 = -1 EPERM\n"));
  EXPECT_EQ(PermissionsOf(file), 0644u);  // Unchanged.
}

// A 64-bit process's `int $0x80` with garbage in every upper half: the
// i386 entry reads the low words, and so do the rule and the report (which
// shows the path, read from the low word's address).
TEST(SidestepTest, Int80UpperHalvesAreNotTheCallsArguments) {
  if (!HostIsX86_64()) GTEST_SKIP() << "int $0x80 is x86 only";
  std::string file = TargetFile();
  Outcome o = RunTracee("sidesteps", {"int80-chmod", file}, WidthPolicy());
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("i386 chmod 04755 = -1 EPERM\n"));
  EXPECT_THAT(o.err, HasSubstr("chmod(\"" + file + "\", 04755)"));
  EXPECT_THAT(o.err, Not(HasSubstr("5a5a5a5a")));
  EXPECT_EQ(PermissionsOf(file), 0644u);  // Unchanged.
}

// i386 reaches socket through socketcall and shmget through ipc: a rule on
// the call covers that route; a conditional one, whose arguments the route
// keeps in memory, refuses it (ENOSYS, reported) and decides the direct
// call.
TEST(SidestepTest, I386MultiplexersAreRoutesOfTheirCalls) {
  if (!HasCompatAbi()) GTEST_SKIP() << "no i386 ABI on this machine";
  std::string plain =
      TempFile("mux.policy", "default allow\nerrno(EPERM) socket, shmget\n");
  Outcome o = RunTracee("sidesteps32", {"multiplexers"}, plain);
  ASSERT_EQ(o.status, 0) << o.err;
  for (const char* call :
       {"socketcall socket unix", "socketcall socket inet", "socket unix",
        "socket inet", "ipc shmget", "shmget"}) {
    EXPECT_THAT(o.out, HasSubstr(std::string(call) + " = -1 EPERM\n"));
  }
  EXPECT_THAT(o.err, HasSubstr("socketcall("));
  EXPECT_THAT(o.err, HasSubstr("ipc("));

  std::string conditional =
      TempFile("mux-cond.policy",
               "default allow\nerrno(EPERM) socket if family == AF_INET\n");
  o = RunTracee("sidesteps32", {"multiplexers"}, conditional);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("socketcall socket unix = -1 ENOSYS\n"));
  EXPECT_THAT(o.out, HasSubstr("socketcall socket inet = -1 ENOSYS\n"));
  EXPECT_THAT(o.out, HasSubstr("socket unix = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("socket inet = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("ipc shmget = 0\n"));
  EXPECT_EQ(CountLines(o.err,
                       "the rule's condition on socket cannot be "
                       "checked on socketcall"),
            2)
      << o.err;
}

TEST(SidestepTest, CheckSaysWhichMultiplexedRouteIsRefused) {
  std::string policy = TempFile(
      "mux-check.policy",
      "default allow\nerrno(EPERM) shmget\nerrno(EPERM) connect if fd == 3\n");
  Outcome o = RunSysgate({"check", policy});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr(policy + ":3:1: warning: i386 also reaches "
                                        "connect through socketcall"));
  EXPECT_EQ(CountLines(o.err, "warning:"), 1) << o.err;  // Not shmget's.
  // A rule on the multiplexer itself is one route of many calls.
  std::string mux = TempFile(
      "mux-rule.policy",
      "default allow\nerrno(EPERM) socketcall, socket\nerrno(EPERM) ipc\n");
  o = RunSysgate({"check", mux});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr(mux + ":2:1: warning: this rule names "
                                     "socketcall, only i386's older route to "
                                     "accept, accept4, bind, connect, "));
  EXPECT_THAT(o.err, Not(HasSubstr("route to socket,")));  // Named too.
  EXPECT_THAT(o.err, HasSubstr(mux + ":3:1: warning: this rule names ipc, "
                                     "only i386's older route to msgctl, "));
  EXPECT_THAT(o.err, HasSubstr("i386's since Linux 5.1)"));
}

// A rule for openat alone leaves open, creat and openat2 free: check says
// so, and `@open` names them all.
TEST(SidestepTest, CallFamilies) {
  std::string one =
      TempFile("openat.policy", "default allow\nerrno(EACCES) openat\n");
  Outcome check = RunSysgate({"check", one});
  ASSERT_EQ(check.status, 0) << check.err;
  EXPECT_THAT(check.err,
              HasSubstr(one + ":2:1: warning: this rule names openat but no "
                              "rule names open, openat2, creat, which do the "
                              "same (@open names them all)"));
  std::string file = TargetFile();
  std::string family =
      TempFile("open-family.policy", "default allow\nerrno(EACCES) @open\n");
  EXPECT_THAT(RunSysgate({"check", family}).err, Not(HasSubstr("warning")));
  // argN would be a different parameter in different members.
  std::string positional = TempFile(
      "positional.policy", "default allow\nerrno(EACCES) @open if arg1 == 0\n");
  Outcome refused = RunSysgate({"check", positional});
  EXPECT_EQ(refused.status, 125);
  EXPECT_THAT(refused.err,
              HasSubstr(positional + ":2:24: error: arg1 is 'flags' in open "
                                     "but 'filename' in openat (@open)"));
  for (const std::string& program : Programs()) {
    SCOPED_TRACE(program);
    Outcome o = RunTracee(program, {"open-family", file}, family);
    ASSERT_EQ(o.status, 0) << o.err;
    EXPECT_THAT(o.out, HasSubstr("openat = -1 EACCES\n"));
    EXPECT_THAT(o.out, HasSubstr("openat2 = -1 EACCES\n"));
    EXPECT_THAT(o.out, Not(HasSubstr(" = 0\n")));
    if (HostIsX86_64()) {
      EXPECT_THAT(o.out, HasSubstr("open = -1 EACCES\n"));
      EXPECT_THAT(o.out, HasSubstr("creat = -1 EACCES\n"));
    }
  }
}

// SIGSYS queued to itself with si_code SYS_SECCOMP and every RET_DATA a
// rule could have: none is reported as a trap; the real one is.
TEST(SidestepTest, AForgedTrapIsNotReported) {
  std::string policy = TempFile("trap.policy", "default allow\ntrap getpgid\n");
  for (const std::string& program : Programs()) {
    SCOPED_TRACE(program);
    Outcome o = RunTracee(program, {"forge-trap"}, policy);
    ASSERT_EQ(o.status, 0) << o.err;
    EXPECT_THAT(o.out, HasSubstr("sigsys = 65\n"));
    EXPECT_EQ(CountLines(o.err, "(trap)"), 1) << o.err;
    EXPECT_THAT(o.err, HasSubstr("getpgid(0) denied by " + policy + ":2"));
    // A SIGSYS queued first takes the real trap's place: still reported.
    o = RunTracee(program, {"trap-behind-sigsys"}, policy);
    EXPECT_EQ(o.status, 128 + SIGSYS) << o.err;
    EXPECT_EQ(CountLines(o.err, "getpgid(0) denied by"), 1) << o.err;
  }
}

// The forgery that registers alone cannot see through: a SIGSYS dressed
// as getpgid's trap, delivered on the way out of an rt_sigreturn whose
// frame put getpgid's number and arguments in the registers (on arm64 the
// kernel's own record, syscallno, is not in them). sysgate reports traps
// at their TRACE stop, so nothing here is a trap.
TEST(SidestepTest, AForgedTrapAfterSigreturnIsNotReported) {
  std::string policy = TempFile("trap.policy", "default allow\ntrap getpgid\n");
  for (const std::string& program : Programs()) {
    SCOPED_TRACE(program);
    Outcome o = RunTracee(program, {"trap-after-sigreturn"}, policy);
    ASSERT_EQ(o.status, 0) << o.err;
    EXPECT_THAT(o.out, HasSubstr("sigsys = 1\n"));
    EXPECT_EQ(CountLines(o.err, "(trap)"), 0) << o.err;
  }
}

// A trap sysgate decides at a stop (to report it) reaches the program's
// SIGSYS handler exactly as the kernel's own trap does in a quiet run: the
// call's number in si_syscall and in the number register, not the
// reserved number the call was redirected to.
TEST(SidestepTest, AReportedTrapShowsTheHandlerTheCallItMade) {
  std::string policy = TempFile("trap.policy", "default allow\ntrap getpgid\n");
  for (const std::string& program : Programs()) {
    SCOPED_TRACE(program);
    Outcome reported = RunTracee(program, {"trap-siginfo"}, policy);
    ASSERT_EQ(reported.status, 0) << reported.err;
    EXPECT_THAT(reported.out,
                HasSubstr("si_syscall getpgid, number register getpgid, "));
    EXPECT_THAT(reported.out, HasSubstr("call address set"));
    EXPECT_EQ(CountLines(reported.err, "getpgid(0) denied by"), 1)
        << reported.err;
    Outcome quiet = RunSysgate({"run", "-q", "--policy=" + policy, "--",
                                Tracee(program), "trap-siginfo"});
    ASSERT_EQ(quiet.status, 0) << quiet.err;
    EXPECT_EQ(quiet.out, reported.out);
    EXPECT_EQ(quiet.err, "");
  }
}

// A SIGSYS pending when a reported trap comes is delivered in place of the
// kernel's: the call still returns what the kernel's own trap leaves (the
// call's number on x86), never sysgate's reserved number.
TEST(SidestepTest, ATrapBehindAnotherSigsysStillNamesTheCall) {
  std::string policy = TempFile("trap.policy", "default allow\ntrap getpgid\n");
  Outcome o = RunSysgate({"run", "--log=/dev/null", "--policy=" + policy, "--",
                          Tracee("sidesteps"), "trap-race"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "the reserved number returned 0 times\n");
}

// i386 passes 64-bit values in two registers: a rule on a parameter after
// one compares the right register (fadvise64's advice is the fifth).
TEST(SidestepTest, I386ParametersAfterASplitValue) {
  if (!HasCompatAbi()) GTEST_SKIP() << "no i386 ABI on this machine";
  std::string policy = TempFile(
      "split.policy", "default allow\nerrno(EPERM) fadvise64 if advice == 4\n");
  Outcome o = RunTracee("sidesteps32", {"fadvise"}, policy);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("fadvise64 DONTNEED = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("fadvise64 NORMAL = 0\n"));
}

// The built-in default policy's additions, on every ABI the machine runs.
TEST(SidestepTest, DefaultPolicyDeniesTheClassicEscapes) {
  for (const std::string& program : Programs()) {
    SCOPED_TRACE(program);
    Outcome o = RunTracee(program, {"default-gaps"}, "");
    ASSERT_EQ(o.status, 0) << o.err;
    for (const char* denied :
         {"ioctl TIOCSTI", "ioctl TIOCSETD", "ioctl TCXONC", "ioctl TIOCLINUX",
          "personality READ_IMPLIES_EXEC", "personality ADDR_NO_RANDOMIZE",
          "io_uring_setup", "fanotify_init"}) {
      EXPECT_THAT(o.out, HasSubstr(std::string(denied) + " = -1 EPERM\n"));
    }
    EXPECT_THAT(o.out, HasSubstr("personality query = 0\n"));
    EXPECT_THAT(o.out, HasSubstr("personality PER_LINUX = 0\n"));
    EXPECT_EQ(CountLines(o.err, "denied by"), 8) << o.err;
    EXPECT_THAT(o.err, HasSubstr("io_uring_setup("));
    EXPECT_THAT(o.err, HasSubstr("personality("));
  }
}

// The program made the stderr it shares with sysgate non-blocking and
// filled it before each denied call: every report line still arrives
// (sysgate writes through a description of its own).
TEST(SidestepTest, ReportsSurviveAFullNonBlockingStderr) {
  Outcome o = RunTracee("sidesteps", {"flood-stderr"}, "");
  ASSERT_EQ(o.status, 0) << o.err.substr(0, 2000);
  EXPECT_THAT(o.out, HasSubstr("kcmp denied = 5, stderr full = "));
  EXPECT_THAT(o.out, Not(HasSubstr("stderr full = 0\n")));
  EXPECT_EQ(CountLines(o.err, "kcmp("), 5);
}

// A newline in the program's name or in a file name it opens cannot start
// a report line of its own: both are escaped as strace escapes them.
TEST(SidestepTest, ProgramChosenStringsCannotForgeReportLines) {
  std::string dir = TempFile("forge.dir", "");
  unlink(dir.c_str());
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  std::string file = dir + "/x\nsysgate: pid 1 (init): forged";
  close(open(file.c_str(), O_CREAT | O_WRONLY, 0644));
  std::string policy = TempFile(
      "forge.policy",
      "errno(EPERM) kcmp\nbroker read /usr/**, /etc/**, /proc/**, /dev/**\n");
  Outcome o = RunTracee("sidesteps", {"forge-lines", file}, policy);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("kcmp = -1 EPERM\n"));
  EXPECT_THAT(o.out, HasSubstr("open = -1 EACCES\n"));
  EXPECT_THAT(o.err, HasSubstr("(a\\nsysgate: pid )"));  // comm: 15 bytes.
  EXPECT_THAT(o.err, HasSubstr("/x\\nsysgate: pid 1 (init): forged"));
  for (absl::string_view line : absl::StrSplit(o.err, '\n')) {
    // A forged line would start with what follows a newline: the file
    // name's "sysgate: pid 1 (init)", the name's "sysgate: pid )".
    EXPECT_FALSE(absl::StartsWith(line, "sysgate: pid 1 (init)")) << line;
    EXPECT_FALSE(absl::StartsWith(line, "sysgate: pid )")) << line;
  }
  // Without a broker the open succeeds: the denied ioctl on it names it.
  o = RunTracee("sidesteps", {"forge-lines", file}, "");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("ioctl = -1 EPERM\n"));
  EXPECT_THAT(o.err, HasSubstr("/x\\nsysgate: pid 1 (init): forged>, 0x5412"));
  for (absl::string_view line : absl::StrSplit(o.err, '\n')) {
    // A forged line would start with what follows a newline: the file
    // name's "sysgate: pid 1 (init)", the name's "sysgate: pid )".
    EXPECT_FALSE(absl::StartsWith(line, "sysgate: pid 1 (init)")) << line;
    EXPECT_FALSE(absl::StartsWith(line, "sysgate: pid )")) << line;
  }
}

}  // namespace
}  // namespace sysgate::testing

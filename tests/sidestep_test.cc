// End to end: rules a hostile program tries to sidestep (issue 15). Each
// test makes the call for real (tests/testcases/sidesteps.c) with garbage
// wherever the kernel ignores it, and checks that the rule still decided
// and that the report shows what the kernel read.
#include <fcntl.h>
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

// The built-in default policy's additions, on every ABI the machine runs.
TEST(SidestepTest, DefaultPolicyDeniesTheClassicEscapes) {
  std::vector<std::string> programs = {"sidesteps"};
  if (HasCompatAbi()) programs.push_back("sidesteps32");
  for (const std::string& program : programs) {
    SCOPED_TRACE(program);
    Outcome o = RunTracee(program, {"default-gaps"}, "");
    ASSERT_EQ(o.status, 0) << o.err;
    for (const char* denied :
         {"ioctl TIOCSTI", "ioctl TIOCLINUX", "personality READ_IMPLIES_EXEC",
          "personality ADDR_NO_RANDOMIZE", "io_uring_setup", "fanotify_init"}) {
      EXPECT_THAT(o.out, HasSubstr(std::string(denied) + " = -1 EPERM\n"));
    }
    EXPECT_THAT(o.out, HasSubstr("personality query = 0\n"));
    EXPECT_THAT(o.out, HasSubstr("personality PER_LINUX = 0\n"));
    EXPECT_EQ(CountLines(o.err, "denied by"), 6) << o.err;
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
    EXPECT_FALSE(absl::StartsWith(line, "sysgate: pid 1")) << line;
  }
}

}  // namespace
}  // namespace sysgate::testing

// End to end: brokered opens (issue 4). The supervisor opens; the program
// gets the descriptor; policy is checked on the resolved object.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;

class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char real[PATH_MAX];
    ASSERT_NE(realpath(getenv("TEST_TMPDIR"), real), nullptr);
    root_ = real;
    work_ = root_ + "/work";
    mkdir(work_.c_str(), 0755);
    mkdir((root_ + "/ro").c_str(), 0755);
    TempFile("work/good", "allowed text\n");
    TempFile("ro/readme", "read only\n");
    TempFile("secret", "FORBIDDEN secret\n");
    policy_ = TempFile(
        "broker.policy",
        absl::StrCat("broker read /usr/**, /lib/**, /lib64/**, "
                     "/etc/ld.so.cache, /etc/ld.so.preload, ",
                     root_, "/ro/**\n", "broker write ", work_, "/**\n"));
  }
  Outcome Run(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"run", "--policy=" + policy_, "--",
                                     Tracee("calls")};
    full.insert(full.end(), args.begin(), args.end());
    return RunSysgate(full);
  }

  std::string root_, work_, policy_;
};

TEST_F(BrokerTest, AllowedReadGetsTheFile) {
  Outcome o = Run({"open-show", work_ + "/good", "read"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out,
              HasSubstr("fd = 3\ncloexec = no\ncontent = allowed text\n"));
  EXPECT_EQ(o.err, "");
}

TEST_F(BrokerTest, UngrantedReadIsDeniedAndReported) {
  Outcome o = Run({"open-show", root_ + "/secret", "read"});
  EXPECT_THAT(o.out, HasSubstr("open = -1 EACCES\n"));
  EXPECT_THAT(o.err,
              HasSubstr("openat(AT_FDCWD, \"" + root_ + "/secret\", O_RDONLY"));
  EXPECT_THAT(
      o.err, HasSubstr("denied by broker default (errno EACCES); resolved to " +
                       root_ + "/secret"));
}

TEST_F(BrokerTest, WriteToAReadOnlyGrantIsDenied) {
  Outcome o = Run({"open-show", root_ + "/ro/readme", "write"});
  EXPECT_THAT(o.out, HasSubstr("open = -1 EACCES\n"));
  Outcome r = Run({"open-show", root_ + "/ro/readme", "read"});
  EXPECT_THAT(r.out, HasSubstr("content = read only\n"));
}

TEST_F(BrokerTest, CreateInAWriteGrant) {
  std::string created = work_ + "/new-file";
  unlink(created.c_str());
  Outcome o = Run({"open-show", created, "create"});
  EXPECT_THAT(o.out, HasSubstr("fd = 3\n"));
  struct stat st;
  ASSERT_EQ(stat(created.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640 & ~022u);  // The program's umask applies.
  Outcome again = Run({"open-show", created, "create-excl"});
  EXPECT_THAT(again.out, HasSubstr("open = -1 EEXIST\n"));
  Outcome outside = Run({"open-show", root_ + "/ro/new", "create"});
  EXPECT_THAT(outside.out, HasSubstr("open = -1 EACCES\n"));
  struct stat none;
  EXPECT_NE(stat((root_ + "/ro/new").c_str(), &none),
            0);  // Nothing was created.
}

TEST_F(BrokerTest, Openat2AndCreat) {
  std::string created = work_ + "/by-creat";
  unlink(created.c_str());
  Outcome o = Run({"open-variants", work_ + "/good", created});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(
      o.out,
      HasSubstr("openat2:\nfd = 3\ncloexec = no\ncontent = allowed text\n"));
  struct stat st;
  if (HostIsX86_64()) {  // arm64 has no creat.
    EXPECT_THAT(o.out, HasSubstr("creat:\nfd = 4\n"));
    EXPECT_EQ(stat(created.c_str(), &st), 0);
  }
  // openat2's own RESOLVE_NO_SYMLINKS is kept: a symlink inside the grant
  // fails as the kernel would fail it.
  std::string link = work_ + "/variant-link";
  unlink(link.c_str());
  ASSERT_EQ(symlink("good", link.c_str()), 0);
  Outcome l = Run({"open-variants", link, work_ + "/by-creat-2"});
  EXPECT_THAT(l.out, HasSubstr("openat2:\nopen = -1 ELOOP\n"));
}

TEST_F(BrokerTest, CloseOnExecIsHonoured) {
  Outcome o = Run({"open-show", work_ + "/good", "read+cloexec"});
  EXPECT_THAT(o.out, HasSubstr("cloexec = yes\n"));
}

TEST_F(BrokerTest, LowestFreeDescriptor) {
  Outcome o = Run({"lowest-fd", work_ + "/good"});
  EXPECT_THAT(o.out, HasSubstr("fd = 0\n"));
}

TEST_F(BrokerTest, RelativePathsWithADirfdAndAfterChdir) {
  Outcome o = Run({"relative", work_, "good"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(CountLines(o.out, "content = allowed text"), 2) << o.out;
  EXPECT_THAT(o.out, HasSubstr("chdir = 0\n"));
}

// /proc/self is the program, though sysgate resolves the path, and a
// `/proc/self/**` grant covers the program's own entries and no one
// else's.
TEST_F(BrokerTest, ProcSelfIsTheProgram) {
  std::string policy =
      TempFile("proc-self.policy",
               "broker read /usr/**, /lib/**, /lib64/**, /etc/ld.so.cache, "
               "/proc/self/**\n");
  auto run = [&](const std::string& path) {
    return RunSysgate({"run", "--policy=" + policy, "--", Tracee("calls"),
                       "open-show", path, "read"});
  };
  Outcome self = run("/proc/self/status");
  EXPECT_EQ(self.status, 0) << self.err;
  EXPECT_THAT(self.out, HasSubstr("content = Name:\tcalls\n"));
  Outcome thread = run("/proc/thread-self/comm");
  EXPECT_THAT(thread.out, HasSubstr("content = calls\n"));
  Outcome init = run("/proc/1/status");
  EXPECT_THAT(init.out, HasSubstr("open = -1 EACCES\n"));
  EXPECT_THAT(init.err, HasSubstr("resolved to /proc/1/status"));
}

TEST_F(BrokerTest, SymlinksAndDotDotCannotEscape) {
  std::string link = work_ + "/link";
  unlink(link.c_str());
  ASSERT_EQ(symlink((root_ + "/secret").c_str(), link.c_str()), 0);
  Outcome o = Run({"open-show", link, "read"});
  EXPECT_THAT(o.out, HasSubstr("open = -1 EACCES\n"));
  EXPECT_THAT(o.err, HasSubstr("resolved to " + root_ + "/secret"));
  Outcome dots = Run({"open-show", work_ + "/../secret", "read"});
  EXPECT_THAT(dots.out, HasSubstr("open = -1 EACCES\n"));
  // A symlink inside the grant to a granted file is fine.
  std::string inside = work_ + "/inside";
  unlink(inside.c_str());
  ASSERT_EQ(symlink((work_ + "/good").c_str(), inside.c_str()), 0);
  EXPECT_THAT(Run({"open-show", inside, "read"}).out,
              HasSubstr("content = allowed text\n"));
  // Creating through a dangling symlink that points outside: refused.
  std::string dangling = work_ + "/dangling";
  unlink(dangling.c_str());
  ASSERT_EQ(symlink((root_ + "/made-by-symlink").c_str(), dangling.c_str()), 0);
  Outcome create = Run({"open-show", dangling, "create"});
  EXPECT_THAT(create.out,
              ::testing::ContainsRegex("open = -1 E(LOOP|ACCES)\n"));
  struct stat st;
  EXPECT_NE(stat((root_ + "/made-by-symlink").c_str(), &st), 0);
}

TEST_F(BrokerTest, ThirtyTwoBitPrograms) {
  SYSGATE_SKIP_WITHOUT_COMPAT_ABI();
  std::vector<std::string> args = {
      "run",       "--policy=" + policy_, "--",  Tracee("calls32"),
      "open-show", work_ + "/good",       "read"};
  Outcome o = RunSysgate(args);
  EXPECT_THAT(o.out, HasSubstr("content = allowed text\n"));
}

TEST_F(BrokerTest, ChildrenAndThreadsAreBrokeredToo) {
  Outcome o =
      RunSysgate({"run", "--policy=" + policy_, "--", "/bin/sh", "-c",
                  Tracee("calls") + " open-show " + root_ + "/secret read"});
  EXPECT_THAT(o.out, HasSubstr("open = -1 EACCES\n"));
}

TEST_F(BrokerTest, DefaultErrnoIsConfigurable) {
  std::string p = TempFile("broker-enoent.policy",
                           "broker read /usr/**, /lib/**, /etc/ld.so.cache\n"
                           "broker default errno(ENOENT)\n");
  Outcome o = RunSysgate({"run", "--policy=" + p, "--", Tracee("calls"),
                          "open-show", root_ + "/secret", "read"});
  EXPECT_THAT(o.out, HasSubstr("open = -1 ENOENT\n"));
}

TEST_F(BrokerTest, CallsThatRevealFilesAreAnsweredBySysgate) {
  Outcome o = Run({"reveal", work_ + "/good"});
  EXPECT_THAT(o.out, HasSubstr("stat = 0 size=13\n"));
  EXPECT_THAT(o.out, HasSubstr("access R_OK = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("access W_OK = 0\n"));
  EXPECT_THAT(o.out, HasSubstr("readlink = -1 EINVAL\n"));  // Not a link.
  Outcome ro = Run({"reveal", root_ + "/ro/readme"});
  EXPECT_THAT(ro.out, HasSubstr("stat = 0 size=10\n"));
  EXPECT_THAT(ro.out,
              HasSubstr("access W_OK = -1 EACCES\n"));  // Read-only grant.
  Outcome secret = Run({"reveal", root_ + "/secret"});
  EXPECT_THAT(secret.out, HasSubstr("stat = -1 EACCES\n"));
  EXPECT_THAT(secret.out, HasSubstr("access R_OK = -1 EACCES\n"));
  EXPECT_THAT(
      secret.err,
      HasSubstr("denied by broker default (errno EACCES); resolved to " +
                root_ + "/secret"));
  std::string link = work_ + "/reveal-link";
  unlink(link.c_str());
  ASSERT_EQ(symlink("good", link.c_str()), 0);
  EXPECT_THAT(Run({"reveal", link}).out, HasSubstr("readlink = good\n"));
  if (HasCompatAbi()) {
    Outcome i386 = RunSysgate({"run", "--policy=" + policy_, "--",
                               Tracee("calls32"), "reveal", work_ + "/good"});
    EXPECT_THAT(i386.out, HasSubstr("stat = 0 size=13\n"));
  }
}

TEST_F(BrokerTest, ExecNeedsAnExecGrant) {
  char self[PATH_MAX];
  ASSERT_NE(realpath(Tracee("calls").c_str(), self), nullptr);
  std::string base = absl::StrCat(
      "broker read /usr/**, /lib/**, /lib64/**, /etc/ld.so.cache, "
      "/etc/ld.so.preload, ",
      work_, "/**\n");
  std::string granted = TempFile(
      "exec-ok.policy", base + "broker exec " + std::string(self) + "\n");
  EXPECT_THAT(
      RunSysgate({"run", "--policy=" + granted, "--", self, "exit", "0"})
          .status,
      0);
  std::string other =
      TempFile("exec-no.policy", base + "broker exec /usr/bin/true\n");
  Outcome denied =
      RunSysgate({"run", "--policy=" + other, "--", self, "exit", "0"});
  EXPECT_EQ(denied.status, 126);
  EXPECT_THAT(denied.err, HasSubstr("execve(\"" + std::string(self)));
  // A granted script whose interpreter is not granted: the pre-check sees
  // the script, the kernel loads /bin/sh, and the check at the exec stop
  // kills it before it runs.
  std::string script = work_ + "/script.sh";
  TempFile("work/script.sh", "#!/bin/sh\necho ran\n");
  chmod(script.c_str(), 0755);
  std::string scripts =
      TempFile("exec-script.policy", base + "broker exec " + work_ + "/*.sh\n");
  Outcome o = RunSysgate({"run", "--policy=" + scripts, "--", script});
  EXPECT_EQ(o.status, 137);
  EXPECT_EQ(o.out, "");
  EXPECT_THAT(o.err, HasSubstr("no broker exec rule grants it"));
}

// The race of the seeds: a thread flips the path buffer between a granted
// and a forbidden file while another opens it 100,000 times. The kernel
// never reads the buffer, so the forbidden contents never arrive.
TEST_F(BrokerTest, FlippingThePathBufferNeverYieldsTheForbiddenFile) {
  // Under emulation (tests/qemu/run) each open costs ~20x: fewer tries.
  std::string tries = std::to_string(100000 / TimeoutScale());
  Outcome o = Run({"race", work_ + "/good", root_ + "/secret", tries});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("forbidden = 0\n"));
  EXPECT_THAT(o.out, ::testing::ContainsRegex("opened = [1-9][0-9]*\n"));
}

}  // namespace
}  // namespace sysgate::testing

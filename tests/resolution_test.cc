// End to end: how the broker resolves the paths the program names (issue
// 14): /proc/self met anywhere means the program, the kernel's lookup rules
// hold, and the calls that reveal more than stat are brokered too.
#include <signal.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "tests/mediation_fixture.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;

// /proc/self met anywhere on the way, through /dev/stdin, /dev/fd/N,
// /proc/mounts or a dirfd on /proc, means the program, never sysgate; the
// program may reopen its own pipes (process substitution); sysgate's own
// entries stay out of reach, by any route.
TEST_P(MediationTest, SelfMeansTheProgramAtEveryStep) {
  std::string proc_policy =
      TempFile("proc.policy", ReadFile(policy_) +
                                  "broker read /proc, /proc/self/**, "
                                  "/dev/null\n");
  auto shell = [&](const std::string& script) {
    return RunSysgate({"run", Landlock(), "--policy=" + proc_policy, "--",
                       "/bin/sh", "-c", script});
  };
  // Symlinks into /proc/self made here, and /dev's own where it has them
  // (the VM suites' /dev, a bare devtmpfs, has neither /dev/stdin nor
  // /dev/fd).
  std::string stdin_link = work_ + "/stdin", fd_link = work_ + "/fd";
  unlink(stdin_link.c_str());
  unlink(fd_link.c_str());
  ASSERT_EQ(symlink("/proc/self/fd/0", stdin_link.c_str()), 0);
  ASSERT_EQ(symlink("/proc/self/fd", fd_link.c_str()), 0);
  std::vector<std::string> stdins = {stdin_link};
  std::vector<std::string> fd_dirs = {fd_link};
  bool dev_links =
      access("/dev/stdin", F_OK) == 0 && access("/dev/fd", F_OK) == 0;
  if (dev_links) {
    stdins.push_back("/dev/stdin");
    fd_dirs.push_back("/dev/fd");
  }
  for (const std::string& in_path : stdins) {
    Outcome in = shell("cat " + in_path + " < " + root_ + "/ro/readme");
    EXPECT_EQ(in.out, "read only\n") << in_path << ": " << in.err;
    // A redirected stdin is still its file: the grants decide.
    Outcome secret = shell("cat " + in_path + " < " + secret_);
    EXPECT_EQ(secret.out, "") << secret.err;
    EXPECT_THAT(secret.err, HasSubstr("resolved to " + secret_));
  }
  for (const std::string& fd_dir : fd_dirs) {
    Outcome fd0 = shell("echo piped | cat " + fd_dir + "/0");
    EXPECT_EQ(fd0.out, "piped\n") << fd_dir << ": " << fd0.err;
  }
  // Its own pipes only the way it holds them: stderr, the write end of a
  // pipe it shares with sysgate, reopened for reading would be the read
  // end, and sysgate's report lines with it.
  Outcome steal = shell("cat /proc/self/fd/2 && echo STOLE");
  EXPECT_EQ(steal.out, "");
  EXPECT_THAT(steal.err, HasSubstr("the other end of a pipe"));
  Outcome same_way = shell("echo written > /proc/self/fd/1");
  EXPECT_EQ(same_way.out, "written\n") << same_way.err;
  if (dev_links && access("/bin/bash", X_OK) == 0) {
    Outcome substituted =
        RunSysgate({"run", Landlock(), "--policy=" + proc_policy, "--",
                    "/bin/bash", "-c", "cat <(echo substituted)"});
    EXPECT_EQ(substituted.out, "substituted\n") << substituted.err;
  }
  // /proc/mounts is a symlink to self/mounts: the program's mount table.
  Outcome mounts = shell("head -1 /proc/mounts");
  EXPECT_EQ(mounts.status, 0) << mounts.err;
  EXPECT_NE(mounts.out, "");
  if (access("/usr/bin/python3", X_OK) != 0) return;
  // A dirfd on /proc, "self/status" from it: the program's own status.
  Outcome dirfd =
      RunSysgate({"run", Landlock(), "--policy=" + proc_policy, "--",
                  "/usr/bin/python3", "-c",
                  "import os\n"
                  "d = os.open('/proc', os.O_RDONLY)\n"
                  "fd = os.open('self/status', os.O_RDONLY, dir_fd=d)\n"
                  "print(os.read(fd, 100).decode().splitlines()[0])\n"});
  EXPECT_EQ(dirfd.out, "Name:\tpython3\n") << dirfd.err;
  // sysgate's own entries, through a symlink the program makes to them.
  Outcome own = RunSysgate(
      {"run", Landlock(), "--policy=" + proc_policy, "--", "/usr/bin/python3",
       "-c",
       absl::StrCat("import os\n"
                    "os.symlink('/proc/%d/environ' % os.getppid(), '",
                    work_,
                    "/env')\n"
                    "try:\n"
                    "  open('",
                    work_,
                    "/env').read(); print('ESCAPED')\n"
                    "except OSError as e: print(e.errno)\n")});
  EXPECT_EQ(own.out, "13\n") << own.err;
}

// Found by a hostile review: sysgate opens a brokered /proc entry itself,
// and the entries that check their opener's privileges (mem, environ,
// maps, auxv, through proc_mem_open; fd/ at lookup) would be checked
// against sysgate's CAP_SYS_PTRACE, which a root program is denied. Of a
// process that is not the program's (here the test's own child; sysgate's
// alarms are another) they are refused, reported; what any process may
// read of another (status, stat, cmdline) stays readable, and the
// program's own entries all are.
TEST_P(MediationTest, AnotherProcesssEntriesThatCheckTheOpenerAreRefused) {
  std::string proc_policy = TempFile(
      "proc-read.policy", ReadFile(policy_) + "broker read /proc, /proc/**\n");
  auto read = [&](const std::string& path) {
    return RunSysgate({"run", Landlock(), "--policy=" + proc_policy, "--",
                       Tracee("file_changes"), "read", path});
  };
  pid_t other = fork();
  if (other == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(other, 0);
  std::string proc = absl::StrCat("/proc/", other);
  for (const std::string& entry :
       {std::string("mem"), std::string("environ"), std::string("maps"),
        std::string("auxv"), absl::StrCat("task/", other, "/environ")}) {
    Outcome o = read(proc + "/" + entry);
    EXPECT_THAT(o.out, HasSubstr("read = -1 EACCES\n")) << entry << o.err;
    EXPECT_THAT(o.err,
                HasSubstr("another process's /proc entries that check their "
                          "opener"))
        << entry;
  }
  for (const char* entry : {"status", "stat", "cmdline"}) {
    Outcome o = read(proc + "/" + entry);
    EXPECT_THAT(o.out, ::testing::MatchesRegex("read = [1-9][0-9]*\n"))
        << entry << ": " << o.err;
  }
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
  for (const char* own : {"/proc/self/maps", "/proc/self/environ"}) {
    Outcome o = read(own);
    EXPECT_THAT(o.out, ::testing::MatchesRegex("read = [1-9][0-9]*\n"))
        << own << ": " << o.err;
  }
}

// An alarm, the child sysgate forks to wake it from a delay, is a copy of
// sysgate with no filter: its entries are refused as another process's
// (with a write grant on /proc, its mem would run the program's code
// outside the sandbox). The child's getppid waits 5 s (in a process of
// its own: python's getppid keeps the GIL), so the scan of /proc finds the
// alarm still sleeping.
TEST_P(MediationTest, AnAlarmsProcEntriesAreRefused) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no python3";
  std::string proc_policy = TempFile(
      "proc-alarm.policy", ReadFile(policy_) + "broker read /proc, /proc/**\n");
  Outcome o = RunSysgate(
      {"run", Landlock(), "--policy=" + proc_policy,
       "--inject=getppid:delay_enter=5s", "--", "/usr/bin/python3", "-c",
       "import os, time\n"
       "sysgate = int(open('/proc/self/status').read()"
       ".split('PPid:')[1].split()[0])\n"
       "child = os.fork()\n"
       "if child == 0: os.getppid(); os._exit(0)\n"
       "time.sleep(0.3)\n"
       "for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
       "  try: status = open('/proc/%s/status' % pid).read()\n"
       "  except OSError: continue\n"
       "  if 'PPid:\\t%d\\n' % sysgate not in status: continue\n"
       "  if int(pid) == os.getpid(): continue\n"
       "  for entry in ('environ', 'maps', 'mem'):\n"
       "    try: open('/proc/%s/%s' % (pid, entry), 'rb').read(1); "
       "print('OPENED', entry)\n"
       "    except OSError as e: print(entry, e.errno)\n"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "environ 13\nmaps 13\nmem 13\n") << o.err;
}

// Calls that reveal more than stat: statfs (as stat), chdir (as stat, and
// every path from there resolved again), extended attributes (read grant).
// Found by a hostile review of the walk: another process's /proc links
// lead into its mount tree (a namespace, a detached mount), so they are
// refused, reported; openat2's RESOLVE_* flags hold on the last component
// too; a trailing slash follows a final symlink and requires a directory;
// a directory on the way to a grant reads as no link (realpath).
TEST_P(MediationTest, WalkingKeepsTheKernelsRules) {
  pid_t other = fork();
  if (other == 0) {
    if (chdir(work_.c_str()) != 0) _exit(1);
    pause();
    _exit(0);
  }
  ASSERT_GT(other, 0);
  Outcome via_other =
      Call({"read", absl::StrCat("/proc/", other, "/cwd/good")});
  kill(other, SIGKILL);
  waitpid(other, nullptr, 0);
  EXPECT_THAT(via_other.out, HasSubstr("read = -1 EACCES\n"));
  EXPECT_THAT(via_other.err, HasSubstr("denied by sysgate guard"));
  EXPECT_THAT(via_other.err, HasSubstr("another process's /proc links"));
  std::string out_link = work_ + "/to-etc";
  unlink(out_link.c_str());
  ASSERT_EQ(symlink("/etc/hostname", out_link.c_str()), 0);
  EXPECT_THAT(Call({"openat2-beneath", work_, "to-etc"}).out,
              HasSubstr("openat2-beneath = -1 EXDEV\n"));
  std::string dir_link = work_ + "/to-dir";
  unlink(dir_link.c_str());
  mkdir((work_ + "/d").c_str(), 0755);
  ASSERT_EQ(symlink("d", dir_link.c_str()), 0);
  EXPECT_THAT(Call({"lstat", dir_link + "/"}).out, HasSubstr("lstat = 0 size"));
  EXPECT_THAT(Call({"lstat", work_ + "/good/"}).out,
              HasSubstr("lstat = -1 ENOTDIR\n"));
  EXPECT_THAT(Call({"write", work_ + "/new/"}).out,
              HasSubstr("write = -1 EISDIR\n"));
  EXPECT_FALSE(Exists(work_ + "/new"));
  std::string proc_policy = TempFile(
      "proc-self.policy", ReadFile(policy_) + "broker read /proc/self/**\n");
  Outcome real = RunSysgate({"run", Landlock(), "--policy=" + proc_policy, "--",
                             "/usr/bin/realpath", "/proc/self/status"});
  EXPECT_THAT(real.out, ::testing::MatchesRegex("/proc/[0-9]+/status\n"))
      << real.err;
}

TEST_P(MediationTest, RevealingCallsAreBrokered) {
  for (std::string program : {"file_changes", "file_changes32"}) {
    if (program == "file_changes32" && !HasCompatAbi()) continue;
    ExpectRefused({"statfs", root_ + "/forbidden/dir"}, program);
    EXPECT_THAT(Call({"statfs", work_}, program).out,
                HasSubstr("statfs = 0 type"));
    ExpectRefused({"chdir", root_ + "/forbidden/dir"}, program);
    // From a granted directory, a relative path is still checked.
    Outcome in = Call({"chdir", work_, "../forbidden/secret"}, program);
    EXPECT_THAT(in.out, HasSubstr("chdir = 0\n")) << in.err;
    EXPECT_THAT(in.out, HasSubstr("open-relative = EACCES\n"));
    ExpectRefused({"getxattr", secret_, "k"}, program);
    ExpectRefused({"listxattr", secret_}, program);
  }
  if (HasCompatAbi()) {
    EXPECT_THAT(Call({"statfs64", work_}, "file_changes32").out,
                HasSubstr("statfs64 = 0 type"));
  }
  std::string good = work_ + "/good";
  if (setxattr(good.c_str(), "user.k", "value", 5, 0) != 0)
    GTEST_SKIP() << "no user xattrs in " << work_;
  EXPECT_THAT(Call({"getxattr", good, "k"}).out,
              HasSubstr("getxattr = 5 value\n"));
  EXPECT_THAT(Call({"listxattr", good}).out, HasSubstr("listxattr = 7\n"));
}

INSTANTIATE_TEST_SUITE_P(LandlockOnAndOff, MediationTest,
                         ::testing::ValuesIn(kLandlockModes), LandlockModeName);

}  // namespace
}  // namespace sysgate::testing

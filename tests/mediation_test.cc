// End to end: complete mediation under `broker` rules (issue 14). Each
// call that changes a file is made for real (tests/testcases/
// file_changes.c) against a file outside every grant, a file granted only
// for reading, and inside the write grant: outside, the call must fail and
// nothing change; inside, it must do what it does without sysgate.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <fstream>

#include "tests/mediation_fixture.h"

namespace sysgate::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Each of these worked against a broker policy before (issue 14's list).
TEST_P(MediationTest, ChangesOutsideEveryGrantAreRefused) {
  struct stat before = StatOf(secret_);
  for (const std::string& file : {secret_, root_ + "/ro/readme"}) {
    ExpectRefused({"unlink", file});
    ExpectRefused({"chmod", file, "777"});
    ExpectRefused({"chown", file});
    ExpectRefused({"utime", file});
    ExpectRefused({"truncate", file, "0"});
  }
  // A descriptor opened for reading changes nothing either.
  ExpectRefused({"fchmod", root_ + "/ro/readme", "4777"});
  ExpectRefused({"futimens", root_ + "/ro/readme"});
  EXPECT_EQ(StatOf(root_ + "/ro/readme").st_mode & 07777, 0644u);
  ExpectRefused({"rmdir", root_ + "/forbidden/dir"});
  ExpectRefused({"mkdir", root_ + "/forbidden/new"});
  ExpectRefused({"symlink", "/etc/passwd", root_ + "/forbidden/link"});
  ExpectRefused({"mkfifo", root_ + "/ro/fifo"});
  struct stat after = StatOf(secret_);
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(after.st_size, before.st_size);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_TRUE(Exists(root_ + "/forbidden/dir"));
  EXPECT_TRUE(Exists(root_ + "/ro/readme"));
  for (const char* made : {"/forbidden/new", "/forbidden/link", "/ro/fifo"})
    EXPECT_FALSE(Exists(root_ + made)) << made;
}

// A forbidden file moved or linked into the write grant would then be
// opened from there; a read-only one linked there, written.
TEST_P(MediationTest, NothingIsRenamedOrLinkedIntoTheWriteGrant) {
  ExpectRefused({"rename", secret_, work_ + "/moved"});
  ExpectRefused({"link", secret_, work_ + "/linked"});
  ExpectRefused({"exchange", work_ + "/good", secret_});
  ExpectRefused({"link", root_ + "/ro/readme", work_ + "/writable"});
  ExpectRefused({"rename", work_ + "/good", root_ + "/forbidden/out"});
  for (const char* name : {"/moved", "/linked", "/writable"})
    EXPECT_FALSE(Exists(work_ + name)) << name;
  EXPECT_EQ(ReadFile(secret_), "FORBIDDEN secret\n");
  EXPECT_EQ(ReadFile(work_ + "/good"), "allowed text\n");
}

TEST_P(MediationTest, NoDeviceNodeEvenInTheWriteGrant) {
  Outcome o = Call({"mknod-kmsg", work_ + "/kmsg"});
  EXPECT_THAT(o.out, HasSubstr("mknod-kmsg = -1 EPERM\n"));
  EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard (errno EPERM)"));
  EXPECT_THAT(o.err, HasSubstr("sysgate never makes device nodes"));
  EXPECT_FALSE(Exists(work_ + "/kmsg"));
  // RENAME_WHITEOUT would leave a (0:0) device where the source was.
  Outcome whiteout = Call({"whiteout", work_ + "/good", work_ + "/moved"});
  EXPECT_THAT(whiteout.out, HasSubstr("whiteout = -1 EPERM\n"));
  EXPECT_TRUE(Exists(work_ + "/good"));
  EXPECT_FALSE(Exists(work_ + "/moved"));
}

// The userfaultfd device by another name (a chroot's /dev, a bind mount)
// is the same device: refused by its number, in a read grant too.
TEST_P(MediationTest, TheUserfaultfdDeviceIsRefusedByAnyName) {
  if (access("/dev/userfaultfd", F_OK) != 0)
    GTEST_SKIP() << "this kernel has no /dev/userfaultfd";
  // In a mount namespace of this test's own, so that nothing leaks out.
  if (unshare(CLONE_NEWNS) != 0)
    GTEST_SKIP() << "no mount namespace here: " << strerror(errno);
  ASSERT_EQ(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0);
  std::string copy = root_ + "/ro/uffd";
  { std::ofstream(copy.c_str()); }
  if (mount("/dev/userfaultfd", copy.c_str(), nullptr, MS_BIND, nullptr) != 0)
    GTEST_SKIP() << "cannot bind-mount /dev/userfaultfd: " << strerror(errno);
  int native = open(copy.c_str(), O_RDONLY);
  if (native < 0) GTEST_SKIP() << "cannot open it here: " << strerror(errno);
  close(native);
  Outcome o = Call({"read", copy});
  EXPECT_THAT(o.out, HasSubstr("read = -1 EPERM\n")) << o.err;
  EXPECT_THAT(o.err, HasSubstr("the userfaultfd device stalls the broker"));
  umount(copy.c_str());
}

// io_uring reads its OPENAT's path from a ring, fanotify hands out other
// processes' files, a handle names an inode: no path the broker sees.
TEST_P(MediationTest, CallsThatReachFilesWithoutAPathAreRefused) {
  // userfaultfd would stall the broker's workers on its memory.
  for (const char* call :
       {"io_uring_setup", "fanotify_init", "open_by_handle_at",
        "open_tree_attr", "userfaultfd"}) {
    Outcome o = Call({call});
    EXPECT_THAT(o.out, HasSubstr(absl::StrCat(call, " = -1 EPERM\n")));
    EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard (errno EPERM)"));
  }
  // The broker resolves absolute paths from the program's first root: no
  // mount namespace made or entered (setns of 0 is any namespace the
  // descriptor holds; 0x20000 is CLONE_NEWNS).
  for (std::vector<std::string> call :
       {std::vector<std::string>{"unshare-mount"},
        {"clone-mount"},
        {"setns", "0"},
        {"setns", "0x20000"},
        {"setns", "0x40020000"}}) {
    Outcome o = Call(call);
    EXPECT_THAT(o.out, HasSubstr(absl::StrCat(call[0], " = -1 EPERM\n")))
        << call.back();
    EXPECT_THAT(o.err, HasSubstr("denied by sysgate guard (errno EPERM)"))
        << call.back();
  }
  // Entering another kind of namespace is the policy's (the kernel's
  // answer here: the pidfd's own network namespace).
  Outcome net = Call({"setns", "0x40000000"});
  EXPECT_THAT(net.err, Not(HasSubstr("sysgate guard"))) << net.out;
  // Inode flags through a descriptor opened for reading, even with junk
  // in the request's upper half, which the kernel ignores.
  for (const char* upper : {"0", "1"}) {
    Outcome f = Call({"setflags", root_ + "/ro/readme", upper});
    EXPECT_THAT(f.out, HasSubstr("setflags = -1 EOPNOTSUPP\n")) << f.err;
    EXPECT_THAT(f.err, HasSubstr("sysgate guard (errno EOPNOTSUPP)"));
  }
  if (HasCompatAbi()) {
    Outcome f = Call({"setflags", root_ + "/ro/readme", "0"}, "file_changes32");
    EXPECT_THAT(f.out, HasSubstr("setflags = -1 EOPNOTSUPP\n")) << f.err;
    for (const char* call : {"unshare-mount", "clone-mount"}) {
      Outcome o = Call({call}, "file_changes32");
      EXPECT_THAT(o.out, HasSubstr(absl::StrCat(call, " = -1 EPERM\n")));
    }
    for (const char* old : {"oldstat", "oldlstat"}) {
      Outcome o = Call({old, secret_}, "file_changes32");
      EXPECT_THAT(o.out, HasSubstr(absl::StrCat(old, " = -1 ENOSYS\n")));
      EXPECT_THAT(o.err, HasSubstr("sysgate guard (errno ENOSYS)"));
    }
  }
  // Without `broker` rules the guard is not there: the policy decides.
  std::string plain = TempFile("plain.policy", "default allow\n");
  Outcome o = RunSysgate({"run", Landlock(), "--policy=" + plain, "--",
                          Tracee("file_changes"), "io_uring_setup"});
  EXPECT_THAT(o.err, Not(HasSubstr("sysgate guard")));
}

// user.sysgate of PATH, or "" (none, or none readable).
std::string XattrOf(const std::string& path) {
  char value[64] = {};
  ssize_t n = getxattr(path.c_str(), "user.sysgate", value, sizeof(value) - 1);
  return n < 0 ? "" : std::string(value, n);
}

// Setting and removing extended attributes change a file: a write grant,
// on the object a path resolves to or a descriptor names (one opened for
// reading does not change its file).
TEST_P(MediationTest, ExtendedAttributesChangeOnlyInTheWriteGrant) {
  std::string good = work_ + "/good", readme = root_ + "/ro/readme";
  if (setxattr(good.c_str(), "user.sysgate", "before", 6, 0) != 0)
    GTEST_SKIP() << "no user xattrs in " << work_;
  ASSERT_EQ(setxattr(secret_.c_str(), "user.sysgate", "kept", 4, 0), 0);
  ASSERT_EQ(setxattr(readme.c_str(), "user.sysgate", "kept", 4, 0), 0);
  std::string link = work_ + "/to-secret";
  ASSERT_EQ(symlink(secret_.c_str(), link.c_str()), 0);
  for (std::string program : {"file_changes", "file_changes32"}) {
    if (program == "file_changes32" && !HasCompatAbi()) continue;
    for (const std::string& target : {secret_, readme, link}) {
      ExpectRefused({"setxattr", target, "changed"}, program);
      ExpectRefused({"removexattr", target}, program);
    }
    ExpectRefused({"fsetxattr", readme, "changed"}, program);
    ExpectRefused({"fremovexattr", readme}, program);
    EXPECT_EQ(XattrOf(secret_), "kept");
    EXPECT_EQ(XattrOf(readme), "kept");
    // The link itself is in the grant: the kernel's own answer (no user.*
    // attributes on a symlink), and the secret unchanged.
    Outcome l = Call({"lsetxattr", link, "changed"}, program);
    EXPECT_THAT(l.out, HasSubstr("lsetxattr = -1 EPERM\n")) << l.err;
    EXPECT_EQ(XattrOf(secret_), "kept");
    // Inside the grant each does what it does natively.
    Outcome set = Call({"setxattr", good, program}, program);
    EXPECT_THAT(set.out, HasSubstr("setxattr = 0\n")) << set.err;
    EXPECT_EQ(XattrOf(good), program);
    Outcome create = Call({"setxattr", good, "again", "1"}, program);
    EXPECT_THAT(create.out, HasSubstr("setxattr = -1 EEXIST\n"));  // CREATE.
    Outcome junk = Call({"setxattr", good, "again", "4"}, program);
    EXPECT_THAT(junk.out, HasSubstr("setxattr = -1 EINVAL\n"));
    Outcome huge = Call({"setxattr-huge", good}, program);
    EXPECT_THAT(huge.out, HasSubstr("setxattr-huge = -1 E2BIG\n"));
    EXPECT_THAT(Call({"removexattr", good}, program).out,
                HasSubstr("removexattr = 0\n"));
    EXPECT_EQ(XattrOf(good), "");
    EXPECT_THAT(Call({"fsetxattr", good, "by-fd"}, program).out,
                HasSubstr("fsetxattr = 0\n"));
    EXPECT_EQ(XattrOf(good), "by-fd");
    EXPECT_THAT(Call({"fremovexattr", good}, program).out,
                HasSubstr("fremovexattr = 0\n"));
    EXPECT_THAT(Call({"removexattr", good}, program).out,
                HasSubstr("removexattr = -1 ENODATA\n"));
    // The *xattrat forms (Linux 6.13), their struct xattr_args read once.
    Outcome at = Call({"setxattrat", good, "at"}, program);
    if (at.out.find("setxattrat = -1 ENOSYS") != std::string::npos) continue;
    EXPECT_THAT(at.out, HasSubstr("setxattrat = 0\n")) << at.err;
    EXPECT_EQ(XattrOf(good), "at");
    Outcome got = Call({"getxattrat", good}, program);
    EXPECT_THAT(got.out, HasSubstr("getxattrat value = at\n")) << got.err;
    EXPECT_THAT(Call({"listxattrat", good}, program).out,
                HasSubstr("listxattrat = 13\n"));  // "user.sysgate\0".
    EXPECT_THAT(Call({"removexattrat", good}, program).out,
                HasSubstr("removexattrat = 0\n"));
    EXPECT_EQ(XattrOf(good), "");
    // On a descriptor (AT_EMPTY_PATH, 0x1000): its object's grant.
    EXPECT_THAT(Call({"setxattrat", good, "fd", "0x1000"}, program).out,
                HasSubstr("setxattrat = 0\n"));
    EXPECT_EQ(XattrOf(good), "fd");
    ExpectRefused({"setxattrat", readme, "changed", "0x1000"}, program);
    ExpectRefused({"setxattrat", secret_, "changed"}, program);
    ExpectRefused({"removexattrat", secret_}, program);
    ExpectRefused({"getxattrat", secret_}, program);
    ExpectRefused({"listxattrat", secret_}, program);
    EXPECT_EQ(XattrOf(secret_), "kept");
    EXPECT_EQ(XattrOf(readme), "kept");
    // The kernel's checks of the struct and the flags, kept.
    EXPECT_THAT(Call({"setxattrat", good, "x", "0", "8"}, program).out,
                HasSubstr("setxattrat = -1 EINVAL\n"));
    EXPECT_THAT(Call({"setxattrat", good, "x", "0", "24"}, program).out,
                HasSubstr("setxattrat = -1 E2BIG\n"));
    EXPECT_THAT(Call({"setxattrat", good, "x", "0x2"}, program).out,
                HasSubstr("setxattrat = -1 EINVAL\n"));
  }
}

TEST_P(MediationTest, ChangesInsideTheWriteGrantWork) {
  std::string d = work_ + "/d";
  EXPECT_THAT(Call({"mkdir", d}).out, HasSubstr("mkdir = 0\n"));
  EXPECT_TRUE(S_ISDIR(StatOf(d).st_mode));
  EXPECT_EQ(StatOf(d).st_mode & 0777, 0755 & ~022u);  // The program's umask.
  EXPECT_THAT(Call({"symlink", "good", work_ + "/sym"}).out,
              HasSubstr("symlink = 0\n"));
  char target[64] = {};
  EXPECT_EQ(readlink((work_ + "/sym").c_str(), target, sizeof(target) - 1), 4);
  EXPECT_STREQ(target, "good");
  EXPECT_THAT(Call({"link", work_ + "/good", d + "/hard"}).out,
              HasSubstr("link = 0\n"));
  EXPECT_EQ(StatOf(d + "/hard").st_ino, StatOf(work_ + "/good").st_ino);
  EXPECT_THAT(Call({"rename", d + "/hard", work_ + "/renamed"}).out,
              HasSubstr("rename = 0\n"));
  EXPECT_FALSE(Exists(d + "/hard"));
  EXPECT_THAT(Call({"chmod", work_ + "/renamed", "600"}).out,
              HasSubstr("chmod = 0\n"));
  EXPECT_EQ(StatOf(work_ + "/good").st_mode & 0777, 0600u);
  EXPECT_THAT(Call({"truncate", work_ + "/renamed", "3"}).out,
              HasSubstr("truncate = 0\n"));
  EXPECT_EQ(ReadFile(work_ + "/good"), "all");
  EXPECT_THAT(Call({"utime", work_ + "/good"}).out, HasSubstr("utime = 0\n"));
  EXPECT_EQ(StatOf(work_ + "/good").st_mtim.tv_sec, 0);
  EXPECT_THAT(Call({"chown", work_ + "/good"}).out, HasSubstr("chown = 0\n"));
  if (FifosWork(work_)) {
    EXPECT_THAT(Call({"mkfifo", work_ + "/fifo"}).out,
                HasSubstr("mkfifo = 0\n"));
    EXPECT_TRUE(S_ISFIFO(StatOf(work_ + "/fifo").st_mode));
    EXPECT_EQ(StatOf(work_ + "/fifo").st_mode & 0777, 0666 & ~022u);
  }
  EXPECT_THAT(Call({"unlink", work_ + "/renamed"}).out,
              HasSubstr("unlink = 0\n"));
  EXPECT_TRUE(Exists(work_ + "/good"));  // Its other name.
  EXPECT_THAT(Call({"rmdir", d}).out, HasSubstr("rmdir = 0\n"));
  EXPECT_FALSE(Exists(d));
  // The kernel's own errors come back as they are.
  EXPECT_THAT(Call({"rmdir", work_ + "/good"}).out,
              HasSubstr("rmdir = -1 ENOTDIR\n"));
  EXPECT_THAT(Call({"unlink", work_ + "/nothing"}).out,
              HasSubstr("unlink = -1 ENOENT\n"));
  EXPECT_THAT(Call({"unlink", work_ + "/good/"}).out,
              HasSubstr("unlink = -1 ENOTDIR\n"));
  EXPECT_THAT(Call({"mkdir", work_ + "/sym"}).out,
              HasSubstr("mkdir = -1 EEXIST\n"));
  // A trailing slash on a new name, as the kernel takes it.
  EXPECT_THAT(Call({"rename", work_ + "/good", work_ + "/g/"}).out,
              HasSubstr("rename = -1 ENOTDIR\n"));
  EXPECT_THAT(Call({"symlink", "good", work_ + "/s/"}).out,
              HasSubstr("symlink = -1 ENOENT\n"));
  EXPECT_THAT(Call({"link", work_ + "/good", work_ + "/sym/"}).out,
              HasSubstr("link = -1 EEXIST\n"));
  EXPECT_FALSE(Exists(work_ + "/g"));
  EXPECT_FALSE(Exists(work_ + "/s"));
  // futimens of a file opened in the write grant works.
  EXPECT_THAT(Call({"futimens", work_ + "/good"}).out,
              HasSubstr("futimens = 0\n"));
}

// fstatat(fd, "", AT_EMPTY_PATH) used to run as made: the kernel read the
// path again, and a second thread could have written a forbidden one in.
TEST_P(MediationTest, HeldDescriptorStatIsAnsweredFromTheDescriptor) {
  // AT_FDCWD with AT_EMPTY_PATH is the cwd (the test's, a broker-less
  // directory: an fstat needs no grant).
  EXPECT_THAT(Call({"stat-cwd"}).out, HasSubstr("stat-cwd = 0 size"));
  Outcome held = Call({"stat-held", root_ + "/ro/readme"});
  EXPECT_THAT(held.out, HasSubstr("stat-held = 0 size 10\n")) << held.err;
  setenv("FLIP_RUNS", TimeoutScale() > 1 ? "300" : "3000", 1);
  Outcome o = Call({"flip-empty", root_ + "/ro/readme", secret_});
  unsetenv("FLIP_RUNS");
  EXPECT_THAT(o.out, HasSubstr("leaked = 0\n")) << o.out << o.err;
}

// `broker deny` wins over the grant around it, for every call, and is
// what the report names.
TEST_P(MediationTest, BrokerDenyWinsOverTheGrantAroundIt) {
  // A directory moved takes what is below it: no rename past a deny.
  mkdir((work_ + "/u").c_str(), 0755);
  mkdir((work_ + "/u/.ssh").c_str(), 0700);
  TempFile("work/u/.ssh/id", "ID\n");
  mkdir((work_ + "/x").c_str(), 0755);
  std::string ssh = TempFile("ssh.policy", ReadFile(policy_) + "broker deny " +
                                               work_ + "/*/.ssh/**\n");
  Outcome moved = RunSysgate({"run", Landlock(), "--policy=" + ssh, "--",
                              Tracee("file_changes"), "rename", work_ + "/u",
                              work_ + "/x/u"});
  EXPECT_THAT(moved.out, HasSubstr("rename = -1 EACCES\n"));
  EXPECT_THAT(moved.err, HasSubstr("denied by broker deny " + ssh + ":"));
  EXPECT_TRUE(Exists(work_ + "/u/.ssh/id"));

  mkdir((work_ + "/private").c_str(), 0755);
  std::string hidden = TempFile("work/private/key", "KEY\n");
  std::string denying =
      TempFile("deny.policy",
               ReadFile(policy_) + "broker deny " + work_ + "/private/**\n");
  for (const std::vector<std::string>& call :
       std::vector<std::vector<std::string>>{
           {"stat", hidden},
           {"unlink", hidden},
           {"open-path", hidden},
           {"rename", hidden, work_ + "/k"}}) {
    std::vector<std::string> full = {"run", Landlock(), "--policy=" + denying,
                                     "--", Tracee("file_changes")};
    full.insert(full.end(), call.begin(), call.end());
    Outcome o = RunSysgate(full);
    EXPECT_THAT(o.out, HasSubstr(" = -1 EACCES\n")) << call[0];
    EXPECT_THAT(o.err, HasSubstr("denied by broker deny " + denying + ":"))
        << call[0] << o.err;
  }
  EXPECT_EQ(ReadFile(hidden), "KEY\n");
}

// ADDFD installs no O_PATH file: the program gets the object opened for
// reading instead (it used to wait forever: the error was never answered).
TEST_P(MediationTest, OPathOpensAnswer) {
  EXPECT_THAT(Call({"open-path", work_ + "/good"}).out,
              HasSubstr("open-path = file\n"));
  EXPECT_THAT(Call({"open-path", root_ + "/ro"}).out,
              HasSubstr("open-path = directory\n"));
  std::string link = work_ + "/path-sym";
  unlink(link.c_str());
  ASSERT_EQ(symlink("good", link.c_str()), 0);
  EXPECT_THAT(Call({"open-path-nofollow", link}).out,
              HasSubstr("open-path = -1 EOPNOTSUPP\n"));
  ExpectRefused({"open-path", secret_});
}

// i386's own calls (stat64's layout, not the host's struct stat) are
// brokered as well, not checked and run.
TEST_P(MediationTest, I386CallsAreMediatedToo) {
  SYSGATE_SKIP_WITHOUT_COMPAT_ABI();
  Outcome o = Call({"stat", root_ + "/ro/readme"}, "file_changes32");
  EXPECT_THAT(o.out, HasSubstr("stat = 0 size 10\n")) << o.err;
  EXPECT_THAT(Call({"stat-held", work_ + "/good"}, "file_changes32").out,
              HasSubstr("stat-held = 0 size 13\n"));
  ExpectRefused({"stat", secret_}, "file_changes32");
  ExpectRefused({"unlink", secret_}, "file_changes32");
  ExpectRefused({"truncate", secret_, "0"}, "file_changes32");
  ExpectRefused({"link", secret_, work_ + "/linked32"}, "file_changes32");
  EXPECT_EQ(ReadFile(secret_), "FORBIDDEN secret\n");
}

// Real programs inside their write grant: a temporary file renamed into
// place (how editors and package tools save), an archive unpacked.
TEST_P(MediationTest, RealProgramsWorkInsideTheirGrant) {
  if (access("/usr/bin/python3", X_OK) != 0)
    GTEST_SKIP() << "needs /usr/bin/python3";
  std::string script = absl::StrCat(
      "import os, tempfile\n"
      "fd, tmp = tempfile.mkstemp(dir='",
      work_,
      "')\n"
      "os.write(fd, b'saved\\n'); os.close(fd)\n"
      "os.chmod(tmp, 0o644)\n"
      "os.replace(tmp, '",
      work_,
      "/saved')\n"
      "os.makedirs('",
      work_,
      "/a/b/c', exist_ok=True)\n"
      "os.symlink('../saved', '",
      work_,
      "/a/link')\n"
      "print(open('",
      work_, "/a/link').read(), end='')\n");
  Outcome py = RunSysgate({"run", Landlock(), "--policy=" + policy_, "--",
                           "/usr/bin/python3", "-B", "-c", script});
  EXPECT_EQ(py.status, 0) << py.err;
  EXPECT_EQ(py.out, "saved\n");
  EXPECT_EQ(ReadFile(work_ + "/saved"), "saved\n");

  std::string archive = root_ + "/ro/tree.tar";
  std::string pack = absl::StrCat("cd ", root_, " && mkdir -p src/x && ",
                                  "echo one > src/x/one && ln -s one src/x/l"
                                  " && tar cf ",
                                  archive, " src");
  ASSERT_EQ(system(pack.c_str()), 0);
  Outcome tar = RunSysgate({"run", Landlock(), "--policy=" + policy_, "--",
                            "/usr/bin/tar", "-C", work_, "-xf", archive});
  EXPECT_EQ(tar.status, 0) << tar.err;
  EXPECT_EQ(ReadFile(work_ + "/src/x/l"), "one\n");

  // gcc (its temporary files in the grant too) and make -j2, building in
  // the grant.
  if (access("/usr/bin/gcc", X_OK) == 0 && access("/usr/bin/make", X_OK) == 0) {
    std::string src = work_ + "/build";
    mkdir(src.c_str(), 0755);
    TempFile("work/build/hello.c",
             "#include <stdio.h>\nint main(void) { puts(\"built\"); }\n");
    TempFile("work/build/a.c", "int a(void) { return 1; }\n");
    TempFile("work/build/b.c", "int b(void) { return 2; }\n");
    TempFile("work/build/Makefile",
             "all: a.o b.o\n%.o: %.c\n\tgcc -c $< -o $@\n");
    Outcome build = RunSysgate(
        {"run", Landlock(), "--policy=" + policy_, "--", "/bin/sh", "-c",
         absl::StrCat("cd ", src, " && export TMPDIR=", src,
                      " PATH=/usr/bin:/bin && gcc -o hello hello.c && "
                      "./hello && make -s -j2 && ls a.o b.o")});
    EXPECT_EQ(build.out, "built\na.o\nb.o\n") << build.err;
  }

  // git walks up from its directory (the directories above a grant may be
  // looked at) and saves every object through a temporary file.
  if (access("/usr/bin/git", X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/git";
  std::string git_policy =
      TempFile("git.policy", ReadFile(policy_) + "broker read /dev/urandom\n" +
                                 "broker write /dev/null\n");
  std::string repo = work_ + "/repo";
  mkdir(repo.c_str(), 0755);
  std::string commit = absl::StrCat(
      "cd ", repo, " && export HOME=", work_, " GIT_CONFIG_NOSYSTEM=1 && ",
      "/usr/bin/git init -q && echo x > f && /usr/bin/git add f && ",
      "/usr/bin/git -c user.name=t -c user.email=t@t commit -qm first && ",
      "/usr/bin/git log --format=%s");
  Outcome git = RunSysgate({"run", Landlock(), "--policy=" + git_policy, "--",
                            "/bin/sh", "-c", commit});
  EXPECT_EQ(git.status, 0) << git.err;
  EXPECT_EQ(git.out, "first\n");
}

INSTANTIATE_TEST_SUITE_P(LandlockOnAndOff, MediationTest,
                         ::testing::ValuesIn(kLandlockModes), LandlockModeName);

}  // namespace
}  // namespace sysgate::testing

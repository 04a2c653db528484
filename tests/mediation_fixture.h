// The fixture of the complete-mediation tests (mediation_test.cc, and
// resolution_test.cc for how paths resolve): a root with a write grant, a
// read-only grant and a forbidden file, every case run with Landlock
// behind the broker and without it.
#ifndef SYSGATE_TESTS_MEDIATION_FIXTURE_H_
#define SYSGATE_TESTS_MEDIATION_FIXTURE_H_

#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sysgate_runner.h"

namespace sysgate::testing {

using ::testing::HasSubstr;
using ::testing::Not;

inline struct stat StatOf(const std::string& path) {
  struct stat st = {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st;
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// Whether FIFOs can be made in `dir` (not on the 9p share the VM suites
// give TEST_TMPDIR: tests/qemu).
inline bool FifosWork(const std::string& dir) {
  std::string probe = dir + "/fifo-probe";
  unlink(probe.c_str());
  bool made = mkfifo(probe.c_str(), 0644) == 0;
  unlink(probe.c_str());
  return made;
}

#define SKIP_WITHOUT_FIFOS(dir) \
  if (!FifosWork(dir)) GTEST_SKIP() << "no FIFOs can be made in " << (dir)

// Whether a pathname socket can be bound in `dir` (not on the 9p share
// the VM suites give TEST_TMPDIR, where bind fails with ENXIO).
inline bool SocketsWork(const std::string& dir) {
  // From a child in `dir`, so that a long TEST_TMPDIR fits sun_path.
  pid_t child = fork();
  if (child == 0) {
    struct sockaddr_un addr = {AF_UNIX, {'p', 'r', 'o', 'b', 'e'}};
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    bool bound = chdir(dir.c_str()) == 0 &&
                 bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    unlink("probe");
    _exit(bound ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define SKIP_WITHOUT_SOCKETS(dir) \
  if (!SocketsWork(dir))          \
  GTEST_SKIP() << "no pathname socket can be bound in " << (dir)

// Every case runs with Landlock behind the broker (where the kernel has
// it) and with the broker alone: each must hold by the broker itself.
class MediationTest : public ::testing::TestWithParam<const char*> {
 protected:
  std::string Landlock() const {
    return absl::StrCat("--landlock=", GetParam());
  }

  void SetUp() override {
    // A fresh directory per case: each runs twice (Landlock on and off).
    static const std::string base = getenv("TEST_TMPDIR");
    std::string fresh = base + "/case.XXXXXX";
    ASSERT_NE(mkdtemp(fresh.data()), nullptr);
    setenv("TEST_TMPDIR", fresh.c_str(), 1);
    char real[PATH_MAX];
    ASSERT_NE(realpath(getenv("TEST_TMPDIR"), real), nullptr);
    root_ = real;
    for (const char* dir : {"/work", "/ro", "/forbidden", "/forbidden/dir"})
      mkdir((root_ + dir).c_str(), 0755);
    work_ = root_ + "/work";
    TempFile("work/good", "allowed text\n");
    TempFile("ro/readme", "read only\n");
    secret_ = TempFile("forbidden/secret", "FORBIDDEN secret\n");
    ASSERT_EQ(chmod(secret_.c_str(), 0644), 0);
    policy_ = TempFile(
        "mediation.policy",
        absl::StrCat("default allow\n"
                     "broker read /usr/**, /lib/**, /lib64/**, /etc/**, ",
                     root_, "/ro/**\n", "broker write ", work_, "/**\n"));
  }

  Outcome Call(const std::vector<std::string>& args,
               const std::string& program = "file_changes") {
    std::vector<std::string> full = {"run", Landlock(), "--policy=" + policy_,
                                     "--", Tracee(program)};
    full.insert(full.end(), args.begin(), args.end());
    return RunSysgate(full);
  }

  // CALL ARGS fails with EACCES and is reported as the broker default's.
  void ExpectRefused(const std::vector<std::string>& args,
                     const std::string& program = "file_changes") {
    Outcome o = Call(args, program);
    EXPECT_THAT(o.out, HasSubstr(args[0] + " = -1 EACCES\n")) << o.err;
    EXPECT_THAT(o.err, HasSubstr("denied by broker default (errno EACCES)"));
  }

  std::string root_, work_, secret_, policy_;
};

// The parameters each suite is instantiated with.
inline constexpr const char* kLandlockModes[] = {"strict", "off"};
inline std::string LandlockModeName(
    const ::testing::TestParamInfo<const char*>& info) {
  return info.param;
}

}  // namespace sysgate::testing

#endif  // SYSGATE_TESTS_MEDIATION_FIXTURE_H_

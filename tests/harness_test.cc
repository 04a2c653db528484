// sysgate as a library (issue 5), through its public header only.
#include "harness/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/harness_gtest.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Harness> NewHarness(
    absl::string_view policy = "default allow\n") {
  absl::StatusOr<std::unique_ptr<Harness>> h = Harness::Create(policy);
  EXPECT_TRUE(h.ok()) << h.status();
  return std::move(*h);
}

std::string TempPath(const std::string& name) {
  return std::string(getenv("TEST_TMPDIR")) + "/" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The code under test: five writes; its own error handling reports which
// one failed (10 + its number) when the disk is full.
int WriteFiveTimes() {
  int fd = open("/dev/null", O_WRONLY);
  for (int i = 1; i <= 5; ++i) {
    if (write(fd, "x", 1) < 0) return errno == ENOSPC ? 10 + i : 99;
  }
  return 0;
}

TEST(HarnessTest, TheThirdWriteFailsWithEnospc) {
  auto h = NewHarness();
  int writes = 0;
  h->On("write", [&](Call&) {
    return ++writes == 3 ? Decision::Fail(ENOSPC) : Decision::Allow();
  });
  absl::StatusOr<HarnessResult> r = h->RunFunction(WriteFiveTimes);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->exited);
  EXPECT_EQ(r->exit_code, 13);  // Disk full at the third write.
  EXPECT_NO_VIOLATIONS(*r);
}

TEST(HarnessTest, InjectionUsesTheCommandLinesEngine) {
  auto h = NewHarness();
  ASSERT_TRUE(h->Inject("write:error=ENOSPC:when=3").ok());
  EXPECT_FALSE(h->Inject("write:error=ENOPE").ok());
  absl::StatusOr<HarnessResult> r = h->RunFunction(WriteFiveTimes);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 13);
  int injected = 0;
  for (const Event& e : r->events) injected += e.kind == Event::Kind::kInject;
  EXPECT_EQ(injected, 1);
}

TEST(HarnessTest, EmulatedUnameIsWhatUnameSees) {
  auto h = NewHarness();
  h->On("uname", [](Call& call) {
    struct utsname fake = {};
    strcpy(fake.sysname, "Linux");
    strcpy(fake.release, "9.9.9-sysgate");
    strcpy(fake.machine, "x86_64");
    if (!call.WriteStruct(call.arg(0), fake).ok())
      return Decision::Fail(EFAULT);
    return Decision::Return(0);
  });
  std::string out = TempPath("uname.out");
  absl::StatusOr<HarnessResult> r =
      h->Run({"/bin/sh", "-c", "uname -r > " + out});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(Slurp(out), "9.9.9-sysgate\n");
}

TEST(HarnessTest, DeterministicGetrandom) {
  auto h = NewHarness();
  h->On("getrandom", [](Call& call) {
    std::string bytes(call.arg(1), '\x42');
    if (!call.Write(call.arg(0), bytes.data(), bytes.size()).ok())
      return Decision::Fail(EFAULT);
    return Decision::Return(static_cast<int64_t>(bytes.size()));
  });
  absl::StatusOr<HarnessResult> r = h->RunFunction([] {
    unsigned char buf[16];
    if (getrandom(buf, sizeof(buf), 0) != 16) return 1;
    for (unsigned char b : buf) {
      if (b != 0x42) return 2;
    }
    return 0;
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
}

TEST(HarnessTest, AHandlerRewritesAPathArgument) {
  std::string a = TempPath("a.txt"), b = TempPath("b.txt");
  std::ofstream(a) << "from a";
  std::ofstream(b) << "from b";
  auto h = NewHarness();
  h->On("openat", [](Call& call) {
    absl::StatusOr<std::string> path = call.ReadString(call.arg(1));
    if (path.ok() && path->size() > 5 &&
        path->substr(path->size() - 5) == "a.txt") {
      std::string swapped = path->substr(0, path->size() - 5) + "b.txt";
      call.Write(call.arg(1), swapped.c_str(), swapped.size() + 1)
          .IgnoreError();
    }
    return Decision::Allow();
  });
  absl::StatusOr<HarnessResult> r = h->RunFunction([a] {
    char buf[16] = {};
    int fd = open(a.c_str(), O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0) return 1;
    return strcmp(buf, "from b") == 0 ? 0 : 2;
  });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
}

TEST(HarnessTest, InspectAndReplaceAResult) {
  auto h = NewHarness();
  int64_t seen = 0;
  h->On("getppid", [&](Call&) {
    return Decision::Inspect([&](int64_t result) -> absl::optional<int64_t> {
      seen = result;
      return 7;
    });
  });
  absl::StatusOr<HarnessResult> r =
      h->RunFunction([] { return syscall(SYS_getppid) == 7 ? 0 : 1; });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(seen, getpid());  // The real result: the child's parent is us.
}

TEST(HarnessTest, TwoSupervisorsInOneProcess) {
  auto run = [](int64_t uid, int* exit_code) {
    auto h = NewHarness();
    h->On("getuid", [uid](Call&) { return Decision::Return(uid); });
    absl::StatusOr<HarnessResult> r = h->RunFunction([uid] {
      for (int i = 0; i < 2000; ++i) {
        if (syscall(SYS_getuid) != uid) return 1;
      }
      return 0;
    });
    *exit_code = r.ok() ? r->exit_code : -1;
  };
  int first = -1, second = -1;
  std::thread a(run, 1111, &first), b(run, 2222, &second);
  a.join();
  b.join();
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 0);
}

// What this process holds: open descriptors and threads.
int OpenDescriptors() {
  int n = 0;
  for (int fd = 0; fd < 4096; ++fd) n += fcntl(fd, F_GETFD) >= 0;
  return n;
}

int Threads() {
  std::string status = Slurp("/proc/self/status");
  size_t at = status.find("Threads:");
  return at == std::string::npos ? -1 : std::atoi(status.c_str() + at + 8);
}

// sysgate's own resources across many runs in one library process: each
// run's listener, sockets, pipes and notification thread are gone after
// it, whether the program exits, fails a call or is killed.
TEST(HarnessTest, TenThousandRunsLeakNothing) {
  auto h = NewHarness("emulate(7) getppid\nerrno(EPERM) chdir\n");
  h->Inject("getpgid:retval=5").IgnoreError();
  int fds = OpenDescriptors(), threads = Threads();
  // A sanitizer runtime makes each fork of this process slow: fewer runs
  // there (the leak checkers watch each one), and under emulation
  // (tests/qemu/run), all 10,000 otherwise.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  const int runs = 500;
#else
  const char* scale = getenv("SYSGATE_TEST_TIMEOUT_SCALE");
  const int runs = scale != nullptr && atoi(scale) > 1 ? 500 : 10000;
#endif
  int wrong = 0;
  for (int i = 0; i < runs; ++i) {
    absl::StatusOr<HarnessResult> r = h->RunFunction([i] {
      if (syscall(SYS_getppid) != 7 || syscall(SYS_getpgid, 0) != 5) return 1;
      if (i % 3 == 1) return chdir("/") == 0 ? 2 : 3;
      if (i % 3 == 2) raise(SIGKILL);
      return 0;
    });
    int expected = i % 3 == 0 ? 0 : i % 3 == 1 ? 3 : -SIGKILL;
    int got = !r.ok() ? 1000 : r->exited ? r->exit_code : -r->signal;
    wrong += got != expected;
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(OpenDescriptors(), fds);
  EXPECT_EQ(Threads(), threads);
}

TEST(HarnessTest, ViolationsAreTestFailuresWithTheDecodedCall) {
  auto h = NewHarness("errno(EPERM) chdir\n");
  absl::StatusOr<HarnessResult> r =
      h->RunFunction([] { return chdir("/") == 0 ? 0 : 1; });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 1);
  ::testing::AssertionResult check = NoViolations(*r);
  EXPECT_FALSE(check);
  EXPECT_THAT(
      check.message(),
      HasSubstr("chdir(\"/\") denied by <harness policy>:1 (errno(EPERM))"));
}

std::string Runfile(const std::string& path) {
  return std::string(getenv("TEST_SRCDIR")) + "/sysgate/" + path;
}

constexpr int64_t kFrozen = 1234567890;

// Every wall-clock read answers 1234567890, through handlers: possible
// only because HideVdso makes them system calls.
void Freeze(Harness& h) {
  h.HideVdso();
  h.On("clock_gettime", [](Call& call) {
    if (call.arg(0) != CLOCK_REALTIME) return Decision::Allow();
    struct timespec ts = {kFrozen, 0};
    return call.WriteStruct(call.arg(1), ts).ok() ? Decision::Return(0)
                                                  : Decision::Fail(EFAULT);
  });
  h.On("gettimeofday", [](Call& call) {
    struct timeval tv = {kFrozen, 0};
    if (call.arg(0) && !call.WriteStruct(call.arg(0), tv).ok())
      return Decision::Fail(EFAULT);
    return Decision::Return(0);
  });
  h.On("time", [](Call& call) {
    if (call.arg(0)) call.WriteStruct(call.arg(0), kFrozen).IgnoreError();
    return Decision::Return(kFrozen);
  });
}

TEST(HarnessTest, FrozenTimeSeenByDateAndAStaticBinary) {
  auto h = NewHarness();
  Freeze(*h);
  std::string out = TempPath("date.out");
  absl::StatusOr<HarnessResult> r =
      h->Run({"/bin/sh", "-c", "date +%s > " + out});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Slurp(out), "1234567890\n");
  std::string static_out = TempPath("static.out");
  absl::StatusOr<HarnessResult> s = h->Run(
      {"/bin/sh", "-c",
       Runfile("tests/testcases/calls_static") + " clocks > " + static_out});
  ASSERT_TRUE(s.ok()) << s.status();
  std::string clocks = Slurp(static_out);
  EXPECT_THAT(clocks, HasSubstr("time = 1234567890\n"));
  EXPECT_THAT(clocks, HasSubstr("gettimeofday = 1234567890\n"));
  EXPECT_THAT(clocks, HasSubstr("realtime = 1234567890\n"));
  EXPECT_THAT(clocks, ::testing::Not(HasSubstr("monotonic = 1234567890")));
}

TEST(HarnessTest, FakeTimeLikeTheCommandLine) {
  auto h = NewHarness();
  h->FakeTime(absl::FromUnixSeconds(946684800));
  std::string out = TempPath("y2k.out");
  absl::StatusOr<HarnessResult> r =
      h->Run({"/bin/sh", "-c", "date -u +%Y > " + out});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Slurp(out), "2000\n");
}

TEST(HarnessTest, WritesReachReadOnlyPages) {
  auto h = NewHarness();
  h->On("openat", [](Call& call) {
    absl::StatusOr<std::string> path = call.ReadString(call.arg(1));
    if (path.ok() && *path == "/proc/self/aaaa") {
      // The literal lives in .rodata: process_vm_writev cannot write it,
      // ptrace can.
      call.Write(call.arg(1), "/proc/self/stat", 16).IgnoreError();
    }
    return Decision::Allow();
  });
  absl::StatusOr<HarnessResult> r = h->RunFunction(
      [] { return open("/proc/self/aaaa", O_RDONLY) >= 0 ? 0 : 1; });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
}

TEST(HarnessTest, APolicyBuiltInCode) {
  Policy policy;
  Rule deny;
  deny.action = {Action::Kind::kErrno, EACCES};
  deny.syscalls = {"chdir"};
  deny.origin = "test rule";
  policy.rules.push_back(deny);
  absl::StatusOr<std::unique_ptr<Harness>> h = Harness::Create(policy);
  ASSERT_TRUE(h.ok()) << h.status();
  absl::StatusOr<HarnessResult> r = (*h)->RunFunction(
      [] { return chdir("/") == -1 && errno == EACCES ? 0 : 1; });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  ASSERT_EQ(r->violations().size(), 1u);
  EXPECT_EQ(r->violations()[0].rule, "test rule");
}

TEST(HarnessTest, ProgramsThatCannotStart) {
  auto h = NewHarness();
  absl::StatusOr<HarnessResult> r = h->Run({"/no/such/program"});
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("cannot execute '/no/such/program'"));
  EXPECT_FALSE(Harness::Create("allow nosuchcall\n").ok());
}

}  // namespace
}  // namespace sysgate

#include "arch/procfs.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace sysgate {
namespace {

void Ignore(int) {}

// A child that catches SIGUSR1 and blocks SIGUSR2, stopped: signals sent
// to it stay pending, as they do for a thread waiting in sysgate.
pid_t StoppedChild() {
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGUSR1, Ignore);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, nullptr);
    raise(SIGSTOP);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, WUNTRACED);
  return pid;
}

TEST(ProcfsTest, OnlyASignalThatWouldEndACallInterrupts) {
  pid_t child = StoppedChild();
  EXPECT_FALSE(InterruptingSignalPending(child));
  kill(child, SIGUSR2);  // Blocked.
  usleep(10000);
  EXPECT_FALSE(InterruptingSignalPending(child));
  // Caught, and sent to the thread itself: no other thread can take it
  // (a sanitizer's runtime may run one in the child).
  syscall(SYS_tgkill, child, child, SIGUSR1);
  usleep(10000);
  EXPECT_TRUE(InterruptingSignalPending(child));
  EXPECT_EQ(InterruptingSignalOf(child), PendingInterrupt::kStaysForThread);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

TEST(ProcfsTest, MiscDevicesAreFoundByName) {
  EXPECT_TRUE(absl::IsNotFound(MiscDeviceMinor("no-such-device").status()));
  struct stat device;
  if (stat("/dev/userfaultfd", &device) != 0)
    GTEST_SKIP() << "this kernel has no /dev/userfaultfd";
  absl::StatusOr<int> minor_number = MiscDeviceMinor("userfaultfd");
  ASSERT_TRUE(minor_number.ok()) << minor_number.status();
  EXPECT_EQ(major(device.st_rdev), 10u);
  EXPECT_EQ(static_cast<int>(minor(device.st_rdev)), *minor_number);
}

}  // namespace
}  // namespace sysgate

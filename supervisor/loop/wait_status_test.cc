// Raw statuses as the kernel builds them (include/linux/wait.h layout:
// exit code << 8, stop signal << 8 | 0x7f, ptrace event << 16).
#include "supervisor/loop/wait_status.h"

#include <signal.h>
#include <sys/ptrace.h>

#include "gtest/gtest.h"

namespace sysgate {
namespace {

int Stopped(int sig, int event = 0) {
  return (event << 16) | (sig << 8) | 0x7f;
}

TEST(WaitStatusTest, ExitsAndKills) {
  WaitStatus exited = WaitStatus::Decode(3 << 8);
  EXPECT_EQ(exited.kind(), WaitStatus::Kind::kExited);
  EXPECT_EQ(exited.exit_code(), 3);
  EXPECT_EQ(exited.ShellStatus(), 3);
  EXPECT_FALSE(exited.is_stop());
  WaitStatus killed = WaitStatus::Decode(SIGSYS | 0x80);
  EXPECT_EQ(killed.kind(), WaitStatus::Kind::kKilled);
  EXPECT_EQ(killed.signal(), SIGSYS);
  EXPECT_TRUE(killed.core_dumped());
  EXPECT_EQ(killed.ShellStatus(), 159);
  EXPECT_EQ(killed.ToString(), "killed by SIGSYS (core dumped)");
}

TEST(WaitStatusTest, Stops) {
  EXPECT_EQ(WaitStatus::Decode(Stopped(SIGTRAP | 0x80)).kind(),
            WaitStatus::Kind::kSyscallStop);
  WaitStatus seccomp =
      WaitStatus::Decode(Stopped(SIGTRAP, PTRACE_EVENT_SECCOMP));
  EXPECT_EQ(seccomp.kind(), WaitStatus::Kind::kPtraceEvent);
  EXPECT_EQ(seccomp.event(), PTRACE_EVENT_SECCOMP);
  EXPECT_EQ(WaitStatus::Decode(Stopped(SIGTRAP, PTRACE_EVENT_CLONE)).event(),
            PTRACE_EVENT_CLONE);
  WaitStatus sig = WaitStatus::Decode(Stopped(SIGUSR1));
  EXPECT_EQ(sig.kind(), WaitStatus::Kind::kSignalStop);
  EXPECT_EQ(sig.signal(), SIGUSR1);
  // A plain SIGSTOP without the event bits is a signal about to be
  // delivered, not yet a group-stop.
  EXPECT_EQ(WaitStatus::Decode(Stopped(SIGSTOP)).kind(),
            WaitStatus::Kind::kSignalStop);
}

TEST(WaitStatusTest, EventStopsSplitIntoGroupStopsAndTraps) {
  for (int sig : {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU}) {
    WaitStatus s = WaitStatus::Decode(Stopped(sig, PTRACE_EVENT_STOP));
    EXPECT_EQ(s.kind(), WaitStatus::Kind::kGroupStop) << sig;
    EXPECT_EQ(s.signal(), sig);
  }
  EXPECT_EQ(WaitStatus::Decode(Stopped(SIGTRAP, PTRACE_EVENT_STOP)).kind(),
            WaitStatus::Kind::kEventStop);
}

}  // namespace
}  // namespace sysgate

#include "arch/process.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace sysgate {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A child that exits with `code` after `ms`.
pid_t ChildExitingAfter(int ms, int code) {
  pid_t pid = fork();
  if (pid == 0) {
    usleep(ms * 1000);
    _exit(code);
  }
  return pid;
}

// Whether the calling thread has a child left (alarms included).
bool HasChildren() {
  return waitpid(-1, nullptr, WNOHANG | __WALL | __WNOTHREAD) != -1 ||
         errno != ECHILD;
}

TEST(ChildWaiterTest, NoChildrenAtAll) {
  ChildWaiter waiter;
  std::vector<ChildReport> reports;
  absl::StatusOr<ChildWaiter::Outcome> o =
      waiter.Wait(SteadyTime::max(), reports);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o, ChildWaiter::Outcome::kNoChildren);
}

TEST(ChildWaiterTest, AReportComesBeforeALaterDeadline) {
  pid_t child = ChildExitingAfter(0, 7);
  ChildWaiter waiter;
  std::vector<ChildReport> reports;
  absl::StatusOr<ChildWaiter::Outcome> o =
      waiter.Wait(steady_clock::now() + std::chrono::seconds(60), reports);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o, ChildWaiter::Outcome::kReports);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].pid, child);
  EXPECT_TRUE(WIFEXITED(reports[0].raw_status));
  EXPECT_EQ(WEXITSTATUS(reports[0].raw_status), 7);
}

// The deadline ends a wait on which no child reports, never earlier than
// asked; the alarm it took is gone with the waiter.
TEST(ChildWaiterTest, TheDeadlineEndsAWaitNothingReports) {
  pid_t slow = ChildExitingAfter(60000, 0);
  {
    ChildWaiter waiter;
    std::vector<ChildReport> reports;
    SteadyTime deadline = steady_clock::now() + milliseconds(50);
    absl::StatusOr<ChildWaiter::Outcome> o = waiter.Wait(deadline, reports);
    ASSERT_TRUE(o.ok()) << o.status();
    EXPECT_EQ(*o, ChildWaiter::Outcome::kDeadline);
    EXPECT_TRUE(reports.empty());
    EXPECT_GE(steady_clock::now(), deadline);
    // A second deadline, later: the first alarm is gone, a new one wakes it.
    SteadyTime later = steady_clock::now() + milliseconds(30);
    o = waiter.Wait(later, reports);
    ASSERT_TRUE(o.ok()) << o.status();
    EXPECT_EQ(*o, ChildWaiter::Outcome::kDeadline);
    EXPECT_GE(steady_clock::now(), later);
  }
  KillAndReap(slow);
  EXPECT_FALSE(HasChildren());  // No alarm outlives its waiter.
}

// An alarm armed for an earlier deadline that no longer matters (its
// tracee went away) must not end a wait for a later one.
TEST(ChildWaiterTest, AStaleAlarmDoesNotEndALaterWait) {
  pid_t slow = ChildExitingAfter(60000, 0);
  ChildWaiter waiter;
  std::vector<ChildReport> reports;
  // Arm an alarm 20 ms out, but end that wait at once through a report
  // that is ready before it starts.
  pid_t quick = ChildExitingAfter(0, 3);
  siginfo_t exited;
  ASSERT_EQ(waitid(P_PID, quick, &exited, WEXITED | WNOWAIT), 0);
  absl::StatusOr<ChildWaiter::Outcome> o =
      waiter.Wait(steady_clock::now() + milliseconds(20), reports);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o, ChildWaiter::Outcome::kReports);
  EXPECT_EQ(reports[0].pid, quick);
  SteadyTime later = steady_clock::now() + milliseconds(200);
  o = waiter.Wait(later, reports);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o, ChildWaiter::Outcome::kDeadline);
  EXPECT_GE(steady_clock::now(), later);
  KillAndReap(slow);
}

// A deadline closer than a fork: the alarm may finish its sleep before it
// is seized (PTRACE_SEIZE then fails with EPERM on the exited task). The
// wait still ends at the deadline, never with an error.
TEST(ChildWaiterTest, ADeadlineThatPassesWhileArmingEndsTheWait) {
  pid_t slow = ChildExitingAfter(60000, 0);
  // One CPU shared with a spinning thread, so that the scheduler often runs
  // the new alarm (or the spinner) between fork and PTRACE_SEIZE.
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof(saved), &saved), 0);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  std::atomic<bool> spin{true};
  std::thread spinner([&] {
    while (spin.load(std::memory_order_relaxed)) {
    }
  });
  ChildWaiter waiter;
  std::vector<ChildReport> reports;
  for (int i = 0; i < 300; ++i) {
    SteadyTime deadline = steady_clock::now() + std::chrono::microseconds(i);
    absl::StatusOr<ChildWaiter::Outcome> o = waiter.Wait(deadline, reports);
    ASSERT_TRUE(o.ok()) << "deadline +" << i << "us: " << o.status();
    EXPECT_EQ(*o, ChildWaiter::Outcome::kDeadline);
    EXPECT_GE(steady_clock::now(), deadline);
  }
  spin = false;
  spinner.join();
  sched_setaffinity(0, sizeof(saved), &saved);
  KillAndReap(slow);
}

TEST(ChildWaiterTest, APassedDeadlineReturnsAtOnce) {
  ChildWaiter waiter;
  std::vector<ChildReport> reports;
  absl::StatusOr<ChildWaiter::Outcome> o =
      waiter.Wait(steady_clock::now() - milliseconds(1), reports);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o, ChildWaiter::Outcome::kDeadline);
}

TEST(SignalsTest, GoneProcessesAreNotFound) {
  pid_t child = ChildExitingAfter(0, 0);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(absl::IsNotFound(SendSignal(child, SIGTERM)));
  EXPECT_TRUE(absl::IsNotFound(QueueSignal(child, child, SIGTERM)));
}

// A thread's id names it in /proc as a process's does, though no listing
// shows it.
TEST(ThreadsTest, EveryThreadExistsAndAFreeIdDoesNot) {
  EXPECT_TRUE(ThreadExists(getpid()));
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  std::thread thread([&] {
    tid = gettid();
    while (!done) usleep(1000);
  });
  while (tid == 0) usleep(1000);
  EXPECT_TRUE(ThreadExists(tid));
  done = true;
  thread.join();
  EXPECT_FALSE(ThreadExists(4194304 + 1000));  // Above PID_MAX_LIMIT.
  EXPECT_FALSE(ThreadExists(0));
  EXPECT_FALSE(ThreadExists(-1));
}

TEST(ThreadsTest, ACallerInAPidNamespaceOfItsOwnIsNotInOurs) {
  EXPECT_TRUE(InOurPidNamespace(getpid()));
  EXPECT_TRUE(InOurPidNamespace(4194304 + 1000));  // Unknown: ours.
  int ids[2];
  ASSERT_EQ(pipe(ids), 0);
  pid_t outer = fork();
  if (outer == 0) {
    if (unshare(CLONE_NEWPID) != 0) _exit(3);  // Needs CAP_SYS_ADMIN.
    pid_t inner = fork();                      // Into the new namespace.
    if (inner == 0) {
      pause();
      _exit(0);
    }
    // Its id in this process's namespace, which is still ours.
    if (write(ids[1], &inner, sizeof(inner)) != sizeof(inner)) _exit(4);
    waitpid(inner, nullptr, 0);
    _exit(0);
  }
  close(ids[1]);
  pid_t inner = 0;
  bool started = read(ids[0], &inner, sizeof(inner)) == sizeof(inner);
  close(ids[0]);
  int status = 0;
  if (!started) {
    waitpid(outer, &status, 0);
    GTEST_SKIP() << "unshare(CLONE_NEWPID) refused: needs CAP_SYS_ADMIN";
  }
  EXPECT_TRUE(ThreadExists(inner));
  EXPECT_FALSE(InOurPidNamespace(inner));
  kill(inner, SIGKILL);
  waitpid(outer, &status, 0);
}

}  // namespace
}  // namespace sysgate

#include "arch/process.h"

#include <errno.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "arch/procfs.h"
#include "arch/ptrace.h"

namespace sysgate {
namespace {

constexpr int kWaitFlags = __WALL | __WNOTHREAD;

// The alarm child: a fork of a process that may run other threads, so only
// raw system calls (no allocation, no locks, no sanitizer interceptors).
[[noreturn]] void SleepUntil(const struct timespec& until) {
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
  // None of the supervisor's descriptors, not even its standard streams.
  syscall(SYS_close_range, 0, ~0u, 0);
  while (syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until,
                 nullptr) != 0) {
  }
  syscall(SYS_exit_group, 0);
  __builtin_unreachable();
}

struct timespec ToTimespec(SteadyTime t) {
  // libstdc++'s steady_clock is CLOCK_MONOTONIC, epoch included.
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch())
          .count();
  struct timespec ts;
  ts.tv_sec = ns / 1000000000;
  ts.tv_nsec = ns % 1000000000;
  return ts;
}

}  // namespace

absl::Status SendSignal(pid_t pid, int signal) {
  if (kill(pid, signal) == 0) return absl::OkStatus();
  return absl::ErrnoToStatus(errno, absl::StrCat("kill ", pid));
}

absl::Status QueueSignal(pid_t tgid, pid_t tid, int signal) {
  if (syscall(SYS_tgkill, tgid, tid, signal) == 0) return absl::OkStatus();
  return absl::ErrnoToStatus(errno, absl::StrCat("tgkill ", tid));
}

bool IsThreadOfOurs(pid_t tid) {
  // Only ESRCH says "not in this thread group": any other refusal (an LSM's,
  // a filter's) counts as ours, so that a guard asking refuses.
  return syscall(SYS_tgkill, getpid(), tid, 0) == 0 || errno != ESRCH;
}

bool TracedByUs(pid_t tid) {
  if (tid <= 0) return false;
  std::string tracer = ProcStatusField(tid, "TracerPid");
  pid_t tracer_tid = 0;
  return absl::SimpleAtoi(tracer, &tracer_tid) && tracer_tid > 0 &&
         syscall(SYS_tgkill, getpid(), tracer_tid, 0) == 0;
}

bool InTheProgram(pid_t tid) {
  return TracedByUs(tid) && ProcStatusField(tid, "Seccomp") == "2";
}

bool ThreadExists(pid_t tid) {
  struct stat st;
  return tid > 0 && stat(absl::StrCat("/proc/", tid).c_str(), &st) == 0;
}

bool InOurPidNamespace(pid_t tid) {
  struct stat theirs, ours;
  if (stat(absl::StrCat("/proc/", tid, "/ns/pid").c_str(), &theirs) != 0 ||
      stat("/proc/self/ns/pid", &ours) != 0)
    return true;
  return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

void ForwardSignal(pid_t pid, int signal) { kill(pid, signal); }

void KillAndReap(pid_t pid) {
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, kWaitFlags) < 0 && errno == EINTR) {
  }
}

absl::Status MakeUndumpable() {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0) return absl::OkStatus();
  return absl::ErrnoToStatus(errno, "prctl(PR_SET_DUMPABLE)");
}

void OwnProcesses::Add(pid_t pid) {
  std::lock_guard<std::mutex> lock(mutex_);
  pids_.insert(pid);
}

void OwnProcesses::Remove(pid_t pid) {
  std::lock_guard<std::mutex> lock(mutex_);
  pids_.erase(pid);
}

bool OwnProcesses::Contains(pid_t pid) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pids_.contains(pid);
}

ChildWaiter::~ChildWaiter() {
  for (const auto& [pid, deadline] : alarms_) {
    KillAndReap(pid);
    if (own_ != nullptr) own_->Remove(pid);
  }
}

absl::Status ChildWaiter::ArmAlarm(SteadyTime deadline) {
  for (const auto& [pid, armed] : alarms_) {
    if (armed <= deadline) return absl::OkStatus();  // It wakes us in time.
  }
  struct timespec until = ToTimespec(deadline);
  pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork (alarm)");
  if (pid == 0) SleepUntil(until);
  absl::Status seized = ptrace::Seize(pid, PTRACE_O_EXITKILL);
  if (!seized.ok()) {
    KillAndReap(pid);
    // A deadline that passes between Wait's check and the alarm's
    // clock_nanosleep lets the alarm exit before it is seized, and
    // ptrace_attach refuses a task with an exit_state (EPERM): that alarm
    // has rung, and Wait sees the deadline passed.
    if (std::chrono::steady_clock::now() >= deadline) return absl::OkStatus();
    return seized;
  }
  alarms_[pid] = deadline;
  if (own_ != nullptr) own_->Add(pid);
  return absl::OkStatus();
}

ChildWaiter::AlarmReport ChildWaiter::TakeAlarm(pid_t pid, int raw_status) {
  auto alarm = alarms_.find(pid);
  if (alarm == alarms_.end()) return AlarmReport::kNone;
  if (WIFSTOPPED(raw_status)) {
    ptrace::Cont(pid, 0).IgnoreError();  // Killed meanwhile: its exit comes.
    return AlarmReport::kHeld;
  }
  alarms_.erase(alarm);
  if (own_ != nullptr) own_->Remove(pid);
  return AlarmReport::kRang;
}

absl::StatusOr<ChildWaiter::Outcome> ChildWaiter::Wait(
    SteadyTime deadline, std::vector<ChildReport>& reports) {
  reports.clear();
  bool timed = deadline != SteadyTime::max();
  if (timed) {
    if (std::chrono::steady_clock::now() >= deadline) return Outcome::kDeadline;
    absl::Status armed = ArmAlarm(deadline);
    if (!armed.ok()) return armed;
  }
  int flags = kWaitFlags;
  // Passed while arming: collect what is ready, then go.
  if (timed && std::chrono::steady_clock::now() >= deadline) flags |= WNOHANG;
  while (true) {
    int raw;
    pid_t pid = waitpid(-1, &raw, flags);
    if (pid > 0) {
      switch (TakeAlarm(pid, raw)) {
        case AlarmReport::kNone:
          reports.push_back({pid, raw});
          flags |= WNOHANG;  // The rest only if ready now.
          break;
        case AlarmReport::kHeld:
          break;
        case AlarmReport::kRang:
          if (!timed) break;
          if (std::chrono::steady_clock::now() >= deadline) {
            flags |= WNOHANG;  // Time is up: collect what is ready, then go.
            break;
          }
          {
            // An alarm for an earlier deadline, or killed early: arm anew.
            absl::Status armed = ArmAlarm(deadline);
            if (!armed.ok()) return armed;
          }
          if (std::chrono::steady_clock::now() >= deadline) flags |= WNOHANG;
          break;
      }
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    if (pid == 0 || errno == ECHILD) {
      if (!reports.empty()) return Outcome::kReports;
      return pid == 0 ? Outcome::kDeadline : Outcome::kNoChildren;
    }
    return absl::ErrnoToStatus(errno, "waitpid");
  }
}

std::vector<StoppedChild> TakeStoppedChildren() {
  std::vector<StoppedChild> stopped;
  while (true) {
    siginfo_t info;
    std::memset(&info, 0, sizeof(info));
    if (waitid(P_ALL, 0, &info, WSTOPPED | WNOHANG | kWaitFlags) != 0 ||
        info.si_pid == 0)
      return stopped;
    stopped.push_back({info.si_pid, info.si_status});
  }
}

}  // namespace sysgate

// Processes and signals: waiting for children (waitpid/waitid), with a
// deadline; sending signals (kill, tgkill). Errors are Statuses; ESRCH (the
// process is gone) is kNotFound, which callers usually treat as done.
#ifndef SYSGATE_ARCH_PROCESS_H_
#define SYSGATE_ARCH_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sysgate {

using SteadyTime = std::chrono::steady_clock::time_point;  // CLOCK_MONOTONIC.

// kill(2) of a process (or, with a negative pid, a process group).
absl::Status SendSignal(pid_t pid, int signal);
// tgkill(2): `signal` for one thread, delivered when it next returns to
// user mode (an injected signal, queued at a seccomp stop).
absl::Status QueueSignal(pid_t tgid, pid_t tid, int signal);

// Whether `tid` (> 0) is a thread of this process: tgkill(2) of signal 0,
// which checks the thread group and needs no descriptor (a /proc read can
// be made to fail). True unless the kernel says ESRCH.
bool IsThreadOfOurs(pid_t tid);

// Whether `tid` (> 0) is traced by a thread of this process: one of the
// program's threads (/proc/TID/status: TracerPid). False when unreadable.
bool TracedByUs(pid_t tid);

// Whether `tid` (> 0) is one of the program's threads: traced by a thread
// of this process and under a seccomp filter (Seccomp: 2 in its status),
// which every process the program makes inherits and none can drop.
// sysgate's alarms are traced too, but run with no filter. False when
// unreadable.
bool InTheProgram(pid_t tid);

// Whether any thread has the id `tid` (> 0) now (/proc/TID, which every
// thread's id names, not only a process's). False when it cannot be told.
bool ThreadExists(pid_t tid);

// Whether thread `tid` is in this process's pid namespace (its ids mean
// the same to both). True when it cannot be told.
bool InOurPidNamespace(pid_t tid);

// kill(2) and nothing else: async-signal-safe, for signal handlers.
void ForwardSignal(pid_t pid, int signal);

// SIGKILL, then waitpid until it is gone (a child of the calling thread).
void KillAndReap(pid_t pid);

// PR_SET_DUMPABLE 0 for this process: its /proc/PID/mem, process_vm_* and
// ptrace then need CAP_SYS_PTRACE.
absl::Status MakeUndumpable();

// A child's state change, as waitpid(2) reported it (decoded once by the
// caller's WaitStatus).
struct ChildReport {
  pid_t pid;
  int raw_status;
};

// The processes sysgate starts for itself (ChildWaiter's alarms): they are
// sysgate's own, and its guards keep the program's hands off them as off
// sysgate (supervisor/engine/guards.h). Thread-safe.
class OwnProcesses {
 public:
  void Add(pid_t pid);
  void Remove(pid_t pid);
  bool Contains(pid_t pid) const;

 private:
  mutable std::mutex mutex_;
  absl::flat_hash_set<pid_t> pids_;
};

// Children of the calling thread, waited for with __WALL | __WNOTHREAD:
// only this thread's, so supervisors running in several threads of one
// process never reap each other's.
//
// A deadline needs something waitpid reports: an alarm child, forked to
// sleep until it (clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME) and exit.
// No signal handler and no process-wide state, so this works inside a
// library whose host process owns its signals and threads. An alarm is
// forked only for a deadline earlier than every alarm already sleeping;
// the waiter kills and reaps the ones left when it is destroyed.
//
// An alarm is a process the program could reach, so it gives nothing: it
// holds none of sysgate's descriptors, is undumpable, dies with the thread
// that forked it, and is seized by that thread (PTRACE_SEIZE), so no one
// else can trace it and any signal that would stop it is suppressed at its
// delivery stop; it is listed in `own` for the guards.
class ChildWaiter {
 public:
  enum class Outcome {
    kReports,     // `reports` holds at least one.
    kDeadline,    // The deadline passed first.
    kNoChildren,  // ECHILD: nothing left to wait for.
  };

  explicit ChildWaiter(OwnProcesses* own = nullptr) : own_(own) {}
  ChildWaiter(const ChildWaiter&) = delete;
  ChildWaiter& operator=(const ChildWaiter&) = delete;
  ~ChildWaiter();

  // Blocks until a child reports or `deadline` passes (SteadyTime::max():
  // no deadline), then takes every further report that is ready without
  // waiting: waitpid reports the first ready child in the kernel's list, so
  // taking one at a time would let a thread that stops again as soon as it
  // is resumed be served forever while the others starve.
  absl::StatusOr<Outcome> Wait(SteadyTime deadline,
                               std::vector<ChildReport>& reports);

 private:
  enum class AlarmReport {
    kNone,  // Not an alarm's.
    kHeld,  // An alarm was stopped (a signal): resumed, it sleeps on.
    kRang,  // An alarm's exit: its deadline passed, or it was killed.
  };
  absl::Status ArmAlarm(SteadyTime deadline);
  AlarmReport TakeAlarm(pid_t pid, int raw_status);

  OwnProcesses* own_;
  absl::flat_hash_map<pid_t, SteadyTime> alarms_;
};

// The stopped children of the calling thread, taken without waiting and
// without reaping any exit (waitid WSTOPPED | WNOHANG), each with its
// si_status: the stop signal, and a PTRACE_EVENT_* above its low byte.
struct StoppedChild {
  pid_t pid;
  int status;
};
std::vector<StoppedChild> TakeStoppedChildren();

}  // namespace sysgate

#endif  // SYSGATE_ARCH_PROCESS_H_

#include "supervisor/supervisor.h"

#include <errno.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "arch/proc_status.h"
#include "arch/ptrace.h"
#include "tracee/launcher.h"

namespace sysgate {
namespace {

// si_code of a SIGSYS sent by seccomp (include/uapi/asm-generic/siginfo.h).
constexpr int kSysSeccomp = 1;

constexpr unsigned long kPtraceOptions =
    PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
    PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD |
    PTRACE_O_EXITKILL;

std::string ExePath(pid_t pid) {
  char buf[4096];
  ssize_t n = readlink(absl::StrCat("/proc/", pid, "/exe").c_str(), buf,
                       sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : "";
}

// Resume, treating a tracee that vanished meanwhile as done.
absl::Status Resumed(absl::Status s) {
  return ptrace::TraceeGone(s) ? absl::OkStatus() : s;
}

struct ReadyTracee {
  pid_t tid;
  WaitStatus status;
};

// Every tracee with something to report now: waits for the first, then
// takes the rest without waiting. waitpid reports the first ready child in
// the kernel's list, so taking one at a time would let a thread that stops
// again as soon as it is resumed be served forever while the threads after
// it starve (64 threads in a getuid loop kept one thread waiting minutes).
// None is resumed before all are collected, so each batch is fair.
// Empty: no tracee is left (ECHILD).
absl::Status WaitForTracees(std::vector<ReadyTracee>& ready) {
  ready.clear();
  // __WNOTHREAD: only this thread's tracees, so supervisors running in
  // several threads of one process never reap each other's.
  int flags = __WALL | __WNOTHREAD;
  while (true) {
    int raw;
    pid_t tid = waitpid(-1, &raw, flags);
    if (tid > 0) {
      ready.push_back({tid, WaitStatus::Decode(raw)});
      flags |= WNOHANG;
      continue;
    }
    if (tid < 0 && errno == EINTR) continue;
    if (tid == 0 || errno == ECHILD) return absl::OkStatus();
    return absl::ErrnoToStatus(errno, "waitpid");
  }
}

}  // namespace

Supervisor::Supervisor(const PolicyEngine& engine, const SyscallAccess& access,
                       Reporter& reporter)
    : engine_(engine),
      access_(access),
      reporter_(reporter),
      stops_(engine, access, reporter) {}

Tracee& Supervisor::Adopt(pid_t tid, pid_t tgid_hint) {
  if (Tracee* known = tracees_.Find(tid)) return *known;
  // A tid first seen through a clone event: the event does not say whether
  // the child is a thread or a process.
  return tracees_.Add(tid, tgid_hint > 0 ? tgid_hint : ThreadGroupOf(tid));
}

absl::StatusOr<RunResult> Supervisor::Run(const std::vector<std::string>& argv,
                                          const std::vector<std::string>& env) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  const char* path_env = getenv("PATH");
  absl::StatusOr<std::string> path =
      FindProgram(argv[0], path_env ? path_env : "");
  if (!path.ok()) {
    exec_failure_ = {absl::IsNotFound(path.status()) ? 127 : 126,
                     absl::StrCat("cannot execute '", argv[0],
                                  "': ", path.status().message())};
    return absl::FailedPreconditionError(exec_failure_.message);
  }
  Launcher launcher;
  if (protect_from_program_) launcher.MakeSupervisorUndumpable();
  return Launch(
      launcher,
      [&](const BpfProgram* notify) {
        return launcher.Start(*path, argv, env, engine_.filter(),
                              kPtraceOptions, notify);
      },
      argv[0]);
}

absl::StatusOr<RunResult> Supervisor::RunFunction(
    const std::function<int()>& fn) {
  Launcher launcher;
  if (protect_from_program_) launcher.MakeSupervisorUndumpable();
  return Launch(
      launcher,
      [&](const BpfProgram* notify) {
        return launcher.StartFunction(fn, engine_.filter(), kPtraceOptions,
                                      notify);
      },
      "function");
}

absl::StatusOr<RunResult> Supervisor::Launch(
    Launcher& launcher,
    const std::function<absl::StatusOr<pid_t>(const BpfProgram* notify)>& start,
    const std::string& name) {
  const absl::optional<BpfProgram>& notify = engine_.notify_filter();
  if (notify) broker_ = std::make_unique<Broker>(engine_, reporter_);
  absl::StatusOr<pid_t> pid = start(notify ? &*notify : nullptr);
  if (!pid.ok()) return pid.status();
  if (broker_ != nullptr) {
    int listener = launcher.TakeListener();
    if (listener >= 0) {
      absl::Status started = broker_->Start(listener);
      if (!started.ok()) return started;
    }
  }
  main_pid_ = *pid;
  tracees_.Add(*pid, *pid);

  std::vector<ReadyTracee> ready;
  while (!tracees_.empty()) {
    absl::Status waited = WaitForTracees(ready);
    if (!waited.ok()) return waited;
    if (ready.empty()) break;  // ECHILD: none left.
    for (const ReadyTracee& r : ready) {
      if (!r.status.is_stop()) {
        OnExit(r.tid, r.status);
        continue;
      }
      // A new child can stop before its parent's fork/clone event arrives.
      Tracee& tracee = Adopt(r.tid, 0);
      absl::Status s = Dispatch(tracee, r.status);
      if (!s.ok() && !ptrace::TraceeGone(s)) {
        kill(*pid, SIGKILL);
        return s;
      }
    }
  }
  if (broker_ != nullptr) broker_->Stop();
  if (!exec_seen_) {
    LaunchFailure failure = launcher.CollectFailure();
    if (failure.stage != LaunchStage::kNone) {
      const char* what = failure.stage == LaunchStage::kExec
                             ? "cannot execute"
                             : "cannot install the filter for";
      exec_failure_ = {
          failure.stage == LaunchStage::kExec && failure.error == ENOENT ? 127
                                                                         : 126,
          absl::StrCat(what, " '", name, "': ", strerror(failure.error))};
      return absl::FailedPreconditionError(exec_failure_.message);
    }
  }
  if (!main_status_)
    return absl::InternalError("the program's exit status was never reported");
  return RunResult{*main_status_};
}

absl::Status Supervisor::Dispatch(Tracee& tracee, const WaitStatus& status) {
  pid_t tid = tracee.tid;
  switch (status.kind()) {
    case WaitStatus::Kind::kPtraceEvent:
      return OnPtraceEvent(tracee, status.event());
    case WaitStatus::Kind::kSyscallStop: {
      absl::Status s = stops_.OnSyscallExit(tracee);
      if (!s.ok()) return s;
      return Resumed(ptrace::Cont(tid, 0));
    }
    case WaitStatus::Kind::kSignalStop:
      return OnSignalStop(tracee, status.signal());
    case WaitStatus::Kind::kGroupStop:
      // Stay stopped but let SIGCONT (and SIGKILL) through: job control
      // keeps working (ptrace(2), PTRACE_LISTEN).
      return Resumed(ptrace::Listen(tid));
    case WaitStatus::Kind::kEventStop:
      return Resumed(ptrace::Cont(tid, 0));
    case WaitStatus::Kind::kExited:
    case WaitStatus::Kind::kKilled:
      break;
  }
  return absl::OkStatus();
}

absl::Status Supervisor::OnPtraceEvent(Tracee& tracee, int event) {
  pid_t tid = tracee.tid;
  switch (event) {
    case PTRACE_EVENT_SECCOMP: {
      absl::StatusOr<Resume> resume = stops_.OnSeccompStop(tracee);
      if (!resume.ok()) return resume.status();
      return Resumed(*resume == Resume::kToSyscallExit ? ptrace::Syscall(tid, 0)
                                                       : ptrace::Cont(tid, 0));
    }
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE: {
      absl::StatusOr<unsigned long> child = ptrace::GetEventMsg(tid);
      if (!child.ok()) return child.status();
      pid_t child_tid = static_cast<pid_t>(*child);
      Adopt(child_tid, event == PTRACE_EVENT_CLONE ? 0 : child_tid);
      return Resumed(ptrace::Cont(tid, 0));
    }
    case PTRACE_EVENT_EXEC: {
      absl::StatusOr<unsigned long> former = ptrace::GetEventMsg(tid);
      if (!former.ok()) return former.status();
      // A non-leader thread that execs takes the leader's tid.
      tracees_.RemoveOtherThreads(tracee.tgid, tid);
      if (tid == main_pid_) exec_seen_ = true;
      Event e;
      e.kind = Event::Kind::kExec;
      e.pid = tracee.tgid;
      e.tid = tid;
      e.path = ExePath(tid);
      reporter_.Report(e);
      if (exec_hook_) {
        absl::Status hooked = exec_hook_(tid);
        if (!hooked.ok() && !ptrace::TraceeGone(hooked)) return hooked;
      }
      // The new image has not run an instruction yet, and /proc/PID/exe
      // is what the kernel actually loaded: the check no race can dodge.
      if (broker_ != nullptr && !broker_->ExecAllowed(e.path)) {
        Event v;
        v.kind = Event::Kind::kViolation;
        v.pid = tracee.tgid;
        v.tid = tid;
        CallInfo call;
        call.name = "execve";
        call.text = absl::StrCat("execve(\"", e.path, "\")");
        v.call = call;
        v.action = "kill";
        v.rule = "broker default";
        v.detail = "no broker exec rule grants it";
        reporter_.Report(v);
        kill(tid, SIGKILL);
      }
      return Resumed(ptrace::Cont(tid, 0));
    }
    default:
      return Resumed(ptrace::Cont(tid, 0));
  }
}

absl::Status Supervisor::OnSignalStop(Tracee& tracee, int signal) {
  Event e;
  e.kind = Event::Kind::kSignal;
  e.pid = tracee.tgid;
  e.tid = tracee.tid;
  e.signal = signal;
  if (signal == SIGSYS) {
    absl::StatusOr<siginfo_t> info = ptrace::GetSigInfo(tracee.tid);
    if (info.ok() && info->si_code == kSysSeccomp &&
        info->si_errno != kReportedTrapData) {
      // A `trap` rule: the kernel sent SIGSYS without a TRACE stop; its
      // RET_DATA (si_errno) names the rule.
      int rule = info->si_errno;
      const Abi* abi = AbiForAuditArch(info->si_arch);
      if (abi != nullptr && (rule == kDefaultRuleData ||
                             rule < static_cast<int>(engine_.rules().size()))) {
        Event v;
        v.kind = Event::Kind::kViolation;
        v.pid = tracee.tgid;
        v.tid = tracee.tid;
        CallInfo call;
        call.abi = abi->id();
        call.nr = info->si_syscall;
        call.name = abi->Name(info->si_syscall);
        call.text = call.name + "(...)";
        call.ip = reinterpret_cast<uint64_t>(info->si_call_addr);
        v.call = call;
        v.action = "trap";
        v.rule = engine_.RuleName(rule);
        reporter_.Report(v);
      }
    }
  }
  reporter_.Report(e);
  return Resumed(ptrace::Cont(tracee.tid, signal));
}

void Supervisor::OnExit(pid_t tid, const WaitStatus& status) {
  Tracee* tracee = tracees_.Find(tid);
  if (tracee == nullptr) return;  // A thread removed at its process's exec.
  if (tid == main_pid_) main_status_ = status;
  if (tracee->tid == tracee->tgid) {
    Event e;
    e.kind = Event::Kind::kExit;
    e.pid = tid;
    e.tid = tid;
    e.status = status.ShellStatus();
    if (status.kind() == WaitStatus::Kind::kKilled) e.signal = status.signal();
    reporter_.Report(e);
  }
  tracees_.Remove(tid);
}

}  // namespace sysgate

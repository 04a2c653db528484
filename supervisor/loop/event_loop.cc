#include "supervisor/loop/event_loop.h"

#include <linux/ptrace.h>
#include <signal.h>
#include <sys/mman.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "arch/procfs.h"
#include "arch/ptrace.h"
#include "supervisor/engine/reserved.h"
#include "supervisor/report/call_format.h"

namespace sysgate {
namespace {

// Resume, treating a tracee that vanished meanwhile as done.
absl::Status Resumed(absl::Status s) {
  return ptrace::TraceeGone(s) ? absl::OkStatus() : s;
}

}  // namespace

unsigned long TraceOptions() {
  return PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
         PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD |
         PTRACE_O_EXITKILL;
}

EventLoop::EventLoop(const DecisionEngine& engine, const SyscallAccess& access,
                     Reporter& reporter, Handoffs& handoffs,
                     LoopOptions options)
    : engine_(engine),
      access_(access),
      reporter_(reporter),
      handoffs_(handoffs),
      options_(std::move(options)),
      transport_(engine, access, reporter, options_.broker, handoffs),
      waiter_(options_.own_processes) {}

absl::StatusOr<WaitStatus> EventLoop::Run(pid_t program) {
  absl::Status served = Serve(program);
  if (!served.ok()) {
    KillAll();
    return served;
  }
  if (!program_status_)
    return absl::InternalError("the program's exit status was never reported");
  return *program_status_;
}

absl::Status EventLoop::Serve(pid_t program) {
  program_ = program;
  tracees_.Add(program, program);
  std::vector<ChildReport> reports;
  while (!tracees_.empty()) {
    SteadyTime deadline = timed_.empty() ? SteadyTime::max() : timed_.top().at;
    absl::StatusOr<ChildWaiter::Outcome> waited =
        waiter_.Wait(deadline, reports);
    if (!waited.ok()) return waited.status();
    if (*waited == ChildWaiter::Outcome::kNoChildren) break;
    // None is resumed before all are collected, so each batch is fair.
    for (const ChildReport& r : reports) {
      WaitStatus status = WaitStatus::Decode(r.raw_status);
      if (!status.is_stop()) {
        OnExit(r.pid, status);
        continue;
      }
      // A new child can stop before its parent's fork/clone event arrives.
      absl::Status s = Dispatch(Adopt(r.pid, 0), status);
      if (!s.ok() && !ptrace::TraceeGone(s)) return s;
    }
    absl::Status due = ResumeDue();
    if (!due.ok()) return due;
  }
  return absl::OkStatus();
}

Tracee& EventLoop::Adopt(pid_t tid, pid_t tgid_hint) {
  if (Tracee* known = tracees_.Find(tid)) return *known;
  // A tid first seen through a clone event: the event does not say whether
  // the child is a thread or a process.
  return tracees_.Add(tid, tgid_hint > 0 ? tgid_hint : ThreadGroupOf(tid));
}

absl::Status EventLoop::Resume(Tracee& tracee, const ResumePlan& plan) {
  if (plan.not_before > std::chrono::steady_clock::now()) {
    tracee.parked = next_ticket_++;
    timed_.push(
        {plan.not_before, tracee.parked, tracee.tid, plan.to_syscall_exit});
    return absl::OkStatus();
  }
  return Resumed(plan.to_syscall_exit ? ptrace::Syscall(tracee.tid, 0)
                                      : ptrace::Cont(tracee.tid, 0));
}

absl::Status EventLoop::ResumeDue() {
  SteadyTime now = std::chrono::steady_clock::now();
  while (!timed_.empty() && timed_.top().at <= now) {
    TimedResume due = timed_.top();
    timed_.pop();
    Tracee* tracee = tracees_.Find(due.tid);
    // Gone meanwhile (killed while it waited), or its tid reused.
    if (tracee == nullptr || tracee->parked != due.ticket) continue;
    tracee->parked = 0;
    ResumePlan now_plan;
    now_plan.to_syscall_exit = due.to_syscall_exit;
    absl::Status s = Resume(*tracee, now_plan);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status EventLoop::Dispatch(Tracee& tracee, const WaitStatus& status) {
  pid_t tid = tracee.tid;
  switch (status.kind()) {
    case WaitStatus::Kind::kPtraceEvent:
      return OnPtraceEvent(tracee, status.event());
    case WaitStatus::Kind::kSyscallStop: {
      absl::StatusOr<ResumePlan> plan = transport_.OnSyscallExit(tracee);
      if (!plan.ok()) return plan.status();
      return Resume(tracee, *plan);
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

absl::Status EventLoop::OnPtraceEvent(Tracee& tracee, int event) {
  pid_t tid = tracee.tid;
  switch (event) {
    case PTRACE_EVENT_SECCOMP: {
      absl::StatusOr<ResumePlan> plan = transport_.OnSeccompStop(tracee);
      if (!plan.ok()) return plan.status();
      return Resume(tracee, *plan);
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
    case PTRACE_EVENT_EXEC:
      return OnExec(tracee);
    default:
      return Resumed(ptrace::Cont(tid, 0));
  }
}

absl::Status EventLoop::OnExec(Tracee& tracee) {
  pid_t tid = tracee.tid;
  absl::StatusOr<unsigned long> former = ptrace::GetEventMsg(tid);
  if (!former.ok()) return former.status();
  // A non-leader thread that execs takes the leader's tid: the entry is
  // the old leader's, whose stop (a timed resume, an exit hook) is gone.
  pid_t execing = static_cast<pid_t>(*former);
  tracees_.ExecBy(tracee.tgid, execing, tid);
  handoffs_.Forget(execing);
  handoffs_.Forget(tid);
  if (tid == program_) exec_seen_ = true;
  Event e;
  e.kind = Event::Kind::kExec;
  e.pid = tracee.tgid;
  e.tid = tid;
  e.path = ReadProcLink(tid, "exe");
  reporter_.Report(e);
  if (options_.exec_hook) {
    absl::Status hooked = options_.exec_hook(tid);
    if (!hooked.ok() && !ptrace::TraceeGone(hooked)) return hooked;
  }
  // The new image has not run an instruction yet: what the kernel loaded
  // and what it gave the image by itself (personality, stack) are checked
  // before it can use any of them.
  absl::optional<Event> violation = UngrantedExec(tracee, e.path);
  if (!violation) violation = KernelGiven(tracee);
  if (violation) {
    reporter_.Report(*violation);
    SendSignal(tid, SIGKILL).IgnoreError();  // Gone already: done.
  }
  return Resumed(ptrace::Cont(tid, 0));
}

// /proc/PID/exe is what the kernel actually loaded: the check no race can
// dodge.
absl::optional<Event> EventLoop::UngrantedExec(const Tracee& tracee,
                                               const std::string& path) const {
  const PathGrants* grants =
      options_.broker ? &options_.broker->grants() : nullptr;
  if (grants == nullptr || !grants->HasMode(BrokerRule::Mode::kExec) ||
      grants->Grants(path, BrokerRule::Mode::kExec) != nullptr) {
    return absl::nullopt;
  }
  Event v = ExecKill(tracee, Provenance::BrokerDefault(),
                     "no broker exec rule grants it");
  CallInfo call;
  call.name = "execve";
  call.text = absl::StrCat("execve(", QuoteString(path), ")");
  v.call = call;
  return v;
}

// What the kernel gives a new image by itself, unasked: each is decided as
// the call that would ask for it, and one the policy would not let run as
// asked (an emulated or rewritten answer is not what the image has) kills
// the process before its first instruction. Anything that cannot be read
// or decided kills too: never an image nobody checked.
absl::optional<Event> EventLoop::KernelGiven(const Tracee& tracee) const {
  absl::StatusOr<unsigned long> persona = ReadPersonality(tracee.tid);
  absl::StatusOr<absl::optional<MappedRange>> stack =
      WritableExecutableStack(tracee.tid);
  bool plain = persona.ok() && *persona == 0 && stack.ok() && !*stack;
  if (plain) return absl::nullopt;  // PER_LINUX, no executable stack.
  absl::StatusOr<SyscallAccess::Pointers> image =
      access_.ReadPointers(tracee.tid);
  // Killed while stopped here (by anyone): no image will run to check.
  if (!image.ok() && ptrace::TraceeGone(image.status())) return absl::nullopt;
  if (!persona.ok() || !stack.ok() || !image.ok())
    return Unchecked(tracee, "could not be read");
  // An i386 ELF without PT_GNU_STACK gets READ_IMPLIES_EXEC
  // (elf_read_implies_exec): every readable mapping is executable, which
  // defeats rules on mmap's and mprotect's PROT_EXEC.
  if (*persona != 0) {
    absl::optional<Event> v =
        OnBehalf(tracee, image->abi, "personality", {*persona},
                 "the kernel gave the image this personality at exec");
    if (v) return v;
  }
  // PT_GNU_STACK with PF_X: a stack mapped writable and executable, as
  // mprotect(PROT_READ|PROT_WRITE|PROT_EXEC) would make it.
  if (*stack) {
    return OnBehalf(
        tracee, image->abi, "mprotect",
        {(*stack)->start, (*stack)->end - (*stack)->start,
         PROT_READ | PROT_WRITE | PROT_EXEC},
        "the kernel mapped the image's stack writable and executable "
        "(PT_GNU_STACK with PF_X)");
  }
  return absl::nullopt;
}

absl::optional<Event> EventLoop::OnBehalf(const Tracee& tracee, AbiId abi,
                                          absl::string_view name,
                                          std::initializer_list<uint64_t> args,
                                          absl::string_view detail) const {
  const SyscallDesc* call = GetAbi(abi).Find(name);
  if (call == nullptr) return Unchecked(tracee, "could not be decided");
  SyscallStop asked;
  asked.tid = tracee.tid;
  asked.abi = abi;
  asked.nr = call->nr;
  std::copy(args.begin(), args.end(), asked.args.begin());
  Decision d = engine_.DecideOnBehalf(asked, tracee.tgid);
  if (d.kind == Decision::Kind::kAllow || d.kind == Decision::Kind::kInspect)
    return absl::nullopt;
  Event v = ExecKill(tracee, d.by, detail);
  v.call = CallInfoOf(asked, reporter_.WantsText(v.kind));
  return v;
}

absl::optional<Event> EventLoop::Unchecked(const Tracee& tracee,
                                           absl::string_view why) const {
  return ExecKill(tracee, Provenance::Of(Guard::kUncheckedExecImage),
                  absl::StrCat("what the kernel gave the image at exec ", why));
}

Event EventLoop::ExecKill(const Tracee& tracee, const Provenance& by,
                          absl::string_view detail) const {
  Event v;
  v.kind = Event::Kind::kViolation;
  v.pid = tracee.tgid;
  v.tid = tracee.tid;
  v.action = "kill";
  v.by = by;
  v.rule = engine_.RuleText(by);
  v.detail = std::string(detail);
  return v;
}

absl::Status EventLoop::OnSignalStop(Tracee& tracee, int signal) {
  if (tracee.redirected_trap) {
    absl::Status shown = ShowTrappedCall(tracee, signal);
    if (!shown.ok() && !ptrace::TraceeGone(shown)) return shown;
  }
  Event e;
  e.kind = Event::Kind::kSignal;
  e.pid = tracee.tgid;
  e.tid = tracee.tid;
  e.signal = signal;
  reporter_.Report(e);
  return Resumed(ptrace::Cont(tracee.tid, signal));
}

// A trap reported at its TRACE stop, redirected to the reserved trap
// number: the program is shown the call it made. At the first signal stop
// after it, whatever the signal (a lower synchronous signal, or a SIGSYS
// queued before the trap, is delivered first), the rolled-back register
// gets the call's number back; at the SIGSYS, the siginfo its name.
absl::Status EventLoop::ShowTrappedCall(Tracee& tracee, int signal) {
  Tracee::RedirectedTrap& trap = *tracee.redirected_trap;
  if (!trap.number_restored) {
    trap.number_restored = true;
    absl::Status restored = access_.RestoreTrappedNumber(tracee.tid, trap.nr);
    if (!restored.ok()) return restored;
  }
  if (signal != SIGSYS) return absl::OkStatus();
  Tracee::RedirectedTrap delivered = trap;
  tracee.redirected_trap.reset();
  return access_.NameTrapSignal(tracee.tid, NrOf(ReservedNr::kTrap),
                                delivered.nr, delivered.data);
}

void EventLoop::OnExit(pid_t tid, const WaitStatus& status) {
  Tracee* tracee = tracees_.Find(tid);
  if (tracee == nullptr) return;  // A thread removed at its process's exec.
  if (tid == program_) program_status_ = status;
  if (tracee->tid == tracee->tgid) {
    Event e;
    e.kind = Event::Kind::kExit;
    e.pid = tid;
    e.tid = tid;
    e.status = status.ShellStatus();
    if (status.kind() == WaitStatus::Kind::kKilled) e.signal = status.signal();
    reporter_.Report(e);
  }
  handoffs_.Forget(tid);
  tracees_.Remove(tid);
}

// After a failure of sysgate's own: no tracee may run on unsupervised, and
// none is left behind as a zombie or a stopped process.
void EventLoop::KillAll() {
  for (pid_t tgid : tracees_.Processes())
    SendSignal(tgid, SIGKILL).IgnoreError();
  std::vector<ChildReport> reports;
  while (!tracees_.empty()) {
    absl::StatusOr<ChildWaiter::Outcome> waited =
        waiter_.Wait(SteadyTime::max(), reports);
    if (!waited.ok() || *waited == ChildWaiter::Outcome::kNoChildren) return;
    for (const ChildReport& r : reports) {
      WaitStatus status = WaitStatus::Decode(r.raw_status);
      if (!status.is_stop()) tracees_.Remove(r.pid);
    }
  }
}

}  // namespace sysgate

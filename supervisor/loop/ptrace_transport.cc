#include "supervisor/loop/ptrace_transport.h"

#include <errno.h>
#include <signal.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "supervisor/engine/reserved.h"
#include "supervisor/notify/broker_request.h"
#include "supervisor/notify/notify_transport.h"
#include "supervisor/report/decision_events.h"

namespace sysgate {
namespace {

SteadyTime After(absl::Duration delay) {
  return std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(delay);
}

}  // namespace

absl::StatusOr<ResumePlan> PtraceTransport::OnSeccompStop(Tracee& tracee) {
  // A new call: one it handed over before is over, served or not, and the
  // SIGSYS of a trap before it has been delivered.
  handoffs_.Forget(tracee.tid);
  tracee.redirected_trap.reset();
  absl::StatusOr<SyscallStop> stop = access_.ReadSeccompStop(tracee.tid);
  if (IsUnsupportedAbi(stop.status())) {
    return KillUnsupportedAbi(tracee, stop.status().message());
  }
  if (!stop.ok()) return stop.status();
  return Apply(tracee, *stop,
               engine_.DecideStop(*stop, tracee.tgid, tracee.inject_counts));
}

absl::StatusOr<ResumePlan> PtraceTransport::Apply(Tracee& tracee,
                                                  const SyscallStop& stop,
                                                  Decision d) {
  // Reported first, while the thread is stopped at the call (stacks).
  ReportDecision(reporter_, engine_, tracee.tgid, stop, d);
  if (d.signal) {
    absl::Status queued = QueueSignal(tracee.tgid, tracee.tid, *d.signal);
    if (!queued.ok()) return queued;
  }
  absl::Status entered = Enter(stop, tracee.tgid, d);
  bool refused = absl::IsFailedPrecondition(entered);
  if (refused) entered = Refuse(stop, d, tracee.tgid, entered);
  if (!entered.ok()) return entered;
  if (d.kind == Decision::Kind::kTrap && !refused) {
    tracee.redirected_trap =
        Tracee::RedirectedTrap{stop.nr, static_cast<uint16_t>(d.value)};
  }
  ResumePlan plan;
  plan.to_syscall_exit = d.NeedsExit();
  if (plan.to_syscall_exit) {
    tracee.at_syscall_exit = std::move(d.on_return);
    tracee.abi_at_exit = stop.abi;
    tracee.exit_delay = d.delay_exit;
  }
  if (d.delay_enter > absl::ZeroDuration())
    plan.not_before = After(d.delay_enter);
  return plan;
}

// Kill and trap change the number to one the filter kills or traps: after
// a TRACE stop the kernel runs the filters again on the (changed) number,
// so the process dies exactly as seccomp kills (SIGSYS, core, status 159).
absl::Status PtraceTransport::Enter(const SyscallStop& stop, pid_t pid,
                                    Decision& d) {
  using K = Decision::Kind;
  switch (d.kind) {
    case K::kAllow:
    case K::kInspect:
      return absl::OkStatus();
    case K::kFail:
      return access_.Skip(stop, -d.value);
    case K::kReturn:
      return access_.Skip(stop, d.value);
    case K::kRewrite:
      return access_.Rewrite(stop, d.nr, d.args);
    case K::kKillProcess:
      return access_.RedirectNumber(stop, NrOf(ReservedNr::kKillProcess));
    case K::kKillThread:
      return access_.RedirectNumber(stop, NrOf(ReservedNr::kKillThread));
    case K::kTrap:
      return access_.RedirectNumber(stop, NrOf(ReservedNr::kTrap));
    case K::kBroker:
      return Brokered(stop, pid, d);
  }
  return absl::InternalError("unknown decision");
}

absl::Status PtraceTransport::Brokered(const SyscallStop& stop, pid_t pid,
                                       const Decision& d) {
  if (broker_ == nullptr || d.brokered == nullptr)
    return absl::InternalError("a brokered call with no broker");
  if (ServedOnNotifyThread(d.brokered->op)) return HandOff(stop, d);
  SyscallStop call = stop;
  call.nr = d.nr;
  call.args = d.args;
  BrokerRequest request = MakeRequest(*d.brokered, call);
  int unreadable = ReadOperands(request);
  if (unreadable) return access_.Skip(stop, -unreadable);
  BrokerResult result = broker_->Serve(request);
  ReportBrokerDenial(reporter_, engine_, pid, stop, result);
  switch (result.answer.kind) {
    case Answer::Kind::kValue:
      return access_.Skip(stop, result.answer.value);
    case Answer::Kind::kError:
      return access_.Skip(stop, -result.answer.error);
    case Answer::Kind::kContinue:
      if (call.nr == stop.nr && call.args == stop.args) return absl::OkStatus();
      return access_.Rewrite(stop, call.nr, call.args);
    case Answer::Kind::kFd:
      break;  // Only opens make descriptors, and they are handed off.
  }
  return access_.Skip(stop, -ENOSYS);
}

absl::Status PtraceTransport::HandOff(const SyscallStop& stop,
                                      const Decision& d) {
  if (stop.is_vsyscall()) {
    return absl::FailedPreconditionError(
        "a vsyscall cannot be handed to the broker (its number cannot "
        "change)");
  }
  // Filed as the notification will show it: a 32-bit ABI's arguments
  // as words (notify_transport.cc).
  Decision filed = d;
  if (GetAbi(stop.abi).word_bits() == 32) {
    for (uint64_t& a : filed.args) a &= 0xffffffffu;
  }
  handoffs_.File(stop.tid, stop.ip, std::move(filed));
  if (d.nr == stop.nr && d.args == stop.args)
    return access_.RedirectNumber(stop, HandoffNr(d.nr));
  return access_.Rewrite(stop, HandoffNr(d.nr), d.args);
}

absl::Status PtraceTransport::Refuse(const SyscallStop& stop, Decision& d,
                                     pid_t pid, const absl::Status& why) {
  ReportCall(reporter_, pid, stop,
             {Event::Kind::kRefused, "errno(ENOSYS)", engine_.RuleText(d.by),
              d.by, false, std::string(why.message())});
  d.on_return = nullptr;  // Nothing runs.
  return access_.Skip(stop, -ENOSYS);
}

// The filter sends a call of an ABI it has no section for here
// (RetData::kUnsupportedAbi) instead of killing the process unseen.
// Nothing of it can be decoded or decided, so the process is killed all the
// same, now with a report. SIGKILL, not the kill-number redirect: the
// redirected call would meet the same unknown-arch branch again.
ResumePlan PtraceTransport::KillUnsupportedAbi(Tracee& tracee,
                                               absl::string_view abi) {
  if (reporter_.Wants(Event::Kind::kViolation)) {
    Event e;
    e.kind = Event::Kind::kViolation;
    e.pid = tracee.tgid;
    e.tid = tracee.tid;
    e.action = "kill";
    e.by = Provenance::Of(Guard::kUnsupportedAbi);
    e.rule = engine_.RuleText(e.by);
    e.detail = absl::StrCat(abi, ": sysgate has no system call tables for it");
    reporter_.Report(e);
  }
  SendSignal(tracee.tgid, SIGKILL).IgnoreError();  // Gone already: done.
  return ResumePlan();
}

absl::StatusOr<ResumePlan> PtraceTransport::OnSyscallExit(Tracee& tracee) {
  ResumePlan plan;
  if (tracee.at_syscall_exit) {
    Decision::ResultHook at_exit = std::move(tracee.at_syscall_exit);
    tracee.at_syscall_exit = nullptr;
    absl::StatusOr<int64_t> result =
        access_.ReadReturn(tracee.tid, tracee.abi_at_exit);
    if (!result.ok()) return result.status();
    absl::optional<int64_t> replaced = at_exit(*result);
    if (replaced) {
      absl::Status s = access_.SetReturn(tracee.tid, *replaced);
      if (!s.ok()) return s;
    }
  }
  if (tracee.exit_delay > absl::ZeroDuration()) {
    plan.not_before = After(tracee.exit_delay);
    tracee.exit_delay = absl::ZeroDuration();
  }
  return plan;
}

}  // namespace sysgate

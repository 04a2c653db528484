#include "supervisor/stop_handler.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "arch/proc_status.h"
#include "arch/tracee_memory.h"
#include "filters/constants.h"

namespace sysgate {

void StopHandler::ReportCall(Event::Kind kind, const Tracee& tracee,
                             const SyscallStop& stop, const std::string& action,
                             const std::string& rule, bool foreign,
                             const std::string& detail) {
  if (!reporter_.Wants(kind)) return;
  Event e;
  e.kind = kind;
  e.pid = tracee.tgid;
  e.tid = tracee.tid;
  e.call = CallInfoOf(stop, reporter_.WantsText(kind));
  e.action = action;
  e.rule = rule;
  e.foreign = foreign;
  e.detail = detail;
  reporter_.Report(e);
}

absl::StatusOr<Resume> StopHandler::OnSeccompStop(Tracee& tracee) {
  absl::StatusOr<SyscallStop> stop = access_.ReadSeccompStop(tracee.tid);
  if (IsUnsupportedAbi(stop.status())) {
    return KillUnsupportedAbi(tracee, stop.status().message());
  }
  if (!stop.ok()) return stop.status();
  Verdict verdict = engine_.Decide(*stop);
  int handler = engine_.HandlerFor(verdict.rule);
  if (handler >= 0 && handlers_ != nullptr &&
      handler < static_cast<int>(handlers_->size())) {
    return ApplyDecision(tracee, *stop, engine_.RuleName(verdict.rule),
                         (*handlers_)[handler](*stop, tracee));
  }
  if (const InjectSpec* spec = engine_.InjectFor(verdict.rule)) {
    if (spec->when.Matches(tracee.CountInvocation(verdict.rule, stop->nr))) {
      return Inject(tracee, *stop, verdict.rule, *spec);
    }
    verdict = engine_.DecideWithoutInjects(*stop);
  }
  if (engine_.IsSelfGuard(verdict.rule)) {
    if (ThreadGroupOf(engine_.SelfGuardTarget(*stop)) == getpid()) {
      verdict.action = {Action::Kind::kErrno, EPERM};
      return Apply(tracee, *stop, verdict);
    }
    verdict = engine_.DecidePast(*stop, verdict.rule);
  }
  return Apply(tracee, *stop, verdict);
}

// The filter sends a call of an ABI it has no section for here
// (kUnsupportedAbiData) instead of killing the process unseen. Nothing of
// it can be decoded or decided, so the process is killed all the same, now
// with a report. SIGKILL, not the kill-number redirect of Apply: the
// redirected call would meet the same unknown-arch branch again.
absl::StatusOr<Resume> StopHandler::KillUnsupportedAbi(Tracee& tracee,
                                                       absl::string_view abi) {
  if (reporter_.Wants(Event::Kind::kViolation)) {
    Event e;
    e.kind = Event::Kind::kViolation;
    e.pid = tracee.tgid;
    e.tid = tracee.tid;
    e.action = "kill";
    e.rule = "sysgate guard";
    e.detail = absl::StrCat(abi, ": sysgate has no system call tables for it");
    reporter_.Report(e);
  }
  kill(tracee.tgid, SIGKILL);
  return Resume::kContinue;
}

absl::StatusOr<Resume> StopHandler::Apply(Tracee& tracee,
                                          const SyscallStop& stop,
                                          const Verdict& verdict) {
  using K = Action::Kind;
  const Action& action = verdict.action;
  std::string rule = engine_.RuleName(verdict.rule);
  if (verdict.source == Verdict::Source::kNoTracer) {
    // As the kernel does for a TRACE with no tracer (seccomp_filter.rst).
    ReportCall(Event::Kind::kForeign, tracee, stop, "errno(ENOSYS)", "", true,
               "the program's own filter returned SECCOMP_RET_TRACE");
    absl::Status s = access_.Skip(stop, -ENOSYS);
    if (!s.ok()) return s;
    return Resume::kContinue;
  }
  if (verdict.source == Verdict::Source::kX32) {
    ReportCall(Event::Kind::kViolation, tracee, stop, "errno(ENOSYS)",
               "sysgate guard", false, "an x32 system call number");
    absl::Status s = access_.Skip(stop, -ENOSYS);
    if (!s.ok()) return s;
    return Resume::kContinue;
  }
  bool report = verdict.rule < 0 || engine_.rules()[verdict.rule].report;
  absl::Status s;
  switch (action.kind) {
    case K::kAllow:
    case K::kAudit:
    case K::kTrace:
      break;
    case K::kLog:
      ReportCall(Event::Kind::kLog, tracee, stop, action.ToString(), rule,
                 verdict.foreign);
      break;
    case K::kEmulate:
      ReportCall(Event::Kind::kEmulate, tracee, stop, action.ToString(), rule,
                 verdict.foreign);
      s = access_.Skip(stop, action.value);
      break;
    case K::kErrno:
      if (report)
        ReportCall(Event::Kind::kViolation, tracee, stop, action.ToString(),
                   rule, verdict.foreign);
      s = access_.Skip(stop, -action.value);
      break;
    case K::kKillProcess:
    case K::kKillThread:
    case K::kTrap: {
      if (report)
        ReportCall(Event::Kind::kViolation, tracee, stop, action.ToString(),
                   rule, verdict.foreign);
      int nr = action.kind == K::kKillProcess  ? kKillProcessNr
               : action.kind == K::kKillThread ? kKillThreadNr
                                               : kTrapNr;
      s = access_.RedirectNumber(stop, nr);
      break;
    }
  }
  if (!s.ok()) return s;
  return Resume::kContinue;
}

absl::StatusOr<Resume> StopHandler::Refuse(Tracee& tracee,
                                           const SyscallStop& stop,
                                           const std::string& rule,
                                           const std::string& why) {
  ReportCall(Event::Kind::kRefused, tracee, stop, "errno(ENOSYS)", rule, false,
             why);
  absl::Status s = access_.Skip(stop, -ENOSYS);
  if (!s.ok()) return s;
  return Resume::kContinue;
}

absl::StatusOr<Resume> StopHandler::Inject(Tracee& tracee,
                                           const SyscallStop& stop, int rule,
                                           const InjectSpec& spec) {
  std::string name = engine_.RuleName(rule);
  ReportCall(Event::Kind::kInject, tracee, stop, spec.text, name, false);
  if (spec.signal) {
    absl::Status s = QueueSignal(tracee.tgid, tracee.tid, *spec.signal);
    if (!s.ok()) return s;
  }
  absl::optional<int64_t> result;
  if (spec.error) result = -static_cast<int64_t>(*spec.error);
  if (spec.retval) result = *spec.retval;
  if (spec.substitute) {
    const SyscallDesc* target = GetAbi(stop.abi).Find(*spec.substitute);
    if (target == nullptr) {
      return Refuse(tracee, stop, name,
                    absl::StrCat(*spec.substitute, " does not exist on ",
                                 GetAbi(stop.abi).name()));
    }
    absl::Status s = access_.Rewrite(stop, target->nr, stop.args);
    if (absl::IsFailedPrecondition(s))
      return Refuse(tracee, stop, name, std::string(s.message()));
    if (!s.ok()) return s;
    if (!result) return Resume::kContinue;
    int64_t replacement = *result;
    tracee.at_syscall_exit = [replacement](int64_t) { return replacement; };
    tracee.abi_at_exit = stop.abi;
    return Resume::kToSyscallExit;
  }
  if (result) {
    absl::Status s = access_.Skip(stop, *result);
    if (!s.ok()) return s;
  }
  return Resume::kContinue;
}

absl::StatusOr<Resume> StopHandler::ApplyDecision(Tracee& tracee,
                                                  const SyscallStop& stop,
                                                  const std::string& rule,
                                                  const CallDecision& d) {
  absl::Status s;
  switch (d.kind) {
    case CallDecision::Kind::kAllow:
      return Resume::kContinue;
    case CallDecision::Kind::kFail:
      s = access_.Skip(stop, -d.value);
      break;
    case CallDecision::Kind::kReturn:
      s = access_.Skip(stop, d.value);
      break;
    case CallDecision::Kind::kRewrite:
      s = access_.Rewrite(stop, d.nr, d.args);
      if (absl::IsFailedPrecondition(s))
        return Refuse(tracee, stop, rule, std::string(s.message()));
      break;
    case CallDecision::Kind::kInspect:
      tracee.at_syscall_exit = d.on_return;
      tracee.abi_at_exit = stop.abi;
      return Resume::kToSyscallExit;
  }
  if (!s.ok()) return s;
  return Resume::kContinue;
}

absl::Status StopHandler::OnSyscallExit(Tracee& tracee) {
  if (!tracee.at_syscall_exit) return absl::OkStatus();
  auto at_exit = std::move(tracee.at_syscall_exit);
  tracee.at_syscall_exit = nullptr;
  absl::StatusOr<int64_t> result =
      access_.ReadReturn(tracee.tid, tracee.abi_at_exit);
  if (!result.ok()) return result.status();
  absl::optional<int64_t> replaced = at_exit(*result);
  if (replaced) return access_.SetReturn(tracee.tid, *replaced);
  return absl::OkStatus();
}

}  // namespace sysgate

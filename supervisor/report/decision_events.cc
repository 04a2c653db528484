#include "supervisor/report/decision_events.h"

namespace sysgate {
namespace {

Event::Kind KindOf(Report report) {
  switch (report) {
    case Report::kLog:
      return Event::Kind::kLog;
    case Report::kEmulate:
      return Event::Kind::kEmulate;
    case Report::kRefused:
      return Event::Kind::kRefused;
    case Report::kForeign:
      return Event::Kind::kForeign;
    case Report::kViolation:
    case Report::kNone:
      break;
  }
  return Event::Kind::kViolation;
}

}  // namespace

std::string GuardDetail(Guard guard) {
  switch (guard) {
    case Guard::kX32:
      return "an x32 system call number";
    case Guard::kReservedNumber:
      return "a system call number sysgate reserves for itself";
    default:
      return "";
  }
}

void ReportCall(Reporter& reporter, pid_t pid, const SyscallStop& stop,
                const CallReport& r) {
  if (!reporter.Wants(r.kind)) return;
  Event e;
  e.kind = r.kind;
  e.pid = pid != 0 ? pid : ThreadGroupOf(stop.tid);
  e.tid = stop.tid;
  e.call = CallInfoOf(stop, reporter.WantsText(r.kind));
  e.action = r.action;
  e.rule = r.rule;
  e.by = r.by;
  e.foreign = r.foreign;
  e.detail = r.detail;
  reporter.Report(e);
}

void ReportDecision(Reporter& reporter, const DecisionEngine& engine, pid_t pid,
                    const SyscallStop& stop, const Decision& d) {
  // Nothing is built for an event no one sees (a stop is a hot path).
  if (d.injected && reporter.Wants(Event::Kind::kInject)) {
    Provenance by = Provenance::Inject(*d.injected);
    ReportCall(reporter, pid, stop,
               {Event::Kind::kInject, engine.inject(*d.injected).text,
                engine.RuleText(by), by, false, ""});
  }
  if (d.report == Report::kNone || !reporter.Wants(KindOf(d.report))) return;
  CallReport r;
  r.kind = KindOf(d.report);
  r.action = engine.ActionText(d);
  r.rule = engine.RuleText(d.by);
  r.by = d.by;
  r.foreign = d.foreign;
  r.detail = d.detail.empty() ? GuardDetail(d.by.guard) : d.detail;
  if (d.report == Report::kForeign)
    r.detail = "the program's own filter returned SECCOMP_RET_TRACE";
  ReportCall(reporter, pid, stop, r);
}

}  // namespace sysgate

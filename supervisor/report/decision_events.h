// The events a decided call makes, built in one place for both transports
// from the Decision and its provenance: the --inject event of a spec that
// fired, and the event its outcome makes (Decision::report). Nothing is
// built that no one will see (Reporter::Wants).
#ifndef SYSGATE_SUPERVISOR_REPORT_DECISION_EVENTS_H_
#define SYSGATE_SUPERVISOR_REPORT_DECISION_EVENTS_H_

#include <sys/types.h>

#include <string>

#include "arch/procfs.h"
#include "arch/syscall_stop.h"
#include "supervisor/engine/decision.h"
#include "supervisor/engine/decision_engine.h"
#include "supervisor/report/report.h"

namespace sysgate {

// `stop` is the call as the program made it; `pid` its process, or 0 to
// look it up (/proc) only if the event is wanted: a notification names a
// thread, and reading its process on every call would cost more than the
// call (~10 us).
void ReportDecision(Reporter& reporter, const DecisionEngine& engine, pid_t pid,
                    const SyscallStop& stop, const Decision& d);

// One call event: `kind`, with the action and rule as reports show them.
struct CallReport {
  Event::Kind kind = Event::Kind::kViolation;
  std::string action;
  std::string rule;
  Provenance by;
  bool foreign = false;
  std::string detail;
};
void ReportCall(Reporter& reporter, pid_t pid, const SyscallStop& stop,
                const CallReport& report);

// What a guard's report adds ("an x32 system call number"), or empty.
std::string GuardDetail(Guard guard);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_REPORT_DECISION_EVENTS_H_

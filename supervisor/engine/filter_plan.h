// The two seccomp filters of a run, both compiled from one RuleTable.
//
// The kernel runs every installed filter on every call and applies the
// action of highest precedence among their results, whatever their order:
//   KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF > TRACE > LOG >
//   ALLOW
// (kernel/seccomp.c, seccomp_run_filters; equal actions take the data of
// the most recently installed filter). So for every call exactly one
// filter may return something above ALLOW: both search the same entries
// in the same order, and an entry returns its action in the filter of its
// transport and ALLOW in the other. A call whose decision needs a ptrace
// stop therefore always reaches it (the notification filter says ALLOW),
// and a notified call is never also stopped or denied by the main filter.
//
//   main filter    kernel entries: their action; ptrace entries: TRACE with
//                  the entry's index; notified entries: ALLOW. The kill
//                  and trap numbers (reserved.h) are killed or trapped;
//                  the broker hand-off numbers are allowed (the other
//                  filter notifies them). x32 numbers fail with ENOSYS; an
//                  unknown arch is killed (after a stop that reports either,
//                  when denials are reported).
//   notification   notified entries: USER_NOTIF; everything else, ALLOW;
//   filter         the hand-off numbers: USER_NOTIF. Installed first, with
//                  a listener (tracee/launcher.h), and only when some entry
//                  is notified.
#ifndef SYSGATE_SUPERVISOR_ENGINE_FILTER_PLAN_H_
#define SYSGATE_SUPERVISOR_ENGINE_FILTER_PLAN_H_

#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "arch/kernel_features.h"
#include "filters/bpf.h"
#include "supervisor/engine/rule_table.h"

namespace sysgate {

struct FilterPair {
  BpfProgram main;
  absl::optional<BpfProgram> notify;
};

absl::StatusOr<FilterPair> CompileFilters(const RuleTable& table,
                                          const KernelActions& actions,
                                          bool report_denials);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_FILTER_PLAN_H_

#include "supervisor/engine/filter_plan.h"

#include <errno.h>
#include <linux/seccomp.h>

#include "filters/compiler.h"
#include "filters/kernel_return.h"
#include "supervisor/engine/reserved.h"

namespace sysgate {
namespace {

uint32_t MainReturn(const RuleEntry& e, uint16_t data,
                    const KernelActions& actions) {
  switch (e.transport) {
    case Transport::kKernel:
      return KernelReturn(e.action, data, actions);
    case Transport::kPtrace:
      return SECCOMP_RET_TRACE | data;
    case Transport::kNotify:
      break;
  }
  return SECCOMP_RET_ALLOW;
}

uint32_t NotifyReturn(const RuleEntry& e) {
  return e.transport == Transport::kNotify ? SECCOMP_RET_USER_NOTIF
                                           : SECCOMP_RET_ALLOW;
}

// What a run reports stops first; otherwise the kernel acts alone.
uint32_t Reported(bool report, RetData data, uint32_t quiet) {
  return report ? SECCOMP_RET_TRACE | DataOf(data) : quiet;
}

void AddHandoffNumbers(const RuleTable& table, uint32_t ret, FilterSpec& spec) {
  for (const AbiPolicy& abi : table.resolved()) {
    for (const SyscallRules& rules : abi.syscalls()) {
      for (const ResolvedRule& r : rules.rules) {
        if (!table.entries()[r.rule].brokered) continue;
        spec.fixed.push_back({static_cast<uint32_t>(HandoffNr(rules.nr)), ret});
        break;
      }
    }
  }
}

}  // namespace

absl::StatusOr<FilterPair> CompileFilters(const RuleTable& table,
                                          const KernelActions& actions,
                                          bool report_denials) {
  const std::vector<RuleEntry>& entries = table.entries();
  FilterSpec main;
  FilterSpec notify;
  for (const AbiPolicy& abi : table.resolved()) {
    main.abis.push_back(&abi);
    notify.abis.push_back(&abi);
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    main.rule_returns.push_back(
        MainReturn(entries[i], static_cast<uint16_t>(i), actions));
    notify.rule_returns.push_back(NotifyReturn(entries[i]));
  }
  main.default_return =
      MainReturn(table.default_entry(), DataOf(RetData::kDefault), actions);
  notify.default_return = NotifyReturn(table.default_entry());
  // sysgate has no x32 rules: an x32 call must never pass for an x86-64 one.
  main.x32_return =
      Reported(report_denials, RetData::kX32, SECCOMP_RET_ERRNO | ENOSYS);
  main.unknown_arch_return =
      Reported(report_denials, RetData::kUnsupportedAbi,
               KernelReturn({Action::Kind::kKillProcess, 0}, 0, actions));
  main.fixed = {
      {NrOf(ReservedNr::kKillProcess),
       KernelReturn({Action::Kind::kKillProcess, 0}, 0, actions)},
      {NrOf(ReservedNr::kKillThread), SECCOMP_RET_KILL_THREAD},
      {NrOf(ReservedNr::kTrap),
       SECCOMP_RET_TRAP | DataOf(RetData::kReportedTrap)},
  };
  notify.x32_return = SECCOMP_RET_ALLOW;
  notify.unknown_arch_return = SECCOMP_RET_ALLOW;
  for (const auto& [nr, ret] : main.fixed) {
    notify.fixed.push_back({nr, SECCOMP_RET_ALLOW});
  }
  AddHandoffNumbers(table, SECCOMP_RET_ALLOW, main);
  AddHandoffNumbers(table, SECCOMP_RET_USER_NOTIF, notify);

  FilterPair out;
  absl::StatusOr<BpfProgram> program = CompileFilter(main);
  if (!program.ok()) return program.status();
  out.main = std::move(*program);
  if (!table.notifies()) return out;
  program = CompileFilter(notify);
  if (!program.ok()) return program.status();
  out.notify = std::move(*program);
  return out;
}

}  // namespace sysgate

#include "supervisor/session/policy_warnings.h"

#include "absl/strings/str_cat.h"
#include "supervisor/notify/path_grants.h"

namespace sysgate {
namespace {

bool Uses(const Policy& p, Action::Kind kind) {
  if (p.default_action && p.default_action->kind == kind) return true;
  for (const Rule& r : p.rules) {
    if (r.action.kind == kind) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> PolicyWarnings(const KernelProbe& probe,
                                        bool uses_audit,
                                        bool uses_kill_process) {
  std::vector<std::string> warnings;
  if (uses_audit && !probe.actions.log) {
    warnings.push_back(
        "this kernel has no SECCOMP_RET_LOG: 'audit' rules only allow");
  } else if (uses_audit && !probe.Logs("log")) {
    warnings.push_back(
        "'log' is not in /proc/sys/kernel/seccomp/actions_logged: 'audit' "
        "rules allow but the kernel logs nothing");
  }
  if (uses_kill_process && !probe.actions.kill_process) {
    warnings.push_back(
        "this kernel has no SECCOMP_RET_KILL_PROCESS: 'kill' kills only the "
        "calling thread");
  }
  return warnings;
}

std::vector<std::string> PolicyWarnings(const KernelProbe& probe,
                                        const Policy& policy) {
  return PolicyWarnings(probe, Uses(policy, Action::Kind::kAudit),
                        Uses(policy, Action::Kind::kKillProcess));
}

std::vector<std::string> LogFileWarnings(const Policy& policy,
                                         const std::string& log_path) {
  PathGrants grants(policy.broker_rules);
  const BrokerRule* rule = grants.Grants(log_path, BrokerRule::Mode::kWrite);
  if (rule == nullptr) return {};
  return {absl::StrCat("the program may write the --log file ", log_path,
                       ": the write grant at ", rule->loc.ToString(),
                       " covers it (sysgate's lines still go at its end)")};
}

}  // namespace sysgate

// The decision engine: compiles a run's rules (rule_table.h) into its two
// filters (filter_plan.h) and, for each call that reaches sysgate, makes
// its one Decision, re-evaluating in-process exactly what the filters
// evaluated:
//   - injections first: a --inject spec whose `when` holds fails or fakes
//     the call (error=, retval=), or lets it run as the rest decides, with
//     its signal and delays; one it passes over goes on to the next rule;
//   - then a library handler, whose Allow means "as the rest decides";
//   - then sysgate's guards and the policy in file order, the first match
//     deciding;
//   - a broker grant refines only a call the policy allows: such a call
//     becomes Decision::kBroker, and the broker decides the file access.
// A call that an injection or a handler rewrites is decided again as the
// call it became, by the guards and the policy, so a rewrite can never let
// through what the policy denies.
#ifndef SYSGATE_SUPERVISOR_ENGINE_DECISION_ENGINE_H_
#define SYSGATE_SUPERVISOR_ENGINE_DECISION_ENGINE_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "arch/abi.h"
#include "arch/kernel_features.h"
#include "arch/process.h"
#include "arch/syscall_stop.h"
#include "filters/bpf.h"
#include "filters/policy.h"
#include "supervisor/engine/decision.h"
#include "supervisor/engine/filter_plan.h"
#include "supervisor/engine/inject_spec.h"
#include "supervisor/engine/rule_table.h"

namespace sysgate {

// Code that decides a stopped call (the library's handlers). It runs on the
// thread that serves ptrace stops, while the calling thread is stopped.
using CallHandler = std::function<Decision(const SyscallStop& stop, pid_t pid)>;

struct HandlerSpec {
  std::string call;  // A syscall name; the handler decides it on every ABI.
  CallHandler decide;
};

// Invocations per (--inject spec, syscall number) of one thread, as strace
// counts them.
using InjectCounts = absl::flat_hash_map<uint64_t, uint64_t>;
// This invocation's number (1-based) of `nr` for the spec.
uint64_t CountInvocation(InjectCounts& counts, int spec, int nr);

struct EngineConfig {
  Policy policy;
  Action fallback_default;  // The default when the policy has none.
  std::vector<InjectSpec> injects;
  std::vector<HandlerSpec> handlers;
  std::vector<AbiId> abis;  // Empty: the host's.
  // Denials stop in sysgate to be reported (--log, or not --quiet).
  bool report_denials = false;
  KernelActions actions;
  bool notify_emulation = true;
  // Brokered calls the policy allows that run without the broker, because
  // a Landlock ruleset that expresses the grants exactly confines them
  // (landlock_plan.h); only in runs that report nothing.
  std::vector<std::string> landlock_confined;
  // The processes sysgate starts for itself, off limits as sysgate is
  // (guards.h); may be null.
  const OwnProcesses* own_processes = nullptr;
};

class DecisionEngine {
 public:
  static absl::StatusOr<std::unique_ptr<DecisionEngine>> Create(
      EngineConfig config);

  const BpfProgram& filter() const { return filters_.main; }
  // The notification filter, installed first with a listener, when some
  // decision is made by notification.
  const absl::optional<BpfProgram>& notify_filter() const {
    return filters_.notify;
  }
  const Policy& policy() const { return config_.policy; }

  // At a PTRACE_EVENT_SECCOMP stop of a thread of process `pid`; `counts`
  // are that thread's --inject counters.
  Decision DecideStop(const SyscallStop& stop, pid_t pid,
                      InjectCounts& counts) const;
  // At a user notification (no RET_DATA, and nothing notified is counted).
  Decision DecideNotified(const SyscallStop& call, pid_t pid) const;

  // What the guards and the policy say of `call` had the program made it
  // itself: for what the kernel does on its behalf (the personality it
  // gives an image at exec). No --inject or handler takes part.
  Decision DecideOnBehalf(const SyscallStop& call, pid_t pid) const {
    return ByPolicy(call, pid);
  }

  // For reports: "p.policy:3", "default", "sysgate guard", "--inject=SPEC",
  // "handler for NAME", "broker default".
  std::string RuleText(const Provenance& by) const;
  // The outcome as a policy writes it: "errno(EACCES)", "kill", "log".
  std::string ActionText(const Decision& d) const;
  // The --inject spec as given.
  const InjectSpec& inject(int i) const { return config_.injects[i]; }

 private:
  explicit DecisionEngine(EngineConfig config) : config_(std::move(config)) {}

  // From entry `e` on (-1: the default); `counts` null where nothing is
  // counted (after an injection or a handler).
  Decision From(const SyscallStop& stop, pid_t pid, int e,
                InjectCounts* counts) const;
  int Next(const SyscallStop& stop, int e) const;
  Decision ByPolicy(const SyscallStop& stop, pid_t pid) const;
  Decision Ruled(int e, const SyscallStop& stop) const;
  Decision Injected(const SyscallStop& stop, pid_t pid, int spec) const;
  Decision Handled(const SyscallStop& stop, pid_t pid, int handler) const;
  // The call as `nr` with `args`, decided by the guards and the policy.
  Decision Redecided(const SyscallStop& stop, pid_t pid, int nr,
                     const std::array<uint64_t, 6>& args) const;

  EngineConfig config_;
  RuleTable table_;
  FilterPair filters_;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_DECISION_ENGINE_H_

// The rules sysgate enforces in one run, in the order they are tried:
//   1. --inject rules (TRACE; the supervisor counts invocations);
//   2. sysgate's guards, which no policy can lift: clone3 fails with ENOSYS
//      (its flags live in memory a filter cannot read, so CLONE_UNTRACED
//      could hide there; libc falls back to clone), clone with
//      CLONE_UNTRACED fails with EPERM (the child would run unsupervised),
//      and so does a seccomp filter with a listener of the program's own
//      (it could answer, and so lift, the stops sysgate denies through);
//      and ptrace, process_vm_readv/writev and pidfd_open aimed at sysgate
//      itself fail with EPERM (decided at a stop: its threads' ids are only
//      known then);
//   3. the policy's rules, then its default.
// It compiles them into the filter, and at each stop says which rule
// decides, re-evaluating in-process exactly what the filter evaluated.
#ifndef SYSGATE_SUPERVISOR_POLICY_ENGINE_H_
#define SYSGATE_SUPERVISOR_POLICY_ENGINE_H_

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "arch/abi.h"
#include "arch/syscall_stop.h"
#include "filters/bpf.h"
#include "filters/kernel_return.h"
#include "filters/policy.h"
#include "filters/resolve.h"
#include "supervisor/inject.h"

namespace sysgate {

// Numbers outside every syscall table that the filter kills or traps on.
// After a TRACE stop the kernel runs the filters again on the (possibly
// changed) number, so rewriting a call to one of these makes the kernel
// apply the action itself, with its exact semantics (exit status, core,
// SIGSYS siginfo). No bit 0x40000000, so never mistaken for x32.
inline constexpr int kKillProcessNr = 0x0fff0001;
inline constexpr int kKillThreadNr = 0x0fff0002;
inline constexpr int kTrapNr = 0x0fff0003;
// TRAP data meaning "already reported at the TRACE stop".
inline constexpr uint16_t kReportedTrapData = 0xfffe;

// TRACE data of rules whose stops code handles (the library), from here on.
inline constexpr int64_t kHandlerCookieBase = 1 << 20;

// The calls the file broker serves, as a policy text (rules of `log`).
extern const char kBrokeredCalls[];

struct EngineOptions {
  std::vector<AbiId> abis;  // Empty: the host's.
  Routing routing;
  KernelActions actions;
  // The default when the policy has none (the built-in default's).
  Action fallback_default{Action::Kind::kAllow, 0};
  // The policy's `broker` rules: their calls become user notifications.
  std::vector<BrokerRule> broker_rules;
  int broker_default_errno = 13;  // EACCES; `broker default errno(E)`.
  // emulate answered by user notification
  // (~5 us a round trip here, on any CPU) rather than ptrace stops (~10 us
  // on one CPU, ~55 us across two). bench/suite measures both.
  bool notify_emulation = true;
  // Calls whose stops code handles; handler i gets kHandlerCookieBase + i.
  // They come after --inject rules and before the guards and the policy.
  std::vector<std::string> handled_syscalls;
};

struct Verdict {
  enum class Source {
    kRule,
    kDefault,
    kNoTracer,  // Another filter's TRACE and no rule of ours: -ENOSYS.
    kX32,       // An x32 number: refused by sysgate, with -ENOSYS.
  };
  Source source = Source::kRule;
  int rule = -1;  // Index into rules(); -1 for the default and kNoTracer.
  Action action;
  // Another filter (the program's own, installed after ours) asked for this
  // stop: the kernel reports the most recently installed filter's data.
  bool foreign = false;
};

class PolicyEngine {
 public:
  static absl::StatusOr<std::unique_ptr<PolicyEngine>> Create(
      const Policy& policy, const std::vector<InjectSpec>& injects,
      const EngineOptions& options);

  const BpfProgram& filter() const { return filter_; }
  // The filter of calls answered by user notification (installed first,
  // with a listener), if any: the broker's calls, then the rules
  // ServedByNotification, in the same first-match order as filter().
  const absl::optional<BpfProgram>& notify_filter() const {
    return notify_filter_;
  }
  const std::vector<BrokerRule>& broker_rules() const { return broker_rules_; }
  int broker_default_errno() const { return broker_default_errno_; }
  // What the policy decides for a notified call (no RET_DATA comes with a
  // notification: the same evaluation the filter made).
  Verdict DecideNotified(const SyscallStop& stop) const;
  const std::vector<Rule>& rules() const { return rules_; }
  const Action& default_action() const { return default_; }
  const std::vector<AbiId>& abis() const { return abis_; }
  // The injection a rule stands for, or null.
  const InjectSpec* InjectFor(int rule) const;
  // The handler a rule stands for, or -1.
  int HandlerFor(int rule) const;

  Verdict Decide(const SyscallStop& stop) const;
  // What the policy alone says (for invocations an --inject passes over).
  Verdict DecideWithoutInjects(const SyscallStop& stop) const;

  // The guard that stops calls reaching into a process by pid, so the
  // supervisor can refuse those aimed at sysgate itself.
  bool IsSelfGuard(int rule) const { return rule == self_guard_rule_; }
  // The pid a self-guarded call aims at.
  pid_t SelfGuardTarget(const SyscallStop& stop) const;
  // What the rules after `rule` (and the default) decide.
  Verdict DecidePast(const SyscallStop& stop, int rule) const;

  // "file:line", "--inject=SPEC", "sysgate guard" or "default".
  std::string RuleName(int rule) const;

 private:
  PolicyEngine() = default;
  const AbiPolicy* PolicyFor(AbiId abi) const;
  bool Stops(int rule) const;
  Verdict Evaluated(const SyscallStop& stop, int first_rule) const;
  bool ServedByNotification(const Action& action) const;

  std::vector<Rule> rules_;
  std::vector<InjectSpec> injects_;
  int first_policy_rule_ = 0;  // After injects and handlers.
  int self_guard_rule_ = -1;
  Action default_;
  Routing routing_;
  std::vector<AbiId> abis_;
  std::vector<AbiPolicy> resolved_;
  BpfProgram filter_;
  absl::optional<BpfProgram> notify_filter_;
  std::vector<BrokerRule> broker_rules_;
  int broker_default_errno_ = 13;  // EACCES.
  bool notify_emulation_ = true;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_POLICY_ENGINE_H_

#include "supervisor/policy_engine.h"

#include <errno.h>

#include "absl/strings/str_cat.h"
#include "filters/compiler.h"
#include "filters/parser.h"

namespace sysgate {
namespace {

// A listener of its own (SECCOMP_FILTER_FLAG_NEW_LISTENER = 8 with
// SECCOMP_SET_MODE_FILTER = 1) would let the program answer, with
// SECCOMP_USER_NOTIF_FLAG_CONTINUE, calls sysgate stops to deny:
// USER_NOTIF outranks TRACE, and on equal actions the newest filter wins.
constexpr char kGuards[] =
    "errno(ENOSYS) clone3\n"
    "errno(EPERM) clone if (clone_flags & CLONE_UNTRACED) != 0\n"
    "errno(EPERM) seccomp if op == 1 && (flags & 8) != 0\n";

// Calls that reach into another process by pid: aimed at sysgate itself
// (its pid is the program's parent's), a program as privileged as sysgate
// could stop it, read or write its memory, or take its descriptors (the
// broker's listener among them). Which pids are sysgate's threads is only
// known at the stop, so these stop; any other target goes on to the policy.
constexpr const char* kSelfGuarded[] = {"ptrace", "process_vm_readv",
                                        "process_vm_writev", "pidfd_open"};

}  // namespace

// The calls the file broker serves (supervisor/broker.h).
const char kBrokeredCalls[] =
    "log open, openat, openat2, creat\n"
    "log stat, lstat, newfstatat, statx, stat64, lstat64, fstatat64\n"
    "log access, faccessat, faccessat2, readlink, readlinkat\n"
    "log execve, execveat\n";

absl::StatusOr<std::unique_ptr<PolicyEngine>> PolicyEngine::Create(
    const Policy& policy, const std::vector<InjectSpec>& injects,
    const EngineOptions& options) {
  std::unique_ptr<PolicyEngine> engine(new PolicyEngine);
  engine->injects_ = injects;
  engine->routing_ = options.routing;
  engine->abis_ = options.abis.empty()
                      ? std::vector<AbiId>(HostAbis().begin(), HostAbis().end())
                      : options.abis;
  engine->default_ = policy.default_action.value_or(options.fallback_default);

  Policy combined;
  for (size_t i = 0; i < injects.size(); ++i) {
    Rule rule;
    rule.action = {Action::Kind::kTrace, static_cast<int64_t>(i)};
    rule.syscalls = injects[i].syscalls;
    rule.origin = absl::StrCat("--inject=", injects[i].text);
    combined.rules.push_back(std::move(rule));
  }
  for (size_t i = 0; i < options.handled_syscalls.size(); ++i) {
    Rule rule;
    rule.action = {Action::Kind::kTrace,
                   kHandlerCookieBase + static_cast<int64_t>(i)};
    rule.syscalls = {options.handled_syscalls[i]};
    rule.origin = absl::StrCat("handler for ", options.handled_syscalls[i]);
    combined.rules.push_back(std::move(rule));
  }
  engine->first_policy_rule_ = static_cast<int>(combined.rules.size());
  absl::StatusOr<Policy> guards = ParsePolicy(kGuards, "<sysgate guards>");
  if (!guards.ok()) return guards.status();
  for (Rule& rule : guards->rules) {
    rule.origin = "sysgate guard";
    rule.report =
        rule.syscalls[0] != "clone3";  // libc tries clone3 first, routinely.
    combined.rules.push_back(std::move(rule));
  }
  Rule self_guard;
  self_guard.action = {Action::Kind::kTrace, -1};
  self_guard.syscalls.assign(std::begin(kSelfGuarded), std::end(kSelfGuarded));
  self_guard.origin = "sysgate guard";
  engine->self_guard_rule_ = static_cast<int>(combined.rules.size());
  combined.rules.push_back(std::move(self_guard));
  for (const Rule& rule : policy.rules) combined.rules.push_back(rule);
  if (combined.rules.size() > kMaxRules) {
    return absl::InvalidArgumentError(
        absl::StrCat("too many rules (", combined.rules.size(), "; at most ",
                     kMaxRules, ")"));
  }
  engine->rules_ = combined.rules;

  FilterSpec spec;
  for (AbiId abi : engine->abis_) {
    absl::StatusOr<AbiPolicy> resolved = ResolvePolicy(combined, abi);
    if (!resolved.ok()) return resolved.status();
    engine->resolved_.push_back(std::move(*resolved));
  }
  for (const AbiPolicy& p : engine->resolved_) spec.abis.push_back(&p);
  for (size_t i = 0; i < engine->rules_.size(); ++i) {
    const Rule& rule = engine->rules_[i];
    Routing routing = rule.report ? options.routing : Routing{};
    spec.rule_returns.push_back(KernelReturn(
        rule.action, static_cast<uint16_t>(i), routing, options.actions));
  }
  spec.default_return = KernelReturn(engine->default_, kDefaultRuleData,
                                     options.routing, options.actions);
  // No rule is written for the x32 ABI: its numbers fail, and are reported
  // like any denial.
  spec.x32_return = KernelReturn({Action::Kind::kErrno, ENOSYS}, kX32Data,
                                 options.routing, options.actions);
  spec.unknown_arch_return =
      KernelReturn({Action::Kind::kKillProcess, 0}, kUnsupportedAbiData,
                   options.routing, options.actions);
  spec.fixed = {
      {kKillProcessNr, KernelReturn({Action::Kind::kKillProcess, 0}, 0,
                                    Routing{}, options.actions)},
      {kKillThreadNr, SECCOMP_RET_KILL_THREAD},
      {kTrapNr, SECCOMP_RET_TRAP | kReportedTrapData},
  };
  absl::StatusOr<BpfProgram> filter = CompileFilter(spec);
  if (!filter.ok()) return filter.status();
  engine->filter_ = std::move(*filter);

  // The notification filter: the same rules in the same order, each either
  // notified or passed on to the main filter.
  engine->broker_rules_ = options.broker_rules;
  engine->broker_default_errno_ = options.broker_default_errno;
  engine->notify_emulation_ = options.notify_emulation;
  Policy notified;
  // The launcher's own calls between installing this filter and execve
  // (sending the listener, closing it, installing the main filter) must
  // never wait for a listener that is not yet served: they go on to the
  // main filter, which decides them as before.
  absl::StatusOr<Policy> launcher =
      ParsePolicy("allow sendmsg, close, seccomp\n", "<sysgate launcher>");
  if (!launcher.ok()) return launcher.status();
  size_t passed = launcher->rules.size();
  notified.rules = launcher->rules;
  if (!options.broker_rules.empty()) {
    absl::StatusOr<Policy> brokered =
        ParsePolicy(kBrokeredCalls, "<sysgate broker>");
    if (!brokered.ok()) return brokered.status();
    for (const Rule& r : brokered->rules) notified.rules.push_back(r);
  }
  size_t brokered_rules = notified.rules.size();
  for (const Rule& r : engine->rules_) notified.rules.push_back(r);
  FilterSpec notify_spec;
  bool any = brokered_rules > passed;
  for (size_t i = 0; i < notified.rules.size(); ++i) {
    bool served = (i >= passed && i < brokered_rules) ||
                  engine->ServedByNotification(notified.rules[i].action);
    any |= served;
    notify_spec.rule_returns.push_back(served ? SECCOMP_RET_USER_NOTIF
                                              : SECCOMP_RET_ALLOW);
  }
  bool default_served = engine->ServedByNotification(engine->default_);
  if (!any && !default_served) return engine;
  notify_spec.default_return =
      default_served ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ALLOW;
  // Unknown arches, x32 and sysgate's kill numbers are the main filter's.
  notify_spec.unknown_arch_return = SECCOMP_RET_ALLOW;
  notify_spec.x32_return = SECCOMP_RET_ALLOW;
  std::vector<AbiPolicy> resolved;
  for (AbiId abi : engine->abis_) {
    absl::StatusOr<AbiPolicy> r = ResolvePolicy(notified, abi);
    if (!r.ok()) return r.status();
    resolved.push_back(std::move(*r));
  }
  for (const AbiPolicy& r : resolved) notify_spec.abis.push_back(&r);
  for (uint32_t nr : {kKillProcessNr, kKillThreadNr, kTrapNr})
    notify_spec.fixed.push_back({nr, SECCOMP_RET_ALLOW});
  absl::StatusOr<BpfProgram> notify = CompileFilter(notify_spec);
  if (!notify.ok()) return notify.status();
  engine->notify_filter_ = std::move(*notify);
  return engine;
}

// Only emulate: denials stay ptrace stops, so their reports can unwind the
// stack (libunwind needs a ptrace-stopped thread) and name a foreign
// filter (RET_DATA comes only with TRACE). They are rare; emulation is the
// hot path.
bool PolicyEngine::ServedByNotification(const Action& action) const {
  return notify_emulation_ && action.kind == Action::Kind::kEmulate;
}

// The policy's own first match from `first_rule` on, ignoring RET_DATA.
Verdict PolicyEngine::Evaluated(const SyscallStop& stop, int first_rule) const {
  const AbiPolicy* policy = PolicyFor(stop.abi);
  int rule = policy ? policy->Evaluate(stop.nr, stop.args, first_rule) : -1;
  if (rule >= 0)
    return {Verdict::Source::kRule, rule, rules_[rule].action, false};
  return {Verdict::Source::kDefault, -1, default_, false};
}

Verdict PolicyEngine::DecideNotified(const SyscallStop& stop) const {
  return Evaluated(stop, 0);
}

const InjectSpec* PolicyEngine::InjectFor(int rule) const {
  if (rule < 0 || rule >= static_cast<int>(rules_.size())) return nullptr;
  const Action& a = rules_[rule].action;
  if (a.kind != Action::Kind::kTrace || a.value < 0 ||
      a.value >= static_cast<int64_t>(injects_.size())) {
    return nullptr;
  }
  return &injects_[a.value];
}

int PolicyEngine::HandlerFor(int rule) const {
  if (rule < 0 || rule >= static_cast<int>(rules_.size())) return -1;
  const Action& a = rules_[rule].action;
  if (a.kind != Action::Kind::kTrace || a.value < kHandlerCookieBase) return -1;
  return static_cast<int>(a.value - kHandlerCookieBase);
}

const AbiPolicy* PolicyEngine::PolicyFor(AbiId abi) const {
  for (const AbiPolicy& p : resolved_) {
    if (p.abi() == abi) return &p;
  }
  return nullptr;
}

bool PolicyEngine::Stops(int rule) const {
  if (rule < 0) return StopsInSupervisor(default_, routing_);
  return StopsInSupervisor(rules_[rule].action,
                           rules_[rule].report ? routing_ : Routing{});
}

Verdict PolicyEngine::Decide(const SyscallStop& stop) const {
  if (stop.abi == AbiId::kX86_64 && (stop.nr & kX32SyscallBit) &&
      stop.ret_data == kX32Data) {
    return {Verdict::Source::kX32, -1, {Action::Kind::kErrno, ENOSYS}, false};
  }
  const AbiPolicy* policy = PolicyFor(stop.abi);
  int rule = policy ? policy->Evaluate(stop.nr, stop.args) : -1;
  bool ours = Stops(rule) &&
              stop.ret_data ==
                  (rule < 0 ? kDefaultRuleData : static_cast<uint32_t>(rule));
  if (rule >= 0)
    return {Verdict::Source::kRule, rule, rules_[rule].action, !ours};
  if (ours) return {Verdict::Source::kDefault, -1, default_, false};
  return {Verdict::Source::kNoTracer, -1, {Action::Kind::kErrno, ENOSYS}, true};
}

Verdict PolicyEngine::DecideWithoutInjects(const SyscallStop& stop) const {
  return Evaluated(stop, first_policy_rule_);
}

// The pid argument of a self-guarded call (ptrace's is its second).
pid_t PolicyEngine::SelfGuardTarget(const SyscallStop& stop) const {
  bool is_ptrace = GetAbi(stop.abi).Name(stop.nr) == "ptrace";
  return static_cast<pid_t>(stop.args[is_ptrace ? 1 : 0]);
}

Verdict PolicyEngine::DecidePast(const SyscallStop& stop, int rule) const {
  return Evaluated(stop, rule + 1);
}

std::string PolicyEngine::RuleName(int rule) const {
  if (rule < 0 || rule >= static_cast<int>(rules_.size())) return "default";
  const Rule& r = rules_[rule];
  return r.origin.empty() ? r.loc.ToString() : r.origin;
}

}  // namespace sysgate

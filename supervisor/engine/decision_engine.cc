#include "supervisor/engine/decision_engine.h"

#include <errno.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "filters/constants.h"
#include "supervisor/engine/brokered_calls.h"
#include "supervisor/engine/guards.h"
#include "supervisor/engine/reserved.h"

namespace sysgate {
namespace {

uint32_t DataOfEntry(int e) {
  return e < 0 ? DataOf(RetData::kDefault) : static_cast<uint32_t>(e);
}

Decision Denial(Decision d, Provenance by, bool reported) {
  d.by = by;
  d.report = reported ? Report::kViolation : Report::kNone;
  return d;
}

// Keeps what an injection or a handler added to a call whatever decides it.
void CarryModifiers(const Decision& from, Decision& to) {
  to.signal = from.signal;
  to.delay_enter = from.delay_enter;
  to.delay_exit = from.delay_exit;
}

}  // namespace

uint64_t CountInvocation(InjectCounts& counts, int spec, int nr) {
  return ++counts[(static_cast<uint64_t>(spec) << 32) |
                  static_cast<uint32_t>(nr)];
}

absl::StatusOr<std::unique_ptr<DecisionEngine>> DecisionEngine::Create(
    EngineConfig config) {
  if (config.abis.empty())
    config.abis.assign(HostAbis().begin(), HostAbis().end());
  std::unique_ptr<DecisionEngine> engine(new DecisionEngine(std::move(config)));
  const EngineConfig& c = engine->config_;
  RuleTableSpec spec;
  spec.policy = &c.policy;
  spec.default_action = c.policy.default_action.value_or(c.fallback_default);
  for (const InjectSpec& i : c.injects) spec.inject_calls.push_back(i.syscalls);
  for (const HandlerSpec& h : c.handlers) spec.handler_calls.push_back(h.call);
  spec.abis = c.abis;
  spec.report_denials = c.report_denials;
  spec.broker = !c.policy.broker_rules.empty();
  spec.notify_emulation = c.notify_emulation;
  spec.landlock_confined = &c.landlock_confined;
  absl::StatusOr<RuleTable> table = RuleTable::Build(spec);
  if (!table.ok()) return table.status();
  engine->table_ = std::move(*table);
  absl::StatusOr<FilterPair> filters =
      CompileFilters(engine->table_, c.actions, c.report_denials);
  if (!filters.ok()) return filters.status();
  engine->filters_ = std::move(*filters);
  return engine;
}

int DecisionEngine::Next(const SyscallStop& stop, int e) const {
  return table_.Evaluate(stop.abi, stop.nr, stop.args, e + 1);
}

Decision DecisionEngine::DecideStop(const SyscallStop& stop, pid_t pid,
                                    InjectCounts& counts) const {
  // Whatever filter asked for the stop (a program's own may return TRACE
  // for x32 numbers with any data): sysgate has no x32 rules, and an x32
  // call must never pass for an x86-64 one.
  if (stop.abi == AbiId::kX86_64 && (stop.nr & kX32SyscallBit)) {
    return Denial(Decision::Fail(ENOSYS), Provenance::Of(Guard::kX32), true);
  }
  int e = table_.Evaluate(stop.abi, stop.nr, stop.args);
  const RuleEntry& entry = table_.Entry(e);
  // Data that is not ours: the program installed its own filter returning
  // TRACE (the kernel reports the most recently installed filter's data).
  bool ours =
      entry.transport == Transport::kPtrace && stop.ret_data == DataOfEntry(e);
  if (!ours && entry.kind == RuleEntry::Kind::kDefault) {
    // No rule of ours for it: as the kernel does for a TRACE with no
    // tracer (seccomp_filter.rst), ENOSYS.
    Decision d = Decision::Fail(ENOSYS);
    d.by = Provenance::NoTracer();
    d.report = Report::kForeign;
    d.foreign = true;
    return d;
  }
  Decision d = From(stop, pid, e, &counts);
  d.foreign = !ours;
  return d;
}

Decision DecisionEngine::DecideNotified(const SyscallStop& call,
                                        pid_t pid) const {
  int e = table_.Evaluate(call.abi, call.nr, call.args);
  const RuleEntry& entry = table_.Entry(e);
  if (entry.transport != Transport::kNotify) {
    // Not a call the notification filter hands over: refuse, never guess.
    return Denial(Decision::Fail(ENOSYS),
                  Provenance::Of(Guard::kReservedNumber), true);
  }
  return From(call, pid, e, nullptr);
}

Decision DecisionEngine::From(const SyscallStop& stop, pid_t pid, int e,
                              InjectCounts* counts) const {
  while (true) {
    const RuleEntry& entry = table_.Entry(e);
    switch (entry.kind) {
      case RuleEntry::Kind::kInject:
        if (counts != nullptr &&
            config_.injects[entry.index].when.Matches(
                CountInvocation(*counts, entry.index, stop.nr))) {
          return Injected(stop, pid, entry.index);
        }
        break;  // Passed over: the next rule decides.
      case RuleEntry::Kind::kHandler:
        return Handled(stop, pid, entry.index);
      case RuleEntry::Kind::kGuard: {
        const GuardRule& guard = GuardRules()[entry.index];
        if (!guard.decided_at_stop) return Ruled(e, stop);
        GuardAim aim = AimOf(stop, config_.own_processes);
        if (aim == GuardAim::kElsewhere) break;  // The policy decides.
        if (aim == GuardAim::kNobody) {
          return Denial(Decision::Fail(ESRCH), Provenance::Of(guard.guard),
                        guard.reported);
        }
        return Ruled(e, stop);
      }
      case RuleEntry::Kind::kPolicy:
      case RuleEntry::Kind::kDefault:
        return Ruled(e, stop);
    }
    e = Next(stop, e);
  }
}

Decision DecisionEngine::ByPolicy(const SyscallStop& stop, pid_t pid) const {
  return From(
      stop, pid,
      table_.Evaluate(stop.abi, stop.nr, stop.args, table_.first_guard()),
      nullptr);
}

Decision DecisionEngine::Ruled(int e, const SyscallStop& stop) const {
  using K = Action::Kind;
  const RuleEntry& entry = table_.Entry(e);
  Provenance by = entry.kind == RuleEntry::Kind::kGuard
                      ? Provenance::Of(GuardRules()[entry.index].guard)
                  : entry.kind == RuleEntry::Kind::kPolicy
                      ? Provenance::Rule(entry.index)
                      : Provenance::Default();
  const Action& a = entry.action;
  Decision d;
  if (!entry.refused_route.empty()) {
    d = Decision::Fail(ENOSYS);
    d.by = by;
    d.report = Report::kRefused;
    d.detail = absl::StrCat(
        "the rule's condition on ", entry.refused_route,
        " cannot be checked on ", GetAbi(stop.abi).Name(stop.nr),
        ", which keeps the arguments where no filter reads them: that route "
        "is refused, the direct call is decided by the rule");
    return d;
  }
  switch (a.kind) {
    case K::kAllow:
    case K::kAudit:
    case K::kLog:
      if (entry.brokered) {
        d.kind = Decision::Kind::kBroker;
        d.brokered = FindBrokeredCall(GetAbi(stop.abi).Name(stop.nr));
        d.nr = stop.nr;
        d.args = stop.args;
      }
      // The kernel logs only the action that decided, so an audited call
      // the broker answers is reported by sysgate instead.
      if (a.kind == K::kLog || (a.kind == K::kAudit && entry.brokered))
        d.report = Report::kLog;
      d.by = by;
      return d;
    case K::kErrno:
      return Denial(Decision::Fail(static_cast<int>(a.value)), by,
                    entry.reported);
    case K::kEmulate:
      d = Decision::Return(a.value);
      d.by = by;
      d.report = Report::kEmulate;
      return d;
    case K::kKillProcess:
      d.kind = Decision::Kind::kKillProcess;
      break;
    case K::kKillThread:
      d.kind = Decision::Kind::kKillThread;
      break;
    case K::kTrap:
      d.kind = Decision::Kind::kTrap;
      // The RET_DATA the filter gives the entry when the kernel traps alone
      // (filter_plan.cc): its SIGSYS's si_errno, whichever filter stopped.
      d.value = e >= 0 ? e : DataOf(RetData::kDefault);
      break;
  }
  return Denial(std::move(d), by, entry.reported);
}

Decision DecisionEngine::Redecided(const SyscallStop& stop, pid_t pid, int nr,
                                   const std::array<uint64_t, 6>& args) const {
  SyscallStop changed = stop;
  changed.nr = nr;
  changed.args = args;
  Decision d = ByPolicy(changed, pid);
  if (d.kind == Decision::Kind::kAllow) {
    Decision rewrite = Decision::Rewrite(nr, args);
    rewrite.by = d.by;
    rewrite.report = d.report;
    return rewrite;
  }
  return d;
}

Decision DecisionEngine::Injected(const SyscallStop& stop, pid_t pid,
                                  int spec_index) const {
  const InjectSpec& spec = config_.injects[spec_index];
  absl::optional<int64_t> result;
  if (spec.error) result = -static_cast<int64_t>(*spec.error);
  if (spec.retval) result = *spec.retval;
  Decision d;
  if (spec.substitute) {
    const SyscallDesc* target = GetAbi(stop.abi).Find(*spec.substitute);
    if (target == nullptr) {
      d = Decision::Fail(ENOSYS);
      d.by = Provenance::Inject(spec_index);
      d.report = Report::kRefused;
      d.detail = absl::StrCat(*spec.substitute, " does not exist on ",
                              GetAbi(stop.abi).name());
      return d;
    }
    d = Redecided(stop, pid, target->nr, stop.args);
    // The injection made the rewrite (the policy allowed what runs).
    if (d.kind == Decision::Kind::kRewrite)
      d.by = Provenance::Inject(spec_index);
    if (result && d.Runs()) {
      int64_t replacement = *result;
      d.on_return = [replacement](int64_t) { return replacement; };
    }
  } else if (result) {
    d = spec.error ? Decision::Fail(*spec.error) : Decision::Return(*result);
    d.by = Provenance::Inject(spec_index);
  } else {
    // signal= or a delay alone: the call runs only as the policy lets it.
    d = ByPolicy(stop, pid);
  }
  d.signal = spec.signal;
  d.delay_enter = spec.delay_enter.value_or(absl::ZeroDuration());
  d.delay_exit = spec.delay_exit.value_or(absl::ZeroDuration());
  d.injected = spec_index;
  return d;
}

Decision DecisionEngine::Handled(const SyscallStop& stop, pid_t pid,
                                 int handler) const {
  Decision h = config_.handlers[handler].decide(stop, pid);
  Provenance by = Provenance::Handler(handler);
  Decision d;
  switch (h.kind) {
    case Decision::Kind::kFail:
    case Decision::Kind::kReturn:
    case Decision::Kind::kKillProcess:
    case Decision::Kind::kKillThread:
    case Decision::Kind::kTrap:
      h.by = by;
      h.report = Report::kNone;  // The test's own choice, not a denial.
      return h;
    case Decision::Kind::kRewrite:
      d = Redecided(stop, pid, h.nr, h.args);
      if (d.kind == Decision::Kind::kRewrite) d.by = by;
      break;
    case Decision::Kind::kInspect:
      d = ByPolicy(stop, pid);
      if (d.kind == Decision::Kind::kAllow) {
        d.kind = Decision::Kind::kInspect;
        d.by = by;
      }
      if (d.Runs()) d.on_return = std::move(h.on_return);
      break;
    case Decision::Kind::kAllow:
    case Decision::Kind::kBroker:  // Not a handler's to make.
      d = ByPolicy(stop, pid);
      break;
  }
  CarryModifiers(h, d);
  return d;
}

std::string DecisionEngine::RuleText(const Provenance& by) const {
  using S = Provenance::Source;
  switch (by.source) {
    case S::kRule: {
      const Rule& r = config_.policy.rules[by.index];
      return r.origin.empty() ? r.loc.ToString() : r.origin;
    }
    case S::kDefault:
      return "default";
    case S::kGuard:
      return "sysgate guard";
    case S::kInject:
      return absl::StrCat("--inject=", config_.injects[by.index].text);
    case S::kHandler:
      return absl::StrCat("handler for ", config_.handlers[by.index].call);
    case S::kBrokerGrant:
      return absl::StrCat("broker grant ",
                          config_.policy.broker_rules[by.index].loc.ToString());
    case S::kBrokerDefault:
      return "broker default";
    case S::kBrokerDeny:
      return absl::StrCat("broker deny ",
                          config_.policy.broker_rules[by.index].loc.ToString());
    case S::kNoTracer:
      break;
  }
  return "";
}

std::string DecisionEngine::ActionText(const Decision& d) const {
  using K = Decision::Kind;
  switch (d.kind) {
    case K::kFail:
      return absl::StrCat("errno(", ErrnoName(static_cast<int>(d.value)), ")");
    case K::kReturn:
      return absl::StrCat("emulate(", d.value, ")");
    case K::kKillProcess:
      return "kill";
    case K::kKillThread:
      return "kill-thread";
    case K::kTrap:
      return "trap";
    case K::kAllow:
    case K::kInspect:
    case K::kRewrite:
    case K::kBroker:
      break;
  }
  // A call that runs: the action its rule wrote (log, audit, allow).
  if (d.by.source == Provenance::Source::kRule)
    return config_.policy.rules[d.by.index].action.ToString();
  if (d.by.source == Provenance::Source::kDefault)
    return table_.default_entry().action.ToString();
  return "allow";
}

}  // namespace sysgate

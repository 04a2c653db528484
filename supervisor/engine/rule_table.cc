#include "supervisor/engine/rule_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "filters/multiplexed_routes.h"
#include "filters/parser.h"
#include "supervisor/engine/brokered_calls.h"
#include "supervisor/engine/guards.h"
#include "supervisor/engine/reserved.h"

namespace sysgate {
namespace {

// Where an action is applied when nothing about the call changes it.
Transport BaseTransport(const Action& action, const RuleTableSpec& spec) {
  using K = Action::Kind;
  switch (action.kind) {
    case K::kAllow:
    case K::kAudit:
      return Transport::kKernel;
    case K::kLog:
      return Transport::kPtrace;
    case K::kErrno:
    case K::kKillProcess:
    case K::kKillThread:
    // A trap is reported from its TRACE stop, where the call is the
    // kernel's record of it: at the SIGSYS that follows, the siginfo is
    // the program's to forge (rt_sigqueueinfo to itself, F_SETSIG, a
    // child's exit signal all can carry si_code 1) and so are the
    // registers (arm64's x8 after an rt_sigreturn).
    case K::kTrap:
      return spec.report_denials ? Transport::kPtrace : Transport::kKernel;
    case K::kEmulate:
      return spec.notify_emulation ? Transport::kNotify : Transport::kPtrace;
  }
  return Transport::kPtrace;
}

bool Allows(const Action& action) {
  return action.kind == Action::Kind::kAllow ||
         action.kind == Action::Kind::kAudit ||
         action.kind == Action::Kind::kLog;
}

bool IsLauncherCall(absl::string_view name) {
  absl::Span<const absl::string_view> calls = LauncherCalls();
  return std::find(calls.begin(), calls.end(), name) != calls.end();
}

bool LeftToLandlock(absl::string_view name, const RuleTableSpec& spec) {
  const std::vector<std::string>* calls = spec.landlock_confined;
  return calls != nullptr &&
         std::find(calls->begin(), calls->end(), name) != calls->end();
}

struct Placement {
  Transport transport;
  bool brokered;
  bool operator==(const Placement& o) const {
    return transport == o.transport && brokered == o.brokered;
  }
};

// A policy rule's (or the default's) action on one call: a brokered call
// it allows goes to the broker (unless Landlock alone confines it);
// nothing the launcher calls is notified.
Placement PlaceCall(const Action& action, absl::string_view name,
                    const RuleTableSpec& spec) {
  Placement p{BaseTransport(action, spec), false};
  if (spec.broker && Allows(action) && FindBrokeredCall(name) != nullptr &&
      !LeftToLandlock(name, spec)) {
    p = {Transport::kNotify, true};
  }
  if (p.transport == Transport::kNotify && IsLauncherCall(name)) {
    p.transport = Transport::kPtrace;
  }
  return p;
}

// The rule's calls grouped by placement, in the order they first appear.
std::vector<std::pair<Placement, Rule>> SplitByPlacement(
    const Rule& rule, const RuleTableSpec& spec) {
  std::vector<std::pair<Placement, Rule>> groups;
  for (size_t i = 0; i < rule.syscalls.size(); ++i) {
    Placement p = PlaceCall(rule.action, rule.syscalls[i], spec);
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& g) { return g.first == p; });
    if (group == groups.end()) {
      Rule part = rule;
      part.syscalls.clear();
      part.syscall_locs.clear();
      groups.emplace_back(p, std::move(part));
      group = groups.end() - 1;
    }
    group->second.syscalls.push_back(rule.syscalls[i]);
    if (i < rule.syscall_locs.size())
      group->second.syscall_locs.push_back(rule.syscall_locs[i]);
  }
  return groups;
}

Rule CallsRule(const std::vector<std::string>& names) {
  Rule rule;
  rule.syscalls = names;
  return rule;
}

}  // namespace

void RuleTable::Add(RuleEntry entry, Rule rule) {
  notifies_ |= entry.transport == Transport::kNotify;
  entries_.push_back(entry);
  rules_.rules.push_back(std::move(rule));
}

absl::Status RuleTable::AddPolicyRule(int index, const Rule& rule,
                                      const RuleTableSpec& spec) {
  absl::StatusOr<std::vector<RouteRule>> routes = MultiplexedRouteRules(rule);
  if (!routes.ok()) return routes.status();
  AddPolicyEntries(index, rule, "", spec);
  // Right after the rule: on i386 its multiplexed routes (socketcall,
  // ipc) are decided where the direct calls are.
  for (const RouteRule& route : *routes)
    AddPolicyEntries(index, route.rule, route.refused_calls, spec);
  return absl::OkStatus();
}

void RuleTable::AddPolicyEntries(int index, const Rule& rule,
                                 const std::string& refused_route,
                                 const RuleTableSpec& spec) {
  for (auto& [placement, part] : SplitByPlacement(rule, spec)) {
    RuleEntry e;
    e.kind = RuleEntry::Kind::kPolicy;
    e.index = index;
    e.action = rule.action;
    e.transport = placement.transport;
    e.brokered = placement.brokered;
    e.refused_route = refused_route;
    Add(e, std::move(part));
  }
}

// The default for calls no entry lists, and, after every rule, an entry
// for each group of calls the default places apart (the broker's calls
// when it allows them; the launcher's when it emulates).
void RuleTable::AddDefault(const RuleTableSpec& spec) {
  default_.kind = RuleEntry::Kind::kDefault;
  default_.action = spec.default_action;
  default_.transport = BaseTransport(spec.default_action, spec);
  notifies_ |= default_.transport == Transport::kNotify;
  Rule apart;
  for (const BrokeredCall& call : BrokeredCalls())
    apart.syscalls.push_back(std::string(call.name));
  for (absl::string_view name : LauncherCalls())
    apart.syscalls.push_back(std::string(name));
  apart.action = spec.default_action;
  for (auto& [placement, part] : SplitByPlacement(apart, spec)) {
    if (placement == Placement{default_.transport, false}) continue;
    RuleEntry e = default_;
    e.transport = placement.transport;
    e.brokered = placement.brokered;
    Add(e, std::move(part));
  }
}

absl::StatusOr<RuleTable> RuleTable::Build(const RuleTableSpec& spec) {
  RuleTable t;
  for (size_t i = 0; i < spec.inject_calls.size(); ++i) {
    RuleEntry e{RuleEntry::Kind::kInject,
                static_cast<int>(i),
                {},
                Transport::kPtrace,
                false,
                true};
    t.Add(e, CallsRule(spec.inject_calls[i]));
  }
  for (size_t i = 0; i < spec.handler_calls.size(); ++i) {
    RuleEntry e{RuleEntry::Kind::kHandler,
                static_cast<int>(i),
                {},
                Transport::kPtrace,
                false,
                true};
    t.Add(e, CallsRule({spec.handler_calls[i]}));
  }
  t.first_guard_ = static_cast<int>(t.entries_.size());
  absl::Span<const GuardRule> guards = GuardRules();
  for (size_t i = 0; i < guards.size(); ++i) {
    if (guards[i].broker_only && !spec.broker) continue;
    absl::StatusOr<Policy> parsed =
        ParsePolicy(guards[i].text, "<sysgate guards>");
    if (!parsed.ok()) return parsed.status();
    const Rule& rule = parsed->rules.front();
    RuleEntry e{RuleEntry::Kind::kGuard,
                static_cast<int>(i),
                rule.action,
                Transport::kKernel,
                false,
                guards[i].reported};
    if (guards[i].decided_at_stop || (e.reported && spec.report_denials))
      e.transport = Transport::kPtrace;
    t.Add(e, rule);
  }
  for (size_t i = 0; i < spec.policy->rules.size(); ++i) {
    absl::Status added =
        t.AddPolicyRule(static_cast<int>(i), spec.policy->rules[i], spec);
    if (!added.ok()) return added;
  }
  t.AddDefault(spec);
  if (t.entries_.size() > static_cast<size_t>(kMaxRuleEntries)) {
    return absl::InvalidArgumentError(
        absl::StrCat("too many rules (", t.entries_.size(), "; at most ",
                     kMaxRuleEntries, ")"));
  }
  for (AbiId abi : spec.abis) {
    absl::StatusOr<AbiPolicy> resolved = ResolvePolicy(t.rules_, abi);
    if (!resolved.ok()) return resolved.status();
    t.resolved_.push_back(std::move(*resolved));
  }
  return t;
}

int RuleTable::Evaluate(AbiId abi, int nr, const std::array<uint64_t, 6>& args,
                        int first) const {
  for (const AbiPolicy& p : resolved_) {
    if (p.abi() == abi) return p.Evaluate(nr, args, first);
  }
  return -1;
}

}  // namespace sysgate

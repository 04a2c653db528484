// Every rule sysgate enforces in one run, in the one order both seccomp
// filters and the in-process evaluation try them (the first match
// decides):
//   1. --inject specs (the supervisor counts their invocations);
//   2. the library's handlers;
//   3. sysgate's guards (guards.h), which no policy lifts;
//   4. the policy's rules, in file order;
//   5. the default.
// Each entry says where its action is applied (its Transport). A rule
// whose calls need different transports is split into adjacent entries,
// one per transport, so that every entry has one: a rule that allows a
// brokered call hands it to the broker by notification, its other calls
// stay in the kernel. The order of the calls' own rules is unchanged, so
// the first match is the same for every call.
#ifndef SYSGATE_SUPERVISOR_ENGINE_RULE_TABLE_H_
#define SYSGATE_SUPERVISOR_ENGINE_RULE_TABLE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "arch/abi.h"
#include "filters/policy.h"
#include "filters/resolve.h"

namespace sysgate {

enum class Transport : uint8_t {
  kKernel,  // The main filter applies the action itself: no stop.
  kPtrace,  // The main filter returns TRACE with the entry's index.
  kNotify,  // The notification filter returns USER_NOTIF.
};

struct RuleEntry {
  enum class Kind : uint8_t { kInject, kHandler, kGuard, kPolicy, kDefault };
  Kind kind = Kind::kDefault;
  // Into the injects, the handlers, GuardRules() or Policy::rules; -1 for
  // kDefault.
  int index = -1;
  Action action;  // As written (guards, policy, default).
  Transport transport = Transport::kKernel;
  // Its calls are the broker's: allowing one hands it to the broker.
  bool brokered = false;
  bool reported = true;  // A denial by it is reported.
  // The calls whose multiplexed route (filters/multiplexed_routes.h) this
  // entry refuses, for the report; empty for every other entry.
  std::string refused_route;
};

struct RuleTableSpec {
  const Policy* policy = nullptr;
  Action default_action;  // The policy's, or the built-in default's.
  std::vector<std::vector<std::string>> inject_calls;  // Per --inject spec.
  std::vector<std::string> handler_calls;              // Per handler.
  std::vector<AbiId> abis;
  // Denials stop in sysgate to be reported; otherwise the kernel applies
  // them alone, at full speed.
  bool report_denials = false;
  bool broker = false;  // The policy has `broker` rules.
  // `emulate` answered by notification (~7 us a call on any CPU here)
  // rather than a ptrace stop (~10 us on one CPU, ~55 across two).
  bool notify_emulation = true;
  // Brokered calls left to Landlock (EngineConfig::landlock_confined): an
  // allowed one runs in the kernel, which Landlock confines. May be null.
  const std::vector<std::string>* landlock_confined = nullptr;
};

class RuleTable {
 public:
  static absl::StatusOr<RuleTable> Build(const RuleTableSpec& spec);

  // In order; entry i's calls and condition are the i-th rule resolved.
  const std::vector<RuleEntry>& entries() const { return entries_; }
  // What decides the calls no entry lists.
  const RuleEntry& default_entry() const { return default_; }
  // The first entry after the injects and handlers: a call they pass over
  // (or change) is decided from here on.
  int first_guard() const { return first_guard_; }
  // Per ABI, in the order the filter tests them.
  const std::vector<AbiPolicy>& resolved() const { return resolved_; }
  bool notifies() const { return notifies_; }

  // The entry that decides the call, trying entries from `first` on; -1
  // when none does (the default).
  int Evaluate(AbiId abi, int nr, const std::array<uint64_t, 6>& args,
               int first = 0) const;
  // The entry `i`, or the default for -1.
  const RuleEntry& Entry(int i) const { return i < 0 ? default_ : entries_[i]; }

 private:
  void Add(RuleEntry entry, Rule rule);
  absl::Status AddPolicyRule(int index, const Rule& rule,
                             const RuleTableSpec& spec);
  void AddPolicyEntries(int index, const Rule& rule,
                        const std::string& refused_route,
                        const RuleTableSpec& spec);
  void AddDefault(const RuleTableSpec& spec);

  std::vector<RuleEntry> entries_;
  Policy rules_;  // Parallel to entries_: what each entry matches.
  RuleEntry default_;
  int first_guard_ = 0;
  std::vector<AbiPolicy> resolved_;
  bool notifies_ = false;
};

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_RULE_TABLE_H_

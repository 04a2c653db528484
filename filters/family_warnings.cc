#include "filters/family_warnings.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "arch/abi.h"
#include "arch/call_families.h"

namespace sysgate {
namespace {

// The parameter names a condition compares (not argN).
void ParamsOf(const CondExpr& e, std::set<std::string>& out) {
  if (e.kind == CondExpr::Kind::kCompare) {
    if (e.operand.rfind("arg", 0) != 0) out.insert(e.operand);
    return;
  }
  for (const auto& child : e.children) ParamsOf(*child, out);
}

// Whether some ABI has `name` with every one of `params`: a member that
// lacks what the rule's condition is about (fork beside clone's flags) is
// not one the rule could have meant.
bool ExistsWith(absl::string_view name, const std::set<std::string>& params) {
  for (AbiId abi : AllAbis()) {
    const SyscallDesc* call = GetAbi(abi).Find(name);
    if (call == nullptr) continue;
    size_t found = 0;
    for (const Param& p : call->params)
      found += params.count(std::string(p.name));
    if (found == params.size()) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> FamilyWarnings(const Policy& policy) {
  std::set<std::string> named;  // By any rule: the author thought of them.
  for (const Rule& rule : policy.rules)
    named.insert(rule.syscalls.begin(), rule.syscalls.end());
  std::vector<std::string> out;
  for (const Rule& rule : policy.rules) {
    std::set<std::string> in_rule(rule.syscalls.begin(), rule.syscalls.end());
    std::set<std::string> params;
    if (rule.condition) ParamsOf(*rule.condition, params);
    for (const CallFamily& family : CallFamilies()) {
      std::vector<std::string> covered, missing;
      for (const char* member : family.members) {
        if (!ExistsWith(member, in_rule.count(member) ? std::set<std::string>{}
                                                      : params)) {
          continue;
        }
        if (in_rule.count(member)) {
          covered.push_back(member);
        } else if (!named.count(member)) {
          missing.push_back(member);
        }
      }
      if (covered.empty() || missing.empty()) continue;
      out.push_back(absl::StrCat(
          rule.loc.file, ":", rule.loc.line, ":", rule.loc.column,
          ": warning: this rule names ", absl::StrJoin(covered, ", "),
          " but no rule names ", absl::StrJoin(missing, ", "),
          ", which do the same (@", family.name, " names them all)"));
    }
  }
  return out;
}

}  // namespace sysgate

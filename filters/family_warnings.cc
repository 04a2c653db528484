#include "filters/family_warnings.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "arch/abi.h"
#include "arch/call_families.h"

namespace sysgate {
namespace {

bool ExistsOnSomeAbi(absl::string_view name) {
  for (AbiId abi : AllAbis()) {
    if (GetAbi(abi).Find(name) != nullptr) return true;
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
    for (const CallFamily& family : CallFamilies()) {
      std::vector<std::string> covered, missing;
      for (const char* member : family.members) {
        if (!ExistsOnSomeAbi(member)) continue;
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

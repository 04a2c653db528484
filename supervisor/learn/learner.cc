#include "supervisor/learn/learner.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "arch/procfs.h"
#include "filters/constants.h"
#include "filters/oci.h"
#include "supervisor/report/call_format.h"

namespace sysgate {
namespace {

constexpr size_t kMaxValues = 8;  // More distinct values: no condition.

// The one parameter learned per call, with --args.
struct ArgRule {
  const char* call;
  const char* param;
  uint64_t mask;  // ~0: the whole value.
  ArgKind kind;   // How to print values (symbolically where sysgate can).
};
constexpr ArgRule kArgRules[] = {
    {"fcntl", "cmd", ~0ull, ArgKind::kFcntlCmd},
    {"socket", "family", ~0ull, ArgKind::kSocketFamily},
    {"socketpair", "family", ~0ull, ArgKind::kSocketFamily},
    {"open", "flags", O_ACCMODE, ArgKind::kOpenFlags},
    {"openat", "flags", O_ACCMODE, ArgKind::kOpenFlags},
    {"prctl", "option", ~0ull, ArgKind::kSigned},
    {"ioctl", "cmd", ~0ull, ArgKind::kHex},
};

const ArgRule* ArgRuleFor(absl::string_view call) {
  for (const ArgRule& r : kArgRules) {
    if (call == r.call) return &r;
  }
  return nullptr;
}

int ParamIndex(AbiId abi, absl::string_view call, absl::string_view param) {
  const SyscallDesc* d = GetAbi(abi).Find(call);
  if (d == nullptr) return -1;
  for (size_t i = 0; i < d->params.size(); ++i) {
    if (d->params[i].name == param) return static_cast<int>(i);
  }
  return -1;
}

// A value as a policy writes it: a known constant name, else a number.
std::string ValueText(uint64_t value, const ArgRule& rule) {
  std::string text = rule.kind == ArgKind::kSigned
                         ? absl::StrCat(value)
                         // The kinds learned have one value on every ABI.
                         : FormatFlags(value, rule.kind, AbiId::kX86_64);
  if (rule.kind == ArgKind::kHex ||
      ConstantValue(AbiId::kX86_64, text).has_value())
    return text;
  return absl::StrCat(value);
}

std::string AbiList(const std::set<AbiId>& abis) {
  std::vector<std::string> names;
  for (AbiId a : abis) names.push_back(std::string(GetAbi(a).name()));
  return absl::StrJoin(names, ", ");
}

// Values of "PARAM == V || ..." (optionally masked) over one parameter.
bool CollectEqualities(const CondExpr& c, const std::string& param,
                       std::set<uint64_t>* values) {
  if (c.kind == CondExpr::Kind::kOr) {
    return CollectEqualities(*c.children[0], param, values) &&
           CollectEqualities(*c.children[1], param, values);
  }
  if (c.kind != CondExpr::Kind::kCompare || c.op != CmpOp::kEq ||
      c.operand != param)
    return false;
  uint64_t v = 0;
  for (const ValueTerm& t : c.value.terms) {
    if (t.constant.empty()) {
      v |= t.literal;
    } else if (auto k = ConstantValue(AbiId::kX86_64, t.constant)) {
      v |= static_cast<uint64_t>(*k);
    } else {
      return false;
    }
  }
  values->insert(v);
  return true;
}

}  // namespace

Policy Learner::LearningPolicy() {
  Policy policy;
  Rule all;
  all.action = {Action::Kind::kLog, 0};
  all.origin = "sysgate learn";
  for (AbiId abi : HostAbis()) {
    for (const SyscallDesc& d : GetAbi(abi).syscalls())
      all.syscalls.push_back(std::string(d.name));
  }
  policy.rules.push_back(std::move(all));
  policy.default_action =
      Action{Action::Kind::kLog, 0};  // Numbers no table names.
  return policy;
}

void Learner::Unconditional(Learned& l) const {
  l.any_value = true;
  l.values.clear();
}

void Learner::Observe(const Event& event) {
  if (event.kind != Event::Kind::kLog || !event.call) return;
  const CallInfo& call = *event.call;
  Learned& l = calls_[call.name];
  if (l.count++ == 0 && l.first_caller.empty()) {
    std::string exe = ReadProcLink(event.tid, "exe");
    l.first_caller =
        absl::StrCat(exe.empty() ? "?" : exe, " (pid ", event.pid, ")");
  }
  l.abis.insert(call.abi);
  if (l.any_value) return;
  const ArgRule* rule = options_.args ? ArgRuleFor(call.name) : nullptr;
  int index = rule ? ParamIndex(call.abi, call.name, rule->param) : -1;
  if (index < 0) return Unconditional(l);
  uint64_t value = call.args[index] & rule->mask &
                   0xffffffffull;  // All learned params are int-sized.
  l.values.insert(value);
  if (l.values.size() > kMaxValues) Unconditional(l);
}

void Learner::Merge(const Policy& policy, const std::string& from) {
  for (const Rule& rule : policy.rules) {
    if (rule.action.kind != Action::Kind::kAllow) continue;
    for (const std::string& name : rule.syscalls) {
      Learned& l = calls_[name];
      if (l.first_caller.empty()) l.first_caller = from;
      for (AbiId abi : HostAbis()) {
        if (GetAbi(abi).Find(name)) l.abis.insert(abi);
      }
      if (l.any_value) continue;
      const ArgRule* arg = options_.args ? ArgRuleFor(name) : nullptr;
      std::set<uint64_t> values;
      // Conditions this class writes (equalities over the learned
      // parameter, masked or not) merge value by value; any other
      // condition, or none, allows the call outright.
      if (!rule.condition || !arg ||
          !CollectEqualities(*rule.condition, arg->param, &values)) {
        Unconditional(l);
        continue;
      }
      l.values.insert(values.begin(), values.end());
    }
  }
}

std::string Learner::ToPolicyText(const std::string& header) const {
  std::map<std::set<AbiId>, std::vector<std::string>> groups;
  for (const auto& [name, l] : calls_) groups[l.abis].push_back(name);
  std::string out =
      absl::StrCat("# Learned by `sysgate learn` from: ", header, "\n");
  absl::StrAppend(
      &out, "# ", calls_.size(),
      " distinct calls. Everything else fails with EPERM, as the built-in\n"
      "# default policy's denials do.\n\ndefault errno(EPERM)\n");
  for (const auto& [abis, names] : groups) {
    absl::StrAppend(&out, "\n# Used on ", AbiList(abis), "\n");
    for (const std::string& name : names) {
      const Learned& l = calls_.at(name);
      std::string rule = absl::StrCat("allow ", name);
      const ArgRule* arg = ArgRuleFor(name);
      if (!l.any_value && !l.values.empty() && arg) {
        std::vector<std::string> terms;
        for (uint64_t v : l.values) {
          std::string operand =
              arg->mask == ~0ull
                  ? arg->param
                  : absl::StrCat("(", arg->param, " & O_ACCMODE)");
          terms.push_back(absl::StrCat(operand, " == ", ValueText(v, *arg)));
        }
        absl::StrAppend(&rule, " if ", absl::StrJoin(terms, " || "));
      }
      std::string note =
          l.count ? absl::StrCat(l.count, l.count == 1 ? " call" : " calls",
                                 ", first by ", l.first_caller)
                  : absl::StrCat("from ", l.first_caller);
      absl::StrAppend(&out, rule, "  # ", note, "\n");
    }
  }
  return out;
}

std::string Learner::ToOciProfile() const {
  std::vector<OciAllow> allows;
  OciAllow plain;
  for (const auto& [name, l] : calls_) {
    const ArgRule* arg = ArgRuleFor(name);
    if (l.any_value || l.values.empty() || !arg) {
      plain.names.push_back(name);
      continue;
    }
    // One entry per value (OCI ANDs the args of one entry). The index is
    // x86-64's; the profile lists the architectures it was learned on.
    int index = ParamIndex(AbiId::kX86_64, name, arg->param);
    if (index < 0) index = ParamIndex(*l.abis.begin(), name, arg->param);
    for (uint64_t v : l.values) {
      allows.push_back(
          {{name}, {{index, arg->mask == ~0ull ? ~0ull : arg->mask, v}}, ""});
    }
  }
  if (!plain.names.empty()) allows.insert(allows.begin(), plain);
  std::vector<std::string> arches;
  for (AbiId abi : HostAbis()) {
    arches.push_back(abi == AbiId::kX86_64 ? "SCMP_ARCH_X86_64"
                     : abi == AbiId::kI386 ? "SCMP_ARCH_X86"
                                           : "SCMP_ARCH_AARCH64");
  }
  return WriteOciProfile(allows, EPERM, arches);
}

}  // namespace sysgate

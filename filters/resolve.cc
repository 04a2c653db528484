#include "filters/resolve.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "filters/constants.h"
#include "filters/parser.h"

namespace sysgate {
namespace {

uint64_t Truncate(uint64_t v, int bits) {
  return bits >= 64 ? v : v & ((1ull << bits) - 1);
}

absl::StatusOr<uint64_t> ResolveValue(const ValueExpr& expr, AbiId abi) {
  uint64_t v = 0;
  for (const ValueTerm& t : expr.terms) {
    if (t.constant.empty()) {
      v |= t.literal;
      continue;
    }
    absl::optional<int64_t> c = ConstantValue(abi, t.constant);
    if (!c)
      return PolicyError(t.loc,
                         absl::StrCat("unknown constant '", t.constant, "'"));
    v |= static_cast<uint64_t>(*c);
  }
  return v;
}

struct Operand {
  int arg;
  int bits;
  int high_arg = -1;
};

// Whether `v` is a value of a `bits`-wide parameter: no bit above it, or a
// negative constant sign-extended from it (`dfd == AT_FDCWD`).
bool FitsWidth(uint64_t v, int bits) {
  if (bits >= 64) return true;
  uint64_t above = v >> bits;
  bool negative = (v >> (bits - 1)) & 1;
  return above == 0 || (negative && above == (~0ull >> bits));
}

// What a comparison with a value the parameter cannot hold always gives:
// whatever the kernel reads is smaller. A test on no bits (mask 0) that
// holds (== 0) or never does (== 1).
ResolvedCond Constant(CmpOp op, ResolvedCond test) {
  bool holds = op == CmpOp::kNe || op == CmpOp::kLt || op == CmpOp::kLe;
  test.test.mask = 0;
  test.test.op = CmpOp::kEq;
  test.test.value = holds ? 0 : 1;
  return test;
}

// "argN", or a parameter of this call on this ABI: where it is and how wide.
absl::StatusOr<Operand> ResolveOperand(const CondExpr& e,
                                       const SyscallDesc& call,
                                       const Abi& abi) {
  int index;
  if (absl::StartsWith(e.operand, "arg") &&
      absl::SimpleAtoi(e.operand.substr(3), &index)) {
    if (index < 0 || index > 5)
      return PolicyError(e.loc, "arguments are arg0 to arg5");
    return Operand{index, KernelArgBits(abi, call.nr, index)};
  }
  for (size_t i = 0; i < call.params.size(); ++i) {
    const Param& p = call.params[i];
    if (p.name == e.operand)
      return Operand{static_cast<int>(i), static_cast<int>(p.bits)};
    // The 64-bit value a 32-bit ABI splits into NAME_lo and NAME_hi
    // (arch/abi.cc), compared whole.
    if (i + 1 < call.params.size() &&
        p.name == absl::StrCat(e.operand, "_lo") &&
        call.params[i + 1].name == absl::StrCat(e.operand, "_hi")) {
      return Operand{static_cast<int>(i), 64, static_cast<int>(i + 1)};
    }
    // preadv's family declares its position as pos_l and pos_h on every
    // ABI (fs/read_write.c pos_from_hilo): the whole position is both words
    // on a 32-bit ABI, pos_l alone on a 64-bit one (whose pos_h the kernel
    // shifts out).
    if (i + 1 < call.params.size() && p.name == absl::StrCat(e.operand, "_l") &&
        call.params[i + 1].name == absl::StrCat(e.operand, "_h")) {
      if (abi.word_bits() == 32)
        return Operand{static_cast<int>(i), 64, static_cast<int>(i + 1)};
      return Operand{static_cast<int>(i), static_cast<int>(p.bits)};
    }
  }
  std::string known;
  for (const Param& p : call.params)
    absl::StrAppend(&known, known.empty() ? "" : ", ", p.name);
  return PolicyError(
      e.loc,
      absl::StrCat(call.name, " has no parameter '", e.operand, "' on ",
                   abi.name(),
                   known.empty() ? "; use arg0..arg5"
                                 : absl::StrCat(" (it has ", known, ")")));
}

absl::StatusOr<ResolvedCond> ResolveCond(const CondExpr& e,
                                         const SyscallDesc& call,
                                         const Abi& abi) {
  ResolvedCond out;
  switch (e.kind) {
    case CondExpr::Kind::kAnd:
    case CondExpr::Kind::kOr:
    case CondExpr::Kind::kNot:
      out.kind = e.kind == CondExpr::Kind::kAnd  ? ResolvedCond::Kind::kAnd
                 : e.kind == CondExpr::Kind::kOr ? ResolvedCond::Kind::kOr
                                                 : ResolvedCond::Kind::kNot;
      for (const auto& child : e.children) {
        absl::StatusOr<ResolvedCond> c = ResolveCond(*child, call, abi);
        if (!c.ok()) return c;
        out.children.push_back(std::move(*c));
      }
      return out;
    case CondExpr::Kind::kCompare:
      break;
  }
  absl::StatusOr<Operand> operand = ResolveOperand(e, call, abi);
  if (!operand.ok()) return operand.status();
  out.kind = ResolvedCond::Kind::kTest;
  out.test.arg = operand->arg;
  out.test.bits = operand->bits;
  out.test.high_arg = operand->high_arg;
  out.test.op = e.op;
  if (e.mask) {
    absl::StatusOr<uint64_t> mask = ResolveValue(*e.mask, abi.id());
    if (!mask.ok()) return mask.status();
    out.test.mask = Truncate(*mask, out.test.bits);
  } else {
    out.test.mask = Truncate(~0ull, out.test.bits);
  }
  absl::StatusOr<uint64_t> value = ResolveValue(e.value, abi.id());
  if (!value.ok()) return value.status();
  if (!FitsWidth(*value, out.test.bits)) return Constant(out.test.op, out);
  out.test.value = Truncate(*value, out.test.bits);
  return out;
}

bool Compare(uint64_t a, CmpOp op, uint64_t b) {
  switch (op) {
    case CmpOp::kEq:
      return a == b;
    case CmpOp::kNe:
      return a != b;
    case CmpOp::kLt:
      return a < b;
    case CmpOp::kLe:
      return a <= b;
    case CmpOp::kGt:
      return a > b;
    case CmpOp::kGe:
      return a >= b;
  }
  return false;
}

}  // namespace

bool ResolvedCond::Matches(const std::array<uint64_t, 6>& args) const {
  switch (kind) {
    case Kind::kTest: {
      uint64_t whole = test.high_arg < 0 ? args[test.arg]
                                         : (args[test.high_arg] << 32) |
                                               (args[test.arg] & 0xffffffffu);
      uint64_t v = Truncate(whole, test.bits) & test.mask;
      return Compare(v, test.op, test.value);
    }
    case Kind::kAnd:
      return children[0].Matches(args) && children[1].Matches(args);
    case Kind::kOr:
      return children[0].Matches(args) || children[1].Matches(args);
    case Kind::kNot:
      return !children[0].Matches(args);
  }
  return false;
}

std::string ResolvedCond::Key() const {
  switch (kind) {
    case Kind::kTest:
      return absl::StrCat("t", test.arg, "h", test.high_arg, "w", test.bits,
                          "m", test.mask, "o", static_cast<int>(test.op), "v",
                          test.value);
    case Kind::kAnd:
      return absl::StrCat("&(", children[0].Key(), ",", children[1].Key(), ")");
    case Kind::kOr:
      return absl::StrCat("|(", children[0].Key(), ",", children[1].Key(), ")");
    case Kind::kNot:
      return absl::StrCat("!(", children[0].Key(), ")");
  }
  return "";
}

const SyscallRules* AbiPolicy::Find(int nr) const {
  auto it = by_nr_.find(nr);
  return it == by_nr_.end() ? nullptr : &syscalls_[it->second];
}

int AbiPolicy::Evaluate(int nr, const std::array<uint64_t, 6>& args,
                        int first_rule) const {
  const SyscallRules* rules = Find(nr);
  if (rules == nullptr) return -1;
  for (const ResolvedRule& r : rules->rules) {
    if (r.rule < first_rule) continue;
    if (!r.cond || r.cond->Matches(args)) return r.rule;
  }
  return -1;
}

absl::StatusOr<AbiPolicy> ResolvePolicy(const Policy& policy, AbiId abi_id) {
  const Abi& abi = GetAbi(abi_id);
  std::map<int, SyscallRules> by_nr;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& rule = policy.rules[i];
    for (const std::string& name : rule.syscalls) {
      const SyscallDesc* call = abi.Find(name);
      if (call == nullptr) continue;  // The rule does not apply on this ABI.
      SyscallRules& entry = by_nr[call->nr];
      entry.nr = call->nr;
      ResolvedRule resolved{static_cast<int>(i), absl::nullopt};
      if (rule.condition) {
        absl::StatusOr<ResolvedCond> cond =
            ResolveCond(*rule.condition, *call, abi);
        if (!cond.ok()) return cond.status();
        resolved.cond = std::move(*cond);
      }
      entry.rules.push_back(std::move(resolved));
    }
  }
  AbiPolicy out;
  out.abi_ = abi_id;
  for (auto& [nr, rules] : by_nr) {
    out.by_nr_[nr] = out.syscalls_.size();
    out.syscalls_.push_back(std::move(rules));
  }
  return out;
}

}  // namespace sysgate

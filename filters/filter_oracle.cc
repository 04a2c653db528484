#include "filters/filter_oracle.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "filters/kernel_return.h"

namespace sysgate {

absl::Status CompileForOracle(const Policy& policy,
                              const std::vector<AbiId>& abis,
                              CompiledPolicy& c) {
  c.policy = policy;
  c.abis.clear();
  for (AbiId abi : abis) {
    absl::StatusOr<AbiPolicy> r = ResolvePolicy(c.policy, abi);
    if (!r.ok()) return r.status();
    c.abis.push_back(std::move(*r));
  }
  c.spec = FilterSpec{};
  for (const AbiPolicy& a : c.abis) c.spec.abis.push_back(&a);
  KernelActions actions;
  for (size_t i = 0; i < c.policy.rules.size(); ++i) {
    c.spec.rule_returns.push_back(KernelReturn(
        c.policy.rules[i].action, static_cast<uint16_t>(i), actions));
  }
  Action def =
      c.policy.default_action.value_or(Action{Action::Kind::kAllow, 0});
  c.spec.default_return = KernelReturn(def, kOracleDefaultData, actions);
  c.spec.fixed = {{kOracleKillNr, SECCOMP_RET_KILL_PROCESS}};
  absl::StatusOr<BpfProgram> program = CompileFilter(c.spec);
  if (!program.ok()) return program.status();
  c.program = std::move(*program);
  return absl::OkStatus();
}

uint32_t OracleReturn(const CompiledPolicy& c, const AbiPolicy& abi,
                      uint32_t nr, const std::array<uint64_t, 6>& args) {
  for (const auto& [fixed_nr, ret] : c.spec.fixed) {
    if (fixed_nr == nr) return ret;
  }
  if (abi.abi() == AbiId::kX86_64 &&
      nr >= static_cast<uint32_t>(kX32SyscallBit))
    return c.spec.x32_return;
  int rule = abi.Evaluate(static_cast<int>(nr), args);
  return rule < 0 ? c.spec.default_return : c.spec.rule_returns[rule];
}

absl::StatusOr<InterpreterResult> RunCompiled(
    const CompiledPolicy& c, uint32_t arch, uint32_t nr,
    const std::array<uint64_t, 6>& args) {
  seccomp_data data{};
  data.nr = static_cast<int>(nr);
  data.arch = arch;
  data.instruction_pointer = 0x7f0000001234;
  for (int i = 0; i < 6; ++i) data.args[i] = args[i];
  return RunFilter(c.program, data);
}

std::vector<uint64_t> SampleValues(const CompiledPolicy& c,
                                   std::mt19937_64& rng) {
  std::vector<uint64_t> base = {
      0, 1, 2, 3, 0xffffffff, 0x100000000, ~0ull, 0x7fffffff, 0x80000000};
  std::function<void(const ResolvedCond&)> walk = [&](const ResolvedCond&
                                                          cond) {
    if (cond.kind == ResolvedCond::Kind::kTest) {
      for (uint64_t v : {cond.test.value, cond.test.value & cond.test.mask}) {
        base.push_back(v);
        base.push_back(v + 1);
        base.push_back(v - 1);
        base.push_back(v | 0xdead000000000000ull);
        base.push_back(v ^ 0x100000000ull);
      }
    }
    for (const ResolvedCond& child : cond.children) walk(child);
  };
  for (const AbiPolicy& a : c.abis) {
    for (const SyscallRules& s : a.syscalls()) {
      for (const ResolvedRule& r : s.rules) {
        if (r.cond) walk(*r.cond);
      }
    }
  }
  for (int i = 0; i < 8; ++i) base.push_back(rng());
  return base;
}

absl::Status CheckAgreement(const CompiledPolicy& c, std::mt19937_64& rng,
                            int samples) {
  std::vector<uint64_t> values = SampleValues(c, rng);
  for (const AbiPolicy& abi : c.abis) {
    const Abi& described = GetAbi(abi.abi());
    std::vector<uint32_t> numbers = {kOracleKillNr, 0x40000000, 0x40000001,
                                     0xffffffff, 0x7fffffff};
    for (uint32_t nr = 0; nr < 520; ++nr) numbers.push_back(nr);
    for (uint32_t nr : numbers) {
      const SyscallRules* rules = abi.Find(static_cast<int>(nr));
      bool conditional = rules && rules->rules.front().cond;
      for (int s = 0; s < (conditional ? samples : 1); ++s) {
        std::array<uint64_t, 6> args;
        for (uint64_t& a : args) a = values[rng() % values.size()];
        absl::StatusOr<InterpreterResult> r =
            RunCompiled(c, described.audit_arch(), nr, args);
        if (!r.ok()) return r.status();
        uint32_t expected = OracleReturn(c, abi, nr, args);
        auto disagreement = [&](absl::string_view what) {
          return absl::InternalError(absl::StrCat(
              described.name(), " nr ", nr, " args ", absl::Hex(args[0]), ",",
              absl::Hex(args[1]), ",", absl::Hex(args[2]), ",",
              absl::Hex(args[3]), ",", absl::Hex(args[4]), ",",
              absl::Hex(args[5]), ": program returned ", absl::Hex(r->ret),
              ", ", what));
        };
        if (r->ret != expected || (!conditional && r->loaded_args)) {
          return disagreement(absl::StrCat(
              "policy says ", absl::Hex(expected),
              r->loaded_args && !conditional ? " (and it loaded an argument)"
                                             : ""));
        }
        // The kernel's own view: garbage in the bits of each argument that
        // the kernel ignores (arch/abi.cc's width table) decides nothing.
        std::array<uint64_t, 6> noisy = args;
        for (int i = 0; i < 6; ++i) {
          int bits = KernelArgBits(described, static_cast<int>(nr), i);
          if (bits < 64) noisy[i] ^= rng() << bits;
        }
        absl::StatusOr<InterpreterResult> n =
            RunCompiled(c, described.audit_arch(), nr, noisy);
        if (!n.ok()) return n.status();
        if (n->ret != r->ret) {
          return disagreement(absl::StrCat(
              "and ", absl::Hex(n->ret), " with other bits the kernel ignores ",
              absl::Hex(noisy[0]), ",", absl::Hex(noisy[1]), ",",
              absl::Hex(noisy[2]), ",", absl::Hex(noisy[3]), ",",
              absl::Hex(noisy[4]), ",", absl::Hex(noisy[5])));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace sysgate

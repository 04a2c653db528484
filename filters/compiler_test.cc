// The compiled BPF program must agree with the parsed policy on every ABI,
// every syscall number and sampled arguments (the BPF interpreter runs the
// program; AbiPolicy::Evaluate reads the policy directly).
#include "filters/compiler.h"

#include <linux/audit.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "filters/disassembler.h"
#include "filters/interpreter.h"
#include "filters/kernel_return.h"
#include "filters/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kMagicKill = 0x0fff0001;

struct Compiled {
  Policy policy;
  std::vector<AbiPolicy> abis;
  FilterSpec spec;
  BpfProgram program;
};

Compiled Compile(const std::string& text, const std::vector<AbiId>& abis) {
  Compiled c;
  absl::StatusOr<Policy> p = ParsePolicy(text, "t.policy");
  EXPECT_TRUE(p.ok()) << p.status();
  c.policy = *p;
  for (AbiId abi : abis) {
    absl::StatusOr<AbiPolicy> r = ResolvePolicy(c.policy, abi);
    EXPECT_TRUE(r.ok()) << r.status();
    c.abis.push_back(std::move(*r));
  }
  for (const AbiPolicy& a : c.abis) c.spec.abis.push_back(&a);
  Routing routing;
  KernelActions actions;
  for (size_t i = 0; i < c.policy.rules.size(); ++i) {
    c.spec.rule_returns.push_back(
        KernelReturn(c.policy.rules[i].action, i, routing, actions));
  }
  Action def =
      c.policy.default_action.value_or(Action{Action::Kind::kAllow, 0});
  c.spec.default_return = KernelReturn(def, kDefaultRuleData, routing, actions);
  c.spec.fixed = {{kMagicKill, SECCOMP_RET_KILL_PROCESS}};
  absl::StatusOr<BpfProgram> prog = CompileFilter(c.spec);
  EXPECT_TRUE(prog.ok()) << prog.status();
  if (prog.ok()) c.program = *prog;
  return c;
}

uint32_t Expected(const Compiled& c, const AbiPolicy& abi, uint32_t nr,
                  const std::array<uint64_t, 6>& args) {
  for (const auto& [fixed_nr, ret] : c.spec.fixed) {
    if (fixed_nr == nr) return ret;
  }
  if (abi.abi() == AbiId::kX86_64 && nr >= 0x40000000) return c.spec.x32_return;
  int rule = abi.Evaluate(static_cast<int>(nr), args);
  return rule < 0 ? c.spec.default_return : c.spec.rule_returns[rule];
}

InterpreterResult RunOn(const Compiled& c, uint32_t arch, uint32_t nr,
                        const std::array<uint64_t, 6>& args) {
  seccomp_data data{};
  data.nr = static_cast<int>(nr);
  data.arch = arch;
  data.instruction_pointer = 0x7f0000001234;
  for (int i = 0; i < 6; ++i) data.args[i] = args[i];
  absl::StatusOr<InterpreterResult> r = RunFilter(c.program, data);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : InterpreterResult{};
}

// Values around every constant the policy mentions, with high words that
// matter and high words that must not.
std::vector<uint64_t> SampleValues(const Compiled& c, std::mt19937_64& rng) {
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

void ExpectAgreement(const Compiled& c) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> values = SampleValues(c, rng);
  for (const AbiPolicy& abi : c.abis) {
    uint32_t arch = GetAbi(abi.abi()).audit_arch();
    std::vector<uint32_t> numbers = {kMagicKill, 0x40000000, 0x40000001,
                                     0xffffffff, 0x7fffffff};
    for (uint32_t nr = 0; nr < 520; ++nr) numbers.push_back(nr);
    for (uint32_t nr : numbers) {
      const SyscallRules* rules = abi.Find(static_cast<int>(nr));
      bool conditional = rules && rules->rules.front().cond;
      int samples = conditional ? 400 : 1;
      for (int s = 0; s < samples; ++s) {
        std::array<uint64_t, 6> args;
        for (uint64_t& a : args) a = values[rng() % values.size()];
        InterpreterResult r = RunOn(c, arch, nr, args);
        ASSERT_EQ(r.ret, Expected(c, abi, nr, args))
            << GetAbi(abi.abi()).name() << " nr " << nr << " args " << args[0]
            << "," << args[1] << "," << args[2] << "\n"
            << Disassemble(c.program);
        if (!conditional) {
          // The kernel's action cache needs unconditional outcomes that
          // never read arguments or the instruction pointer.
          ASSERT_FALSE(r.loaded_args) << "nr " << nr;
        }
      }
    }
  }
}

const std::vector<AbiId> kX86Machine = {AbiId::kX86_64, AbiId::kI386};
const std::vector<AbiId> kArmMachine = {AbiId::kArm64};

TEST(CompilerTest, AgreesOnARealisticPolicy) {
  const char* text =
      "default errno(EPERM)\n"
      "allow read, write, close, exit_group, brk, mmap, munmap, getpid\n"
      "errno(EACCES) openat if (flags & O_ACCMODE) != O_RDONLY\n"
      "allow openat\n"
      "emulate(1000) getuid\n"
      "kill ptrace\n"
      "allow mprotect if (prot & PROT_EXEC) == 0 || prot == "
      "PROT_READ|PROT_EXEC\n"
      "allow lseek if offset > 0x100000000 && offset <= 0x200000005\n"
      "allow pread64 if pos < 4096 || pos >= 0xffffffff00000000\n"
      "errno(EINVAL) fcntl if cmd == F_SETFL\n"
      "allow fcntl\n"
      "allow socket if family == AF_UNIX && !(type != SOCK_STREAM)\n";
  for (const auto& machine : {kX86Machine, kArmMachine}) {
    Compiled c = Compile(text, machine);
    ExpectAgreement(c);
  }
}

TEST(CompilerTest, ArchCheckComesFirstAndUnknownArchesDie) {
  Compiled c = Compile("default allow\n", kX86Machine);
  EXPECT_EQ(c.program[0].code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(c.program[0].k, kArchOffset);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_AARCH64, 0, {}).ret, SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_X86_64, 0, {}).ret, SECCOMP_RET_ALLOW);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_I386, 0, {}).ret, SECCOMP_RET_ALLOW);
}

TEST(CompilerTest, X32NumbersAreNeverX86_64Calls) {
  // x32 ptrace is 0x40000000 | 521; with `default allow` it must still fail.
  Compiled c = Compile("default allow\nkill ptrace\n", kX86Machine);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_X86_64, 101, {}).ret, SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_X86_64, 0x40000000 | 521, {}).ret,
            SECCOMP_RET_ERRNO | 38);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_X86_64, 0x40000000 | 101, {}).ret,
            SECCOMP_RET_ERRNO | 38);
  // i386 has no x32 bit to worry about; its ptrace is 26.
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_I386, 26, {}).ret, SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_I386, 101, {}).ret,
            SECCOMP_RET_ALLOW);  // ioperm
}

TEST(CompilerTest, RulesApplyUnderEachAbisNumbers) {
  // getuid is 102 on x86-64 and 24 on i386, where 102 is socketcall.
  Compiled c = Compile("default allow\nemulate(7) getuid\n", kX86Machine);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_X86_64, 102, {}).ret & SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_I386, 24, {}).ret & SECCOMP_RET_ACTION_FULL,
            SECCOMP_RET_TRACE);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_I386, 102, {}).ret, SECCOMP_RET_ALLOW);
}

TEST(CompilerTest, ThirtyTwoBitParametersIgnoreTheHighWord) {
  Compiled c = Compile(
      "default allow\nerrno(EPERM) openat if flags == O_RDONLY\n", kX86Machine);
  // The kernel reads openat's int flags from the low half only.
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_X86_64, 257, {0, 0, 0xffffffff00000000ull}).ret,
            SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(RunOn(c, AUDIT_ARCH_X86_64, 257, {0, 0, 1}).ret, SECCOMP_RET_ALLOW);
  // A 64-bit parameter (lseek's offset) compares all 64 bits.
  Compiled d = Compile("default allow\nerrno(EPERM) lseek if offset == 5\n",
                       kX86Machine);
  EXPECT_EQ(RunOn(d, AUDIT_ARCH_X86_64, 8, {0, 5}).ret, SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(RunOn(d, AUDIT_ARCH_X86_64, 8, {0, 0x100000005ull}).ret,
            SECCOMP_RET_ALLOW);
}

TEST(CompilerTest, DispatchIsABinarySearch) {
  // Every call allowed by its own rule, with a few denials spread out so
  // ranges cannot merge: the path stays logarithmic.
  std::string text = "default errno(EPERM)\n";
  for (const SyscallDesc& d : GetAbi(AbiId::kX86_64).syscalls()) {
    absl::StrAppend(&text, d.nr % 2 ? "allow " : "errno(EACCES) ", d.name,
                    "\n");
  }
  Compiled c = Compile(text, {AbiId::kX86_64});
  int worst = 0;
  for (uint32_t nr = 0; nr < 470; ++nr) {
    worst = std::max(worst, RunOn(c, AUDIT_ARCH_X86_64, nr, {}).instructions);
  }
  EXPECT_LE(worst, 20) << "a linear chain would take hundreds";
  ExpectAgreement(c);
}

TEST(CompilerTest, LongProgramsUseFarJumps) {
  // 150 conditional rules on two ABIs: far more than a conditional jump's 255
  // reach.
  std::string text = "default allow\n";
  for (int i = 0; i < 150; ++i) {
    absl::StrAppend(&text, "errno(", 1 + i % 100, ") ",
                    i % 3 ? "read" : "write", " if count == ", i * 7,
                    " || (fd & 0xf0) == ", i % 16, "\n");
  }
  Compiled c = Compile(text, kX86Machine);
  EXPECT_GT(c.program.size(), 600u);
  EXPECT_LT(c.program.size(), kMaxInstructions);
  EXPECT_TRUE(ValidateProgram(c.program).ok());
  ExpectAgreement(c);
}

TEST(CompilerTest, RandomPoliciesAgree) {
  std::mt19937 rng(7);
  const char* calls[] = {"read",   "write", "openat", "mmap", "lseek", "getuid",
                         "socket", "ioctl", "clone",  "kill", "fcntl", "prctl"};
  const char* actions[] = {"allow", "errno(EPERM)", "emulate(3)", "kill",
                           "log",   "trap",         "audit"};
  const char* ops[] = {"==", "!=", "<", "<=", ">", ">="};
  for (int round = 0; round < 25; ++round) {
    std::string text = absl::StrCat("default ", actions[rng() % 7], "\n");
    int rules = 1 + rng() % 12;
    for (int i = 0; i < rules; ++i) {
      absl::StrAppend(&text, actions[rng() % 7], " ", calls[rng() % 12]);
      if (rng() % 3) {
        int terms = 1 + rng() % 3;
        absl::StrAppend(&text, " if ");
        for (int t = 0; t < terms; ++t) {
          if (t) absl::StrAppend(&text, rng() % 2 ? " && " : " || ");
          if (rng() % 4 == 0) absl::StrAppend(&text, "!");
          uint64_t value = rng() % 2
                               ? rng() % 64
                               : (static_cast<uint64_t>(rng()) << 32) | rng();
          if (rng() % 3 == 0) {
            absl::StrAppend(&text, "(arg", rng() % 6, " & 0x", absl::Hex(rng()),
                            ") ", ops[rng() % 6], " ", value);
          } else {
            absl::StrAppend(&text, "arg", rng() % 6, " ", ops[rng() % 6], " ",
                            value);
          }
        }
      }
      absl::StrAppend(&text, "\n");
    }
    SCOPED_TRACE(text);
    ExpectAgreement(Compile(text, kX86Machine));
    ExpectAgreement(Compile(text, kArmMachine));
  }
}

TEST(ValidateTest, RejectsWhatTheKernelWould) {
  EXPECT_FALSE(ValidateProgram({}).ok());
  EXPECT_THAT(std::string(ValidateProgram({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 64},
                                           {BPF_RET | BPF_K, 0, 0, 0}})
                              .message()),
              HasSubstr("load outside seccomp_data"));
  EXPECT_THAT(std::string(ValidateProgram({{BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 0},
                                           {BPF_RET | BPF_K, 0, 0, 0}})
                              .message()),
              HasSubstr("past the end"));
  EXPECT_THAT(
      std::string(
          ValidateProgram({{BPF_LD | BPF_W | BPF_ABS, 0, 0, 0}}).message()),
      HasSubstr("not a return"));
  BpfProgram huge(kMaxInstructions + 1, {BPF_RET | BPF_K, 0, 0, 0});
  EXPECT_FALSE(ValidateProgram(huge).ok());
}

TEST(DisassemblerTest, NamesFieldsAndActions) {
  Compiled c = Compile("default allow\nerrno(EPERM) openat if flags == 1\n",
                       {AbiId::kX86_64});
  std::string text = Disassemble(c.program);
  EXPECT_THAT(text, HasSubstr("0000: ld  arch\n"));
  EXPECT_THAT(text, HasSubstr("jeq #0xc000003e (x86_64)"));
  EXPECT_THAT(text, HasSubstr("ld  arg2.lo"));
  EXPECT_THAT(text, HasSubstr("ret ERRNO(1)"));
  EXPECT_THAT(text, HasSubstr("ret KILL_PROCESS"));
}

}  // namespace
}  // namespace sysgate

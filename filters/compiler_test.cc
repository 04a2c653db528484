// The compiled BPF program must agree with the parsed policy on every ABI,
// every syscall number and sampled arguments (the BPF interpreter runs the
// program; AbiPolicy::Evaluate reads the policy directly).
#include "filters/compiler.h"

#include <linux/audit.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "filters/disassembler.h"
#include "filters/filter_oracle.h"
#include "filters/interpreter.h"
#include "filters/kernel_return.h"
#include "filters/parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

using Compiled = CompiledPolicy;

Compiled Compile(const std::string& text, const std::vector<AbiId>& abis) {
  Compiled c;
  absl::StatusOr<Policy> p = ParsePolicy(text, "t.policy");
  EXPECT_TRUE(p.ok()) << p.status();
  if (p.ok()) {
    absl::Status s = CompileForOracle(*p, abis, c);
    EXPECT_TRUE(s.ok()) << s;
  }
  return c;
}

InterpreterResult RunOn(const Compiled& c, uint32_t arch, uint32_t nr,
                        const std::array<uint64_t, 6>& args) {
  absl::StatusOr<InterpreterResult> r = RunCompiled(c, arch, nr, args);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : InterpreterResult{};
}

void ExpectAgreement(const Compiled& c) {
  std::mt19937_64 rng(42);
  absl::Status agreed = CheckAgreement(c, rng, 400);
  EXPECT_TRUE(agreed.ok()) << agreed.message() << "\n"
                           << Disassemble(c.program);
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

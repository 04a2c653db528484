// Differential test with libseccomp as the oracle (issue 7): the same
// rules compiled by sysgate and by libseccomp must decide every syscall
// number and sampled argument values identically, for x86-64 and for arm64
// whatever the host (libseccomp is told the arch; it would otherwise build
// for its own). Both programs run in sysgate's BPF interpreter.
//
// Scope, by construction of the oracle: one rule per syscall (libseccomp has
// no first-match order between rules of one call), conditions ANDed over
// distinct 64-bit arguments, one 64-bit ABI at a time. Left out on purpose,
// where sysgate decides differently by design: int-sized parameters
// (sysgate compares their low 32 bits, as the kernel reads them; libseccomp
// compares the whole register, so garbage in the upper half decides),
// numbers with the x32 bit and foreign arches (libseccomp kills them with
// its bad-arch action, sysgate fails x32 numbers with ENOSYS).
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "filters/compiler.h"
#include "filters/interpreter.h"
#include "filters/parser.h"
#include "filters/resolve.h"
#include "gtest/gtest.h"

namespace sysgate {
namespace {

struct Cmp {
  int arg;
  enum scmp_compare op;
  uint64_t value;
  uint64_t mask;  // For SCMP_CMP_MASKED_EQ.
};

struct TestRule {
  std::string name;
  uint32_t action;
  std::vector<Cmp> cmps;
};

std::string CondText(const Cmp& c) {
  std::string arg = absl::StrCat("arg", c.arg);
  switch (c.op) {
    case SCMP_CMP_EQ:
      return absl::StrCat(arg, " == ", c.value);
    case SCMP_CMP_NE:
      return absl::StrCat(arg, " != ", c.value);
    case SCMP_CMP_LT:
      return absl::StrCat(arg, " < ", c.value);
    case SCMP_CMP_LE:
      return absl::StrCat(arg, " <= ", c.value);
    case SCMP_CMP_GT:
      return absl::StrCat(arg, " > ", c.value);
    case SCMP_CMP_GE:
      return absl::StrCat(arg, " >= ", c.value);
    case SCMP_CMP_MASKED_EQ:
      return absl::StrCat("(", arg, " & ", c.mask, ") == ", c.value);
    default:
      return "";
  }
}

BpfProgram LibseccompProgram(uint32_t scmp_arch, uint32_t default_action,
                             const std::vector<TestRule>& rules) {
  scmp_filter_ctx ctx = seccomp_init(default_action);
  EXPECT_NE(ctx, nullptr);
  if (scmp_arch != seccomp_arch_native()) {
    EXPECT_EQ(seccomp_arch_add(ctx, scmp_arch), 0);
    EXPECT_EQ(seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE), 0);
  }
  for (const TestRule& r : rules) {
    std::vector<scmp_arg_cmp> cmps;
    for (const Cmp& c : r.cmps) {
      scmp_arg_cmp a = {static_cast<unsigned>(c.arg), c.op,
                        c.op == SCMP_CMP_MASKED_EQ ? c.mask : c.value,
                        c.op == SCMP_CMP_MASKED_EQ ? c.value : 0};
      cmps.push_back(a);
    }
    // libseccomp takes the host's number and translates it, by name, for
    // each arch of the filter.
    int nr = seccomp_syscall_resolve_name(r.name.c_str());
    int rc = seccomp_rule_add_exact_array(ctx, r.action, nr, cmps.size(),
                                          cmps.data());
    EXPECT_EQ(rc, 0) << r.name;
  }
  int fd = memfd_create("bpf", 0);
  EXPECT_EQ(seccomp_export_bpf(ctx, fd), 0);
  off_t size = lseek(fd, 0, SEEK_END);
  BpfProgram program(size / sizeof(sock_filter));
  EXPECT_EQ(pread(fd, program.data(), size, 0), size);
  close(fd);
  seccomp_release(ctx);
  return program;
}

void CheckRandomPoliciesAgree(AbiId abi, uint32_t scmp_arch) {
  std::mt19937_64 rng(2026);
  const char* calls[] = {"read",   "write",   "openat",   "mmap", "lseek",
                         "getuid", "socket",  "ioctl",    "kill", "fcntl",
                         "prctl",  "pread64", "mprotect", "dup3", "futex"};
  const uint32_t actions[] = {SCMP_ACT_ALLOW,     SCMP_ACT_ERRNO(1),
                              SCMP_ACT_ERRNO(13), SCMP_ACT_KILL_PROCESS,
                              SCMP_ACT_TRAP,      SCMP_ACT_TRACE(7)};
  const enum scmp_compare ops[] = {SCMP_CMP_EQ,       SCMP_CMP_NE, SCMP_CMP_LT,
                                   SCMP_CMP_LE,       SCMP_CMP_GT, SCMP_CMP_GE,
                                   SCMP_CMP_MASKED_EQ};
  int compared = 0;
  for (int round = 0; round < 40; ++round) {
    uint32_t default_action = rng() % 2 ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(38);
    std::vector<TestRule> rules;
    std::set<std::string> used;
    std::vector<uint64_t> samples = {0,           1,     2,         0xffffffff,
                                     0x100000000, ~0ull, 0x80000000};
    int count = 1 + rng() % 8;
    for (int i = 0; i < count; ++i) {
      std::string name = calls[rng() % 15];
      if (!used.insert(name).second) continue;
      uint32_t action;
      do action = actions[rng() % 6];
      while (action == default_action);
      TestRule r{name, action, {}};
      std::set<int> args;
      int ncmp = rng() % 4;
      for (int k = 0; k < ncmp; ++k) {
        int arg = rng() % 6;
        const SyscallDesc* desc = GetAbi(abi).Find(name);
        bool narrow = arg < static_cast<int>(desc->params.size()) &&
                         desc->params[arg].bits < 64;
        if (narrow || !args.insert(arg).second) continue;
        uint64_t value = rng() % 3 == 0 ? (rng() << 1) : rng() % 100;
        uint64_t mask = rng() % 2 ? 0xff : 0xffff0000ffffull;
        enum scmp_compare op = ops[rng() % 7];
        if (op == SCMP_CMP_MASKED_EQ) value &= mask;
        r.cmps.push_back({arg, op, value, mask});
        for (uint64_t v : std::initializer_list<uint64_t>{
                 value, value + 1, value - 1, value ^ 0x100000000ull})
          samples.push_back(v);
      }
      rules.push_back(r);
    }
    // sysgate's side: the same rules as a policy, the same return values.
    std::string text;
    std::vector<uint32_t> returns;
    for (const TestRule& r : rules) {
      std::string cond;
      for (const Cmp& c : r.cmps)
        absl::StrAppend(&cond, cond.empty() ? " if " : " && ", CondText(c));
      absl::StrAppend(&text, "allow ", r.name, cond, "\n");
      returns.push_back(r.action);
    }
    absl::StatusOr<Policy> policy = ParsePolicy(text, "diff.policy");
    ASSERT_TRUE(policy.ok()) << policy.status() << "\n" << text;
    absl::StatusOr<AbiPolicy> resolved = ResolvePolicy(*policy, abi);
    ASSERT_TRUE(resolved.ok()) << resolved.status();
    FilterSpec spec;
    spec.abis = {&*resolved};
    spec.rule_returns = returns;
    spec.default_return = default_action;
    absl::StatusOr<BpfProgram> ours = CompileFilter(spec);
    ASSERT_TRUE(ours.ok()) << ours.status();
    BpfProgram theirs = LibseccompProgram(scmp_arch, default_action, rules);
    for (uint32_t nr = 0; nr < 460; ++nr) {
      for (int s = 0; s < 60; ++s) {
        seccomp_data d{};
        d.arch = GetAbi(abi).audit_arch();
        d.nr = static_cast<int>(nr);
        for (auto& a : d.args) a = samples[rng() % samples.size()];
        absl::StatusOr<InterpreterResult> a = RunFilter(*ours, d);
        absl::StatusOr<InterpreterResult> b = RunFilter(theirs, d);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(a->ret, b->ret)
            << "nr " << nr << " args " << d.args[0] << "," << d.args[1] << ","
            << d.args[2] << "," << d.args[3] << "\n"
            << text;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000000);
}

TEST(LibseccompDiffTest, RandomPoliciesAgreeOnX86_64) {
  CheckRandomPoliciesAgree(AbiId::kX86_64, SCMP_ARCH_X86_64);
}

TEST(LibseccompDiffTest, RandomPoliciesAgreeOnArm64) {
  CheckRandomPoliciesAgree(AbiId::kArm64, SCMP_ARCH_AARCH64);
}

}  // namespace
}  // namespace sysgate

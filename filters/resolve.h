// A Policy made concrete for one ABI: syscall names become numbers,
// parameter names become argument indices with their width, and constants
// take that ABI's values. Both the BPF compiler and the in-process
// evaluator consume this form, so they cannot disagree on meaning.
#ifndef SYSGATE_FILTERS_RESOLVE_H_
#define SYSGATE_FILTERS_RESOLVE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "arch/abi.h"
#include "filters/policy.h"

namespace sysgate {

// (args[arg] & mask) op value, unsigned, on the low `bits` bits: the
// width the kernel reads the parameter with (arch/abi.cc's width table;
// every parameter of a 32-bit ABI is one 32-bit word). The kernel ignores
// the rest of the register, so comparing it could be fooled.
struct ArgTest {
  int arg = 0;
  int bits = 64;
  // A 32-bit ABI's 64-bit parameter (loff_t, u64) is two registers: `arg`
  // holds its low word, `high_arg` its high one. -1: the high word is
  // `arg`'s own upper half.
  int high_arg = -1;
  uint64_t mask = ~0ull;
  CmpOp op = CmpOp::kEq;
  uint64_t value = 0;
};

struct ResolvedCond {
  enum class Kind : uint8_t { kTest, kAnd, kOr, kNot };
  Kind kind = Kind::kTest;
  ArgTest test;
  std::vector<ResolvedCond> children;

  bool Matches(const std::array<uint64_t, 6>& args) const;
  std::string Key() const;  // Structural identity, for sharing BPF code.
};

struct ResolvedRule {
  int rule = 0;                       // Index into Policy::rules.
  absl::optional<ResolvedCond> cond;  // Unset: unconditional.
};

struct SyscallRules {
  int nr = 0;
  // The policy's rules for this call in order. Nothing after the first
  // unconditional one can decide, unless evaluation starts past it
  // (AbiPolicy::Evaluate's first_rule).
  std::vector<ResolvedRule> rules;
};

class AbiPolicy {
 public:
  AbiId abi() const { return abi_; }
  const std::vector<SyscallRules>& syscalls() const {
    return syscalls_;
  }  // By nr.
  const SyscallRules* Find(int nr) const;

  // The index of the rule that decides this call, or -1 for the default.
  // Rules before `first_rule` are passed over.
  int Evaluate(int nr, const std::array<uint64_t, 6>& args,
               int first_rule = 0) const;

 private:
  friend absl::StatusOr<AbiPolicy> ResolvePolicy(const Policy&, AbiId);
  AbiId abi_ = AbiId::kX86_64;
  std::vector<SyscallRules> syscalls_;
  absl::flat_hash_map<int, size_t> by_nr_;
};

absl::StatusOr<AbiPolicy> ResolvePolicy(const Policy& policy, AbiId abi);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_RESOLVE_H_

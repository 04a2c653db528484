// For tests and fuzzers: a policy compiled the way the supervisor compiles
// it, with what the filter must return for any call read from the parsed
// policy directly (AbiPolicy::Evaluate), and the BPF interpreter to run
// the program itself. Agreement of the two is the compiler's correctness.
#ifndef SYSGATE_FILTERS_FILTER_ORACLE_H_
#define SYSGATE_FILTERS_FILTER_ORACLE_H_

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "filters/compiler.h"
#include "filters/interpreter.h"
#include "filters/policy.h"
#include "filters/resolve.h"

namespace sysgate {

// A fixed number the filter kills on, as sysgate's kill numbers.
inline constexpr uint32_t kOracleKillNr = 0x0fff0001;
// The SECCOMP_RET_DATA of the default's return (rule i returns data i).
inline constexpr uint16_t kOracleDefaultData = 0xffff;

struct CompiledPolicy {
  CompiledPolicy() = default;
  CompiledPolicy(const CompiledPolicy&) = delete;  // spec points into abis.
  CompiledPolicy(CompiledPolicy&&) = default;

  Policy policy;
  std::vector<AbiPolicy> abis;
  FilterSpec spec;
  BpfProgram program;
};

// Rule i returns its action with data i; the default, kOracleDefaultData.
absl::Status CompileForOracle(const Policy& policy,
                              const std::vector<AbiId>& abis,
                              CompiledPolicy& out);

// What the filter must return, from the policy.
uint32_t OracleReturn(const CompiledPolicy& c, const AbiPolicy& abi,
                      uint32_t nr, const std::array<uint64_t, 6>& args);

// The program itself, in the interpreter.
absl::StatusOr<InterpreterResult> RunCompiled(
    const CompiledPolicy& c, uint32_t arch, uint32_t nr,
    const std::array<uint64_t, 6>& args);

// Values around every constant the policy compares with, with high words
// that matter and high words that must not, and a few random ones.
std::vector<uint64_t> SampleValues(const CompiledPolicy& c,
                                   std::mt19937_64& rng);

// Program against policy for numbers 0..519 and the edge numbers (x32,
// kill, the largest) of every ABI: `samples` argument sets for numbers
// with conditions, one for the others, which must not load any argument
// (the kernel's action cache needs that). The first disagreement, if any.
absl::Status CheckAgreement(const CompiledPolicy& c, std::mt19937_64& rng,
                            int samples);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_FILTER_ORACLE_H_

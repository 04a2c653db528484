// Resolved policies -> one seccomp BPF program for a machine's ABIs.
//
// Layout: load arch; jump to the ABI's section (unknown arch: kill). Each
// section loads nr once and binary-searches ranges of numbers that share an
// outcome (jge over sorted range starts), so a call costs O(log rules)
// instructions. Unconditional outcomes are a bare `ret`, never preceded by
// an argument or ip load, which lets the kernel's per-syscall action cache
// (Linux 5.11+) prove them constant and skip the filter entirely. On x86-64
// every number with the x32 bit (0x40000000) set gets `x32_return`, never
// an x86-64 rule.
#ifndef SYSGATE_FILTERS_COMPILER_H_
#define SYSGATE_FILTERS_COMPILER_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "filters/bpf.h"
#include "filters/resolve.h"

namespace sysgate {

struct FilterSpec {
  std::vector<const AbiPolicy*> abis;  // In the order the arch is tested.
  std::vector<uint32_t> rule_returns;  // SECCOMP_RET_* | data, per rule.
  uint32_t default_return = SECCOMP_RET_ALLOW;
  // Numbers outside every ABI's table with a fixed outcome on every ABI:
  // the supervisor rewrites a call to one of them to make the kernel kill
  // or trap it on the filter's second pass after a TRACE stop.
  std::vector<std::pair<uint32_t, uint32_t>> fixed;
  uint32_t x32_return = SECCOMP_RET_ERRNO | 38;  // ENOSYS.
  uint32_t unknown_arch_return = SECCOMP_RET_KILL_PROCESS;
};

absl::StatusOr<BpfProgram> CompileFilter(const FilterSpec& spec);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_COMPILER_H_

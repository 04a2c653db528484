// Classic BPF programs for seccomp, and the seccomp_data layout they read.
#ifndef SYSGATE_FILTERS_BPF_H_
#define SYSGATE_FILTERS_BPF_H_

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace sysgate {

using BpfProgram = std::vector<sock_filter>;

// struct seccomp_data offsets (include/uapi/linux/seccomp.h). Arguments are
// 64-bit, little-endian on every supported ABI: low word first.
inline constexpr uint32_t kNrOffset = offsetof(seccomp_data, nr);
inline constexpr uint32_t kArchOffset = offsetof(seccomp_data, arch);
inline constexpr uint32_t kIpOffset =
    offsetof(seccomp_data, instruction_pointer);
inline constexpr uint32_t ArgLowOffset(int arg) {
  return offsetof(seccomp_data, args) + 8 * arg;
}
inline constexpr uint32_t ArgHighOffset(int arg) {
  return ArgLowOffset(arg) + 4;
}

inline constexpr size_t kMaxInstructions = 4096;  // BPF_MAXINSNS.

// Checks what the kernel's seccomp_check_filter and bpf_check_classic
// would: size, known opcodes, in-bounds aligned loads, jumps inside the
// program, and that the program cannot fall off its end.
absl::Status ValidateProgram(const BpfProgram& program);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_BPF_H_

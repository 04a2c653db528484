// The cheapest single-register edits on the host architecture, used by
// SyscallAccess. Defined in the arch file of the host (x86_64.cc or
// arm64.cc); the other arch files compile these out.
#ifndef SYSGATE_ARCH_HOST_REGISTERS_H_
#define SYSGATE_ARCH_HOST_REGISTERS_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/status.h"

namespace sysgate::host {

// x86-64: one PTRACE_POKEUSER of orig_rax (valid for 32-bit tracees too:
// a 64-bit tracer always addresses the 64-bit user area, and the compat
// entry reads (int)orig_rax). arm64: PTRACE_SETREGSET NT_ARM_SYSTEM_CALL.
absl::Status SetSyscallNumber(pid_t tid, int nr);
// x86-64: one PTRACE_POKEUSER of rax. arm64: read-modify-write of x0.
absl::Status SetReturnRegister(pid_t tid, int64_t value);

// Whether a 64-bit process here can make i386 calls with `int $0x80`
// (kernel CONFIG_IA32_EMULATION, and not ia32_emulation=0). Forks a child.
bool Int80Works();

}  // namespace sysgate::host

#endif  // SYSGATE_ARCH_HOST_REGISTERS_H_

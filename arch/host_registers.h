// The cheapest single-register edits on the host architecture, used by
// SyscallAccess: one file per host (host_registers_x86_64.cc,
// host_registers_arm64.cc), each compiled only on its own machine.
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
// After a trap on a number changed at entry, the register the kernel's
// syscall_rollback filled with that number gets `nr` back. x86-64: rax
// (rollback copies orig_ax into it; eax for an i386 call). arm64: nothing,
// x8 still holds the program's own number (only regs->syscallno, through
// NT_ARM_SYSTEM_CALL, was changed).
absl::Status SetRolledBackNumber(pid_t tid, int nr);

}  // namespace sysgate::host

#endif  // SYSGATE_ARCH_HOST_REGISTERS_H_

// The single-register edits of an x86-64 host: one PTRACE_POKEUSER each,
// at the offsets of the host's own struct user_regs_struct.
#if defined(__x86_64__)
#include <sys/user.h>

#include <cstddef>

#include "arch/host_registers.h"
#include "arch/ptrace.h"

namespace sysgate::host {

absl::Status SetSyscallNumber(pid_t tid, int nr) {
  return ptrace::PokeUser(tid, offsetof(struct user_regs_struct, orig_rax),
                          static_cast<uint64_t>(static_cast<int64_t>(nr)));
}

absl::Status SetReturnRegister(pid_t tid, int64_t value) {
  return ptrace::PokeUser(tid, offsetof(struct user_regs_struct, rax),
                          static_cast<uint64_t>(value));
}

absl::Status SetRolledBackNumber(pid_t tid, int nr) {
  return ptrace::PokeUser(tid, offsetof(struct user_regs_struct, rax),
                          static_cast<uint64_t>(static_cast<int64_t>(nr)));
}

}  // namespace sysgate::host
#endif

// A thread stopped at a PTRACE_EVENT_SECCOMP stop, decoded once.
#ifndef SYSGATE_ARCH_SYSCALL_STOP_H_
#define SYSGATE_ARCH_SYSCALL_STOP_H_

#include <sys/types.h>

#include <array>
#include <cstdint>

#include "arch/abi.h"
#include "arch/registers.h"

namespace sysgate {

struct SyscallStop {
  pid_t tid = 0;
  AbiId abi = AbiId::kX86_64;
  int nr = -1;
  // As the filter saw them (seccomp_data.args): full registers. Compare
  // int-sized parameters on their low 32 bits only.
  std::array<uint64_t, 6> args{};
  uint64_t ip = 0;
  uint64_t sp = 0;
  uint32_t ret_data = 0;  // SECCOMP_RET_DATA of the filter that asked.

  bool is_vsyscall() const { return IsVsyscallEntry(abi, ip); }
};

}  // namespace sysgate

#endif  // SYSGATE_ARCH_SYSCALL_STOP_H_

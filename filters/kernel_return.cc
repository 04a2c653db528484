#include "filters/kernel_return.h"

#include <linux/seccomp.h>

namespace sysgate {

uint32_t KernelReturn(const Action& action, uint16_t data,
                      const KernelActions& available) {
  using K = Action::Kind;
  switch (action.kind) {
    case K::kAllow:
      return SECCOMP_RET_ALLOW;
    case K::kAudit:
      return available.log ? SECCOMP_RET_LOG : SECCOMP_RET_ALLOW;
    case K::kErrno:
      return SECCOMP_RET_ERRNO |
             (static_cast<uint32_t>(action.value) & SECCOMP_RET_DATA);
    case K::kKillProcess:
      return available.kill_process ? SECCOMP_RET_KILL_PROCESS
                                    : SECCOMP_RET_KILL_THREAD;
    case K::kKillThread:
      return SECCOMP_RET_KILL_THREAD;
    case K::kTrap:
      return SECCOMP_RET_TRAP | data;
    case K::kLog:
    case K::kEmulate:
      break;
  }
  return SECCOMP_RET_TRACE | data;
}

}  // namespace sysgate

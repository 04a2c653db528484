#include "filters/kernel_return.h"

#include <linux/seccomp.h>

namespace sysgate {

bool StopsInSupervisor(const Action& action, const Routing& routing) {
  using K = Action::Kind;
  switch (action.kind) {
    case K::kLog:
    case K::kEmulate:
    case K::kTrace:
      return true;
    case K::kErrno:
    case K::kKillProcess:
    case K::kKillThread:
      return routing.trace_denials;
    case K::kAllow:
    case K::kAudit:
    case K::kTrap:  // Seen as a SIGSYS signal-delivery stop instead.
      return false;
  }
  return false;
}

uint32_t KernelReturn(const Action& action, uint16_t data,
                      const Routing& routing, const KernelActions& available) {
  using K = Action::Kind;
  if (StopsInSupervisor(action, routing)) return SECCOMP_RET_TRACE | data;
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
    case K::kTrace:
      break;
  }
  return SECCOMP_RET_TRACE | data;
}

}  // namespace sysgate

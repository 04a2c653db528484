// What the kernel is told to do for each policy action: the bridge between
// a rule and its SECCOMP_RET_* value when the kernel applies the action by
// itself. Which actions a supervisor applies instead (at a ptrace stop or a
// user notification) is the supervisor's choice (supervisor/engine).
#ifndef SYSGATE_FILTERS_KERNEL_RETURN_H_
#define SYSGATE_FILTERS_KERNEL_RETURN_H_

#include <cstdint>

#include "arch/kernel_features.h"
#include "filters/policy.h"

namespace sysgate {

// SECCOMP_RET_* for the action, degraded to what the kernel has (kill
// without KILL_PROCESS kills the thread; audit without LOG allows). `data`
// is the SECCOMP_RET_DATA of trap (si_errno of its SIGSYS) and of the
// TRACE that an action the kernel cannot apply becomes.
uint32_t KernelReturn(const Action& action, uint16_t data,
                      const KernelActions& available);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_KERNEL_RETURN_H_

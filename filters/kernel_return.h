// What the kernel is told to do for each policy action: the bridge between
// a rule and its SECCOMP_RET_* value.
#ifndef SYSGATE_FILTERS_KERNEL_RETURN_H_
#define SYSGATE_FILTERS_KERNEL_RETURN_H_

#include <cstdint>

#include "filters/policy.h"

namespace sysgate {

// Which SECCOMP_RET_* actions the kernel offers
// (/proc/sys/kernel/seccomp/actions_avail).
struct KernelActions {
  bool kill_process = true;  // Linux 4.14.
  bool log = true;           // Linux 4.14.
  bool trace = true;
  bool trap = true;
};

// SECCOMP_RET_DATA of TRACE stops: a rule's index, or one of these.
inline constexpr uint16_t kDefaultRuleData = 0xffff;
// An x32 number (refused with ENOSYS; stops only to be reported).
inline constexpr uint16_t kX32Data = 0xfffc;
// A call of an ABI the filter has no section for (AArch32 on arm64): the
// process is killed; it stops first only to be reported.
inline constexpr uint16_t kUnsupportedAbiData = 0xfffb;
inline constexpr uint16_t kMaxRules = 0xfff0;

struct Routing {
  // Denials (errno, kill) stop in the supervisor first so it can report
  // them; otherwise the kernel applies them alone, at full speed.
  bool trace_denials = false;
};

uint32_t KernelReturn(const Action& action, uint16_t data,
                      const Routing& routing, const KernelActions& available);

// Whether an action needs a supervisor stop under this routing.
bool StopsInSupervisor(const Action& action, const Routing& routing);

}  // namespace sysgate

#endif  // SYSGATE_FILTERS_KERNEL_RETURN_H_

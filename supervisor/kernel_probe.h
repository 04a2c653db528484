// What this kernel offers sysgate, probed once at start-up (never per
// stop): seccomp actions and filter flags, which actions the kernel logs,
// PTRACE_GET/SET_SYSCALL_INFO, the vsyscall mode and the runnable ABIs.
#ifndef SYSGATE_SUPERVISOR_KERNEL_PROBE_H_
#define SYSGATE_SUPERVISOR_KERNEL_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "arch/syscall_access.h"
#include "filters/kernel_return.h"

namespace sysgate {

struct KernelProbe {
  std::string release;
  std::vector<std::string>
      actions_avail;  // /proc/sys/kernel/seccomp/actions_avail
  std::vector<std::string> actions_logged;  // .../actions_logged
  KernelActions actions;  // Also confirmed with SECCOMP_GET_ACTION_AVAIL.
  KernelFeatures features;
  std::vector<std::string> filter_flags;  // SECCOMP_FILTER_FLAG_* accepted.
  std::string vsyscall;           // "xonly", "emulate", "none" or "unknown".
  std::vector<std::string> abis;  // ABIs a process can use here.

  bool Logs(const std::string& action) const;
  std::string ToText() const;
  std::string ToJson() const;
};

// `full` adds what only `sysgate probe` reports (flags, vsyscall, ABIs).
absl::StatusOr<KernelProbe> ProbeKernel(bool full);

// Warnings for a policy's needs on this kernel ("audit" with "log" not in
// actions_logged, missing actions and their fallbacks). Never silent.
std::vector<std::string> PolicyWarnings(const KernelProbe& probe,
                                        bool uses_audit,
                                        bool uses_kill_process);

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_KERNEL_PROBE_H_

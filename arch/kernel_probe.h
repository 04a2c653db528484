// What this kernel offers sysgate, probed once at start-up (never per
// stop): seccomp actions and filter flags, which actions the kernel logs,
// PTRACE_GET/SET_SYSCALL_INFO, the vsyscall mode, the runnable ABIs and
// the Landlock ABI.
// All of sysgate's kernel probing is here.
#ifndef SYSGATE_ARCH_KERNEL_PROBE_H_
#define SYSGATE_ARCH_KERNEL_PROBE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "arch/kernel_features.h"

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
  int landlock_abi = 0;  // landlock.h's Abi(): 0 without Landlock.

  bool Logs(const std::string& action) const;
  std::string ToText() const;
  std::string ToJson() const;
};

// `full` adds what only `sysgate probe` reports (flags, vsyscall, ABIs).
// FailedPrecondition when the kernel lacks SECCOMP_RET_TRACE, without
// which sysgate cannot supervise.
absl::StatusOr<KernelProbe> ProbeKernel(bool full);

// uname's release ("6.18.44-...").
std::string KernelRelease();

// The effective capabilities of this process (CapEff), as a bit set.
uint64_t EffectiveCapabilities();

// Forks a child, stops it with PTRACE_INTERRUPT and asks the kernel which
// syscall-info requests it knows (part of ProbeKernel).
KernelFeatures ProbeKernelFeatures();

}  // namespace sysgate

#endif  // SYSGATE_ARCH_KERNEL_PROBE_H_

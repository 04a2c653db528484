// What the running kernel offers sysgate, as plain values: probed once at
// start-up by kernel_probe.h, then passed to whatever needs them (the
// filter's actions, the register edits). Nothing here probes.
#ifndef SYSGATE_ARCH_KERNEL_FEATURES_H_
#define SYSGATE_ARCH_KERNEL_FEATURES_H_

namespace sysgate {

// Which SECCOMP_RET_* actions the kernel offers
// (/proc/sys/kernel/seccomp/actions_avail, SECCOMP_GET_ACTION_AVAIL).
struct KernelActions {
  bool kill_process = true;  // Linux 4.14.
  bool log = true;           // Linux 4.14.
  bool trace = true;
  bool trap = true;
};

// The ptrace requests that read and change a stopped call, and how a
// notified caller may wait.
struct KernelFeatures {
  bool get_syscall_info = false;  // PTRACE_GET_SYSCALL_INFO, Linux 5.3.
  bool set_syscall_info = false;  // PTRACE_SET_SYSCALL_INFO, Linux 6.16.
  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, Linux 5.19: once sysgate has
  // received a notification, only a fatal signal interrupts its caller.
  bool notify_wait_killable = false;
};

}  // namespace sysgate

#endif  // SYSGATE_ARCH_KERNEL_FEATURES_H_

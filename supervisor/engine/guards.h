// sysgate's guards: rules no policy lifts, tried after --inject and the
// library's handlers and before the policy. Each is a policy-language rule
// with a typed Guard, so it compiles into the filter like any rule.
//
//   clone3           ENOSYS, unreported: its flags live in memory a filter
//                    cannot read, so CLONE_UNTRACED could hide there; libc
//                    falls back to clone, routinely.
//   clone            EPERM with CLONE_UNTRACED: the child would run
//                    unsupervised.
//   seccomp          EPERM for a filter with a listener of the program's
//                    own (SECCOMP_FILTER_FLAG_NEW_LISTENER = 8 with
//                    SECCOMP_SET_MODE_FILTER = 1): the program could answer,
//                    with SECCOMP_USER_NOTIF_FLAG_CONTINUE, calls sysgate
//                    stops to deny (USER_NOTIF outranks TRACE, and on equal
//                    actions the newest filter wins).
//   ptrace, process_vm_readv, process_vm_writev, pidfd_open, prlimit64,
//   perf_event_open
//                    EPERM when aimed at sysgate itself, one of its
//                    threads, or a process it started for itself (an
//                    alarm, arch/process.h; sysgate's pid is the program's
//                    parent's): it
//                    could be stopped, its memory read or written, its
//                    descriptors taken (the listener among them). Which
//                    pids are sysgate's is only known at the stop, so these
//                    always stop; aimed at an id no thread has, ESRCH
//                    (sysgate's next thread or alarm may get that id
//                    before the call runs); aimed at anyone else they go
//                    on to the policy, but for prlimit64 and
//                    perf_event_open, which
//                    go on only when aimed at a thread of the program
//                    (one sysgate traces): the kernel checks neither as
//                    ptrace does (the same user suffices). (CAP_PERFMON or
//                    CAP_SYS_ADMIN lets a perf_event_open skip the kernel's
//                    ptrace check, so a root program could sample sysgate's
//                    registers and stack.)
//   perf_event_open  EACCES for every process on a CPU (pid -1) or a
//                    cgroup's (PERF_FLAG_PID_CGROUP): sysgate is among
//                    them.
//   io_uring_*, fanotify_init, name_to_handle_at, open_by_handle_at,
//   the mount calls, chroot, pivot_root, uselib, acct, swapon, swapoff,
//   quotactl
//                    EPERM under a broker policy (`broker` rules): each
//                    reaches files without a path the broker could check
//                    (an io_uring OPENAT is read from a ring the kernel
//                    shares with the program, fanotify hands out fds of
//                    files others open, a file handle names an inode) or
//                    changes what paths mean (mounts, roots).
//   unshare, clone, setns
//                    EPERM under a broker policy for a new mount
//                    namespace, or one entered: the broker resolves
//                    absolute paths from the program's first root.
//   setxattrat, removexattrat, getxattrat, listxattrat, file_setattr,
//   file_getattr
//                    EOPNOTSUPP under a broker policy, as on a file system
//                    without them: not brokered yet (their arguments sit
//                    in a struct in memory; the older calls are brokered).
#ifndef SYSGATE_SUPERVISOR_ENGINE_GUARDS_H_
#define SYSGATE_SUPERVISOR_ENGINE_GUARDS_H_

#include <sys/types.h>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "arch/process.h"
#include "arch/syscall_stop.h"
#include "supervisor/engine/provenance.h"

namespace sysgate {

struct GuardRule {
  Guard guard;
  absl::string_view text;  // One policy-language rule.
  bool reported;           // Whether a denial is reported (clone3's is not).
  bool decided_at_stop;    // kAimedAtSysgate: always a ptrace stop.
  bool broker_only;        // Only under a policy with `broker` rules.
};

absl::Span<const GuardRule> GuardRules();

// The pid a kAimedAtSysgate call aims at (ptrace's and perf_event_open's
// is their second argument).
pid_t GuardTarget(const SyscallStop& stop);

// Where a kAimedAtSysgate call aims, as seen at its stop.
enum class GuardAim {
  // Someone the policy decides for: a thread that exists and is not
  // sysgate's, a caller in a pid namespace of its own (sysgate has no id
  // there), an id no thread can have (negative), PTRACE_TRACEME's.
  kElsewhere,
  // No thread has that id: ESRCH, the kernel's answer, given by sysgate.
  // A free id is the one sysgate's next thread or alarm may be given
  // before the call runs, and ids are handed out in order (kernel/pid.c
  // alloc_pid, idr_alloc_cyclic): a program can predict it.
  kNobody,
  // sysgate, one of its threads, one of the processes it started for
  // itself (`own`), or, for prlimit64 and perf_event_open, anything but a
  // thread of the program: the guard's EPERM.
  kSysgate,
};
GuardAim AimOf(const SyscallStop& stop, const OwnProcesses* own);

// The calls sysgate's launcher makes between installing the notification
// filter and exec (sending its listener, closing it, installing the main
// filter). They must never wait for a listener not yet served, so no rule
// answers them by notification: the ptrace stop serves them instead.
absl::Span<const absl::string_view> LauncherCalls();

}  // namespace sysgate

#endif  // SYSGATE_SUPERVISOR_ENGINE_GUARDS_H_

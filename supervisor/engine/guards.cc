#include "supervisor/engine/guards.h"

#include <unistd.h>

#include "arch/abi.h"
#include "arch/process.h"

namespace sysgate {
namespace {

constexpr GuardRule kGuards[] = {
    {Guard::kClone3, "errno(ENOSYS) clone3", false, false, false},
    {Guard::kCloneUntraced,
     "errno(EPERM) clone if (clone_flags & CLONE_UNTRACED) != 0", true, false,
     false},
    {Guard::kOwnListener, "errno(EPERM) seccomp if op == 1 && (flags & 8) != 0",
     true, false, false},
    // kernel/events/core.c: pid -1 without PERF_FLAG_PID_CGROUP (4) counts
    // every process on a CPU; with it, pid is a cgroup's descriptor and the
    // event counts its processes. Either samples sysgate when it runs
    // there, registers and user stack (PERF_SAMPLE_STACK_USER) included,
    // and the ptrace check a per-process event makes is never made.
    // Before kAimedAtSysgate, whose `pid != 0` would stop these first.
    {Guard::kObservesEveryProcess,
     "errno(EACCES) perf_event_open if pid == -1 || (flags & 4) != 0", true,
     false, false},
    {Guard::kAimedAtSysgate,
     "errno(EPERM) ptrace, process_vm_readv, process_vm_writev, pidfd_open, "
     "prlimit64, perf_event_open if pid != 0",
     true, true, false},
    {Guard::kFilesWithoutPath,
     "errno(EPERM) io_uring_setup, io_uring_enter, io_uring_register, "
     "fanotify_init, name_to_handle_at, open_by_handle_at, mount, umount, "
     "umount2, fsopen, fsmount, fsconfig, fspick, move_mount, open_tree, "
     "open_tree_attr, mount_setattr, chroot, pivot_root, uselib, acct, "
     "swapon, swapoff, quotactl, quotactl_fd",
     true, false, true},
    // A userfaultfd region stalls whoever reads it until the program
    // serves the fault: the broker's workers, reading a path or a message
    // from it, would never answer anyone again.
    {Guard::kStallsBroker, "errno(EPERM) userfaultfd", true, false, true},
    // The broker resolves every absolute path from the root the program
    // started with (Broker: program_root_), which no call can change under
    // a broker policy: chroot and pivot_root are refused above, and a
    // mount namespace made (CLONE_NEWNS, 0x20000) or entered (setns with
    // CLONE_NEWNS, or 0: any namespace the descriptor is) would give the
    // caller another tree's root. Nothing that works is lost: a new mount
    // namespace is for mounting in, which is refused too.
    {Guard::kNewMountNamespace,
     "errno(EPERM) unshare if (unshare_flags & 0x20000) != 0", true, false,
     true},
    {Guard::kNewMountNamespace,
     "errno(EPERM) clone if (clone_flags & 0x20000) != 0", true, false, true},
    {Guard::kNewMountNamespace,
     "errno(EPERM) setns if flags == 0 || (flags & 0x20000) != 0", true, false,
     true},
    {Guard::kUnbrokeredAttribute,
     "errno(EOPNOTSUPP) file_setattr, file_getattr", true, false, true},
    // The old stat calls of i386 take a path the broker would have to
    // answer in a layout of their own (struct __old_kernel_stat); a kernel
    // without them fails them the same way.
    {Guard::kUnbrokeredPath, "errno(ENOSYS) oldstat, oldlstat", true, false,
     true},
    // Inode flags (append-only, immutable, nodump...) change through any
    // descriptor the owner holds, one opened for reading too. The request
    // is an unsigned int (fs/ioctl.c), so only its low 32 bits count:
    // FS_IOC_SETFLAGS on 64-bit ABIs (_IOW('f', 2, long)), FS_IOC32_SETFLAGS
    // (_IOW('f', 2, int)), FS_IOC_FSSETXATTR (_IOW('X', 32, struct fsxattr)).
    {Guard::kUnbrokeredFlags,
     "errno(EOPNOTSUPP) ioctl if (cmd & 0xffffffff) == 0x40086602 || "
     "(cmd & 0xffffffff) == 0x40046602 || (cmd & 0xffffffff) == 0x401c5820",
     true, false, true},
};

constexpr absl::string_view kLauncherCalls[] = {"sendmsg", "close", "seccomp"};

}  // namespace

absl::Span<const GuardRule> GuardRules() { return kGuards; }

absl::Span<const absl::string_view> LauncherCalls() { return kLauncherCalls; }

pid_t GuardTarget(const SyscallStop& stop) {
  absl::string_view name = GetAbi(stop.abi).Name(stop.nr);
  bool second = name == "ptrace" || name == "perf_event_open";
  return static_cast<pid_t>(stop.args[second ? 1 : 0]);
}

namespace {

// Whether `target` is sysgate, one of its threads, or one of the processes
// it started for itself (`own`, may be null). Asked without /proc
// (IsThreadOfOurs), whose reading the program could make fail (a lowered
// RLIMIT_NOFILE, say): a failed read must not make one of sysgate's threads
// someone else.
bool IsSysgate(pid_t target, const OwnProcesses* own) {
  // sysgate's own processes (the alarms) are single-threaded.
  if (IsThreadOfOurs(target)) return true;
  return own != nullptr && own->Contains(target);
}

// kernel/sys.c check_prlimit_permission lets a process of the same user
// change another's limits, and CAP_PERFMON or CAP_SYS_ADMIN lets
// perf_event_open skip its ptrace check: the kernel keeps neither off
// sysgate. Aimed at anything but a thread of the program itself (one
// sysgate traces), these are refused; sysgate never traces a thread of its
// own.
bool GoesOnlyToTheProgram(absl::string_view name) {
  return name == "prlimit64" || name == "perf_event_open";
}

}  // namespace

GuardAim AimOf(const SyscallStop& stop, const OwnProcesses* own) {
  absl::string_view name = GetAbi(stop.abi).Name(stop.nr);
  pid_t target = GuardTarget(stop);
  constexpr uint64_t kPtraceTraceme = 0;  // Its pid is never read.
  if (target < 0 || (name == "ptrace" && stop.args[0] == kPtraceTraceme))
    return GuardAim::kElsewhere;
  if (!InOurPidNamespace(stop.tid)) return GuardAim::kElsewhere;
  // First whether the id is anyone's, then whether it is sysgate's: an id
  // that was someone else's when asked cannot be a thread sysgate starts
  // later until every other id has been handed out in between.
  if (!ThreadExists(target)) return GuardAim::kNobody;
  if (IsSysgate(target, own)) return GuardAim::kSysgate;
  if (GoesOnlyToTheProgram(name) && !TracedByUs(target))
    return GuardAim::kSysgate;
  return GuardAim::kElsewhere;
}

}  // namespace sysgate

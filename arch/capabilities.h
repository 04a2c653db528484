// The capabilities a supervised program must not hold: those that reach
// sysgate itself, dropped between fork and exec. Async-signal-safe.
#ifndef SYSGATE_ARCH_CAPABILITIES_H_
#define SYSGATE_ARCH_CAPABILITIES_H_

namespace sysgate {

// CAP_SYS_PTRACE passes every ptrace-mode check (kernel/ptrace.c
// __ptrace_may_access: ptrace_has_cap), undumpability included: with it a
// root program opens /proc/SYSGATE/mem read-write, attaches, takes
// sysgate's descriptors with pidfd_getfd, reads its memory with
// process_vm_readv or perf_event_open. CAP_CHECKPOINT_RESTORE (5.9) writes
// /proc/sys/kernel/ns_last_pid, choosing the pid of the next thread sysgate
// makes, and opens /proc/PID/map_files. Everything else a root program
// keeps (README, "What a root program keeps").
inline constexpr int kCapabilitiesReachingSysgate[] = {
    19 /* CAP_SYS_PTRACE */, 40 /* CAP_CHECKPOINT_RESTORE */};

// What a Landlock-confined program reads of a process outside its domain,
// under a rule that covers /proc: with CAP_SYS_ADMIN or CAP_PERFMON
// (5.8) held, that process's environ, maps, auxv, smaps, pagemap and
// numa_maps; with both dropped, only its world-readable entries (status,
// stat, cmdline...): never its fd/, mem, cwd, root or exe, which Landlock
// refuses out of the domain whatever the capabilities. Measured on 6.18
// and the 6.1 VM (tests/landlock_test.cc,
// QuietRunsOnLandlockAloneKeepSysgatesProcEntriesClosed).
inline constexpr int kCapabilitiesReadingOtherProcesses[] = {
    21 /* CAP_SYS_ADMIN */, 38 /* CAP_PERFMON */};

// Removes `cap` from the calling thread's ambient, bounding, inheritable,
// permitted and effective sets. 0, or -1 with errno. A capability the
// kernel does not know is held by nobody: 0. Without CAP_SETPCAP the
// bounding set cannot shrink (EPERM, which is passed over): the caller's
// NO_NEW_PRIVS then keeps exec from granting what the permitted set lacks
// (security/commoncap.c cap_bprm_creds_from_file: with
// LSM_UNSAFE_NO_NEW_PRIVS the new permitted set is cut to the old one).
int DropCapability(int cap);

}  // namespace sysgate

#endif  // SYSGATE_ARCH_CAPABILITIES_H_
